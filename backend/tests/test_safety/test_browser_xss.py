"""An HTML or SVG file lying under MEDIA_ROOT (what the old admin inline stored) runs no
script when its /media/ URL is opened in a browser: it is a 404."""

import os
from pathlib import Path

from django.conf import settings

from tests.audio_fixtures import mp3
from tests.browser import BrowserTestCase
from tests.test_safety.live_media import ProjectMediaViewMixin

EVIL_HTML = b"<!doctype html><script>alert(document.domain)</script><p>evil</p>"
EVIL_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(document.domain)</script></svg>"
)


class MediaXssInBrowserTests(ProjectMediaViewMixin, BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.dialogs: list[str] = []
        self.page.on(
            "dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss())
        )
        self.folder = Path(settings.MEDIA_ROOT) / "phonemes" / "audio" / "2025"
        self.folder.mkdir(parents=True, exist_ok=True)

    def put(self, name: str, content: bytes) -> str:
        (self.folder / name).write_bytes(content)
        return f"/media/phonemes/audio/2025/{name}"

    def visit(self, path: str):
        response = self.page.goto(f"{self.live_server_url}{path}")
        self.page.wait_for_timeout(300)  # time for a script, if any ran, to open its dialog
        return response

    def test_an_html_file_does_not_run(self):
        response = self.visit(self.put("evil.html", EVIL_HTML))

        self.assertEqual(response.status, 404)
        self.assertEqual(self.dialogs, [])
        self.assertNotIn("evil", self.page.content())

    def test_an_svg_file_does_not_run(self):
        response = self.visit(self.put("evil.svg", EVIL_SVG))

        self.assertEqual(response.status, 404)
        self.assertEqual(self.dialogs, [])

    def test_html_named_like_audio_does_not_run(self):
        response = self.visit(self.put("evil.mp3", EVIL_HTML))

        self.assertEqual(response.status, 404)
        self.assertEqual(self.dialogs, [])

    def test_a_symlink_to_html_does_not_run(self):
        target = self.folder / "target.html"
        target.write_bytes(EVIL_HTML)
        os.symlink(target, self.folder / "link.mp3")

        response = self.visit("/media/phonemes/audio/2025/link.mp3")

        self.assertEqual(response.status, 404)
        self.assertEqual(self.dialogs, [])

    def test_real_audio_opened_on_its_own_still_plays(self):
        response = self.visit(self.put("clip.mp3", mp3(seconds=1.0)))

        self.assertEqual(response.status, 200)
        self.assertEqual(response.headers["content-type"], "audio/mpeg")
        self.assertIn("sandbox", response.headers["content-security-policy"])
        # Chromium shows a lone audio file in a media document of its own.
        self.page.wait_for_function(
            "() => { const media = document.querySelector('video, audio');"
            " return media && (media.error || media.readyState >= 1); }"
        )
        duration = self.page.evaluate(
            "() => { const media = document.querySelector('video, audio');"
            " return media.error ? -1 : media.duration; }"
        )
        self.assertGreater(duration, 0.5)
