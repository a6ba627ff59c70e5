"""Feedback on a learner's vowel: is it the vowel asked for, and if not, what to change.

Pure Python over :mod:`speech.acoustics` (no Django). The steps, in order:

1. **Screen** (:func:`vowel_screen`): a recording that is clipped, too quiet, too short or not
   a voice (noise, a square wave, a tone) is refused with a reason, never judged.
2. **Measure** with the formant ceiling chosen by the speaker's pitch
   (:func:`speech.acoustics.ceiling_for_f0`: 5000 Hz for men's voices, 5500 Hz for women's).
3. **Normalise**: with a calibration (the learner's own /iː ɑː uː/, :class:`Calibration`) the
   point is moved into the reference speakers' vowel space by Nearey's log-mean method,
   formant by formant (Nearey 1978; Adank, Smits & van Hout 2004 found the log-mean and
   Lobanov methods the best at removing speaker differences): log F − the learner's mean
   log F of the three corner vowels + the references' mean. Without one, the point is
   compared with men's or women's formants as the learner's profile says (or as the pitch
   says when the profile does not: median F0 165 Hz or more is a woman's or a child's).
4. **Classify** against both studies of the accent (:func:`speech.references.references_for`)
   at once: each vowel has one prototype per study, and the nearest prototype (Bark) names
   the vowel heard. The two studies differ as real speakers do (Peterson & Barney's /æ/ is
   Hillenbrand's /ɛ/ region); a learner whose vowel matches either is right.
5. **Length and r-colouring**: in the long/short pairs (iː/ɪ, uː/ʊ, ɑː/ʌ, ɔː/ɒ, ɜː/ə) a long
   vowel said under LONG_MIN_S is heard as its short partner, a short one held over
   SHORT_MAX_S as its long partner (Hillenbrand et al. 1995: long vowels about 1.3-1.5 times
   the short ones in /hVd/; an isolated vowel said naturally is 150-200 ms short, 300 ms or
   more long). General American /ɜː/ must be r-coloured: F3 under 2000 Hz (men; 2340 women;
   Peterson & Barney's /ɝ/ has 1690/1960, every other vowel 2240/2670 or more).

Advice: F1 is the tongue's height (high F1 = low tongue, open mouth), F2 its frontness, which
lip rounding also lowers. Each piece of advice names a movement that changes the formant the
right way *for that vowel*: an /ɑː/ whose F2 is too high is told to pull the tongue back and
open, never to round (rounding moves it to /ɒ ɔː/).
"""

import math
from dataclasses import dataclass, field

import numpy as np

from speech.acoustics import (
    WOMEN_FACTOR,
    WOMEN_MIN_F0,
    Measurement,
    MeasurementError,
    bark,
    measure,
)
from speech.ipa import MONOPHTHONGS
from speech.references import US_TO_CHART, Reference, references_for

OK, CLOSE, HEARD_AS = "ok", "close", "heard_as"
CLOSE_BARK = 1.0  # the target second-nearest and this near: "close"
ADVICE_BARK = 0.5  # F1 or F2 this far from the target earns a piece of advice

LONG_SHORT = {"iː": "ɪ", "uː": "ʊ", "ɑː": "ʌ", "ɔː": "ɒ", "ɜː": "ə"}
SHORT_LONG = {short: long for long, short in LONG_SHORT.items()}
LONG_MIN_S, SHORT_MAX_S = 0.22, 0.26
RHOTIC_MAX_F3 = 2000.0  # Hz, men; women's is WOMEN_FACTOR times this
CALIBRATION_VOWELS = ("iː", "ɑː", "uː")

FRONT = {"iː", "ɪ", "e", "æ"}
BACK_ROUNDED = {"uː", "ʊ", "ɔː", "ɒ"}

ADVICE_F1_HIGH = "Đưa lưỡi lên cao hơn, miệng khép lại một chút."
ADVICE_F1_LOW = "Hạ lưỡi xuống, mở miệng rộng hơn."
ADVICE_F2_LOW_FRONT = "Đưa lưỡi ra trước (đầu lưỡi chạm răng cửa dưới), môi hơi căng sang hai bên."
ADVICE_F2_LOW_BACK_ROUNDED = "Đưa lưỡi ra trước một chút, môi tròn nhưng đừng chu quá nhiều."
ADVICE_F2_LOW = "Đưa lưỡi ra trước một chút, thả lỏng môi, đừng tròn môi."
ADVICE_F2_HIGH_BACK_ROUNDED = "Tròn môi hơn, lưỡi lùi về sau."
ADVICE_F2_HIGH = "Lùi lưỡi về sau một chút, môi thả lỏng, không tròn môi."
ADVICE_LONGER = "Kéo dài âm này hơn: đây là nguyên âm dài."
ADVICE_SHORTER = "Nói âm này ngắn và gọn hơn: đây là nguyên âm ngắn."
ADVICE_R_COLOUR = (
    "Giọng Mỹ: cong đầu lưỡi lên và lùi về sau (như sắp nói 'r') trong khi phát âm, "
    "đừng đọc như 'ơ' tiếng Việt."
)

