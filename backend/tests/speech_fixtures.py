"""Recordings of known content for measuring the speech checks, generated on the fly.

Cheap: each set is built once per process (``functools.cache``) and holds a few hundred
short clips at 16 kHz. The vowels and the junk are exactly reproducible (seeded); eSpeak NG's
words are not quite (its noise and timings differ from call to call), so their scores move by
a clip or two between runs.

- :func:`vowel_tokens`: vowels from Praat's Klatt synthesizer (``Create KlattGrid from
  vowel``, a cascade formant synthesizer after Klatt & Klatt 1990), in men's voices (F0
  110-130 Hz) and women's (200-230 Hz). Formants come from the two published studies of each
  accent and voice that the learner is judged against (:mod:`speech.references`), tokens
  alternating between them, each moved by up to ±5 % (seeded): the figures measure the
  measuring chain (pitch, formant ceiling, length, F3) and a speaker's spread around the
  means, not how far the studies' speakers are from every learner's dialect. Each vowel is said
  right and as the vowel Vietnamese learners typically put in its place (``SUBSTITUTIONS``):
  the long/short partner with the partner's length, /æ/ as [e], US /ɜː/ as the
  non-r-coloured Vietnamese "ơ" (F3 about 2500 Hz instead of 1700).
- :func:`word_tokens`: words said by eSpeak NG from phoneme mnemonics, in men's and women's
  voices (eSpeak's ``+f`` variants), US and GB, right and with the learner's error: the final
  consonant dropped, the -s or -ed left off, /θ/ said as [t] or [s], /ʃ/ as [s], a long
  vowel said short, the stress on the wrong syllable.
- :func:`junk_tokens`: what no check should judge: silence, noise, a square wave, a clipped
  vowel, a whisper-quiet one, a clip too short.
"""

import functools
import math
from dataclasses import dataclass

import numpy as np
import parselmouth
from parselmouth.praat import call

from speech import references

RATE = 16000
SEED = 20261205

# Peterson & Barney (1952) Table II, F1 F2 F3 (Hz), in the chart's symbols.
PB_MEN = {
    "iː": (270, 2290, 3010), "ɪ": (390, 1990, 2550), "e": (530, 1840, 2480),
    "æ": (660, 1720, 2410), "ʌ": (640, 1190, 2390), "ɑː": (730, 1090, 2440),
    "ɔː": (570, 840, 2410), "ʊ": (440, 1020, 2240), "uː": (300, 870, 2240),
    "ɜː": (490, 1350, 1690),
}  # fmt: skip
PB_WOMEN = {
    "iː": (310, 2790, 3310), "ɪ": (430, 2480, 3070), "e": (610, 2330, 2990),
    "æ": (860, 2050, 2850), "ʌ": (760, 1400, 2780), "ɑː": (850, 1220, 2810),
    "ɔː": (590, 920, 2710), "ʊ": (470, 1160, 2680), "uː": (370, 950, 2670),
    "ɜː": (500, 1640, 1960),
}  # fmt: skip
# The Vietnamese "ơ" [ɤ]/[əː]: mid central, no r-colouring (F3 of a neutral tract).
VIETNAMESE_O = {"male": (480, 1350, 2500), "female": (520, 1600, 2900)}

LONG = {"iː", "uː", "ɑː", "ɔː", "ɜː"}
LONG_MS, SHORT_MS = 320, 160
# Target vowel -> what a Vietnamese learner typically says instead.
SUBSTITUTIONS = {
    "iː": "ɪ", "ɪ": "iː", "e": "æ", "æ": "e", "ʌ": "ɑː", "ɑː": "ʌ", "ʊ": "uː", "uː": "ʊ",
    "ɔː": "ʊ", "ɒ": "ɔː", "ɜː": "e",
}  # fmt: skip
US_SUBSTITUTIONS = {**{k: v for k, v in SUBSTITUTIONS.items() if k != "ɒ"}, "ɜː": "ơ"}


