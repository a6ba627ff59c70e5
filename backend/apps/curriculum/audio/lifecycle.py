"""The life of synthesized audio: pre-generation, refresh, cleanup and acoustic verification.

Native recordings are never touched here: only ``tts`` and ``generated`` sources expire,
are refreshed or are deleted.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from multiprocessing import get_context
from typing import TypedDict

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Q
from django.utils import timezone

from apps.core.storage import storage_walk
from apps.curriculum.audio.jobs import Jobs, job_backend
from apps.curriculum.audio.playback import audio_for_phoneme
from apps.curriculum.audio.storage import (
    PENDING_DIR,
    StorageUnavailable,
    acoustic_check_apply,
    audio_file_basename,
)
from apps.curriculum.audio.synthesis import SynthesisKey, audio_generate, synthesis_request
from apps.curriculum.audio.voices import engine_for, voice_made, voices_for
from apps.curriculum.models import AudioSource, Phoneme, SourceType
from apps.curriculum.selectors import practice_words_by_phoneme
from speech import acoustics
from speech.decoding import AudioRejected, decode_bytes
from speech.tts.base import SynthesisRequest, SynthesisResult, TTSError, Voice

SYNTHESIZED = (SourceType.TTS, SourceType.GENERATED)
AUDIO_DIR = "phonemes/audio"
# A pending file's row may sit in a transaction that has not committed (see storage.py): it is
# only an orphan when it has been pending far longer than any transaction lasts.
PENDING_GRACE = timedelta(days=1)
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
    not_stored: list[str] = field(default_factory=list)  # "task: why", per file storage refused
    # Online voices that could not be reached: voice key -> files skipped, and why (one
    # attempt per engine, not one failure per file).
    offline: Counter = field(default_factory=Counter)
    offline_reason: str = ""

    @property
    def failed(self) -> int:
        return sum(self.failures.values()) + len(self.not_stored)


def pregenerate_tasks(
    phonemes: Iterable[Phoneme], voices: Iterable[Voice], *, words: bool = True
) -> list[AudioTask]:
    """Every phoneme alone (voices whose engine takes phonemes) and, with ``words``, each of
    its example, minimal-pair and drill words (once each), in every voice."""
    voices, phonemes = list(voices), list(phonemes)
    words_of = practice_words_by_phoneme(phonemes) if words else {}
    tasks = []
    for phoneme in phonemes:
        for voice in voices:
            if engine_for(voice.engine).supports_phonemes:
                tasks.append(AudioTask(phoneme, voice))
            tasks += [AudioTask(phoneme, voice, word) for word in words_of.get(phoneme.pk, [])]
    return tasks


class PregenerateOutcome(TypedDict):
    """What became of one pre-generation task (plain values: a worker sends it back)."""

    error: str  # empty when the file is stored (or was still valid)
    not_stored: bool  # the error is storage's, not the voice's


def audio_pregenerate(
    tasks: list[AudioTask],
    *,
    force: bool = False,
    on_progress: Progress | None = None,
    processes: int = 1,
) -> PregenerateReport:
    """Store cached TTS (``tts``, valid PHATAM_TTS_CACHE_DAYS) for each task.

    Idempotent: a task whose cached TTS is still valid is skipped unless ``force``. A failing
    voice is counted and the others go on (a remembered edge-tts outage fails at once); a file
    storage refuses (disk full, read-only) is listed in ``not_stored`` and the others go on.

    With ``processes`` > 1 the engines run in that many processes at once while this one
    stores each file as it comes back, through :func:`audio_generate` like any other: one
    writer suits SQLite, and only this process sees its own uncommitted rows.
    """
    report = PregenerateReport()
    todo = _not_valid(tasks, force=force, report=report, on_progress=on_progress)
    todo = _online_reachable(todo, force=force, report=report, on_progress=on_progress)
    for task, synthesized in _synthesized(todo, processes=processes):
        if isinstance(synthesized, str):
            outcome = PregenerateOutcome(error=synthesized, not_stored=False)
        else:
            outcome = _pregenerate(task, force=force, result=synthesized)
        _count(report, task, outcome, on_progress)
    return report


def audio_pregenerate_queued(
    tasks: list[AudioTask],
    *,
    force: bool = False,
    on_progress: Progress | None = None,
    jobs: Jobs | None = None,
) -> PregenerateReport:
    """:func:`audio_pregenerate` on the job workers (``make worker``): every task is
    enqueued at once, so all the workers generate in parallel, and counted as its result
    comes back (``on_progress`` in the order they finish). Waits for all of them."""
    report = PregenerateReport()
    todo = _not_valid(tasks, force=force, report=report, on_progress=on_progress)
    todo = _online_reachable(todo, force=force, report=report, on_progress=on_progress)
    calls = [
        ((task.phoneme.pk, task.voice.language, task.voice.key, task.word), {"force": force})
        for task in todo
    ]

    def on_result(index: int, outcome: PregenerateOutcome | Exception) -> None:
        if isinstance(outcome, Exception):  # the job itself failed on the worker
            outcome = PregenerateOutcome(error=_first_line(outcome), not_stored=False)
        _count(report, todo[index], outcome, on_progress)

    (jobs or job_backend()).submit_many(audio_pregenerate_one, calls, on_result=on_result)
    return report


def audio_pregenerate_one(
    phoneme_id: int, accent: str, voice_key: str, word: str = "", *, force: bool = False
) -> PregenerateOutcome:
    """Job: pre-generate one file of :func:`audio_pregenerate_queued`, the voice named by
    ``voice_key`` among ``accent``'s (one voice may serve two accents)."""
    voice = next((v for v in voices_for(accent) if v.key == voice_key), None)
    if voice is None:
        error = f"{voice_key} is not a configured voice of {accent}"
        return PregenerateOutcome(error=error, not_stored=False)
    task = AudioTask(Phoneme.objects.get(pk=phoneme_id), voice, word)
    return _pregenerate(task, force=force)


