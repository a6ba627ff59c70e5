from collections import defaultdict

from django.core.management.base import BaseCommand, CommandError

from apps.curriculum import acoustics
from apps.curriculum.ipa import DIPHTHONGS, MONOPHTHONGS
from apps.curriculum.management.commands._progress import progress_bar
from apps.curriculum.models import Phoneme
from apps.curriculum.services.audio_lifecycle import audio_verify
from apps.curriculum.tts import accents


class Command(BaseCommand):
    help = (
        "Measure F1/F2 (Praat) of the audio PhatAm serves for each vowel and classify it "
        "against published reference formants; exit non-zero when a voice scores under the "
        "threshold."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--accent", action="append", default=[], help="en-US, en-GB (default: all)."
        )
        parser.add_argument(
            "--threshold", type=int, default=11,
            help="Monophthongs (of 12) a voice must get right (default %(default)s).",
        )  # fmt: skip

    def handle(self, *args, accent, threshold, **options) -> None:
        unknown = set(accent) - set(accents())
        if unknown:
            raise CommandError(f"Unknown accent(s) {sorted(unknown)}; use {accents()}")
        vowels = [p for p in Phoneme.objects.chart_order() if acoustics.is_checkable(p.ipa_symbol)]
        if not vowels:
            raise CommandError("No vowels: run `manage.py seed_curriculum` first.")
        failing = []
        for current in accent or accents():
            with progress_bar(len(vowels), f"Measuring {current}", self.stderr._out) as step:
                rows = audio_verify(vowels, accent=current, on_progress=step)
            failing += self._report(current, rows, threshold)
        if failing:
            raise CommandError(
                f"Under {threshold}/{len(MONOPHTHONGS)} monophthongs right: {', '.join(failing)}"
            )
        self.stdout.write(self.style.SUCCESS("All accents pass."))

    def _report(self, accent: str, rows, threshold: int) -> list[str]:
        reference = acoustics.REFERENCES[accent]
        self.stdout.write(f"\n{accent}: monophthongs against {reference.name}")
        self.stdout.write(
            f"{'phoneme':8}{'voice':18}{'tier':11}{'F1':>6}{'F2':>6}  nearest  dist  result"
        )
        score: dict[str, int] = defaultdict(int)
        seen: set[str] = set()
        for row in rows:
            if row.phoneme.ipa_symbol not in MONOPHTHONGS:
                continue
            seen.add(row.voice)
            label = f"/{row.phoneme.ipa_symbol}/"
            if row.verdict is None:
                self.stdout.write(f"{label:8}{row.voice:18}{row.tier:11}  — {row.error}  FAIL")
                continue
            score[row.voice] += row.passed
            v = row.verdict
            self.stdout.write(
                f"{label:8}{row.voice:18}{row.tier:11}{v.measurement.f1:6.0f}{v.measurement.f2:6.0f}"
                f"  {v.nearest:7}{v.distance:5.2f}  {'pass' if v.passed else 'FAIL'}"
            )
        glides = [row for row in rows if row.phoneme.ipa_symbol in DIPHTHONGS]
        self.stdout.write(f"{accent}: diphthongs, glide direction")
        for row in glides:
            label = f"/{row.phoneme.ipa_symbol}/"
            if row.verdict is None:
                self.stdout.write(f"{label:8}{row.voice:18}— {row.error}  FAIL")
                continue
            (f1a, f2a), (f1b, f2b) = row.verdict.measurement.start, row.verdict.measurement.end
            self.stdout.write(
                f"{label:8}{row.voice:18}{f1a:5.0f}/{f2a:<5.0f} → {f1b:5.0f}/{f2b:<5.0f} "
                f"{row.verdict.rule:28} {'pass' if row.passed else 'FAIL'}"
            )
        for voice in sorted(seen):
            count = sum(
                1 for r in rows if r.voice == voice and r.phoneme.ipa_symbol in MONOPHTHONGS
            )
            self.stdout.write(
                f"{accent} {voice}: {score[voice]}/{count} monophthongs right, "
                f"{sum(r.passed for r in glides if r.voice == voice)}/"
                f"{sum(1 for r in glides if r.voice == voice)} diphthong glides right"
            )
        right = sum(score.values())
        passed = right >= threshold
        self.stdout.write(
            f"{accent}: {right}/{len(MONOPHTHONGS)} monophthongs right "
            f"(threshold {threshold}): {'pass' if passed else 'FAIL'}"
        )
        failing = [] if passed else [accent]
        return failing
