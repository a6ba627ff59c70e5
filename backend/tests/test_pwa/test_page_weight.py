"""The chart's first load on a cold cache stays within 40 KB transferred (HTML, CSS, JS, the
manifest, the service worker and the chart payload, before audio), compressed as production
sends them: the page and the API through the full middleware stack with
``Accept-Encoding: br``, the static files as WhiteNoise serves them (Brotli, made by
collectstatic with the same library). The test client stands in for gunicorn: the bytes are
the same, only the transport differs."""

import re
from io import StringIO

import brotli
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.management import call_command
from django.test import TestCase

from apps.curriculum.models import AudioSource, Phoneme
from tests.factories import TempMediaMixin, make_audio

BUDGET = 40 * 1024
RESOURCE = re.compile(r'<(?:link rel="(?:stylesheet|manifest)" href|script src)="([^"]+)"')


class FirstLoadTests(TempMediaMixin, TestCase):
    def setUp(self):
        super().setUp()
        cache.clear()
        self.addCleanup(cache.clear)
        call_command("seed_curriculum", stdout=StringIO())
        for phoneme in Phoneme.objects.all():  # a stored file for every sound, as in production
            make_audio(phoneme, AudioSource.SourceType.TTS, language="en-US", voice_id="en-US-x")

    def transferred(self, url: str) -> int:
        response = self.client.get(url, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
        self.assertEqual(response.status_code, 200, url)
        return len(response.content)

    def first_load(self) -> dict[str, int]:
        page = self.client.get("/", headers={"Accept-Encoding": "br"})
        self.assertEqual(page["Content-Encoding"], "br")
        html = brotli.decompress(page.content).decode()
        sizes = {"/": len(page.content)}
        for url in RESOURCE.findall(html):
            if url.startswith("/static/"):
                found = finders.find(url.removeprefix("/static/"))
                sizes[url] = len(brotli.compress(open(found, "rb").read()))  # noqa: SIM115
            else:
                sizes[url] = self.transferred(url)
        sizes["/sw.js"] = self.transferred("/sw.js")  # registered by offline.js
        sizes["/api/phonemes/?accent=en-US"] = self.transferred("/api/phonemes/?accent=en-US")
        return sizes

    def test_the_chart_s_first_load_is_within_40_kb_compressed(self):
        sizes = self.first_load()

        self.assertIn("/static/curriculum/chart.js", sizes)
        self.assertIn("/static/curriculum/chart.css", sizes)
        self.assertLessEqual(sum(sizes.values()), BUDGET, sizes)

    def test_without_compression_the_same_load_would_not_fit(self):
        """The budget is met by compression, not by an empty chart."""
        plain = len(self.client.get("/").content) + len(
            self.client.get("/api/phonemes/?accent=en-US").content
        )
        self.assertGreater(plain, BUDGET)
