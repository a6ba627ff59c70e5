"""What a learner hears, and the writes behind it: generating, storing and counting audio.

:func:`audio_for_phoneme` is the whole fallback chain: the best stored audio (pinned source →
native recording → unexpired cached TTS → unexpired on-demand TTS), else audio generated now,
else a Web Speech descriptor (an example word and its language) for the browser to speak.
"""

import logging
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from uuid import uuid4

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from apps.curriculum import acoustics
from apps.curriculum.jobs import job_backend
from apps.curriculum.locks import LockUnavailable, single_flight
from apps.curriculum.models import AudioCache, AudioSource, MinimalPair, Phoneme, SourceType
from apps.curriculum.selectors import audio_best_for_phonemes
from apps.curriculum.tts import (
    SynthesisRequest,
    SynthesisResult,
    TTSError,
    Voice,
    engine_for,
    voices_for,
)

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


class AudioUnavailable(Exception):
    """No voice of the accent could generate the audio; ``failures`` says why, per voice."""

    def __init__(self, failures: list[str]):
        self.failures = failures
        super().__init__("; ".join(failures) or "no voice is configured")


def audio_for_phoneme(
    phoneme: Phoneme, *, accent: str | None = None, word: str = "", generate: bool = True
) -> AudioAnswer:
    """Resolve what a learner hears for ``phoneme`` (or for one of its example words).

    Raises ``ValueError`` for an unknown accent or a word that is not an example of the phoneme.
    """
    accent = accent or settings.PHATAM_DEFAULT_ACCENT
    voices_for(accent)  # validates the accent
    if word:
        word, _ = example_word(phoneme, word)
    best = audio_best_for_phonemes([phoneme], language=accent, word=word, source_types=ALL_TIERS)
    source = best[phoneme.pk]
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
        logger.warning("Generation lock unavailable for /%s/ %s: %s", phoneme, word, exc)
        return _web_speech(phoneme, accent, word, "generation busy")
    if source is None:
        return _web_speech(phoneme, accent, word, "generation queued")
    return AudioAnswer(
        tier=SourceType.GENERATED,
        reason=f"generated on demand by {source.metadata.get('engine', 'TTS')}",
        source=source,
    )


def _web_speech(phoneme: Phoneme, accent: str, word: str, reason: str) -> AudioAnswer:
    text = word or next((item["word"] for item in phoneme.example_words), "")
    return AudioAnswer(
        tier=WEB_SPEECH,
        reason=f"{reason}; the browser speaks an example word",
        web_speech=WebSpeech(text=text, lang=accent),
    )


def example_word(phoneme: Phoneme, word: str) -> tuple[str, str]:
    """``(word, ipa)`` as the curriculum spells them, for one of the phoneme's example words
    or its word in a minimal pair, whatever the letter case asked; ``ValueError`` otherwise.
    Audio is stored under that spelling, so "SEE" and "see" are one file."""
    wanted = word.strip().casefold()
    for item in phoneme.example_words:
        if item["word"].casefold() == wanted:
            return item["word"], item["ipa"]
    matching = Q(phoneme_1=phoneme, word_1__iexact=word) | Q(phoneme_2=phoneme, word_2__iexact=word)
    for pair in MinimalPair.objects.filter(matching):
        if pair.phoneme_1_id == phoneme.pk and pair.word_1.casefold() == wanted:
            return pair.word_1, pair.word_1_ipa
        return pair.word_2, pair.word_2_ipa
    raise ValueError(f"'{word}' is not an example word of /{phoneme.ipa_symbol}/")


def audio_generate_for_accent(phoneme_id: int, *, accent: str, word: str = "") -> AudioSource:
    """Job: generate on-demand audio with the first voice of ``accent`` that can do it.

    Voices are tried in settings order; an engine that cannot take phonemes is skipped for a
    phoneme. Raises :class:`AudioUnavailable` listing why each voice failed.
    """
    phoneme = Phoneme.objects.get(pk=phoneme_id)
    failures = []
    for voice in voices_for(accent):
        if not word and not engine_for(voice.engine).supports_phonemes:
            continue
        try:
            return audio_generate(phoneme, voice=voice, word=word)
        except TTSError as exc:
            failures.append(f"{voice.key}: {exc}")
            logger.info("Falling back from %s for /%s/ %s: %s", voice.key, phoneme, word, exc)
    raise AudioUnavailable(failures)


