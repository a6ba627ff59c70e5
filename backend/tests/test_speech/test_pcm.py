"""PCM helpers: one loudness for every phoneme, MP3 out, duration read back."""

import numpy as np
import pytest

from speech.decoding import decode_bytes
from speech.pcm import encode_compact_mp3, encode_mp3, mp3_duration, normalize_loudness, tone
from speech.tts.base import TTSError

SAMPLE_RATE = 22050


def sounding_rms_dbfs(pcm: np.ndarray) -> float:
    """RMS in dBFS of the part between the first and the last non-silent sample."""
    samples = pcm.astype(np.float64) / 32768.0
    sounding = np.flatnonzero(np.abs(samples) > 1e-3)
    part = samples[sounding[0] : sounding[-1] + 1]
    return 20 * np.log10(np.sqrt((part**2).mean()))


def test_quiet_and_loud_input_come_out_equally_loud():
    silence = np.zeros(SAMPLE_RATE // 5, np.int16)
    quiet = np.concatenate([silence, (tone(0.5) // 40).astype(np.int16), silence])
    loud = np.concatenate([silence, (tone(0.5) * 2.5).astype(np.int16), silence])
    quiet_db = sounding_rms_dbfs(normalize_loudness(quiet, SAMPLE_RATE))
    loud_db = sounding_rms_dbfs(normalize_loudness(loud, SAMPLE_RATE))
    assert abs(quiet_db - loud_db) < 1.0


def test_peaks_stay_under_minus_one_dbfs():
    spiky = np.zeros(SAMPLE_RATE // 2, np.int16)
    spiky[::500] = 30000  # a high crest factor: the RMS target alone would clip it
    for pcm in (spiky, (tone(0.5) * 2.7).astype(np.int16)):
        peak = np.abs(normalize_loudness(pcm, SAMPLE_RATE).astype(np.float64)).max()
        assert 20 * np.log10(peak / 32768) <= -1.0


@pytest.mark.parametrize("samples", [SAMPLE_RATE, 0])
def test_silence_is_a_permanent_failure(samples):
    with pytest.raises(TTSError) as caught:
        normalize_loudness(np.zeros(samples, np.int16), SAMPLE_RATE)
    assert caught.value.retryable is False


def test_silence_is_put_around_the_sound_so_browsers_do_not_clip_it():
    pcm = normalize_loudness(tone(0.5), SAMPLE_RATE)
    assert pcm.size == int(0.5 * SAMPLE_RATE) + SAMPLE_RATE // 10 + SAMPLE_RATE * 3 // 20
    assert not pcm[: SAMPLE_RATE // 10].any()


def test_mp3_of_a_tone_reads_back_its_duration():
    audio = encode_mp3(tone(1.0), SAMPLE_RATE)
    assert audio[:3] == b"ID3" or audio[0] == 0xFF
    assert mp3_duration(audio) == pytest.approx(1.0, abs=0.1)


def test_bytes_that_are_not_mp3_are_a_permanent_failure():
    with pytest.raises(TTSError) as caught:
        mp3_duration(b"<html>not audio</html>")
    assert caught.value.retryable is False


@pytest.mark.parametrize("sample_rate", [8000, 44100, 48000])
def test_compact_mp3_is_16_khz_mono_of_the_same_length_at_4_kb_a_second(sample_rate):
    seconds = 1.5
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    samples = 0.3 * np.sin(2 * np.pi * 220 * t)
    data = encode_compact_mp3(samples, sample_rate)
    decoded = decode_bytes(data)
    assert (decoded.format, decoded.sample_rate, decoded.channels) == ("mp3", 16000, 1)
    assert abs(decoded.duration - seconds) < 0.1  # MP3 adds a frame of padding
    assert len(data) < seconds * 4000 * 1.2
    # The tone survives: its loudness is still about that of the input.
    assert abs(np.sqrt((decoded.samples**2).mean()) - 0.3 / np.sqrt(2)) < 0.05
