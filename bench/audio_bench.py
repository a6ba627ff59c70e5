"""Audio pipeline benchmark: synthesis per phoneme, pre-generating everything, and resolving
cached audio versus generating it on demand. Prints times and the ratios between them, all
measured in this one run (never compare numbers across machines).

    make bench        # or: .venv/bin/python bench/audio_bench.py

Runs on a throw-away SQLite database and media folder; needs no network (edge-tts is left
out so the figures are eSpeak NG's).
"""

import os
import statistics
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKDIR = tempfile.mkdtemp(prefix="phatam-bench-")
os.environ.update(
    DJANGO_SETTINGS_MODULE="config.settings",
    DATABASE_URL=f"sqlite:///{WORKDIR}/bench.sqlite3",
    MEDIA_ROOT=f"{WORKDIR}/media",
    PHATAM_ONLINE_TTS="0",
    LOG_LEVEL="WARNING",
)
sys.path.insert(0, str(ROOT / "backend"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from apps.curriculum.audio.playback import audio_for_phoneme  # noqa: E402
from apps.curriculum.audio.voices import engine_for, voices_for  # noqa: E402
from apps.curriculum.models import AudioSource, Phoneme  # noqa: E402
from speech.ipa import PHONEMES  # noqa: E402
from speech.tts.base import SynthesisRequest  # noqa: E402

ROUNDS = 3


def timed(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("seed_curriculum", stdout=StringIO())
    engine = engine_for("espeak")
    voices = [voice for accent in ("en-US", "en-GB") for voice in voices_for(accent)]
    engine.synthesize(SynthesisRequest(voice=voices[0], ipa="iː"))  # load the library once

    per_phoneme = [
        timed(lambda v=voice, s=symbol: engine.synthesize(SynthesisRequest(voice=v, ipa=s)))
        for _ in range(ROUNDS)
        for voice in voices
        for symbol in PHONEMES
    ]
    synth_ms = statistics.median(per_phoneme) * 1000

    pregenerate = timed(
        lambda: call_command("generate_audio", stdout=StringIO(), stderr=StringIO())
    )
    files = AudioSource.objects.count()

    phonemes = list(Phoneme.objects.chart_order())
    cached = [
        timed(lambda p=p: audio_for_phoneme(p, accent="en-GB"))
        for _ in range(ROUNDS)
        for p in phonemes
    ]
    AudioSource.objects.all().delete()
    on_demand = [timed(lambda p=p: audio_for_phoneme(p, accent="en-GB")) for p in phonemes]
    cached_ms = statistics.median(cached) * 1000
    on_demand_ms = statistics.median(on_demand) * 1000

    rows = [
        (
            "eSpeak NG synthesis + MP3, one phoneme",
            f"{synth_ms:.2f} ms",
            f"median, n={len(per_phoneme)}",
        ),
        ("pre-generate all (generate_audio)", f"{pregenerate:.2f} s", f"{files} files"),
        ("  per file", f"{pregenerate / files * 1000:.2f} ms", ""),
        ("resolve stored audio", f"{cached_ms:.2f} ms", f"median, n={len(cached)}"),
        (
            "resolve by on-demand generation",
            f"{on_demand_ms:.2f} ms",
            f"median, n={len(on_demand)}",
        ),
        ("ratio on-demand / stored", f"{on_demand_ms / cached_ms:.1f}x", ""),
        (
            "ratio generate_audio per file / synthesis",
            f"{pregenerate / files * 1000 / synth_ms:.1f}x",
            "",
        ),
    ]
    for label, value, note in rows:
        print(f"{label:44}{value:>11}  {note}")


if __name__ == "__main__":
    main()