@dataclass(frozen=True)
class Clip:
    """One generated recording: what it is meant to be (``target``), what was said
    (``said``), and whether a check should answer ``ok``."""

    accent: str
    voice: str  # "male" / "female"
    target: str
    said: str
    right: bool
    samples: np.ndarray
    rate: int = RATE

    @property
    def group(self) -> str:
        return f"{'women' if self.voice == 'female' else 'men'} {self.accent[3:]}"


def klatt_vowel(
    f0: float, formants: tuple[float, ...], duration: float, *, rate: int = RATE
) -> np.ndarray:
    """A vowel from Praat's KlattGrid: F0 falling 10 % over the vowel (as in a citation
    word), formants F1..F3 (F4 and F5 set 1 kHz apart above F3), 30 ms fades."""
    f1, f2, f3 = formants[:3]
    grid = call(
        "Create KlattGrid from vowel",
        "v", duration, f0, f1, 60 + f1 / 20, f2, 80 + f2 / 40, f3, 120, f3 + 1000, 0.05, 1000,
    )  # fmt: skip
    call(grid, "Remove pitch points between", 0, duration)
    call(grid, "Add pitch point", 0.0, f0 * 1.05)
    call(grid, "Add pitch point", duration, f0 * 0.95)
    sound = call(grid, "To Sound")
    sound = call(sound, "Resample", rate, 50)
    x = sound.values[0].astype(np.float64)
    fade = int(0.03 * rate)
    ramp = np.linspace(0, 1, fade)
    x[:fade] *= ramp
    x[-fade:] *= ramp[::-1]
    x = 0.5 * x / (np.abs(x).max() + 1e-12)
    pad = np.zeros(int(0.15 * rate))
    return np.concatenate([pad, x, pad])


def _formant_tables(accent: str, voice: str) -> list[dict[str, tuple[float, float, float]]]:
    """The accent's two studies (:func:`speech.references.references_for`) in chart symbols,
    with F3: Peterson & Barney's for US vowels, a neutral tract's for British ones (whose
    NURSE is not r-coloured)."""
    chart = references.US_TO_CHART
    pb_f3 = PB_MEN if voice == "male" else PB_WOMEN
    neutral_f3 = 2500 if voice == "male" else 2900
    tables = []
    for reference in references.references_for(accent, voice):
        table = {}
        for symbol, (f1, f2) in reference.formants.items():
            vowel = chart.get(symbol, symbol) if accent == "en-US" else symbol
            if vowel == "ə":
                continue
            f3 = pb_f3[vowel][2] if accent == "en-US" else neutral_f3
            table[vowel] = (f1, f2, max(f3, f2 + 400))
        tables.append(table)
    return tables


TOKENS_PER_VOWEL = 3


@functools.cache
def vowel_tokens() -> tuple[Clip, ...]:
    """Every monophthong (but schwa), right and substituted, TOKENS_PER_VOWEL times, for
    each accent and voice."""
    rng = np.random.default_rng(SEED)
    clips = []
    for accent in ("en-US", "en-GB"):
        substitutions = US_SUBSTITUTIONS if accent == "en-US" else SUBSTITUTIONS
        for voice in ("male", "female"):
            tables = _formant_tables(accent, voice)
            for target, substitute in substitutions.items():
                if target not in tables[0]:
                    continue
                for said in (target, substitute):
                    for token in range(TOKENS_PER_VOWEL):
                        table = tables[token % len(tables)]
                        if said == "ơ":
                            formants, long = VIETNAMESE_O[voice], True
                        else:
                            formants, long = table[said], said in LONG
                        scale = rng.uniform(0.95, 1.05, size=3)
                        f0 = rng.uniform(110, 130) if voice == "male" else rng.uniform(200, 230)
                        ms = (LONG_MS if long else SHORT_MS) * rng.uniform(0.9, 1.1)
                        x = klatt_vowel(f0, tuple(np.array(formants) * scale), ms / 1000)
                        clips.append(Clip(accent, voice, target, said, said == target, x))
    return tuple(clips)


