"""speech/ is what sound is, with no Django: every module imports in a process that has no
Django settings, and none of them pulls in Django, DRF or the apps."""

import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import speech

BACKEND_DIR = Path(speech.__file__).resolve().parent.parent
NAMED = [
    "speech.ipa", "speech.formats", "speech.pcm", "speech.decoding", "speech.acoustics",
    "speech.tts.base", "speech.tts.espeak", "speech.tts.edge", "speech.tts.locmem",
]  # fmt: skip
FORBIDDEN = ("django", "rest_framework", "apps")


def imports_without_django(modules: list[str]) -> subprocess.CompletedProcess:
    code = (
        f"import sys; import {', '.join(modules)}; "
        f"leaked = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}); "
        "assert not leaked, leaked"
    )
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BACKEND_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_speech_modules_import_without_django():
    result = imports_without_django(NAMED)
    assert result.returncode == 0, result.stderr


def test_every_module_of_the_package_imports_without_django():
    modules = sorted(
        module.name for module in pkgutil.walk_packages(speech.__path__, prefix="speech.")
    )
    assert set(NAMED) <= set(modules)
    result = imports_without_django(modules)
    assert result.returncode == 0, result.stderr
