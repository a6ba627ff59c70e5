"""The life of synthesized audio: pre-generation, refresh, cleanup and acoustic verification.

Native recordings are never touched here: only ``tts`` and ``generated`` sources expire,
are refreshed or are deleted.
"""

import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.curriculum import acoustics
from apps.curriculum.models import AudioSource, Phoneme, SourceType
from apps.curriculum.services.audio import audio_for_phoneme, audio_generate
from apps.curriculum.tts import TTSError, Voice, engine_for, voices_for

SYNTHESIZED = (SourceType.TTS, SourceType.GENERATED)
AUDIO_DIR = "phonemes/audio"
Progress = Callable[[str], None]


@dataclass(frozen=True)
class AudioTask:
    phoneme: Phoneme
    voice: Voice
    word: str = ""

    def __str__(self) -> str:
        return f"/{self.phoneme.ipa_symbol}/ {self.word} ({self.voice.key})".replace("  ", " ")


@dataclass
class PregenerateReport:
    created: int = 0
    skipped: int = 0
    failures: Counter = field(default_factory=Counter)  # voice key -> count
    reasons: dict[str, str] = field(default_factory=dict)  # voice key -> first failure

    @property
    def failed(self) -> int:
        return sum(self.failures.values())


def pregenerate_tasks(
    phonemes: Iterable[Phoneme], voices: Iterable[Voice], *, words: bool = True
) -> list[AudioTask]:
    """Every phoneme alone (voices whose engine takes phonemes) and, with ``words``, each of
    its example words, in every voice."""
    voices = list(voices)
    tasks = []
    for phoneme in phonemes:
        for voice in voices:
            if engine_for(voice.engine).supports_phonemes:
                tasks.append(AudioTask(phoneme, voice))
            if words:
                tasks += [AudioTask(phoneme, voice, item["word"]) for item in phoneme.example_words]
    return tasks


def audio_pregenerate(
    tasks: list[AudioTask], *, force: bool = False, on_progress: Progress | None = None
) -> PregenerateReport:
    """Store cached TTS (``tts``, valid PHATAM_TTS_CACHE_DAYS) for each task.

    Idempotent: a task whose cached TTS is still valid is skipped unless ``force``. A failing
    voice is counted and the others go on (a remembered edge-tts outage fails at once).
    """
    report = PregenerateReport()
    valid = set()
    if not force:
        valid = {
            (pk, word, voice_key)
            for pk, word, voice_key in AudioSource.objects.playable()
            .filter(source_type=SourceType.TTS, metadata__tts_rate=settings.PHATAM_TTS_RATE)
            .values_list("phoneme_id", "word", "metadata__voice")
        }
    for task in tasks:
        if (task.phoneme.pk, task.word, task.voice.key) in valid:
            report.skipped += 1
        else:
            try:
                audio_generate(
                    task.phoneme,
                    voice=task.voice,
                    word=task.word,
                    source_type=SourceType.TTS,
                    force=force,
                )
                report.created += 1
            except TTSError as exc:
                report.failures[task.voice.key] += 1
                report.reasons.setdefault(task.voice.key, _first_line(exc))
        if on_progress:
            on_progress(str(task))
    return report


