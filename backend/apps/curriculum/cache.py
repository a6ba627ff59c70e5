"""Degrading, not failing, when a shared service is down.

:class:`FailOpenRedisCache` is Django's Redis cache with one change: when Redis cannot be
reached, a read is a miss and a write does nothing, instead of an exception that turns the
request into a 500. What PhatAm keeps in the cache can be lost without harm: the play
throttle's history (a learner is then not throttled), edge-tts's outage memory and probe
(then forgotten), the chart's rendered payloads (then rendered per request).
:class:`~apps.core.outages.OutageLog` says that a service is down once a minute, not once per
request.

A small subclass rather than django-redis: its ``IGNORE_EXCEPTIONS`` flag does the same, but
it is a second Redis client library to install and follow for one flag.
"""

import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

from apps.core.outages import OutageLog

logger = logging.getLogger(__name__)

# A Redis that does not answer must not hold a request for long: connecting and each command
# give up after this many seconds (the defaults wait for the operating system's timeouts).
SOCKET_TIMEOUT_SECONDS = 1.0
# After a failure, Redis is not asked again for this long: a request makes several cache
# calls, and each would otherwise wait out the timeout on a Redis that drops packets.
RETRY_AFTER_SECONDS = 5.0


redis_outage = OutageLog(logger)
_down_until: dict[str, float] = {}  # LOCATION -> monotonic time Redis may be asked again


def redis_outages_forget() -> None:
    """Forget every Redis outage this process knows of (for tests)."""
    _down_until.clear()
    redis_outage.reset()


class FailOpenRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` whose reads miss and whose writes are
    dropped while Redis is unreachable (any ``redis.exceptions.RedisError``).

    ``add`` then answers False (nothing was stored: whoever asks does not get the claim, so
    edge-tts's probe is not run while Redis is down and words come from eSpeak) and ``incr``
    raises ``ValueError`` as for a missing key.
    """

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        options.setdefault("socket_connect_timeout", SOCKET_TIMEOUT_SECONDS)
        options.setdefault("socket_timeout", SOCKET_TIMEOUT_SECONDS)
        super().__init__(server, {**params, "OPTIONS": options})
        self._location = str(server)

    def _fail_open(self, missed: Any, method: Callable[..., Any], *args: Any) -> Any:
        """``method(self, *args)`` (a RedisCache method), or ``missed`` while Redis is down."""
        if time.monotonic() < _down_until.get(self._location, 0.0):
            return missed
        try:
            return method(self, *args)
        except RedisError as exc:
            _down_until[self._location] = time.monotonic() + RETRY_AFTER_SECONDS
            redis_outage(
                "Redis cache unavailable (%s failed: %s); reads miss and writes are dropped "
                "until it answers again.",
                method.__name__,
                exc,
            )
            return missed

    def get(self, key, default=None, version=None):
        return self._fail_open(default, RedisCache.get, key, default, version)

    def get_many(self, keys, version=None):
        return self._fail_open({}, RedisCache.get_many, keys, version)

    def has_key(self, key, version=None):
        return self._fail_open(False, RedisCache.has_key, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._fail_open(False, RedisCache.add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._fail_open(None, RedisCache.set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Answers the keys that were not stored: all of them.
        return self._fail_open(list(data), RedisCache.set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._fail_open(False, RedisCache.touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._fail_open(False, RedisCache.delete, key, version)

    def delete_many(self, keys, version=None):
        self._fail_open(None, RedisCache.delete_many, keys, version)

    def clear(self):
        return self._fail_open(False, RedisCache.clear)

    def incr(self, key, delta=1, version=None):
        missing = object()
        value = self._fail_open(missing, RedisCache.incr, key, delta, version)
        if value is missing:
            raise ValueError(f"Key '{key}' not found (Redis is unavailable)")
        return value
