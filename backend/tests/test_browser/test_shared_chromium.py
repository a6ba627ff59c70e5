"""The Chromium the browser test classes share (tests/browser.py): one per test process, and
nothing of Playwright's left in the thread for the tests that run after a browser class."""

import asyncio
import os
import signal
import unittest
from io import StringIO
from pathlib import Path

from django.test import SimpleTestCase

from tests.browser import CHROMIUM, BrowserTestCase, _Chromium, sync_playwright


def run_browser_class(*, fail_set_up: bool = False, leave_open: bool = False):
    class Probe(BrowserTestCase):
        databases = set()

        @classmethod
        def setUpClass(cls):
            super().setUpClass()
            if fail_set_up:
                raise RuntimeError("a class that cannot start")

        def test_the_page_opens(self):
            self.page.set_content("<title>probe</title>")
            self.assertEqual(self.page.title(), "probe")
            if leave_open:
                self.new_context()  # as a test that fails before closing its second context

    suite = unittest.defaultTestLoader.loadTestsFromTestCase(Probe)
    return unittest.TextTestRunner(stream=StringIO()).run(suite)


def chromium_processes_of_this_process() -> list[int]:
    """The main Chromium processes (not their renderers) under this test process."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat[stat.rfind(")") + 2 :].split()[1]), []).append(
                int(entry.name)
            )
    found, stack = [], list(children.get(os.getpid(), []))
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()  # its helpers rewrite theirs
        except OSError:
            continue
        if b"/chromium" in command.split(b" ")[0] and b"--type=" not in command:
            found.append(pid)
    return found


def assert_nothing_left_in_the_thread(test: SimpleTestCase) -> None:
    with test.assertRaises(RuntimeError):
        asyncio.get_running_loop()
    test.assertNotIn("DJANGO_ALLOW_ASYNC_UNSAFE", os.environ)


@unittest.skipUnless(sync_playwright and os.access(CHROMIUM, os.X_OK), "needs Chromium")
class SharedChromiumTests(SimpleTestCase):
    def test_two_browser_classes_share_one_browser(self):
        self.assertTrue(run_browser_class().wasSuccessful())
        first = _Chromium.browser
        self.assertTrue(run_browser_class().wasSuccessful())
        self.assertIs(_Chromium.browser, first)

    def test_after_a_browser_class_the_thread_has_no_running_event_loop(self):
        self.assertTrue(run_browser_class().wasSuccessful())
        assert_nothing_left_in_the_thread(self)

    def test_a_class_that_fails_to_start_leaves_nothing_in_the_thread(self):
        result = run_browser_class(fail_set_up=True)
        self.assertEqual(len(result.errors), 1)
        assert_nothing_left_in_the_thread(self)
        self.assertTrue(run_browser_class().wasSuccessful())

    def test_a_context_a_test_left_open_is_closed_after_its_class(self):
        self.assertTrue(run_browser_class(leave_open=True).wasSuccessful())
        asyncio._set_running_loop(_Chromium.loop)  # to ask the browser
        try:
            self.assertEqual(_Chromium.browser.contexts, [])
        finally:
            asyncio._set_running_loop(None)

    def test_a_shared_browser_that_died_is_replaced_for_the_next_class(self):
        self.assertTrue(run_browser_class().wasSuccessful())
        browsers = chromium_processes_of_this_process()
        self.assertEqual(len(browsers), 1)
        os.kill(browsers[0], signal.SIGKILL)
        self.assertTrue(run_browser_class().wasSuccessful())
        self.assertNotIn(browsers[0], chromium_processes_of_this_process())
