import copy
import re
import tempfile
from pathlib import Path
from unittest import mock

from django.core.management import CommandError
from django.db import connection
from django.test import TestCase

from apps.curriculum.content import DEFAULT_CURRICULUM_FILE, curriculum_read
from apps.curriculum.models import (
    MinimalPair,
    Phoneme,
    PhonemeCategory,
    PronunciationLesson,
    PronunciationLessonPair,
    PronunciationLessonPhoneme,
)
from speech.ipa import contains_phoneme, normalize_ipa
from tests.test_curriculum_content.seeding import seed, write_yaml

VIETNAMESE_DIACRITICS = re.compile(
    r"[ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ]"
)


class SeedRealCurriculumTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.first_output = seed()

    def test_loads_the_44_phonemes_by_category(self):
        counts = {
            category.category_type: category.phonemes.count()
            for category in PhonemeCategory.objects.all()
        }
        self.assertEqual(counts, {"vowel": 12, "diphthong": 8, "consonant": 24})
        self.assertIn("Phonemes:       44 created, 0 updated, 0 unchanged", self.first_output)

    def test_british_dictionary_notation(self):
        symbols = set(Phoneme.objects.values_list("ipa_symbol", flat=True))
        self.assertLessEqual({"əʊ", "ɒ", "eə", "ɪə", "ʊə", "ɜː", "r", "ɡ", "tʃ", "dʒ"}, symbols)
        self.assertEqual(Phoneme.objects.get(ipa_symbol="əʊ").us_ipa_symbol, "oʊ")

    def test_chart_order_is_unique_and_starts_with_long_i(self):
        orders = list(Phoneme.objects.values_list("order", flat=True))
        self.assertEqual(len(set(orders)), 44)
        self.assertEqual(Phoneme.objects.chart_order().first().ipa_symbol, "iː")

    def test_every_phoneme_has_vietnamese_help_and_real_examples(self):
        for phoneme in Phoneme.objects.all():
            with self.subTest(phoneme=phoneme.ipa_symbol):
                self.assertTrue(phoneme.vietnamese_approx.strip())
                self.assertRegex(phoneme.tip_vi.lower(), VIETNAMESE_DIACRITICS)
                self.assertRegex(phoneme.description_vi.lower(), VIETNAMESE_DIACRITICS)
                self.assertGreaterEqual(len(phoneme.example_words), 3)
                for example in phoneme.example_words:
                    self.assertTrue(contains_phoneme(example["ipa"], phoneme.ipa_symbol), example)
                phoneme.full_clean()

    def test_hard_contrasts_for_vietnamese_learners_have_minimal_pairs(self):
        contrasts = {
            frozenset(pair)
            for pair in MinimalPair.objects.values_list(
                "phoneme_1__ipa_symbol", "phoneme_2__ipa_symbol"
            )
        }
        for a, b in [
            ("iː", "ɪ"), ("æ", "e"), ("ʌ", "ɑː"), ("θ", "t"), ("ð", "d"),
            ("ʃ", "s"), ("s", "z"), ("l", "n"), ("tʃ", "ʃ"), ("p", "b"), ("t", "d"), ("k", "ɡ"),
        ]:  # fmt: skip
            with self.subTest(contrast=f"{a}/{b}"):
                self.assertIn(frozenset({a, b}), contrasts)

    def test_final_stop_contrasts_are_taught(self):
        final_stops = {"p", "b", "t", "d", "k", "ɡ"}
        finals = [
            pair
            for pair in MinimalPair.objects.select_related("phoneme_1", "phoneme_2")
            if pair.phoneme_1.ipa_symbol in final_stops
            and pair.word_1_ipa.endswith(pair.phoneme_1.ipa_symbol)
        ]
        self.assertGreaterEqual(len(finals), 3)

    def test_every_minimal_pair_is_valid(self):
        for pair in MinimalPair.objects.all():
            with self.subTest(pair=str(pair)):
                pair.full_clean()

    def test_lessons_reference_phonemes_in_order(self):
        self.assertGreaterEqual(PronunciationLesson.objects.count(), 6)
        lesson = PronunciationLesson.objects.order_by("order").first()
        self.assertTrue(lesson.ordered_phonemes().exists())

    def test_second_run_changes_nothing(self):
        stamps = dict(Phoneme.objects.values_list("pk", "updated_at"))
        output = seed()
        self.assertIn("Phonemes:       0 created, 0 updated, 44 unchanged", output)
        self.assertIn("nothing changed", output)
        self.assertEqual(dict(Phoneme.objects.values_list("pk", "updated_at")), stamps)
        self.assertEqual(Phoneme.objects.count(), 44)

    def test_an_edit_in_the_file_updates_only_that_phoneme(self):
        data = curriculum_read(DEFAULT_CURRICULUM_FILE)
        data["phonemes"][0]["tip_vi"] = "Kéo dài âm i, miệng cười nhẹ."
        output = seed(write_yaml(self, data))
        self.assertIn("Phonemes:       0 created, 1 updated, 43 unchanged", output)
        self.assertEqual(
            Phoneme.objects.get(ipa_symbol="iː").tip_vi, "Kéo dài âm i, miệng cười nhẹ."
        )

    def test_lesson_membership_follows_the_file(self):
        data = curriculum_read(DEFAULT_CURRICULUM_FILE)
        lesson = data["lessons"][0]
        lesson["phonemes"] = list(reversed(lesson["phonemes"]))[:1]
        output = seed(write_yaml(self, data))
        self.assertRegex(output, r"Lessons:\s+0 created, 1 updated")
        links = PronunciationLessonPhoneme.objects.filter(lesson__slug=lesson["slug"])
        self.assertEqual(
            [link.phoneme.ipa_symbol for link in links], [normalize_ipa(lesson["phonemes"][0])]
        )