@functools.cache
def junk_tokens() -> tuple[tuple[str, np.ndarray], ...]:
    """(kind, samples at RATE) that no check may judge."""
    rng = np.random.default_rng(SEED + 1)
    t = np.arange(int(0.6 * RATE)) / RATE
    vowel = klatt_vowel(120, (730, 1090, 2440), 0.4)
    square = 0.4 * np.sign(np.sin(2 * math.pi * 200 * t))
    return (
        ("silence", np.zeros(int(0.8 * RATE))),
        ("hiss", 0.2 * rng.standard_normal(int(0.8 * RATE))),
        ("square wave", square),
        ("square wave 120 Hz", 0.4 * np.sign(np.sin(2 * math.pi * 120 * t))),
        ("clipped", np.clip(vowel * 8, -0.99, 0.99)),
        ("too quiet", vowel * 0.0005),
        ("too short", klatt_vowel(120, (730, 1090, 2440), 0.05)[int(0.12 * RATE) :][:800]),
        ("noisy", _peak(vowel + 0.4 * rng.standard_normal(vowel.size), 0.8)),
    )


def _peak(x: np.ndarray, peak: float) -> np.ndarray:
    return peak * x / np.abs(x).max()


def as_sound(samples: np.ndarray, rate: int = RATE) -> parselmouth.Sound:
    return parselmouth.Sound(np.asarray(samples, dtype=np.float64), rate)


# Word fixtures: eSpeak NG mnemonics (https://github.com/espeak-ng/espeak-ng/blob/master/docs/
# phonemes.md: ' primary stress, T = θ, S = ʃ, I = ɪ, i: = iː, a = æ, V = ʌ, 3: = ɜː).
WORD_VOICES = {
    ("en-US", "male"): ("en-us", "en-us+m3"),
    ("en-US", "female"): ("en-us+f3", "en-us+f2"),
    ("en-GB", "male"): ("en-gb-x-rp", "en-gb-x-rp+m3"),
    ("en-GB", "female"): ("en-gb-x-rp+f3", "en-gb-x-rp+f2"),
}
WORD_WPM = (140, 175)


@dataclass(frozen=True)
class WordCase:
    """One word of a check's fixture set: what the check is asked (``check``, ``params``),
    the mnemonics said right and said with the learner's error (``None``: a right word
    only)."""

    check: str
    word: str
    params: tuple[tuple[str, object], ...]
    right: str
    wrong: str | None
    error: str  # what the wrong form stands for


def _case(check: str, word: str, right: str, wrong: str | None, error: str, **params) -> WordCase:
    return WordCase(check, word, tuple(sorted(params.items())), right, wrong, error)


