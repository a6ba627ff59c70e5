from .audio import AcousticVerdict, AudioCache, AudioSource, SourceType
from .minimal_pair import MinimalPair
from .phoneme import Phoneme, PhonemeCategory
from .pronunciation import (
    PronunciationLesson,
    PronunciationLessonPair,
    PronunciationLessonPhoneme,
    UserPhonemeProgress,
    UserPronunciationLessonProgress,
)

__all__ = [
    "AcousticVerdict",
    "AudioCache",
    "AudioSource",
    "MinimalPair",
    "Phoneme",
    "PhonemeCategory",
    "PronunciationLesson",
    "PronunciationLessonPair",
    "PronunciationLessonPhoneme",
    "SourceType",
    "UserPhonemeProgress",
    "UserPronunciationLessonProgress",
]
