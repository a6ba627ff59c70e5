"""The audio system's test environment, set up the way Django's test runner swaps in the
locmem mail backend: every engine of PHATAM_TTS_ENGINES is the in-memory
:class:`~speech.tts.locmem.LocMemEngine`, and each accent has one voice.

``tests/conftest.py`` turns it on for the whole pytest session (and resets the engine and the
cache around each test). A test that needs the real eSpeak NG says so with
:func:`real_espeak`; edge-tts is never reachable (a test of a text-only engine uses
:data:`EDGE_OFFLINE`, whose network is always down). Passwords use a fast hasher.
"""

import errno

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings

from speech.tts.base import SynthesisRequest
from speech.tts.locmem import LocMemEngine

LOCMEM = {"BACKEND": "speech.tts.locmem.LocMemEngine"}
ESPEAK = {"BACKEND": "speech.tts.espeak.ESpeakEngine"}
# One voice per accent; their alias is "espeak", so @real_espeak makes them real.
TEST_VOICES = {"en-US": ["espeak:en-us"], "en-GB": ["espeak:en-gb-x-rp"]}


def unreachable(request: SynthesisRequest, timeout: float) -> bytes:
    """An edge-tts transport on a machine without a network."""
    raise OSError(errno.ENETUNREACH, "Network is unreachable")


# The real edge-tts engine (text only, failure memory, shared probe) with its network down.
EDGE_OFFLINE = {"BACKEND": "speech.tts.edge.EdgeTTSEngine", "OPTIONS": {"transport": unreachable}}


def engines_in_memory(**real: dict) -> dict:
    """Every engine alias of the project's settings as LocMemEngine, except those in ``real``."""
    return dict.fromkeys(settings.PHATAM_TTS_ENGINES, LOCMEM) | real


# Django's advice for test speed: a fast hasher instead of PBKDF2's million rounds (half a
# second of CPU per password set or checked, and the suite makes a user in ~80 tests).
TEST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def hermetic_settings() -> override_settings:
    """The settings every test starts from (enable() it once, before any test)."""
    return override_settings(
        PHATAM_TTS_ENGINES=engines_in_memory(),
        PHATAM_VOICES=TEST_VOICES,
        PASSWORD_HASHERS=TEST_PASSWORD_HASHERS,
    )


def tts_reset() -> None:
    """Forget what the previous test left: the in-memory engine's requests, failure and delay,
    and the cache (where engines remember outages)."""
    LocMemEngine.reset()
    cache.clear()


def real_espeak(test):
    """Decorator (class or method): the ``espeak`` voices are the real eSpeak NG, offline;
    every other engine stays in memory. Marks the test ``real_espeak`` for ``-m``."""
    test = override_settings(PHATAM_TTS_ENGINES=engines_in_memory(espeak=ESPEAK))(test)
    return pytest.mark.real_espeak(test)
