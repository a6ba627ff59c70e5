"""Each accent in its own form: the US notation, the word the American voice is given, what
eSpeak is fed for it, and the symbols the API shows per accent."""

import re

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase, TestCase

from apps.curriculum.audio.synthesis import audio_generate
from apps.curriculum.audio.voices import voices_for
from apps.curriculum.models import MinimalPair, Phoneme
from apps.curriculum.models.phoneme import validate_example_words
from apps.curriculum.selectors import example_word_get
from speech.ipa import contains_phoneme, normalize_ipa, tokenize_ipa
from speech.tts.base import SynthesisRequest, Voice
from speech.tts.espeak import ESpeakEngine, word_input
from speech.tts.locmem import LocMemEngine
from tests.browser import BrowserTestCase
from tests.factories import TempMediaMixin, make_category, make_phoneme
from tests.hermetic import real_espeak
from tests.test_curriculum_content.seeding import seed

VIETNAMESE = re.compile(r"[ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ]")
CAR = {"word": "car", "ipa": "/kɑː/", "ipa_us": "/kɑːr/"}


class UsNotationTests(SimpleTestCase):
    def test_us_symbols_tokenize(self):
        self.assertEqual(tokenize_ipa("/ɡoʊ/"), ["ɡ", "oʊ"])
        self.assertEqual(tokenize_ipa("/ˈtiːtʃər/"), ["t", "iː", "tʃ", "ə", "r"])
        self.assertEqual(tokenize_ipa("/bɜːrd/"), ["b", "ɜː", "r", "d"])

    def test_british_forms_tokenize_as_before(self):
        self.assertEqual(tokenize_ipa("/ɡəʊ/"), ["ɡ", "əʊ"])
        self.assertEqual(tokenize_ipa("/ˈzɪərəʊ/"), ["z", "ɪə", "r", "əʊ"])
        self.assertTrue(contains_phoneme("/həʊm/", "əʊ"))

    def test_cambridge_us_notation_is_read_as_ours(self):
        self.assertEqual(normalize_ipa("/bɝːd/"), "bɜːrd")
        self.assertEqual(normalize_ipa("/ˈtiː.tʃɚ/"), "ˈtiː.tʃər")
        self.assertEqual(normalize_ipa("/ˈwɑː.t̬ɚ/"), "ˈwɑː.tər")  # the flap is not marked

    def test_example_words_stored_before_us_forms_stay_valid(self):
        validate_example_words([{"word": "see", "ipa": "/siː/"}, CAR])
        with self.assertRaises(ValidationError):
            validate_example_words([{**CAR, "ipa_us": 7}])
        with self.assertRaises(ValidationError):
            validate_example_words([{**CAR, "stress": 1}])


class ESpeakWordInputTests(SimpleTestCase):
    def test_r_coloured_vowels_are_espeaks_own_en_us_mnemonics(self):
        cases = {
            "/kɑːr/": "[['kA@]]",
            "/hɔːrs/": "[['hO@s]]",
            "/bɜːrd/": "[['b3:d]]",
            "/ˈtiːtʃər/": "[['ti:tS3]]",
            "/nɪr/": "[['ni@3]]",
            "/her/": "[['he@]]",
            "/tʊr/": "[['tU@]]",
            "/ɡoʊ/": "[['goU]]",
        }
        for ipa, text in cases.items():
            with self.subTest(ipa=ipa):
                self.assertEqual(word_input(ipa), text)

    def test_an_r_before_a_vowel_stays_an_r(self):
        self.assertEqual(word_input("/ˈveri/"), "[['vEri]]")
        self.assertEqual(word_input("/tə rɪˈkɔːrd/"), "[[t@rI'kO@d]]")

    def test_british_forms_are_fed_as_before(self):
        self.assertEqual(word_input("/kɑː/"), "[['kA:]]")
        self.assertEqual(word_input("/ɡəʊ/"), "[['goU]]")


@real_espeak
class ESpeakSaysUsFormsTests(SimpleTestCase):
    def test_the_american_voice_says_the_us_form_not_the_british_one(self):
        voice = Voice("espeak", "en-us", "en-US")
        engine = ESpeakEngine()
        us, british = (
            engine.synthesize(SynthesisRequest(voice=voice, ipa=ipa, word="car", rate="+0%"))
            for ipa in ("/kɑːr/", "/kɑː/")
        )
        self.assertEqual(us.settings["espeak_input"], "[['kA@]]")
        self.assertGreater(len(us.audio), 1000)
        self.assertNotEqual(us.audio, british.audio)


