"""Single-flight locks: one holder per key across threads and processes.

With ``REDIS_URL`` set, a Redis lock (works across machines). Without it, the database: a
PostgreSQL advisory lock, or, on the embedded SQLite setup (one server process), a lock in
this process. When Redis cannot be reached the database lock is used instead: it still
serialises the processes sharing the database, and the unique constraint guards the row.
"""

import hashlib
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection

from apps.curriculum.cache import SOCKET_TIMEOUT_SECONDS, OutageLog

logger = logging.getLogger(__name__)

LOCK_TIMEOUT_SECONDS = 120  # a holder that dies releases the Redis lock after this
WAIT_SECONDS = 60

_local_locks: dict[str, threading.Lock] = {}
_local_locks_guard = threading.Lock()
redis_lock_outage = OutageLog(logger)


class LockUnavailable(Exception):
    """The lock could not be had (a Redis that is down is not a reason: the database lock
    takes over)."""


class LockTimeout(LockUnavailable):
    """The lock was not free within the wait."""


@contextmanager
def single_flight(key: str) -> Iterator[None]:
    """Hold the lock of ``key`` for the block. Raises :class:`LockTimeout` when another holder
    keeps it past the wait."""
    if settings.REDIS_URL:
        with _redis_lock(key):
            yield
    else:
        with _database_lock(key):
            yield


@contextmanager
def _database_lock(key: str) -> Iterator[None]:
    if connection.vendor == "postgresql":
        with _advisory_lock(key):
            yield
    else:
        with _process_lock(key):
            yield


@contextmanager
def _redis_lock(key: str) -> Iterator[None]:
    import redis

    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
        socket_timeout=SOCKET_TIMEOUT_SECONDS,
    )
    lock = client.lock(f"phatam:lock:{key}", timeout=LOCK_TIMEOUT_SECONDS)
    try:
        acquired = lock.acquire(blocking_timeout=WAIT_SECONDS)
    except redis.RedisError as exc:
        redis_lock_outage("Redis lock unavailable (%s); using the database lock instead.", exc)
        acquired = None
    if acquired is None:
        with _database_lock(key):
            yield
        return
    if not acquired:
        raise LockTimeout(key)
    try:
        yield
    finally:
        try:
            lock.release()
        except redis.RedisError:
            # Expired while held (work past LOCK_TIMEOUT_SECONDS) or Redis went away: the
            # work is done; the unique constraint still guards the row.
            logger.warning("Could not release the lock %s", key, exc_info=True)


@contextmanager
def _advisory_lock(key: str) -> Iterator[None]:
    # Session-level (not transaction-level) so the lock is not stretched by an outer
    # transaction, and so it is released even if the caller's transaction rolls back.
    lock_id = int.from_bytes(
        hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [lock_id])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [lock_id])


@contextmanager
def _process_lock(key: str) -> Iterator[None]:
    with _local_locks_guard:
        lock = _local_locks.setdefault(key, threading.Lock())
    if not lock.acquire(timeout=WAIT_SECONDS):
        raise LockTimeout(key)
    try:
        yield
    finally:
        lock.release()
