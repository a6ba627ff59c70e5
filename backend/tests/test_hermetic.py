"""The tests' own environment: nothing leaves 127.0.0.1, and every engine is in memory unless a
test asks for the real eSpeak NG. If these break, the rest of the suite may be reaching the
internet or the real engines without anyone noticing."""

import socket

import pytest
from django.conf import settings
from django.test import SimpleTestCase

from apps.curriculum.audio.voices import engine_for, voices_for
from tests.hermetic import TEST_VOICES, real_espeak
from tests.network import NetworkGuard


def test_a_connection_beyond_the_loopback_interface_is_refused_and_recorded():
    with NetworkGuard() as guard, socket.socket() as sock:
        sock.settimeout(1)
        with pytest.raises(OSError, match="tests do not leave 127.0.0.1"):
            sock.connect(("192.0.2.1", 443))  # TEST-NET-1: never routed anyway
    assert guard.attempts == ["connection to ('192.0.2.1', 443)"]


def test_a_name_lookup_of_another_machine_is_refused_and_recorded():
    with NetworkGuard() as guard, pytest.raises(socket.gaierror):
        socket.create_connection(("speech.platform.bing.com", 443), timeout=1)
    assert guard.attempts == ["name lookup of 'speech.platform.bing.com'"]


def test_the_loopback_interface_is_reachable():
    with socket.create_server(("127.0.0.1", 0)) as server, NetworkGuard() as guard:
        port = server.getsockname()[1]
        with socket.create_connection(("localhost", port), timeout=1):
            pass
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            pass
    assert guard.attempts == []


class EnginesInTestsTests(SimpleTestCase):
    def test_every_configured_engine_is_in_memory(self):
        self.assertTrue(settings.PHATAM_TTS_ENGINES)
        for alias in settings.PHATAM_TTS_ENGINES:
            with self.subTest(engine=alias):
                self.assertEqual(engine_for(alias).name, "locmem")
        self.assertEqual(settings.PHATAM_VOICES, TEST_VOICES)
        self.assertEqual([voice.key for voice in voices_for("en-GB")], ["espeak:en-gb-x-rp"])

    @real_espeak
    def test_a_test_can_ask_for_the_real_espeak_and_nothing_else(self):
        self.assertEqual(engine_for("espeak").name, "espeak-ng")
        for alias in set(settings.PHATAM_TTS_ENGINES) - {"espeak"}:
            with self.subTest(engine=alias):
                self.assertEqual(engine_for(alias).name, "locmem")
