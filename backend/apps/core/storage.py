"""Storage helpers every app uses: classify a refused write, save a file with nothing partial
left behind, list a storage, delete quietly, and make a measurement JSON-safe."""

import errno
import logging
import math
from typing import Any

from django.core.files import File
from django.core.files.storage import Storage

logger = logging.getLogger(__name__)

_DISK_FULL = {errno.ENOSPC, errno.EDQUOT}


class StorageUnavailable(Exception):
    """Storage could not take a file. ``disk_full`` is True when it is out of space (or
    quota), False when it is read-only or failing otherwise. The message is for the person
    whose file it was; the cause is the ``OSError``."""

    def __init__(self, message: str, *, disk_full: bool):
        super().__init__(message)
        self.disk_full = disk_full

    @classmethod
    def of(cls, exc: OSError) -> "StorageUnavailable":
        """The fault ``exc`` (raised by a storage's write) stands for."""
        if exc.errno in _DISK_FULL:
            return cls("The server's storage is full; the audio was not stored.", disk_full=True)
        state = "read-only" if exc.errno == errno.EROFS else "failing"
        return cls(f"The server's storage is {state}; the audio was not stored.", disk_full=False)


def storage_save(storage: Storage, name: str, content: File) -> str:
    """Save ``content`` under ``name`` (or the free name storage picks) and return that name.

    Raises :class:`StorageUnavailable` when storage refuses the write, after deleting whatever
    part of the file it kept (a full disk can leave one: Django's FileSystemStorage does)."""
    try:
        return storage.save(name, content)
    except OSError as exc:
        storage_delete_quietly(storage, name)
        raise StorageUnavailable.of(exc) from exc


def storage_walk(storage: Storage, directory: str = "") -> list[str]:
    """Every file name under ``directory`` ("" for the whole storage), sorted.

    Not ``storage.exists(directory)``: a bucket has no folders, only keys under a prefix, so
    it would say no. A missing local folder raises; a prefix with no keys lists nothing."""
    try:
        folders, files = storage.listdir(directory)
    except FileNotFoundError:
        return []
    prefix = f"{directory}/" if directory else ""
    names = [prefix + name for name in files]
    for folder in folders:
        names += storage_walk(storage, prefix + folder)
    return sorted(names)


def storage_delete_quietly(storage: Storage, name: str) -> bool:
    """Delete ``name``; a storage that fails is logged, not raised (the caller has nothing
    better to do). True when the file is gone."""
    try:
        storage.delete(name)
    except OSError:
        logger.warning("Could not delete %s from %r", name, storage, exc_info=True)
        return False
    return True


def json_safe(value: Any) -> Any:
    """``value`` with NaN and infinities as ``None``: JSON has no such numbers, and SQLite's
    and PostgreSQL's JSON columns refuse them (a silent stretch measures -inf dB)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value
