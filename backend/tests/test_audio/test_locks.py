"""Single-flight locks on Redis: one holder per key, different keys at once. Needs a Redis
server: `.ci/run` passes PHATAM_TEST_REDIS_URL."""

import os
import threading
import time
import unittest

from django.test import SimpleTestCase, override_settings

from apps.curriculum.audio.locks import single_flight
from tests.threads import run_in_threads

REDIS_URL = os.environ.get("PHATAM_TEST_REDIS_URL", "")


@unittest.skipUnless(REDIS_URL, "Redis lock is tested in .ci/run")
@override_settings(REDIS_URL=REDIS_URL)
class RedisSingleFlightTests(SimpleTestCase):
    def setUp(self):
        self.guard = threading.Lock()
        self.holders = 0
        self.most_holders = 0

    def hold(self, key: str, *, meet: threading.Barrier | None = None) -> None:
        with single_flight(key):
            with self.guard:
                self.holders += 1
                self.most_holders = max(self.most_holders, self.holders)
            if meet is not None:
                meet.wait(timeout=30)  # breaks (an error) unless all holders are in at once
            else:
                time.sleep(0.05)  # room for another thread to wrongly come in
            with self.guard:
                self.holders -= 1

    def test_one_key_has_one_holder_at_a_time(self):
        results, errors = run_in_threads(lambda: self.hold("same-key"), 6)

        self.assertEqual(errors, [])
        self.assertEqual(len(results), 6)
        self.assertEqual(self.most_holders, 1)

    def test_different_keys_are_held_at_the_same_time(self):
        meet = threading.Barrier(6)
        keys = iter(f"key-{n}" for n in range(6))
        guard = threading.Lock()

        def hold_own_key():
            with guard:
                key = next(keys)
            self.hold(key, meet=meet)

        results, errors = run_in_threads(hold_own_key, 6)

        self.assertEqual(errors, [])
        self.assertEqual(self.most_holders, 6)
