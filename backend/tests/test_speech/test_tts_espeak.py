"""eSpeak NG, the offline engine, for real: every phoneme is said as that sound, not as the name
of its IPA glyph, and the vowels are proven right by measuring their formants."""

import tempfile

import pytest

from speech import acoustics
from speech.ipa import DIPHTHONGS, MONOPHTHONGS, PHONEMES
from speech.pcm import encode_mp3, mp3_duration, normalize_loudness
from speech.tts.base import SynthesisRequest, TTSError, Voice
from speech.tts.espeak import ESpeakEngine, library, word_input, words_per_minute

US = Voice("espeak", "en-us", "en-US")
RP = Voice("espeak", "en-gb-x-rp", "en-GB")
VOICES = pytest.mark.parametrize("voice", [US, RP], ids=lambda voice: voice.name)


def say(ipa: str, voice: Voice = US, *, word: str = "", rate: str = "-30%"):
    return ESpeakEngine().synthesize(SynthesisRequest(voice=voice, ipa=ipa, word=word, rate=rate))


def verdict(symbol: str, mp3: bytes, *, accent: str) -> acoustics.Verdict | None:
    """The acoustic verdict on ``mp3`` as ``symbol``; ``None`` when nothing could be measured."""
    with tempfile.NamedTemporaryFile(suffix=".mp3") as audio_file:
        audio_file.write(mp3)
        audio_file.flush()
        try:
            measurement = acoustics.measure_file(audio_file.name)
        except acoustics.MeasurementError:
            return None
    return acoustics.verify(symbol, measurement, accent=accent)


@VOICES
def test_every_phoneme_is_mp3_of_a_plausible_length(voice):
    for symbol in PHONEMES:
        result = say(symbol, voice)
        assert result.format == "mp3", symbol
        assert 0.3 <= mp3_duration(result.audio) <= 3.0, symbol


@VOICES
def test_every_phoneme_is_fed_as_ascii_phoneme_mnemonics_never_ipa_glyphs(voice):
    for symbol in PHONEMES:
        text = say(symbol, voice).settings["espeak_input"]
        assert text.startswith("[[") and text.endswith("]]"), (symbol, text)
        assert text[2:-2].isascii(), (symbol, text)


@pytest.mark.parametrize(
    ("symbol", "expected"), [("p", "[['p@]]"), ("ɡ", "[['g@]]"), ("tʃ", "[['tS@]]")]
)
def test_plosives_and_affricates_get_a_short_neutral_vowel_after_them(symbol, expected):
    assert say(symbol).settings["espeak_input"] == expected


@pytest.mark.parametrize(
    ("symbol", "expected"), [("θ", "[['TTT]]"), ("s", "[['sss]]"), ("ʒ", "[['ZZZ]]")]
)
def test_fricatives_are_held(symbol, expected):
    assert say(symbol).settings["espeak_input"] == expected


@pytest.mark.parametrize(
    ("symbol", "expected"),
    [("m", "[['mA:]]"), ("l", "[['lA:]]"), ("j", "[['jA:]]"), ("ŋ", "[['VN]]")],
)
def test_nasals_and_approximants_are_said_in_a_syllable(symbol, expected):
    assert say(symbol).settings["espeak_input"] == expected


@pytest.mark.parametrize(
    ("symbol", "expected"), [("iː", "[['i:]]"), ("ə", "[['@]]"), ("aɪ", "[['aI]]")]
)
def test_vowels_stand_alone_with_a_leading_stress_mark(symbol, expected):
    assert say(symbol, RP).settings["espeak_input"] == expected


def test_isolated_phonemes_use_the_per_voice_overrides():
    us_ah = say("ɑː", US).settings
    assert (us_ah["espeak_input"], us_ah["espeak_voice"]) == ("[['A:]]", "en-gb-scotland")
    rp_er = say("ɜː", RP).settings
    assert (rp_er["espeak_input"], rp_er["espeak_voice"]) == ("[['3:]]", "en")
    assert say("iː", RP).settings["espeak_voice"] == "en-gb-x-rp"


