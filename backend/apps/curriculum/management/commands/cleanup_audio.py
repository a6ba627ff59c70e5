from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from apps.core.hooks import cleanup_run
from apps.curriculum.audio.lifecycle import (
    cleanup_apply,
    cleanup_plan,
    orphan_files_find,
    stale_upload_files_delete,
)
from apps.curriculum.management.commands._progress import progress_bar


class Command(BaseCommand):
    help = (
        "Regenerate synthesized audio that is about to expire but still played; delete expired "
        "and unused synthesized audio and files no row references. Native recordings are never "
        "touched. Then run every app's cleanup hook (learners' recordings, studio takes)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--unused-days", type=int, default=settings.PHATAM_AUDIO_UNUSED_DAYS,
            help="Delete synthesized audio not played for this many days (default %(default)s).",
        )  # fmt: skip
        parser.add_argument(
            "--refresh-days", type=int, default=settings.PHATAM_AUDIO_REFRESH_DAYS,
            help="Regenerate played audio expiring within this many days (default %(default)s).",
        )  # fmt: skip
        parser.add_argument(
            "--orphan-grace-minutes", type=int, default=60,
            help="Leave unreferenced files younger than this alone (default %(default)s).",
        )  # fmt: skip
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would go; change nothing."
        )

    def handle(self, *args, unused_days, refresh_days, orphan_grace_minutes, dry_run, **options):
        for name, value in [("--unused-days", unused_days), ("--refresh-days", refresh_days),
                            ("--orphan-grace-minutes", orphan_grace_minutes)]:  # fmt: skip
            if value < 0:
                self.stderr.write(self.style.ERROR(f"{name} must not be negative."))
                raise SystemExit(2)
        plan = cleanup_plan(unused_days=unused_days, refresh_days=refresh_days)
        orphans = orphan_files_find(
            older_than=timezone.now() - timedelta(minutes=orphan_grace_minutes)
        )
        if dry_run:
            self._list("Would regenerate (expiring, still played)", map(repr, plan.refresh))
            self._list("Would delete (expired)", map(repr, plan.expired))
            self._list(f"Would delete (not played for {unused_days} days)", map(repr, plan.unused))
            self._list("Would delete (files no row references)", orphans)
            self.stdout.write("Dry run: nothing was changed.")
            return

        steps = len(plan.refresh) + len(orphans)
        with progress_bar(steps, "Cleaning audio", self.stderr._out) as step:
            report = cleanup_apply(plan, orphans=orphans, on_progress=step)
        self.stdout.write(
            f"Regenerated {report.refreshed}, deleted {report.deleted_sources} audio sources and "
            f"{report.deleted_orphans} orphan files, freed {report.freed_bytes / 1024:.1f} KiB."
        )
        spooled = stale_upload_files_delete(timezone.now() - timedelta(days=1))
        self.stdout.write(f"Deleted {len(spooled)} stale upload file(s) older than a day.")
        # What the other apps keep (learners' recordings, studio takes) expires through the
        # cleanup hook each registered.
        for line in cleanup_run(now=timezone.now()):
            self.stdout.write(line)
        for failure in report.refresh_failed:
            self.stdout.write(self.style.WARNING(f"  could not regenerate {failure}"))

    def _list(self, title: str, items) -> None:
        items = list(items)
        self.stdout.write(f"{title}: {len(items)}")
        for item in items:
            self.stdout.write(f"  {item}")
