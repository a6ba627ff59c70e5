"""Compressed answers: Brotli where the client accepts it, else gzip, else none.

The codecs are libraries (``brotli``, Google's bindings; gzip through Django's own
``compress_string``, as ``GZipMiddleware`` uses it); this module only decides which one an
answer gets. :class:`CompressionMiddleware` is Django's ``GZipMiddleware`` with Brotli in
front and a list of compressible types: text, JSON, JavaScript, SVG and the manifest. Audio,
images and files (streamed answers, ranges) are left alone: MP3 does not shrink, and a
``Range`` request must get the bytes it asked for.

BREACH (README, "Threat model and guarantees"): HTML pages that carry a CSRF token are
compressed. Django masks the form token with a fresh random salt on every answer, so an
attacker who reflects input into the page cannot recover it by watching sizes; the session
and CSRF cookies travel in headers, which HTTP/1.1 does not compress.
"""

import brotli
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_vary_headers
from django.utils.regex_helper import _lazy_re_compile
from django.utils.text import compress_string

# Quality 5 is within a few per cent of 11 on JSON and HTML at a tenth of the time; a payload
# compressed once per version (apps.curriculum.api.cache) uses the best, PAYLOAD_QUALITY.
BROTLI_QUALITY = 5
PAYLOAD_QUALITY = 11
MIN_LENGTH = 200  # as GZipMiddleware: smaller answers fit in a packet anyway

_COMPRESSIBLE = _lazy_re_compile(
    r"^(text/|application/(json|javascript|manifest\+json|xml)|image/svg\+xml)"
)


def negotiate(accept_encoding: str) -> str | None:
    """``"br"``, ``"gzip"`` or ``None`` for an ``Accept-Encoding`` header (``q=0`` refuses)."""
    accepted = set()
    for part in accept_encoding[:200].split(","):
        name, _, params = part.strip().partition(";")
        quality = params.strip().removeprefix("q=").strip() if params else "1"
        try:
            if float(quality) <= 0:
                continue
        except ValueError:
            continue
        accepted.add(name.strip().lower())
    if "br" in accepted:
        return "br"
    if "gzip" in accepted or "*" in accepted:
        return "gzip"
    return None


def compress(body: bytes, encoding: str, *, quality: int = BROTLI_QUALITY) -> bytes:
    if encoding == "br":
        return brotli.compress(body, mode=brotli.MODE_TEXT, quality=quality)
    return compress_string(body)


class CompressionMiddleware(GZipMiddleware):
    """Compress text answers of at least ``MIN_LENGTH`` bytes; sets ``Vary: Accept-Encoding``
    on every compressible answer, compressed or not, so that a shared cache keeps both."""

    def process_response(self, request, response):
        if (
            response.streaming
            or response.has_header("Content-Encoding")
            or not _COMPRESSIBLE.match(response.get("Content-Type", ""))
        ):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        if len(response.content) < MIN_LENGTH:
            return response
        encoding = negotiate(request.META.get("HTTP_ACCEPT_ENCODING", ""))
        if encoding is None:
            return response
        compressed = compress(response.content, encoding)
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response["Content-Length"] = str(len(compressed))
        # A strong ETag names the uncompressed bytes; the compressed ones are only equivalent.
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response["ETag"] = "W/" + etag
        response["Content-Encoding"] = encoding
        return response
