"""Feedback on a learner's vowel: the rules live in :mod:`speech.vowelfeedback` (pure Python,
no Django); this module keeps the names the practice app imports."""

from speech.vowelfeedback import (  # noqa: F401
    CALIBRATION_VOWELS,
    CLOSE,
    HEARD_AS,
    OK,
    Calibration,
    ChartVowel,
    NotAMonophthong,
    Refused,
    VowelFeedback,
    chart_symbol,
    reference_for,
    reference_vowels,
    vowel_advice,
    vowel_feedback,
    vowel_measure,
    vowel_target,
)
