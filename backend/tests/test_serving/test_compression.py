"""Answers are compressed (Brotli, else gzip) and decode to exactly the uncompressed bytes;
cached chart payloads are compressed once per version, each encoding with its own ETag, and
answered before Django by the outermost WSGI layer with the headers Django gives them."""

import gzip
import tempfile
from unittest import mock

import brotli
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory, TestCase, override_settings

from apps.curriculum.api import cache as payload_cache
from apps.curriculum.models import AudioSource
from config.compression import negotiate
from tests.factories import TempMediaMixin, make_audio, make_category, make_phoneme, make_user

LIST = "/api/phonemes/"
SEE = [{"word": "see", "ipa": "/siː/"}]
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


class NegotiationTests(TestCase):
    def test_brotli_is_preferred_then_gzip_then_nothing(self):
        self.assertEqual(negotiate("gzip, deflate, br, zstd"), "br")
        self.assertEqual(negotiate("gzip, deflate"), "gzip")
        self.assertEqual(negotiate("br;q=0, gzip"), "gzip")
        self.assertIsNone(negotiate("identity"))
        self.assertIsNone(negotiate(""))


class PayloadTestCase(TempMediaMixin, TestCase):
    def setUp(self):
        super().setUp()
        cache.clear()
        self.addCleanup(cache.clear)
        payload_cache._seen.clear()
        self.phoneme = make_phoneme("iː", example_words=SEE, category=make_category())


class CompressedPageTests(PayloadTestCase):
    def test_the_chart_page_decodes_to_the_uncompressed_page(self):
        plain = self.client.get("/")
        self.assertNotIn("Content-Encoding", plain)
        for encoding in ("br", "gzip"):
            with self.subTest(encoding=encoding):
                packed = self.client.get("/", headers={"Accept-Encoding": encoding})
                self.assertEqual(packed["Content-Encoding"], encoding)
                self.assertLess(len(packed.content), len(plain.content))
                self.assertEqual(DECODE[encoding](packed.content), plain.content)
                self.assertIn("Accept-Encoding", packed["Vary"])

    def test_api_json_that_is_not_a_cached_payload_is_compressed_too(self):
        self.client.force_login(make_user())
        url = "/api/categories/?x=1"  # an unknown parameter: not a cached payload
        plain = self.client.get(url)
        packed = self.client.get(url, headers={"Accept-Encoding": "gzip"})
        self.assertEqual(plain.status_code, packed.status_code)
        if packed.has_header("Content-Encoding"):
            self.assertEqual(gzip.decompress(packed.content), plain.content)
        self.assertIn("Accept-Encoding", packed["Vary"])

    def test_audio_is_never_compressed(self):
        source = make_audio(self.phoneme, AudioSource.SourceType.NATIVE, language="en-US")
        response = self.client.get(source.audio_file.url, headers={"Accept-Encoding": "br"})
        self.assertNotIn("Content-Encoding", response)


class CompressedPayloadTests(PayloadTestCase):
    def test_every_encoding_decodes_to_the_same_bytes(self):
        plain = self.client.get(LIST)
        for encoding in ("br", "gzip"):
            with self.subTest(encoding=encoding):
                packed = self.client.get(LIST, headers={"Accept-Encoding": f"{encoding}, x"})
                self.assertEqual(packed["Content-Encoding"], encoding)
                self.assertEqual(DECODE[encoding](packed.content), plain.content)
                self.assertEqual(packed["Vary"], "Accept, Accept-Encoding")

    def test_each_encoding_has_its_own_etag_and_its_own_304(self):
        tags = {}
        for encoding in ("br", "gzip", "identity"):
            first = self.client.get(LIST, headers={"Accept-Encoding": encoding})
            tags[encoding] = first["ETag"]
            again = self.client.get(
                LIST, headers={"Accept-Encoding": encoding, "If-None-Match": first["ETag"]}
            )
            self.assertEqual(again.status_code, 304, encoding)
            self.assertEqual(again["ETag"], first["ETag"])
        self.assertEqual(len(set(tags.values())), 3, tags)
        # The gzip bytes' tag does not make a Brotli client skip its own bytes.
        other = self.client.get(
            LIST, headers={"Accept-Encoding": "br", "If-None-Match": tags["gzip"]}
        )
        self.assertEqual(other.status_code, 200)

    def test_a_payload_is_compressed_once_per_version_not_per_request(self):
        with mock.patch.object(payload_cache, "compress", wraps=payload_cache.compress) as compress:
            for _ in range(3):
                for encoding in ("br", "gzip"):
                    self.client.get(LIST, headers={"Accept-Encoding": encoding})
        self.assertEqual(compress.call_count, 2)  # Brotli and gzip, once