class AccentFormsTests(TempMediaMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.open_a = make_phoneme("ɑː", example_words=[CAR, {"word": "father", "ipa": "/ˈfɑːðə/"}])
        cls.short_a = make_phoneme("ʌ")
        MinimalPair.objects.create(
            phoneme_1=cls.short_a, word_1="cut", word_1_ipa="kʌt", word_1_ipa_us="kʌt",
            phoneme_2=cls.open_a, word_2="cart", word_2_ipa="kɑːt", word_2_ipa_us="kɑːrt",
        )  # fmt: skip

    def test_each_accent_gets_its_own_form_of_a_word(self):
        self.assertEqual(example_word_get(self.open_a, "car", accent="en-US"), ("car", "kɑːr"))
        self.assertEqual(example_word_get(self.open_a, "car", accent="en-GB"), ("car", "kɑː"))
        self.assertEqual(example_word_get(self.open_a, "CAR"), ("car", "kɑː"))
        self.assertEqual(example_word_get(self.open_a, "cart", accent="en-US"), ("cart", "kɑːrt"))

    def test_a_word_without_a_us_form_is_said_the_british_way(self):
        self.assertEqual(
            example_word_get(self.open_a, "father", accent="en-US"), ("father", "ˈfɑːðə")
        )

    def test_the_american_voice_is_given_the_us_form(self):
        [us] = voices_for("en-US")
        [british] = voices_for("en-GB")
        audio_generate(self.open_a, voice=us, word="car")
        audio_generate(self.open_a, voice=british, word="car")
        self.assertEqual(
            [(r.voice.language, r.word, r.ipa) for r in LocMemEngine.requests],
            [("en-US", "car", "kɑːr"), ("en-GB", "car", "kɑː")],
        )


class ApiShowsTheAccentsSymbolsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        vowels = make_category("diphthong")
        cls.goat = make_phoneme(
            "əʊ",
            category=vowels,
            us_ipa_symbol="oʊ",
            example_words=[{"word": "go", "ipa": "/ɡəʊ/", "ipa_us": "/ɡoʊ/"}],
        )
        cls.price = make_phoneme("aɪ", category=vowels)

    def phonemes(self, accent: str) -> dict[str, dict]:
        response = self.client.get("/api/phonemes/", {"accent": accent})
        self.assertEqual(response.status_code, 200)
        return {item["ipa_symbol"]: item for item in response.json()}

    def test_the_display_symbol_follows_the_accent(self):
        us, british = self.phonemes("en-US"), self.phonemes("en-GB")
        self.assertEqual(
            (us["əʊ"]["display_symbol"], british["əʊ"]["display_symbol"]), ("oʊ", "əʊ")
        )
        self.assertEqual(
            (us["aɪ"]["display_symbol"], british["aɪ"]["display_symbol"]), ("aɪ", "aɪ")
        )
        self.assertEqual(us["əʊ"]["us_ipa_symbol"], "oʊ")  # the fields it had stay

    def test_example_words_carry_both_forms(self):
        [go] = self.phonemes("en-GB")["əʊ"]["example_words"]
        self.assertEqual(go, {"word": "go", "ipa": "/ɡəʊ/", "ipa_us": "/ɡoʊ/"})


class RealCurriculumUsFormsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        seed()

    def test_every_word_has_a_us_form_with_the_phonemes_us_symbol(self):
        for phoneme in Phoneme.objects.all():
            us_symbol = tokenize_ipa(phoneme.us_ipa_symbol or phoneme.ipa_symbol)
            for example in phoneme.example_words:
                with self.subTest(phoneme=phoneme.ipa_symbol, word=example["word"]):
                    tokens = tokenize_ipa(example["ipa_us"])
                    self.assertTrue(
                        any(tokens[i : i + len(us_symbol)] == us_symbol for i in range(len(tokens)))
                    )
        self.assertFalse(
            MinimalPair.objects.filter(word_1_ipa_us="").exists()
            or MinimalPair.objects.filter(word_2_ipa_us="").exists()
        )

    def test_the_rhotic_r_lot_and_goat_are_explained_in_vietnamese(self):
        notes = dict(Phoneme.objects.values_list("ipa_symbol", "accent_notes"))
        for symbol, us_form in [
            ("r", "/kɑːr/"),
            ("ɑː", "/kɑːr/"),
            ("ɒ", "/hɑːt/"),
            ("əʊ", "/ɡoʊ/"),
        ]:
            with self.subTest(phoneme=symbol):
                self.assertIn("Giọng Mỹ", notes[symbol])
                self.assertIn(us_form, notes[symbol])
                self.assertRegex(notes[symbol].lower(), VIETNAMESE)

    def test_the_american_symbols_are_the_general_american_ones(self):
        us = dict(Phoneme.objects.values_list("ipa_symbol", "us_ipa_symbol"))
        self.assertEqual(
            {symbol: us[symbol] for symbol in ("əʊ", "ɒ", "ɜː", "ɪə", "eə", "ʊə")},
            {"əʊ": "oʊ", "ɒ": "ɑː", "ɜː": "ɜːr", "ɪə": "ɪr", "eə": "er", "ʊə": "ʊr"},
        )


class ChartShowsTheAccentsSymbolsTests(BrowserTestCase):
    def test_the_keys_and_the_panel_follow_the_accent(self):
        seed()
        self.open("/")
        goat = self.page.locator('.phoneme[data-ipa="əʊ"]')
        self.page.check('input[name="accent"][value="en-US"]')
        self.page.wait_for_function(
            "() => document.querySelector('.phoneme[data-ipa=\"əʊ\"] .ipa').textContent === 'oʊ'"
        )
        goat.click()
        self.assertEqual(self.page.locator("#detail-ipa").text_content(), "/oʊ/")
        self.assertIn("/ɡoʊ/", self.page.locator("#detail-words").text_content())
        self.page.wait_for_function("() => document.querySelector('#detail-pairs .pair')")
        self.assertIn("/noʊt/", self.page.locator("#detail-pairs").text_content())

        self.page.check('input[name="accent"][value="en-GB"]')
        self.page.wait_for_function(
            "() => document.getElementById('detail-ipa').textContent === '/əʊ/'"
        )
        self.assertEqual(goat.locator(".ipa").text_content(), "əʊ")
        self.assertIn("/ɡəʊ/", self.page.locator("#detail-words").text_content())
        self.assertIn("/nəʊt/", self.page.locator("#detail-pairs").text_content())
        self.assertEqual(self.errors, [])
