"""The verdict and the advice on a learner's vowel (speech.vowelfeedback, no Django)."""

import math
import unittest

import numpy as np

from speech import vowelfeedback as vowels
from speech.acoustics import Measurement, bark
from tests.speech_fixtures import RATE, junk_tokens, klatt_vowel


def at(f1: float, f2: float, *, ms: float = math.nan, f3: float = math.nan) -> Measurement:
    return Measurement(f1=f1, f2=f2, start=(f1, f2), end=(f1, f2), f3=f3, duration=ms / 1000)


def hz(bark_value: float) -> float:
    """The inverse of speech.acoustics.bark."""
    return 1960 * (bark_value + 0.53) / (26.28 - bark_value)


class VerdictTests(unittest.TestCase):
    def test_on_the_target_is_ok_without_advice(self):
        feedback = vowels.vowel_feedback("iː", at(280, 2249), accent="en-GB", voice="male")
        self.assertEqual((feedback.verdict, feedback.heard_as, feedback.advice_vi), ("ok", "", ()))
        self.assertEqual(feedback.distance_bark, 0.0)

    def test_near_a_wrong_vowel_and_within_a_bark_of_the_target_is_close(self):
        feedback = vowels.vowel_feedback("e", at(620, 1700), accent="en-GB", voice="male")
        self.assertEqual(feedback.nearest.symbol, "æ")
        self.assertEqual(feedback.verdict, "close", feedback)
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

    def test_without_a_profile_setting_a_high_voice_is_compared_with_women(self):
        point = Measurement(437, 2761, (437, 2761), (437, 2761), f0=215.0)
        feedback = vowels.vowel_feedback("iː", point, accent="en-US")
        self.assertEqual((feedback.voice, feedback.verdict), ("female", "ok"))

    def test_either_study_of_the_accent_counts(self):
        # Peterson & Barney's /æ/ (660, 1720) lies in Hillenbrand's /ɛ/ region.
        feedback = vowels.vowel_feedback("æ", at(660, 1720), accent="en-US", voice="male")
        self.assertEqual(feedback.verdict, "ok")

    def test_diphthongs_and_consonants_are_not_on_the_chart(self):
        for symbol in ("aɪ", "p"):
            with self.assertRaises(vowels.NotAMonophthong):
                vowels.vowel_feedback(symbol, at(500, 1500), accent="en-US", voice="male")


class LengthAndColourTests(unittest.TestCase):
    def test_a_long_vowel_said_short_is_heard_as_its_short_partner(self):
        feedback = vowels.vowel_feedback("iː", at(280, 2249, ms=140), accent="en-GB", voice="male")
        self.assertEqual((feedback.verdict, feedback.heard_as), ("heard_as", "ɪ"))
        self.assertIn(vowels.ADVICE_LONGER, feedback.advice_vi)

    def test_a_short_vowel_held_long_is_heard_as_its_long_partner(self):
        # British /ʊ/ said as [uː]: formants near both, held like a long vowel.
        feedback = vowels.vowel_feedback("ʊ", at(379, 1173, ms=340), accent="en-GB", voice="male")
        self.assertEqual((feedback.verdict, feedback.heard_as), ("heard_as", "uː"))
        self.assertIn(vowels.ADVICE_SHORTER, feedback.advice_vi)

    def test_the_right_length_settles_a_vowel_between_the_pair(self):
        short = vowels.vowel_feedback("ʊ", at(350, 1180, ms=160), accent="en-GB", voice="male")
        self.assertEqual(short.verdict, "ok")

    def test_vowels_outside_the_pairs_have_no_length_rule(self):
        feedback = vowels.vowel_feedback("e", at(494, 1650, ms=400), accent="en-GB", voice="male")
        self.assertEqual(feedback.verdict, "ok")

    def test_american_nurse_needs_r_colouring(self):
        coloured = at(474, 1379, ms=320, f3=1700)
        plain = at(474, 1379, ms=320, f3=2500)
        self.assertEqual(
            vowels.vowel_feedback("ɜː", coloured, accent="en-US", voice="male").verdict, "ok"
        )
        feedback = vowels.vowel_feedback("ɜː", plain, accent="en-US", voice="male")
        self.assertEqual((feedback.verdict, feedback.heard_as), ("heard_as", "ə"))
        self.assertIn(vowels.ADVICE_R_COLOUR, feedback.advice_vi)
        self.assertFalse(feedback.r_coloured)

    def test_british_nurse_is_not_r_coloured(self):
        plain = at(478, 1436, ms=320, f3=2500)
        self.assertEqual(
            vowels.vowel_feedback("ɜː", plain, accent="en-GB", voice="male").verdict, "ok"
        )