def audio_generate(
    phoneme: Phoneme,
    *,
    voice: Voice,
    word: str = "",
    source_type: str = SourceType.GENERATED,
    force: bool = False,
) -> AudioSource:
    """Synthesize and store the audio of ``phoneme`` (or its example ``word``) in ``voice``.

    Single-flight: concurrent calls for the same audio wait for one another, so the engine
    runs once and one row is stored (the unique constraint backs this up across processes).
    A playable existing row is returned as it is unless ``force``; an expired one, or any with
    ``force``, is regenerated in place (its old file deleted after commit).
    Raises :class:`TTSError` when the engine fails.
    """
    engine = engine_for(voice.engine)
    if not word and not engine.supports_phonemes:
        raise TTSError(f"{engine.name} cannot say a phoneme alone", retryable=False)
    rate = settings.PHATAM_TTS_RATE
    if word:
        word, ipa = example_word(phoneme, word)
    else:
        ipa = phoneme.ipa_symbol
    key = f"audio:{phoneme.pk}:{source_type}:{voice.key}:{rate}:{word}"
    with single_flight(key):
        existing = AudioSource.objects.filter(
            phoneme=phoneme,
            word=word,
            source_type=source_type,
            voice_id=voice.name,
            metadata__engine=engine.name,
            metadata__tts_rate=rate,
        ).first()
        if existing is not None and existing.is_playable() and not force:
            return existing
        result = engine.synthesize(SynthesisRequest(voice=voice, ipa=ipa, word=word, rate=rate))
        return _store(phoneme, voice, word, source_type, result, existing=existing)


def _store(
    phoneme: Phoneme,
    voice: Voice,
    word: str,
    source_type: str,
    result: SynthesisResult,
    *,
    existing: AudioSource | None,
) -> AudioSource:
    now = timezone.now()
    days = (
        settings.PHATAM_TTS_CACHE_DAYS
        if source_type == SourceType.TTS
        else settings.PHATAM_GENERATED_CACHE_DAYS
    )
    metadata = {**result.settings, "voice": voice.key}
    if not word and acoustics.is_checkable(phoneme.ipa_symbol):
        metadata["acoustic_check"] = _acoustic_check(phoneme.ipa_symbol, result, voice.language)

    source = existing or AudioSource(
        phoneme=phoneme,
        word=word,
        source_type=source_type,
        voice_id=voice.name,
        language=voice.language,
    )
    storage = source.audio_file.storage
    old_name = source.audio_file.name if existing is not None else ""
    source.metadata = metadata
    source.audio_duration = result.duration
    source.cached_until = now + timedelta(days=days)
    source.audio_file.save(f"{uuid4().hex}.{result.format}", ContentFile(result.audio), save=False)
    new_name = source.audio_file.name
    try:
        with transaction.atomic():
            source.save()
            refreshed = AudioCache.objects.filter(audio_source=source).update(
                file_size=len(result.audio), generated_at=now
            )
            if not refreshed:
                AudioCache.objects.create(audio_source=source, file_size=len(result.audio))
            if old_name:
                transaction.on_commit(lambda: storage.delete(old_name))
    except IntegrityError:
        # Another process stored the same audio first: keep theirs, drop our file.
        storage.delete(new_name)
        return AudioSource.objects.get(
            phoneme=phoneme,
            word=word,
            source_type=source_type,
            voice_id=voice.name,
            metadata__engine=metadata.get("engine"),
            metadata__tts_rate=metadata.get("tts_rate"),
        )
    except BaseException:
        storage.delete(new_name)  # nothing references the new file: do not leave it behind
        raise
    return source


def _acoustic_check(symbol: str, result: SynthesisResult, accent: str) -> dict:
    with tempfile.NamedTemporaryFile(suffix=f".{result.format}") as audio_file:
        audio_file.write(result.audio)
        audio_file.flush()
        try:
            measurement = acoustics.measure_file(audio_file.name)
        except acoustics.MeasurementError as exc:
            return {"passed": None, "error": str(exc)}
    return acoustics.verify(symbol, measurement, accent=accent).as_metadata()


def play_record(audio_source: AudioSource) -> int:
    """Count one play of ``audio_source`` and return its new play count.

    Creates the source's AudioCache row on its first play (reading the file size when the file
    is there); the count itself is one atomic UPDATE, so concurrent plays are never lost.
    """
    cache, _ = AudioCache.objects.get_or_create(
        audio_source=audio_source, defaults={"file_size": _file_size(audio_source)}
    )
    return cache.record_access()


def _file_size(audio_source: AudioSource) -> int:
    if not audio_source.audio_file:
        return 0
    try:
        return audio_source.audio_file.size
    except OSError:
        return 0
