"""The Chromium the browser test classes share (tests/browser.py): one per test process, and
nothing of Playwright's left in the thread for the tests that run after a browser class."""

import asyncio
import os
import unittest
from io import StringIO

from django.test import SimpleTestCase

from tests.browser import CHROMIUM, BrowserTestCase, _Chromium, sync_playwright


def run_browser_class() -> unittest.TestResult:
    class Probe(BrowserTestCase):
        databases = set()

        def test_the_page_opens(self):
            self.page.set_content("<title>probe</title>")
            self.assertEqual(self.page.title(), "probe")

    suite = unittest.defaultTestLoader.loadTestsFromTestCase(Probe)
    return unittest.TextTestRunner(stream=StringIO()).run(suite)


@unittest.skipUnless(sync_playwright and os.access(CHROMIUM, os.X_OK), "needs Chromium")
class SharedChromiumTests(SimpleTestCase):
    def test_two_browser_classes_share_one_browser(self):
        self.assertTrue(run_browser_class().wasSuccessful())
        first = _Chromium.browser
        self.assertTrue(run_browser_class().wasSuccessful())
        self.assertIs(_Chromium.browser, first)

    def test_after_a_browser_class_the_thread_has_no_running_event_loop(self):
        self.assertTrue(run_browser_class().wasSuccessful())
        with self.assertRaises(RuntimeError):
            asyncio.get_running_loop()
        self.assertNotIn("DJANGO_ALLOW_ASYNC_UNSAFE", os.environ)
