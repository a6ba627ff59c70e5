"""Acoustic verification: does a recording sound like the phoneme it claims to be?

Vowels. F1/F2 are measured with Praat (praat-parselmouth: Burg formants, 5 formants up to
5000 Hz, 25 ms window) as the median over the middle half of the voiced span, then classified
as the nearest reference vowel in Bark space (Traunmüller 1990), with no normalisation and the
same classifier for every voice and phoneme. Each accent has two published references
(:mod:`speech.references`: Hillenbrand et al. 1995 and Peterson & Barney 1952 for US English,
Deterding 1997 and Hawkins & Midgley 2005 for British English), and a monophthong passes only
when it is nearest the right vowel under every one of them. General American NURSE is
r-coloured, so a US /ɜː/ must also have F3 under 2000 Hz: Peterson & Barney's men's /ɝ/ has
F3 1690 Hz and every other vowel 2240 Hz or more (women: 1960; 2670 or more; limit 2340).
Women's recordings (``speaker_gender`` "female") are judged against women's formants.
Diphthongs are checked by the direction of their glide between 20 % and 80 % of the voiced
span.

Consonants (:data:`CONSONANT_RULES`), by class:

- every file has at least 150 ms of sound and no click at either end (no sample-to-sample
  step above a tenth of full scale in its first or last 10 ms);
- voiceless consonants carry no voiced vowel: at most 20 % of the sound is voiced (Praat's
  autocorrelation pitch, 60-500 Hz) — a plosive is a burst with aspiration or a whispered
  release, /h/ a whispered vowel;
- voiced ones are voiced through their sound: at least 70 % of it, and no voiceless stretch
  longer than 100 ms (a voiceless [ʃ] followed by a voiced vowel is not /ʒ/);
- sibilants by their spectral centre of gravity (1-11 kHz, middle half of the sound, 40 ms
  Hamming windows): /s z/ at least 5 kHz, /ʃ ʒ/ from 2.5 to 5 kHz. Jongman, Wayland & Wong
  (2000), "Acoustic characteristics of English fricatives", JASA 108:1252-1263, sampled at
  22 kHz as eSpeak does, found mean first spectral moments of 6133 Hz for /s z/ and 4229 Hz
  for /ʃ ʒ/ (spectral peaks 6839 and 3820 Hz): 5 kHz lies between them;
- nasals have a murmur: at least 60 ms of voiced sound whose first formant is under 500 Hz
  and whose energy below 500 Hz exceeds the energy from 1 to 5 kHz by 6 dB or more (the
  murmur's first resonance lies near 250-300 Hz and its upper formants are weak: Fujimura
  1962, JASA 34:1865);
- approximants by their formants 30-90 ms into the voiced sound (Espy-Wilson 1992, JASA
  92:736): /w/ F1 and F2 both under 1 kHz (measured as the energy below 1 kHz exceeding the
  energy from 1 to 4 kHz by 18 dB or more: formant trackers merge the two), /j/ F2 over
  1900 Hz, /r/ F3 under 2000 Hz, /l/ F1 under 500 Hz with F3 at least 1000 Hz above F2.
  Women's limits are 17 % higher, the ratio of Hillenbrand et al.'s women's formants to
  men's.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import parselmouth

from speech.ipa import CONSONANTS, DIPHTHONGS, MONOPHTHONGS
from speech.references import US_TO_CHART, Reference, references_for

# The three verdicts of :func:`check` (stored as they are in the AudioSource table).
PASSED, FAILED, NOT_CHECKED = "passed", "failed", "not_checked"

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
    """The recording has too little sound (or voiced sound, for a vowel) to measure."""


@dataclass(frozen=True)
class Measurement:
    f1: float
    f2: float
    start: tuple[float, float]  # F1, F2 at 20 % of the voiced span
    end: tuple[float, float]  # F1, F2 at 80 %
    f3: float = math.nan
    duration: float = math.nan  # s, of the voiced span
    f0: float = math.nan  # Hz, median over the voiced span
    ceiling: float = 5000.0  # Hz, the formant ceiling the track was made with


WOMEN_FACTOR = 1.17  # Hillenbrand et al. (1995): women's formants over men's, on average
RHOTIC = {"en-US": {"ɜː"}}  # vowels said with r-colouring in the accent
RHOTIC_MAX_F3 = 2000  # Hz, men; women's limit is WOMEN_FACTOR times this


@dataclass(frozen=True)
class ReferenceVerdict:
    """A monophthong judged against one study: the nearest of its vowels, and whether that
    vowel is one of the right ones."""

    reference: str
    nearest: str
    distance: float  # Bark
    passed: bool
    margin: float  # Bark from the nearest wrong vowel minus from the nearest right one

    @property
    def heard_as(self) -> str:
        return US_TO_CHART.get(self.nearest, self.nearest)


@dataclass(frozen=True)
class Verdict:
    """A vowel's verdict: monophthongs pass when they pass under every reference
    (``nearest``/``distance`` are the first reference's, ``references`` has each one),
    diphthongs when their glide goes the way ``rule`` says."""

    phoneme: str
    passed: bool
    measurement: Measurement
    nearest: str = ""
    distance: float = 0.0
    rule: str = ""
    references: tuple[ReferenceVerdict, ...] = ()

    @property
    def heard_as(self) -> str:
        """The vowel heard (chart symbols) under the first reference that fails; "" when
        every reference is right (a diphthong, or a US /ɜː/ that is not r-coloured)."""
        failing = [r for r in self.references if not r.passed]
        return failing[0].heard_as if failing else ""

    def as_metadata(self) -> dict:
        return {
            "passed": self.passed,
            "f1": round(self.measurement.f1),
            "f2": round(self.measurement.f2),
            **({"f3": round(self.measurement.f3)} if not math.isnan(self.measurement.f3) else {}),
            "nearest": self.nearest,
            "heard_as": self.heard_as,
            "distance_bark": round(self.distance, 2),
            "rule": self.rule,
            "references": [
                {
                    "reference": r.reference,
                    "nearest": r.nearest,
                    "distance_bark": round(r.distance, 2),
                    "passed": r.passed,
                }
                for r in self.references
            ],
        }


def bark(hz: float) -> float:
    return 26.81 * hz / (1960 + hz) - 0.53


# Formant ceilings by the speaker's pitch: Praat's manual advises 5000 Hz for men and 5500 Hz
# for women (a shorter vocal tract puts every formant higher); with 5000 Hz a woman's /iː/
# (F2 near 2800 Hz) loses its F2, the tracker pairing F1 with a spurious 1300 Hz peak.
CEILING_MEN, CEILING_WOMEN, CEILING_CHILDREN = 5000.0, 5500.0, 6500.0
WOMEN_MIN_F0, CHILDREN_MIN_F0 = 165.0, 290.0  # Hz, median F0 of the voiced span


def ceiling_for_f0(f0: float) -> float:
    """The formant ceiling for a voice of median pitch ``f0`` (Hz)."""
    if f0 >= CHILDREN_MIN_F0:
        return CEILING_CHILDREN
    return CEILING_WOMEN if f0 >= WOMEN_MIN_F0 else CEILING_MEN


def measure(sound: parselmouth.Sound, *, by_pitch: bool = False) -> Measurement:
    """F1/F2 of ``sound``; :class:`MeasurementError` when Praat cannot analyse it.

    With ``by_pitch`` the formant ceiling follows the speaker's pitch
    (:func:`ceiling_for_f0`), as for learners' recordings; otherwise it is 5000 Hz, the
    setting the project's own audio was tuned with."""
    try:
        return _measure(sound, by_pitch=by_pitch)
    except parselmouth.PraatError as exc:
        raise MeasurementError(f"Praat cannot analyse the sound: {exc}".strip()) from exc


def _formants(sound: parselmouth.Sound, ceiling: float = CEILING_MEN) -> parselmouth.Formant:
    return sound.to_formant_burg(
        time_step=0.005,
        max_number_of_formants=5,
        maximum_formant=ceiling,
        window_length=0.025,
        pre_emphasis_from=50,
    )


def _median_formant(formants: parselmouth.Formant, number: int, lo: float, hi: float) -> float:
    values = [formants.get_value_at_time(number, t) for t in formants.xs() if lo <= t <= hi]
    values = [v for v in values if not math.isnan(v)]
    if not values:
        raise MeasurementError("no formants found")
    return float(np.median(values))


# Formants are measured only within this much of the voiced frames: a learner's take is
# mostly silence, which cost most of the analysis (44 ms -> 17 ms for a 3.4 s take). It is
# well over half of the analysis window (50 ms), so the frames measured see the same signal.
VOICED_MARGIN = 0.1  # s


def _voiced_part(sound: parselmouth.Sound, first: float, last: float) -> parselmouth.Sound:
    """``sound`` from VOICED_MARGIN before its first voiced frame to as long after its last,
    on the same time axis."""
    start, end = max(sound.xmin, first - VOICED_MARGIN), min(sound.xmax, last + VOICED_MARGIN)
    if start <= sound.xmin and end >= sound.xmax:
        return sound
    return sound.extract_part(from_time=start, to_time=end, preserve_times=True)


def _measure(sound: parselmouth.Sound, *, by_pitch: bool = False) -> Measurement:
    pitch = sound.to_pitch(time_step=0.005, pitch_floor=60, pitch_ceiling=500)
    frequencies = pitch.selected_array["frequency"]
    voiced = pitch.xs()[frequencies > 0]
    if voiced.size < 4:
        raise MeasurementError("no voiced sound to measure")
    first, last = float(voiced[0]), float(voiced[-1])
    f0 = float(np.median(frequencies[frequencies > 0]))
    ceiling = ceiling_for_f0(f0) if by_pitch else CEILING_MEN
    formants = _formants(_voiced_part(sound, first, last), ceiling)
    span = last - first

    def at(fraction: float) -> tuple[float, float]:
        centre = first + fraction * span
        lo, hi = centre - 0.0101, centre + 0.0101
        return _median_formant(formants, 1, lo, hi), _median_formant(formants, 2, lo, hi)

    lo, hi = first + 0.25 * span, first + 0.75 * span
    try:
        f3 = _median_formant(formants, 3, lo, hi)
    except MeasurementError:
        f3 = math.nan
    return Measurement(
        f1=_median_formant(formants, 1, lo, hi),
        f2=_median_formant(formants, 2, lo, hi),
        start=at(0.2),
        end=at(0.8),
        f3=f3,
        duration=span,
        f0=f0,
        ceiling=ceiling,
    )


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


def judge(phoneme: str, measurement: Measurement, reference: Reference) -> ReferenceVerdict:
    """The monophthong ``phoneme`` judged against one reference."""
    ranked = classify(measurement, reference)
    right = reference.expected[phoneme]
    distance, nearest = ranked[0]
    best_right = min(d for d, vowel in ranked if vowel in right)
    best_wrong = min(d for d, vowel in ranked if vowel not in right)
    return ReferenceVerdict(
        reference.name, nearest, distance, nearest in right, margin=best_wrong - best_right
    )


def verify(phoneme: str, measurement: Measurement, *, accent: str, gender: str = "") -> Verdict:
    """Judge a measured recording of ``phoneme`` (a monophthong or a diphthong)."""
    if phoneme in MONOPHTHONGS:
        judged = tuple(judge(phoneme, measurement, r) for r in references_for(accent, gender))
        rule, coloured = "", True
        if phoneme in RHOTIC.get(accent, ()):
            limit = RHOTIC_MAX_F3 * (WOMEN_FACTOR if gender == "female" else 1.0)
            rule, coloured = f"r-coloured: F3 < {limit:.0f} Hz", measurement.f3 < limit
        return Verdict(
            phoneme,
            all(r.passed for r in judged) and coloured,
            measurement,
            nearest=judged[0].nearest,
            distance=judged[0].distance,
            rule=rule,
            references=judged,
        )
    if phoneme in DIPHTHONGS:
        rule, test = GLIDES[phoneme]
        d1 = bark(measurement.end[0]) - bark(measurement.start[0])
        d2 = bark(measurement.end[1]) - bark(measurement.start[1])
        return Verdict(phoneme, test(d1, d2), measurement, rule=rule)
    raise ValueError(f"/{phoneme}/ is not a vowel; consonants are verified by verify_consonant")


# Consonants ----------------------------------------------------------------------------------

MIN_SOUND_MS = 150
MAX_EDGE_STEP = 0.1  # full scale is 1.0
VOICELESS_MAX_VOICED = 0.2
VOICED_MIN_VOICED = 0.7
VOICED_MAX_GAP_MS = 100
ALVEOLAR_MIN_HZ, POSTALVEOLAR_MIN_HZ = 5000, 2500
MURMUR_MIN_MS, MURMUR_MAX_F1, MURMUR_LOW_OVER_HIGH_DB = 60, 500, 6.0
LABIAL_VELAR_LOW_OVER_HIGH_DB = 18.0
_ONSET = (0.03, 0.09)  # s after the voicing starts: where an approximant is measured
_FRAME = 0.01  # s: the hop of every frame-wise measure
_SOUNDING_DB = 35  # a frame sounds when within this many dB of the loudest frame

# A fricative voiced when it should not be (or not when it should) is heard as its partner;
# a plosive with a voiced vowel after it is "pə", not /b/, so plosives name no partner.
VOICING_PAIRS = {"f": "v", "θ": "ð", "s": "z", "ʃ": "ʒ"}
VOICING_PAIRS |= {voiced: voiceless for voiceless, voiced in VOICING_PAIRS.items()}
SIBILANT_PLACE = {"s": "ʃ", "z": "ʒ", "ʃ": "s", "ʒ": "z"}  # the same voicing, other place


@dataclass(frozen=True)
class ConsonantMeasurement:
    sounding_ms: float
    voiced_fraction: float  # of the sounding frames
    voiceless_run_ms: float  # the longest run of sounding frames without voicing
    centroid_hz: float  # spectral centre of gravity, 1-11 kHz, middle half of the sound
    murmur_ms: float  # the longest run of nasal murmur
    onset: tuple[float, float, float] | None  # F1, F2, F3 30-90 ms into the voiced sound
    onset_low_db: float  # there, dB of energy under 1 kHz over the energy from 1 to 4 kHz
    edge_step: float  # largest sample-to-sample step in the first and last 10 ms


Test = Callable[[ConsonantMeasurement, float], bool]


@dataclass(frozen=True)
class Rule:
    words: str  # what the rule asks, for display ("voiced ≤ 20 %")
    test: Test  # (measurement, gender factor) -> passed
    heard_as: Callable[[str], str] = lambda phoneme: ""  # what a failure sounds like


def _onset(index: int) -> Callable[[ConsonantMeasurement], float]:
    return lambda m: m.onset[index] if m.onset else math.nan


_F1, _F2, _F3 = _onset(0), _onset(1), _onset(2)

SOUND = Rule("≥ 150 ms of sound", lambda m, k: m.sounding_ms >= MIN_SOUND_MS)
NO_CLICK = Rule("no click at either end", lambda m, k: m.edge_step <= MAX_EDGE_STEP)
VOICELESS = Rule(
    "voiced ≤ 20 %",
    lambda m, k: m.voiced_fraction <= VOICELESS_MAX_VOICED,
    lambda p: VOICING_PAIRS.get(p, ""),
)
VOICED = Rule(
    "voiced ≥ 70 %, no voiceless 100 ms",
    lambda m, k: m.voiced_fraction >= VOICED_MIN_VOICED and m.voiceless_run_ms <= VOICED_MAX_GAP_MS,
    lambda p: VOICING_PAIRS.get(p, ""),
)
ALVEOLAR = Rule(
    "centre of gravity ≥ 5 kHz",
    lambda m, k: m.centroid_hz >= ALVEOLAR_MIN_HZ,
    lambda p: SIBILANT_PLACE[p],
)
POSTALVEOLAR = Rule(
    "centre of gravity 2.5-5 kHz",
    lambda m, k: POSTALVEOLAR_MIN_HZ <= m.centroid_hz < ALVEOLAR_MIN_HZ,
    lambda p: SIBILANT_PLACE[p],
)
MURMUR = Rule("nasal murmur ≥ 60 ms", lambda m, k: m.murmur_ms >= MURMUR_MIN_MS)
LOW_F1_F2 = Rule(
    "onset F1, F2 < 1 kHz", lambda m, k: m.onset_low_db >= LABIAL_VELAR_LOW_OVER_HIGH_DB
)
HIGH_F2 = Rule("onset F2 > 1900 Hz", lambda m, k: _F2(m) > 1900 * k)
LOW_F3 = Rule("onset F3 < 2000 Hz", lambda m, k: _F3(m) < 2000 * k)
LATERAL = Rule(
    "onset F1 < 500 Hz, F3 − F2 ≥ 1000 Hz",
    lambda m, k: _F1(m) < 500 * k and _F3(m) - _F2(m) >= 1000 * k,
)

_VOICELESS_RULES = (SOUND, NO_CLICK, VOICELESS)
_VOICED_RULES = (SOUND, NO_CLICK, VOICED)
CONSONANT_RULES: dict[str, tuple[Rule, ...]] = {
    **dict.fromkeys(("p", "t", "k", "tʃ", "f", "θ", "h"), _VOICELESS_RULES),
    **dict.fromkeys(("b", "d", "ɡ", "dʒ", "v", "ð"), _VOICED_RULES),
    "s": (*_VOICELESS_RULES, ALVEOLAR),
    "ʃ": (*_VOICELESS_RULES, POSTALVEOLAR),
    "z": (*_VOICED_RULES, ALVEOLAR),
    "ʒ": (*_VOICED_RULES, POSTALVEOLAR),
    **dict.fromkeys(("m", "n", "ŋ"), (*_VOICED_RULES, MURMUR)),
    "w": (*_VOICED_RULES, LOW_F1_F2),
    "j": (*_VOICED_RULES, HIGH_F2),
    "r": (*_VOICED_RULES, LOW_F3),
    "l": (*_VOICED_RULES, LATERAL),
}


@dataclass(frozen=True)
class ConsonantVerdict:
    """A consonant's verdict: ``failures`` are the rules it does not meet, in words."""

    phoneme: str
    passed: bool
    measurement: ConsonantMeasurement
    failures: tuple[str, ...] = ()
    heard_as: str = ""

    @property
    def rule(self) -> str:
        return "; ".join(r.words for r in CONSONANT_RULES[self.phoneme])

    def as_metadata(self) -> dict:
        m = self.measurement
        return {
            "passed": self.passed,
            "sound_ms": round(m.sounding_ms),
            "voiced_percent": round(100 * m.voiced_fraction),
            "voiceless_run_ms": round(m.voiceless_run_ms),
            "centroid_hz": round(m.centroid_hz),
            "murmur_ms": round(m.murmur_ms),
            "onset_formants": [round(f) for f in m.onset] if m.onset else None,
            "onset_low_db": round(m.onset_low_db, 1),
            "edge_step": round(m.edge_step, 3),
            "rule": self.rule,
            "failures": list(self.failures),
            "heard_as": self.heard_as,
        }


def measure_consonant(samples: np.ndarray, sample_rate: int) -> ConsonantMeasurement:
    """What the consonant rules look at; :class:`MeasurementError` when there is no sound."""
    x = np.asarray(samples, dtype=np.float64)
    frame_times, frame_db = _frame_levels(x, sample_rate)
    if frame_db.size == 0 or frame_db.max() < -60:
        raise MeasurementError("no sound to measure")
    sounding = (frame_db > frame_db.max() - _SOUNDING_DB) & (frame_db > -60)
    indices = np.flatnonzero(sounding)
    first, last = float(frame_times[indices[0]]), float(frame_times[indices[-1]])
    sound = parselmouth.Sound(x, sample_rate)
    try:
        pitch = sound.to_pitch_ac(time_step=_FRAME, pitch_floor=60, pitch_ceiling=500)
        formants = _formants(sound)
    except parselmouth.PraatError as exc:
        raise MeasurementError(f"Praat cannot analyse the sound: {exc}".strip()) from exc
    times = pitch.xs()
    nearest_frame = np.clip(np.searchsorted(frame_times, times), 0, frame_times.size - 1)
    in_sound = sounding[nearest_frame]
    voiced = (pitch.selected_array["frequency"] > 0) & in_sound
    quarter = 0.25 * (last - first)
    onset = float(times[np.flatnonzero(voiced)[0]]) if voiced.any() else None
    return ConsonantMeasurement(
        sounding_ms=1000 * _FRAME * int(sounding.sum()),
        voiced_fraction=float(voiced.sum() / max(1, in_sound.sum())),
        voiceless_run_ms=1000 * _FRAME * _longest_run(in_sound & ~voiced),
        centroid_hz=_centroid(x, sample_rate, first + quarter, last - quarter),
        murmur_ms=_murmur_ms(x, sample_rate, times, voiced, formants),
        onset=_onset_formants(onset, formants),
        onset_low_db=_onset_low_db(x, sample_rate, onset),
        edge_step=_edge_step(x, sample_rate),
    )


def _longest_run(flags: np.ndarray) -> int:
    longest = run = 0
    for flag in flags:
        run = run + 1 if flag else 0
        longest = max(longest, run)
    return longest


def _frame_levels(x: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """Centre times and RMS levels (dBFS) of 20 ms frames every 10 ms."""
    hop, width = int(rate * _FRAME), int(rate * 2 * _FRAME)
    count = max(0, (x.size - width) // hop + 1)
    if count == 0:
        return np.zeros(0), np.zeros(0)
    frames = np.lib.stride_tricks.sliding_window_view(x, width)[::hop][:count]
    rms = np.sqrt((frames**2).mean(axis=1)) + 1e-10
    return (np.arange(count) * hop + width / 2) / rate, 20 * np.log10(rms)


def _power_spectrum(segment: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray]:
    spectrum = np.abs(np.fft.rfft(segment * np.hamming(segment.size))) ** 2
    return np.fft.rfftfreq(segment.size, 1 / rate), spectrum


def _centroid(x: np.ndarray, rate: int, start: float, end: float) -> float:
    """Mean spectral centre of gravity (1 kHz up to 11.025 kHz, Jongman et al.'s band at
    their 22 kHz sampling) of 40 ms Hamming windows, half overlapping, from start to end."""
    width = int(0.04 * rate)
    segment = x[int(start * rate) : int(end * rate)]
    if segment.size < width:
        segment = x[max(0, int(start * rate) - width // 2) : int(start * rate) + width]
    spectra = [
        _power_spectrum(segment[i : i + width], rate)[1]
        for i in range(0, max(1, segment.size - width + 1), width // 2)
        if segment[i : i + width].size == width
    ]
    if not spectra:
        return 0.0
    frequencies = np.fft.rfftfreq(width, 1 / rate)
    band = (frequencies >= 1000) & (frequencies <= min(11025, rate / 2))
    power = np.mean(spectra, axis=0)[band]
    return float((frequencies[band] * power).sum() / power.sum()) if power.sum() > 0 else 0.0


def _murmur_ms(x: np.ndarray, rate: int, times: np.ndarray, voiced: np.ndarray, formants) -> float:
    """The longest run of voiced frames that sound like a nasal murmur."""
    width = int(0.025 * rate)
    murmurs = np.zeros(times.size, dtype=bool)
    for index, (t, is_voiced) in enumerate(zip(times, voiced, strict=True)):
        if is_voiced:
            start = int(t * rate) - width // 2
            segment = x[max(0, start) : max(0, start) + width]
            f1 = formants.get_value_at_time(1, t)
            if segment.size == width and not math.isnan(f1) and f1 < MURMUR_MAX_F1:
                frequencies, power = _power_spectrum(segment, rate)
                low = power[frequencies < 500].sum()
                high = power[(frequencies >= 1000) & (frequencies < 5000)].sum()
                ratio_db = 10 * math.log10((low + 1e-20) / (high + 1e-20))
                murmurs[index] = ratio_db >= MURMUR_LOW_OVER_HIGH_DB
    return 1000 * _FRAME * _longest_run(murmurs)


def _onset_formants(onset: float | None, formants) -> tuple[float, float, float] | None:
    """Median F1, F2, F3 from 30 to 90 ms after the voicing starts at ``onset``."""
    if onset is None:
        return None
    lo, hi = onset + _ONSET[0], onset + _ONSET[1]
    try:
        return tuple(_median_formant(formants, number, lo, hi) for number in (1, 2, 3))
    except MeasurementError:
        return None


def _onset_low_db(x: np.ndarray, rate: int, onset: float | None) -> float:
    """dB of energy under 1 kHz over the energy from 1 to 4 kHz, 30 to 90 ms after ``onset``."""
    if onset is None:
        return -math.inf
    segment = x[int((onset + _ONSET[0]) * rate) : int((onset + _ONSET[1]) * rate)]
    if segment.size < 16:
        return -math.inf
    frequencies, power = _power_spectrum(segment, rate)
    low = power[frequencies < 1000].sum()
    high = power[(frequencies >= 1000) & (frequencies < 4000)].sum()
    return 10 * math.log10((low + 1e-20) / (high + 1e-20))


def _edge_step(x: np.ndarray, rate: int) -> float:
    """The largest step between neighbouring samples in the first and last 10 ms, counting
    the step from silence into the first sample and out of the last."""
    edge = max(1, int(rate * _FRAME))
    head = np.concatenate([[0.0], x[:edge]])
    tail = np.concatenate([x[-edge:], [0.0]])
    return float(max(np.abs(np.diff(head)).max(), np.abs(np.diff(tail)).max()))


def verify_consonant(
    phoneme: str, measurement: ConsonantMeasurement, *, gender: str = ""
) -> ConsonantVerdict:
    """Judge a measured recording of the consonant ``phoneme`` by its class's rules."""
    if phoneme not in CONSONANT_RULES:
        raise ValueError(f"/{phoneme}/ is not a consonant")
    factor = WOMEN_FACTOR if gender == "female" else 1.0
    failed = [r for r in CONSONANT_RULES[phoneme] if not r.test(measurement, factor)]
    heard = [r.heard_as(phoneme) for r in failed if r.heard_as(phoneme)]
    heard_as = _combine(phoneme, heard)
    return ConsonantVerdict(
        phoneme, not failed, measurement, tuple(r.words for r in failed), heard_as
    )


def _combine(phoneme: str, heard: list[str]) -> str:
    """A sibilant with both voicing and place wrong (/s/ said as [ʒ]) is heard as the one
    consonant that differs in both."""
    if len(heard) < 2:
        return heard[0] if heard else ""
    return VOICING_PAIRS[SIBILANT_PLACE[phoneme]]


def is_checkable(phoneme: str) -> bool:
    return phoneme in MONOPHTHONGS or phoneme in DIPHTHONGS or phoneme in CONSONANTS


@dataclass(frozen=True)
class Check:
    """The acoustic check of one recording: ``verdict`` is :data:`PASSED`, :data:`FAILED` or
    :data:`NOT_CHECKED` (not one of the 44 phonemes, or nothing measurable); ``heard_as`` is
    what a failing recording sounds like, in the chart's symbols ("" when no one phoneme
    says it); ``details`` the measurement and why, for display."""

    verdict: str
    heard_as: str = ""
    details: dict = field(default_factory=dict)
    judged: Verdict | ConsonantVerdict | None = None  # the judgement itself, for reports


def check(
    phoneme: str, samples: np.ndarray, sample_rate: int, *, accent: str, gender: str = ""
) -> Check:
    """Is ``samples`` (mono PCM, floats in [-1, 1]) a recording of ``phoneme``?

    The one acoustic check of the project: generated audio, uploads and ``verify_audio`` all
    come here. Women's recordings (``gender="female"``) are judged against women's formants.
    """
    if not is_checkable(phoneme):
        return Check(NOT_CHECKED, details={"error": f"/{phoneme}/ is not a phoneme of the chart"})
    if phoneme in CONSONANTS:
        try:
            consonant = verify_consonant(
                phoneme, measure_consonant(samples, sample_rate), gender=gender
            )
        except MeasurementError as exc:
            return Check(NOT_CHECKED, details={"error": str(exc)})
        details = consonant.as_metadata()
        heard_as = details.pop("heard_as")
        return Check(
            PASSED if consonant.passed else FAILED,
            heard_as="" if consonant.passed else heard_as,
            details=details,
            judged=consonant,
        )
    try:
        sound = parselmouth.Sound(np.asarray(samples, dtype=np.float64), sample_rate)
        measurement = measure(sound)
    except MeasurementError as exc:
        return Check(NOT_CHECKED, details={"error": str(exc)})
    verdict = verify(phoneme, measurement, accent=accent, gender=gender)
    details = verdict.as_metadata()
    details["reference"] = verdict.references[0].reference if verdict.references else ""
    heard_as = details.pop("heard_as")
    return Check(
        PASSED if verdict.passed else FAILED,
        heard_as="" if verdict.passed else heard_as,
        details=details,
        judged=verdict,
    )
