"""Serving media files in the embedded setup: only audio, with byte ranges.

Safari and iOS play audio only from servers that answer ``Range`` requests, and Django's
``FileResponse`` ignores ``Range``. This view answers a single byte range with 206, ``416``
for a range past the end, conditional requests with 304, and names the type from the file's
content. Production does not use it: the web server or object storage serves ``MEDIA_URL``
(they handle ranges themselves; see the README for keeping them to audio too).

Whatever lies under ``MEDIA_ROOT``, only audio leaves it: a file whose first bytes are not an
accepted audio format (:func:`speech.formats.detect_format`) is a 404, so an HTML or SVG file
that reached the folder some other way is never served as a page of this site. Symlinks under
``MEDIA_ROOT`` are never followed (each folder and the file are opened with ``O_NOFOLLOW``),
and only regular files are read.
"""

import math
import os
import re
import stat as stat_module
from datetime import datetime

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.http import http_date, parse_http_date_safe
from django.views.decorators.http import require_safe

from apps.curriculum.models import AudioSource
from speech.formats import FORMATS, detect_format

_RANGE = re.compile(r"^bytes=([0-9]*)-([0-9]*)$", re.ASCII)
# More digits than any file size has: such a number is "past any end", never converted
# (Python refuses to convert more than 4300 digits, and a huge int is pointless here).
_MAX_DIGITS = 18
_SNIFF_BYTES = 16
# Media answers are never pages: opened on their own, a document that runs no script and may
# load nothing but the audio itself (the site's policy, set by django-csp, is for pages).
# "allow-same-origin" keeps the document's origin, which Chromium needs to load the audio
# into its own player; scripts stay forbidden (no "allow-scripts").
MEDIA_POLICY = "default-src 'none'; media-src 'self'; sandbox allow-same-origin"


def audio_content_type(head: bytes) -> str | None:
    """The audio type named by a file's first bytes, or ``None`` when it is not audio."""
    audio_format = detect_format(head)
    return FORMATS[audio_format][1] if audio_format is not None else None


def _number(digits: str) -> int | float:
    """ASCII ``digits`` as a number; ``math.inf`` when longer than any file size can be."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= _MAX_DIGITS else math.inf


def parse_range(header: str, size: int) -> tuple[int, int] | None | str:
    """``(first, last)`` byte positions for a single range, ``None`` when the header should be
    ignored (missing, malformed or several ranges: the whole file is sent), or
    ``"unsatisfiable"`` for a range that starts past the end (every range of an empty file).
    Numbers of any length are accepted; only ASCII digits count."""
    match = _RANGE.match(header.strip())
    if not match:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix: the last N bytes
        length = _number(last)
        if length == 0 or size == 0:
            return "unsatisfiable"
        return int(max(0, size - length)), size - 1
    start = _number(first)
    end = _number(last) if last else math.inf
    if end < start:
        return None
    if start >= size:
        return "unsatisfiable"
    return int(start), int(min(end, size - 1))


def _open_without_symlinks(root: str, path: str) -> int | None:
    """A read-only descriptor of the regular file ``path`` under ``root``, or ``None`` when
    there is none: a part of the path is empty, ``.``, ``..`` or a symlink, or the file is a
    folder, a FIFO or a device. ``root`` itself may be a symlink (a deployment's choice)."""
    parts = path.split("/")
    if any(part in ("", ".", "..") or "\0" in part for part in parts):
        return None
    flags = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    try:
        folder = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None
    try:
        for part in parts[:-1]:
            inner = os.open(part, flags | os.O_DIRECTORY, dir_fd=folder)
            os.close(folder)
            folder = inner
        # O_NONBLOCK: opening a FIFO must not wait for a writer (fstat then turns it away).
        fd = os.open(parts[-1], flags | os.O_NONBLOCK, dir_fd=folder)
    except (OSError, ValueError):
        return None
    finally:
        os.close(folder)
    if not stat_module.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None
    return fd


def _not_found() -> HttpResponse:
    # Plain text: nothing under /media/ answers with a page of this site.
    response = HttpResponse("Not found", status=404, content_type="text/plain; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = MEDIA_POLICY
    return response


def _max_age(name: str, now: datetime) -> int:
    """No longer than the file's audio stays valid (TTS), else the configured maximum."""
    cached_until = (
        AudioSource.objects.filter(audio_file=name).values_list("cached_until", flat=True).first()
    )
    max_age = settings.PHATAM_MEDIA_MAX_AGE
    if cached_until is not None:
        max_age = min(max_age, max(0, int((cached_until - now).total_seconds())))
    return max_age


@require_safe
def serve_media(request: HttpRequest, path: str) -> HttpResponse:
    fd = _open_without_symlinks(os.fspath(settings.MEDIA_ROOT), path)
    if fd is None:
        return _not_found()
    file = os.fdopen(fd, "rb")
    try:
        return _audio_response(request, file, path)
    except BaseException:
        file.close()
        raise


def _audio_response(request: HttpRequest, file, path: str) -> HttpResponse:
    """The response for the open ``file``; closes it unless a FileResponse streams it."""
    content_type = audio_content_type(file.read(_SNIFF_BYTES))
    if content_type is None:
        file.close()
        return _not_found()
    stat = os.fstat(file.fileno())
    size = stat.st_size
    etag = f'"{size:x}-{stat.st_mtime_ns:x}"'
    headers = {
        "ETag": etag,
        "Last-Modified": http_date(stat.st_mtime),
        "Accept-Ranges": "bytes",
        "Cache-Control": f"public, max-age={_max_age(path, timezone.now())}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": MEDIA_POLICY,
    }

    if_none_match = request.headers.get("If-None-Match")
    not_modified = False
    if if_none_match is not None:
        not_modified = if_none_match.strip() == "*" or etag in [
            t.strip() for t in if_none_match.split(",")
        ]
    else:
        since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
        not_modified = since is not None and int(stat.st_mtime) <= since
    if not_modified:
        file.close()
        return _with_headers(HttpResponseNotModified(), headers)

    byte_range = None
    if_range = request.headers.get("If-Range")
    if "Range" in request.headers and (if_range is None or if_range.strip() == etag):
        byte_range = parse_range(request.headers["Range"], size)
    if byte_range == "unsatisfiable":
        file.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return _with_headers(response, headers)
    file.seek(0)
    if byte_range is None:
        response = FileResponse(file, content_type=content_type)
        return _with_headers(response, headers)

    first, last = byte_range
    file.seek(first)
    body = file.read(last - first + 1)
    file.close()
    response = HttpResponse(body, status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {first}-{last}/{size}"
    return _with_headers(response, headers)


def _with_headers(response: HttpResponse, headers: dict[str, str]) -> HttpResponse:
    for name, value in headers.items():
        response[name] = value
    return response
