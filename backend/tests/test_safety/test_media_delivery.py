"""/media/ serves only audio: whatever lies under MEDIA_ROOT, a file whose content is not an
accepted audio format, or that is reached through a symlink, is a 404, never an HTML or SVG
page. Any Range header, however absurd, gets 206, 416 or the whole file, never an error."""

import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.test import Client, TestCase, override_settings

from apps.curriculum.audio.media import parse_range
from tests.factories import FAKE_MP3, TempMediaMixin

SIZE = len(FAKE_MP3)
HUGE = "9" * 5000
EVIL_HTML = b"<!doctype html><script>alert(document.cookie)</script>"
EVIL_SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
ACTIVE_TYPES = ("text/html", "image/svg+xml", "application/xhtml+xml", "text/xml")


def read(response):
    if response.streaming:
        response.body = b"".join(response.streaming_content)
    else:
        response.body = response.content
    return response


class MediaDeliveryTestCase(TempMediaMixin, TestCase):
    def setUp(self):
        super().setUp()
        self.root = Path(settings.MEDIA_ROOT)
        for entry in self.root.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        # Clients that answer like a server: an exception becomes a 500, not a test error.
        self.client = Client(raise_request_exception=False)

    def put(self, name: str, content: bytes) -> str:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        return f"/media/{name}"

    def get(self, url: str, **headers):
        return read(self.client.get(url, headers=headers))

    def assert_not_served(self, url: str, *, secret: bytes = b"<script") -> None:
        for method in (self.client.get, self.client.head):
            response = read(method(url))
            with self.subTest(url=url, method=method.__name__):
                self.assertEqual(response.status_code, 404)
                self.assertFalse(response.get("Content-Type", "").startswith(ACTIVE_TYPES))
                self.assertNotIn(secret, response.body)


class OnlyAudioIsServedTests(MediaDeliveryTestCase):
    def test_an_html_file_is_not_served(self):
        self.assert_not_served(self.put("phonemes/audio/evil.html", EVIL_HTML))

    def test_an_svg_file_is_not_served(self):
        self.assert_not_served(self.put("phonemes/audio/evil.svg", EVIL_SVG))

    def test_html_named_like_audio_is_not_served(self):
        self.assert_not_served(self.put("phonemes/audio/evil.mp3", EVIL_HTML))

    def test_text_and_empty_files_are_not_served(self):
        self.assert_not_served(self.put("notes/readme.txt", b"plain words"), secret=b"plain")
        self.assert_not_served(self.put("notes/empty.mp3", b""))

    def test_audio_is_served_with_its_audio_type_whatever_its_name(self):
        for name in ("clip.mp3", "clip.html", "clip.svg"):
            with self.subTest(name=name):
                response = self.get(self.put(name, FAKE_MP3))

                self.assertEqual(response.status_code, 200)
                self.assertEqual(response["Content-Type"], "audio/mpeg")
                self.assertEqual(response["X-Content-Type-Options"], "nosniff")
                self.assertEqual(response.body, FAKE_MP3)

    def test_ranges_and_conditional_requests_still_work(self):
        url = self.put("clip.mp3", FAKE_MP3)

        partial = self.get(url, Range="bytes=0-3")
        not_modified = self.get(url, **{"If-None-Match": partial["ETag"]})

        self.assertEqual(partial.status_code, 206)
        self.assertEqual(partial.body, FAKE_MP3[:4])
        self.assertEqual(partial["Content-Range"], f"bytes 0-3/{SIZE}")
        self.assertEqual(not_modified.status_code, 304)

    def test_a_conditional_request_for_a_file_that_is_not_audio_is_a_404(self):
        url = self.put("evil.html", EVIL_HTML)

        response = self.get(url, **{"If-None-Match": "*"})

        self.assertEqual(response.status_code, 404)


