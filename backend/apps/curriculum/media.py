"""Serving media files in the embedded setup, with byte ranges.

Safari and iOS play audio only from servers that answer ``Range`` requests, and Django's
``FileResponse`` ignores ``Range``. This view answers a single byte range with 206, ``416``
for a range past the end, conditional requests with 304, and names the type from the file's
content. Production does not use it: the web server or object storage serves ``MEDIA_URL``
(they handle ranges themselves; see the README).
"""

import mimetypes
import os
import re
from datetime import datetime

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils._os import safe_join
from django.utils.http import http_date, parse_http_date_safe
from django.views.decorators.http import require_safe

from apps.curriculum.audio_formats import FORMATS, detect_format
from apps.curriculum.models import AudioSource

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def sniff_content_type(head: bytes, name: str) -> str:
    """The audio type from the file's first bytes; the name only for other files."""
    audio_format = detect_format(head)
    if audio_format is not None:
        return FORMATS[audio_format][1]
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def parse_range(header: str, size: int) -> tuple[int, int] | None | str:
    """``(first, last)`` byte positions for a single range, ``None`` when the header should be
    ignored (missing, malformed or several ranges: the whole file is sent), or
    ``"unsatisfiable"`` for a range that starts past the end."""
    match = _RANGE.match(header.strip())
    if not match:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix: the last N bytes
        length = int(last)
        if length == 0:
            return "unsatisfiable"
        return max(0, size - length), size - 1
    start = int(first)
    if start >= size:
        return "unsatisfiable"
    end = int(last) if last else size - 1
    if end < start:
        return None
    return start, min(end, size - 1)


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
    try:
        full_path = safe_join(settings.MEDIA_ROOT, path)
    except SuspiciousFileOperation:
        raise Http404("No such file") from None
    if not os.path.isfile(full_path):
        raise Http404("No such file")
    stat = os.stat(full_path)
    size = stat.st_size
    etag = f'"{size:x}-{stat.st_mtime_ns:x}"'
    headers = {
        "ETag": etag,
        "Last-Modified": http_date(stat.st_mtime),
        "Accept-Ranges": "bytes",
        "Cache-Control": f"public, max-age={_max_age(path, timezone.now())}",
        "X-Content-Type-Options": "nosniff",
    }

    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        if if_none_match.strip() == "*" or etag in [t.strip() for t in if_none_match.split(",")]:
            return _with_headers(HttpResponseNotModified(), headers)
    else:
        since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
        if since is not None and int(stat.st_mtime) <= since:
            return _with_headers(HttpResponseNotModified(), headers)

    with open(full_path, "rb") as file:
        content_type = sniff_content_type(file.read(16), full_path)

    byte_range = None
    if_range = request.headers.get("If-Range")
    if "Range" in request.headers and (if_range is None or if_range.strip() == etag):
        byte_range = parse_range(request.headers["Range"], size)
    if byte_range == "unsatisfiable":
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return _with_headers(response, headers)
    if byte_range is None:
        response = FileResponse(open(full_path, "rb"), content_type=content_type)  # noqa: SIM115
        return _with_headers(response, headers)

    first, last = byte_range
    with open(full_path, "rb") as file:
        file.seek(first)
        body = file.read(last - first + 1)
    response = HttpResponse(body, status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {first}-{last}/{size}"
    return _with_headers(response, headers)


def _with_headers(response: HttpResponse, headers: dict[str, str]) -> HttpResponse:
    for name, value in headers.items():
        response[name] = value
    return response
