"""eSpeak NG, the offline engine, for real: every phoneme is said as that sound, not as the name
of its IPA glyph, and the vowels are proven right by measuring their formants."""

import tempfile

import numpy as np
from django.test import SimpleTestCase

from apps.curriculum import acoustics
from apps.curriculum.ipa import DIPHTHONGS, MONOPHTHONGS, PHONEMES
from apps.curriculum.tts import SynthesisRequest, TTSError, Voice
from apps.curriculum.tts.audio import encode_mp3, mp3_duration, normalize_loudness, tone
from apps.curriculum.tts.espeak import ESpeakEngine, library, word_input, words_per_minute

US = Voice("espeak", "en-us", "en-US")
RP = Voice("espeak", "en-gb-x-rp", "en-GB")
VOICES = (US, RP)
SAMPLE_RATE = 22050


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


def sounding_rms_dbfs(pcm: np.ndarray) -> float:
    """RMS in dBFS of the part between the first and the last non-silent sample."""
    samples = pcm.astype(np.float64) / 32768.0
    sounding = np.flatnonzero(np.abs(samples) > 1e-3)
    part = samples[sounding[0] : sounding[-1] + 1]
    return 20 * np.log10(np.sqrt((part**2).mean()))


class PhonemeSynthesisTests(SimpleTestCase):
    def test_every_phoneme_is_mp3_of_a_plausible_length_in_both_voices(self):
        for voice in VOICES:
            for symbol in PHONEMES:
                with self.subTest(voice=voice.name, phoneme=symbol):
                    result = say(symbol, voice)
                    self.assertEqual(result.format, "mp3")
                    self.assertGreaterEqual(mp3_duration(result.audio), 0.3)
                    self.assertLessEqual(mp3_duration(result.audio), 3.0)

    def test_every_phoneme_is_fed_as_ascii_phoneme_mnemonics_never_ipa_glyphs(self):
        for voice in VOICES:
            for symbol in PHONEMES:
                with self.subTest(voice=voice.name, phoneme=symbol):
                    text = say(symbol, voice).settings["espeak_input"]
                    self.assertTrue(text.startswith("[[") and text.endswith("]]"), text)
                    self.assertTrue(text[2:-2].isascii(), text)

    def test_plosives_and_affricates_get_a_short_neutral_vowel_after_them(self):
        for symbol, expected in {"p": "[['p@]]", "ɡ": "[['g@]]", "tʃ": "[['tS@]]"}.items():
            with self.subTest(phoneme=symbol):
                self.assertEqual(say(symbol).settings["espeak_input"], expected)

    def test_fricatives_are_held(self):
        for symbol, expected in {"θ": "[['TTT]]", "s": "[['sss]]", "ʒ": "[['ZZZ]]"}.items():
            with self.subTest(phoneme=symbol):
                self.assertEqual(say(symbol).settings["espeak_input"], expected)

    def test_nasals_and_approximants_are_said_in_a_syllable(self):
        expectations = {"m": "[['mA:]]", "l": "[['lA:]]", "j": "[['jA:]]", "ŋ": "[['VN]]"}
        for symbol, expected in expectations.items():
            with self.subTest(phoneme=symbol):
                self.assertEqual(say(symbol).settings["espeak_input"], expected)

    def test_vowels_stand_alone_with_a_leading_stress_mark(self):
        for symbol, expected in {"iː": "[['i:]]", "ə": "[['@]]", "aɪ": "[['aI]]"}.items():
            with self.subTest(phoneme=symbol):
                self.assertEqual(say(symbol, RP).settings["espeak_input"], expected)

    def test_isolated_phonemes_use_the_per_voice_overrides(self):
        us_ah = say("ɑː", US).settings
        self.assertEqual((us_ah["espeak_input"], us_ah["espeak_voice"]), ("[['A:]]", "en-us-nyc"))
        rp_er = say("ɜː", RP).settings
        self.assertEqual((rp_er["espeak_input"], rp_er["espeak_voice"]), ("[['3:]]", "en"))
        self.assertEqual(say("iː", RP).settings["espeak_voice"], "en-gb-x-rp")

    def test_words_are_said_in_the_requested_voice_without_phoneme_overrides(self):
        result = say("/ˈfɑːðə/", US, word="father")
        self.assertEqual(result.settings["espeak_voice"], "en-us")
        self.assertEqual(result.settings["espeak_input"], "[['fA:D@]]")

    def test_an_unknown_voice_is_a_permanent_failure(self):
        with self.assertRaises(TTSError) as caught:
            say("iː", Voice("espeak", "xx-no-such-voice", "en-US"))
        self.assertFalse(caught.exception.retryable)

    def test_an_unconvertible_phoneme_is_a_permanent_failure(self):
        with self.assertRaises(TTSError) as caught:
            say("q")
        self.assertFalse(caught.exception.retryable)

    def test_an_unconvertible_word_is_a_permanent_failure(self):
        with self.assertRaises(TTSError) as caught:
            say("/qʷɛ/", word="qwe")
        self.assertFalse(caught.exception.retryable)


