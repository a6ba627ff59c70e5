"""Checks on a learner's recording of a word, one contrast each: did they make it?

Each check is a pure function ``check_<name>(samples, rate, **what_the_word_needs)`` over mono
floats in [-1, 1] and returns a :class:`WordVerdict`: ``ok``, ``not_ok`` or ``cannot_judge``
(clipped, too quiet, noise, no voice, too short or too long for a word, or not the shape the
check needs, e.g. one syllable where two are asked for), with the measurement it rests on
and, for ``not_ok``, what was heard instead. A check never guesses: when the audio does not
show what it needs, it says it cannot judge.

All checks read one analysis (:func:`analyse`): 10 ms frames of 25 ms Hamming windows with
their level, their energy above 3 kHz, their spectral centre of gravity (1-8 kHz) and Praat's
voicing. From it:

- the **word** is the span of frames within 45 dB of the loudest;
- its **vowels** (syllable nuclei) are runs of voiced frames within 20 dB of the loudest
  whose centre of gravity is under 4.5 kHz (higher, it is a voiced /z ʒ/),
  split where the level dips 4 dB or more between two peaks (Mermelstein 1975's
  dip-based syllable counting);
- the **tail** is what follows the last vowel: *releases* are runs of sounding frames
  (within 40 dB of the loudest) after a gap or a dip of 8 dB, *frication* is unvoiced sound
  whose centre of gravity is 3 kHz or more.

The rules, and where their thresholds come from (tuned on the eSpeak NG fixtures of
``tests/speech_fixtures.py``; the figures are in the README):

- final consonant: a stop, affricate or fricative is present and released when a burst or
  frication rises after the vowel (8 dB over the closure, to within 32 dB of the loudest
  frame; "tight" against "tie"); a nasal when the vowel ends in a murmur (voiced, with all
  but 1.5 dB of its energy under 500 Hz) of 40 ms or more;
- final /s z/: frication with a centre of gravity of 3.5 kHz or more at the end, 90 ms or
  more of it, or 30 ms or more when voiced for at least 30 % of it (a /t/'s release alone is
  shorter than /s/ and voiceless, /z/ shorter but voiced);
- -ed: /ɪd/ adds a syllable; /t d/ add a release after the vowel, or after the stem's own
  (walk → walked: two) or its fricative (miss → missed);
- /θ/ against /t/ and /s/: /t/'s burst and aspiration last under 65 ms (at the end of a
  word, after a closure: a dip and a rise of the level); /s/ is loud frication (median level
  within 22 dB of the loudest frame: Jongman et al. 2000 found /s/ 10-15 dB above /θ/);
  /θ/ is weak and long;
- /ʃ/ against /s/: centre of gravity of the frication, /s/ at 5 kHz or more (Jongman et al.
  2000: 6133 and 4229 Hz on average);
- vowel length: the vowel's odds (its duration over the rest of the word's) against the same
  in the model recording of the word: a long vowel under 0.8 times the model's was said
  short, a short one over 1.4 times held long (Peterson & Lehiste 1960: tense vowels about
  1.5 times as long as lax ones in the same frame);
- stress in a two-syllable word: the stressed syllable is louder (peak level), longer and
  higher (peak F0) (Fry 1955, 1958); the three cues are added in units of 3 dB, a factor of
  1.5 and a factor of 1.1, and a sum under 0.3 either way cannot be judged.
"""

import functools
import math
from dataclasses import dataclass, field

import numpy as np

OK, NOT_OK, CANNOT_JUDGE = "ok", "not_ok", "cannot_judge"

HOP_S, WINDOW_S = 0.01, 0.025
WORD_DB, VOWEL_DB, SOUNDING_DB = 45.0, 20.0, 40.0
DIP_DB = 4.0
VOWEL_MAX_CENTROID_HZ = 4500.0  # a voiced frame centred higher is a voiced sibilant (/z/)
RELEASE_DIP_DB = 8.0
RELEASE_DB = 32.0  # a release reaches within this many dB of the loudest frame
FRICATION_MIN_HZ = 3000.0
MIN_WORD_S, MAX_WORD_S = 0.15, 2.5
MIN_PEAK_DBFS = -40.0
MAX_NOISE_FLOOR_DB = -25.0  # the quietest tenth of frames, relative to the loudest
CLIPPED_FRACTION = 0.002
MIN_VOICED_S = 0.05

