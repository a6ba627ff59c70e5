"""What every test runs in: no network beyond 127.0.0.1, and TTS engines in memory.

Django is imported only inside the Django fixtures, so the speech tests run without it
(``pytest backend/tests/test_speech -p no:django``); ``test_speech/conftest.py`` switches those
fixtures off for them.
"""

import gc

import pytest

from tests.network import NetworkGuard

# The suite makes millions of short-lived objects (ORM rows, requests, Hypothesis examples,
# subtests) next to a large heap that lives as long as the process (Django, numpy, Praat,
# Playwright). With CPython's default thresholds the collector runs every 700 allocations and
# walks that heap again and again: measured, 15 % of the suite's CPU. Young collections run
# less often here, and what exists once the tests are collected is frozen out of them.
GC_THRESHOLDS = (50_000, 20, 50)


def pytest_configure(config):
    gc.set_threshold(*GC_THRESHOLDS)


def pytest_collection_finish(session):
    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def network_guard():
    """Refuse connections and name lookups beyond the loopback interface, and fail the test
    that tried one, even if the code under test took the refusal for an outage."""
    with NetworkGuard() as guard:
        yield guard
    if guard.attempts:
        pytest.fail(f"the test tried to leave 127.0.0.1: {guard.attempts}", pytrace=False)


@pytest.fixture(autouse=True, scope="session")
def tts_test_environment():
    """Every engine in memory, one voice per accent, for the whole session: settings that a
    test class or method overrides are laid over these and fall back to them."""
    from tests.hermetic import hermetic_settings

    environment = hermetic_settings()
    environment.enable()
    yield
    environment.disable()


@pytest.fixture(autouse=True)
def tts_reset():
    """Each test starts with a fresh in-memory engine and an empty cache."""
    from tests.hermetic import tts_reset

    tts_reset()
    yield
    tts_reset()
