"""Audio for phonemes: where each sound comes from, and how it is played.

Several sources may exist for one phoneme; the best playable one is heard:

1. ``native``: a native-speaker recording (quality 100, never expires; several speakers allowed);
2. ``tts``: TTS generated ahead of time and cached (quality 90, valid until ``cached_until``);
3. ``generated``: TTS generated on demand (quality 80, the fallback);
4. none of them: the browser's speech synthesis speaks an example word.

``cached_until`` has one meaning everywhere: ``NULL`` means the file never expires (native
recordings, or anything staff decided to keep); a date means the file is valid until then.
"""

from datetime import timedelta

from django.db import models
from django.db.models import F, Q
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone


class SourceType(models.TextChoices):
    NATIVE = "native", "Native Speaker Recording - BEST QUALITY"
    TTS = "tts", "TTS Generated (Cached) - HIGH QUALITY"
    GENERATED = "generated", "TTS Generated (On-Demand) - FALLBACK"


QUALITY_SCORES = {SourceType.NATIVE: 100, SourceType.TTS: 90, SourceType.GENERATED: 80}

# The metadata keys that make two TTS files of one phoneme and voice different sounds.
# They are part of the uniqueness of synthesized audio (see AudioSource.Meta.constraints).
SYNTHESIS_SETTINGS = ("engine", "tts_rate", "tts_pitch")


def _synthesis_settings_expression() -> Concat:
    text = models.CharField()
    parts = []
    for key in SYNTHESIS_SETTINGS:
        parts += [
            models.Value(f"{key}=", output_field=text),
            Coalesce(KT(f"metadata__{key}"), models.Value(""), output_field=text),
            models.Value(";", output_field=text),
        ]
    return Concat(*parts, output_field=text)


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
            'Additional metadata, e.g. {"engine": "espeak-ng", "tts_rate": "-30%", '
            '"speaker_gender": "female", "speaker_accent": "RP", "recorded_date": "2025-01-13"}'
        ),
    )
    cached_until = models.DateTimeField(
        blank=True,
        null=True,
        help_text="Until when this audio is valid. NULL = never expires (native recordings).",
    )
    # "engine=espeak-ng;tts_rate=-30%;tts_pitch=;", derived by the database from metadata so
    # that it can take part in a plain (and form-validated) unique constraint.
    synthesis_settings = models.GeneratedField(
        expression=_synthesis_settings_expression(),
        output_field=models.CharField(max_length=255),
        db_persist=True,
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
                fields=["phoneme", "word", "source_type", "voice_id", "synthesis_settings"],
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
        ]

    def __str__(self) -> str:
        return f"{self.phoneme.ipa_symbol} - {self.get_source_type_display()}"

    def __repr__(self) -> str:
        return f"<AudioSource: {self.phoneme.ipa_symbol} ({self.source_type})>"

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
        """100 for native recordings, 90 for cached TTS, 80 for on-demand TTS."""
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
