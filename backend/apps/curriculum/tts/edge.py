"""edge-tts, the online engine: natural neural voices, for example words only.

edge-tts reads text; it has no phoneme input, so it is never asked for a phoneme (it would say
the symbol's name). Without a network it fails within ``timeout`` seconds, and the failure is
remembered for ``failure_memory`` seconds (in Django's cache, so every process sees it), so that
requests meanwhile fall back at once instead of waiting on the network again.
"""

import asyncio

import aiohttp
import edge_tts
from django.core.cache import cache

from apps.curriculum.tts.audio import mp3_duration
from apps.curriculum.tts.base import SynthesisRequest, SynthesisResult, TTSEngine, TTSError

UNAVAILABLE_KEY = "phatam:tts:edge:unavailable"


class EdgeTTSEngine(TTSEngine):
    name = "edge-tts"
    supports_phonemes = False

    def __init__(self, *, timeout: float = 4.0, failure_memory: int = 300, **options):
        super().__init__(**options)
        self.timeout = float(timeout)
        self.failure_memory = int(failure_memory)

    def synthesize(self, request: SynthesisRequest) -> SynthesisResult:
        if request.is_phoneme:
            raise TTSError(
                "edge-tts reads text and would say the symbol's name; it only says words",
                retryable=False,
            )
        reason = cache.get(UNAVAILABLE_KEY)
        if reason:
            raise TTSError(f"edge-tts unavailable (remembered): {reason}", retryable=True)
        try:
            audio = asyncio.run(asyncio.wait_for(self._fetch(request), self.timeout))
        except (
            TimeoutError,
            OSError,
            aiohttp.ClientError,
            edge_tts.exceptions.EdgeTTSException,
        ) as exc:
            reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            cache.set(UNAVAILABLE_KEY, reason, self.failure_memory)
            raise TTSError(f"edge-tts failed: {reason}", retryable=True) from exc
        if not audio:
            raise TTSError("edge-tts returned no audio", retryable=True)
        return SynthesisResult(
            audio=audio,
            format="mp3",
            duration=mp3_duration(audio),
            settings={"engine": self.name, "tts_rate": request.rate},
        )

    async def _fetch(self, request: SynthesisRequest) -> bytes:
        timeout = max(1, round(self.timeout))
        communicate = edge_tts.Communicate(
            request.word,
            request.voice.name,
            rate=request.rate,
            connect_timeout=timeout,
            receive_timeout=timeout,
        )
        chunks = [chunk["data"] async for chunk in communicate.stream() if chunk["type"] == "audio"]
        return b"".join(chunks)