def _not_valid(
    tasks: list[AudioTask], *, force: bool, report: PregenerateReport, on_progress: Progress | None
) -> list[AudioTask]:
    """The tasks to do: all with ``force``, else those without valid cached TTS (the others
    are counted as skipped)."""
    if force:
        return list(tasks)
    valid = {
        SynthesisKey.of(source)
        for source in AudioSource.objects.playable().filter(source_type=SourceType.TTS)
    }
    todo = []
    for task in tasks:
        key = SynthesisKey.for_voice(
            task.phoneme.pk, voice=task.voice, word=task.word, source_type=SourceType.TTS
        )
        if key in valid:
            report.skipped += 1
            if on_progress:
                on_progress(str(task))
        else:
            todo.append(task)
    return todo


def _online_reachable(
    tasks: list[AudioTask], *, force: bool, report: PregenerateReport, on_progress: Progress | None
) -> list[AudioTask]:
    """The tasks left once each online engine (edge-tts) has been tried on its first file,
    here and now. An engine that cannot be reached (an error worth retrying later: no network,
    a timeout) has its other files skipped and counted in ``report.offline``; one that answers,
    or fails for another reason, keeps them (its failures stay failures)."""
    unreachable: dict[str, str] = {}  # engine alias -> why
    tried: set[str] = set()
    todo = []
    for task in tasks:
        alias = task.voice.engine
        if not engine_for(alias).online:
            todo.append(task)
        elif alias in unreachable:
            report.offline[task.voice.key] += 1
            if on_progress:
                on_progress(str(task))
        elif alias in tried:
            todo.append(task)
        else:
            tried.add(alias)
            try:
                outcome = _pregenerate(task, force=force, raise_retryable=True)
            except TTSError as exc:
                unreachable[alias] = report.offline_reason = _first_line(exc)
                report.offline[task.voice.key] += 1
                if on_progress:
                    on_progress(str(task))
            else:
                _count(report, task, outcome, on_progress)
    return todo


def _pregenerate(
    task: AudioTask,
    *,
    force: bool,
    result: SynthesisResult | None = None,
    raise_retryable: bool = False,
) -> PregenerateOutcome:
    """Store one file; its outcome (``raise_retryable``: raise an engine error that trying
    again later could cure, instead of counting it)."""
    try:
        audio_generate(
            task.phoneme,
            voice=task.voice,
            word=task.word,
            source_type=SourceType.TTS,
            force=force,
            result=result,
        )
    except TTSError as exc:
        if raise_retryable and exc.retryable:
            raise
        return PregenerateOutcome(error=_first_line(exc), not_stored=False)
    except StorageUnavailable as exc:
        return PregenerateOutcome(error=str(exc), not_stored=True)
    return PregenerateOutcome(error="", not_stored=False)


