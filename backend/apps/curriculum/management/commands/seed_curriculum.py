from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.curriculum.content import (
    DEFAULT_CURRICULUM_FILE,
    CurriculumError,
    curriculum_load,
    curriculum_read,
)


class Command(BaseCommand):
    help = (
        "Load the curriculum (categories, the 44 phonemes, minimal pairs, lessons) from its data "
        "file. Idempotent: running it again changes only what the file changed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--file",
            type=Path,
            default=DEFAULT_CURRICULUM_FILE,
            help=f"YAML data file (default: {DEFAULT_CURRICULUM_FILE}).",
        )

    def handle(self, *args, file: Path, **options) -> None:
        try:
            report = curriculum_load(curriculum_read(file))
        except CurriculumError as exc:
            lines = "\n".join(f"  - {problem}" for problem in exc.problems)
            raise CommandError(
                f"{file} was not loaded ({len(exc.problems)} problem(s)); nothing was changed:\n"
                f"{lines}"
            ) from None

        self.stdout.write(f"Categories:     {report.categories}")
        self.stdout.write(f"Phonemes:       {report.phonemes}")
        self.stdout.write(f"Minimal pairs:  {report.minimal_pairs} (with the drills' pairs)")
        self.stdout.write(f"Lessons:        {report.lessons}")
        self.stdout.write(f"Tips:           {report.tips}")
        self.stdout.write(f"US forms:       {report.us_forms_checked} checked against CMUdict")
        if report.pairs_not_in_file:
            self.stdout.write(
                self.style.WARNING(
                    f"{report.pairs_not_in_file} minimal pair(s) in the database are not in the "
                    "file; they were kept (delete them in the admin if they should go)."
                )
            )
        if report.changed():
            self.stdout.write(self.style.SUCCESS(f"Curriculum loaded from {file}."))
        else:
            self.stdout.write(self.style.SUCCESS("Curriculum already up to date; nothing changed."))
