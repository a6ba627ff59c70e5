from django.test import SimpleTestCase

from apps.curriculum.ipa import PHONEMES, IPAError, contains_phoneme, normalize_ipa, tokenize_ipa


class NormalizeTests(SimpleTestCase):
    def test_aliases(self):
        cases = {"i:": "iː", "/u:/": "uː", " [ɔ:] ": "ɔː", "g": "ɡ", "ʧ": "tʃ", "ʤ": "dʒ"}
        for typed, canonical in cases.items():
            with self.subTest(typed=typed):
                self.assertEqual(normalize_ipa(typed), canonical)

    def test_there_are_44_distinct_phonemes(self):
        self.assertEqual(len(set(PHONEMES)), 44)


class TokenizeTests(SimpleTestCase):
    def test_longest_symbol_first(self):
        self.assertEqual(tokenize_ipa("/ˈtʃeɪndʒ/"), ["tʃ", "eɪ", "n", "dʒ"])

    def test_stress_and_syllable_marks_are_dropped(self):
        self.assertEqual(tokenize_ipa("/ˈhæp.i/"), ["h", "æ", "p", "i"])

    def test_unknown_character_is_an_error(self):
        with self.assertRaisesMessage(IPAError, "unknown IPA character 'ɛ'"):
            tokenize_ipa("/bɛd/")

    def test_a_symbol_inside_a_diphthong_is_not_contained(self):
        self.assertFalse(contains_phoneme("/deɪ/", "e"))
        self.assertFalse(contains_phoneme("/ˈtʃɜːtʃ/", "t"))
        self.assertTrue(contains_phoneme("/bed/", "e"))
        self.assertTrue(contains_phoneme("/siː/", "i:"))