def test_words_are_said_in_the_requested_voice_without_phoneme_overrides():
    result = say("/ˈfɑːðə/", US, word="father")
    assert result.settings["espeak_voice"] == "en-us"
    assert result.settings["espeak_input"] == "[['fA:D@]]"


def test_the_engine_and_rate_are_reported_with_the_audio():
    result = say("/siː/", US, word="see", rate="-30%")
    assert (result.settings["engine"], result.settings["tts_rate"]) == ("espeak-ng", "-30%")


@pytest.mark.parametrize(
    ("ipa", "word", "voice"),
    [
        ("iː", "", Voice("espeak", "xx-no-such-voice", "en-US")),  # unknown voice
        ("q", "", US),  # a phoneme eSpeak has no mnemonic for
        ("/qʷɛ/", "qwe", US),  # a word that cannot be converted
    ],
    ids=["unknown voice", "unconvertible phoneme", "unconvertible word"],
)
def test_what_the_engine_can_never_do_is_a_permanent_failure(ipa, word, voice):
    with pytest.raises(TTSError) as caught:
        say(ipa, voice, word=word)
    assert caught.value.retryable is False


def test_british_ipa_is_converted_with_its_stress_marks():
    assert word_input("/ˈtelɪvɪʒn/") == "[['tElIvIZn]]"
    assert word_input("/əˈbaʊt/") == "[[@'baUt]]"


def test_secondary_stress_and_syllable_dots_are_kept_or_dropped():
    assert word_input("/ˌʌndəˈstænd/") == "[[,Vnd@'stand]]"
    assert word_input("/ˈhæp.i/") == "[['hapi]]"


def test_a_one_syllable_word_gets_a_leading_stress_mark():
    assert word_input("/siː/") == "[['si:]]"


def test_minus_thirty_percent_is_122_words_per_minute():
    assert words_per_minute("-30%", is_phoneme=False) == 122


def test_the_rate_is_clamped_to_espeaks_range():
    assert words_per_minute("-90%", is_phoneme=False) == 80
    assert words_per_minute("+300%", is_phoneme=False) == 450


def test_phonemes_are_said_at_80_words_per_minute_whatever_the_rate():
    assert words_per_minute("+50%", is_phoneme=True) == 80


@pytest.mark.parametrize("rate", ["fast", "", "30 percent"])
def test_a_rate_that_is_not_a_percentage_is_a_permanent_failure(rate):
    with pytest.raises(TTSError) as caught:
        words_per_minute(rate, is_phoneme=False)
    assert caught.value.retryable is False


# The mission: /iː/ sounds like /iː/. Measured with Praat against published formants.


@VOICES
def test_monophthongs_are_heard_as_themselves(voice):
    verdicts = {s: verdict(s, say(s, voice).audio, accent=voice.language) for s in MONOPHTHONGS}
    failed = {s: v and v.nearest for s, v in verdicts.items() if not (v and v.passed)}
    assert len(MONOPHTHONGS) - len(failed) >= 11, failed


@VOICES
def test_ipa_glyphs_typed_as_text_are_not_heard_as_the_vowel(voice):
    engine = library()
    passed = 0
    for symbol in MONOPHTHONGS:
        pcm = engine.synthesize(symbol, voice=voice.name, wpm=80)
        mp3 = encode_mp3(normalize_loudness(pcm, engine.sample_rate), engine.sample_rate)
        result = verdict(symbol, mp3, accent=voice.language)
        passed += bool(result and result.passed)
    assert passed <= 3


@VOICES
@pytest.mark.parametrize("symbol", DIPHTHONGS)
def test_diphthongs_glide_the_right_way(voice, symbol):
    result = verdict(symbol, say(symbol, voice).audio, accent=voice.language)
    assert result is not None, "no voiced sound to measure"
    assert result.passed, result.rule
