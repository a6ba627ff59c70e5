"""The verdict and the advice on a measured vowel (apps.practice.vowels, no Django needed)."""

import unittest

from apps.practice import vowels
from speech.acoustics import Measurement, bark


def at(f1: float, f2: float) -> Measurement:
    return Measurement(f1=f1, f2=f2, start=(f1, f2), end=(f1, f2))


def hz(bark_value: float) -> float:
    """The inverse of speech.acoustics.bark."""
    return 1960 * (bark_value + 0.53) / (26.28 - bark_value)


class VerdictTests(unittest.TestCase):
    def test_on_the_target_is_ok_without_advice(self):
        feedback = vowels.vowel_feedback("iː", at(280, 2249), accent="en-GB", voice="male")
        self.assertEqual((feedback.verdict, feedback.heard_as, feedback.advice_vi), ("ok", "", ()))
        self.assertEqual(feedback.distance_bark, 0.0)

    def test_second_nearest_within_a_bark_is_close(self):
        # Deterding's /ʊ/ (379, 1173) and /uː/ (316, 1191) lie 0.6 Bark apart: a point a little
        # past /ʊ/ from /uː/ is nearest /ʊ/ yet within 1 Bark of /uː/.
        feedback = vowels.vowel_feedback("uː", at(390, 1170), accent="en-GB", voice="male")
        self.assertEqual(feedback.nearest.symbol, "ʊ")
        self.assertEqual(feedback.verdict, "close")
        self.assertEqual(feedback.heard_as, "")
        self.assertTrue(feedback.advice_vi)

    def test_far_from_the_target_is_heard_as_the_nearest_vowel(self):
        feedback = vowels.vowel_feedback("iː", at(690, 1550), accent="en-GB", voice="male")
        self.assertEqual((feedback.verdict, feedback.heard_as), ("heard_as", "æ"))

    def test_american_symbols_are_shown_as_the_charts(self):
        feedback = vowels.vowel_feedback("iː", at(580, 1799), accent="en-US", voice="male")
        self.assertEqual(feedback.heard_as, "e")  # Hillenbrand's /ɛ/
        self.assertEqual(feedback.target.symbol, "iː")

    def test_american_lot_has_two_targets(self):
        targets = vowels.vowel_target("ɒ", accent="en-US", voice="male")
        self.assertEqual({t.symbol for t in targets}, {"ɑː", "ɔː"})
        self.assertEqual(
            vowels.vowel_feedback("ɒ", at(652, 997), accent="en-US", voice="male").verdict, "ok"
        )

    def test_women_are_compared_with_womens_formants(self):
        men = vowels.vowel_feedback("iː", at(437, 2761), accent="en-US", voice="male")
        women = vowels.vowel_feedback("iː", at(437, 2761), accent="en-US", voice="female")
        self.assertEqual(women.verdict, "ok")
        self.assertIn("women", women.reference)
        self.assertNotEqual(men.reference, women.reference)

    def test_diphthongs_and_consonants_are_not_on_the_chart(self):
        for symbol in ("aɪ", "p"):
            with self.assertRaises(vowels.NotAMonophthong):
                vowels.vowel_feedback(symbol, at(500, 1500), accent="en-US", voice="male")


class AdviceTests(unittest.TestCase):
    TARGET = vowels.ChartVowel("iː", 280, 2249)

    def advise(self, symbol: str, d1: float, d2: float, target=None) -> tuple[str, ...]:
        target = target or self.TARGET
        point = at(hz(bark(target.f1) + d1), hz(bark(target.f2) + d2))
        return vowels.vowel_advice(symbol, point, target)

    def test_f1_too_high_means_raise_the_tongue(self):
        self.assertEqual(self.advise("iː", 1.0, 0), (vowels.ADVICE_F1_HIGH,))

    def test_f1_too_low_means_open_the_mouth(self):
        self.assertEqual(self.advise("iː", -1.0, 0), (vowels.ADVICE_F1_LOW,))

    def test_f2_too_low_for_a_front_vowel_means_tongue_forward(self):
        self.assertEqual(self.advise("iː", 0, -1.0), (vowels.ADVICE_F2_LOW_FRONT,))

    def test_f2_too_high_for_a_back_vowel_means_round_the_lips(self):
        target = vowels.ChartVowel("uː", 316, 1191)
        self.assertEqual(self.advise("uː", 0, 1.0, target), (vowels.ADVICE_F2_HIGH_BACK,))

    def test_both_at_once(self):
        self.assertEqual(
            self.advise("iː", 1.0, -1.0), (vowels.ADVICE_F1_HIGH, vowels.ADVICE_F2_LOW_FRONT)
        )

    def test_a_small_miss_still_says_which_way(self):
        self.assertEqual(self.advise("iː", 0.3, -0.1), (vowels.ADVICE_F1_HIGH,))

    def test_the_advice_is_in_the_words_of_the_tips(self):
        self.assertIn("đưa lưỡi lên cao hơn", vowels.ADVICE_F1_HIGH.lower())
        self.assertIn("mở miệng rộng hơn", vowels.ADVICE_F1_LOW)
        self.assertIn("đưa lưỡi ra trước", vowels.ADVICE_F2_LOW_FRONT.lower())
        self.assertIn("tròn môi hơn, lưỡi lùi về sau", vowels.ADVICE_F2_HIGH_BACK.lower())
