"""The installable app: a manifest, a favicon, and a service worker served from the site root
with a strict scope, under a CSP that still has no unsafe-inline."""

import json

from django.test import TestCase


class ManifestTests(TestCase):
    def test_the_manifest_names_the_app_in_vietnamese_with_icons_and_a_start_url(self):
        response = self.client.get("/manifest.webmanifest")

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/manifest+json")
        manifest = json.loads(response.content)
        self.assertIn("Phát âm", manifest["name"])
        self.assertEqual((manifest["lang"], manifest["start_url"]), ("vi", "/"))
        self.assertEqual(manifest["display"], "standalone")
        self.assertRegex(manifest["theme_color"], r"^#[0-9a-f]{6}$")
        sizes = {icon["sizes"] for icon in manifest["icons"]}
        self.assertEqual(sizes, {"192x192", "512x512"})
        for icon in manifest["icons"]:
            self.assertEqual(self.client.get(icon["src"]).status_code, 200, icon["src"])

    def test_every_page_links_the_manifest_and_the_favicon(self):
        page = self.client.get("/").content.decode()
        self.assertIn('<link rel="manifest" href="/manifest.webmanifest">', page)
        self.assertIn('<link rel="icon" href="/favicon.ico"', page)


class FaviconTests(TestCase):
    def test_favicon_ico_is_an_icon_not_a_404(self):
        response = self.client.get("/favicon.ico")

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/x-icon")
        self.assertEqual(response.content[:4], b"\x00\x00\x01\x00")  # the ICO header
        self.assertIn("max-age", response["Cache-Control"])


class ServiceWorkerTests(TestCase):
    def test_the_worker_is_served_from_the_root_with_a_strict_scope(self):
        response = self.client.get("/sw.js")

        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("application/javascript"))
        self.assertEqual(response["Service-Worker-Allowed"], "/")
        self.assertEqual(response["Cache-Control"], "no-cache")
        body = response.content.decode()
        self.assertIn('"/static/curriculum/chart.js"', body)
        self.assertNotIn("{{", body)

    def test_the_worker_s_version_changes_with_the_shell(self):
        first = self.client.get("/sw.js").content
        with self.settings(STATIC_URL="/assets/"):
            second = self.client.get("/sw.js").content
        self.assertNotEqual(first, second)

    def test_the_page_registers_the_worker_from_a_script_file_and_the_csp_has_no_unsafe_inline(
        self,
    ):
        response = self.client.get("/")
        page = response.content.decode()
        policy = response["Content-Security-Policy"]

        self.assertIn('<script src="/static/curriculum/offline.js" defer></script>', page)
        self.assertNotIn("<script>", page)
        self.assertNotIn("unsafe-inline", policy)
        self.assertIn("script-src 'self'", policy)
        self.assertNotIn("unsafe-inline", self.client.get("/sw.js")["Content-Security-Policy"])

    def test_the_download_button_and_the_offline_notice_are_on_the_chart(self):
        page = self.client.get("/").content.decode()
        self.assertIn("Tải về để học khi không có mạng", page)
        self.assertIn("Bạn đang ngoại tuyến", page)
