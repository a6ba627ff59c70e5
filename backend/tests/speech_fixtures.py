"""Recordings of known content for measuring the speech checks, generated on the fly.

Deterministic (seeded) and cheap: each set is built once per process (``functools.cache``)
and holds a few hundred short clips at 16 kHz.

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


TOKENS_PER_VOWEL = 4


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
