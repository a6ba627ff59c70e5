"""The interface every TTS engine implements (the shape of Django's pluggable mail backends,
without Django: the application builds engines and hands them what they share)."""

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Protocol


class TTSError(Exception):
    """An engine could not synthesize. ``retryable`` says whether trying again later can help
    (a network outage can pass; a request the engine cannot do never will)."""

    def __init__(self, message: str, *, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class Voice:
    """A configured voice: ``"espeak:en-gb-x-rp"`` is engine ``espeak``, voice ``en-gb-x-rp``."""

    engine: str
    name: str
    language: str

    @property
    def key(self) -> str:
        return f"{self.engine}:{self.name}"


@dataclass(frozen=True)
class SynthesisRequest:
    """Say one phoneme (``word`` empty) or one word, given as canonical IPA."""

    voice: Voice
    ipa: str
    word: str = ""
    rate: str = "-30%"

    @property
    def is_phoneme(self) -> bool:
        return not self.word


@dataclass(frozen=True)
class SynthesisResult:
    audio: bytes
    format: str  # file extension and container: "mp3"
    duration: float  # seconds, read back from the encoded file
    settings: dict = field(default_factory=dict)  # what shaped the sound; kept in metadata


class SharedState(Protocol):
    """Where engines keep what every process should know (an outage, a probe in flight).

    The shape of Django's cache API, so the application can pass its cache; calls may raise
    when the store is down, and engines then carry on as if nothing were remembered.
    """

    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any, timeout: float | None = None) -> None: ...

    def add(self, key: str, value: Any, timeout: float | None = None) -> bool: ...

    def delete(self, key: str) -> Any: ...


class LocalState:
    """A :class:`SharedState` for one process: a dictionary whose entries expire."""

    def __init__(self):
        self._items: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def _live(self, key: str) -> tuple[float, Any] | None:
        item = self._items.get(key)
        if item is not None and item[0] <= time.monotonic():
            del self._items[key]
            return None
        return item

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            item = self._live(key)
        return default if item is None else item[1]

    def set(self, key: str, value: Any, timeout: float | None = None) -> None:
        expires = time.monotonic() + (timeout if timeout is not None else 10**9)
        with self._lock:
            self._items[key] = (expires, value)

    def add(self, key: str, value: Any, timeout: float | None = None) -> bool:
        with self._lock:
            if self._live(key) is not None:
                return False
            expires = time.monotonic() + (timeout if timeout is not None else 10**9)
            self._items[key] = (expires, value)
            return True

    def delete(self, key: str) -> bool:
        with self._lock:
            return self._items.pop(key, None) is not None


class TTSEngine:
    """Base class. Subclasses set ``name`` and ``supports_phonemes`` and implement
    :meth:`synthesize`, raising :class:`TTSError` (and nothing else) when they fail.

    ``state`` is where the engine remembers what all processes should share (the application
    passes its cache); without it, a :class:`LocalState` of this process.
    """

    name = "base"
    # True when the engine takes phoneme input; an engine that can only read text is never
    # asked for a phoneme, because it would read the symbol's name ("i length mark").
    supports_phonemes = False
    # True when the engine needs the network: pre-generation tries one file first and skips
    # the engine's other files when that one cannot reach it.
    online = False

    def __init__(self, *, state: SharedState | None = None, **options):
        self.state: SharedState = state if state is not None else LocalState()
        self.options = options

    def synthesize(self, request: SynthesisRequest) -> SynthesisResult:
        raise NotImplementedError

    def unavailable(self) -> str:
        """Why the engine is known to fail now (an outage remembered), else "". A caller
        with other voices to choose from skips this one without asking."""
        return ""