class CalibrationTests(unittest.TestCase):
    # A speaker whose every formant is 25 % above the women's references (a child's voice).
    SCALE = 1.25

    def calibration(self) -> vowels.Calibration:
        table = {"iː": (437, 2761), "ɑː": (936, 1551), "uː": (459, 1105)}  # Hillenbrand women
        return vowels.Calibration(
            {v: (f1 * self.SCALE, f2 * self.SCALE) for v, (f1, f2) in table.items()}
        )

    def test_a_calibrated_voice_is_judged_in_its_own_vowel_space(self):
        point = at(731 * self.SCALE, 2058 * self.SCALE)  # Hillenbrand women's /ɛ/, scaled
        plain = vowels.vowel_feedback("e", point, accent="en-US", voice="female")
        calibrated = vowels.vowel_feedback(
            "e", point, accent="en-US", voice="female", calibration=self.calibration()
        )
        self.assertNotEqual(plain.verdict, "ok")
        self.assertEqual(calibrated.verdict, "ok")
        self.assertTrue(calibrated.normalised)


class AdviceTests(unittest.TestCase):
    TARGET = (280, 2249)

    def advise(self, symbol: str, d1: float, d2: float, target=None) -> tuple[str, ...]:
        target = target or self.TARGET
        point = (hz(bark(target[0]) + d1), hz(bark(target[1]) + d2))
        return vowels.vowel_advice(symbol, point, target)

    def test_f1_too_high_means_raise_the_tongue(self):
        self.assertEqual(self.advise("iː", 1.0, 0), (vowels.ADVICE_F1_HIGH,))

    def test_f1_too_low_means_open_the_mouth(self):
        self.assertEqual(self.advise("iː", -1.0, 0), (vowels.ADVICE_F1_LOW,))

    def test_f2_too_low_for_a_front_vowel_means_tongue_forward(self):
        self.assertEqual(self.advise("iː", 0, -1.0), (vowels.ADVICE_F2_LOW_FRONT,))

    def test_f2_too_high_for_a_rounded_back_vowel_means_round_the_lips(self):
        advice = self.advise("uː", 0, 1.0, (316, 1191))
        self.assertEqual(advice, (vowels.ADVICE_F2_HIGH_BACK_ROUNDED,))

    def test_f2_too_high_for_an_unrounded_vowel_never_says_round(self):
        # Rounding lowers F2 but turns /ɑː/ into /ɒ ɔː/: pull the tongue back instead.
        for symbol, target in (("ɑː", (646, 1155)), ("ʌ", (644, 1259)), ("ɜː", (478, 1436))):
            with self.subTest(symbol):
                (advice,) = self.advise(symbol, 0, 1.0, target)
                self.assertEqual(advice, vowels.ADVICE_F2_HIGH)
                self.assertIn("không tròn môi", advice)

    def test_f2_too_low_for_an_unrounded_back_vowel_says_unround(self):
        (advice,) = self.advise("ʌ", 0, -1.0, (644, 1259))
        self.assertIn("đừng tròn môi", advice)

    def test_both_at_once(self):
        self.assertEqual(
            self.advise("iː", 1.0, -1.0), (vowels.ADVICE_F1_HIGH, vowels.ADVICE_F2_LOW_FRONT)
        )

    def test_a_small_miss_still_says_which_way(self):
        self.assertEqual(self.advise("iː", 0.3, -0.1), (vowels.ADVICE_F1_HIGH,))


class ScreeningTests(unittest.TestCase):
    def test_a_clean_vowel_is_measured_with_its_length_and_pitch(self):
        measurement = vowels.vowel_measure(klatt_vowel(220, (437, 2761, 3372), 0.3), RATE)
        self.assertAlmostEqual(measurement.duration, 0.3, delta=0.05)
        self.assertGreater(measurement.f0, 190)
        self.assertEqual(measurement.ceiling, 5500)
        self.assertAlmostEqual(measurement.f2, 2761, delta=200)  # not lost at a 5 kHz ceiling

    def test_junk_is_refused_with_a_reason(self):
        reasons = {
            "silence": "too_quiet",
            "hiss": "not_a_voice",
            "square wave": "not_a_voice",
            "square wave 120 Hz": "not_a_voice",
            "clipped": "clipped",
            "too quiet": "too_quiet",
            "too short": "too_short",
            "noisy": "not_a_voice",
        }
        for kind, samples in junk_tokens():
            with self.subTest(kind):
                with self.assertRaises(vowels.Refused) as caught:
                    vowels.vowel_measure(samples, RATE)
                self.assertEqual(caught.exception.reason, reasons[kind])
                self.assertTrue(str(caught.exception))  # a Vietnamese message

    def test_every_refusal_has_a_vietnamese_message(self):
        for reason, message in vowels.REFUSALS.items():
            with self.subTest(reason):
                self.assertRegex(message, "[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]")

    def test_a_quiet_but_clean_vowel_is_not_refused(self):
        vowel = klatt_vowel(120, (730, 1090, 2440), 0.3) * 0.1
        self.assertGreater(vowels.vowel_measure(np.asarray(vowel), RATE).f1, 0)