class SeedWithoutIdsFromBulkInsertsTests(TestCase):
    def test_a_database_that_returns_no_ids_from_a_bulk_insert_is_seeded_row_by_row(self):
        # MySQL and SQLite before 3.35 do not return the ids of rows inserted together.
        features = type(connection.features)
        with mock.patch.object(features, "can_return_rows_from_bulk_insert", False):
            output = seed()
        self.assertIn("Phonemes:       44 created", output)
        self.assertEqual(PronunciationLessonPair.objects.count(), self.real_links())
        self.assertIn("44 unchanged", seed())

    def real_links(self) -> int:
        lessons = curriculum_read(DEFAULT_CURRICULUM_FILE).get("lessons") or []
        return sum(len(lesson.get("minimal_pairs") or []) for lesson in lessons)


class SeedRejectsBadFilesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.data = curriculum_read(DEFAULT_CURRICULUM_FILE)

    def broken(self) -> dict:
        return copy.deepcopy(self.data)

    def assert_refused(self, path: Path, *messages: str) -> None:
        with self.assertRaises(CommandError) as caught:
            seed(path)
        for message in messages:
            self.assertIn(message, str(caught.exception))
        self.assertIn("nothing was changed", str(caught.exception))
        self.assertEqual(Phoneme.objects.count(), 0)
        self.assertEqual(PhonemeCategory.objects.count(), 0)

    def test_every_problem_is_reported_and_nothing_is_written(self):
        data = self.broken()
        data["phonemes"][0]["example_words"][0] = {"word": "day", "ipa": "/deɪ/", "ipa_us": "/deɪ/"}
        removed = data["phonemes"].pop()
        data["minimal_pairs"][0]["word_2"]["ipa"] = "/zzz/"
        self.assert_refused(
            write_yaml(self, data),
            "example 'day' /deɪ/ lacks /iː/",
            f"missing phonemes: /{normalize_ipa(removed['ipa'])}/",
            "minimal_pairs[1]",
        )

    def test_a_symbol_that_is_not_an_english_phoneme_is_refused(self):
        data = self.broken()
        data["phonemes"][0]["ipa"] = "y"
        self.assert_refused(write_yaml(self, data), "/y/: not one of the 44 phonemes")

    def test_too_few_examples_are_refused(self):
        data = self.broken()
        data["phonemes"][3]["example_words"] = data["phonemes"][3]["example_words"][:2]
        self.assert_refused(write_yaml(self, data), "needs at least 3 example words")

    def test_a_pair_that_is_not_minimal_is_refused(self):
        data = self.broken()
        pair = data["minimal_pairs"][0]
        pair["word_2"] = {"word": "shirt", "ipa": "/ʃɜːt/", "ipa_us": "/ʃɜːrt/"}
        self.assert_refused(write_yaml(self, data), "must differ only in")

    def test_a_pair_of_two_words_said_alike_is_refused(self):
        data = self.broken()
        pair = data["minimal_pairs"][0]
        pair["word_2"] = {**pair["word_1"], "word": pair["word_2"]["word"]}
        self.assert_refused(write_yaml(self, data), "sound the same in the accent(s) it claims")

    def test_invalid_yaml_is_refused(self):
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        path = Path(directory.name) / "broken.yaml"
        path.write_text("phonemes: [unclosed\n", encoding="utf-8")
        self.assert_refused(path, "not valid YAML")

    def test_missing_file_is_refused(self):
        self.assert_refused(Path("/nonexistent/curriculum.yaml"), "no such file")


class CurriculumReadTests(TestCase):
    def test_each_read_is_a_copy_of_its_own_and_an_edit_is_read_again(self):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "curriculum.yaml"
            path.write_text("categories: []\nphonemes: [{ipa: a}]\n", encoding="utf-8")
            first = curriculum_read(path)
            first["phonemes"][0]["ipa"] = "changed by a caller"
            self.assertEqual(curriculum_read(path)["phonemes"], [{"ipa": "a"}])

            path.write_text("categories: []\nphonemes: [{ipa: b}, {ipa: c}]\n", encoding="utf-8")
            self.assertEqual(curriculum_read(path)["phonemes"], [{"ipa": "b"}, {"ipa": "c"}])
