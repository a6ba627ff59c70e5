"""Editing a take (speech.editing): trimming, loudness, fades and WAV bytes, on synthetic
signals whose silence and level are known. Plain pytest, no Django."""

import io
import wave

import numpy as np
import pytest

from speech.editing import fade_edges, normalize, sounding_rms, trim_silence, wav_bytes

RATE = 16_000


def tone(seconds: float, *, dbfs: float, frequency: float = 220.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    # A sine's RMS is its amplitude over √2.
    return np.sin(2 * np.pi * frequency * t) * 10 ** (dbfs / 20) * np.sqrt(2)


def silence(seconds: float, *, noise_dbfs: float | None = None) -> np.ndarray:
    if noise_dbfs is None:
        return np.zeros(int(seconds * RATE))
    rng = np.random.default_rng(7)
    return rng.normal(0, 10 ** (noise_dbfs / 20), int(seconds * RATE))


def dbfs(samples: np.ndarray) -> float:
    return 20 * np.log10(np.sqrt(np.mean(samples**2)))


def test_silence_is_trimmed_from_both_ends_leaving_the_pads():
    take = np.concatenate([silence(0.5), tone(0.3, dbfs=-30), silence(0.4)])
    trimmed = trim_silence(take, RATE)
    assert trimmed.size / RATE == pytest.approx(0.3 + 2 * 0.030, abs=0.012)


def test_room_noise_below_the_threshold_is_trimmed_too():
    take = np.concatenate(
        [silence(0.5, noise_dbfs=-60), tone(0.3, dbfs=-25), silence(0.4, noise_dbfs=-60)]
    )
    assert trim_silence(take, RATE, pad_ms=0).size / RATE == pytest.approx(0.3, abs=0.012)


def test_the_pad_and_the_threshold_can_be_chosen():
    take = np.concatenate([silence(0.5), tone(0.3, dbfs=-30), silence(0.4)])
    assert trim_silence(take, RATE, pad_ms=100).size / RATE == pytest.approx(0.5, abs=0.012)
    # A threshold above the tone's level finds no sound: nothing is cut.
    assert trim_silence(take, RATE, threshold_db=-20).size == take.size


def test_a_pause_inside_the_take_is_kept():
    take = np.concatenate([silence(0.2), tone(0.1, dbfs=-20), silence(0.1), tone(0.1, dbfs=-20)])
    assert trim_silence(take, RATE, pad_ms=0).size / RATE == pytest.approx(0.3, abs=0.012)


def test_pads_stop_at_the_ends_of_the_take():
    take = tone(0.3, dbfs=-20)
    assert trim_silence(take, RATE).size == take.size


@pytest.mark.parametrize("level", [-45.0, -32.0, -12.0])
def test_normalize_brings_a_tone_to_minus_20_dbfs(level):
    assert dbfs(normalize(tone(0.3, dbfs=level), RATE)) == pytest.approx(-20.0, abs=0.5)


def test_normalize_measures_the_sounding_part_not_the_silence_around_it():
    take = np.concatenate([silence(0.5), tone(0.3, dbfs=-38), silence(0.4)])
    louder = normalize(take, RATE)
    sounding = louder[int(0.5 * RATE) : int(0.8 * RATE)]
    assert dbfs(sounding) == pytest.approx(-20.0, abs=0.5)
    assert 20 * np.log10(sounding_rms(louder, RATE)) == pytest.approx(-20.0, abs=0.5)


def test_normalize_keeps_peaks_under_minus_1_dbfs():
    spiky = tone(0.3, dbfs=-40)
    spiky[1000] = 0.5  # one click far above the tone
    assert np.abs(normalize(spiky, RATE)).max() == pytest.approx(10 ** (-1 / 20), rel=1e-6)


def test_normalize_leaves_digital_silence_alone():
    assert not np.any(normalize(silence(0.3), RATE))


def test_fades_start_and_end_at_zero():
    faded = fade_edges(np.ones(RATE // 10), RATE, fade_ms=5)
    assert faded[0] == 0.0 and faded[-1] == 0.0
    assert faded[RATE // 20] == 1.0


def test_wav_bytes_are_16_bit_mono_pcm_of_the_samples():
    samples = tone(0.25, dbfs=-20)
    with wave.open(io.BytesIO(wav_bytes(samples, RATE))) as read:
        assert (read.getnchannels(), read.getsampwidth(), read.getframerate()) == (1, 2, RATE)
        pcm = np.frombuffer(read.readframes(read.getnframes()), dtype="<i2")
    assert pcm.size == samples.size
    assert np.abs(pcm / 32767 - samples).max() < 1e-4
