"""Media files served by the embedded setup (/media/...): byte ranges for Safari, conditional
requests, the type from the content, cache lifetimes bounded by a TTS file's expiry, and no way
out of MEDIA_ROOT."""

import os
import shutil
import tempfile
import time
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import TestCase, override_settings
from django.utils import timezone
from django.utils.http import http_date

from apps.curriculum.models import AudioSource
from tests.factories import FAKE_MP3, TempMediaMixin, make_audio, make_phoneme

NATIVE = AudioSource.SourceType.NATIVE
TTS = AudioSource.SourceType.TTS

SIZE = len(FAKE_MP3)
# The first bytes of a WAV file: enough for the type to be read from the content.
WAV = b"RIFF" + (36).to_bytes(4, "little") + b"WAVEfmt " + b"\x10\x00\x00\x00" + b"\x00" * 32


def read(response):
    """The response with its body in ``response.body``; reading a streamed body to the end is
    what makes the test client close the file (closing it directly would fire
    request_finished and close the test's database connection)."""
    if response.streaming:
        response.body = b"".join(response.streaming_content)
    else:
        response.body = response.content
    return response


def max_age(response) -> int:
    directives = dict(
        part.strip().partition("=")[::2] for part in response["Cache-Control"].split(",")
    )
    return int(directives["max-age"])


class MediaTestCase(TempMediaMixin, TestCase):
    def setUp(self):
        super().setUp()
        self.source = make_audio(make_phoneme("iː"), NATIVE)
        self.url = self.source.audio_file.url

    def get(self, url: str | None = None, **headers):
        return read(self.client.get(url or self.url, headers=headers))


class FullFileTests(MediaTestCase):
    def test_the_whole_file_is_sent_with_its_length_and_range_support(self):
        response = self.get()

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.body, FAKE_MP3)
        self.assertEqual(response["Content-Length"], str(SIZE))
        self.assertEqual(response["Accept-Ranges"], "bytes")

    def test_an_mp3_is_served_as_audio_mpeg(self):
        response = self.get()

        self.assertEqual(response["Content-Type"], "audio/mpeg")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")

    def test_the_type_comes_from_the_content_not_the_name(self):
        name = default_storage.save("clips/really-a-wav.mp3", ContentFile(WAV))

        response = self.get(default_storage.url(name))

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "audio/wav")
        self.assertEqual(response.body, WAV)

    def test_validators_for_conditional_requests_are_sent(self):
        response = self.get()

        self.assertRegex(response["ETag"], r'^"[0-9a-f]+-[0-9a-f]+"$')
        self.assertTrue(response["Last-Modified"].endswith("GMT"))

    def test_head_sends_the_headers_without_the_body(self):
        response = read(self.client.head(self.url))

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Length"], str(SIZE))
        self.assertEqual(response.body, b"")


class RangeTests(MediaTestCase):
    def test_a_byte_range_is_sent_as_partial_content(self):
        response = self.get(Range="bytes=0-1")

        self.assertEqual(response.status_code, 206)
        self.assertEqual(response["Content-Range"], f"bytes 0-1/{SIZE}")
        self.assertEqual(response["Content-Length"], "2")
        self.assertEqual(response.body, FAKE_MP3[:2])
        self.assertEqual(response["Content-Type"], "audio/mpeg")

    def test_a_suffix_range_sends_the_last_bytes(self):
        response = self.get(Range="bytes=-5")

        self.assertEqual(response.status_code, 206)
        self.assertEqual(response["Content-Range"], f"bytes {SIZE - 5}-{SIZE - 1}/{SIZE}")
        self.assertEqual(response.body, FAKE_MP3[-5:])

    def test_a_suffix_longer_than_the_file_sends_the_whole_file(self):
        response = self.get(Range=f"bytes=-{SIZE * 10}")

        self.assertEqual(response.status_code, 206)
        self.assertEqual(response["Content-Range"], f"bytes 0-{SIZE - 1}/{SIZE}")
        self.assertEqual(response.body, FAKE_MP3)

    def test_an_open_range_runs_to_the_end(self):
        response = self.get(Range="bytes=10-")

        self.assertEqual(response.status_code, 206)
        self.assertEqual(response["Content-Range"], f"bytes 10-{SIZE - 1}/{SIZE}")
        self.assertEqual(response["Content-Length"], str(SIZE - 10))
        self.assertEqual(response.body, FAKE_MP3[10:])

    def test_a_range_ending_past_the_end_is_clamped(self):
        response = self.get(Range=f"bytes=70-{SIZE + 1000}")

        self.assertEqual(response.status_code, 206)
        self.assertEqual(response["Content-Range"], f"bytes 70-{SIZE - 1}/{SIZE}")
        self.assertEqual(response.body, FAKE_MP3[70:])

    def test_an_open_range_starting_at_the_end_is_unsatisfiable(self):
        response = self.get(Range=f"bytes={SIZE}-")

        self.assertEqual(response.status_code, 416)
        self.assertEqual(response["Content-Range"], f"bytes */{SIZE}")
        self.assertEqual(response.body, b"")

    def test_a_closed_range_starting_past_the_end_is_unsatisfiable(self):
        response = self.get(Range=f"bytes={SIZE + 5}-{SIZE + 9}")

        self.assertEqual(response.status_code, 416)
        self.assertEqual(response["Content-Range"], f"bytes */{SIZE}")

    def test_an_empty_suffix_range_is_unsatisfiable(self):
        response = self.get(Range="bytes=-0")

        self.assertEqual(response.status_code, 416)
        self.assertEqual(response["Content-Range"], f"bytes */{SIZE}")

    def test_a_malformed_range_is_ignored_and_the_whole_file_sent(self):
        for header in ("bytes=abc", "bytes=", "bytes=-", "items=0-1", "bytes=5-2", "0-1"):
            with self.subTest(header=header):
                response = self.get(Range=header)

                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.body, FAKE_MP3)

    def test_several_ranges_are_answered_with_the_whole_file(self):
        response = self.get(Range="bytes=0-1,4-5")

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.body, FAKE_MP3)

    def test_if_range_with_the_current_etag_keeps_the_range(self):
        etag = self.get()["ETag"]

        response = self.get(Range="bytes=0-1", **{"If-Range": etag})

        self.assertEqual(response.status_code, 206)
        self.assertEqual(response.body, FAKE_MP3[:2])

    def test_if_range_with_another_etag_sends_the_whole_file(self):
        response = self.get(Range="bytes=0-1", **{"If-Range": '"0-0"'})

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.body, FAKE_MP3)


