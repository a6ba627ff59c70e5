"""Feedback on a learner's vowel: where it fell, which vowel it sounds like, what to change.

Plain Python over :mod:`speech.acoustics` (no Django): the Bark-space classifier that judges
the project's own audio judges the learner, against the accent's first study
(:func:`speech.references.references_for`: Hillenbrand et al. 1995 for US English,
Deterding 1997 for British English), men's or women's formants as their profile says. One
study, not two: the learner sees one set of vowels on the chart, and the verdict must agree
with it.

Verdicts: ``ok`` when the nearest reference vowel is the target; ``close`` when the target is
the second-nearest and the point lies within :data:`CLOSE_BARK` of it; ``heard_as`` otherwise
(with the vowel it was heard as). Advice compares F1 and F2 with the target's, in Bark.
"""

from dataclasses import dataclass

from speech.acoustics import Measurement, bark, classify
from speech.ipa import MONOPHTHONGS
from speech.references import US_TO_CHART, Reference, references_for

OK, CLOSE, HEARD_AS = "ok", "close", "heard_as"
# Within this distance of the target (and second-nearest) a vowel is "close".
CLOSE_BARK = 1.0
# F1 or F2 further than this from the target's earns a piece of advice.
ADVICE_BARK = 0.5

FRONT = {"iː", "ɪ", "e", "æ"}
BACK = {"uː", "ʊ", "ɔː", "ɒ", "ɑː"}

ADVICE_F1_HIGH = "Đưa lưỡi lên cao hơn, miệng khép lại một chút."
ADVICE_F1_LOW = "Hạ lưỡi xuống / mở miệng rộng hơn."
ADVICE_F2_LOW_FRONT = "Đưa lưỡi ra trước (đầu lưỡi chạm răng cửa dưới), môi hơi căng sang hai bên."
ADVICE_F2_LOW = "Đưa lưỡi ra trước một chút, bớt tròn môi."
ADVICE_F2_HIGH_BACK = "Tròn môi hơn, lưỡi lùi về sau."
ADVICE_F2_HIGH = "Lùi lưỡi về sau một chút, thả lỏng môi."


class NotAMonophthong(ValueError):
    """Only the twelve monophthongs have a place on the F1/F2 chart."""


@dataclass(frozen=True)
class ChartVowel:
    symbol: str  # the chart's (British) symbol
    f1: int
    f2: int


@dataclass(frozen=True)
class VowelFeedback:
    phoneme: str
    f1: float
    f2: float
    verdict: str
    target: ChartVowel  # the target reference vowel nearest the learner's point
    nearest: ChartVowel
    distance_bark: float  # from the learner's point to the target
    heard_as: str  # the vowel heard instead ("" unless the verdict is heard_as)
    advice_vi: tuple[str, ...]
    reference: str
    vowels: tuple[ChartVowel, ...]  # every reference vowel, for the chart


def chart_symbol(reference_symbol: str) -> str:
    """A reference vowel written as the chart writes it (Hillenbrand's ``i`` is ``iː``)."""
    return US_TO_CHART.get(reference_symbol, reference_symbol)


def reference_for(accent: str, voice: str) -> Reference:
    """The study a learner of ``accent`` with ``voice`` ("male", "female") is compared with."""
    return references_for(accent, voice)[0]


def reference_vowels(*, accent: str, voice: str) -> tuple[str, tuple[ChartVowel, ...]]:
    """The reference's name and its vowels (chart symbols) for an accent and a voice."""
    reference = reference_for(accent, voice)
    return reference.name, tuple(
        ChartVowel(chart_symbol(symbol), f1, f2) for symbol, (f1, f2) in reference.formants.items()
    )


def vowel_target(phoneme: str, *, accent: str, voice: str) -> tuple[ChartVowel, ...]:
    """Where ``phoneme`` should fall for the accent and voice (US /ɒ/ has two places)."""
    if phoneme not in MONOPHTHONGS:
        raise NotAMonophthong(f"/{phoneme}/ is not a monophthong.")
    reference = reference_for(accent, voice)
    return tuple(
        ChartVowel(chart_symbol(symbol), *reference.formants[symbol])
        for symbol in sorted(reference.expected[phoneme])
    )


def vowel_feedback(
    phoneme: str, measurement: Measurement, *, accent: str, voice: str
) -> VowelFeedback:
    """Judge a measured vowel against ``phoneme``; :class:`NotAMonophthong` otherwise."""
    if phoneme not in MONOPHTHONGS:
        raise NotAMonophthong(f"/{phoneme}/ is not a monophthong.")
    reference = reference_for(accent, voice)
    expected = reference.expected[phoneme]
    ranked = classify(measurement, reference)
    distances = {symbol: distance for distance, symbol in ranked}
    target_symbol = min(expected, key=distances.__getitem__)
    nearest_symbol = ranked[0][1]
    target_distance = distances[target_symbol]
    if nearest_symbol in expected:
        verdict = OK
    elif ranked[1][1] in expected and target_distance <= CLOSE_BARK:
        verdict = CLOSE
    else:
        verdict = HEARD_AS
    target = ChartVowel(chart_symbol(target_symbol), *reference.formants[target_symbol])
    nearest = ChartVowel(chart_symbol(nearest_symbol), *reference.formants[nearest_symbol])
    _, vowels = reference_vowels(accent=accent, voice=voice)
    return VowelFeedback(
        phoneme=phoneme,
        f1=measurement.f1,
        f2=measurement.f2,
        verdict=verdict,
        target=target,
        nearest=nearest,
        distance_bark=round(target_distance, 2),
        heard_as=nearest.symbol if verdict == HEARD_AS else "",
        advice_vi=vowel_advice(phoneme, measurement, target) if verdict != OK else (),
        reference=reference.name,
        vowels=vowels,
    )


def vowel_advice(phoneme: str, measurement: Measurement, target: ChartVowel) -> tuple[str, ...]:
    """What to change, in Vietnamese: F1 says how high the tongue is (high F1 = low tongue,
    open mouth), F2 how far forward (low F2 = tongue back or lips rounded)."""
    d1 = bark(measurement.f1) - bark(target.f1)
    d2 = bark(measurement.f2) - bark(target.f2)
    # Off by little on both: still say which way the bigger difference points.
    threshold = min(ADVICE_BARK, max(abs(d1), abs(d2)))
    advice = []
    if abs(d1) >= threshold:
        advice.append(ADVICE_F1_HIGH if d1 > 0 else ADVICE_F1_LOW)
    if abs(d2) >= threshold:
        if d2 < 0:
            advice.append(ADVICE_F2_LOW_FRONT if phoneme in FRONT else ADVICE_F2_LOW)
        else:
            advice.append(ADVICE_F2_HIGH_BACK if phoneme in BACK else ADVICE_F2_HIGH)
    return tuple(advice)
