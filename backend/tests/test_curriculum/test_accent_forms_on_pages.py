"""Learners and teachers read each transcription once, between one pair of slashes, in the
accent they chose: the lesson page, the studio and the drill feedback."""

import re

from django.test import TestCase

from apps.curriculum.models import PhonemeTip
from apps.curriculum.selectors import ipa_for_accent, phoneme_forms
from apps.practice.models import DrillAttempt, LearnerProfile
from apps.practice.selectors import drill_explanation_vi
from tests.factories import make_category, make_phoneme, make_user
from tests.test_practice.helpers import make_lesson, make_pair
from tests.test_studio.helpers import make_staff

DOUBLE_SLASH = re.compile(r"//[^/\s<]")  # "//siː//", not "http://"


class AccentFormsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        vowels = make_category("vowel")
        cls.goat = make_phoneme(
            "əʊ", category=vowels, us_ipa_symbol="oʊ",
            example_words=[{"word": "go", "ipa": "/ɡəʊ/", "ipa_us": "/ɡoʊ/"}],
        )  # fmt: skip
        cls.north = make_phoneme(
            "ɔː", category=vowels,
            example_words=[{"word": "saw", "ipa": "/sɔː/", "ipa_us": "/sɔː/"}],
        )  # fmt: skip
        cls.pair = make_pair(
            cls.goat, cls.north, word_1="tone", word_1_ipa="təʊn", word_1_ipa_us="toʊn",
            word_2="torn", word_2_ipa="tɔːn", word_2_ipa_us="tɔːrn",
        )  # fmt: skip
        cls.lesson = make_lesson([cls.goat, cls.north], [cls.pair])
        cls.learner = make_user()

    def lesson_page(self, query: str = "") -> str:
        self.client.force_login(self.learner)
        # follow: an unknown accent goes to the page without it (tests/test_core/test_pages.py)
        response = self.client.get(f"/hoc/bai-hoc/{self.lesson.pk}/{query}", follow=True)
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_a_transcription_is_bare_whatever_the_data_file_wrote(self):
        self.assertEqual(ipa_for_accent("/ɡəʊ/", "/ɡoʊ/", accent="en-US"), "ɡoʊ")
        self.assertEqual(ipa_for_accent("/ɡəʊ/", "", accent="en-US"), "ɡəʊ")
        forms = phoneme_forms(self.goat, accent="en-GB")
        self.assertEqual((forms.symbol, forms.examples), ("əʊ", [("go", "ɡəʊ")]))

    def test_the_lesson_prints_one_pair_of_slashes(self):
        for query in ("", "?accent=en-GB", "?accent=en-US"):
            with self.subTest(query=query):
                self.assertIsNone(DOUBLE_SLASH.search(self.lesson_page(query)))

    def test_the_lesson_shows_the_chosen_accents_forms(self):
        british = self.lesson_page("?accent=en-GB")
        self.assertIn(">/əʊ/</span>", british)
        self.assertIn(">/ɡəʊ/</span>", british)
        american = self.lesson_page("?accent=en-US")
        self.assertIn(">/oʊ/</span>", american)
        self.assertIn(">/ɡoʊ/</span>", american)
        self.assertNotIn(">/ɡəʊ/</span>", american)
        # Both forms ride along so the page follows the accent switch without reloading.
        self.assertIn('data-ipa-en-us="ɡoʊ"', british)
        self.assertIn('data-ipa-en-gb="ɡəʊ"', american)
        with self.settings(PHATAM_DEFAULT_ACCENT="en-GB"):  # an unknown accent: the default
            self.assertIn(">/ɡəʊ/</span>", self.lesson_page("?accent=fr-FR"))

    def test_the_lesson_says_what_it_trains(self):
        self.lesson.trains_vi = "Nghe nguyên âm đôi: người Việt hay đọc thành nguyên âm đơn."
        self.lesson.save()
        self.assertIn("Bài nghe luyện:", self.lesson_page())
        self.assertIn("người Việt hay đọc thành nguyên âm đơn", self.lesson_page())

    def test_the_lesson_shows_the_learners_dialect_tips_first(self):
        PhonemeTip.objects.create(phoneme=self.goat, text_vi="Mẹo chung.", position=1)
        PhonemeTip.objects.create(
            phoneme=self.goat, dialect="nam", text_vi="Mẹo giọng Nam.", position=2
        )
        page = self.lesson_page()
        if not hasattr(LearnerProfile, "dialect"):  # the practice side stores the dialect
            self.assertLess(page.index("Mẹo chung."), page.index("Mẹo giọng Nam."))
            return
        LearnerProfile.objects.update_or_create(user=self.learner, defaults={"dialect": "nam"})
        page = self.lesson_page()
        self.assertLess(page.index("Mẹo giọng Nam."), page.index("Mẹo chung."))

    def test_the_studio_prints_one_pair_of_slashes(self):
        self.client.force_login(make_staff())
        for accent in ("en-GB", "en-US"):
            with self.subTest(accent=accent):
                page = self.client.get(f"/studio/?accent={accent}").content.decode()
                self.assertIsNone(DOUBLE_SLASH.search(page))
                self.assertIn("/ɡoʊ/" if accent == "en-US" else "/ɡəʊ/", page)

    def test_american_feedback_names_american_sounds(self):
        attempt = DrillAttempt.objects.create(
            user=self.learner, pair=self.pair, answer_word=1, word_1_key="a", accent="en-US"
        )
        text = drill_explanation_vi(attempt, correct=True)
        self.assertIn("“tone” /toʊn/ có âm /oʊ/", text)
        self.assertNotIn("əʊ", text)
        attempt.accent = "en-GB"
        self.assertIn("“tone” /təʊn/ có âm /əʊ/", drill_explanation_vi(attempt, correct=True))

    def test_stress_feedback_names_the_stressed_syllable_with_the_labels(self):
        schwa = make_phoneme("ə", category=make_category("vowel"))
        face = make_phoneme("eɪ", category=make_category("diphthong"))
        pair = make_pair(
            schwa, face, kind="stress", word_1="human", word_1_ipa="ˈhjuːmən",
            word_2="humane", word_2_ipa="hjuːˈmeɪn",
            word_1_label="HUman (con người)", word_2_label="huMANE (nhân đạo)",
        )  # fmt: skip
        attempt = DrillAttempt.objects.create(
            user=self.learner, pair=pair, answer_word=2, word_1_key="b", accent="en-GB"
        )
        text = drill_explanation_vi(attempt, correct=False)
        self.assertIn("“huMANE (nhân đạo)” /hjuːˈmeɪn/ nhấn âm tiết thứ hai", text)
        self.assertIn("“HUman (con người)” /ˈhjuːmən/ nhấn âm tiết thứ nhất", text)
        self.assertNotIn("có âm", text)
