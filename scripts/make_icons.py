"""Draw PhatAm's icons (the web-app manifest's and the favicon) with Pillow, deterministically:
the same PNG and ICO bytes on every run. The results are committed; run again after a change:

    .venv/bin/python scripts/make_icons.py
"""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "backend/apps/curriculum/static/curriculum/icons"
INK = (29, 36, 48)  # the chart's --ink, also the manifest's theme colour
VOWEL = (253, 231, 200)  # the chart's vowel key
DIPHTHONG = (217, 236, 208)
VOICED = (214, 228, 245)
VOICELESS = (243, 217, 228)


def icon(size: int) -> Image.Image:
    """Four chart keys (vowel, diphthong, voiced, voiceless) on the ink ground, inside the
    safe zone of a maskable icon (the middle 80 %)."""
    image = Image.new("RGB", (size, size), INK)
    draw = ImageDraw.Draw(image)
    margin, gap = size * 0.2, size * 0.05
    cell = (size - 2 * margin - gap) / 2
    for index, colour in enumerate((VOWEL, DIPHTHONG, VOICED, VOICELESS)):
        left = margin + (index % 2) * (cell + gap)
        top = margin + (index // 2) * (cell + gap)
        draw.rounded_rectangle(
            (round(left), round(top), round(left + cell), round(top + cell)),
            radius=max(1, round(cell * 0.18)),
            fill=colour,
        )
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        icon(size).save(OUT / f"icon-{size}.png", optimize=True)
    icon(180).save(OUT / "apple-touch-icon.png", optimize=True)
    icon(64).save(OUT / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
    for path in sorted(OUT.iterdir()):
        print(f"{path.name}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
