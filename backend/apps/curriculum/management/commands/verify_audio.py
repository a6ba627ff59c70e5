from collections import defaultdict

from django.core.management.base import BaseCommand, CommandError

from apps.curriculum.audio.lifecycle import VerificationRow, audio_verify
from apps.curriculum.audio.voices import accents
from apps.curriculum.management.commands._progress import progress_bar
from apps.curriculum.models import Phoneme
from speech import acoustics, references
from speech.ipa import CONSONANTS, DIPHTHONGS, MONOPHTHONGS


class Command(BaseCommand):
    help = (
        "Measure the audio PhatAm serves for each phoneme with Praat: vowels against two "
        "published references per accent, consonants by their class's rules; exit non-zero "
        "when an accent scores under a threshold."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--accent", action="append", default=[], help="en-US, en-GB (default: all)."
        )
        parser.add_argument(
            "--threshold", type=int, default=11,
            help="Monophthongs (of 12) an accent must get right under every reference "
            "(default %(default)s).",
        )  # fmt: skip
        parser.add_argument(
            "--consonant-threshold", type=int, default=len(CONSONANTS),
            help="Consonants (of 24) an accent must get right (default %(default)s).",
        )  # fmt: skip

    def handle(self, *args, accent, threshold, consonant_threshold, **options) -> None:
        unknown = set(accent) - set(accents())
        if unknown:
            raise CommandError(f"Unknown accent(s) {sorted(unknown)}; use {accents()}")
        phonemes = [
            p for p in Phoneme.objects.chart_order() if acoustics.is_checkable(p.ipa_symbol)
        ]
        if not phonemes:
            raise CommandError("No phonemes: run `manage.py seed_curriculum` first.")
        failing_vowels, failing_consonants = [], []
        for current in accent or accents():
            with progress_bar(len(phonemes), f"Measuring {current}", self.stderr._out) as step:
                rows = audio_verify(phonemes, accent=current, on_progress=step)
            if self._vowels(current, rows, threshold) < threshold:
                failing_vowels.append(current)
            if self._consonants(current, rows, consonant_threshold) < consonant_threshold:
                failing_consonants.append(current)
        problems = []
        if failing_vowels:
            problems.append(
                f"Under {threshold}/{len(MONOPHTHONGS)} monophthongs right: "
                f"{', '.join(failing_vowels)}"
            )
        if failing_consonants:
            problems.append(
                f"Under {consonant_threshold}/{len(CONSONANTS)} consonants right: "
                f"{', '.join(failing_consonants)}"
            )
        if problems:
            raise CommandError("; ".join(problems))
        self.stdout.write(self.style.SUCCESS("All accents pass."))

    def _vowels(self, accent: str, rows: list[VerificationRow], threshold: int) -> int:
        """Print the vowel tables; return how many monophthongs pass every reference."""
        refs = references.references_for(accent)
        self.stdout.write(
            f"\n{accent}: monophthongs against "
            + " and ".join(f"{r.name} ({r.measured})" for r in refs)
        )
        self.stdout.write(
            f"{'phoneme':8}{'voice':18}{'tier':11}{'F1':>6}{'F2':>6}  "
            + "".join(f"{r.name.split(',')[0]:26}" for r in refs)
            + "result"
        )
        monophthongs = [r for r in rows if r.phoneme.ipa_symbol in MONOPHTHONGS]
        by_reference: dict[str, int] = defaultdict(int)
        for row in monophthongs:
            label = f"/{row.phoneme.ipa_symbol}/"
            if row.verdict is None:
                self.stdout.write(f"{label:8}{row.voice:18}{row.tier:11}  — {row.error}  FAIL")
                continue
            v = row.verdict
            cells = ""
            for judged in v.references:
                by_reference[judged.reference] += judged.passed
                verdict = "pass" if judged.passed else "FAIL"
                cells += f"{judged.nearest:4}{judged.distance:5.2f} {verdict:15}"
            extra = f"  F3 {v.measurement.f3:.0f}, {v.rule}" if v.rule else ""
            self.stdout.write(
                f"{label:8}{row.voice:18}{row.tier:11}{v.measurement.f1:6.0f}{v.measurement.f2:6.0f}"
                f"  {cells}{'pass' if v.passed else 'FAIL'}{extra}"
            )
        glides = [r for r in rows if r.phoneme.ipa_symbol in DIPHTHONGS]
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
        right = sum(r.passed for r in monophthongs)
        for ref in refs:
            self.stdout.write(
                f"{accent}: {by_reference[ref.name]}/{len(monophthongs)} monophthongs right "
                f"under {ref.name}"
            )
        self.stdout.write(
            f"{accent}: {sum(r.passed for r in glides)}/{len(glides)} diphthong glides right"
        )
        self.stdout.write(
            f"{accent}: {right}/{len(MONOPHTHONGS)} monophthongs right (threshold {threshold}): "
            f"{'pass' if right >= threshold else 'FAIL'}"
        )
        return right

    def _consonants(self, accent: str, rows: list[VerificationRow], threshold: int) -> int:
        """Print the consonant table; return how many consonants pass their rules."""
        consonants = [r for r in rows if r.phoneme.ipa_symbol in CONSONANTS]
        self.stdout.write(f"\n{accent}: consonants, by class (speech.acoustics.CONSONANT_RULES)")
        self.stdout.write(
            f"{'phoneme':8}{'voice':18}{'tier':11}{'sound':>6}{'voiced':>7}{'unvoiced':>9}"
            f"{'COG':>7}{'murmur':>7}  {'onset F1/F2/F3':16}{'<1kHz':>6}  result"
        )
        for row in consonants:
            label = f"/{row.phoneme.ipa_symbol}/"
            if row.verdict is None:
                self.stdout.write(f"{label:8}{row.voice:18}{row.tier:11}  — {row.error}  FAIL")
                continue
            m = row.verdict.measurement
            onset = "/".join(f"{f:.0f}" for f in m.onset) if m.onset else "-"
            low = f"{m.onset_low_db:4.0f}dB" if m.onset else "     -"
            result = "pass" if row.passed else "FAIL " + "; ".join(row.verdict.failures)
            if row.verdict.heard_as:
                result += f" (heard as /{row.verdict.heard_as}/)"
            self.stdout.write(
                f"{label:8}{row.voice:18}{row.tier:11}{m.sounding_ms:4.0f}ms"
                f"{100 * m.voiced_fraction:6.0f}%{m.voiceless_run_ms:7.0f}ms"
                f"{m.centroid_hz:7.0f}{m.murmur_ms:5.0f}ms  {onset:16}{low}  {result}"
            )
        right = sum(r.passed for r in consonants)
        self.stdout.write(
            f"{accent}: {right}/{len(CONSONANTS)} consonants right (threshold {threshold}): "
            f"{'pass' if right >= threshold else 'FAIL'}"
        )
        return right
