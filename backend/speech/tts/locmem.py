"""An in-memory engine for tests (like Django's locmem email backend): it says a short tone,
records every request in ``LocMemEngine.requests`` and can be told to fail or to be slow."""

import threading
import time
from typing import ClassVar

from speech.pcm import encode_mp3, mp3_duration, normalize_loudness, tone
from speech.tts.base import SynthesisRequest, SynthesisResult, TTSEngine, TTSError


class LocMemEngine(TTSEngine):
    name = "locmem"
    supports_phonemes = True

    requests: ClassVar[list[SynthesisRequest]] = []
    failure: ClassVar[TTSError | None] = None
    delay: ClassVar[float] = 0.0
    _lock = threading.Lock()

    @classmethod
    def reset(cls) -> None:
        cls.requests = []
        cls.failure = None
        cls.delay = 0.0

    def synthesize(self, request: SynthesisRequest) -> SynthesisResult:
        with self._lock:
            self.requests.append(request)
        if self.delay:
            time.sleep(self.delay)
        if self.failure is not None:
            raise self.failure
        sample_rate = 22050
        audio = encode_mp3(normalize_loudness(tone(0.4), sample_rate), sample_rate)
        return SynthesisResult(
            audio=audio,
            format="mp3",
            duration=mp3_duration(audio),
            settings={"engine": self.name, "tts_rate": request.rate},
        )