# Why a recording is refused, in Vietnamese, by reason.
REFUSALS = {
    "clipped": (
        "Bản ghi bị rè vì quá to (tín hiệu bị cắt): hãy để micro xa miệng hơn hoặc nói nhỏ "
        "lại rồi ghi lại (clipped: too loud)."
    ),
    "too_quiet": "Bản ghi quá nhỏ: hãy nói to hơn hoặc để micro gần miệng hơn (too quiet).",
    "too_short": "Bản ghi quá ngắn: hãy nói cả nguyên âm, rõ ràng (too short).",
    "not_a_voice": (
        "Không nghe thấy giọng nói trong bản ghi (chỉ có tiếng ồn hoặc âm thanh không phải "
        "giọng người): hãy ghi lại ở nơi yên tĩnh (no vowel: noise or not a voice)."
    ),
}
MIN_PEAK_DBFS = -40.0
CLIPPED_FRACTION = 0.002  # of the sounding samples at full scale
MIN_VOICED_S = 0.08
# A voice's glottal pulses give even and odd harmonics alike; a square wave (or any
# half-wave-symmetric buzz) has no even ones.
MIN_EVEN_OVER_ODD_DB = -15.0


class Refused(MeasurementError):
    """The recording cannot be judged; ``reason`` is a key of :data:`REFUSALS`."""

    def __init__(self, reason: str):
        super().__init__(REFUSALS[reason])
        self.reason = reason


class NotAMonophthong(ValueError):
    """Only the twelve monophthongs have a place on the F1/F2 chart."""


@dataclass(frozen=True)
class ChartVowel:
    symbol: str  # the chart's (British) symbol
    f1: int
    f2: int


@dataclass(frozen=True)
class Calibration:
    """A learner's own corner vowels: mean F1, F2 (Hz) of /iː ɑː uː/ by symbol."""

    means: dict[str, tuple[float, float]]

    def log_means(self) -> tuple[float, float]:
        f1s = [math.log(self.means[v][0]) for v in CALIBRATION_VOWELS]
        f2s = [math.log(self.means[v][1]) for v in CALIBRATION_VOWELS]
        return float(np.mean(f1s)), float(np.mean(f2s))


@dataclass(frozen=True)
class VowelFeedback:
    phoneme: str
    f1: float  # as measured (Hz)
    f2: float
    verdict: str
    target: ChartVowel  # the target vowel of the first study (for the chart)
    nearest: ChartVowel
    distance_bark: float  # from the (normalised) point to the nearest target prototype
    heard_as: str  # the vowel heard instead ("" unless the verdict is heard_as)
    advice_vi: tuple[str, ...]
    reference: str
    vowels: tuple[ChartVowel, ...]  # the first study's vowels, for the chart
    voice: str = ""  # the reference voice used ("male" / "female")
    normalised: bool = False
    duration: float = math.nan
    f3: float = math.nan
    length_ok: bool = True
    r_coloured: bool | None = None  # for US /ɜː/ only
    details: dict = field(default_factory=dict)


def chart_symbol(reference_symbol: str) -> str:
    """A reference vowel written as the chart writes it (Hillenbrand's ``i`` is ``iː``)."""
    return US_TO_CHART.get(reference_symbol, reference_symbol)


def reference_for(accent: str, voice: str) -> Reference:
    """The study shown on the chart for ``accent`` and ``voice`` ("male", "female")."""
    return references_for(accent, voice)[0]


def reference_vowels(*, accent: str, voice: str) -> tuple[str, tuple[ChartVowel, ...]]:
    """The chart's study's name and its vowels (chart symbols) for an accent and a voice."""
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


def vowel_screen(samples: np.ndarray, rate: int) -> None:
    """Raise :class:`Refused` when ``samples`` (mono floats in [-1, 1]) cannot be judged:
    clipped, too quiet or too short (under MIN_VOICED_S of sound)."""
    x = np.asarray(samples, dtype=np.float64)
    if x.size < int(0.05 * rate):
        raise Refused("too_short")
    peak = float(np.abs(x).max()) if x.size else 0.0
    if peak <= 0 or 20 * math.log10(peak) < MIN_PEAK_DBFS:
        raise Refused("too_quiet")
    sounding = np.abs(x) > 0.01 * peak
    at_full_scale = np.abs(x) >= min(0.99, 0.999 * peak)
    if peak >= 0.98 and at_full_scale.sum() > CLIPPED_FRACTION * max(1, sounding.sum()):
        raise Refused("clipped")
    if sounding_seconds(x, rate) < MIN_VOICED_S:
        raise Refused("too_short")


