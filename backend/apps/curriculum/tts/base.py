"""The interface every TTS engine implements (the shape of ``django.core.mail.backends``)."""

from dataclasses import dataclass, field


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


class TTSEngine:
    """Base class. Subclasses set ``name`` and ``supports_phonemes`` and implement
    :meth:`synthesize`, raising :class:`TTSError` (and nothing else) when they fail."""

    name = "base"
    # True when the engine takes phoneme input; an engine that can only read text is never
    # asked for a phoneme, because it would read the symbol's name ("i length mark").
    supports_phonemes = False

    def __init__(self, **options):
        self.options = options

    def synthesize(self, request: SynthesisRequest) -> SynthesisResult:
        raise NotImplementedError
