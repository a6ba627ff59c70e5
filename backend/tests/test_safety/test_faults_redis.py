"""Redis down (REDIS_URL points at a port where nothing listens): the site keeps working.

The settings' cache is used as config/settings.py builds it for that REDIS_URL (read in a
fresh process), so these tests fail if the settings go back to a cache that raises.
"""

import json
import os
import subprocess
import sys
import unittest
from functools import cache
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.core.cache import cache as django_cache
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.test import TestCase, TransactionTestCase, override_settings
from redis.exceptions import ConnectionError as RedisConnectionError

from apps.curriculum.audio.locks import redis_lock_outage
from apps.curriculum.audio.playback import audio_for_phoneme
from apps.curriculum.cache import RETRY_AFTER_SECONDS, redis_outages_forget
from apps.curriculum.models import AudioCache, AudioSource
from speech.tts.locmem import LocMemEngine
from tests.factories import TempMediaMixin, make_audio, make_phoneme
from tests.threads import run_in_threads

DOWN = "redis://127.0.0.1:1/0"  # port 1: the connection is refused at once
# In-memory voices, whatever environment the runner gives (pytest's or Django's own).
MEMORY_VOICES = override_settings(
    PHATAM_TTS_ENGINES={"mem": {"BACKEND": "speech.tts.locmem.LocMemEngine"}},
    PHATAM_VOICES={"en-US": ["mem:us"], "en-GB": ["mem:uk"]},
)


@cache
def caches_for(redis_url: str) -> dict:
    """``CACHES`` as config/settings.py makes it with ``REDIS_URL=redis_url``."""
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    environment.update(REDIS_URL=redis_url, DJANGO_SETTINGS_MODULE="config.settings")
    code = "import django, json; django.setup(); from django.conf import settings; "
    code += "print(json.dumps(settings.CACHES))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(settings.BASE_DIR),
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if result.returncode != 0:
        raise AssertionError(result.stderr)
    return json.loads(result.stdout)


def redis_down() -> override_settings:
    """The settings with REDIS_URL set and nothing listening there."""
    return override_settings(REDIS_URL=DOWN, CACHES=caches_for(DOWN))


@MEMORY_VOICES
class RedisDownTestCase(TempMediaMixin, TestCase):
    def setUp(self):
        super().setUp()
        redis_outages_forget()
        redis_lock_outage.reset()
        LocMemEngine.reset()
        self.addCleanup(redis_outages_forget)
        self.vowel = make_phoneme("iː", example_words=[{"word": "see", "ipa": "/siː/"}])


class RedisDownTests(RedisDownTestCase):
    def test_the_settings_cache_is_the_fail_open_one(self):
        backend = caches_for(DOWN)["default"]["BACKEND"]
        self.assertEqual(backend, "apps.curriculum.cache.FailOpenRedisCache")

    def test_recording_a_play_works_and_the_throttle_lets_it_through(self):
        source = make_audio(self.vowel, AudioSource.SourceType.TTS, expires_in_days=7)

        with redis_down(), self.assertLogs("apps.curriculum.cache", "ERROR"):
            responses = [self.client.post(f"/api/audio/{source.pk}/plays/") for _ in range(3)]

        self.assertEqual([r.status_code for r in responses], [200, 200, 200])
        self.assertEqual(responses[-1].json()["usage_count"], 3)
        self.assertEqual(AudioCache.objects.get(audio_source=source).usage_count, 3)

    def test_the_outage_is_logged_once_not_per_request(self):
        source = make_audio(self.vowel, AudioSource.SourceType.TTS, expires_in_days=7)

        with redis_down(), self.assertLogs("apps.curriculum.cache", "WARNING") as logs:
            for _ in range(5):
                self.client.post(f"/api/audio/{source.pk}/plays/")

        self.assertEqual(len(logs.records), 1, logs.output)
        self.assertIn("Redis cache unavailable", logs.output[0])

    def test_the_chart_and_on_demand_audio_work(self):
        with redis_down(), self.assertLogs("apps.curriculum", "ERROR"):
            chart = self.client.get("/api/phonemes/", {"accent": "en-US"})
            audio = self.client.get(f"/api/phonemes/{self.vowel.pk}/audio/", {"accent": "en-US"})

        self.assertEqual(chart.status_code, 200, chart.content[:300])
        self.assertEqual(audio.status_code, 200, audio.content[:300])

    def test_generation_takes_the_database_lock_instead_of_answering_busy(self):
        with redis_down(), self.assertLogs("apps.curriculum.audio.locks", "ERROR") as logs:
            answer = audio_for_phoneme(self.vowel, accent="en-US", word="see")

        self.assertEqual(answer.tier, AudioSource.SourceType.GENERATED, answer.reason)
        self.assertEqual(len(LocMemEngine.requests), 1)
        self.assertIn("using the database lock instead", logs.output[0])

    def test_reads_miss_and_writes_are_dropped(self):
        with redis_down(), self.assertLogs("apps.curriculum.cache", "ERROR"):
            django_cache.set("key", "value")
            self.assertIsNone(django_cache.get("key"))
            self.assertEqual(django_cache.get("key", "default"), "default")
            self.assertEqual(django_cache.get_many(["key"]), {})
            self.assertFalse(django_cache.add("key", "value"))
            self.assertFalse(django_cache.delete("key"))
            with self.assertRaises(ValueError):
                django_cache.incr("key")

    def test_a_failed_redis_is_not_asked_again_for_a_few_seconds(self):
        # A Redis that drops packets costs a timeout per call: after one failure the cache
        # does not call it for RETRY_AFTER_SECONDS.
        self.assertGreaterEqual(RETRY_AFTER_SECONDS, 1)
        refused = RedisConnectionError("Connection refused")
        with (
            redis_down(),
            mock.patch.object(RedisCache, "get", autospec=True, side_effect=refused) as get,
            self.assertLogs("apps.curriculum.cache", "ERROR"),
        ):
            for _ in range(5):
                self.assertIsNone(django_cache.get("key"))

        self.assertEqual(get.call_count, 1)


@unittest.skipUnless(
    connection.vendor == "postgresql", "concurrency is tested on PostgreSQL (.ci/run)"
)
@MEMORY_VOICES
class RedisDownSingleFlightTests(TempMediaMixin, TransactionTestCase):
    def setUp(self):
        super().setUp()
        redis_outages_forget()
        LocMemEngine.reset()
        self.addCleanup(redis_outages_forget)

    def test_concurrent_generation_still_runs_once_on_the_database_lock(self):
        LocMemEngine.delay = 0.3  # keeps the first generation in flight while the others ask
        vowel = make_phoneme("iː", example_words=[{"word": "see", "ipa": "/siː/"}])

        with redis_down(), self.assertLogs("apps.curriculum", "ERROR"):
            results, errors = run_in_threads(
                lambda: audio_for_phoneme(vowel, accent="en-US").source.pk, 6
            )

        self.assertEqual(errors, [])
        self.assertEqual(len(LocMemEngine.requests), 1)
        self.assertEqual(set(results), {AudioSource.objects.get().pk})