MURMUR_MIN_LOW_DB, MURMUR_MIN_S = -1.5, 0.04
FINAL_S_MIN_S, FINAL_S_MIN_HZ = 0.09, 3500.0
FINAL_Z_MIN_S, FINAL_Z_VOICED = 0.03, 0.3
SH_S_BOUNDARY_HZ = 5000.0
TH_S_MIN_DB = -22.0  # /s/'s median level relative to the loudest frame; /θ/ is weaker
TH_MIN_S = 0.065  # a /t/'s burst and aspiration are shorter than a fricative
# The vowel's odds (its share of the word against the rest) over the model's: a long vowel
# said short falls under LONG_MIN_RATIO, a short one held long rises over SHORT_MAX_RATIO.
LONG_MIN_RATIO, SHORT_MAX_RATIO = 0.8, 1.4
STRESS_LEVEL_DB, STRESS_LENGTH, STRESS_PITCH = 3.0, 1.5, 1.1
STRESS_MIN_SCORE = 0.3  # under this, the two syllables are too alike to say

STOPS = {"p", "b", "t", "d", "k", "ɡ", "g", "tʃ", "dʒ"}
FRICATIVES = {"f", "v", "θ", "ð", "s", "z", "ʃ", "ʒ"}
NASALS = {"m", "n", "ŋ"}

# Why a recording cannot be judged, in Vietnamese (with the English reason after it).
CANNOT_JUDGE_VI = {
    "clipped": "Bản ghi bị rè vì quá to: để micro xa miệng hơn rồi ghi lại (clipped).",
    "too_quiet": "Bản ghi quá nhỏ: nói to hơn hoặc để micro gần hơn (too quiet).",
    "noisy": "Có quá nhiều tiếng ồn: hãy ghi lại ở nơi yên tĩnh hơn (too noisy).",
    "no_voice": "Không nghe thấy giọng nói trong bản ghi (no voice).",
    "too_short": "Bản ghi quá ngắn để là cả một từ: hãy nói trọn từ (too short).",
    "too_long": "Bản ghi quá dài: chỉ nói một từ rồi dừng (too long).",
    "syllables": (
        "Số âm tiết không khớp với từ: hãy nói đúng một lần từ này (wrong syllable count)."
    ),
    "not_found": "Không tìm thấy phần âm cần kiểm tra: hãy nói rõ cả từ (not found).",
}


@dataclass(frozen=True)
class WordVerdict:
    """``verdict`` is OK, NOT_OK or CANNOT_JUDGE; ``heard`` what a NOT_OK sounds like
    (a phoneme, "" or a word such as "no -s"); ``reason`` why it cannot be judged (a key of
    CANNOT_JUDGE_VI); ``measurement`` the figures it rests on (seconds, dB, Hz);
    ``marks`` the times (s) of what a picture should show (the vowel, the release)."""

    check: str
    verdict: str
    measurement: dict = field(default_factory=dict)
    heard: str = ""
    reason: str = ""
    marks: dict = field(default_factory=dict)

    @property
    def message_vi(self) -> str:
        return CANNOT_JUDGE_VI.get(self.reason, "")


