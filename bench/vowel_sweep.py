"""Vowel sweep: which eSpeak rendering of each monophthong is right under every reference.

For each accent's default voice (en-US: en-us, en-GB: en-gb-x-rp) and each of the 12
monophthongs, every vowel mnemonic of every English eSpeak voice is said alone (80 wpm, the
engine's loudness and MP3 round trip, as learners get it), measured with Praat and judged
against both published references of the accent (speech.references). The choice, per vowel:

1. the voice's own mnemonic, when it passes every reference by a margin;
2. otherwise the passing mnemonic (the voice's own table or a sibling English voice's)
   nearest the references' means;
3. F1/F2 corrections (eSpeak voice-file ``formant`` lines, 85-115 %) of the voice's own
   mnemonic compete with those mnemonics, and so do corrections of the two renderings
   nearest the means when no mnemonic is near them (within 0.6 Bark); the cheapest passing
   rendering wins, where the cost is the distance to the means plus a little for a sibling
   voice's table and for the size of a correction. The rendering in use stays when it passes
   and costs at most 0.1 more (eSpeak's noise moves formants by a few Hz between runs).

A rendering keeps the vowel's length: its voiced duration is within 15 % of the voice's own
mnemonic's (a long vowel is not said with a short one's mnemonic, nor the reverse).

    .venv/bin/python bench/vowel_sweep.py    # about three minutes

Prints the table and writes it to bench/results/vowel_sweep.txt, ending with the
PHONEME_OVERRIDES entries to put in backend/speech/tts/espeak.py. The margin is the distance
(Bark) from the nearest wrong vowel minus the distance from the nearest right one.
"""

import itertools
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "backend"))

import parselmouth  # noqa: E402

from speech import acoustics, references  # noqa: E402
from speech.decoding import decode_bytes  # noqa: E402
from speech.ipa import MONOPHTHONGS  # noqa: E402
from speech.pcm import encode_mp3, normalize_loudness  # noqa: E402
from speech.tts.espeak import (  # noqa: E402
    MNEMONICS,
    PHONEME_OVERRIDES,
    PHONEME_WPM,
    library,
    phoneme_input,
)

ACCENT_VOICES = {"en-US": "en-us", "en-GB": "en-gb-x-rp"}
VOICES = (
    "en-us", "en-us-nyc", "en", "en-gb-x-rp", "en-gb-scotland", "en-gb-x-gbclan",
    "en-gb-x-gbcwmd", "en-029",
)  # fmt: skip
# The monophthong mnemonics of eSpeak's English tables (centring and r-coloured ones left
# out: a vowel alone must not glide or carry an /r/).
MNEMONIC_CANDIDATES = (
    "i:", "i", "I", "I#", "I2", "e", "E", "E2", "E3", "a", "a#", "aa", "a2", "A:", "0", "0#",
    "O", "O:", "o:", "o", "U", "u:", "u", "V", "3:", "3", "@", "@2", "@5",
)  # fmt: skip
MIN_MARGIN = 0.15  # Bark: a rendering must be this much nearer a right vowel than a wrong one
MAX_LENGTH_CHANGE = 0.15  # of the voiced duration of the voice's own mnemonic
SCALES = [round(0.85 + 0.05 * i, 2) for i in range(7)]  # 85 % .. 115 %
F3_SCALES = [1.0, 0.95, 0.9, 0.85]  # for an r-coloured vowel (US /ɜː/): F3 lowered
CORRECTION_BASES = 3
SIBLING_COST = 0.2  # Bark-equivalent cost of another voice's phoneme table
CORRECTION_COST = 3.0  # per unit of |ln scale|: a 5 % formant correction costs 0.15
CORRECT_BEYOND = 0.6  # Bark: corrections are tried when no mnemonic is nearer the means
KEEP_WITHIN = 0.1  # the rendering in use stays unless another costs this much less
RESULTS = ROOT / "bench" / "results" / "vowel_sweep.txt"


@dataclass(frozen=True)
class Candidate:
    voice: str
    mnemonic: str
    scales: tuple[float, float, float] = (1.0, 1.0, 1.0)  # F1, F2, F3

    @property
    def voice_lines(self) -> tuple[str, ...]:
        return tuple(
            f"formant {number} {round(100 * scale)} 100 100"
            for number, scale in enumerate(self.scales, start=1)
            if scale != 1.0
        )

    @property
    def correction(self) -> float:
        return max(abs(math.log(scale)) for scale in self.scales)

    def __str__(self) -> str:
        lines = "".join(
            f" F{number}×{scale:.2f}"
            for number, scale in enumerate(self.scales, start=1)
            if scale != 1.0
        )
        return f"{self.voice}:{self.mnemonic}{lines}"


