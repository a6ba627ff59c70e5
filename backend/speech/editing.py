"""Editing a take before it is judged and kept: silence off both ends, one loudness for the
whole chart, no click at either edge, and the result as a WAV file.

Samples are mono floats in [-1, 1] (what :func:`speech.decoding.audio_inspect` gives). The
loudness is measured as :func:`speech.pcm.normalize_loudness` measures the synthesized audio —
RMS over the 10 ms frames that sound (above a tenth of the loudest frame's RMS), peaks kept
under -1 dBFS — and aims at the same -20 dBFS, so a teacher's recording plays as loud as the
rest of the chart.
"""

import io
import wave

import numpy as np

from speech.pcm import PEAK_LIMIT_DBFS, TARGET_RMS_DBFS

FRAME_SECONDS = 0.010
# A frame counts as sounding above this share of the loudest frame's RMS (-20 dB), as in
# speech.pcm.normalize_loudness.
SOUNDING_SHARE = 0.1


def trim_silence(
    samples: np.ndarray, sample_rate: int, *, threshold_db: float = -45.0, pad_ms: float = 30.0
) -> np.ndarray:
    """``samples`` from ``pad_ms`` before the first 10 ms frame louder than ``threshold_db``
    dBFS (RMS, any DC offset removed) to ``pad_ms`` after the last one.

    Silence inside the take is kept (a plosive's closure is part of it). When no frame
    reaches the threshold the samples come back unchanged: whether they hold a sound at all
    is :func:`speech.signal.speech_presence`'s question, not this one's.
    """
    samples = np.asarray(samples, dtype=np.float64)
    levels = frame_levels_db(samples, sample_rate)
    loud = np.flatnonzero(levels > threshold_db)
    if loud.size == 0:
        return samples
    frame = _frame_length(sample_rate)
    pad = int(round(sample_rate * pad_ms / 1000))
    start = max(0, int(loud[0]) * frame - pad)
    end = min(samples.size, (int(loud[-1]) + 1) * frame + pad)
    return samples[start:end].copy()


def normalize(
    samples: np.ndarray, sample_rate: int, *, target_dbfs: float = TARGET_RMS_DBFS
) -> np.ndarray:
    """``samples`` scaled so that their sounding part's RMS is ``target_dbfs`` (less when the
    peak would pass -1 dBFS). Digital silence comes back unchanged."""
    samples = np.asarray(samples, dtype=np.float64)
    rms = sounding_rms(samples, sample_rate)
    if rms <= 0:
        return samples.copy()
    return samples * normalize_gain(samples, sample_rate, target_dbfs=target_dbfs)


def normalize_gain(
    samples: np.ndarray, sample_rate: int, *, target_dbfs: float = TARGET_RMS_DBFS
) -> float:
    """The factor :func:`normalize` multiplies ``samples`` by (1.0 for digital silence)."""
    samples = np.asarray(samples, dtype=np.float64)
    rms = sounding_rms(samples, sample_rate)
    if rms <= 0:
        return 1.0
    gain = 10 ** (target_dbfs / 20) / rms
    peak = float(np.abs(samples).max())
    return min(gain, 10 ** (PEAK_LIMIT_DBFS / 20) / peak)


def sounding_rms(samples: np.ndarray, sample_rate: int) -> float:
    """RMS of the 10 ms frames louder than a tenth of the loudest frame (the whole signal's
    RMS when it is shorter than one frame); 0.0 for silence."""
    samples = np.asarray(samples, dtype=np.float64)
    if samples.size == 0:
        return 0.0
    frame_rms = _frame_rms(samples, sample_rate)
    if frame_rms.size == 0:
        return float(np.sqrt(np.mean(samples**2)))
    loud = frame_rms[frame_rms > frame_rms.max() * SOUNDING_SHARE]
    return float(np.sqrt(np.mean(loud**2))) if loud.size else 0.0


def fade_edges(samples: np.ndarray, sample_rate: int, *, fade_ms: float = 5.0) -> np.ndarray:
    """``samples`` with linear fades in and out, so the cut ends of a trimmed take do not
    click (the consonant check refuses a step of a tenth of full scale at either end)."""
    samples = np.array(samples, dtype=np.float64)
    fade = min(samples.size // 4, int(sample_rate * fade_ms / 1000))
    if fade:
        ramp = np.linspace(0.0, 1.0, fade)
        samples[:fade] *= ramp
        samples[-fade:] *= ramp[::-1]
    return samples


def wav_bytes(samples: np.ndarray, sample_rate: int) -> bytes:
    """Mono float samples as a 16-bit PCM WAV file."""
    pcm = np.clip(np.round(np.asarray(samples, dtype=np.float64) * 32767), -32768, 32767)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(int(sample_rate))
        out.writeframes(pcm.astype("<i2").tobytes())
    return buffer.getvalue()


def frame_levels_db(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """The level in dBFS (RMS, DC offset removed) of each whole 10 ms frame."""
    samples = np.asarray(samples, dtype=np.float64)
    if samples.size:
        samples = samples - samples.mean()
    rms = _frame_rms(samples, sample_rate)
    with np.errstate(divide="ignore"):
        return 20 * np.log10(rms)


def _frame_length(sample_rate: int) -> int:
    return max(1, int(sample_rate * FRAME_SECONDS))


def _frame_rms(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    frame = _frame_length(sample_rate)
    whole = samples[: samples.size // frame * frame].reshape(-1, frame)
    return np.sqrt((whole**2).mean(axis=1)) if whole.size else np.zeros(0)
