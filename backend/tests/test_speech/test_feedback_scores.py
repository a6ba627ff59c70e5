"""The speaking feedback's accuracy on the generated fixtures, held a little under the figures
``bench/feedback_bench.py`` prints (README, "Speaking feedback"): a change that makes the
feedback wrong more often fails here."""

import unittest

from speech import vowelfeedback
from speech.acoustics import MeasurementError
from tests import speech_fixtures as fixtures

# Measured (bench/feedback_bench.py), all groups together, and the floors held here.
VOWEL_FLOORS = {"correct vowel ok": 0.93, "substitution rejected": 0.95, "substitution named": 0.85}
GROUP_FLOORS = {"correct vowel ok": 0.9, "substitution rejected": 0.9}
WORD_FLOORS = {
    "final_consonant": 0.93,
    "final_s": 0.95,
    "ed": 0.95,
    "th": 0.95,
    "sh_s": 0.95,
    "length": 0.85,  # eSpeak NG varies between runs: 0.875-0.96 measured (49-54 of 56)
    "stress": 0.93,
}


def _feedback(clip, measurement):
    return vowelfeedback.vowel_feedback(
        clip.target, measurement, accent=clip.accent, voice=clip.voice
    )


def _measure(clip):
    return vowelfeedback.vowel_measure(clip.samples, clip.rate)


def _refuses(samples) -> bool:
    try:
        vowelfeedback.vowel_measure(samples, fixtures.RATE)
    except MeasurementError:
        return True
    return False


class VowelScoreTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tallies = fixtures.score_vowels(_feedback, _measure)

    def test_vowels_are_judged_right_overall(self):
        for row, tally in fixtures.by_row(self.tallies).items():
            with self.subTest(row):
                self.assertGreaterEqual(tally.share, VOWEL_FLOORS[row])

    def test_womens_and_mens_voices_are_each_judged_right(self):
        for (row, group), tally in self.tallies.items():
            if row in GROUP_FLOORS:
                with self.subTest(row=row, group=group):
                    self.assertGreaterEqual(tally.share, GROUP_FLOORS[row])


class WordScoreTests(unittest.TestCase):
    def test_each_word_check_is_right_on_its_fixtures(self):
        rows = fixtures.by_row(fixtures.score_words())
        self.assertEqual(set(rows), set(WORD_FLOORS))
        for row, tally in rows.items():
            with self.subTest(row):
                self.assertGreaterEqual(tally.share, WORD_FLOORS[row])

    def test_junk_is_never_judged(self):
        for row, tally in fixtures.by_row(fixtures.score_junk(_refuses)).items():
            with self.subTest(row):
                self.assertEqual(tally.share, 1.0)
