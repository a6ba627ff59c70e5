"""Audio for phonemes: where each sound comes from, and how it is played.

Several sources may exist for one phoneme; the best playable one is heard:

1. ``native``: a native-speaker recording (quality 100, never expires; several speakers allowed);
2. ``tts``: TTS generated ahead of time and cached (quality 90, valid until ``cached_until``);
3. ``generated``: TTS generated on demand (quality 80, the fallback);
4. none of them: the browser's speech synthesis speaks an example word.

``cached_until`` has one meaning everywhere: ``NULL`` means the file never expires (native
recordings, or anything staff decided to keep); a date means the file is valid until then.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class SourceType(models.TextChoices):
    NATIVE = "native", "Native Speaker Recording - BEST QUALITY"
    TTS = "tts", "TTS Generated (Cached) - HIGH QUALITY"
    GENERATED = "generated", "TTS Generated (On-Demand) - FALLBACK"


QUALITY_SCORES = {SourceType.NATIVE: 100, SourceType.TTS: 90, SourceType.GENERATED: 80}
# Audio the acoustic check heard as another sound, whoever made it: below every tier that
# passed, so that a failed native take never reads as better than passing TTS.
FAILED_QUALITY_SCORE = 60

# The columns that make two synthesized files of one phoneme and voice different sounds; with
# phoneme, word, source type and voice they are "the same synthesized audio" (the unique
# constraint below, and apps.curriculum.audio.synthesis.SynthesisKey).
SYNTHESIS_SETTINGS = ("engine", "tts_rate", "tts_pitch")
# The stored tiers of the fallback chain, best first (on-demand generation and the browser's
# voice come after them and belong to the playback service).
STORED_TIERS = (SourceType.NATIVE, SourceType.TTS)


class AcousticVerdict(models.TextChoices):
    PASSED = "passed", "passed"
    NOT_CHECKED = "not_checked", "not checkable"
    FAILED = "failed", "failed"


# Within a tier, audio the check passed plays before audio it could not judge, and both
# before audio it heard as another sound.
VERDICT_RANK = {
    AcousticVerdict.PASSED: 0,
    AcousticVerdict.NOT_CHECKED: 1,
    AcousticVerdict.FAILED: 2,
}


class AudioSourceQuerySet(models.QuerySet):
    def with_file(self) -> "AudioSourceQuerySet":
        # An empty FileField is stored as "" (not NULL), so isnull=False alone lets rows
        # without a file through.
        return self.exclude(audio_file="").exclude(audio_file__isnull=True)

    def unexpired(self, now=None) -> "AudioSourceQuerySet":
        now = now or timezone.now()
        return self.filter(Q(cached_until__isnull=True) | Q(cached_until__gt=now))

    def playable(self, now=None) -> "AudioSourceQuerySet":
        """Sources that have a file and have not expired."""
        return self.with_file().unexpired(now)

    def expired(self, now=None) -> "AudioSourceQuerySet":
        return self.filter(cached_until__lte=now or timezone.now())

    def best_for_phonemes(
        self,
        phonemes: Iterable,
        *,
        language: str | None = None,
        word: str = "",
        source_types: Sequence[str] = STORED_TIERS,
        voice_order: Sequence[tuple[str, str]] = (),
        now=None,
    ) -> dict:
        """Map each phoneme's pk to the audio a learner should hear, or ``None``.

        This method is the rule of the fallback chain:

        1. the phoneme's pinned ``preferred_audio_source``, if it is playable;
        2. else the best of its other playable sources: by acoustic verdict (passed, then not
           checkable, then failed), then by type in the order of ``source_types`` (native
           recordings, then cached TTS), then by voice in ``voice_order`` (``(engine,
           voice_id)`` pairs, best first), the newest first.

        Playable means: it has a file (an empty FileField is ``""``, not NULL) and it has not
        expired (``cached_until`` NULL or in the future). A pinned source of another phoneme
        is ignored. ``language`` (``"en-US"``, ``"en-GB"``) keeps only sources in that
        language; ``word`` asks for the audio of that example word instead of the phoneme.

        One query, whatever the number of phonemes.
        """
        phonemes = [phoneme for phoneme in phonemes if phoneme.pk is not None]
        if not phonemes:
            return {}
        by_pk = {phoneme.pk: phoneme for phoneme in phonemes}
        pinned = [p.preferred_audio_source_id for p in phonemes if p.preferred_audio_source_id]
        candidates = self.playable(now).filter(
            Q(source_type__in=source_types) | Q(pk__in=pinned),
            phoneme_id__in=by_pk,
            word=word,
        )
        if language:
            candidates = candidates.filter(language=language)
        type_rank = {source_type: index for index, source_type in enumerate(source_types)}
        voice_rank = {voice: index for index, voice in enumerate(voice_order)}
        grouped: dict[int, list] = defaultdict(list)
        for source in candidates.order_by("-created_at", "-pk"):
            source.phoneme = by_pk[source.phoneme_id]  # spares __str__ a query per row
            grouped[source.phoneme_id].append(source)

        def sort_key(source) -> tuple[int, int, int, int]:
            # min() keeps the first of equal keys, and candidates come newest first.
            return (
                0 if source.pk == by_pk[source.phoneme_id].preferred_audio_source_id else 1,
                VERDICT_RANK.get(source.acoustic_verdict, 1),
                type_rank.get(source.source_type, len(type_rank)),
                voice_rank.get((source.engine, source.voice_id), len(voice_rank)),
            )

        return {pk: min(grouped[pk], key=sort_key, default=None) for pk in by_pk}


class AudioSource(models.Model):
    """One audio file that says a phoneme (or one of its example words).

    Native recordings may exist for many speakers of one phoneme; synthesized audio is unique
    per phoneme, word, source type, voice and synthesis settings, so that concurrent generation
    cannot store the same sound twice.
    """

    SOURCE_TYPES = SourceType.choices
    SourceType = SourceType

    phoneme = models.ForeignKey(
        "Phoneme",
        on_delete=models.CASCADE,
        related_name="audio_sources",
        help_text="Phoneme this audio represents",
    )
    source_type = models.CharField(
        max_length=20,
        choices=SourceType.choices,
        db_index=True,  # analytics group and filter by type alone
        help_text="Type of audio source (native/tts/generated)",
    )
    voice_id = models.CharField(
        max_length=50,
        default="en-US-AriaNeural",
        help_text=(
            "TTS voice or speaker ID. Examples: en-US-AriaNeural, en-US-GuyNeural, "
            "en-GB-SoniaNeural"
        ),
    )
    language = models.CharField(
        max_length=10,
        default="en-US",
        help_text="Language code (BCP 47). Examples: en-US, en-GB, en-AU",
    )
    word = models.CharField(
        max_length=64,
        blank=True,
        default="",
        help_text="The example word this file says; empty when it says the phoneme itself.",
    )
    audio_file = models.FileField(
        upload_to="phonemes/audio/%Y/%m/%d/",
        max_length=255,
        help_text="Audio file. Supports: .mp3, .wav, .ogg, .m4a",
    )
    audio_duration = models.FloatField(
        default=0, help_text="Duration in seconds (auto-calculated or manual)"
    )
    metadata = models.JSONField(
        default=dict,
        blank=True,
        help_text=(
            "What is only shown, never queried: speaker details "
            '{"speaker_name": "Lan", "speaker_gender": "female", "speaker_accent": "RP", '
            '"licence": "CC-BY-4.0", "recorded_date": "2025-01-13"}, the engine\'s own input '
            '("espeak_input") and the acoustic measurement ("acoustic": {"f1": 290, ...}).'
        ),
    )
    engine = models.CharField(
        max_length=40,
        blank=True,
        default="",
        help_text="The TTS engine that made the file (espeak-ng, edge-tts); empty for native.",
    )
    tts_rate = models.CharField(
        "TTS rate", max_length=16, blank=True, default="", help_text='e.g. "-30%"; TTS only.'
    )
    tts_pitch = models.CharField(
        "TTS pitch", max_length=16, blank=True, default="", help_text='e.g. "+0Hz"; TTS only.'
    )
    acoustic_verdict = models.CharField(
        max_length=12,
        choices=AcousticVerdict.choices,
        default=AcousticVerdict.NOT_CHECKED,
        help_text="Whether the measured sound is the phoneme (vowels are measured).",
    )
    acoustic_heard_as = models.CharField(
        max_length=10,
        blank=True,
        default="",
        help_text="The nearest vowel the acoustic check heard, in the chart's symbols.",
    )
    cached_until = models.DateTimeField(
        blank=True,
        null=True,
        help_text="Until when this audio is valid. NULL = never expires (native recordings).",
    )
    created_at = models.DateTimeField(
        auto_now_add=True, help_text="When this audio was added to system"
    )
    updated_at = models.DateTimeField(auto_now=True, help_text="When this audio was last updated")

    objects = AudioSourceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "Audio Source"
        verbose_name_plural = "Audio Sources"
        constraints = [
            # Synthesized audio is reproducible: a second file for the same phoneme, word,
            # voice and settings is a duplicate (and the target that makes concurrent
            # on-demand generation single-flight). Native recordings are not limited: a
            # phoneme has several speakers, even several takes of one speaker.
            models.UniqueConstraint(
                fields=["phoneme", "word", "source_type", "voice_id", *SYNTHESIS_SETTINGS],
                condition=Q(source_type__in=[SourceType.TTS, SourceType.GENERATED]),
                name="unique_synthesized_audio",
                violation_error_message=(
                    "This phoneme already has synthesized audio for that voice and settings."
                ),
            ),
            models.CheckConstraint(
                condition=Q(source_type__in=SourceType.values), name="audiosource_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(audio_duration__gte=0), name="audiosource_duration_not_negative"
            ),
        ]
        indexes = [
            # The fallback chain: every source of a phoneme by type.
            models.Index(fields=["phoneme", "source_type"], name="idx_phoneme_source"),
            # TTS voice history and analytics per voice.
            models.Index(fields=["voice_id", "created_at"], name="idx_voice_created"),
            # Cleanup of expired files.
            models.Index(fields=["cached_until"], name="idx_cached_until"),
            # Staff lists of recordings that fail (or were not given) the acoustic check.
            models.Index(fields=["acoustic_verdict"], name="idx_acoustic_verdict"),
        ]

    def __str__(self) -> str:
        return f"{self.phoneme.ipa_symbol} - {self.get_source_type_display()}"

    def __repr__(self) -> str:
        return f"<AudioSource: {self.phoneme.ipa_symbol} ({self.source_type})>"

    def save(self, *args, **kwargs) -> None:
        self._take_settings_from_metadata(kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self._take_settings_from_metadata(None)  # before the constraints are validated

    def _take_settings_from_metadata(self, update_fields) -> None:
        # The day-1 design kept "tts_rate" and "tts_pitch" in metadata. Code written to it still
        # works: when the columns are empty they take those values, so the unique constraint
        # tells such files apart as it always did. Nothing in PhatAm writes them there.
        if update_fields is not None or not isinstance(self.metadata, dict):
            return
        for name in SYNTHESIS_SETTINGS:
            value = self.metadata.get(name)
            if not getattr(self, name) and isinstance(value, str):
                setattr(self, name, value[:16] if name != "engine" else value[:40])

    def failed_acoustic_check(self) -> bool:
        return self.acoustic_verdict == AcousticVerdict.FAILED

    def is_native(self) -> bool:
        return self.source_type == SourceType.NATIVE

    def is_cached(self) -> bool:
        """True while the audio is valid: ``cached_until`` is NULL (never expires) or ahead."""
        return self.cached_until is None or timezone.now() < self.cached_until

    def has_file(self) -> bool:
        return bool(self.audio_file)

    def is_playable(self) -> bool:
        """Has a file and has not expired (the instance-side twin of ``playable()``)."""
        return self.has_file() and self.is_cached()

    def get_url(self) -> str | None:
        """URL of the audio file, or ``None`` when there is no file."""
        if self.audio_file:
            return self.audio_file.url
        return None

    def get_quality_score(self) -> int:
        """100 for native recordings, 90 for cached TTS, 80 for on-demand TTS; 60 for any
        audio that failed the acoustic check."""
        if self.acoustic_verdict == AcousticVerdict.FAILED:
            return FAILED_QUALITY_SCORE
        return QUALITY_SCORES[SourceType(self.source_type)]

    def mark_cached(self, days: int = 30) -> None:
        """Make this audio valid for ``days`` more days from now."""
        self.cached_until = timezone.now() + timedelta(days=days)
        self.save(update_fields=["cached_until", "updated_at"])


class AudioCache(models.Model):
    """Play statistics and file size of one audio source; drives analytics and cache cleanup."""

    audio_source = models.OneToOneField(
        AudioSource,
        on_delete=models.CASCADE,
        related_name="cache",
        help_text="Associated audio source",
    )
    file_size = models.BigIntegerField(
        default=0, help_text="File size in bytes (used for storage calculations)"
    )
    generated_at = models.DateTimeField(
        auto_now_add=True, help_text="When this cache was generated"
    )
    # Not auto_now (as the day-1 draft had it): any save, say of file_size, would then
    # count as a play and keep unused files from ever being cleaned up.
    last_accessed_at = models.DateTimeField(
        default=timezone.now, help_text="Last time this audio was accessed/played"
    )
    usage_count = models.PositiveIntegerField(
        default=0, help_text="Number of times this audio has been played"
    )

    class Meta:
        verbose_name = "Audio Cache"
        verbose_name_plural = "Audio Caches"
        indexes = [
            # Most/least played lists and the "unused since" cleanup.
            models.Index(fields=["usage_count", "-last_accessed_at"], name="idx_cache_usage"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(file_size__gte=0), name="audiocache_file_size_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"Cache: {self.audio_source.phoneme.ipa_symbol}"

    def __repr__(self) -> str:
        return f"<AudioCache: {self.audio_source.phoneme.ipa_symbol} ({self.usage_count} plays)>"

    def get_cache_age_days(self) -> int:
        return (timezone.now() - self.generated_at).days

    def get_file_size_mb(self) -> float:
        return round(self.file_size / (1024 * 1024), 2)

    def record_access(self) -> int:
        """Count one play, atomically, and return the new play count.

        A single ``UPDATE ... SET usage_count = usage_count + 1``: concurrent plays all count.
        """
        now = timezone.now()
        AudioCache.objects.filter(pk=self.pk).update(
            usage_count=F("usage_count") + 1, last_accessed_at=now
        )
        self.refresh_from_db(fields=["usage_count", "last_accessed_at"])
        return self.usage_count
