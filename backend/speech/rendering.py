"""One listening item's audio, rendered afresh for each play.

A drill item must not be answerable by hashing public files: what it streams is decoded,
joined (one clip, or three with pauses between them for a three-way item), given a random
gain of at most ±1 dB and a random silence of 30–150 ms before it, and encoded again. The
changes are far below what a listener notices between two voices, and no two renderings
are the same bytes.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from speech.pcm import encode_mp3

RENDER_RATE = 22050
GAIN_DB = 1.0
LEAD_MS = (30, 150)
# Between the sounds of a three-way item: long enough to hear three separate words.
GAP_SECONDS = 0.7


@dataclass(frozen=True)
class Clip:
    """Mono float samples in [-1, 1] at ``sample_rate``."""

    samples: np.ndarray
    sample_rate: int


def resample(clip: Clip, rate: int = RENDER_RATE) -> np.ndarray:
    """``clip`` at ``rate`` (linear interpolation: the clips are speech, already band-limited
    well under either rate's Nyquist frequency)."""
    if clip.sample_rate == rate or clip.samples.size == 0:
        return clip.samples.astype(np.float64)
    duration = clip.samples.size / clip.sample_rate
    count = max(1, round(duration * rate))
    old = np.arange(clip.samples.size) / clip.sample_rate
    new = np.arange(count) / rate
    return np.interp(new, old, clip.samples.astype(np.float64))


def drill_rendering(
    clips: Sequence[Clip], *, rng: random.Random | None = None, gap_seconds: float = GAP_SECONDS
) -> bytes:
    """MP3 bytes of ``clips`` in order, ``gap_seconds`` of silence between them, with a random
    gain (±GAIN_DB) and a random lead silence (LEAD_MS): a rendering no file matches.

    Raises ``ValueError`` when ``clips`` is empty.
    """
    if not clips:
        raise ValueError("nothing to render")
    rng = rng or random.SystemRandom()
    gap = np.zeros(round(gap_seconds * RENDER_RATE))
    parts: list[np.ndarray] = []
    for index, clip in enumerate(clips):
        if index:
            parts.append(gap)
        parts.append(resample(clip))
    samples = np.concatenate(parts)
    gain = 10 ** (rng.uniform(-GAIN_DB, GAIN_DB) / 20)
    lead = np.zeros(round(rng.uniform(*LEAD_MS) / 1000 * RENDER_RATE))
    samples = np.concatenate([lead, samples * gain])
    pcm = np.clip(np.round(samples * 32767), -32768, 32767).astype(np.int16)
    return encode_mp3(pcm, RENDER_RATE)
