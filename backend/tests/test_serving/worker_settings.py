"""Settings of the Celery worker that ``test_worker.py`` starts: the project's own (read from
the environment the test gives it), with eSpeak NG wrapped so that every synthesis, in any
worker process, is written down in one file the test reads.
"""

import os
import time

from config.settings import *  # noqa: F403
from config.settings import PHATAM_TTS_ENGINES
from speech.tts.base import SynthesisRequest, SynthesisResult
from speech.tts.espeak import ESpeakEngine


class CountingESpeakEngine(ESpeakEngine):
    """The real eSpeak NG, slowed by ``delay`` seconds (so a synthesis is still in flight when
    the other worker process asks for the same audio) and counted in ``log_path``.

    While the file ``hang_flag`` exists, the first synthesis to remove it writes
    ``hang <pid>`` to the log and hangs (for the test to kill its process mid-task)."""

    def synthesize(self, request: SynthesisRequest) -> SynthesisResult:
        try:
            os.unlink(self.options["hang_flag"])  # one process wins the race to remove it
        except FileNotFoundError:
            pass
        else:
            with open(self.options["log_path"], "a", encoding="utf-8") as log:
                log.write(f"hang {os.getpid()}\n")
            time.sleep(600)
        time.sleep(self.options["delay"])
        result = super().synthesize(request)
        # One short line per write in append mode: lines from several processes never mix.
        with open(self.options["log_path"], "a", encoding="utf-8") as log:
            log.write(f"{os.getpid()} {request.voice.key} {request.ipa} {request.word}\n")
        return result


PHATAM_TTS_ENGINES = {
    **PHATAM_TTS_ENGINES,
    "espeak": {
        "BACKEND": "tests.test_serving.worker_settings.CountingESpeakEngine",
        "OPTIONS": {
            "log_path": os.environ["PHATAM_TEST_SYNTHESIS_LOG"],
            "delay": float(os.environ.get("PHATAM_TEST_SYNTHESIS_DELAY", "0")),
            "hang_flag": os.environ["PHATAM_TEST_SYNTHESIS_HANG_FLAG"],
        },
    },
}

# The worker that test_worker.py starts after killing a whole worker: Redis gives a job back
# only once it has been unacknowledged this long, and the project's 300 s (longer than any
# job may run) would make that test wait five minutes. A worker sweeps for such jobs when
# it starts and then every unacked_restore_interval seconds (once per throttle sweeps).
if os.environ.get("PHATAM_TEST_VISIBILITY_TIMEOUT"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
        "visibility_timeout": float(os.environ["PHATAM_TEST_VISIBILITY_TIMEOUT"]),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