class SymlinkTests(MediaDeliveryTestCase):
    def setUp(self):
        super().setUp()
        self.outside = Path(tempfile.mkdtemp(prefix="phatam-outside-"))
        self.addCleanup(shutil.rmtree, self.outside, ignore_errors=True)

    def test_a_symlink_to_audio_outside_media_root_is_not_followed(self):
        (self.outside / "clip.mp3").write_bytes(FAKE_MP3)
        os.symlink(self.outside / "clip.mp3", self.root / "link.mp3")

        self.assert_not_served("/media/link.mp3", secret=FAKE_MP3[:8])

    def test_a_symlink_to_audio_inside_media_root_is_not_followed(self):
        self.put("real.mp3", FAKE_MP3)
        os.symlink(self.root / "real.mp3", self.root / "link.mp3")

        self.assert_not_served("/media/link.mp3", secret=FAKE_MP3[:8])

    def test_a_symlinked_folder_is_not_followed(self):
        (self.outside / "clip.mp3").write_bytes(FAKE_MP3)
        os.symlink(self.outside, self.root / "folder")

        self.assert_not_served("/media/folder/clip.mp3", secret=FAKE_MP3[:8])

    def test_a_symlink_to_a_system_file_is_not_followed(self):
        os.symlink("/etc/passwd", self.root / "passwd.mp3")

        self.assert_not_served("/media/passwd.mp3", secret=b"root:")

    def test_a_fifo_is_a_404_at_once(self):
        os.mkfifo(self.root / "pipe.mp3")

        self.assert_not_served("/media/pipe.mp3")

    def test_a_media_root_that_is_itself_a_symlink_still_serves(self):
        (self.outside / "clip.mp3").write_bytes(FAKE_MP3)
        link = Path(tempfile.mkdtemp(prefix="phatam-link-")) / "media"
        self.addCleanup(shutil.rmtree, link.parent, ignore_errors=True)
        os.symlink(self.outside, link)

        with override_settings(MEDIA_ROOT=str(link)):
            response = self.get("/media/clip.mp3")

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.body, FAKE_MP3)


@override_settings(DEBUG=False)
class AbsurdRangeTests(MediaDeliveryTestCase):
    def setUp(self):
        super().setUp()
        self.url = self.put("clip.mp3", FAKE_MP3)

    def test_huge_numbers_never_cause_an_error(self):
        expected = {
            f"bytes=0-{HUGE}": (206, FAKE_MP3),
            f"bytes=-{HUGE}": (206, FAKE_MP3),
            f"bytes={HUGE}-": (416, b""),
            f"bytes={HUGE}-{HUGE}": (416, b""),
            f"bytes=1-{HUGE}": (206, FAKE_MP3[1:]),
            "bytes=0-99999999999999999999": (206, FAKE_MP3),
        }
        for header, (status, body) in expected.items():
            with self.subTest(header=header[:30]):
                response = self.get(self.url, Range=header)

                self.assertEqual(response.status_code, status)
                self.assertEqual(response.body, body)

    def test_malformed_ranges_send_the_whole_file(self):
        for header in ("bytes=٠-١", "bytes=0x0-0x1", "bytes=+1-2", "bytes= 0-1, ", "bytes=1-0"):
            with self.subTest(header=header):
                response = self.get(self.url, Range=header)

                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.body, FAKE_MP3)


class ParseRangeTests(TestCase):
    def test_an_empty_file_has_no_satisfiable_range(self):
        for header in ("bytes=-1", "bytes=0-", "bytes=0-0", f"bytes=-{HUGE}", "bytes=-0"):
            with self.subTest(header=header[:20]):
                self.assertEqual(parse_range(header, 0), "unsatisfiable")

    def test_a_suffix_is_never_a_negative_position(self):
        self.assertEqual(parse_range("bytes=-1", 1), (0, 0))
        self.assertEqual(parse_range(f"bytes=-{HUGE}", 10), (0, 9))

    def test_huge_numbers_are_clamped_or_unsatisfiable(self):
        self.assertEqual(parse_range(f"bytes=0-{HUGE}", 10), (0, 9))
        self.assertEqual(parse_range(f"bytes={HUGE}-", 10), "unsatisfiable")
        self.assertEqual(parse_range(f"bytes={HUGE}-{HUGE}", 10), "unsatisfiable")

    def test_only_ascii_digits_count(self):
        self.assertIsNone(parse_range("bytes=١-٢", 10))
