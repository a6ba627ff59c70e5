"""The chart's payloads, rendered once and served from the cache until something changes.

The phoneme list is the same JSON for every learner of an accent until a phoneme, an audio
source, a pin or an expiry changes, so it is rendered once per accent and kept in Django's
cache with a strong ``ETag``. A version key, replaced after every commit that touches what
the payloads show, makes every stored payload stale at once (the receivers below; signals
only for cache invalidation). A payload also expires by itself when the earliest
``cached_until`` among the files it names passes, and after ``PHATAM_PAYLOAD_SECONDS`` at
most (a presigned object-storage URL outlives it).

A cache that is down (Redis) is a miss: the payload is rendered for that request.

A payload is compressed when it is rendered, once per version, with Brotli and gzip
(``config.compression``); each encoding has its own strong ``ETag`` (``"<hash>-br"``), so a
conditional request is matched against the bytes it would get.

:class:`PayloadWsgi` (``config.wsgi``) answers a request whose payload is cached before
Django runs at all, with the headers Django's stack gives that payload (captured from its
first answer in the process); :class:`PayloadCacheMiddleware` does the same inside Django
for servers that do not load ``config.wsgi`` (the test client). A miss goes on to the view,
which renders and stores it.
"""

import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qs
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
from config.compression import PAYLOAD_QUALITY, compress, negotiate

logger = logging.getLogger(__name__)

VERSION_KEY = "phatam:payload:version"
PAYLOAD_KEY = "phatam:payload:{name}"


@dataclass(frozen=True)
class Payload:
    """The JSON bytes, their strong ``ETag``, and the same bytes compressed per encoding."""

    body: bytes
    etag: str
    encoded: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def render(cls, body: bytes) -> "Payload":
        digest = hashlib.blake2b(body, digest_size=16).hexdigest()
        encoded = {enc: compress(body, enc, quality=PAYLOAD_QUALITY) for enc in ("br", "gzip")}
        return cls(body=body, etag=f'"{digest}"', encoded=encoded)

    def variant(self, accept_encoding: str) -> tuple[str | None, bytes, str]:
        """The encoding (``None``: identity), bytes and ``ETag`` a client gets."""
        encoding = negotiate(accept_encoding)
        if encoding not in self.encoded:
            return None, self.body, self.etag
        return encoding, self.encoded[encoding], f'{self.etag[:-1]}-{encoding}"'


# Headers of a payload answer that the payload sets itself; any other header of Django's
# answer (CSP, nosniff, referrer policy, HSTS...) is what PayloadWsgi repeats.
OWN_HEADERS = frozenset(
    {"content-type", "content-length", "content-encoding", "etag", "vary", "cache-control"}
)
VARY = "Accept, Accept-Encoding"


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
    status, headers, body = _parts(
        payload,
        accept_encoding=request.headers.get("Accept-Encoding", ""),
        if_none_match=request.headers.get("If-None-Match", ""),
    )
    response = HttpResponseNotModified() if status == 304 else HttpResponse(body)
    for header, value in headers:
        response[header] = value
    return response


def _parts(
    payload: Payload, *, accept_encoding: str, if_none_match: str
) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body of the answer (304 when the client has these bytes)."""
    encoding, body, etag = payload.variant(accept_encoding)
    headers = [("ETag", etag), ("Cache-Control", "public, no-cache"), ("Vary", VARY)]
    if etag in _etags(if_none_match):
        return 304, headers, b""
    headers.append(("Content-Type", "application/json"))
    if encoding:
        headers.append(("Content-Encoding", encoding))
    headers.append(("Content-Length", str(len(body))))
    return 200, headers, body


def _payload(name: str, build) -> Payload:
    payload = _fresh(name)
    if payload is not None:
        return payload
    version = _version() or _new_version(first=True)
    data, expires = build()
    payload = Payload.render(JSONRenderer().render(data))
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
    return _payload_name_for(request.path_info, request.GET)


def _payload_name_for(path: str, query) -> str | None:
    """The payload a GET of ``path`` with ``query`` (a mapping of names to values) answers,
    or ``None`` when the view must decide (anything else, a bad accent)."""
    match = _PAYLOAD_PATH.match(path)
    if match is None or set(query) - {"accent"}:
        return None
    if match["categories"]:
        return None if match["pk"] or query else payload_name("categories")
    accent = query.get("accent", settings.PHATAM_DEFAULT_ACCENT)
    if accent not in settings.PHATAM_VOICES:  # "accent=" (empty) too
        return None  # the view answers the 400
    if match["pk"]:
        return payload_name("phoneme", pk=int(match["pk"]), accent=accent)
    return payload_name("phonemes", accent=accent)


class PayloadWsgi:
    """The outermost layer (``config.wsgi``): a cached chart payload is answered here, before
    Django's request handling, middleware, sessions, auth and DRF; everything else, and every
    miss, goes to ``app``.

    The answer has exactly the headers Django's stack gives a payload: the first payload
    Django answers for a scheme and host in this process is watched, and its headers (minus
    the payload's own, :data:`OWN_HEADERS`, and cookies) are repeated on every early answer
    for that scheme and host. Until then Django answers. A host Django refuses (400) never
    gets there, so the early answer keeps ``ALLOWED_HOSTS``, ``SECURE_SSL_REDIRECT`` and the
    CSP as they are. The version key is read from the shared cache on every request, exactly
    as the view does, so a pin is what the next request gets in every process.
    """

    MAX_HOSTS = 64  # a bound on the captured header sets (ALLOWED_HOSTS may be "*")
    MAX_NAMES = 256  # a bound on the remembered URL -> payload names

    def __init__(self, app):
        self.app = app
        self.headers: dict[tuple[str, ...], list[tuple[str, str]]] = {}
        self.names: dict[tuple[str, str], str | None] = {}

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self.app(environ, start_response)
        name = self._name(environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))
        if name is None:
            return self.app(environ, start_response)
        key = self._key(environ)
        extra = self.headers.get(key)
        payload = _fresh(name) if extra is not None else None
        if payload is None:
            return self.app(environ, self._watching(start_response, key))
        status, headers, body = _parts(
            payload,
            accept_encoding=environ.get("HTTP_ACCEPT_ENCODING", ""),
            if_none_match=environ.get("HTTP_IF_NONE_MATCH", ""),
        )
        start_response("304 Not Modified" if status == 304 else "200 OK", headers + extra)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    def _name(self, path: str, query_string: str) -> str | None:
        try:
            return self.names[path, query_string]
        except KeyError:
            pass
        query = {k: v[-1] for k, v in parse_qs(query_string, keep_blank_values=True).items()}
        name = _payload_name_for(path, query)
        if len(self.names) < self.MAX_NAMES:
            self.names[path, query_string] = name
        return name

    @staticmethod
    def _key(environ: dict) -> tuple[str, ...]:
        proxy = settings.SECURE_PROXY_SSL_HEADER
        return (
            environ.get("wsgi.url_scheme", "http"),
            environ.get(proxy[0], "") if proxy else "",
            environ.get("HTTP_HOST", ""),
        )

    def _watching(self, start_response, key: tuple[str, ...]):
        def watch(status: str, headers: list[tuple[str, str]], exc_info=None):
            kind = {name.lower(): value for name, value in headers}.get("content-type")
            if (
                status.startswith("200 ")
                and kind == "application/json"
                and (key in self.headers or len(self.headers) < self.MAX_HOSTS)
            ):
                self.headers[key] = [
                    (name, value)
                    for name, value in headers
                    if name.lower() not in OWN_HEADERS and name.lower() != "set-cookie"
                ]
            return start_response(status, headers, exc_info)

        return watch