@dataclass(frozen=True)
class Judged:
    candidate: Candidate
    f1: float
    f2: float
    verdicts: tuple[acoustics.ReferenceVerdict, ...]
    passed: bool  # every reference, and r-coloured where the accent's vowel is
    f3: float
    target: float  # Bark: the largest, over references, distance to the nearest right vowel
    duration: float  # s of voiced sound

    @property
    def margin(self) -> float:
        return min(v.margin for v in self.verdicts)

    def row(self) -> str:
        cells = "  ".join(
            f"{v.nearest:3}{v.distance:5.2f} {'ok' if v.passed else '--'}" for v in self.verdicts
        )
        verdict = "PASS" if self.passed else "fail"
        return (
            f"{str(self.candidate):38}{self.f1:6.0f}{self.f2:6.0f}{self.f3:6.0f}"
            f"{1000 * self.duration:5.0f}ms  {cells}  "
            f"margin {self.margin:5.2f}  target {self.target:4.2f}  {verdict}"
        )


_measured: dict[Candidate, tuple[acoustics.Measurement, float] | None] = {}


def measure(candidate: Candidate) -> tuple[acoustics.Measurement, float] | None:
    """F1/F2 of ``candidate`` said alone, and its voiced duration (s)."""
    if candidate not in _measured:
        engine = library()
        try:
            pcm = engine.synthesize(
                f"[['{candidate.mnemonic}]]",
                voice=candidate.voice,
                wpm=PHONEME_WPM,
                voice_lines=candidate.voice_lines,
            )
            info = decode_bytes(
                encode_mp3(normalize_loudness(pcm, engine.sample_rate), engine.sample_rate)
            )
            sound = parselmouth.Sound(info.samples, info.sample_rate)
            pitch = sound.to_pitch(time_step=0.005, pitch_floor=60, pitch_ceiling=500)
            voiced = pitch.xs()[pitch.selected_array["frequency"] > 0]
            _measured[candidate] = acoustics.measure(sound), float(voiced[-1] - voiced[0])
        except Exception:  # noqa: BLE001 - a mnemonic a voice lacks is silence: skipped
            _measured[candidate] = None
    return _measured[candidate]


def judge(candidate: Candidate, phoneme: str, accent: str) -> Judged | None:
    measured = measure(candidate)
    if measured is None:
        return None
    measurement, duration = measured
    refs = references.references_for(accent)
    verdict = acoustics.verify(phoneme, measurement, accent=accent)
    target = max(
        min(d for d, vowel in acoustics.classify(measurement, r) if vowel in r.expected[phoneme])
        for r in refs
    )
    return Judged(
        candidate,
        measurement.f1,
        measurement.f2,
        verdict.references,
        verdict.passed,
        measurement.f3,
        target,
        duration,
    )


def current_candidate(phoneme: str, voice: str) -> Candidate:
    said = phoneme_input(phoneme, voice)
    scales = [1.0, 1.0, 1.0]
    for line in said.voice_lines:
        _, number, percent, *_ = line.split()
        scales[int(number) - 1] = int(percent) / 100
    return Candidate(said.voice, said.text.strip("[]'"), tuple(scales))


def cost(judged: Judged, own: str) -> float:
    """What a rendering costs: its distance to the references' means (Bark, the worse of the
    two), plus a little for a sibling voice's table and more for a formant correction."""
    sibling = SIBLING_COST if judged.candidate.voice != own else 0.0
    return judged.target + sibling + CORRECTION_COST * judged.candidate.correction