def _count(
    report: PregenerateReport,
    task: AudioTask,
    outcome: PregenerateOutcome,
    on_progress: Progress | None,
) -> None:
    if outcome["not_stored"]:
        report.not_stored.append(f"{task}: {outcome['error']}")
    elif outcome["error"]:
        report.failures[task.voice.key] += 1
        report.reasons.setdefault(task.voice.key, outcome["error"])
    else:
        report.created += 1
    if on_progress:
        on_progress(str(task))


def _synthesized(
    tasks: list[AudioTask], *, processes: int
) -> Iterator[tuple[AudioTask, SynthesisResult | str | None]]:
    """Each task with its audio synthesized in a pool of ``processes`` (or why that failed);
    with ``None`` instead, one after another, when a pool is not worth it: the task is then
    synthesized as it is stored."""
    if processes <= 1 or len(tasks) <= 1:
        yield from ((task, None) for task in tasks)
        return
    work = []
    for task in tasks:
        try:
            work.append((task, synthesis_request(task.phoneme, voice=task.voice, word=task.word)))
        except TTSError as exc:
            yield task, _first_line(exc)
    # A forked child must not share this process's database connections: close them (Django
    # reconnects on the next query); the children never use the database. One inside a
    # transaction (a caller's) stays open, as closing it would roll the transaction back.
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close()
    # Forked, the children start with Django and the engines' code already loaded; each loads
    # its own eSpeak NG library on its first request (this process synthesizes nothing here).
    pool = ProcessPoolExecutor(max_workers=processes, mp_context=get_context("fork"))
    try:
        aliases = [task.voice.engine for task, _ in work]
        results = pool.map(_synthesize, aliases, [request for _, request in work], chunksize=4)
        for (task, _), synthesized in zip(work, results, strict=True):
            yield task, synthesized
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _synthesize(engine_alias: str, request: SynthesisRequest) -> SynthesisResult | str:
    """In a pool process: the audio, or why the engine could not make it (a TTSError does
    not survive pickling: its ``retryable`` is keyword-only)."""
    try:
        return engine_for(engine_alias).synthesize(request)
    except TTSError as exc:
        return _first_line(exc)


