"""How often does a learner who guesses complete a lesson? And how many items does one who
hears the contrast need?

Runs the completion rule itself (``practice.selectors.completion_from``) on simulated
learners: each answers lesson items (three-way: chance 1 in 3), each item said by one of six
voices chosen as the drills choose them (never the last one). Prints, per learner, the share
who complete within 200 items and the median number of items they needed. Seconds to run.

    .venv/bin/python bench/completion_guessing.py [learners]
"""

import os
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "backend"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from apps.practice.selectors import completion_from  # noqa: E402

ITEMS = 200
VOICES = [f"voice-{n}" for n in range(6)]


def items_to_complete(p_right: float, rng: random.Random) -> int | None:
    recent: list[tuple[bool, set[str]]] = []
    voice = ""
    for item in range(1, ITEMS + 1):
        voice = rng.choice([v for v in VOICES if v != voice])
        recent.insert(0, (rng.random() < p_right, {voice}))
        del recent[20:]
        if completion_from(recent, answered=item).complete:
            return item
    return None


def main() -> None:
    learners = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    rng = random.Random(1)
    print(f"{learners} simulated learners each, {ITEMS} three-way items at most")
    print(f"{'learner':<34} {'completes':>10} {'median items':>13}")
    for label, p_right in [
        ("guesses (1 in 3 right)", 1 / 3),
        ("guesses between two (1 in 2)", 1 / 2),
        ("hears it 7 times in 10", 0.7),
        ("hears it 8 times in 10", 0.8),
        ("hears it 9 times in 10", 0.9),
    ]:
        needed = [items_to_complete(p_right, rng) for _ in range(learners)]
        done = [n for n in needed if n is not None]
        median = f"{statistics.median(done):.0f}" if done else "-"
        print(f"{label:<34} {len(done) / learners:>10.2%} {median:>13}")


if __name__ == "__main__":
    main()
