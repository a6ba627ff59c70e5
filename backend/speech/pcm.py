"""PCM helpers shared by the engines: loudness, padding, MP3 encoding, reading files back."""

import io

import av
import lameenc
import numpy as np
from mutagen import MutagenError
from mutagen.mp3 import MP3

from speech.tts.base import TTSError

TARGET_RMS_DBFS = -20.0
PEAK_LIMIT_DBFS = -1.0
MP3_BITRATE_KBPS = 64


def normalize_loudness(pcm: np.ndarray, sample_rate: int) -> np.ndarray:
    """Scale int16 mono PCM to one loudness for every phoneme (RMS of the sounding part at
    -20 dBFS, peaks kept under -1 dBFS), with short fades and a little silence around it
    (browsers clip the first milliseconds of a clip)."""
    samples = pcm.astype(np.float64) / 32768.0
    if samples.size == 0 or not np.any(samples):
        raise TTSError("the engine produced silence", retryable=False)
    frame = max(1, sample_rate // 100)
    frames = samples[: samples.size // frame * frame].reshape(-1, frame)
    frame_rms = np.sqrt((frames**2).mean(axis=1)) if frames.size else np.array([0.0])
    loud = frame_rms[frame_rms > frame_rms.max() * 0.1]
    rms = float(np.sqrt((loud**2).mean())) if loud.size else float(np.sqrt((samples**2).mean()))
    gain = 10 ** (TARGET_RMS_DBFS / 20) / rms
    peak_limit = 10 ** (PEAK_LIMIT_DBFS / 20)
    gain = min(gain, peak_limit / float(np.abs(samples).max()))
    samples = samples * gain
    fade = min(samples.size // 4, sample_rate // 200)
    if fade:
        ramp = np.linspace(0.0, 1.0, fade)
        samples[:fade] *= ramp
        samples[-fade:] *= ramp[::-1]
    lead, tail = np.zeros(sample_rate // 10), np.zeros(sample_rate * 3 // 20)
    samples = np.concatenate([lead, samples, tail])
    return np.clip(np.round(samples * 32767), -32768, 32767).astype(np.int16)


def encode_mp3(pcm: np.ndarray, sample_rate: int) -> bytes:
    """int16 mono PCM to MP3 (plays in every browser, Safari included)."""
    encoder = lameenc.Encoder()
    encoder.set_in_sample_rate(sample_rate)
    encoder.set_channels(1)
    encoder.set_bit_rate(MP3_BITRATE_KBPS)
    encoder.set_quality(2)
    return bytes(encoder.encode(pcm.astype("<i2").tobytes()) + encoder.flush())


def mp3_duration(data: bytes) -> float:
    """Duration in seconds read back from MP3 bytes; :class:`TTSError` if they are not MP3."""
    try:
        return float(MP3(io.BytesIO(data)).info.length)
    except (MutagenError, ValueError) as exc:
        raise TTSError(
            f"the engine's output is not a readable MP3 ({exc})", retryable=False
        ) from exc


def tone(seconds: float, *, frequency: float = 220.0, sample_rate: int = 22050) -> np.ndarray:
    """A plain tone as int16 PCM (the test engine's "voice")."""
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    return (np.sin(2 * np.pi * frequency * t) * 12000).astype(np.int16)


# Learners' recordings are kept for replay only (they are measured before this): speech needs
# no more than 8 kHz of bandwidth, and 32 kbit/s MP3 at 16 kHz keeps it at 4 KB a second.
COMPACT_SAMPLE_RATE = 16000
COMPACT_BITRATE_KBPS = 32


def encode_compact_mp3(samples: np.ndarray, sample_rate: int) -> bytes:
    """Mono float samples in [-1, 1] (as :func:`speech.decoding.audio_inspect` gives them)
    resampled to 16 kHz and encoded as 32 kbit/s MP3: a new file made from the decoded
    sound only, so nothing else the original file carried survives."""
    frame = av.AudioFrame.from_ndarray(
        np.ascontiguousarray(samples, dtype=np.float64).reshape(1, -1), format="dbl", layout="mono"
    )
    frame.sample_rate = sample_rate
    resampler = av.AudioResampler(format="s16", layout="mono", rate=COMPACT_SAMPLE_RATE)
    chunks = [out.to_ndarray().reshape(-1) for out in resampler.resample(frame)]
    chunks += [out.to_ndarray().reshape(-1) for out in resampler.resample(None)]
    pcm = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
    encoder = lameenc.Encoder()
    encoder.set_in_sample_rate(COMPACT_SAMPLE_RATE)
    encoder.set_channels(1)
    encoder.set_bit_rate(COMPACT_BITRATE_KBPS)
    encoder.set_quality(2)
    return bytes(encoder.encode(pcm.astype("<i2").tobytes()) + encoder.flush())
