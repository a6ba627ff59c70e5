from .audio import AcousticVerdict, AudioCache, AudioSource, SourceType
from .minimal_pair import Accents, MinimalPair
from .phoneme import Phoneme, PhonemeCategory
from .pronunciation import (
    PronunciationLesson,
    PronunciationLessonPair,
    PronunciationLessonPhoneme,
    UserPhonemeProgress,
    UserPronunciationLessonProgress,
)
from .tip import Dialect, PhonemeTip

__all__ = [
    "Accents",
    "Dialect",
    "PhonemeTip",
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