def _first_line(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text if len(text) <= 100 else text[:99] + "…"


@dataclass
class CleanupPlan:
    refresh: list[AudioSource]  # expiring or expired, still played: regenerated
    expired: list[AudioSource]  # expired and not played lately: deleted
    unused: list[AudioSource]  # valid but not played for unused_days: deleted
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
) -> CleanupPlan:
    """What :func:`cleanup_apply` would do to rows, without doing it (``--dry-run`` shows
    this; analytics shows the same numbers). It reads the database only, never storage.

    "Played lately" means played within ``unused_days``; a source never played counts from
    its creation. Pinned sources count as played.
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
    return CleanupPlan(refresh, expired, unused, now, since)


def orphan_files_find(*, older_than: datetime) -> list[str]:
    """Audio files no row references: under ``phonemes/audio/`` when older than
    ``older_than``, under ``phonemes/pending/`` when also older than :data:`PENDING_GRACE`.

    A file is referenced when a row names it by its ``<uuid>.<ext>`` in either place (a row
    still names the pending file for a moment after its final copy is made). Storage is listed
    before the rows are read: a final file is made only after its row has committed, so the
    row is always seen; a pending file's row may not have committed yet, hence its long grace.
    This lists the whole storage: only ``cleanup_audio`` calls it.
    """
    storage = AudioSource._meta.get_field("audio_file").storage
    names = storage_walk(storage, AUDIO_DIR) + storage_walk(storage, PENDING_DIR)
    referenced = _referenced_basenames()
    pending_older_than = min(older_than, timezone.now() - PENDING_GRACE)
    return [
        name
        for name in names
        if audio_file_basename(name) not in referenced
        and storage.get_modified_time(name)
        < (pending_older_than if name.startswith(f"{PENDING_DIR}/") else older_than)
    ]


def _referenced_basenames() -> set[str]:
    names = AudioSource.objects.exclude(audio_file="").values_list("audio_file", flat=True)
    return {audio_file_basename(name) for name in names}


def cleanup_apply(
    plan: CleanupPlan, *, orphans: Iterable[str] = (), on_progress: Progress | None = None
) -> CleanupReport:
    """Regenerate, then delete, as planned, then delete the ``orphans`` files (from
    :func:`orphan_files_find`). Files of deleted rows go after the commit."""
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
        except (TTSError, StorageUnavailable, ValueError) as exc:
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
    referenced = _referenced_basenames()  # again: rows may have come since orphans were found
    for name in orphans:
        if audio_file_basename(name) not in referenced:
            report.freed_bytes += storage.size(name)
            storage.delete(name)
            report.deleted_orphans += 1
        if on_progress:
            on_progress(f"orphan {name}")
    return report


def _voice_of(source: AudioSource) -> Voice:
    """The configured voice that made ``source``; ``ValueError`` if it is not configured now."""
    voice = voice_made(language=source.language, engine=source.engine, voice_id=source.voice_id)
    if voice is None:
        raise ValueError(
            f"voice {source.engine}:{source.voice_id} is no longer configured for {source.language}"
        )
    return voice


def _size(source: AudioSource) -> int:
    cache = getattr(source, "cache", None)
    return cache.file_size if cache is not None else 0


@dataclass(frozen=True)
class VerificationRow:
    phoneme: Phoneme
    accent: str
    voice: str  # voice_id of the served audio, or "-" when none could be had
    tier: str
    verdict: acoustics.Verdict | acoustics.ConsonantVerdict | None  # vowel or consonant
    error: str = ""

    @property
    def passed(self) -> bool:
        return self.verdict is not None and self.verdict.passed


def audio_verify(
    phonemes: Iterable[Phoneme], *, accent: str, on_progress: Progress | None = None
) -> list[VerificationRow]:
    """Measure the audio the service would serve for each phoneme in ``phonemes`` (vowel or
    consonant) and judge it.

    Audio is generated on demand where missing, as a learner would get it. The verdict is
    stored in the source's acoustic columns, where the fallback chain reads it.
    """
    rows = []
    for phoneme in phonemes:
        answer = audio_for_phoneme(phoneme, accent=accent)
        source = answer.source
        if source is None:
            rows.append(VerificationRow(phoneme, accent, "-", answer.tier, None, answer.reason))
        else:
            check = audio_source_check(source)
            if check.judged is not None:
                source.save(update_fields=["acoustic_verdict", "acoustic_heard_as", "metadata"])
            rows.append(
                VerificationRow(
                    phoneme,
                    accent,
                    source.voice_id,
                    answer.tier,
                    check.judged,
                    check.details.get("error", ""),
                )
            )
        if on_progress:
            on_progress(str(phoneme))
    return rows


def audio_source_check(source: AudioSource) -> acoustics.Check:
    """Run the acoustic check on ``source``'s stored file and put the verdict on ``source``
    (not saved)."""
    try:
        with source.audio_file.open("rb") as audio:
            info = decode_bytes(audio.read())
    except (OSError, AudioRejected) as exc:
        return acoustics.Check(acoustics.NOT_CHECKED, details={"error": str(exc)})
    check = acoustics.check(
        source.phoneme.ipa_symbol,
        info.samples,
        info.sample_rate,
        accent=source.language,
        gender=(source.metadata or {}).get("speaker_gender", ""),
    )
    acoustic_check_apply(source, check)
    return check


def stale_upload_files_delete(older_than: datetime) -> list[str]:
    """Delete the spool files of uploads (``*.upload*`` in ``FILE_UPLOAD_TEMP_DIR``) last
    changed before ``older_than``, and return their paths. Django deletes a spool file when
    its request ends; one whose process was killed mid-upload stays behind. Only regular
    files are deleted (no symlink, no folder); a missing folder deletes nothing."""
    # Imported here: this function was appended while the module's top was being edited.
    import fnmatch
    import os
    import stat

    folder = settings.FILE_UPLOAD_TEMP_DIR
    if not folder:
        return []  # the system's temporary folder is not ours to clean
    cutoff = older_than.timestamp()
    deleted = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        if not fnmatch.fnmatchcase(entry.name, "*.upload*"):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode) or info.st_mtime >= cutoff:
                continue
            os.unlink(entry.path)
        except OSError:
            continue  # gone already, or not ours to delete
        deleted.append(entry.path)
    return deleted
