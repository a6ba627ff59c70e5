"""What a learner hears: the whole fallback chain, and counting plays.

:func:`audio_for_phoneme` walks it: the best stored audio (pinned source → native recording →
unexpired cached TTS → unexpired on-demand TTS), else audio generated now, else a Web Speech
descriptor (an example word and its language) for the browser to speak.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from apps.curriculum.audio.jobs import job_backend
from apps.curriculum.audio.locks import LockUnavailable
from apps.curriculum.audio.storage import StorageUnavailable, audio_file_size
from apps.curriculum.audio.synthesis import AudioUnavailable, audio_generate_for_accent
from apps.curriculum.audio.voices import accent_validate, accents, engine_for, voices_for
from apps.curriculum.models import AudioCache, AudioSource, Phoneme, SourceType
from apps.curriculum.models.audio import STORED_TIERS
from apps.curriculum.selectors import example_word_get

logger = logging.getLogger(__name__)

ALL_TIERS = (SourceType.NATIVE, SourceType.TTS, SourceType.GENERATED)
WEB_SPEECH = "web_speech"


@dataclass(frozen=True)
class WebSpeech:
    """What the browser's speech synthesis should say: a word, never an IPA symbol."""

    text: str
    lang: str


@dataclass(frozen=True)
class AudioAnswer:
    tier: str  # "native", "tts", "generated" or "web_speech"
    reason: str
    source: AudioSource | None = None
    web_speech: WebSpeech | None = None


def audio_best_for_phonemes(
    phonemes: Iterable[Phoneme],
    *,
    language: str | None = None,
    word: str = "",
    source_types: Sequence[str] = STORED_TIERS,
) -> dict[int, AudioSource | None]:
    """The best playable stored audio of each phoneme (by pk), voices ranked in the order
    PHATAM_VOICES lists them for ``language``. One query; the rule itself is
    ``AudioSourceQuerySet.best_for_phonemes``."""
    voice_order = []
    if language in accents():
        voice_order = [
            (engine_for(voice.engine).name, voice.name) for voice in voices_for(language)
        ]
    return AudioSource.objects.best_for_phonemes(
        phonemes,
        language=language,
        word=word,
        source_types=source_types,
        voice_order=voice_order,
    )


def web_speech_for(phoneme: Phoneme, *, accent: str, word: str = "") -> WebSpeech:
    """What the browser says when no file can be had: ``word``, else the phoneme's first
    example word (never its symbol, which a voice would spell out)."""
    text = word or next((item["word"] for item in phoneme.example_words), "")
    return WebSpeech(text=text, lang=accent)


def audio_for_phoneme(
    phoneme: Phoneme, *, accent: str | None = None, word: str = "", generate: bool = True
) -> AudioAnswer:
    """Resolve what a learner hears for ``phoneme`` (or for one of its example words).

    Raises ``UnknownAccent`` for an accent that is not configured and ``UnknownWord`` for a
    word that is not an example (or minimal-pair word) of the phoneme.
    """
    accent = accent_validate(accent)
    if word:
        word, _ = example_word_get(phoneme, word)
    source = audio_best_for_phonemes([phoneme], language=accent, word=word, source_types=ALL_TIERS)[
        phoneme.pk
    ]
    if source is not None:
        pinned = source.pk == phoneme.preferred_audio_source_id
        reason = "pinned by staff" if pinned else f"best stored audio ({source.source_type})"
        return AudioAnswer(tier=source.source_type, reason=reason, source=source)
    if not generate:
        return _web_speech(phoneme, accent, word, "no stored audio")
    try:
        source = job_backend().submit(
            audio_generate_for_accent, phoneme.pk, accent=accent, word=word
        )
    except AudioUnavailable as exc:
        return _web_speech(phoneme, accent, word, f"generation failed: {exc}")
    except LockUnavailable as exc:
        logger.warning("Generation lock unavailable for %s %s: %s", phoneme, word, exc)
        return _web_speech(phoneme, accent, word, "generation busy")
    except StorageUnavailable as exc:
        # Logged (once a minute) where it happened, in the storage service.
        reason = "disk full" if exc.disk_full else "read-only or failing"
        return _web_speech(phoneme, accent, word, f"storage unavailable ({reason})")
    if source is None:
        return _web_speech(phoneme, accent, word, "generation queued")
    return AudioAnswer(
        tier=SourceType.GENERATED,
        reason=f"generated on demand by {source.engine or 'TTS'}",
        source=source,
    )


def _web_speech(phoneme: Phoneme, accent: str, word: str, reason: str) -> AudioAnswer:
    return AudioAnswer(
        tier=WEB_SPEECH,
        reason=f"{reason}; the browser speaks an example word",
        web_speech=web_speech_for(phoneme, accent=accent, word=word),
    )


def play_record(audio_source: AudioSource) -> int:
    """Count one play of ``audio_source`` and return its new play count.

    Creates the source's AudioCache row on its first play (reading the file size when the file
    is there); the count itself is one atomic UPDATE, so concurrent plays are never lost.
    """
    cache, _ = AudioCache.objects.get_or_create(
        audio_source=audio_source, defaults={"file_size": audio_file_size(audio_source)}
    )
    return cache.record_access()


def audio_source_get(pk: int) -> AudioSource | None:
    """The audio source with id ``pk``, or ``None``."""
    return AudioSource.objects.filter(pk=pk).first()
