"""The one way an audio file enters storage: with its row, or not at all.

:func:`audio_file_store` writes the file under ``phonemes/pending/<uuid>.<ext>``, then saves
the row (pointing at that name) and its AudioCache in one transaction. After the commit the
file moves to its final name, ``phonemes/audio/<date>/<uuid>.<ext>`` (the field's
``upload_to``, same uuid), and a replaced file is deleted. So a file under ``phonemes/audio/``
always belongs to a committed row, and only ``phonemes/pending/`` holds files whose row may
still be in an open transaction: the cleanup's orphan rule (``lifecycle.orphan_files_find``)
relies on this. The new file is deleted at once if saving its row fails; if an outer
transaction rolls back later, it stays under ``phonemes/pending/`` until ``cleanup_audio``
sweeps it (a day on). A rolled-back transaction keeps the replaced file. Generated audio
and native recordings both come through here.

A storage that refuses the write (disk full, read-only, failing) raises
:class:`StorageUnavailable` (:mod:`apps.core.storage` classifies such faults), with no partial
file left behind.
"""

import logging
import os
from datetime import datetime
from typing import BinaryIO
from uuid import uuid4

from django.core.files import File
from django.core.files.storage import Storage
from django.db import transaction

from apps.core.storage import (
    StorageUnavailable,
    json_safe,
    storage_delete_quietly,
    storage_save,
)
from apps.curriculum.cache import OutageLog
from apps.curriculum.models import AudioCache, AudioSource
from speech.acoustics import Check

logger = logging.getLogger(__name__)

PENDING_DIR = "phonemes/pending"
storage_outage = OutageLog(logger)


def acoustic_check_apply(source: AudioSource, check: Check) -> None:
    """Put a check's verdict in ``source``'s columns and its measurement in metadata."""
    source.acoustic_verdict = check.verdict
    source.acoustic_heard_as = check.heard_as
    metadata = dict(source.metadata) if isinstance(source.metadata, dict) else {}
    metadata["acoustic"] = json_safe(check.details)
    source.metadata = metadata


def audio_file_store(
    source: AudioSource,
    content: BinaryIO,
    *,
    extension: str,
    size: int,
    generated_at: datetime | None = None,
) -> AudioSource:
    """Store ``content`` as ``source``'s file and save ``source`` (new or existing).

    The stored name is a UUID with ``extension``; whatever name the content came with never
    reaches storage. ``source`` points at the pending name until the transaction commits and
    at the final name afterwards (see the module's docstring). Raises
    :class:`StorageUnavailable` when storage refuses the file, and whatever saving the row
    raises (``IntegrityError`` for a duplicate), with the new file already removed.
    """
    field = source.audio_file.field
    storage = source.audio_file.storage
    old_name = source.audio_file.name or ""
    replaced = old_name if source.pk else ""
    basename = f"{uuid4().hex}.{extension}"
    pending = _write(storage, f"{PENDING_DIR}/{basename}", File(content))
    source.audio_file = pending
    try:
        with transaction.atomic():
            source.save()
            fields = {"file_size": size}
            if generated_at is not None:
                fields["generated_at"] = generated_at
            if not AudioCache.objects.filter(audio_source=source).update(**fields):
                AudioCache.objects.create(audio_source=source, file_size=size)
            final = field.generate_filename(source, basename)
            # One callback: put the new file in place, then drop the one it replaces.
            transaction.on_commit(
                lambda: _after_commit(storage, source, pending, final, replaced), robust=True
            )
    except BaseException:
        storage_delete_quietly(storage, pending)  # nothing references the new file
        source.audio_file = old_name
        raise
    return source


def audio_file_size(source: AudioSource) -> int:
    """The size of ``source``'s file in storage, 0 when there is none or it cannot be read."""
    if not source.audio_file:
        return 0
    try:
        return source.audio_file.size
    except OSError:
        return 0


def audio_file_basename(name: str) -> str:
    """What a stored file is known by in both its pending and final places: ``<uuid>.<ext>``."""
    return os.path.basename(name)


def _write(storage: Storage, name: str, content: File) -> str:
    try:
        return storage_save(storage, name, content)
    except StorageUnavailable as fault:
        storage_outage("Audio storage unavailable: %s (%s)", fault, fault.__cause__)
        raise


def _after_commit(
    storage: Storage, source: AudioSource, pending: str, final: str, replaced: str
) -> None:
    try:
        with storage.open(pending, "rb") as moving:
            final = _write(storage, final, File(moving))
    except (OSError, StorageUnavailable) as exc:
        # The row keeps the pending name: the file still plays, and a referenced file is
        # never an orphan.
        logger.warning(
            "Could not move %s to its final place (%s); it plays from there", pending, exc
        )
    else:
        if not _point_at(source, pending=pending, final=final):
            # The row was replaced or deleted meanwhile: neither file belongs to anybody.
            storage_delete_quietly(storage, final)
        storage_delete_quietly(storage, pending)
    if replaced:
        storage_delete_quietly(storage, replaced)


def _point_at(source: AudioSource, *, pending: str, final: str) -> bool:
    """Make ``source``'s row name ``final`` if it still names ``pending``. A save (not an
    UPDATE) so that whatever follows rows through ``post_save`` (cached payloads naming the
    file's URL) hears of it."""
    with transaction.atomic():
        row = (
            AudioSource.objects.select_for_update().filter(pk=source.pk, audio_file=pending).first()
        )
        if row is None:
            return False
        row.audio_file = final
        row.save(update_fields=["audio_file", "updated_at"])
    source.audio_file = final
    return True
