"""Chores that span apps, as hooks each app registers in its ``AppConfig.ready()``.

``cleanup_audio`` runs every registered cleanup hook; :func:`apps.core.accounts.account_delete`
runs every account-deletion hook. So no app calls into another's services for them: an app
that keeps files (learners' recordings, studio takes, a class's uploads) registers how to
expire them and how to delete a deleted user's.
"""

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

logger = logging.getLogger(__name__)

# ``hook(now=...)``: expire what is due; returns one line for the cleanup report.
CleanupHook = Callable[..., str]
# ``hook(user)``: delete the user's rows and, once that commits, their files.
AccountDeleteHook = Callable[[Any], None]


class Hooks:
    """An ordered set of callables, registered by name so that registering twice (tests,
    ``ready()`` running again) keeps one."""

    def __init__(self, kind: str):
        self.kind = kind
        self._hooks: dict[str, Callable] = {}

    def register(self, hook: Callable, *, name: str | None = None) -> Callable:
        """Add ``hook`` (usable as a decorator); returns it."""
        self._hooks[name or f"{hook.__module__}.{hook.__qualname__}"] = hook
        return hook

    def unregister(self, name: str) -> None:
        self._hooks.pop(name, None)

    def names(self) -> list[str]:
        return list(self._hooks)

    def __iter__(self):
        return iter(list(self._hooks.values()))


cleanup_hooks = Hooks("cleanup")
account_delete_hooks = Hooks("account deletion")


def cleanup_run(*, now: datetime) -> list[str]:
    """Run every cleanup hook; one report line each. A hook that fails is reported (and
    logged) and the others still run."""
    lines = []
    for hook in cleanup_hooks:
        try:
            lines.append(hook(now=now))
        except Exception as exc:
            logger.exception("Cleanup hook %s failed", hook.__qualname__)
            lines.append(f"{hook.__qualname__} failed: {exc}")
    return lines