def sounding_seconds(x: np.ndarray, rate: int) -> float:
    """Seconds from the first to the last 10 ms frame within 30 dB of the loudest."""
    hop = max(1, int(0.01 * rate))
    count = x.size // hop
    if count == 0:
        return 0.0
    rms = np.sqrt((x[: count * hop].reshape(count, hop) ** 2).mean(axis=1)) + 1e-12
    level = 20 * np.log10(rms)
    loud = np.flatnonzero(level > level.max() - 30)
    return (loud[-1] - loud[0] + 1) * hop / rate


def _even_over_odd_db(x: np.ndarray, rate: int, f0: float, centre: float) -> float:
    """dB of harmonics 2, 4, 6, 8 over harmonics 3, 5, 7, 9, in 200 ms around ``centre``."""
    half = int(0.1 * rate)
    middle = int(centre * rate)
    segment = x[max(0, middle - half) : middle + half]
    power = np.abs(np.fft.rfft(segment * np.hanning(segment.size))) ** 2
    frequencies = np.fft.rfftfreq(segment.size, 1 / rate)

    def harmonics(numbers) -> float:
        return float(sum(power[np.abs(frequencies - n * f0) < 0.15 * f0].sum() for n in numbers))

    return 10 * math.log10((harmonics((2, 4, 6, 8)) + 1e-20) / (harmonics((3, 5, 7, 9)) + 1e-20))


def vowel_measure(samples: np.ndarray, rate: int) -> Measurement:
    """Screen and measure a learner's vowel (ceiling by pitch); :class:`Refused` or
    :class:`MeasurementError` when it cannot be judged."""
    import parselmouth

    vowel_screen(samples, rate)
    x = np.asarray(samples, dtype=np.float64)
    try:
        measurement = measure(parselmouth.Sound(x, rate), by_pitch=True)
    except MeasurementError:
        raise Refused("not_a_voice") from None
    if measurement.duration < MIN_VOICED_S:
        raise Refused("too_short")
    centre = len(x) / rate / 2
    if _even_over_odd_db(x, rate, measurement.f0, centre) < MIN_EVEN_OVER_ODD_DB:
        raise Refused("not_a_voice")
    return measurement


def voice_from_pitch(measurement: Measurement) -> str:
    return "female" if measurement.f0 >= WOMEN_MIN_F0 else "male"


def _normalised(
    measurement: Measurement, calibration: Calibration, references: tuple[Reference, ...]
) -> tuple[float, float]:
    """The measured F1, F2 moved into the references' speakers' space (Nearey log-mean)."""
    own1, own2 = calibration.log_means()
    ref1, ref2 = [], []
    for reference in references:
        for vowel in CALIBRATION_VOWELS:
            (symbol,) = sorted(reference.expected[vowel])
            f1, f2 = reference.formants[symbol]
            ref1.append(math.log(f1))
            ref2.append(math.log(f2))
    return (
        math.exp(math.log(measurement.f1) - own1 + float(np.mean(ref1))),
        math.exp(math.log(measurement.f2) - own2 + float(np.mean(ref2))),
    )


def _ranked(point: tuple[float, float], references: tuple[Reference, ...]):
    """(distance in Bark, reference symbol, reference) for every prototype, nearest first."""
    here = (bark(point[0]), bark(point[1]))
    return sorted(
        (math.dist(here, (bark(f1), bark(f2))), symbol, index)
        for index, reference in enumerate(references)
        for symbol, (f1, f2) in reference.formants.items()
    )


