"""Speech tests are plain pytest without Django: they build engines themselves, so the
Django test environment of ``tests/conftest.py`` is switched off here (the network guard
stays)."""

import pytest


@pytest.fixture(autouse=True, scope="session")
def tts_test_environment():
    yield


@pytest.fixture(autouse=True)
def tts_reset():
    yield
