"""Single-flight locks: one holder per key across threads and processes.

With ``REDIS_URL`` set, a Redis lock (works across machines). Without it, the database: a
PostgreSQL advisory lock, or, on the embedded SQLite setup (one server process), a lock in
this process. When Redis cannot be reached the database lock is used instead: it still
serialises the processes sharing the database, and the unique constraint guards the row.

A holder that dies never blocks the others for long: the Redis lock lives only
``LOCK_TTL_SECONDS`` unless its holder keeps renewing it (a thread does, every third of that),
and a waiter on the same machine takes over at once a lock whose holder process is gone (a
worker killed mid-task); PostgreSQL drops a dead session's advisory lock itself. How long a
caller waits for a live holder is :func:`lock_wait_limit`'s: a request waits ``WAIT_SECONDS``
for another's generation, a Celery task only a moment (it retries later instead of holding
its worker slot).
"""

import hashlib
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connection

from apps.curriculum.cache import SOCKET_TIMEOUT_SECONDS, OutageLog

logger = logging.getLogger(__name__)

LOCK_TTL_SECONDS = 15  # a Redis lock nobody renews (its holder died) expires after this
WAIT_SECONDS = 60  # the default wait for a live holder (a request's)
POLL_SECONDS = 0.05

# Deletes the lock only if it still holds the dead owner's token (another waiter may have
# taken it over already).
_TAKE_OVER = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end"

_wait_seconds: ContextVar[float] = ContextVar("lock_wait_seconds", default=WAIT_SECONDS)
_local_locks: dict[str, threading.Lock] = {}
_local_locks_guard = threading.Lock()
redis_lock_outage = OutageLog(logger)


class LockUnavailable(Exception):
    """The lock could not be had (a Redis that is down is not a reason: the database lock
    takes over)."""


class LockTimeout(LockUnavailable):
    """The lock was not free within the wait."""


@contextmanager
def lock_wait_limit(seconds: float) -> Iterator[None]:
    """Within the block, :func:`single_flight` waits at most ``seconds`` for a live holder
    (this thread or task only)."""
    token = _wait_seconds.set(seconds)
    try:
        yield
    finally:
        _wait_seconds.reset(token)


@contextmanager
def single_flight(key: str) -> Iterator[None]:
    """Hold the lock of ``key`` for the block. Raises :class:`LockTimeout` when another holder
    keeps it past the wait (:func:`lock_wait_limit`)."""
    wait = _wait_seconds.get()
    if settings.REDIS_URL:
        with _redis_lock(key, wait=wait):
            yield
    else:
        with _database_lock(key, wait=wait):
            yield


@contextmanager
def _database_lock(key: str, *, wait: float) -> Iterator[None]:
    if connection.vendor == "postgresql":
        with _advisory_lock(key, wait=wait):
            yield
    else:
        with _process_lock(key, wait=wait):
            yield


def owner_token() -> str:
    """What a Redis lock holds while this process owns it: the machine, the process, and a
    unique part (two holders in one process never share a token)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex}"


def owner_is_dead(token: str) -> bool:
    """True when ``token``'s process ran on this machine and is gone (or a zombie waiting to
    be reaped). A holder on another machine is never judged dead: its lock expires instead."""
    host, _, rest = token.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, another user's
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rpartition(")")[2].split()[0] == "Z"
    except (OSError, IndexError):
        return False


@contextmanager
def _redis_lock(key: str, *, wait: float) -> Iterator[None]:
    import redis

    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
        socket_timeout=SOCKET_TIMEOUT_SECONDS,
    )
    name = f"phatam:lock:{key}"
    # Not thread-local: the renewing thread needs the token too.
    lock = client.lock(name, timeout=LOCK_TTL_SECONDS, thread_local=False)
    try:
        acquired = _redis_acquire(client, lock, name, wait=wait)
    except redis.RedisError as exc:
        redis_lock_outage("Redis lock unavailable (%s); using the database lock instead.", exc)
        acquired = None
    if acquired is None:
        with _database_lock(key, wait=wait):
            yield
        return
    if not acquired:
        raise LockTimeout(key)
    stop = threading.Event()
    renewer = threading.Thread(
        target=_keep_renewing, args=(lock, stop), name=f"lock-renewal {key}", daemon=True
    )
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join()
        try:
            lock.release()
        except redis.RedisError:
            # Expired while held (Redis unreachable past the TTL) or Redis went away: the
            # work is done; the unique constraint still guards the row.
            logger.warning("Could not release the lock %s", key, exc_info=True)


def _redis_acquire(client, lock, name: str, *, wait: float) -> bool:
    """Take the lock within ``wait`` seconds, taking it over from a dead holder at once."""
    take_over = client.register_script(_TAKE_OVER)
    deadline = time.monotonic() + wait
    while True:
        if lock.acquire(blocking=False, token=owner_token()):
            return True
        owner = client.get(name)
        holder = owner.decode(errors="replace") if owner is not None else ""
        if holder and owner_is_dead(holder):
            if take_over(keys=[name], args=[owner]):
                logger.warning("Took over the lock %s of a dead process (%s)", name, holder)
            continue
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_SECONDS)


def _keep_renewing(lock, stop: threading.Event) -> None:
    """Reset the lock's TTL every third of it until ``stop``: it outlives slow work, never its
    holder."""
    import redis

    while not stop.wait(LOCK_TTL_SECONDS / 3):
        try:
            lock.reacquire()
        except redis.exceptions.LockNotOwnedError:
            logger.warning("Lost the lock %s (expired while held)", lock.name)
            return
        except redis.RedisError as exc:
            logger.warning("Could not renew the lock %s: %s", lock.name, exc)


@contextmanager
def _advisory_lock(key: str, *, wait: float) -> Iterator[None]:
    # Session-level (not transaction-level) so the lock is not stretched by an outer
    # transaction, and so it is released even if the caller's transaction rolls back (and by
    # the server when the holder's connection dies with its process).
    lock_id = int.from_bytes(
        hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True
    )
    deadline = time.monotonic() + wait
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [lock_id])
            if cursor.fetchone()[0]:
                break
            if time.monotonic() >= deadline:
                raise LockTimeout(key)
            time.sleep(POLL_SECONDS)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [lock_id])


@contextmanager
def _process_lock(key: str, *, wait: float) -> Iterator[None]:
    with _local_locks_guard:
        lock = _local_locks.setdefault(key, threading.Lock())
    if not lock.acquire(timeout=wait):
        raise LockTimeout(key)
    try:
        yield
    finally:
        lock.release()
