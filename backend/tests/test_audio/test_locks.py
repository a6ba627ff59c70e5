"""Single-flight locks on Redis: one holder per key, different keys at once. Needs a Redis
server: `.ci/run` passes PHATAM_TEST_REDIS_URL."""

import os
import socket
import subprocess
import threading
import time
import unittest
import uuid
from unittest.mock import patch

from django.test import SimpleTestCase, override_settings

from apps.curriculum.audio.locks import (
    LockTimeout,
    lock_wait_limit,
    owner_is_dead,
    single_flight,
)
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


@unittest.skipUnless(REDIS_URL, "Redis lock is tested in .ci/run")
@override_settings(REDIS_URL=REDIS_URL)
class RedisDeadHolderTests(SimpleTestCase):
    """A holder that dies (a worker killed mid-task) does not keep its lock."""

    def setUp(self):
        import redis

        self.client = redis.Redis.from_url(REDIS_URL)
        self.name = f"phatam:lock:dead-holder-{uuid.uuid4().hex}"
        self.addCleanup(self.client.delete, self.name)

    def dead_process_token(self) -> str:
        child = subprocess.Popen(["sleep", "30"])  # noqa: S607
        child.kill()
        child.wait()
        return f"{socket.gethostname()}:{child.pid}:{uuid.uuid4().hex}"

    def test_a_lock_of_a_dead_process_on_this_machine_is_taken_over_at_once(self):
        self.client.set(self.name, self.dead_process_token(), ex=3600)

        key = self.name.removeprefix("phatam:lock:")
        with (
            self.assertLogs("apps.curriculum.audio.locks", "WARNING") as logs,
            lock_wait_limit(0),
            single_flight(key),
        ):
            self.assertTrue(owner_is_dead(self.dead_process_token()))
        self.assertIn("Took over the lock", logs.output[0])

    def test_a_live_holder_is_waited_for_only_within_the_limit(self):
        live = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex}"
        self.client.set(self.name, live, ex=3600)

        key = self.name.removeprefix("phatam:lock:")
        with self.assertRaises(LockTimeout), lock_wait_limit(0.2), single_flight(key):
            pass
        self.assertEqual(self.client.get(self.name).decode(), live)

    def test_a_held_lock_is_renewed_past_its_ttl_and_expires_without_its_holder(self):
        key = self.name.removeprefix("phatam:lock:")
        with patch("apps.curriculum.audio.locks.LOCK_TTL_SECONDS", 0.6), single_flight(key):
            time.sleep(1.5)  # past two TTLs: still held, renewed by its thread
            self.assertTrue(self.client.exists(self.name))
            self.assertLessEqual(self.client.pttl(self.name), 600)
        self.assertFalse(self.client.exists(self.name))  # released


class LockOwnerTests(SimpleTestCase):
    def test_a_holder_on_another_machine_is_never_judged_dead(self):
        self.assertFalse(owner_is_dead("another-host:1:abc"))

    def test_a_live_process_here_is_not_dead_and_an_ended_one_is(self):
        child = subprocess.Popen(["sleep", "30"])  # noqa: S607
        token = f"{socket.gethostname()}:{child.pid}:x"
        self.assertFalse(owner_is_dead(token))
        child.kill()
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # ended, not yet reaped
        self.assertTrue(owner_is_dead(token))  # a zombie: dead all the same
        child.wait()
        self.assertTrue(owner_is_dead(token))
