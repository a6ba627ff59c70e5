"""Speaking feedback on generated recordings of known content: the share of right answers.

Vowels (Praat's Klatt synthesizer, men's and women's voices, US and GB targets, each vowel
right and as the vowel a Vietnamese learner typically says instead) through the learner's
vowel feedback, before (the fixed 5000 Hz ceiling, one study, no length or F3: the code as it
was, reproduced in ``_before``) and after (speech.vowelfeedback); then each word check of
speech.wordchecks on eSpeak NG words said right and with the learner's error; then junk
(silence, hiss, square waves, clipped, quiet, too short, noisy), which must be refused.

    .venv/bin/python bench/feedback_bench.py    # about 15 s

The fixtures are in backend/tests/speech_fixtures.py; tests/test_speech/test_feedback_scores.py
holds the figures (thresholds a little under them).
"""

import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "backend"))

import parselmouth  # noqa: E402

from speech import acoustics, vowelfeedback  # noqa: E402
from speech.references import references_for  # noqa: E402
from tests import speech_fixtures as fixtures  # noqa: E402

GROUPS = ("men US", "women US", "men GB", "women GB")


def _before(clip, measurement):
    """The verdict as the code was before: nearest vowel of the accent's first study."""
    reference = references_for(clip.accent, clip.voice)[0]
    ranked = acoustics.classify(measurement, reference)
    expected = reference.expected[clip.target]

    class Result:
        verdict = "ok" if ranked[0][1] in expected else "heard_as"
        heard_as = vowelfeedback.chart_symbol(ranked[0][1])

    return Result


def _before_measure(clip):
    return acoustics.measure(parselmouth.Sound(clip.samples, clip.rate))


def _after(clip, measurement):
    return vowelfeedback.vowel_feedback(
        clip.target, measurement, accent=clip.accent, voice=clip.voice
    )


def _after_measure(clip):
    return vowelfeedback.vowel_measure(clip.samples, clip.rate)


def _refuses(samples) -> bool:
    try:
        vowelfeedback.vowel_measure(samples, fixtures.RATE)
    except acoustics.MeasurementError:
        return True
    return False


def _table(title: str, tallies, rows) -> None:
    print(f"\n{title}")
    print(f"{'':24}" + "".join(f"{g:>10}" for g in GROUPS) + f"{'all':>10}{'n':>6}")
    totals = fixtures.by_row(tallies)
    for row in rows:
        cells = [tallies.get((row, g)) for g in GROUPS]
        shown = "".join(f"{c.share:>10.2f}" if c else f"{'-':>10}" for c in cells)
        print(f"{row:24}{shown}{totals[row].share:>10.2f}{totals[row].total:>6}")


def main() -> None:
    started = time.perf_counter()
    rows = ("correct vowel ok", "substitution rejected", "substitution named")
    _table("Vowels, before", fixtures.score_vowels(_before, _before_measure), rows)
    _table("Vowels, after", fixtures.score_vowels(_after, _after_measure), rows)
    words = fixtures.score_words()
    _table("Word checks (right word ok, wrong word not_ok)", words, sorted({r for r, _ in words}))
    junk = fixtures.by_row(fixtures.score_junk(_refuses))
    print("\nJunk answered cannot_judge (or refused)")
    for row, tally in junk.items():
        print(f"{row:24}{tally.share:>10.2f}{tally.total:>6}")
    print(f"\n{time.perf_counter() - started:.1f} s")
    assert not any(math.isnan(t.share) for t in junk.values())


if __name__ == "__main__":
    main()
