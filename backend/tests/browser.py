"""The base of the browser tests: Playwright drives Debian's Chromium (headless) against the
live server. Tests are skipped, with the reason, where Chromium or Playwright is missing;
`.ci/run` installs Chromium where it can (scripts/install-chromium.sh: it warns, and CI goes
on, where it cannot)."""

import asyncio
import atexit
import contextlib
import os
import time
import unittest
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.core.servers.basehttp import WSGIServer
from django.test import override_settings
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler

from tests.factories import TempMediaMixin

CHROMIUM = os.environ.get("PHATAM_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(settings.REPO_DIR) / "test-artifacts"
try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - a dev dependency
    sync_playwright = None

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--autoplay-policy=no-user-gesture-required",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
# eSpeak only: nothing the pages ask for reaches for the internet.
ESPEAK_ONLY = {"en-US": ["espeak:en-us"], "en-GB": ["espeak:en-gb-x-rp"]}
WAIT_MS = 15_000
# axe-core, installed by scripts/install-axe.sh (git ignores var/); the checks skip without it.
AXE_JS = Path(settings.REPO_DIR) / "var" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
# axe's rules for WCAG 2.1 A and AA, and its best practices.
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"], runOnly: {type: "tag",
    values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
}"""


def axe_violations(page) -> list[dict]:
    """axe-core's violations on ``page`` as it is now. The script is evaluated (not added as
    a tag, which the Content-Security-Policy would refuse)."""
    page.evaluate(AXE_JS.read_text())
    return page.evaluate(AXE_RUN)


def serious_axe_violations(page) -> list[dict]:
    return [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]


def wait_until(condition, *, timeout: float = 10.0) -> bool:
    """Poll ``condition`` (the database, from the test's side) until true or the timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@unittest.skipUnless(sync_playwright, "playwright is not installed (pip install -e '.[dev]')")
class OneRequestAtATime(LiveServerThread):
    """A live server that answers one request at a time, for pages that keep asking the
    server in the background (the learner's drills): its threads would share the test
    database's one connection (in-memory SQLite), and a request the previous test's page left
    running could lock it against the next test's. Django's server closes each connection
    when it is not threaded."""

    def _create_server(self, connections_override=None):
        # Requests run in this thread, which already uses the overridden connections.
        return WSGIServer(
            (self.host, self.port), QuietWSGIRequestHandler, allow_reuse_address=False
        )


class _Chromium:
    """One Playwright driver and one Chromium per test process, shared by the browser test
    classes: starting both costs about 0.6 s of CPU, which every class paid before.

    Playwright's sync API leaves its event loop marked as running in this thread between
    calls, and Django's async-safety check would take every ORM call for async code. The
    mark is put back for the browser classes (which also allow the ORM calls, see
    BrowserTestCase.setUpClass) and taken away between them, so that other tests in the
    process run as without Playwright. Nothing calls Playwright while the mark is away: its
    driver waits, and the next call resumes the loop where it stopped."""

    playwright = None
    loop = None
    browser = None

    @classmethod
    def acquire(cls):
        if cls.playwright is not None:
            asyncio._set_running_loop(cls.loop)
            if not cls._answers():
                cls._discard()
        if cls.playwright is None:
            cls.playwright = sync_playwright().start()
            cls.loop = asyncio.get_running_loop()
        if cls.browser is None or not cls.browser.is_connected():
            cls.browser = cls.launch()
        return cls.browser

    @classmethod
    def _answers(cls) -> bool:
        """Whether the driver and the browser still answer (a round trip of about 10 ms):
        ``is_connected()`` learns of a crash only when Playwright's loop runs."""
        try:
            if cls.browser is not None:
                cls.browser.new_context().close()
            return True
        except Exception:
            return False

    @classmethod
    def _discard(cls) -> None:
        """Forget a driver or browser that died; the next class starts new ones."""
        with contextlib.suppress(Exception):
            cls.playwright.stop()
        asyncio._set_running_loop(None)
        cls.playwright = cls.loop = cls.browser = None

    @classmethod
    def launch(cls, *extra_args: str):
        return cls.playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=[*LAUNCH_ARGS, *extra_args]
        )

    @classmethod
    def release(cls) -> None:
        """After a class: close what its tests left open in the shared browser (a test that
        failed before closing a second context), then take the loop's mark away."""
        if cls.browser is not None:
            with contextlib.suppress(Exception):
                for context in cls.browser.contexts:
                    context.close()
        asyncio._set_running_loop(None)

    @classmethod
    def stop(cls) -> None:
        """At the process's exit: close Chromium and the driver (which exit on their own
        when this process is gone, so a failure here is of no consequence)."""
        if cls.playwright is None:
            return
        asyncio._set_running_loop(cls.loop)
        try:
            with contextlib.suppress(Exception):
                if cls.browser is not None and cls.browser.is_connected():
                    cls.browser.close()
                cls.playwright.stop()
        finally:
            asyncio._set_running_loop(None)


atexit.register(_Chromium.stop)


@unittest.skipUnless(
    os.access(CHROMIUM, os.X_OK), f"no Chromium at {CHROMIUM} (scripts/install-chromium.sh)"
)
@override_settings(PHATAM_VOICES=ESPEAK_ONLY)
class BrowserTestCase(TempMediaMixin, StaticLiveServerTestCase):
    viewport = {"width": 1100, "height": 900}
    # The service worker (the offline app) is tested where it is the subject (test_offline,
    # test_pwa); elsewhere a page is seen as on a first visit, without the worker fetching
    # and caching the app shell from the live server behind every test.
    service_workers = "block"

    @classmethod
    def setUpClass(cls):
        # Playwright's sync API runs an event loop in this thread, which Django's async
        # safety check would take for async code; the tests' ORM calls are synchronous.
        # Only for these classes: the variable must not leak into other tests' processes.
        cls._async_unsafe = mock.patch.dict(os.environ, {"DJANGO_ALLOW_ASYNC_UNSAFE": "true"})
        cls._async_unsafe.start()
        cls.addClassCleanup(cls._async_unsafe.stop)
        cls.addClassCleanup(_Chromium.release)
        cls.browser = _Chromium.acquire()
        super().setUpClass()

    @classmethod
    def launch_browser(cls, *extra_args: str):
        """A Chromium of this class's own (with ``extra_args``, e.g. a fake microphone),
        closed after the class; the shared one is left as it is."""
        browser = _Chromium.launch(*extra_args)
        cls.addClassCleanup(browser.close)
        return browser

    def setUp(self):
        super().setUp()
        self.context = self.new_context()
        self.page = self.context.new_page()
        self.page.set_default_timeout(WAIT_MS)
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def new_context(self, browser=None, **options):
        """A browser context (a fresh profile) of ``browser`` (the class's by default)."""
        options.setdefault("viewport", self.viewport)
        options.setdefault("service_workers", self.service_workers)
        return (browser or self.browser).new_context(**options)

    def tearDown(self):
        self.context.close()
        super().tearDown()

    def open(self, path: str) -> None:
        self.page.goto(f"{self.live_server_url}{path}")

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path), full_page=True)
        return path