def choose(phoneme: str, accent: str, out: list[str]) -> Judged:
    own = ACCENT_VOICES[accent]
    out.append(f"\n== {accent} /{phoneme}/ ==")
    current = judge(current_candidate(phoneme, own), phoneme, accent)
    out.append(f"  current   {current.row()}")
    default = judge(Candidate(own, MNEMONICS[phoneme]), phoneme, accent)
    out.append(f"  default   {default.row()}")
    if default.passed and default.margin >= MIN_MARGIN:
        out.append(f"  CHOSEN    {default.row()}  (the voice's own mnemonic passes)")
        return default
    plain = [
        judged
        for voice, mnemonic in itertools.product(VOICES, MNEMONIC_CANDIDATES)
        if (judged := judge(Candidate(voice, mnemonic), phoneme, accent)) is not None
        and abs(judged.duration / default.duration - 1) <= MAX_LENGTH_CHANGE
    ]
    plain.sort(key=lambda j: cost(j, own))
    passing = [j for j in plain if j.passed and j.margin >= MIN_MARGIN]
    out.append(
        f"  mnemonics of the vowel's length passing every reference by ≥ {MIN_MARGIN}: "
        f"{len(passing)} (cheapest first)"
    )
    out += [f"    {j.row()}  cost {cost(j, own):.2f}" for j in passing[:5]]
    # The voice's own mnemonic corrected competes always; the renderings nearest the means
    # corrected too when no mnemonic is near them.
    bases = [default]
    if not passing or passing[0].target > CORRECT_BEYOND:
        nearest = sorted(plain, key=lambda j: j.target)
        bases += [j for j in nearest if j.candidate != default.candidate][: CORRECTION_BASES - 1]
    out.append("  formant corrections of:")
    out += [f"    {j.row()}" for j in bases]
    f3_scales = F3_SCALES if phoneme in acoustics.RHOTIC.get(accent, ()) else [1.0]
    corrected = [
        judged
        for base in bases
        for scales in itertools.product(SCALES, SCALES, f3_scales)
        if scales != (1.0, 1.0, 1.0)
        and (
            judged := judge(
                Candidate(base.candidate.voice, base.candidate.mnemonic, scales),
                phoneme,
                accent,
            )
        )
        is not None
        and judged.passed
        and judged.margin >= MIN_MARGIN
    ]
    corrected.sort(key=lambda j: cost(j, own))
    out.append(f"  corrections passing: {len(corrected)} (cheapest first)")
    out += [f"    {j.row()}  cost {cost(j, own):.2f}" for j in corrected[:4]]
    ranked = sorted(passing + corrected, key=lambda j: cost(j, own))
    current_ok = current.passed and current.margin >= MIN_MARGIN
    if ranked and current_ok and cost(current, own) <= cost(ranked[0], own) + KEEP_WITHIN:
        # eSpeak's noise moves formants by a few Hz between runs: near-ties keep the code's.
        chosen, why = current, f"the one in use, within {KEEP_WITHIN} of the cheapest"
    elif ranked:
        chosen, why = ranked[0], f"the cheapest that passes, cost {cost(ranked[0], own):.2f}"
    else:
        out.append("  NO RENDERING PASSES: the voice's own mnemonic is kept")
        chosen, why = default, "nothing passes"
    out.append(f"  CHOSEN    {chosen.row()}  ({why})")
    return chosen


def override_literal(accent: str, phoneme: str, chosen: Judged) -> str | None:
    own = ACCENT_VOICES[accent]
    candidate = chosen.candidate
    if candidate == Candidate(own, MNEMONICS[phoneme]):
        return None
    voice = f', "{candidate.voice}"' if candidate.voice != own else ""
    lines = candidate.voice_lines
    if lines:
        voice = f', "{candidate.voice}"' if candidate.voice != own else ', ""'
        voice += f", ({', '.join(repr(line) for line in lines)},)"
    return (
        f'        "{phoneme}": Rendering("{candidate.mnemonic}"{voice}),'
        f"  # F1 {chosen.f1:.0f} F2 {chosen.f2:.0f}, margin {chosen.margin:.2f}"
    )


def main() -> None:
    started = time.perf_counter()
    engine = library()
    info = engine.lib.espeak_Info
    info.restype = __import__("ctypes").c_char_p
    out = [
        "Vowel sweep (bench/vowel_sweep.py)",
        f"eSpeak NG {info(None).decode()}, {PHONEME_WPM} wpm, loudness-normalised and MP3 "
        "round-tripped as served, measured with Praat (speech.acoustics.measure).",
        "Columns: rendering, F1, F2, F3, voiced ms, then per reference: nearest vowel, its "
        "distance (Bark), ok; US /ɜː/ must also be r-coloured (F3 < 2000 Hz);",
        "margin = distance from the nearest wrong vowel minus from the nearest right one (min "
        "over references); target = largest distance to a right vowel.",
    ]
    for accent, refs in references.MEN.items():
        out.append(f"{accent} references: " + "; ".join(f"{r.name} ({r.measured})" for r in refs))
    summary, overrides = [], {}
    for accent in ACCENT_VOICES:
        for phoneme in MONOPHTHONGS:
            chosen = choose(phoneme, accent, out)
            summary.append((accent, phoneme, chosen))
            literal = override_literal(accent, phoneme, chosen)
            if literal:
                overrides.setdefault(ACCENT_VOICES[accent], []).append(literal)
    out.append("\nSummary (chosen renderings)")
    for accent in ACCENT_VOICES:
        rows = [(p, c) for a, p, c in summary if a == accent]
        right = sum(c.passed for _, c in rows)
        out.append(f"{accent}: {right}/{len(rows)} pass every reference")
        out += [f"  /{p}/{' ' * (4 - len(p))}{c.row()}" for p, c in rows]
    out.append("\nPHONEME_OVERRIDES (vowels) for backend/speech/tts/espeak.py:")
    for voice, lines in overrides.items():
        out.append(f'    "{voice}": {{')
        out += lines
        out.append("    },")
    existing = {v: sorted(o) for v, o in PHONEME_OVERRIDES.items()}
    out.append(f"(overrides in the code when this ran: {existing})")
    out.append(f"\n{len(_measured)} renderings measured in {time.perf_counter() - started:.0f} s")
    text = "\n".join(out) + "\n"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