class ConditionalRequestTests(MediaTestCase):
    def test_a_matching_etag_is_not_modified(self):
        etag = self.get()["ETag"]

        response = self.get(**{"If-None-Match": etag})

        self.assertEqual(response.status_code, 304)
        self.assertEqual(response.body, b"")
        self.assertEqual(response["ETag"], etag)

    def test_an_etag_among_several_is_not_modified(self):
        etag = self.get()["ETag"]

        response = self.get(**{"If-None-Match": f'"other", {etag}'})

        self.assertEqual(response.status_code, 304)

    def test_another_etag_gets_the_file(self):
        response = self.get(**{"If-None-Match": '"0-0"'})

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.body, FAKE_MP3)

    def test_not_modified_since_a_later_date(self):
        response = self.get(**{"If-Modified-Since": http_date(time.time() + 3600)})

        self.assertEqual(response.status_code, 304)
        self.assertEqual(response.body, b"")

    def test_modified_since_an_earlier_date_gets_the_file(self):
        response = self.get(**{"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.body, FAKE_MP3)

    def test_a_stale_etag_wins_over_a_later_date(self):
        response = self.get(
            **{"If-None-Match": '"0-0"', "If-Modified-Since": http_date(time.time() + 3600)}
        )

        self.assertEqual(response.status_code, 200)


@override_settings(PHATAM_MEDIA_MAX_AGE=86_400)
class CacheLifetimeTests(MediaTestCase):
    def tts_source(self, cached_until):
        source = make_audio(make_phoneme(), TTS, cached_until=cached_until)
        return source.audio_file.url

    def test_tts_audio_is_cached_no_longer_than_it_stays_valid(self):
        url = self.tts_source(timezone.now() + timedelta(hours=2))

        age = max_age(self.get(url))

        self.assertLessEqual(age, 7200)
        self.assertGreater(age, 7200 - 600)

    def test_tts_audio_valid_longer_than_the_maximum_gets_the_maximum(self):
        url = self.tts_source(timezone.now() + timedelta(days=30))

        self.assertEqual(max_age(self.get(url)), 86_400)

    def test_expired_tts_audio_is_not_cached(self):
        url = self.tts_source(timezone.now() - timedelta(minutes=1))

        self.assertEqual(max_age(self.get(url)), 0)

    def test_a_native_recording_gets_the_configured_maximum(self):
        response = self.get()

        self.assertEqual(max_age(response), 86_400)
        self.assertIn("public", response["Cache-Control"])

    def test_a_file_of_no_audio_source_gets_the_configured_maximum(self):
        name = default_storage.save("clips/loose.mp3", ContentFile(FAKE_MP3))

        self.assertEqual(max_age(self.get(default_storage.url(name))), 86_400)


class ForbiddenPathTests(TestCase):
    """MEDIA_ROOT sits inside a folder that also holds a secret the view must never send."""

    def setUp(self):
        outer = tempfile.mkdtemp(prefix="phatam-outer-")
        self.addCleanup(shutil.rmtree, outer, ignore_errors=True)
        media_root = os.path.join(outer, "media")
        os.makedirs(os.path.join(media_root, "phonemes"))
        self.secret = os.path.join(outer, "secret.txt")
        with open(self.secret, "wb") as file:
            file.write(b"do not serve")
        override = override_settings(MEDIA_ROOT=media_root)
        override.enable()
        self.addCleanup(override.disable)

    def assert_not_found(self, url: str):
        response = read(self.client.get(url))
        self.assertEqual(response.status_code, 404, url)
        self.assertNotIn(b"do not serve", response.body)

    def test_parent_directories_are_out_of_reach(self):
        for url in (
            "/media/../secret.txt",
            "/media/phonemes/../../secret.txt",
            "/media/%2e%2e/secret.txt",
            "/media/..%2fsecret.txt",
            "/media/%2E%2E%2Fsecret.txt",
            "/media/phonemes/%2e%2e%2f%2e%2e%2fsecret.txt",
        ):
            with self.subTest(url=url):
                self.assert_not_found(url)

    def test_an_absolute_path_is_out_of_reach(self):
        self.assert_not_found("/media/" + self.secret)
        self.assert_not_found("/media//etc/passwd")

    def test_project_source_is_out_of_reach(self):
        self.assert_not_found("/media/../config/settings.py")
        self.assert_not_found("/media/%2e%2e/%2e%2e/backend/config/settings.py")

    def test_a_missing_file_is_404(self):
        self.assert_not_found("/media/phonemes/missing.mp3")

    def test_a_directory_is_404(self):
        self.assert_not_found("/media/phonemes/")
        self.assert_not_found("/media/phonemes")

    def test_a_null_byte_is_404(self):
        self.assert_not_found("/media/phonemes/x%00.mp3")


class MethodTests(MediaTestCase):
    def test_post_is_not_allowed(self):
        response = self.client.post(self.url)

        self.assertEqual(response.status_code, 405)
        self.assertIn("GET", response["Allow"])
