"""edge-tts, the online engine: natural neural voices, for example words only.

edge-tts reads text; it has no phoneme input, so it is never asked for a phoneme (it would say
the symbol's name). The network is reached through a *transport*, a function
``(request, timeout) -> bytes``; the default one speaks edge-tts's websocket protocol, and
tests pass a fake. Three rules keep a bad network from stalling learners:

- every attempt gives up after ``timeout`` seconds;
- a failure is remembered for ``failure_memory`` seconds in the shared state (every process
  sees it), and requests meanwhile fall back at once;
- while the service's health is unknown, one request probes it and the others fall back at
  once instead of each waiting out the timeout (20 words asked at once on a network that drops
  packets cost one timeout, not twenty).
"""

import asyncio
import importlib
import logging
from collections.abc import Callable

from speech.pcm import mp3_duration
from speech.tts.base import SynthesisRequest, SynthesisResult, TTSEngine, TTSError

logger = logging.getLogger(__name__)

UNAVAILABLE_KEY = "phatam:tts:edge:unavailable"
HEALTHY_KEY = "phatam:tts:edge:healthy"
PROBE_KEY = "phatam:tts:edge:probe"

Transport = Callable[[SynthesisRequest, float], bytes]


def websocket_transport(request: SynthesisRequest, timeout: float) -> bytes:
    """Ask Microsoft's edge-tts service for ``request.word`` in ``request.voice``."""
    import aiohttp
    import edge_tts

    async def fetch() -> bytes:
        seconds = max(1, round(timeout))
        communicate = edge_tts.Communicate(
            request.word,
            request.voice.name,
            rate=request.rate,
            connect_timeout=seconds,
            receive_timeout=seconds,
        )
        chunks = [c["data"] async for c in communicate.stream() if c["type"] == "audio"]
        return b"".join(chunks)

    try:
        return asyncio.run(asyncio.wait_for(fetch(), timeout))
    except (TimeoutError, OSError, aiohttp.ClientError, edge_tts.exceptions.EdgeTTSException):
        raise
    except Exception as exc:  # a protocol surprise is an outage too, not a crash
        raise OSError(f"{type(exc).__name__}: {exc}") from exc


class EdgeTTSEngine(TTSEngine):
    name = "edge-tts"
    supports_phonemes = False
    online = True

    def __init__(
        self,
        *,
        timeout: float = 4.0,
        failure_memory: int = 300,
        transport: Transport | str | None = None,
        **options,
    ):
        super().__init__(**options)
        self.timeout = float(timeout)
        self.failure_memory = int(failure_memory)
        if isinstance(transport, str):
            transport = _import(transport)
        self.transport: Transport = transport or websocket_transport

    def synthesize(self, request: SynthesisRequest) -> SynthesisResult:
        if request.is_phoneme:
            raise TTSError(
                "edge-tts reads text and would say the symbol's name; it only says words",
                retryable=False,
            )
        reason = self.unavailable()
        if reason:
            raise TTSError(f"edge-tts unavailable (remembered): {reason}", retryable=True)
        probing = False
        if not self._remembered(HEALTHY_KEY):
            probing = self._claim_probe()
            if not probing:
                raise TTSError(
                    "edge-tts is being checked by another request; not waiting for it",
                    retryable=True,
                )
        try:
            audio = self.transport(request, self.timeout)
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            self._remember(UNAVAILABLE_KEY, reason)
            raise TTSError(f"edge-tts failed: {reason}", retryable=True) from exc
        finally:
            if probing:
                self._forget(PROBE_KEY)
        if not audio:
            raise TTSError("edge-tts returned no audio", retryable=True)
        self._remember(HEALTHY_KEY, True)
        return SynthesisResult(
            audio=audio,
            format="mp3",
            duration=mp3_duration(audio),
            settings={"engine": self.name, "tts_rate": request.rate},
        )

    def unavailable(self) -> str:
        return str(self._remembered(UNAVAILABLE_KEY) or "")

    # The shared state may be down (a dead Redis): the engine then behaves as if nothing were
    # remembered, and each request tries the network itself within the timeout.

    def _remembered(self, key: str):
        try:
            return self.state.get(key)
        except Exception:
            logger.warning("edge-tts: shared state unavailable", exc_info=True)
            return None

    def _remember(self, key: str, value) -> None:
        try:
            self.state.set(key, value, self.failure_memory)
        except Exception:
            logger.warning("edge-tts: shared state unavailable", exc_info=True)

    def _claim_probe(self) -> bool:
        try:
            # The probe key outlives a crashed prober by a little more than one attempt.
            return bool(self.state.add(PROBE_KEY, True, self.timeout + 1))
        except Exception:
            logger.warning("edge-tts: shared state unavailable", exc_info=True)
            return True

    def _forget(self, key: str) -> None:
        try:
            self.state.delete(key)
        except Exception:
            logger.warning("edge-tts: shared state unavailable", exc_info=True)


def _import(dotted: str):
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)
