"""Acoustic verification: does a vowel recording sound like the vowel it claims to be?

F1/F2 are measured with Praat (praat-parselmouth: Burg formants, 5 formants up to 5000 Hz,
25 ms window) as the median over the middle half of the voiced span, then classified as the
nearest published reference vowel in Bark space (Traunmüller 1990), with no normalisation and
the same classifier for every voice and phoneme:

- US English: Hillenbrand, Getty, Clark & Wheeler (1995), JASA 97:3099, adult men (Table V);
  General American has no /ɒ/, so /ɒ/ passes as /ɑ/ or /ɔ/.
- British English: Deterding (1997), JIPA 27:47, male speakers of Southern British English.
- Schwa is in neither study: the neutral vowel of a uniform 17.5 cm tube, 500/1500 Hz
  (Fant 1960; Stevens 1998), stands in for it (585/1755 Hz, a 15 cm tube, for women).
- Recordings by women (``speaker_gender`` "female" in an upload's metadata) are judged
  against Hillenbrand et al.'s adult women, for both accents: Deterding has no women's
  table that we could verify.

Diphthongs are checked by the direction of their glide between 20 % and 80 % of the voiced span.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import parselmouth

from apps.curriculum.ipa import DIPHTHONGS, MONOPHTHONGS

SCHWA = (500, 1500)
HILLENBRAND_1995_MEN = {
    "i": (342, 2322), "ɪ": (427, 2034), "ɛ": (580, 1799), "æ": (588, 1952), "ʌ": (623, 1200),
    "ɑ": (768, 1333), "ɔ": (652, 997), "ʊ": (469, 1122), "u": (378, 997), "ɝ": (474, 1379),
    "ə": SCHWA,
}  # fmt: skip
HILLENBRAND_1995_WOMEN = {
    "i": (437, 2761), "ɪ": (483, 2365), "ɛ": (731, 2058), "æ": (669, 2349), "ʌ": (753, 1426),
    "ɑ": (936, 1551), "ɔ": (781, 1136), "ʊ": (519, 1225), "u": (459, 1105), "ɝ": (523, 1588),
    "ə": (585, 1755),
}  # fmt: skip
DETERDING_1997_MEN = {
    "iː": (280, 2249), "ɪ": (367, 1757), "e": (494, 1650), "æ": (690, 1550), "ʌ": (644, 1259),
    "ɑː": (646, 1155), "ɒ": (558, 1047), "ɔː": (415, 828), "ʊ": (379, 1173), "uː": (316, 1191),
    "ɜː": (478, 1436), "ə": SCHWA,
}  # fmt: skip

# Which reference vowels count as right for each British phoneme, per accent.
US_EXPECTED = {
    "iː": {"i"}, "ɪ": {"ɪ"}, "ʊ": {"ʊ"}, "uː": {"u"}, "e": {"ɛ"}, "ə": {"ə"}, "ɜː": {"ɝ"},
    "ɔː": {"ɔ"}, "æ": {"æ"}, "ʌ": {"ʌ"}, "ɑː": {"ɑ"}, "ɒ": {"ɑ", "ɔ"},
}  # fmt: skip
GB_EXPECTED = {symbol: {symbol} for symbol in MONOPHTHONGS}
# Hillenbrand's vowels written as the chart's (British) symbols, to tell staff what was heard.
US_TO_CHART = {
    "i": "iː", "ɪ": "ɪ", "ɛ": "e", "æ": "æ", "ʌ": "ʌ", "ɑ": "ɑː", "ɔ": "ɔː", "ʊ": "ʊ",
    "u": "uː", "ɝ": "ɜː", "ə": "ə",
}  # fmt: skip


@dataclass(frozen=True)
class Reference:
    name: str
    formants: dict[str, tuple[int, int]]
    expected: dict[str, set[str]]


REFERENCES = {
    "en-US": Reference("Hillenbrand et al. 1995, men", HILLENBRAND_1995_MEN, US_EXPECTED),
    "en-GB": Reference("Deterding 1997, men", DETERDING_1997_MEN, GB_EXPECTED),
}
WOMEN = Reference("Hillenbrand et al. 1995, women", HILLENBRAND_1995_WOMEN, US_EXPECTED)


def reference_for(accent: str, gender: str = "") -> Reference:
    if gender == "female":
        return WOMEN
    return REFERENCES.get(accent, REFERENCES["en-US"])


GlideRule = Callable[[float, float], bool]
# (rule in words, test on the F1 and F2 change in Bark from 20 % to 80 % of the voiced span)
GLIDES: dict[str, tuple[str, GlideRule]] = {
    "ɪə": ("F2 falls toward the centre", lambda d1, d2: d2 < -0.3),
    "eɪ": ("F2 rises and F1 falls", lambda d1, d2: d2 > 0.3 and d1 < -0.3),
    "ʊə": ("F2 rises toward the centre", lambda d1, d2: d2 > 0.3),
    "ɔɪ": ("F2 rises a lot", lambda d1, d2: d2 > 2.0),
    "əʊ": ("F2 falls", lambda d1, d2: d2 < -0.3),
    "eə": ("F2 falls or F1 rises", lambda d1, d2: d2 < -0.3 or d1 > 0.3),
    "aɪ": ("F2 rises", lambda d1, d2: d2 > 0.3),
    "aʊ": ("F2 falls", lambda d1, d2: d2 < -0.3),
}


class MeasurementError(Exception):
    """The recording has too little voiced sound to measure."""


@dataclass(frozen=True)
class Measurement:
    f1: float
    f2: float
    start: tuple[float, float]  # F1, F2 at 20 % of the voiced span
    end: tuple[float, float]  # F1, F2 at 80 %


@dataclass(frozen=True)
class Verdict:
    phoneme: str
    passed: bool
    measurement: Measurement
    nearest: str = ""  # monophthongs: the nearest reference vowel
    distance: float = 0.0  # Bark
    rule: str = ""  # diphthongs: the glide that was expected

    def as_metadata(self) -> dict:
        return {
            "passed": self.passed,
            "f1": round(self.measurement.f1),
            "f2": round(self.measurement.f2),
            "nearest": self.nearest,
            "heard_as": US_TO_CHART.get(self.nearest, self.nearest),
            "distance_bark": round(self.distance, 2),
            "rule": self.rule,
        }


def bark(hz: float) -> float:
    return 26.81 * hz / (1960 + hz) - 0.53


def measure(sound: parselmouth.Sound) -> Measurement:
    """F1/F2 of ``sound``; :class:`MeasurementError` when Praat cannot analyse it."""
    try:
        return _measure(sound)
    except parselmouth.PraatError as exc:
        raise MeasurementError(f"Praat cannot analyse the sound: {exc}".strip()) from exc


def _measure(sound: parselmouth.Sound) -> Measurement:
    pitch = sound.to_pitch(time_step=0.005, pitch_floor=60, pitch_ceiling=500)
    voiced = pitch.xs()[pitch.selected_array["frequency"] > 0]
    if voiced.size < 4:
        raise MeasurementError("no voiced sound to measure")
    first, last = float(voiced[0]), float(voiced[-1])
    formants = sound.to_formant_burg(
        time_step=0.005,
        max_number_of_formants=5,
        maximum_formant=5000.0,
        window_length=0.025,
        pre_emphasis_from=50,
    )
    times = formants.xs()

    def median(number: int, lo: float, hi: float) -> float:
        values = [formants.get_value_at_time(number, t) for t in times if lo <= t <= hi]
        values = [v for v in values if not math.isnan(v)]
        if not values:
            raise MeasurementError("no formants found")
        return float(np.median(values))

    span = last - first

    def at(fraction: float) -> tuple[float, float]:
        centre = first + fraction * span
        return median(1, centre - 0.0101, centre + 0.0101), median(
            2, centre - 0.0101, centre + 0.0101
        )

    lo, hi = first + 0.25 * span, first + 0.75 * span
    return Measurement(f1=median(1, lo, hi), f2=median(2, lo, hi), start=at(0.2), end=at(0.8))


def measure_file(path: Path | str) -> Measurement:
    try:
        sound = parselmouth.Sound(str(path))
    except parselmouth.PraatError as exc:
        raise MeasurementError(f"cannot read audio: {exc}") from exc
    return measure(sound.convert_to_mono())


def classify(measurement: Measurement, reference: Reference) -> list[tuple[float, str]]:
    """Reference vowels by distance (Bark) from the measurement, nearest first."""
    point = (bark(measurement.f1), bark(measurement.f2))
    return sorted(
        (math.dist(point, (bark(f1), bark(f2))), vowel)
        for vowel, (f1, f2) in reference.formants.items()
    )


def verify(phoneme: str, measurement: Measurement, *, accent: str, gender: str = "") -> Verdict:
    """Judge a measured recording of ``phoneme`` (a monophthong or a diphthong)."""
    if phoneme in MONOPHTHONGS:
        reference = reference_for(accent, gender)
        distance, nearest = classify(measurement, reference)[0]
        passed = nearest in reference.expected[phoneme]
        return Verdict(phoneme, passed, measurement, nearest=nearest, distance=distance)
    if phoneme in DIPHTHONGS:
        rule, test = GLIDES[phoneme]
        d1 = bark(measurement.end[0]) - bark(measurement.start[0])
        d2 = bark(measurement.end[1]) - bark(measurement.start[1])
        return Verdict(phoneme, test(d1, d2), measurement, rule=rule)
    raise ValueError(f"/{phoneme}/ is not a vowel; only vowels are checked acoustically")


def is_checkable(phoneme: str) -> bool:
    return phoneme in MONOPHTHONGS or phoneme in DIPHTHONGS