WORD_CASES: tuple[WordCase, ...] = (
    # Final consonant present and released; dropped in the wrong form.
    _case("final_consonant", "light", "l'aIt", "l'aI", "final dropped", consonant="t"),
    _case("final_consonant", "like", "l'aIk", "l'aI", "final dropped", consonant="k"),
    _case("final_consonant", "tight", "t'aIt", "t'aI", "final dropped", consonant="t"),
    _case("final_consonant", "seat", "s'i:t", "s'i:", "final dropped", consonant="t"),
    _case("final_consonant", "back", "b'ak", "b'a", "final dropped", consonant="k"),
    _case("final_consonant", "bad", "b'ad", "b'a", "final dropped", consonant="d"),
    _case("final_consonant", "seed", "s'i:d", "s'i:", "final dropped", consonant="d"),
    _case("final_consonant", "line", "l'aIn", "l'aI", "final dropped", consonant="n"),
    _case("final_consonant", "ram", "r'am", "r'a", "final dropped", consonant="m"),
    _case("final_consonant", "help", "h'Elp", "h'El", "final dropped", consonant="p"),
    # Final /s z/ (plural, third person): present, or left off.
    _case("final_s", "cats", "k'ats", "k'at", "-s dropped"),
    _case("final_s", "desks", "d'Esks", "d'Esk", "-s dropped"),
    _case("final_s", "books", "b'Uks", "b'Uk", "-s dropped"),
    _case("final_s", "dogs", "d'0gz", "d'0g", "-s dropped"),
    _case("final_s", "plays", "pl'eIz", "pl'eI", "-s dropped"),
    # -ed as /ɪd/ (an extra syllable), /d/, /t/; left off in the wrong form.
    _case("ed", "wanted", "w'0ntId", "w'0nt", "-ed dropped", form="ɪd", stem_syllables=1),
    _case("ed", "needed", "n'i:dId", "n'i:d", "-ed dropped", form="ɪd", stem_syllables=1),
    _case("ed", "played", "pl'eId", "pl'eI", "-ed dropped", form="d", stem_syllables=1),
    _case("ed", "showed", "S'oUd", "S'oU", "-ed dropped", form="d", stem_syllables=1),
    _case("ed", "walked", "w'O:kt", "w'O:k", "-ed dropped", form="t", stem_syllables=1, after="k"),
    _case("ed", "missed", "m'Ist", "m'Is", "-ed dropped", form="t", stem_syllables=1, after="s"),
    # /θ/ said as [t] or [s], at the start or the end of the word.
    _case("th", "think", "T'INk", "t'INk", "θ as t", position="initial"),
    _case("th", "think ", "T'INk", "s'INk", "θ as s", position="initial"),
    _case("th", "three", "Tr'i:", "tr'i:", "θ as t", position="initial"),
    _case("th", "thank", "T'aNk", "s'aNk", "θ as s", position="initial"),
    _case("th", "thin", "T'In", "t'In", "θ as t", position="initial"),
    _case("th", "bath", "b'A:T", "b'A:t", "θ as t", position="final"),
    _case("th", "mouth", "m'aUT", "m'aUs", "θ as s", position="final"),
    # /ʃ/ and /s/ swapped, both ways.
    _case("sh_s", "ship", "S'Ip", "s'Ip", "ʃ as s", target="ʃ", position="initial"),
    _case("sh_s", "she", "S'i:", "s'i:", "ʃ as s", target="ʃ", position="initial"),
    _case("sh_s", "shoe", "S'u:", "s'u:", "ʃ as s", target="ʃ", position="initial"),
    _case("sh_s", "wash", "w'0S", "w'0s", "ʃ as s", target="ʃ", position="final"),
    _case("sh_s", "sea", "s'i:", "S'i:", "s as ʃ", target="s", position="initial"),
    _case("sh_s", "sip", "s'Ip", "S'Ip", "s as ʃ", target="s", position="initial"),
    # Long vowels said short and short ones held long: the right word with its vowel
    # squeezed to 55 % or stretched to 180 % (Praat's PSOLA), judged against the model word
    # (the accent's default eSpeak voice at 175 wpm).
    _case("length", "sheep", "S'i:p", None, "long said short", long=True),
    _case("length", "seat", "s'i:t", None, "long said short", long=True),
    _case("length", "pool", "p'u:l", None, "long said short", long=True),
    _case("length", "heart", "h'A:t", None, "long said short", long=True),
    _case("length", "ship", "S'Ip", None, "short held long", long=False),
    _case("length", "full", "f'Ul", None, "short held long", long=False),
    _case("length", "cut", "k'Vt", None, "short held long", long=False),
    # Two-syllable stress pairs, the stress on the wrong syllable.
    _case("stress", "record (n)", "r'Ek0:d", "rEk'0:d", "stress moved", syllable=1),
    _case("stress", "record (v)", "rIk'0:d", "r'Ik0:d", "stress moved", syllable=2),
    _case("stress", "present (n)", "pr'Ez@nt", "prEz'Ent", "stress moved", syllable=1),
    _case("stress", "present (v)", "prIz'Ent", "pr'Iz@nt", "stress moved", syllable=2),
    _case("stress", "object (n)", "'0bdZEkt", "0bdZ'Ekt", "stress moved", syllable=1),
    _case("stress", "desert", "d'Ez@t", "dIz'3:t", "stress moved", syllable=1),
    _case("stress", "dessert", "dIz'3:t", "d'Ez@t", "stress moved", syllable=2),
    _case("stress", "contract (v)", "k@ntr'akt", "k'0ntrakt", "stress moved", syllable=2),
)


