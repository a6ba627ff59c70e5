"""The one acoustic check: does a recording sound like the vowel it claims to be?"""

from unittest import mock

import numpy as np
import parselmouth
import pytest

from speech import acoustics
from speech.decoding import decode_bytes
from tests.audio_fixtures import FEMALE_US, MALE_RP, MALE_US, vowel_mp3


def check(phoneme: str, audio: bytes, *, accent: str, gender: str = "") -> acoustics.Check:
    info = decode_bytes(audio)
    return acoustics.check(phoneme, info.samples, info.sample_rate, accent=accent, gender=gender)


def test_the_right_vowel_passes_and_its_formants_are_kept_for_display():
    result = check("iː", vowel_mp3("iː", MALE_RP), accent="en-GB")
    assert result.verdict == acoustics.PASSED
    assert result.heard_as == ""
    assert result.details["nearest"] == "iː"
    assert result.details["reference"] == "Deterding 1997, men"
    assert result.details["f1"] < 400 and result.details["f2"] > 1900
    assert result.judged.passed


def test_another_vowel_fails_and_says_what_it_was_heard_as():
    result = check("æ", vowel_mp3("iː", MALE_RP), accent="en-GB")
    assert (result.verdict, result.heard_as) == (acoustics.FAILED, "iː")
    assert "heard_as" not in result.details


def test_an_american_vowel_is_heard_as_the_charts_symbol():
    # Hillenbrand's /i/ is the chart's /iː/.
    result = check("æ", vowel_mp3("iː", MALE_US), accent="en-US")
    assert (result.verdict, result.heard_as) == (acoustics.FAILED, "iː")
    assert result.details["nearest"] == "i"


def test_a_womans_recording_is_judged_against_womens_formants():
    # eSpeak's female /ʌ/ (F1 ~664, F2 ~1405 Hz) is /ʌ/ for a woman, not for a man.
    audio = vowel_mp3("ʌ", FEMALE_US)
    woman = check("ʌ", audio, accent="en-US", gender="female")
    assert woman.verdict == acoustics.PASSED
    assert woman.details["reference"] == "Hillenbrand et al. 1995, women"
    assert check("ʌ", audio, accent="en-US").verdict == acoustics.FAILED


def test_a_diphthong_is_judged_by_its_glide():
    result = check("aɪ", vowel_mp3("aɪ", MALE_RP), accent="en-GB")
    assert result.verdict == acoustics.PASSED
    assert result.details["rule"] == "F2 rises"


def test_a_vowel_said_for_a_consonant_fails_naming_the_rules_it_breaks():
    result = check("s", vowel_mp3("iː", MALE_RP), accent="en-GB")
    assert result.verdict == acoustics.FAILED
    assert result.details["failures"]
    assert "f1" not in result.details


def test_a_symbol_that_is_not_on_the_chart_is_not_checked():
    result = check("q", vowel_mp3("iː", MALE_RP), accent="en-GB")
    assert result.verdict == acoustics.NOT_CHECKED
    assert result.judged is None


def test_silence_is_not_checked_and_says_why():
    result = acoustics.check("iː", np.zeros(22050), 22050, accent="en-GB")
    assert result.verdict == acoustics.NOT_CHECKED
    assert result.details["error"] == "no voiced sound to measure"


def test_only_vowels_can_be_verified():
    measurement = acoustics.Measurement(300, 2200, (300, 2200), (300, 2200))
    with pytest.raises(ValueError, match="not a vowel"):
        acoustics.verify("s", measurement, accent="en-GB")


@pytest.mark.parametrize("before", [2.5, 0.0])
@pytest.mark.parametrize("symbol", ["iː", "ɑː", "aɪ"])
def test_measuring_near_the_voiced_frames_gives_what_the_whole_take_gives(symbol, before):
    # A learner's take is mostly silence; formants are measured near the voiced frames only.
    info = decode_bytes(vowel_mp3(symbol, MALE_US))
    voiced = info.samples[int(0.12 * info.sample_rate) :] if before == 0 else info.samples
    take = np.concatenate(
        [np.zeros(int(before * info.sample_rate)), voiced, np.zeros(int(2.5 * info.sample_rate))]
    )
    sound = parselmouth.Sound(take.astype(np.float64), info.sample_rate)
    near = acoustics.measure(sound)
    with mock.patch.object(acoustics, "_voiced_part", lambda sound, first, last: sound):
        whole = acoustics.measure(sound)
    for name in ("f1", "f2", "start", "end", "f3"):
        assert np.allclose(getattr(near, name), getattr(whole, name), rtol=0.01), name
