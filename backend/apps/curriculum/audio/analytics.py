"""What learners play, for staff: the numbers come from AudioCache, and "would be removed"
is exactly what `cleanup_audio` would delete (it asks the same plan)."""

from datetime import datetime

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from apps.curriculum.audio.lifecycle import cleanup_plan
from apps.curriculum.models import AudioSource, Phoneme, SourceType


def audio_analytics(
    *, now: datetime | None = None, unused_days: int | None = None, top: int = 10
) -> dict:
    """Most played and never played sources, sources unused for ``unused_days``, storage and
    plays by source type, and plays per phoneme (chart order)."""
    plan = cleanup_plan(now=now, unused_days=unused_days)
    sources = AudioSource.objects.select_related("phoneme", "cache")
    never = sources.filter(Q(cache__isnull=True) | Q(cache__usage_count=0))
    by_type = {
        row["source_type"]: row
        for row in AudioSource.objects.values("source_type").annotate(
            files=Count("pk"),
            bytes=Coalesce(Sum("cache__file_size"), 0),
            plays=Coalesce(Sum("cache__usage_count"), 0),
        )
    }
    total_plays = sum(row["plays"] for row in by_type.values())
    types = [
        {
            "source_type": source_type.value,
            "label": source_type.label,
            "files": by_type.get(source_type, {}).get("files", 0),
            "bytes": by_type.get(source_type, {}).get("bytes", 0),
            "plays": by_type.get(source_type, {}).get("plays", 0),
            "share": (by_type.get(source_type, {}).get("plays", 0) / total_plays)
            if total_plays
            else 0.0,
        }
        for source_type in SourceType
    ]
    per_phoneme = list(
        Phoneme.objects.chart_order().annotate(
            plays=Coalesce(Sum("audio_sources__cache__usage_count"), 0)
        )
    )
    return {
        "most_played": list(
            sources.filter(cache__usage_count__gt=0).order_by("-cache__usage_count", "pk")[:top]
        ),
        "never_played_count": never.count(),
        "never_played": list(never.order_by("phoneme__order", "pk")[:top]),
        "unused": plan.unused,
        "expired": plan.expired,
        "cleanup_would_remove": len(plan.deletions),
        "cleanup_would_refresh": len(plan.refresh),
        "by_type": types,
        "total_plays": total_plays,
        "total_bytes": sum(t["bytes"] for t in types),
        "per_phoneme": per_phoneme,  # phonemes in chart order, each with .plays
    }