@dataclass(frozen=True)
class WordClip:
    case: WordCase
    accent: str
    voice: str
    right: bool
    samples: np.ndarray
    rate: int
    extra: tuple[tuple[str, object], ...] = ()

    @property
    def group(self) -> str:
        return f"{'women' if self.voice == 'female' else 'men'} {self.accent[3:]}"

    @property
    def params(self) -> dict:
        return dict(self.case.params) | dict(self.extra)


def espeak_word(mnemonics: str, *, voice: str, wpm: int) -> tuple[np.ndarray, int]:
    """eSpeak NG saying ``mnemonics``: (floats peaking at 0.5, with 150 ms of silence around
    the word, resampled to RATE)."""
    from speech.tts.espeak import library

    engine = library()
    pcm = engine.synthesize(f"[[{mnemonics}]]", voice=voice, wpm=wpm).astype(np.float64)
    sound = call(parselmouth.Sound(pcm, engine.sample_rate), "Resample", RATE, 50)
    x = sound.values[0]
    x = 0.5 * x / (np.abs(x).max() + 1e-12)
    pad = np.zeros(int(0.15 * RATE))
    return np.concatenate([pad, x, pad]), RATE


@functools.cache
def word_tokens() -> tuple[WordClip, ...]:
    """Every case right and wrong, in each accent and voice, at two speaking rates."""
    clips = []
    for (accent, voice), names in WORD_VOICES.items():
        for index, case in enumerate(WORD_CASES):
            # Each case in one of the two voices and rates per accent and sex (alternating).
            name, wpm = names[index % 2], WORD_WPM[(index // 2) % 2]
            if case.check == "length":
                clips += _length_clips(case, accent, voice, name, wpm)
                continue
            for right, mnemonics in ((True, case.right), (False, case.wrong)):
                samples, rate = espeak_word(mnemonics, voice=name, wpm=wpm)
                clips.append(WordClip(case, accent, voice, right, samples, rate))
    return tuple(clips)


MODEL_VOICES = {"en-US": "en-us", "en-GB": "en-gb-x-rp"}


def _length_clips(case: WordCase, accent: str, voice: str, name: str, wpm: int) -> list:
    from speech.wordchecks import analyse, vowel_share

    model, rate = espeak_word(case.right, voice=MODEL_VOICES[accent], wpm=175)
    extra = (("model_share", vowel_share(model, rate)),)
    samples, rate = espeak_word(case.right, voice=name, wpm=wpm)
    first, last = analyse(samples, rate).vowels[0]
    factor = 0.55 if case.params[0][1] else 1.8  # ("long", True) is the only parameter
    wrong = with_vowel_length(samples, rate, (first * 0.01, (last + 2) * 0.01), factor)
    return [
        WordClip(case, accent, voice, True, samples, rate, extra),
        WordClip(case, accent, voice, False, wrong, rate, extra),
    ]


def with_vowel_length(
    samples: np.ndarray, rate: int, span: tuple[float, float], factor: float
) -> np.ndarray:
    """``samples`` with the stretch ``span`` (s) made ``factor`` times as long (Praat's
    overlap-add resynthesis, the pitch kept)."""
    sound = parselmouth.Sound(samples, rate)
    manipulation = call(sound, "To Manipulation", 0.01, 75, 600)
    tier = call("Create DurationTier", "length", 0, sound.duration)
    start, end = span
    for time, value in ((start - 0.001, 1), (start, factor), (end, factor), (end + 0.001, 1)):
        call(tier, "Add point", time, value)
    call([manipulation, tier], "Replace duration tier")
    out = call(manipulation, "Get resynthesis (overlap-add)").values[0].copy()
    # Overlap-add leaves a faint hum (-43 dB) in the silences: gate 10 ms blocks under -40 dB.
    hop = int(0.01 * rate)
    blocks = out[: out.size // hop * hop].reshape(-1, hop)
    quiet = np.sqrt((blocks**2).mean(axis=1)) < 0.01 * np.abs(out).max()
    blocks[quiet] = 0.0
    return out


# Scores: the share of right answers per check and voice group, for the benchmark and the
# test that holds them.


@dataclass
class Tally:
    right: int = 0
    total: int = 0

    def add(self, good: bool) -> None:
        self.right += bool(good)
        self.total += 1

    @property
    def share(self) -> float:
        return self.right / self.total if self.total else math.nan


def _named(clip: Clip, heard: str) -> bool:
    """Whether ``heard`` names what was said ("ơ", the Vietnamese vowel, is heard as /ə/)."""
    return heard == ("ə" if clip.said == "ơ" else clip.said)


def score_vowels(feedback, measure) -> dict[tuple[str, str], Tally]:
    """{(row, group): Tally} for ``feedback(clip, measurement)`` -> VowelFeedback-like and
    ``measure(clip)`` -> measurement (raising for a refusal). Rows: "correct vowel ok",
    "substitution rejected", "substitution named"."""
    tallies: dict[tuple[str, str], Tally] = {}

    def tally(row: str, group: str) -> Tally:
        return tallies.setdefault((row, group), Tally())

    for clip in vowel_tokens():
        try:
            result = feedback(clip, measure(clip))
        except Exception:  # refused or unmeasurable: not an "ok", not a named vowel
            result = None
        verdict = result.verdict if result else ""
        if clip.right:
            tally("correct vowel ok", clip.group).add(verdict == "ok")
        else:
            tally("substitution rejected", clip.group).add(result is not None and verdict != "ok")
            tally("substitution named", clip.group).add(
                result is not None and _named(clip, result.heard_as)
            )
    return tallies


def score_words() -> dict[tuple[str, str], Tally]:
    """{(check, group): Tally} of :mod:`speech.wordchecks` on :func:`word_tokens`: right
    words answered ok, wrong ones not_ok (cannot_judge counts as a miss)."""
    from speech.wordchecks import CHECKS, NOT_OK, OK

    tallies: dict[tuple[str, str], Tally] = {}
    for clip in word_tokens():
        verdict = CHECKS[clip.case.check](clip.samples, clip.rate, **clip.params).verdict
        expected = OK if clip.right else NOT_OK
        tallies.setdefault((clip.case.check, clip.group), Tally()).add(verdict == expected)
    return tallies


JUNK_CALLS = {
    "final_consonant": {"consonant": "t"},
    "final_s": {},
    "ed": {"form": "t", "stem_syllables": 1},
    "th": {"position": "initial"},
    "sh_s": {"target": "s"},
    "length": {"long": True, "model_share": 0.5},
    "stress": {"syllable": 1},
}


def score_junk(vowel_refuses) -> dict[tuple[str, str], Tally]:
    """{(check, "junk"): Tally} of junk answered cannot_judge (refused, for the vowel)."""
    from speech.wordchecks import CANNOT_JUDGE, CHECKS

    tallies: dict[tuple[str, str], Tally] = {}
    for _kind, samples in junk_tokens():
        tallies.setdefault(("vowel", "junk"), Tally()).add(vowel_refuses(samples))
        for name, params in JUNK_CALLS.items():
            verdict = CHECKS[name](samples, RATE, **params).verdict
            tallies.setdefault((name, "junk"), Tally()).add(verdict == CANNOT_JUDGE)
    return tallies


def by_row(tallies: dict[tuple[str, str], Tally]) -> dict[str, Tally]:
    """The tallies summed over the groups."""
    rows: dict[str, Tally] = {}
    for (row, _group), tally in tallies.items():
        total = rows.setdefault(row, Tally())
        total.right += tally.right
        total.total += tally.total
    return rows
