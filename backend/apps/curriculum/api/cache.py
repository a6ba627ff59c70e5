"""The chart's payloads, rendered once and served from the cache until something changes.

The phoneme list is the same JSON for every learner of an accent until a phoneme, an audio
source, a pin or an expiry changes, so it is rendered once per accent and kept in Django's
cache with a strong ``ETag``. A version key, replaced after every commit that touches what
the payloads show, makes every stored payload stale at once (the receivers below; signals
only for cache invalidation). A payload also expires by itself when the earliest
``cached_until`` among the files it names passes, and after ``PHATAM_PAYLOAD_SECONDS`` at
most (a presigned object-storage URL outlives it).

A cache that is down (Redis) is a miss: the payload is rendered for that request.

:class:`PayloadCacheMiddleware` answers a request whose payload is cached before the rest of
the middleware stack runs (as WhiteNoise does for static files); a miss goes on to the view,
which renders and stores it.
"""

import hashlib
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import uuid4

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from apps.curriculum.models import AudioSource, MinimalPair, Phoneme, PhonemeCategory

logger = logging.getLogger(__name__)

VERSION_KEY = "phatam:payload:version"
PAYLOAD_KEY = "phatam:payload:{name}"


@dataclass(frozen=True)
class Payload:
    body: bytes
    etag: str


def payload_name(kind: str, *, accent: str = "", pk: int | None = None) -> str:
    """The cache name of a payload: the phoneme list of an accent, one phoneme in an accent,
    or the categories."""
    return ":".join(str(part) for part in (kind, pk, accent) if part not in ("", None))


def payload_response(
    request: HttpRequest, name: str, build: Callable[[], tuple[object, datetime | None]]
) -> HttpResponse:
    """The payload ``name`` as a JSON response (304 when the client has it).

    ``build()`` returns the data and when it stops being right (the earliest expiry of what
    it names, or ``None``); it runs only on a cache miss.
    """
    return _answer(request, _payload(name, build))


def _answer(request: HttpRequest, payload: Payload) -> HttpResponse:
    headers = {"ETag": payload.etag, "Cache-Control": "public, no-cache", "Vary": "Accept"}
    if payload.etag in _etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(payload.body, content_type="application/json")
    for header, value in headers.items():
        response[header] = value
    return response


def _payload(name: str, build) -> Payload:
    payload = _fresh(name)
    if payload is not None:
        return payload
    version = _version() or _new_version(first=True)
    data, expires = build()
    body = JSONRenderer().render(data)
    payload = Payload(body=body, etag=f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"')
    timeout = settings.PHATAM_PAYLOAD_SECONDS
    if expires is not None:
        timeout = min(timeout, max(0, int((expires - timezone.now()).total_seconds())))
    if timeout > 0 and version is not None:
        _store(PAYLOAD_KEY.format(name=name), (version, payload, time.time() + timeout), timeout)
        _seen[name] = (version, time.time() + timeout, payload)
    return payload


# Each process keeps a copy of the payloads it has served: a hit then reads only the small
# version key from the shared cache, not the whole payload. The version and the expiry decide,
# exactly as for the shared copy.
_seen: dict[str, tuple[str, float, Payload]] = {}


def _fresh(name: str) -> Payload | None:
    """The stored payload ``name`` if it is of the current version and unexpired."""
    version = _version()
    if version is None:
        return None
    local = _seen.get(name)
    if local is not None and local[0] == version and local[1] > time.time():
        return local[2]
    try:
        entry = cache.get(PAYLOAD_KEY.format(name=name))
    except Exception:  # a cache that is down is a miss
        logger.warning("Payload cache unavailable", exc_info=True)
        return None
    if entry is None or entry[0] != version or entry[2] <= time.time():
        return None
    _seen[name] = (entry[0], entry[2], entry[1])
    return entry[1]


def _version() -> str | None:
    try:
        return cache.get(VERSION_KEY)
    except Exception:  # a cache that is down is a miss
        logger.warning("Payload cache unavailable", exc_info=True)
        return None


def _store(key: str, value, timeout: int) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception:
        logger.warning("Payload cache unavailable", exc_info=True)


def _new_version(*, first: bool = False) -> str | None:
    version = uuid4().hex
    try:
        if first:
            # Another process may have set it meanwhile: theirs wins, so all agree.
            cache.add(VERSION_KEY, version, None)
            return cache.get(VERSION_KEY)
        cache.set(VERSION_KEY, version, None)
    except Exception:
        logger.warning("Payload cache unavailable; payloads stay stale", exc_info=True)
        return None
    return version


def payloads_invalidate() -> None:
    """Make every cached payload stale now and again once the current transaction commits:
    a request that renders between the two (still seeing the old rows) stores its payload
    under a version the commit replaces."""
    _new_version()
    transaction.on_commit(_new_version)


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


@receiver(post_save, sender=Phoneme, dispatch_uid="payloads_phoneme_saved")
@receiver(post_delete, sender=Phoneme, dispatch_uid="payloads_phoneme_deleted")
@receiver(post_save, sender=PhonemeCategory, dispatch_uid="payloads_category_saved")
@receiver(post_delete, sender=PhonemeCategory, dispatch_uid="payloads_category_deleted")
@receiver(post_save, sender=AudioSource, dispatch_uid="payloads_audio_saved")
@receiver(post_delete, sender=AudioSource, dispatch_uid="payloads_audio_deleted")
@receiver(post_save, sender=MinimalPair, dispatch_uid="payloads_pair_saved")
@receiver(post_delete, sender=MinimalPair, dispatch_uid="payloads_pair_deleted")
def _content_changed(sender, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # fixtures loading
    payloads_invalidate()


# The payload URLs, with at most an ``accent`` in the query string.
_PAYLOAD_PATH = re.compile(
    r"^/api/(?:(?P<categories>categories)|phonemes)/(?:(?P<pk>[0-9]{1,18})/)?$"
)


class PayloadCacheMiddleware:
    """Serve a cached chart payload before the rest of the stack (sessions, CSRF, auth,
    the view) runs. Anything else, and every miss, goes on as usual."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD"):
            name = _name_of(request)
            payload = _fresh(name) if name is not None else None
            if payload is not None:
                return _answer(request, payload)
        return self.get_response(request)


def _name_of(request: HttpRequest) -> str | None:
    match = _PAYLOAD_PATH.match(request.path_info)
    if match is None or set(request.GET) - {"accent"}:
        return None
    if match["categories"]:
        return None if match["pk"] or request.GET else payload_name("categories")
    accent = request.GET.get("accent", settings.PHATAM_DEFAULT_ACCENT)
    if accent not in settings.PHATAM_VOICES:  # "accent=" (empty) too
        return None  # the view answers the 400
    if match["pk"]:
        return payload_name("phoneme", pk=int(match["pk"]), accent=accent)
    return payload_name("phonemes", accent=accent)