def environ(path: str, **headers: str) -> dict:
    return RequestFactory().get(path, headers=headers).environ


class EarlyWsgiTests(PayloadTestCase):
    def setUp(self):
        super().setUp()
        self.django = mock.Mock(wraps=WSGIHandler())
        self.layer = payload_cache.PayloadWsgi(self.django)

    def call(self, path: str = LIST, **headers: str) -> tuple[str, dict, bytes]:
        answer = {}

        def start_response(status, headers, exc_info=None):
            answer["status"], answer["headers"] = status, headers

        # A WSGI request starts and ends by closing old database connections: the test's
        # transaction lives on one (Django's test client disconnects them likewise; it also
        # connects them again after each of its requests, so this is done per call).
        for signal in (request_started, request_finished):
            signal.disconnect(close_old_connections)
        try:
            chunks = self.layer(environ(path, **headers), start_response)
            body = b"".join(chunks)
            getattr(chunks, "close", lambda: None)()
        finally:
            for signal in (request_started, request_finished):
                signal.connect(close_old_connections)
        return answer["status"], dict(answer["headers"]), body

    maxDiff = None

    def test_a_cached_payload_is_answered_without_django_with_django_s_headers(self):
        _, by_django, body = self.call(**{"Accept-Encoding": "br"})
        self.assertEqual(self.django.call_count, 1)

        status, early, early_body = self.call(**{"Accept-Encoding": "br"})

        self.assertEqual(self.django.call_count, 1)  # not called again
        self.assertEqual(status, "200 OK")
        self.assertEqual(early_body, body)
        # Django's stack adds "Cookie" and "Accept-Language" to Vary on the way out; the
        # payload is the same for every cookie and language, which the early answer says.
        ignored = {"Set-Cookie", "Vary"}
        self.assertEqual(
            {k: v for k, v in early.items() if k not in ignored},
            {k: v for k, v in by_django.items() if k not in ignored},
        )
        self.assertEqual(early["Vary"], "Accept, Accept-Encoding")
        self.assertIn("Content-Security-Policy", early)
        self.assertNotIn("unsafe-inline", early["Content-Security-Policy"])

    def test_a_matching_conditional_request_is_304_before_django(self):
        _, first, _ = self.call(**{"Accept-Encoding": "gzip"})

        status, headers, body = self.call(
            **{"Accept-Encoding": "gzip", "If-None-Match": first["ETag"]}
        )

        self.assertEqual((status, body), ("304 Not Modified", b""))
        self.assertEqual(headers["ETag"], first["ETag"])
        self.assertEqual(self.django.call_count, 1)

    def test_a_host_django_refuses_is_never_answered_early(self):
        for _ in range(2):
            status, _, _ = self.call(HOST="evil.example")
            self.assertTrue(status.startswith("400"), status)
        self.assertEqual(self.django.call_count, 2)

    def test_anything_but_a_payload_goes_to_django(self):
        self.call()
        for path in ("/api/phonemes/?accent=en-AU", "/api/phonemes/?x=1", "/"):
            self.call(path)
        self.assertEqual(self.django.call_count, 4)

    def test_a_pin_reaches_every_process_s_precompressed_copy(self):
        older = make_audio(self.phoneme, AudioSource.SourceType.NATIVE, language="en-US")
        newer = make_audio(self.phoneme, AudioSource.SourceType.NATIVE, language="en-US")
        with (
            tempfile.TemporaryDirectory() as shared,
            override_settings(
                CACHES={
                    "default": {
                        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                        "LOCATION": shared,
                    }
                }
            ),
        ):
            self.call(**{"Accept-Encoding": "br"})
            _, _, before = self.call(**{"Accept-Encoding": "br"})
            self.assertIn(f'"audio_source_id":{newer.pk}'.encode(), brotli.decompress(before))
            # Another worker: its own copy of the payloads it served, from before the pin.
            other_process = dict(payload_cache._seen)

            self.client.force_login(make_user(is_staff=True))
            pinned = self.client.put(
                f"/api/phonemes/{self.phoneme.pk}/preferred-audio/",
                {"audio_source_id": older.pk},
                content_type="application/json",
            )
            self.assertEqual(pinned.status_code, 200, pinned.content)

            with mock.patch.dict(payload_cache._seen, other_process, clear=True):
                _, _, after = self.call(**{"Accept-Encoding": "br"})
        self.assertIn(f'"audio_source_id":{older.pk}'.encode(), brotli.decompress(after))