class Unjudgeable(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Analysis:
    rate: int
    times: np.ndarray  # frame centres (s)
    level: np.ndarray  # dB relative to the loudest frame
    high: np.ndarray  # dB of energy above 3 kHz, relative to the loudest frame
    centroid: np.ndarray  # Hz, 1-8 kHz
    low: np.ndarray  # dB of energy under 500 Hz relative to the frame's level
    f0: np.ndarray  # Hz, 0 where unvoiced
    word: tuple[int, int]  # first and last frame of the word
    vowels: tuple[tuple[int, int], ...]  # first and last frame of each vowel

    @property
    def voiced(self) -> np.ndarray:
        return self.f0 > 0

    def seconds(self, first: int, last: int) -> float:
        return (last - first + 1) * HOP_S

    def time(self, index: int) -> float:
        return round(float(self.times[index]), 3)


def _frames(x: np.ndarray, rate: int) -> tuple[np.ndarray, ...]:
    hop, width = int(HOP_S * rate), int(WINDOW_S * rate)
    count = (x.size - width) // hop + 1
    windows = np.lib.stride_tricks.sliding_window_view(x, width)[::hop][:count]
    power = np.abs(np.fft.rfft(windows * np.hamming(width), axis=1)) ** 2
    frequencies = np.fft.rfftfreq(width, 1 / rate)
    level = 10 * np.log10(power.sum(axis=1) + 1e-20)
    high = 10 * np.log10(power[:, frequencies >= FRICATION_MIN_HZ].sum(axis=1) + 1e-20)
    low = 10 * np.log10(power[:, frequencies < 500].sum(axis=1) + 1e-20) - level
    band = (frequencies >= 1000) & (frequencies <= 8000)
    centroid = (power[:, band] * frequencies[band]).sum(axis=1) / (
        power[:, band].sum(axis=1) + 1e-20
    )
    times = (np.arange(count) * hop + width / 2) / rate
    return times, level, high, centroid, low


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of each run of True."""
    runs, start = [], None
    for index, flag in enumerate(flags):
        if flag and start is None:
            start = index
        elif not flag and start is not None:
            runs.append((start, index - 1))
            start = None
    if start is not None:
        runs.append((start, len(flags) - 1))
    return runs


def _split_at_dips(level: np.ndarray, first: int, last: int) -> list[tuple[int, int]]:
    """Split a run of frames where the level dips DIP_DB or more below the peaks on both
    sides (a syllable boundary inside a voiced stretch: "wanted")."""
    smooth = np.convolve(level, np.ones(3) / 3, mode="same")
    parts, start = [], first
    index = first + 1
    while index < last:
        left = smooth[start : index + 1].max()
        right = smooth[index : last + 1].max()
        is_minimum = smooth[index] <= smooth[index - 1] and smooth[index] <= smooth[index + 1]
        deep = is_minimum and min(left, right) - smooth[index] >= DIP_DB
        if deep and index - start >= 3 and last - index >= 3:
            parts.append((start, index))
            start = index + 1
        index += 1
    parts.append((start, last))
    return parts


def analyse(samples: np.ndarray, rate: int) -> Analysis:
    """The frames of a word recording; :class:`Unjudgeable` when it cannot be judged."""
    import parselmouth

    x = np.asarray(samples, dtype=np.float64)
    if x.size < int(MIN_WORD_S * rate):
        raise Unjudgeable("too_short")
    peak = float(np.abs(x).max())
    if peak <= 0 or 20 * math.log10(peak) < MIN_PEAK_DBFS:
        raise Unjudgeable("too_quiet")
    sounding = np.abs(x) > 0.01 * peak
    if peak >= 0.98 and (np.abs(x) >= 0.99 * peak).sum() > CLIPPED_FRACTION * sounding.sum():
        raise Unjudgeable("clipped")
    times, level, high, centroid, low = _frames(x, rate)
    loudest = level.max()
    level, high = level - loudest, high - loudest
    pitch = parselmouth.Sound(x, rate).to_pitch(time_step=HOP_S, pitch_floor=60, pitch_ceiling=500)
    pitch_times, pitch_values = pitch.xs(), pitch.selected_array["frequency"]
    nearest = np.clip(np.searchsorted(pitch_times, times), 0, max(0, pitch_times.size - 1))
    f0 = pitch_values[nearest] if pitch_times.size else np.zeros(times.size)
    loud = np.flatnonzero(level > -WORD_DB)
    first, last = int(loud[0]), int(loud[-1])
    duration = (last - first + 1) * HOP_S
    if duration < MIN_WORD_S:
        raise Unjudgeable("too_short")
    if duration > MAX_WORD_S:
        raise Unjudgeable("too_long")
    if np.percentile(level, 10) > MAX_NOISE_FLOOR_DB:
        raise Unjudgeable("noisy")
    nucleus = (f0 > 0) & (level > -VOWEL_DB) & (centroid < VOWEL_MAX_CENTROID_HZ)
    if nucleus.sum() * HOP_S < MIN_VOICED_S:
        raise Unjudgeable("no_voice")
    vowels = []
    for start, end in _runs(nucleus):
        if end - start >= 2:
            vowels += _split_at_dips(level, start, end)
    if not vowels:
        raise Unjudgeable("no_voice")
    return Analysis(rate, times, level, high, centroid, low, f0, (first, last), tuple(vowels))


def _judged(check: str, samples: np.ndarray, rate: int, judge) -> WordVerdict:
    try:
        analysis = analyse(samples, rate)
        return judge(analysis)
    except Unjudgeable as exc:
        return WordVerdict(check, CANNOT_JUDGE, reason=exc.reason)


def _tail(a: Analysis) -> tuple[int, int]:
    """The frames after the last vowel up to the end of the word (empty: first > last)."""
    return a.vowels[-1][1] + 1, a.word[1]


def _releases(a: Analysis, first: int, last: int) -> list[tuple[int, int]]:
    """Bursts and frications in ``first..last``: where the level rises RELEASE_DIP_DB or more
    above its lowest since the vowel (or the previous release) to within RELEASE_DB of the
    loudest frame; each lasts until it falls RELEASE_DIP_DB below its own peak."""
    releases: list[tuple[int, int]] = []
    if first > last:
        return releases
    low, start, peak = float(a.level[first]), None, -math.inf
    for index in range(first, last + 1):
        level = float(a.level[index])
        if start is None:
            low = min(low, level)
            if level - low >= RELEASE_DIP_DB and level > -RELEASE_DB:
                start, peak = index, level
        else:
            peak = max(peak, level)
            if level <= peak - RELEASE_DIP_DB or level <= -SOUNDING_DB:
                releases.append((start, index - 1))
                start, low = None, level
    if start is not None:
        releases.append((start, last))
    return releases


def _frication(a: Analysis, first: int, last: int, *, min_hz: float) -> np.ndarray:
    """Indices in ``first..last`` of unvoiced sounding frames centred at ``min_hz`` or more."""
    index = np.arange(first, last + 1)
    if index.size == 0:
        return index
    keep = (a.level[index] > -SOUNDING_DB) & (a.f0[index] == 0) & (a.centroid[index] >= min_hz)
    return index[keep]


def _final_releases(
    a: Analysis, first: int, last: int, *, after_vowel: bool = True
) -> list[tuple[int, int]]:
    """The releases after the vowel; with none, a voiced stop's release, which follows its
    voice bar without a rise in level, shows as frication (unvoiced, centred high). After a
    fricative (``after_vowel`` false) only a rise counts: the fricative's own fading tail is
    frication too."""
    releases = _releases(a, first, last)
    if not releases and after_vowel:
        hiss = _frication(a, first, last, min_hz=FINAL_S_MIN_HZ)
        hiss = hiss[a.level[hiss] > -RELEASE_DB]
        if hiss.size:
            releases = [(int(hiss[0]), int(hiss[-1]))]
    return releases


def check_final_consonant(samples: np.ndarray, rate: int, *, consonant: str) -> WordVerdict:
    """Is the word's final ``consonant`` there (and released, for a stop)?"""

    def judge(a: Analysis) -> WordVerdict:
        vowel_end = a.vowels[-1][1]
        first, last = vowel_end + 1, a.word[1]
        if consonant in NASALS:
            # The murmur continues the voicing with the energy low in frequency.
            run, longest = 0, 0
            vowel = a.level[a.vowels[-1][0] : vowel_end + 1]
            start = a.vowels[-1][0] + int(np.argmax(vowel))
            for index in range(start, a.word[1] + 1):
                murmur = a.f0[index] > 0 and a.low[index] >= MURMUR_MIN_LOW_DB
                run = run + 1 if murmur else 0
                longest = max(longest, run)
            murmur_s = longest * HOP_S
            ok = murmur_s >= MURMUR_MIN_S
            return WordVerdict(
                "final_consonant",
                OK if ok else NOT_OK,
                {"murmur_s": round(murmur_s, 3)},
                heard="" if ok else "∅",
                marks={"vowel": [a.time(a.vowels[-1][0]), a.time(vowel_end)]},
            )
        releases = _final_releases(a, first, last)
        release_s = sum(a.seconds(*r) for r in releases)
        ok = bool(releases)
        marks = {"vowel": [a.time(a.vowels[-1][0]), a.time(vowel_end)]}
        if releases:
            marks["release"] = [a.time(releases[-1][0]), a.time(releases[-1][1])]
        return WordVerdict(
            "final_consonant",
            OK if ok else NOT_OK,
            {"release_s": round(release_s, 3), "releases": len(releases)},
            heard="" if ok else "∅",
            marks=marks,
        )

    return _judged("final_consonant", samples, rate, judge)


def check_final_s(samples: np.ndarray, rate: int) -> WordVerdict:
    """Does the word end in /s/ or /z/ (frication at the end)?"""

    def judge(a: Analysis) -> WordVerdict:
        first, last = a.vowels[-1][1] + 1, a.word[1]
        # /z/ is often voiced at its start: frication counts voiced or not.
        index = np.arange(first, last + 1)
        hissing = index[(a.level[index] > -SOUNDING_DB) & (a.centroid[index] >= FINAL_S_MIN_HZ)]
        runs = _runs(np.isin(np.arange(first, last + 1), hissing))
        final = max(((s + first, e + first) for s, e in runs), default=None, key=lambda r: r[1])
        hiss_s = a.seconds(*final) if final else 0.0
        voiced = float((a.f0[final[0] : final[1] + 1] > 0).mean()) if final else 0.0
        # A plosive's release is as hissy as /s/ but short and voiceless; /z/ is short too
        # but voiced for part of its length.
        ok = hiss_s >= FINAL_S_MIN_S or (hiss_s >= FINAL_Z_MIN_S and voiced >= FINAL_Z_VOICED)
        marks = {"vowel": [a.time(a.vowels[-1][0]), a.time(a.vowels[-1][1])]}
        if final:
            marks["hiss"] = [a.time(final[0]), a.time(final[1])]
        return WordVerdict(
            "final_s",
            OK if ok else NOT_OK,
            {"hiss_s": round(hiss_s, 3), "voiced": round(voiced, 2)},
            heard="" if ok else "no -s",
            marks=marks,
        )

    return _judged("final_s", samples, rate, judge)


def check_ed(
    samples: np.ndarray, rate: int, *, form: str, stem_syllables: int, after: str = ""
) -> WordVerdict:
    """Is the -ed ending said, as ``form`` ("ɪd", "t" or "d")? ``stem_syllables`` is the
    number of syllables without it; ``after`` the stem's last sound (a stop or fricative
    there has its own release, which the ending's must follow)."""

    def judge(a: Analysis) -> WordVerdict:
        syllables = len(a.vowels)
        if form in ("ɪd", "id", "əd"):
            if syllables not in (stem_syllables, stem_syllables + 1):
                raise Unjudgeable("syllables")
            ok = syllables == stem_syllables + 1
            return WordVerdict(
                "ed",
                OK if ok else NOT_OK,
                {"syllables": syllables, "expected": stem_syllables + 1},
                heard="" if ok else "no -ed",
                marks={"vowel": [a.time(a.vowels[-1][0]), a.time(a.vowels[-1][1])]},
            )
        if syllables != stem_syllables:
            raise Unjudgeable("syllables")
        first, last = a.vowels[-1][1] + 1, a.word[1]
        if after in FRICATIVES:
            # The stem's fricative follows the vowel: the ending is a release after it.
            noise = _frication(a, first, last, min_hz=FINAL_S_MIN_HZ)
            if noise.size:
                # The fricative ends where its level falls RELEASE_DIP_DB under its peak
                # (the /t/'s closure); a release after that is the ending's.
                peak, end = -math.inf, last
                for index in range(int(noise[0]), last + 1):
                    peak = max(peak, float(a.level[index]))
                    if a.level[index] <= peak - RELEASE_DIP_DB:
                        end = index - 1
                        break
                first = end + 1
        releases = _final_releases(a, first, last, after_vowel=after not in FRICATIVES)
        needed = 2 if after in STOPS else 1
        ok = len(releases) >= needed
        marks = {"vowel": [a.time(a.vowels[-1][0]), a.time(a.vowels[-1][1])]}
        if releases:
            marks["release"] = [a.time(releases[-1][0]), a.time(releases[-1][1])]
        return WordVerdict(
            "ed",
            OK if ok else NOT_OK,
            {"releases": len(releases), "expected": needed},
            heard="" if ok else "no -ed",
            marks=marks,
        )

    return _judged("ed", samples, rate, judge)


def _fricative_span(a: Analysis, *, position: str) -> tuple[int, int] | None:
    """The frames of the consonant noise before the first vowel (``initial``) or after the
    last (``final``)."""
    if position == "initial":
        first, last = a.word[0], a.vowels[0][0] - 1
    else:
        first, last = a.vowels[-1][1] + 1, a.word[1]
    index = np.arange(first, last + 1)
    if index.size == 0:
        return None
    noisy = index[(a.level[index] > -SOUNDING_DB) & (a.f0[index] == 0)]
    if noisy.size == 0:
        return None
    return int(noisy[0]), int(noisy[-1])


def check_th(
    samples: np.ndarray, rate: int, *, position: str = "initial", target: str = "θ"
) -> WordVerdict:
    """Is the sound at the start (or end) of the word ``target`` (/θ/, or the /t/ or /s/ of
    the other word of a th pair), heard as /θ/, [t] or [s]?"""

    def judge(a: Analysis) -> WordVerdict:
        span = _fricative_span(a, position=position)
        if span is None:
            raise Unjudgeable("not_found")
        first, last = span
        # The noise's own level: its median, without the frames that run into the vowel.
        body = a.level[first : max(first + 1, last - 1 if position == "initial" else last + 1)]
        level = float(np.median(body))
        centroid = float(np.median(a.centroid[first : last + 1]))
        noise_s = a.seconds(first, last)
        if position == "initial":
            burst = noise_s < TH_MIN_S
        else:
            # A stop has a closure: the level dips between the vowel and the release.
            burst = bool(_releases(a, a.vowels[-1][1] + 1, a.word[1])) and noise_s < 2 * TH_MIN_S
        if burst:
            heard = "t"
        elif level >= TH_S_MIN_DB:
            heard = "s"
        else:
            heard = "θ"
        return WordVerdict(
            "th",
            OK if heard == target else NOT_OK,
            {
                "noise_s": round(noise_s, 3),
                "noise_db": round(level, 1),
                "centroid_hz": round(centroid),
                "burst": burst,
            },
            heard="" if heard == target else heard,
            marks={"consonant": [a.time(first), a.time(last)]},
        )

    return _judged("th", samples, rate, judge)


def check_sh_s(
    samples: np.ndarray, rate: int, *, target: str, position: str = "initial"
) -> WordVerdict:
    """Is the sibilant at the start (or end) of the word the ``target`` ("ʃ" or "s")?"""

    def judge(a: Analysis) -> WordVerdict:
        span = _fricative_span(a, position=position)
        if span is None or a.seconds(*span) < 0.03:
            raise Unjudgeable("not_found")
        first, last = span
        centroid = float(np.median(a.centroid[first : last + 1]))
        heard = "s" if centroid >= SH_S_BOUNDARY_HZ else "ʃ"
        return WordVerdict(
            "sh_s",
            OK if heard == target else NOT_OK,
            {"centroid_hz": round(centroid), "noise_s": round(a.seconds(first, last), 3)},
            heard="" if heard == target else heard,
            marks={"consonant": [a.time(first), a.time(last)]},
        )

    return _judged("sh_s", samples, rate, judge)


def vowel_share(samples: np.ndarray, rate: int) -> float:
    """The vowel's share of a one-syllable word's duration; :class:`Unjudgeable` when the
    recording cannot be judged or has not one syllable."""
    a = analyse(samples, rate)
    if len(a.vowels) != 1:
        raise Unjudgeable("syllables")
    return a.seconds(*a.vowels[0]) / a.seconds(*a.word)


def check_length(samples: np.ndarray, rate: int, *, long: bool, model_share: float) -> WordVerdict:
    """Is the word's vowel said long (``long``) or short, against the model recording of the
    same word, whose vowel takes ``model_share`` of it (:func:`vowel_share`)? A share is
    roughly independent of the speaking rate; comparing it with the same word said right
    removes what the consonants around the vowel take."""

    def judge(a: Analysis) -> WordVerdict:
        if len(a.vowels) != 1:
            raise Unjudgeable("syllables")
        first, last = a.vowels[0]
        vowel_s, word_s = a.seconds(first, last), a.seconds(*a.word)
        share = min(vowel_s / word_s, 0.95)
        # Odds (vowel against the rest of the word), which keep growing where a share
        # saturates: a word that is mostly vowel ("pool") still shows its vowel stretched.
        ratio = (share / (1 - share)) / (model_share / (1 - min(model_share, 0.95)))
        ok = ratio >= LONG_MIN_RATIO if long else ratio <= SHORT_MAX_RATIO
        heard = "" if ok else ("short" if long else "long")
        return WordVerdict(
            "length",
            OK if ok else NOT_OK,
            {
                "vowel_s": round(vowel_s, 3),
                "word_s": round(word_s, 3),
                "share": round(share, 2),
                "model_share": round(model_share, 2),
                "ratio": round(ratio, 2),
            },
            heard=heard,
            marks={"vowel": [a.time(first), a.time(last)]},
        )

    return _judged("length", samples, rate, judge)


def check_stress(samples: np.ndarray, rate: int, *, syllable: int) -> WordVerdict:
    """Is the stress of a two-syllable word on ``syllable`` (1 or 2)?"""

    def judge(a: Analysis) -> WordVerdict:
        if len(a.vowels) != 2:
            raise Unjudgeable("syllables")
        cues = []
        for first, last in a.vowels:
            voiced = a.f0[first : last + 1]
            cues.append(
                (
                    float(a.level[first : last + 1].max()),
                    a.seconds(first, last),
                    float(voiced.max()) if voiced.any() else 0.0,
                )
            )
        (l1, d1, p1), (l2, d2, p2) = cues
        # Each cue in units of the difference that counts: 3 dB, 1.5 times, 1.1 times.
        score = (l1 - l2) / STRESS_LEVEL_DB + math.log(d1 / d2) / math.log(STRESS_LENGTH)
        if p1 and p2:
            score += math.log(p1 / p2) / math.log(STRESS_PITCH)
        if abs(score) < STRESS_MIN_SCORE:
            raise Unjudgeable("not_found")
        stressed = 1 if score > 0 else 2
        return WordVerdict(
            "stress",
            OK if stressed == syllable else NOT_OK,
            {
                "stressed": stressed,
                "score": round(score, 2),
                "level_db": [round(l1, 1), round(l2, 1)],
                "length_s": [round(d1, 3), round(d2, 3)],
                "pitch_hz": [round(p1), round(p2)],
            },
            heard="" if stressed == syllable else f"syllable {stressed}",
            marks={"syllables": [[a.time(f), a.time(last)] for f, last in a.vowels]},
        )

    return _judged("stress", samples, rate, judge)


CHECKS = {
    "final_consonant": check_final_consonant,
    "final_s": check_final_s,
    "ed": check_ed,
    "th": check_th,
    "sh_s": check_sh_s,
    "length": check_length,
    "stress": check_stress,
}


# Which check a word of a minimal pair gets, from the pair's kind and the two transcriptions.


@dataclass(frozen=True)
class WordTask:
    """The check to run on a recording of one word: ``check`` (a key of CHECKS), its
    parameters (``model_share`` for length is measured on the model recording by the
    caller), and what it listens for, in Vietnamese (``focus_vi``)."""

    check: str
    params: dict
    focus_vi: str


# The vowels of the long/short pairs: True for the long one.
LENGTH_VOWELS = {
    "iː": True, "uː": True, "ɑː": True, "ɔː": True, "ɜː": True,
    "ɪ": False, "ʊ": False, "ʌ": False, "ɒ": False, "æ": False,
}  # fmt: skip


def _position(tokens: list[str], sounds: set[str]) -> str | None:
    if tokens and tokens[0] in sounds:
        return "initial"
    if tokens and tokens[-1] in sounds:
        return "final"
    return None


def _syllables(tokens: list[str]) -> int:
    from speech.ipa import VOWELS

    return sum(token in VOWELS for token in tokens)


def word_task(kind: str, ipa: str, other_ipa: str) -> WordTask | None:
    """What to check on a recording of the word ``ipa`` from a pair of ``kind`` whose other
    word is ``other_ipa``; ``None`` when no check judges that word's contrast (a plain
    ``pair``, a /ð/, a final /l/)."""
    from speech.ipa import primary_stress_syllable, tokenize_ipa

    tokens, other = tokenize_ipa(ipa), tokenize_ipa(other_ipa)
    if not tokens:
        return None
    last = tokens[-1]
    if kind == "final_consonant" or (kind == "cluster" and len(tokens) <= len(other)):
        if last in STOPS | FRICATIVES | NASALS:
            return WordTask(
                "final_consonant", {"consonant": last}, f"âm cuối /{last}/ có được bật ra không"
            )
        return None
    if kind == "cluster":
        if last in ("s", "z"):
            return WordTask("final_s", {}, "tiếng xì /s/ ở cuối từ")
        if last in STOPS | FRICATIVES:
            return WordTask(
                "final_consonant", {"consonant": last}, f"âm cuối /{last}/ có được bật ra không"
            )
        return None
    if kind == "ending":
        stem_length = len(other) if len(other) < len(tokens) else len(tokens)
        ending = tokens[stem_length:]
        if not ending:  # the bare stem: its own final sound
            if last in STOPS | FRICATIVES | NASALS:
                return WordTask(
                    "final_consonant", {"consonant": last}, f"âm cuối /{last}/ của từ gốc"
                )
            return None
        if ending[-1] in ("s", "z"):
            return WordTask("final_s", {}, "đuôi -s ở cuối từ")
        if ending[-1] in ("t", "d"):
            form = "ɪd" if len(ending) == 2 else ending[-1]
            stem = tokens[: len(tokens) - len(ending)]
            params = {"form": form, "stem_syllables": _syllables(stem), "after": stem[-1]}
            focus = "âm tiết thêm của đuôi -ed" if form == "ɪd" else "đuôi -ed (/t/ hay /d/)"
            return WordTask("ed", params, focus)
        return None
    if kind == "th":
        for sound in ("θ", "t", "s"):
            position = _position(tokens, {sound})
            if position is None:
                continue
            if sound == "θ" or _position(other, {"θ"}) == position:
                return WordTask(
                    "th", {"position": position, "target": sound}, f"âm /{sound}/ của từ"
                )
        return None
    if kind == "sh_s":
        for sound in ("ʃ", "s"):
            position = _position(tokens, {sound})
            if position:
                return WordTask(
                    "sh_s", {"target": sound, "position": position}, f"âm /{sound}/ của từ"
                )
        return None
    if kind == "length":
        vowels = [token for token in tokens if token in LENGTH_VOWELS]
        if not vowels or _syllables(tokens) != 1:
            return None
        long = LENGTH_VOWELS[vowels[0]]
        focus = "nguyên âm dài" if long else "nguyên âm ngắn"
        return WordTask("length", {"long": long}, f"độ dài của {focus}")
    if kind == "stress":
        syllable = primary_stress_syllable(ipa.split()[-1] if ipa.split() else ipa)
        if syllable not in (0, 1) or _syllables(tokenize_ipa(ipa.split()[-1])) != 2:
            return None
        return WordTask("stress", {"syllable": syllable + 1}, "trọng âm của từ")
    return None


def hint_vi(task: WordTask, verdict: WordVerdict) -> str:
    """What the learner reads about the verdict, in Vietnamese."""
    if verdict.verdict == CANNOT_JUDGE:
        return verdict.message_vi
    if verdict.verdict == OK:
        return {
            "final_consonant": "Tốt: nghe rõ âm cuối.",
            "final_s": "Tốt: nghe rõ tiếng xì ở cuối.",
            "ed": "Tốt: nghe rõ đuôi -ed.",
            "th": "Tốt: đúng âm đầu/cuối của từ.",
            "sh_s": "Tốt: đúng âm /ʃ/ hay /s/.",
            "length": "Tốt: độ dài nguyên âm vừa đúng.",
            "stress": "Tốt: nhấn đúng âm tiết.",
        }[task.check]
    params = task.params
    if task.check == "final_consonant":
        return (
            f"Chưa nghe thấy âm cuối /{params['consonant']}/: đừng nuốt âm, hãy đóng miệng "
            "đúng chỗ rồi bật nhẹ hơi ra ở cuối từ."
        )
    if task.check == "final_s":
        return "Chưa nghe thấy tiếng xì /s/ (hay /z/) ở cuối từ: kết thúc bằng một tiếng 'xì' rõ."
    if task.check == "ed":
        if params["form"] == "ɪd":
            return "Đuôi -ed ở đây là một âm tiết thêm /ɪd/: đọc thành hai nhịp (want-ed)."
        return "Chưa nghe thấy đuôi -ed: sau âm cuối của từ gốc, thêm một âm /t/ hay /d/ gọn."
    if task.check == "th":
        heard = verdict.heard
        if params["target"] == "θ":
            said = "/t/ (bật hơi)" if heard == "t" else "/s/ (xì mạnh)"
            return (
                f"Nghe như {said}: đặt đầu lưỡi giữa hai hàm răng và thổi hơi nhẹ, "
                "không chạm, không xì."
            )
        return f"Nghe như âm khác /{heard}/: từ này dùng /{params['target']}/."
    if task.check == "sh_s":
        if params["target"] == "ʃ":
            return "Nghe như /s/: tròn môi, lùi lưỡi về sau một chút cho tiếng 'sh' trầm hơn."
        return "Nghe như /ʃ/: môi dẹt, đầu lưỡi sát lợi cho tiếng 'xì' cao và mảnh."
    if task.check == "length":
        if params["long"]:
            return "Nguyên âm quá ngắn: đây là nguyên âm dài, hãy kéo dài hơn."
        return "Nguyên âm quá dài: đây là nguyên âm ngắn, hãy nói gọn hơn."
    syllable = "đầu" if params["syllable"] == 1 else "thứ hai"
    return f"Trọng âm chưa đúng: nhấn âm tiết {syllable} (to hơn, dài hơn, cao giọng hơn)."


# The model word: eSpeak NG saying the word (the offline engine, so it is always there), for
# the learner to hear beside their take and for the length check to compare with.
MODEL_VOICES = {"en-US": "en-us", "en-GB": "en-gb-x-rp"}
MODEL_WPM = 175


@functools.lru_cache(maxsize=256)
def model_word(ipa: str, accent: str) -> tuple[np.ndarray, int]:
    """(samples, rate) of eSpeak NG saying ``ipa`` in the accent's default voice; raises
    :class:`speech.tts.base.TTSError` when eSpeak cannot."""
    from speech.tts.espeak import library, word_input

    engine = library()
    pcm = engine.synthesize(word_input(ipa), voice=MODEL_VOICES.get(accent, "en-us"), wpm=MODEL_WPM)
    samples = pcm.astype(np.float64) / 32768.0
    samples.setflags(write=False)
    return samples, engine.sample_rate


def model_vowel_share(ipa: str, accent: str) -> float | None:
    """The vowel's share of the model word (:func:`vowel_share`); ``None`` when it cannot be
    measured."""
    from speech.tts.base import TTSError

    try:
        samples, rate = model_word(ipa, accent)
        return vowel_share(samples, rate)
    except (Unjudgeable, TTSError):
        return None


def judge_word(task: WordTask, samples: np.ndarray, rate: int, *, ipa: str, accent: str):
    """Run ``task`` on a recording of the word ``ipa``: the :class:`WordVerdict` (the length
    check is measured against the model word, and cannot judge without it)."""
    params = dict(task.params)
    if task.check == "length":
        share = model_vowel_share(ipa, accent)
        if share is None:
            return WordVerdict("length", CANNOT_JUDGE, reason="not_found")
        params["model_share"] = share
    return CHECKS[task.check](samples, rate, **params)
