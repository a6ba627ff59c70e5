"""Twenty learners asking for twenty different words at once, on a network where edge-tts
never answers: one request probes edge-tts (and waits out its timeout), the others fall back
to the next voice at once instead of each waiting out the same timeout."""

import threading
import time
import unittest

from django.core.cache import cache
from django.db import connection
from django.test import TransactionTestCase, override_settings

from apps.curriculum.audio.playback import audio_for_phoneme
from apps.curriculum.models import AudioSource
from speech.tts.locmem import LocMemEngine
from tests.factories import TempMediaMixin, make_phoneme
from tests.threads import run_in_threads

TIMEOUT = 2.0
WORDS = [f"word{n}" for n in range(20)]


transport_calls: list[str] = []
_calls_guard = threading.Lock()


def hanging_transport(request, timeout: float) -> bytes:
    """An edge-tts transport on a network that drops packets: every call waits out the
    timeout, then fails as the real one would."""
    with _calls_guard:
        transport_calls.append(request.word)
    time.sleep(timeout)
    raise TimeoutError("edge-tts did not answer")


def edge_then(fallback: str) -> override_settings:
    return override_settings(
        PHATAM_TTS_ENGINES={
            "edge": {
                "BACKEND": "speech.tts.edge.EdgeTTSEngine",
                "OPTIONS": {"timeout": TIMEOUT, "transport": f"{__name__}.hanging_transport"},
            },
            "mem": {"BACKEND": "speech.tts.locmem.LocMemEngine"},
        },
        PHATAM_VOICES={"en-US": ["edge:en-US-AriaNeural", *fallback], "en-GB": ["mem:uk"]},
    )


class EdgeProbeTestCase(TempMediaMixin, TransactionTestCase):
    def setUp(self):
        super().setUp()
        transport_calls.clear()
        LocMemEngine.reset()
        cache.clear()  # no edge-tts health or outage remembered from another test
        self.phoneme = make_phoneme(
            "iː", example_words=[{"word": word, "ipa": "/siː/"} for word in WORDS]
        )

    def ask_every_word_at_once(self) -> list[tuple[str, str, float]]:
        words = iter(WORDS)
        guard = threading.Lock()

        def ask() -> tuple[str, str, float]:
            with guard:
                word = next(words)
            started = time.monotonic()
            answer = audio_for_phoneme(self.phoneme, accent="en-US", word=word)
            return word, answer.tier, time.monotonic() - started

        results, errors = run_in_threads(ask, len(WORDS))
        self.assertEqual(errors, [])
        self.assertEqual(len(results), len(WORDS))
        return results

    def assert_one_probe_and_the_rest_at_once(self, results) -> None:
        self.assertEqual(len(transport_calls), 1, transport_calls)
        (prober,) = transport_calls
        waits = {word: seconds for word, _, seconds in results}
        self.assertGreaterEqual(waits[prober], TIMEOUT * 0.9)
        others = [seconds for word, seconds in waits.items() if word != prober]
        self.assertLess(max(others), TIMEOUT / 2, sorted(others))


class EdgeProbeTests(EdgeProbeTestCase):
    @edge_then(fallback=[])
    def test_one_probe_and_the_others_fall_back_to_the_browser_at_once(self):
        # No other voice: nothing is written, so this runs on any database.
        results = self.ask_every_word_at_once()

        self.assert_one_probe_and_the_rest_at_once(results)
        self.assertEqual({tier for _, tier, _ in results}, {"web_speech"})


@unittest.skipUnless(
    connection.vendor == "postgresql",
    "twenty threads storing files at once: tested on PostgreSQL (.ci/run)",
)
class EdgeProbeWithFallbackVoiceTests(EdgeProbeTestCase):
    @edge_then(fallback=["mem:us"])
    def test_one_probe_and_the_others_are_generated_by_the_next_voice_at_once(self):
        results = self.ask_every_word_at_once()

        self.assert_one_probe_and_the_rest_at_once(results)
        self.assertEqual({tier for _, tier, _ in results}, {AudioSource.SourceType.GENERATED})
        self.assertEqual(len(LocMemEngine.requests), len(WORDS))
        self.assertEqual(
            set(AudioSource.objects.values_list("engine", flat=True)), {LocMemEngine.name}
        )
