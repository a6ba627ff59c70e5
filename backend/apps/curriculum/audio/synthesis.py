"""Synthesized audio: made by an engine, stored once per phoneme, word, voice and settings.

:class:`SynthesisKey` is the one definition of "the same synthesized audio" (the unique
constraint's columns); on-demand generation, pre-generation and cleanup all use it.
:func:`audio_generate` is single-flight: concurrent calls for one key synthesize once.
"""

import dataclasses
import io
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone

from apps.curriculum.audio.locks import single_flight
from apps.curriculum.audio.storage import acoustic_check_apply, audio_file_store
from apps.curriculum.audio.voices import engine_for, voices_for
from apps.curriculum.models import AudioSource, Phoneme, SourceType
from apps.curriculum.selectors import example_word_get
from speech import acoustics
from speech.decoding import AudioRejected, decode_bytes
from speech.tts.base import SynthesisRequest, SynthesisResult, TTSError, Voice

logger = logging.getLogger(__name__)


class AudioUnavailable(Exception):
    """No voice of the accent could generate the audio; ``failures`` says why, per voice.

    ``failures`` is its one argument, so a worker's error is rebuilt whole where the job was
    submitted (Celery sends an exception as its class and arguments)."""

    def __init__(self, failures: list[str]):
        self.failures = list(failures)
        super().__init__(self.failures)

    def __str__(self) -> str:
        return "; ".join(self.failures) or "no voice is configured"


@dataclass(frozen=True)
class SynthesisKey:
    """What makes two synthesized files the same sound (see the unique constraint)."""

    phoneme_id: int
    word: str
    source_type: str
    voice_id: str
    engine: str
    tts_rate: str
    tts_pitch: str = ""

    @classmethod
    def for_voice(
        cls, phoneme_id: int, *, voice: Voice, word: str = "", source_type: str
    ) -> "SynthesisKey":
        """The key of what ``voice`` would make now (with today's settings)."""
        return cls(
            phoneme_id=phoneme_id,
            word=word,
            source_type=source_type,
            voice_id=voice.name,
            engine=engine_for(voice.engine).name,
            tts_rate=settings.PHATAM_TTS_RATE,
        )

    @classmethod
    def of(cls, source: AudioSource) -> "SynthesisKey":
        return cls(
            phoneme_id=source.phoneme_id,
            word=source.word,
            source_type=source.source_type,
            voice_id=source.voice_id,
            engine=source.engine,
            tts_rate=source.tts_rate,
            tts_pitch=source.tts_pitch,
        )

    def lock_name(self) -> str:
        """The single-flight lock of this key: one synthesis at a time per sound."""
        return "audio:" + ":".join(str(value) for value in dataclasses.astuple(self))

    def lookup(self) -> dict:
        """Filter arguments that find the one row of this key."""
        return {
            "phoneme_id": self.phoneme_id,
            "word": self.word,
            "source_type": self.source_type,
            "voice_id": self.voice_id,
            "engine": self.engine,
            "tts_rate": self.tts_rate,
            "tts_pitch": self.tts_pitch,
        }


def audio_generate_for_accent(phoneme_id: int, *, accent: str, word: str = "") -> AudioSource:
    """Job: generate on-demand audio with the first voice of ``accent`` that can do it.

    Voices are tried in settings order; an engine that cannot take phonemes is skipped for a
    phoneme. Raises :class:`AudioUnavailable` listing why each voice failed, and
    ``StorageUnavailable`` at once when the file cannot be stored (another voice would not help).
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
            logger.info("Falling back from %s for %s %s: %s", voice.key, phoneme, word, exc)
    raise AudioUnavailable(failures)


def synthesis_request(phoneme: Phoneme, *, voice: Voice, word: str = "") -> SynthesisRequest:
    """What ``voice``'s engine is asked to say for ``phoneme`` (or its example ``word``) with
    today's settings. Raises :class:`TTSError` when the engine cannot say a phoneme alone,
    ``ValueError`` for a word that is not the phoneme's."""
    engine = engine_for(voice.engine)
    if not word and not engine.supports_phonemes:
        raise TTSError(f"{engine.name} cannot say a phoneme alone", retryable=False)
    if word:
        word, ipa = example_word_get(phoneme, word, accent=voice.language)
    else:
        ipa = phoneme.ipa_symbol
    return SynthesisRequest(voice=voice, ipa=ipa, word=word, rate=settings.PHATAM_TTS_RATE)


def audio_generate(
    phoneme: Phoneme,
    *,
    voice: Voice,
    word: str = "",
    source_type: str = SourceType.GENERATED,
    force: bool = False,
    result: SynthesisResult | None = None,
) -> AudioSource:
    """Synthesize and store the audio of ``phoneme`` (or its example ``word``) in ``voice``.

    Single-flight: concurrent calls for the same audio wait for one another, so the engine
    runs once and one row is stored (the unique constraint backs this up across processes).
    A playable existing row is returned as it is unless ``force``; an expired one, or any with
    ``force``, is regenerated in place (its old file deleted after commit).
    Raises :class:`TTSError` when the engine fails, ``StorageUnavailable`` when storage refuses
    the file, ``ValueError`` for a word that is not the phoneme's.
    ``result``, audio already synthesized for :func:`synthesis_request` (pre-generation
    synthesizes in a pool of processes), is stored instead of running the engine.
    """
    request = synthesis_request(phoneme, voice=voice, word=word)
    key = SynthesisKey.for_voice(
        phoneme.pk, voice=voice, word=request.word, source_type=source_type
    )
    with single_flight(key.lock_name()):
        existing = AudioSource.objects.filter(**key.lookup()).first()
        if existing is not None and existing.is_playable() and not force:
            return existing
        if result is None:
            result = engine_for(voice.engine).synthesize(request)
        return _store(phoneme, key, voice, result, existing=existing)


def _store(
    phoneme: Phoneme,
    key: SynthesisKey,
    voice: Voice,
    result: SynthesisResult,
    *,
    existing: AudioSource | None,
) -> AudioSource:
    now = timezone.now()
    days = (
        settings.PHATAM_TTS_CACHE_DAYS
        if key.source_type == SourceType.TTS
        else settings.PHATAM_GENERATED_CACHE_DAYS
    )
    source = existing or AudioSource(
        phoneme=phoneme,
        language=voice.language,
        **{k: v for k, v in key.lookup().items() if k != "phoneme_id"},
    )
    # What shaped the sound beyond the key (eSpeak's own input, say) is only shown.
    source.metadata = {
        name: value for name, value in result.settings.items() if name not in key.lookup()
    }
    source.audio_duration = result.duration
    source.cached_until = now + timedelta(days=days)
    if not key.word:
        acoustic_check_apply(source, _check(phoneme.ipa_symbol, result, voice.language))
    try:
        return audio_file_store(
            source,
            io.BytesIO(result.audio),
            extension=result.format,
            size=len(result.audio),
            generated_at=now,
        )
    except IntegrityError:
        # Another process stored the same audio first: keep theirs (our file is gone).
        return AudioSource.objects.get(**key.lookup())


def _check(symbol: str, result: SynthesisResult, accent: str) -> acoustics.Check:
    if not acoustics.is_checkable(symbol):
        return acoustics.Check(acoustics.NOT_CHECKED)
    try:
        info = decode_bytes(result.audio)
    except AudioRejected as exc:
        return acoustics.Check(acoustics.NOT_CHECKED, details={"error": str(exc)})
    return acoustics.check(symbol, info.samples, info.sample_rate, accent=accent)
