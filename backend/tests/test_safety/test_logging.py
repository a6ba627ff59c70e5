"""Each 4xx answer is logged once (Django's own console handler and the root logger would
both print it), and a fallback's log line names the phoneme as /iː/."""

import io
import logging

from django.test import TestCase, override_settings

from apps.curriculum.audio.synthesis import AudioUnavailable, audio_generate_for_accent
from speech.tts.base import TTSError
from speech.tts.locmem import LocMemEngine
from tests.factories import TempMediaMixin, make_phoneme

LOCMEM = {"BACKEND": "speech.tts.locmem.LocMemEngine"}


def stream_handlers(logger: logging.Logger) -> list[logging.StreamHandler]:
    """Every stream handler of the logging settings that a record of ``logger`` reaches,
    walking up while it propagates (pytest's own capturing handlers left out)."""
    found = []
    while logger is not None:
        found += [
            handler
            for handler in logger.handlers
            if isinstance(handler, logging.StreamHandler)
            and not type(handler).__module__.startswith("_pytest")
        ]
        logger = logger.parent if logger.propagate else None
    return found


class CapturedStreams:
    """Point every stream handler ``logger`` reaches at one buffer, for the block's length."""

    def __init__(self, logger_name: str):
        self.handlers = stream_handlers(logging.getLogger(logger_name))
        self.buffer = io.StringIO()

    def __enter__(self) -> io.StringIO:
        self.saved = [handler.setStream(self.buffer) for handler in self.handlers]
        return self.buffer

    def __exit__(self, *exc) -> None:
        for handler, stream in zip(self.handlers, self.saved, strict=True):
            handler.setStream(stream)


class RequestLogTests(TestCase):
    def test_a_404_is_logged_once_with_debug_on_and_off(self):
        for debug in (True, False):
            for url in ("/api/phonemes/999999/", "/api/nope/", "/nope/"):
                with self.subTest(debug=debug, url=url), override_settings(DEBUG=debug):
                    with CapturedStreams("django.request") as log:
                        self.client.get(url)

                    lines = [line for line in log.getvalue().splitlines() if "Not Found" in line]
                    self.assertEqual(len(lines), 1, log.getvalue())


@override_settings(
    PHATAM_TTS_ENGINES={"mem": LOCMEM},
    PHATAM_VOICES={"en-US": ["mem:first", "mem:second"]},
)
class FallbackLogTests(TempMediaMixin, TestCase):
    def setUp(self):
        super().setUp()
        LocMemEngine.reset()
        self.addCleanup(LocMemEngine.reset)

    def test_the_fallback_line_names_the_phoneme_with_single_slashes(self):
        LocMemEngine.failure = TTSError("offline", retryable=True)
        phoneme = make_phoneme("iː")

        with (
            self.assertLogs("apps.curriculum.audio.synthesis", "INFO") as logs,
            self.assertRaises(AudioUnavailable),
        ):
            audio_generate_for_accent(phoneme.pk, accent="en-US")

        text = "\n".join(logs.output)
        self.assertIn("/iː/", text)
        self.assertNotIn("//iː//", text)
