"""Reads: which audio plays for which phoneme, in a constant number of queries."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.conf import settings
from django.db.models import Q

from apps.curriculum.models import AudioSource, Phoneme, SourceType
from apps.curriculum.tts import voices_for

# The fallback chain of files that already exist, best first. On-demand generation and the
# browser's speech synthesis come after these and belong to the audio service.
STORED_AUDIO_TIERS: tuple[SourceType, ...] = (SourceType.NATIVE, SourceType.TTS)


def audio_best_for_phonemes(
    phonemes: Iterable[Phoneme],
    *,
    language: str | None = None,
    word: str = "",
    source_types: Sequence[str] = STORED_AUDIO_TIERS,
    now: datetime | None = None,
) -> dict[int, AudioSource | None]:
    """Map each phoneme's pk to the audio a learner should hear, or ``None``.

    This function is the rule of the fallback chain:

    1. the phoneme's pinned ``preferred_audio_source``, if it is playable;
    2. else the best of its other playable sources: any that passed (or skipped) the acoustic
       check before any that failed it, then by type in the order of ``source_types`` (native
       recordings, then cached TTS), then by voice in the order PHATAM_VOICES gives for
       ``language``, the newest first.

    Playable means: it has a file (an empty FileField is ``""``, not NULL) and it has not
    expired (``cached_until`` NULL or in the future). A pinned source of another phoneme is
    ignored. ``language`` (``"en-US"``, ``"en-GB"``) keeps only sources in that language;
    ``word`` asks for the audio of that example word instead of the phoneme alone.

    One query, whatever the number of phonemes.
    """
    phonemes = [phoneme for phoneme in phonemes if phoneme.pk is not None]
    if not phonemes:
        return {}
    by_pk = {phoneme.pk: phoneme for phoneme in phonemes}
    pinned = [p.preferred_audio_source_id for p in phonemes if p.preferred_audio_source_id]

    candidates = AudioSource.objects.playable(now).filter(
        Q(source_type__in=source_types) | Q(pk__in=pinned),
        phoneme_id__in=by_pk,
        word=word,
    )
    if language:
        candidates = candidates.filter(language=language)

    rank = {source_type: index for index, source_type in enumerate(source_types)}
    # Within a type, voices in the order PHATAM_VOICES lists them for the language (a neural
    # voice before eSpeak, say), then the newest.
    voice_rank = {}
    if language in settings.PHATAM_VOICES:
        voice_rank = {voice.key: index for index, voice in enumerate(voices_for(language))}
    grouped: dict[int, list[AudioSource]] = defaultdict(list)
    for source in candidates.order_by("-created_at", "-pk"):
        source.phoneme = by_pk[source.phoneme_id]  # spares __str__ a query per row
        grouped[source.phoneme_id].append(source)

    def sort_key(source: AudioSource) -> tuple[int, int, int, int]:
        is_pinned = source.pk == by_pk[source.phoneme_id].preferred_audio_source_id
        voice = source.metadata.get("voice") if isinstance(source.metadata, dict) else None
        # min() keeps the first of equal keys, and candidates come newest first.
        return (
            0 if is_pinned else 1,
            1 if failed_acoustic_check(source) else 0,
            rank.get(source.source_type, len(rank)),
            voice_rank.get(voice, len(voice_rank)),
        )

    return {pk: min(grouped[pk], key=sort_key, default=None) for pk in by_pk}


def failed_acoustic_check(source: AudioSource) -> bool:
    """True when the acoustic check heard another sound than the phoneme (see acoustics.py)."""
    check = source.metadata.get("acoustic_check") if isinstance(source.metadata, dict) else None
    return isinstance(check, dict) and check.get("passed") is False


def phonemes_for_chart():
    """All phonemes with their categories, in chart order (one query)."""
    return Phoneme.objects.chart_order()


# Rows of the classic phonemic chart (Underhill): monophthongs 4 a row, diphthongs 2-3-3,
# consonants 8 a row (voiceless/voiced pairs side by side).
CHART_ROWS = {"vowel": (4, 4, 4), "diphthong": (2, 3, 3), "consonant": (8, 8, 8)}


def chart_sections(phonemes: list[Phoneme]) -> list[dict]:
    """Phonemes (in chart order) grouped by category and cut into the chart's rows."""
    sections = []
    for phoneme in phonemes:
        if not sections or sections[-1]["category"].pk != phoneme.category_id:
            sections.append({"category": phoneme.category, "phonemes": []})
        sections[-1]["phonemes"].append(phoneme)
    for section in sections:
        items, rows = section.pop("phonemes"), []
        for size in CHART_ROWS.get(section["category"].category_type, ()):
            rows.append(items[:size])
            items = items[size:]
        while items:  # phonemes beyond the classic layout get rows of their own
            rows.append(items[:8])
            items = items[8:]
        section["rows"] = [row for row in rows if row]
    return sections


def phoneme_get_by_ipa(symbol: str) -> Phoneme:
    """The phoneme written ``symbol``: ``"i:"``, ``"/iː/"`` and ``"iː"`` are one.

    Raises ``Phoneme.DoesNotExist``.
    """
    return Phoneme.objects.select_related("category").get(ipa_symbol=symbol)