def vowel_feedback(
    phoneme: str,
    measurement: Measurement,
    *,
    accent: str,
    voice: str = "",
    calibration: Calibration | None = None,
) -> VowelFeedback:
    """Judge a measured vowel against ``phoneme``; :class:`NotAMonophthong` otherwise.
    ``voice`` ("male", "female", or "" to go by the pitch) picks the reference speakers."""
    if phoneme not in MONOPHTHONGS:
        raise NotAMonophthong(f"/{phoneme}/ is not a monophthong.")
    voice = voice if voice in ("male", "female") else voice_from_pitch(measurement)
    references = references_for(accent, voice)
    first = references[0]
    point = (measurement.f1, measurement.f2)
    if calibration is not None:
        point = _normalised(measurement, calibration, references)
    ranked = _ranked(point, references)
    expected = first.expected[phoneme]
    nearest_distance, nearest_symbol, nearest_index = ranked[0]
    target_distance, target_symbol, target_index = next(r for r in ranked if r[1] in expected)
    runner_up = next((r for r in ranked if r[1] != nearest_symbol), ranked[-1])
    if nearest_symbol in expected:
        verdict = OK
    elif runner_up[1] in expected and target_distance <= CLOSE_BARK:
        verdict = CLOSE
    else:
        verdict = HEARD_AS
    heard = chart_symbol(nearest_symbol) if verdict == HEARD_AS else ""
    advice: list[str] = []
    # Length, in the long/short pairs: a vowel said at the wrong length is heard as its
    # partner; one said at the right length that lies near its partner's formants (the pairs
    # are close in F1/F2, the British ones above all) is the target.
    partner = LONG_SHORT.get(phoneme) or SHORT_LONG.get(phoneme)
    length_ok = True
    if partner and not math.isnan(measurement.duration):
        if phoneme in LONG_SHORT:
            length_ok = measurement.duration >= LONG_MIN_S
        else:
            length_ok = measurement.duration <= SHORT_MAX_S
        if not length_ok:
            advice.append(ADVICE_LONGER if phoneme in LONG_SHORT else ADVICE_SHORTER)
            if verdict in (OK, CLOSE) or heard == partner:
                verdict, heard = HEARD_AS, partner
        elif chart_symbol(nearest_symbol) == partner and target_distance <= CLOSE_BARK:
            verdict, heard = OK, ""
    # r-colouring, for General American NURSE: the F3 dip is what makes it /ɝ/; with it, a
    # point near the target is right.
    r_coloured = None
    if accent == "en-US" and phoneme == "ɜː":
        limit = RHOTIC_MAX_F3 * (WOMEN_FACTOR if voice == "female" else 1.0)
        r_coloured = not math.isnan(measurement.f3) and measurement.f3 < limit
        if not r_coloured:
            advice.append(ADVICE_R_COLOUR)
            if verdict in (OK, CLOSE):
                verdict, heard = HEARD_AS, "ə"
        elif verdict == CLOSE:
            verdict, heard = OK, ""
    target_formants = reference_target = references[target_index].formants[target_symbol]
    target = ChartVowel(chart_symbol(target_symbol), *reference_target)
    nearest = ChartVowel(
        chart_symbol(nearest_symbol), *references[nearest_index].formants[nearest_symbol]
    )
    if verdict != OK:
        advice = list(vowel_advice(phoneme, point, target_formants)) + advice
    _, vowels = reference_vowels(accent=accent, voice=voice)
    return VowelFeedback(
        phoneme=phoneme,
        f1=measurement.f1,
        f2=measurement.f2,
        verdict=verdict,
        target=target,
        nearest=nearest,
        distance_bark=round(target_distance, 2),
        heard_as=heard if verdict == HEARD_AS else "",
        advice_vi=tuple(dict.fromkeys(advice)),
        reference=first.name,
        vowels=vowels,
        voice=voice,
        normalised=calibration is not None,
        duration=measurement.duration,
        f3=measurement.f3,
        length_ok=length_ok,
        r_coloured=r_coloured,
        details={"nearest_distance_bark": round(nearest_distance, 2)},
    )


def vowel_advice(
    phoneme: str, point: tuple[float, float], target: tuple[float, float]
) -> tuple[str, ...]:
    """What to change, in Vietnamese, to move ``point`` (F1, F2 in Hz) towards ``target``.

    F1 too high: raise the tongue; too low: lower it. F2 too low: bring the tongue forward
    (and, for a vowel that is not rounded, stop rounding: rounding lowers F2); too high: pull
    the tongue back, and round only the vowels that are rounded (/uː ʊ ɔː ɒ/): for /ɑː ʌ ɜː
    ə/ rounding would make /ɒ ɔː/ or /ʊ/ of them."""
    d1 = bark(point[0]) - bark(target[0])
    d2 = bark(point[1]) - bark(target[1])
    threshold = min(ADVICE_BARK, max(abs(d1), abs(d2)))
    advice = []
    if abs(d1) >= threshold:
        advice.append(ADVICE_F1_HIGH if d1 > 0 else ADVICE_F1_LOW)
    if abs(d2) >= threshold:
        if d2 < 0:
            if phoneme in FRONT:
                advice.append(ADVICE_F2_LOW_FRONT)
            elif phoneme in BACK_ROUNDED:
                advice.append(ADVICE_F2_LOW_BACK_ROUNDED)
            else:
                advice.append(ADVICE_F2_LOW)
        else:
            advice.append(
                ADVICE_F2_HIGH_BACK_ROUNDED if phoneme in BACK_ROUNDED else ADVICE_F2_HIGH
            )
    return tuple(advice)
