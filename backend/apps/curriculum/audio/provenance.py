"""Who or what made a clip: the speaker or the engine and voice, when, under which licence,
and one short sentence saying so to a learner.

The API (``AudioSerializer.provenance``), the admin's Audio Sources and the studio all show
this; it reads only the row's own columns, so a list of clips costs no extra query.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from apps.curriculum.models import AudioSource, SourceType

ACCENT_VI = {"en-US": "Mỹ", "en-GB": "Anh"}
# Engines as a learner knows them (AudioSource.engine holds the engine's own name).
ENGINE_NAMES = {"espeak-ng": "eSpeak", "edge-tts": "Microsoft Edge"}


@dataclass(frozen=True)
class Provenance:
    kind: str  # "native", "tts" or "generated"
    speaker: str  # native recordings: the speaker's name
    engine: str  # synthesized audio: the engine (espeak-ng, edge-tts)
    voice: str  # synthesized audio: the engine's voice (en-us, en-GB-SoniaNeural)
    date: str  # ISO date: recorded, or generated
    licence: str  # native recordings: the licence the speaker gave
    text_vi: str  # for learners: "Giọng thật của Lan (giọng Anh), ghi âm 24/11/2026"


def audio_provenance(source: AudioSource) -> Provenance:
    """Where ``source`` comes from, for staff and learners."""
    metadata = source.metadata if isinstance(source.metadata, dict) else {}
    accent = ACCENT_VI.get(source.language, source.language)
    if source.source_type == SourceType.NATIVE:
        made = _iso_date(metadata.get("recorded_date")) or _created(source)
        speaker = str(metadata.get("speaker_name") or "")
        text = f"Giọng thật của {speaker or 'người bản xứ'} (giọng {accent})"
        if made:
            text += f", ghi âm {made:%d/%m/%Y}"
        return Provenance(
            kind=source.source_type,
            speaker=speaker,
            engine="",
            voice="",
            date=made.isoformat() if made else "",
            licence=str(metadata.get("licence") or ""),
            text_vi=text,
        )
    made = _created(source)
    engine = ENGINE_NAMES.get(source.engine, source.engine)
    return Provenance(
        kind=source.source_type,
        speaker="",
        engine=source.engine,
        voice=source.voice_id,
        date=made.isoformat() if made else "",
        licence=str(metadata.get("licence") or ""),
        text_vi=f"Giọng máy {engine} ({accent}), tạo tự động".replace("  ", " "),
    )


def _iso_date(value) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _created(source: AudioSource) -> date | None:
    return timezone.localdate(source.created_at) if source.created_at else None
