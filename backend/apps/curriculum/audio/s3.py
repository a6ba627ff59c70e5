"""Media in an S3-compatible bucket (django-storages), typed from each object's own bytes.

A bucket serves an object with the ``Content-Type`` stored in its metadata when it was
uploaded, and answers ``Range`` requests itself. So the type is decided here, once, from the
content's first bytes (:func:`speech.formats.detect_format`): never from the object's name nor
from a type a client declared. Audio gets its audio type; anything else gets
:data:`NOT_AUDIO` with ``Content-Disposition: attachment``, which no browser renders.

Faults of the bucket (refused, unreachable, missing) are raised as ``OSError``, as a local
disk's are, so the callers' one way of handling a failing storage covers both.
"""

import errno
from collections.abc import Callable
from functools import wraps
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from storages.backends.s3 import S3Storage

from speech.formats import FORMATS, detect_format

# Not "application/octet-stream": some S3-compatible servers (SeaweedFS) take that for "no
# type given" and store the type the key's extension suggests instead, text/html for ".html".
# AWS's own default for untyped objects is kept as sent, and browsers render neither.
NOT_AUDIO = "binary/octet-stream"


def content_type_sniff(content: Any) -> str:
    """The audio MIME type of ``content`` from its first bytes, or :data:`NOT_AUDIO`.

    ``content`` is left at its start; content that cannot be rewound is not audio here.
    """
    try:
        content.seek(0)
        head = content.read(16)
        content.seek(0)
    except (AttributeError, OSError, ValueError):
        return NOT_AUDIO
    audio_format = detect_format(head) if isinstance(head, bytes) else None
    return FORMATS[audio_format][1] if audio_format else NOT_AUDIO


def _faults_as_oserror(method: Callable) -> Callable:
    @wraps(method)
    def wrapper(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except (BotoCoreError, ClientError) as exc:
            raise OSError(errno.EIO, f"object storage: {exc}") from exc

    return wrapper


class AudioS3Storage(S3Storage):
    """django-storages' S3 backend whose uploads are typed by :func:`content_type_sniff`,
    and whose faults are ``OSError``."""

    _open = _faults_as_oserror(S3Storage._open)
    _save = _faults_as_oserror(S3Storage._save)
    delete = _faults_as_oserror(S3Storage.delete)
    exists = _faults_as_oserror(S3Storage.exists)
    listdir = _faults_as_oserror(S3Storage.listdir)
    size = _faults_as_oserror(S3Storage.size)
    get_modified_time = _faults_as_oserror(S3Storage.get_modified_time)

    def _get_write_parameters(self, name: str, content: Any = None) -> dict[str, Any]:
        params = super()._get_write_parameters(name, content)
        # The parent guesses from the name (and could add a ContentEncoding from ".gz") or takes
        # the upload's declared type; neither says what the bytes are.
        params.pop("ContentEncoding", None)
        params["ContentType"] = content_type_sniff(content)
        if params["ContentType"] == NOT_AUDIO:
            params["ContentDisposition"] = "attachment"
        return params