class WordInputTests(SimpleTestCase):
    def test_british_ipa_is_converted_with_its_stress_marks(self):
        self.assertEqual(word_input("/ˈtelɪvɪʒn/"), "[['tElIvIZn]]")
        self.assertEqual(word_input("/əˈbaʊt/"), "[[@'baUt]]")

    def test_secondary_stress_and_syllable_dots_are_kept_or_dropped(self):
        self.assertEqual(word_input("/ˌʌndəˈstænd/"), "[[,Vnd@'stand]]")
        self.assertEqual(word_input("/ˈhæp.i/"), "[['hapi]]")

    def test_a_one_syllable_word_gets_a_leading_stress_mark(self):
        self.assertEqual(word_input("/siː/"), "[['si:]]")


class WordsPerMinuteTests(SimpleTestCase):
    def test_minus_thirty_percent_is_122_words_per_minute(self):
        self.assertEqual(words_per_minute("-30%", is_phoneme=False), 122)

    def test_the_rate_is_clamped_to_espeaks_range(self):
        self.assertEqual(words_per_minute("-90%", is_phoneme=False), 80)
        self.assertEqual(words_per_minute("+300%", is_phoneme=False), 450)

    def test_phonemes_are_said_at_80_words_per_minute_whatever_the_rate(self):
        self.assertEqual(words_per_minute("+50%", is_phoneme=True), 80)

    def test_a_rate_that_is_not_a_percentage_is_a_permanent_failure(self):
        for rate in ("fast", "", "30 percent"):
            with self.subTest(rate=rate), self.assertRaises(TTSError) as caught:
                words_per_minute(rate, is_phoneme=False)
            self.assertFalse(caught.exception.retryable)


class NormalizeLoudnessTests(SimpleTestCase):
    def test_quiet_and_loud_input_come_out_equally_loud(self):
        silence = np.zeros(SAMPLE_RATE // 5, np.int16)
        quiet = np.concatenate([silence, (tone(0.5) // 40).astype(np.int16), silence])
        loud = np.concatenate([silence, (tone(0.5) * 2.5).astype(np.int16), silence])
        quiet_db = sounding_rms_dbfs(normalize_loudness(quiet, SAMPLE_RATE))
        loud_db = sounding_rms_dbfs(normalize_loudness(loud, SAMPLE_RATE))
        self.assertLess(abs(quiet_db - loud_db), 1.0)

    def test_peaks_stay_under_minus_one_dbfs(self):
        spiky = np.zeros(SAMPLE_RATE // 2, np.int16)
        spiky[::500] = 30000  # a high crest factor: the RMS target alone would clip it
        for pcm in (spiky, (tone(0.5) * 2.7).astype(np.int16)):
            peak = np.abs(normalize_loudness(pcm, SAMPLE_RATE).astype(np.float64)).max()
            self.assertLessEqual(20 * np.log10(peak / 32768), -1.0)

    def test_silence_is_a_permanent_failure(self):
        for pcm in (np.zeros(SAMPLE_RATE, np.int16), np.zeros(0, np.int16)):
            with self.subTest(samples=pcm.size), self.assertRaises(TTSError) as caught:
                normalize_loudness(pcm, SAMPLE_RATE)
            self.assertFalse(caught.exception.retryable)


class AcousticProofTests(SimpleTestCase):
    """The mission: /iː/ sounds like /iː/. Measured with Praat against published formants."""

    def test_monophthongs_are_heard_as_themselves_in_both_accents(self):
        for voice in VOICES:
            with self.subTest(voice=voice.name):
                verdicts = {
                    s: verdict(s, say(s, voice).audio, accent=voice.language) for s in MONOPHTHONGS
                }
                failed = {s: v and v.nearest for s, v in verdicts.items() if not (v and v.passed)}
                self.assertGreaterEqual(len(MONOPHTHONGS) - len(failed), 11, failed)

    def test_ipa_glyphs_typed_as_text_are_not_heard_as_the_vowel(self):
        engine = library()
        for voice in VOICES:
            with self.subTest(voice=voice.name):
                passed = 0
                for symbol in MONOPHTHONGS:
                    pcm = engine.synthesize(symbol, voice=voice.name, wpm=80)
                    mp3 = encode_mp3(
                        normalize_loudness(pcm, engine.sample_rate), engine.sample_rate
                    )
                    result = verdict(symbol, mp3, accent=voice.language)
                    passed += bool(result and result.passed)
                self.assertLessEqual(passed, 3)

    def test_diphthongs_glide_the_right_way_in_both_accents(self):
        for voice in VOICES:
            for symbol in DIPHTHONGS:
                with self.subTest(voice=voice.name, phoneme=symbol):
                    result = verdict(symbol, say(symbol, voice).audio, accent=voice.language)
                    self.assertIsNotNone(result, "no voiced sound to measure")
                    self.assertTrue(result.passed, result.rule)
