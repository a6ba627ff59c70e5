"""Saying that a service is down once a minute, not once per request."""

import logging
import threading
import time
from typing import Any


class OutageLog:
    """Logs an outage at most once every ``every`` seconds in this process: a dead store fails
    every request, and one line a minute says so as well as thousands would."""

    def __init__(self, logger: logging.Logger, *, every: float = 60.0):
        self.logger = logger
        self.every = every
        self._last: float | None = None
        self._guard = threading.Lock()

    def __call__(self, message: str, *args: Any) -> bool:
        """Log ``message`` as an error unless it was logged within the interval; True if it
        was logged now."""
        now = time.monotonic()
        with self._guard:
            if self._last is not None and now - self._last < self.every:
                return False
            self._last = now
        self.logger.error(message, *args)
        return True

    def reset(self) -> None:
        """Forget the last log (tests start each case from a clean slate)."""
        with self._guard:
            self._last = None
