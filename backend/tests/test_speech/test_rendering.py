"""A listening item's rendering: the clips in order, never the same bytes twice."""

import random

import numpy as np
import pytest

from speech.decoding import decode_bytes
from speech.pcm import encode_mp3, normalize_loudness, tone
from speech.rendering import GAP_SECONDS, RENDER_RATE, Clip, drill_rendering, resample


def clip(seconds: float = 0.4, rate: int = 22050, frequency: float = 220.0) -> Clip:
    pcm = normalize_loudness(tone(seconds, frequency=frequency, sample_rate=rate), rate)
    return Clip(pcm.astype(np.float64) / 32768.0, rate)


def test_two_renderings_of_one_clip_are_different_bytes_of_about_the_same_sound():
    source = clip()
    first, second = drill_rendering([source]), drill_rendering([source])

    assert first != second
    for data in (first, second):
        info = decode_bytes(data)
        expected = source.samples.size / source.sample_rate
        assert expected + 0.02 < info.duration < expected + 0.25  # lead silence + codec
        peak = np.abs(info.samples).max()
        assert 10 ** (-2 / 20) * np.abs(source.samples).max() < peak


def test_a_rendering_is_not_the_bytes_of_its_file_encoded_alone():
    source = clip()
    public = encode_mp3(np.round(source.samples * 32767).astype(np.int16), source.sample_rate)

    assert all(drill_rendering([source]) != public for _ in range(5))


def test_three_clips_are_joined_in_order_with_pauses_between_them():
    clips = [clip(0.3, frequency=200), clip(0.3, 24000, frequency=600), clip(0.3, frequency=200)]

    info = decode_bytes(drill_rendering(clips, rng=random.Random(1)))

    total = sum(c.samples.size / c.sample_rate for c in clips) + 2 * GAP_SECONDS
    assert total < info.duration < total + 0.3
    # The middle one (600 Hz, from a 24 kHz file) sits in the middle.
    middle = info.samples[int(info.sample_rate * (info.duration / 2 - 0.05)) :][
        : int(info.sample_rate * 0.1)
    ]
    spectrum = np.abs(np.fft.rfft(middle))
    peak_hz = np.argmax(spectrum) * info.sample_rate / middle.size
    assert 550 < peak_hz < 650


def test_resampling_keeps_the_duration():
    source = clip(0.5, 24000)
    seconds = source.samples.size / source.sample_rate
    assert resample(source).size == pytest.approx(seconds * RENDER_RATE, abs=2)


def test_nothing_to_render_is_refused():
    with pytest.raises(ValueError):
        drill_rendering([])
