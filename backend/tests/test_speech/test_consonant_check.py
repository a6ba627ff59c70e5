"""Consonants are checked acoustically by class (speech.acoustics.CONSONANT_RULES), and eSpeak
NG's renderings pass all 24 in both accents. Real eSpeak NG and Praat, no Django."""

from functools import cache

import numpy as np
import pytest

from speech import acoustics
from speech.decoding import decode_bytes
from speech.ipa import CONSONANTS
from speech.pcm import encode_mp3, normalize_loudness
from speech.tts.base import SynthesisRequest, Voice
from speech.tts.espeak import ESpeakEngine, library

US = Voice("espeak", "en-us", "en-US")
RP = Voice("espeak", "en-gb-x-rp", "en-GB")
VOICES = pytest.mark.parametrize("voice", [US, RP], ids=lambda voice: voice.name)
RATE = 22050


@cache
def engine_audio(symbol: str, voice: Voice) -> tuple[np.ndarray, dict]:
    """The engine's audio of ``symbol`` alone, decoded as it is served, and its settings."""
    result = ESpeakEngine().synthesize(SynthesisRequest(voice=voice, ipa=symbol))
    return decode_bytes(result.audio).samples, result.settings


def espeak_audio(text: str, voice: str = "en-us", **options) -> np.ndarray:
    """eSpeak's own rendering of ``text`` ([[...]] mnemonics), loudness and MP3 as served."""
    engine = library()
    pcm = engine.synthesize(text, voice=voice, wpm=80, **options)
    return decode_bytes(encode_mp3(normalize_loudness(pcm, RATE), RATE)).samples


def check(symbol: str, samples: np.ndarray, *, accent: str = "en-US") -> acoustics.Check:
    return acoustics.check(symbol, samples, RATE, accent=accent)


@VOICES
def test_all_24_consonants_pass_in_both_accents(voice):
    failed = {}
    for symbol in CONSONANTS:
        result = check(symbol, engine_audio(symbol, voice)[0], accent=voice.language)
        if result.verdict != acoustics.PASSED:
            failed[symbol] = result.details
    assert failed == {}


@VOICES
def test_voiceless_plosives_and_h_are_said_with_a_whispered_vowel(voice):
    for symbol in ("p", "t", "k", "tʃ", "h"):
        samples, settings = engine_audio(symbol, voice)
        assert settings["espeak_voice"] == f"{voice.name} whispered", symbol
        assert check(symbol, samples).details["voiced_percent"] <= 20, symbol


def test_a_plosive_followed_by_a_voiced_schwa_fails():
    # What the engine said before: "pə" is mostly voiced vowel, not /p/.
    result = check("p", espeak_audio("[['p@]]"))
    assert result.verdict == acoustics.FAILED
    assert result.details["failures"] == ["voiced ≤ 20 %"]
    assert result.details["voiced_percent"] > 50
    assert result.heard_as == ""  # a voiced vowel after /p/ does not make it /b/


def test_a_plosive_too_short_to_hear_fails():
    result = check("p", espeak_audio("[['p]]"))  # the burst alone: about 0.1 s
    assert "≥ 150 ms of sound" in result.details["failures"]


def test_espeaks_own_zh_is_voiceless_and_heard_as_sh():
    result = check("ʒ", espeak_audio("[['ZZZ]]"))
    assert (result.verdict, result.heard_as) == (acoustics.FAILED, "ʃ")


def test_zh_with_its_frication_turned_down_is_voiced():
    result = check("ʒ", espeak_audio("[['ZZZ]]", voice_lines=("consonants 100 40",)))
    assert result.verdict == acoustics.PASSED, result.details
    assert result.details["voiced_percent"] >= 80


def test_a_voiceless_fricative_before_a_voiced_vowel_is_not_a_voiced_fricative():
    # "ʒə" with eSpeak's voiceless [ʒ]: most of the file is voiced, but not the fricative.
    result = check("ʒ", espeak_audio("[['Z@]]"))
    assert result.verdict == acoustics.FAILED
    assert result.details["voiceless_run_ms"] > 100


def test_s_and_sh_are_told_apart_by_their_centre_of_gravity():
    s, sh = engine_audio("s", US)[0], engine_audio("ʃ", US)[0]
    assert check("s", s).details["centroid_hz"] >= 5000
    assert 2500 <= check("ʃ", sh).details["centroid_hz"] < 5000
    assert (check("s", sh).verdict, check("s", sh).heard_as) == (acoustics.FAILED, "ʃ")
    assert (check("ʃ", s).verdict, check("ʃ", s).heard_as) == (acoustics.FAILED, "s")
    # Wrong in voicing and in place: heard as the sibilant that differs in both.
    assert check("z", sh).heard_as == "ʃ"


def test_a_vowel_has_no_nasal_murmur():
    result = check("m", espeak_audio("[['A:]]"))
    assert result.details["failures"] == ["nasal murmur ≥ 60 ms"]
    assert check("m", engine_audio("m", US)[0]).details["murmur_ms"] >= 100


def test_approximants_are_told_apart_by_their_onset_formants():
    w, lateral, r, j = (engine_audio(symbol, US)[0] for symbol in ("w", "l", "r", "j"))
    assert check("w", lateral).details["failures"] == ["onset F1, F2 < 1 kHz"]
    assert check("j", w).details["failures"] == ["onset F2 > 1900 Hz"]
    assert check("r", lateral).details["failures"] == ["onset F3 < 2000 Hz"]
    assert check("l", r).details["failures"] == ["onset F1 < 500 Hz, F3 − F2 ≥ 1000 Hz"]
    assert check("l", j).verdict == acoustics.FAILED


def test_a_voice_with_a_variant_is_whispered_and_corrected_too():
    # A configured voice may carry an eSpeak variant (en-us+f2, a woman): its file is kept.
    woman = Voice("espeak", "en-us+f2", "en-US")
    for symbol in ("p", "ʒ"):
        samples, settings = engine_audio(symbol, woman)
        assert settings["espeak_voice"].startswith("en-us+f2"), settings
        result = acoustics.check(symbol, samples, RATE, accent="en-US", gender="female")
        assert result.verdict == acoustics.PASSED, (symbol, result.details)


def test_a_click_at_either_end_fails():
    good = engine_audio("f", US)[0]
    sounding = np.flatnonzero(np.abs(good) > 0.05)
    cut = good[sounding[0] + 2000 : sounding[-1] - 2000]  # starts and stops mid-noise
    cut = cut / np.abs(cut).max() * 0.9
    result = check("f", cut)
    assert "no click at either end" in result.details["failures"]
    assert check("f", good).details["edge_step"] < acoustics.MAX_EDGE_STEP


def test_silence_is_not_checked():
    result = check("s", np.zeros(RATE))
    assert result.verdict == acoustics.NOT_CHECKED
    assert result.details["error"] == "no sound to measure"


def test_a_womans_approximant_limits_are_higher():
    measurement = acoustics.ConsonantMeasurement(
        sounding_ms=500,
        voiced_fraction=1.0,
        voiceless_run_ms=0,
        centroid_hz=1500,
        murmur_ms=0,
        onset=(400, 2000, 2800),
        onset_low_db=5,
        edge_step=0.0,
    )
    assert acoustics.verify_consonant("j", measurement).passed  # a man's /j/: F2 > 1900
    assert not acoustics.verify_consonant("j", measurement, gender="female").passed  # 2223


def test_every_consonant_has_rules():
    assert set(acoustics.CONSONANT_RULES) == set(CONSONANTS)
    with pytest.raises(ValueError, match="not a consonant"):
        acoustics.verify_consonant("iː", None)