def _first_line(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text if len(text) <= 100 else text[:99] + "…"


@dataclass
class CleanupPlan:
    refresh: list[AudioSource]  # expiring or expired, still played: regenerated
    expired: list[AudioSource]  # expired and not played lately: deleted
    unused: list[AudioSource]  # valid but not played for unused_days: deleted
    orphans: list[str]  # files in storage that no row references: deleted
    now: datetime = field(default_factory=timezone.now)
    played_since: datetime = field(default_factory=timezone.now)

    @property
    def deletions(self) -> list[AudioSource]:
        return self.expired + self.unused


@dataclass
class CleanupReport:
    refreshed: int = 0
    refresh_failed: list[str] = field(default_factory=list)
    deleted_sources: int = 0
    deleted_orphans: int = 0
    freed_bytes: int = 0


def cleanup_plan(
    *,
    now: datetime | None = None,
    unused_days: int | None = None,
    refresh_days: int | None = None,
    orphan_grace: timedelta = timedelta(hours=1),
) -> CleanupPlan:
    """What :func:`cleanup_apply` would do, without doing it (``--dry-run`` shows this).

    "Played lately" means played within ``unused_days``; a source never played counts from
    its creation. Pinned sources count as played. Files younger than ``orphan_grace`` are
    never orphans: they may belong to a transaction that has not committed yet.
    """
    now = now or timezone.now()
    unused_days = settings.PHATAM_AUDIO_UNUSED_DAYS if unused_days is None else unused_days
    refresh_days = settings.PHATAM_AUDIO_REFRESH_DAYS if refresh_days is None else refresh_days
    since = now - timedelta(days=unused_days)

    played_lately = Q(cache__usage_count__gt=0, cache__last_accessed_at__gte=since) | Q(
        preferred_for_phoneme__isnull=False
    )
    synthesized = (
        AudioSource.objects.filter(source_type__in=SYNTHESIZED)
        .select_related("phoneme", "cache")
        .order_by("pk")
    )
    refresh = list(
        synthesized.filter(
            played_lately, cached_until__lte=now + timedelta(days=refresh_days)
        ).distinct()
    )
    refreshing = {source.pk for source in refresh}
    expired = [s for s in synthesized.expired(now) if s.pk not in refreshing]
    not_played_since = Q(cache__last_accessed_at__lt=since) | Q(
        cache__isnull=True, created_at__lt=since
    )
    unused = [
        source
        for source in synthesized.unexpired(now)
        .filter(not_played_since, preferred_for_phoneme__isnull=True)
        .distinct()
        if source.pk not in refreshing
    ]
    return CleanupPlan(refresh, expired, unused, _orphans(now - orphan_grace), now, since)


def _orphans(older_than: datetime) -> list[str]:
    storage = AudioSource._meta.get_field("audio_file").storage
    referenced = set(
        AudioSource.objects.exclude(audio_file="").values_list("audio_file", flat=True)
    )
    return [
        name
        for name in _walk(storage, AUDIO_DIR)
        if name not in referenced and storage.get_modified_time(name) < older_than
    ]


def _walk(storage: Storage, directory: str) -> list[str]:
    if not storage.exists(directory):
        return []
    folders, files = storage.listdir(directory)
    names = [f"{directory}/{name}" for name in files]
    for folder in folders:
        names += _walk(storage, f"{directory}/{folder}")
    return sorted(names)


def cleanup_apply(plan: CleanupPlan, *, on_progress: Progress | None = None) -> CleanupReport:
    """Regenerate, then delete, as planned. Files of deleted rows go after the commit."""
    report = CleanupReport()
    for source in plan.refresh:
        try:
            audio_generate(
                source.phoneme,
                voice=_voice_of(source),
                word=source.word,
                source_type=source.source_type,
                force=True,
            )
            report.refreshed += 1
        except (TTSError, ValueError) as exc:
            report.refresh_failed.append(f"{source!r}: {exc}")
        if on_progress:
            on_progress(f"refresh {source.pk}")

    report.freed_bytes = sum(_size(source) for source in plan.deletions)
    # The delete re-checks the rule: a source regenerated, played or pinned since the plan
    # (the refreshes above can take a while) stays.
    still_expired = Q(pk__in=[s.pk for s in plan.expired], cached_until__lte=plan.now)
    still_unused = Q(pk__in=[s.pk for s in plan.unused]) & (
        Q(cache__last_accessed_at__lt=plan.played_since)
        | Q(cache__isnull=True, created_at__lt=plan.played_since)
    )
    with transaction.atomic():
        _, deleted = (
            AudioSource.objects.filter(still_expired | still_unused, source_type__in=SYNTHESIZED)
            .exclude(preferred_for_phoneme__isnull=False)
            .delete()
        )
        # delete() also counts the AudioCache rows that cascade; report the sources only.
        report.deleted_sources = deleted.get(AudioSource._meta.label, 0)
    storage = AudioSource._meta.get_field("audio_file").storage
    for name in plan.orphans:
        if not AudioSource.objects.filter(audio_file=name).exists():
            report.freed_bytes += storage.size(name)
            storage.delete(name)
            report.deleted_orphans += 1
        if on_progress:
            on_progress(f"orphan {name}")
    return report


def _voice_of(source: AudioSource) -> Voice:
    """The configured voice that made ``source``; ``ValueError`` if it is not configured now."""
    key = source.metadata.get("voice", "")
    for voice in voices_for(source.language):
        if voice.key == key:
            return voice
    raise ValueError(f"voice {key!r} is no longer configured for {source.language}")


def _size(source: AudioSource) -> int:
    cache = getattr(source, "cache", None)
    return cache.file_size if cache is not None else 0


@dataclass(frozen=True)
class VerificationRow:
    phoneme: Phoneme
    accent: str
    voice: str  # voice_id of the served audio, or "-" when none could be had
    tier: str
    verdict: acoustics.Verdict | None
    error: str = ""

    @property
    def passed(self) -> bool:
        return self.verdict is not None and self.verdict.passed


def audio_verify(
    phonemes: Iterable[Phoneme], *, accent: str, on_progress: Progress | None = None
) -> list[VerificationRow]:
    """Measure the audio the service would serve for each vowel in ``phonemes`` and judge it.

    Audio is generated on demand where missing, as a learner would get it. The verdict is
    stored in the source's metadata (``acoustic_check``), where the selector reads it.
    """
    rows = []
    for phoneme in phonemes:
        answer = audio_for_phoneme(phoneme, accent=accent)
        source = answer.source
        if source is None:
            rows.append(VerificationRow(phoneme, accent, "-", answer.tier, None, answer.reason))
        else:
            try:
                verdict = acoustics.verify(
                    phoneme.ipa_symbol,
                    _measure(source),
                    accent=accent,
                    gender=source.metadata.get("speaker_gender", ""),
                )
            except acoustics.MeasurementError as exc:
                rows.append(
                    VerificationRow(phoneme, accent, source.voice_id, answer.tier, None, str(exc))
                )
            else:
                source.metadata = {**source.metadata, "acoustic_check": verdict.as_metadata()}
                source.save(update_fields=["metadata", "updated_at"])
                rows.append(VerificationRow(phoneme, accent, source.voice_id, answer.tier, verdict))
        if on_progress:
            on_progress(str(phoneme))
    return rows


def _measure(source: AudioSource) -> acoustics.Measurement:
    suffix = os.path.splitext(source.audio_file.name)[1]
    with source.audio_file.open("rb") as audio, tempfile.NamedTemporaryFile(suffix=suffix) as copy:
        copy.write(audio.read())
        copy.flush()
        return acoustics.measure_file(copy.name)
