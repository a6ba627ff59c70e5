"""Consonant sweep: how each consonant is said alone so that it passes the consonant check.

Each consonant is said in each default voice (en-us, en-gb-x-rp) in every candidate shape,
in order of preference (eSpeak's plain shape first: the one used before this sweep), three
times (eSpeak's noise sources are random), through the engine's loudness and MP3 round trip,
and judged by ``speech.acoustics.check``. The chosen shape is the first that passes all three
times in both voices with room to spare: voiced at most 10 % (voiceless consonants) or at
least 80 % (voiced ones), 10 points inside the rule's limit. Consonants with no candidate
list are said as the engine says them now ("now" marks that shape in the table).

    .venv/bin/python bench/consonant_sweep.py    # about a minute

Prints the table and writes it to bench/results/consonant_sweep.txt.
"""

import ctypes
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "backend"))

from speech import acoustics  # noqa: E402
from speech.decoding import decode_bytes  # noqa: E402
from speech.ipa import CONSONANTS  # noqa: E402
from speech.pcm import encode_mp3, normalize_loudness  # noqa: E402
from speech.tts.espeak import (  # noqa: E402
    MNEMONICS,
    PHONEME_WPM,
    WHISPER,
    library,
    phoneme_input,
)

VOICES = {"en-US": "en-us", "en-GB": "en-gb-x-rp"}
REPEATS = 3
ROOM = 0.10  # voiced fraction inside the rule's limit
RESULTS = ROOT / "bench" / "results" / "consonant_sweep.txt"


@dataclass(frozen=True)
class Shape:
    text: str  # what goes inside [[...]], with {m} for the mnemonic
    voice_lines: tuple[str, ...] = ()  # added to the voice's file

    def label(self, mnemonic: str) -> str:
        lines = list(self.voice_lines)
        whispered = " whispered" if lines[-len(WHISPER) :] == list(WHISPER) else ""
        lines = lines[: -len(WHISPER)] if whispered else lines
        extra = f" [{'; '.join(lines)}]" if lines else ""
        return f"[[{self.text.format(m=mnemonic)}]]{whispered}{extra}"


PLOSIVE_SHAPES = [Shape("'{m}@"), Shape("'{m}@", WHISPER), Shape("'{m}")]
CANDIDATES: dict[str, list[Shape]] = {
    **dict.fromkeys(("p", "t", "k", "tʃ"), PLOSIVE_SHAPES),
    "h": [Shape("'{m}A:"), Shape("'{m}A:", WHISPER), Shape("'{m}@", WHISPER)],
    "ʒ": [
        Shape("'{m}{m}{m}"),
        Shape("'{m}@"),
        Shape("'V{m}{m}{m}"),
        *(
            Shape("'{m}{m}{m}", voice_lines=(f"consonants 100 {level}",))
            for level in (80, 60, 50, 40, 30)
        ),
    ],
}


def default_shape(symbol: str, voice: str) -> Shape:
    """The shape the engine uses now, as a candidate."""
    said = phoneme_input(symbol, voice)
    text = said.text[2:-2].replace(MNEMONICS[symbol], "{m}")
    return Shape(text, said.voice_lines)


@dataclass
class Trial:
    shape: Shape
    checks: list[acoustics.Check]

    @property
    def passes(self) -> int:
        return sum(c.verdict == acoustics.PASSED for c in self.checks)

    def voiced(self) -> tuple[int, int]:
        values = [c.details.get("voiced_percent", -1) for c in self.checks]
        return min(values), max(values)

    def roomy(self, symbol: str) -> bool:
        low, high = self.voiced()
        voiceless = acoustics.VOICELESS in acoustics.CONSONANT_RULES[symbol]
        limit = acoustics.VOICELESS_MAX_VOICED if voiceless else acoustics.VOICED_MIN_VOICED
        if voiceless:
            return high <= 100 * (limit - ROOM)
        return low >= 100 * (limit + ROOM)

    def row(self, symbol: str) -> str:
        d = self.checks[0].details
        low, high = self.voiced()
        failures = sorted({f for c in self.checks for f in c.details.get("failures", [])})
        return (
            f"{self.shape.label(MNEMONICS[symbol]):42} {self.passes}/{REPEATS} "
            f"sound {d.get('sound_ms', 0):4}ms voiced {low:3}-{high:3}% "
            f"cog {d.get('centroid_hz', 0):5}Hz murmur {d.get('murmur_ms', 0):3}ms "
            f"onset {d.get('onset_formants')} {'; '.join(failures)}"
        )


def trial(symbol: str, shape: Shape, voice: str, accent: str) -> Trial:
    engine = library()
    checks = []
    for _ in range(REPEATS):
        pcm = engine.synthesize(
            f"[[{shape.text.format(m=MNEMONICS[symbol])}]]",
            voice=voice,
            wpm=PHONEME_WPM,
            voice_lines=shape.voice_lines,
        )
        info = decode_bytes(
            encode_mp3(normalize_loudness(pcm, engine.sample_rate), engine.sample_rate)
        )
        checks.append(acoustics.check(symbol, info.samples, info.sample_rate, accent=accent))
    return Trial(shape, checks)


def main() -> None:
    started = time.perf_counter()
    engine = library()
    engine.lib.espeak_Info.restype = ctypes.c_char_p
    out = [
        "Consonant sweep (bench/consonant_sweep.py)",
        f"eSpeak NG {engine.lib.espeak_Info(None).decode()}, {PHONEME_WPM} wpm, "
        f"{REPEATS} takes each, loudness-normalised and MP3 round-tripped as served; "
        "judged by speech.acoustics.check.",
        "Chosen: the first shape in order of preference passing every take in both voices "
        f"with the voiced fraction {100 * ROOM:.0f} points inside the rule's limit.",
    ]
    chosen: dict[str, Shape] = {}
    score = dict.fromkeys(VOICES, 0)
    for symbol in CONSONANTS:
        rules = "; ".join(r.words for r in acoustics.CONSONANT_RULES[symbol])
        out.append(f"\n/{symbol}/  rules: {rules}")
        current = default_shape(symbol, VOICES["en-US"])
        shapes = CANDIDATES.get(symbol) or [current]
        for shape in shapes:
            trials = {
                accent: trial(symbol, shape, voice, accent) for accent, voice in VOICES.items()
            }
            for accent, t in trials.items():
                tag = "now" if shape == current else "   "
                out.append(f"  {tag} {VOICES[accent]:11} {t.row(symbol)}")
            good = all(t.passes == REPEATS and t.roomy(symbol) for t in trials.values())
            if good and symbol not in chosen:
                chosen[symbol] = shape
                for accent in trials:
                    score[accent] += 1
        label = chosen[symbol].label(MNEMONICS[symbol]) if symbol in chosen else "NONE"
        out.append(f"  CHOSEN {label}")
    out.append("\nSummary")
    for accent, voice in VOICES.items():
        out.append(f"{accent} ({voice}): {score[accent]}/{len(CONSONANTS)} consonants chosen")
    missing = [s for s in CONSONANTS if s not in chosen]
    out.append(f"no passing shape: {missing or 'none'}")
    out.append(f"{time.perf_counter() - started:.0f} s")
    text = "\n".join(out) + "\n"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
