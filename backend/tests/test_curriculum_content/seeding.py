"""Loading the real curriculum file, or an edited copy of it, as the teacher's command does."""

import copy
import tempfile
from functools import cache
from io import StringIO
from pathlib import Path

import yaml
from django.core.management import call_command
from django.test import TestCase

from apps.curriculum.content import DEFAULT_CURRICULUM_FILE, curriculum_read


def seed(path: Path | None = None) -> str:
    out = StringIO()
    call_command("seed_curriculum", *(["--file", str(path)] if path else []), stdout=out)
    return out.getvalue()


@cache
def _real_data() -> dict:
    return curriculum_read(DEFAULT_CURRICULUM_FILE)


def real_data() -> dict:
    """A copy of the real file's data, to edit."""
    return copy.deepcopy(_real_data())


# libyaml's emitter, where PyYAML was built with it: the pure-Python one took 2 s of the
# suite's CPU to write the edited copies.
SAFE_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def write_yaml(test: TestCase, data: dict) -> Path:
    """``data`` as a curriculum file in a folder removed after ``test``."""
    directory = tempfile.TemporaryDirectory()
    test.addCleanup(directory.cleanup)
    path = Path(directory.name) / "curriculum.yaml"
    path.write_text(yaml.dump(data, Dumper=SAFE_DUMPER, allow_unicode=True), encoding="utf-8")
    return path


def entry(word: str, ipa: str, ipa_us: str, **extra) -> dict:
    return {"word": word, "ipa": ipa, "ipa_us": ipa_us, **extra}
