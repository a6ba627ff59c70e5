import argparse
import os
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.curriculum.audio.jobs import CeleryJobs
from apps.curriculum.audio.lifecycle import (
    audio_pregenerate,
    audio_pregenerate_queued,
    pregenerate_tasks,
)
from apps.curriculum.audio.voices import accents, voices_for
from apps.curriculum.management.commands._progress import progress_bar
from apps.curriculum.models import Phoneme


class Command(BaseCommand):
    help = (
        "Pre-generate cached TTS (valid PHATAM_TTS_CACHE_DAYS days) for every phoneme and its "
        "example words in every configured voice. Valid files are kept; run it again any time."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--phoneme", action="append", default=[], metavar="IPA",
            help="Only this phoneme (repeatable; i: and iː are the same).",
        )  # fmt: skip
        parser.add_argument(
            "--voice", action="append", default=[], metavar="ENGINE:VOICE",
            help="Only this configured voice, e.g. espeak:en-us (repeatable).",
        )  # fmt: skip
        parser.add_argument(
            "--accent",
            action="append",
            default=[],
            help="Only voices of this accent (en-US, en-GB).",
        )
        parser.add_argument(
            "--no-words", action="store_true", help="Phonemes only, no example words."
        )
        parser.add_argument("--force", action="store_true", help="Regenerate valid files too.")
        parser.add_argument(
            "--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
            help="Engines run in N processes at once, without a queue (default: the cores, "
            "%(default)s).",
        )  # fmt: skip
        parser.add_argument(
            "--queue", action=argparse.BooleanOptionalAction, default=None,
            help="Hand the files to the Celery workers (`make worker`) and wait for them; the "
            "default when CELERY_BROKER_URL is set.",
        )  # fmt: skip

    def handle(self, *args, phoneme, voice, accent, no_words, force, jobs, queue, **options):
        if jobs < 1:
            raise CommandError("--jobs must be at least 1.")
        if queue is None:
            queue = bool(settings.CELERY_BROKER_URL)
        if queue and not settings.CELERY_BROKER_URL:
            raise CommandError("--queue needs CELERY_BROKER_URL and a worker (`make worker`).")
        workers = CeleryJobs().workers() if queue else []
        if queue and not workers:
            raise CommandError(
                "No Celery worker answers on CELERY_BROKER_URL (is it up?): start one "
                "(`make worker`), or generate here with --no-queue."
            )
        phonemes = list(Phoneme.objects.chart_order())
        if not phonemes:
            raise CommandError("No phonemes: run `manage.py seed_curriculum` first.")
        if phoneme:
            wanted = {Phoneme._meta.get_field("ipa_symbol").get_prep_value(p) for p in phoneme}
            unknown = wanted - {p.ipa_symbol for p in phonemes}
            if unknown:
                raise CommandError(f"Unknown phoneme(s): {', '.join(sorted(unknown))}")
            phonemes = [p for p in phonemes if p.ipa_symbol in wanted]

        unknown_accents = set(accent) - set(accents())
        if unknown_accents:
            raise CommandError(f"Unknown accent(s) {sorted(unknown_accents)}; use {accents()}")
        voices = [v for a in (accent or accents()) for v in voices_for(a)]
        if voice:
            unknown_voices = set(voice) - {v.key for v in voices}
            if unknown_voices:
                raise CommandError(
                    f"Unknown voice(s) {sorted(unknown_voices)}; configured: "
                    + ", ".join(v.key for v in voices)
                )
            voices = [v for v in voices if v.key in voice]

        tasks = pregenerate_tasks(phonemes, voices, words=not no_words)
        started = time.monotonic()
        with progress_bar(len(tasks), "Generating audio", self.stderr._out) as step:
            if queue:
                self.stdout.write(f"Queueing the audio files for {', '.join(workers)}.")
                report = audio_pregenerate_queued(
                    tasks, force=force, on_progress=step, jobs=CeleryJobs()
                )
            else:
                report = audio_pregenerate(tasks, force=force, on_progress=step, processes=jobs)
        seconds = time.monotonic() - started

        for failure in report.not_stored:
            self.stderr.write(self.style.ERROR(f"  not stored: {failure}"))
        self.stdout.write(
            f"{len(tasks)} audio files for {len(phonemes)} phonemes × {len(voices)} voices: "
            f"{report.created} generated, {report.skipped} already valid, {report.failed} failed"
            + (f", {sum(report.offline.values())} skipped offline." if report.offline else ".")
        )
        if report.offline:
            self.stdout.write(
                self.style.WARNING(
                    f"  online voices skipped (no connection: {report.offline_reason}): "
                    f"{', '.join(sorted(report.offline))}; run generate_audio again online "
                    "for their files, or leave them out with PHATAM_ONLINE_TTS=0."
                )
            )
        for voice_key, count in sorted(report.failures.items()):
            reason = report.reasons[voice_key]
            self.stdout.write(self.style.WARNING(f"  {voice_key}: {count} failed ({reason})"))
        if report.created:
            rate = report.created / seconds
            self.stdout.write(f"{report.created} files in {seconds:.1f} s ({rate:.1f} files/s)")
        if report.not_stored:
            # A storage fault is the server's to fix, whatever else worked: exit non-zero.
            raise CommandError(
                f"{len(report.not_stored)} audio files could not be stored (see above); "
                "free space on, or fix, the media storage and run generate_audio again."
            )
        if (report.failed or report.offline) and not report.created and not report.skipped:
            raise CommandError("No audio could be generated.")
        if report.failed:
            self.stdout.write("  Each phoneme and word keeps the audio of the voices that worked.")
        self.stdout.write(self.style.SUCCESS("Done."))
