"""Native-speaker recordings uploaded by staff: checked from their content, stored safely.

An upload is decoded in full (:mod:`speech.decoding`) and must hold a sound (not silence, not
noise: :mod:`speech.signal`) before anything is stored; the stored name is a UUID with the
detected extension, so the client's file name never reaches storage.
Vowels get the acoustic check; a recording heard as another sound is kept but flagged.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from apps.core.recordings import RecordingRejected, recording_inspect
from apps.curriculum.audio.storage import acoustic_check_apply, audio_file_store
from apps.curriculum.audio.voices import accent_validate
from apps.curriculum.models import AudioSource, Phoneme, SourceType
from speech import acoustics

__all__ = [
    "GENDERS",
    "LICENCES",
    "RecordingRejected",
    "Speaker",
    "native_recording_add",
    "native_recording_replace",
    "phoneme_pin_audio",
    "recorded_date_check",
    "recording_inspect",
]

GENDERS = ("female", "male", "other")
LICENCES = ("CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "owned")


@dataclass(frozen=True)
class Speaker:
    name: str
    gender: str
    accent: str
    licence: str
    recorded_date: date | None = None

    def as_metadata(self) -> dict:
        return {
            "speaker_name": self.name,
            "speaker_gender": self.gender,
            "speaker_accent": self.accent,
            "licence": self.licence,
            "recorded_date": self.recorded_date.isoformat() if self.recorded_date else "",
        }

    @classmethod
    def of(cls, source: AudioSource) -> "Speaker":
        metadata = source.metadata if isinstance(source.metadata, dict) else {}
        return cls(
            name=metadata.get("speaker_name", ""),
            gender=metadata.get("speaker_gender", ""),
            accent=metadata.get("speaker_accent", ""),
            licence=metadata.get("licence", ""),
            recorded_date=_date(metadata.get("recorded_date")),
        )


def recorded_date_check(value: date | None) -> None:
    """A recording cannot be dated in the future; ``ValueError`` says so."""
    if value and value > timezone.localdate():
        raise ValueError("The recording date is in the future.")


def native_recording_add(
    phoneme: Phoneme, upload, *, name: str, speaker: Speaker, language: str, uploaded_by: str = ""
) -> AudioSource:
    """Check and store one native-speaker recording of ``phoneme``; several speakers are
    welcome. Raises :class:`RecordingRejected`."""
    source = AudioSource(
        phoneme=phoneme,
        source_type=SourceType.NATIVE,
        voice_id=f"native:{speaker.name}"[:50] if speaker.name else "native",
        language=accent_validate(language),
    )
    return _store(source, upload, name=name, speaker=speaker, uploaded_by=uploaded_by)


def native_recording_replace(
    source: AudioSource, upload, *, name: str, uploaded_by: str = ""
) -> AudioSource:
    """Put a new file in place of ``source``'s; the old file goes after the commit, and stays
    if the transaction fails. Raises :class:`RecordingRejected`."""
    return _store(source, upload, name=name, speaker=Speaker.of(source), uploaded_by=uploaded_by)


def _store(
    source: AudioSource, upload, *, name: str, speaker: Speaker, uploaded_by: str
) -> AudioSource:
    info = recording_inspect(upload, name=name)
    source.metadata = {
        **speaker.as_metadata(),
        "format": info.format,
        "sample_rate": info.sample_rate,
        "channels": info.channels,
        "uploaded_by": uploaded_by,
    }
    acoustic_check_apply(
        source,
        acoustics.check(
            source.phoneme.ipa_symbol,
            info.samples,
            info.sample_rate,
            accent=source.language,
            gender=speaker.gender,
        ),
    )
    source.audio_duration = round(info.duration, 3)
    source.cached_until = None  # native recordings never expire
    return audio_file_store(source, upload, extension=info.extension, size=info.size)


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def phoneme_pin_audio(phoneme: Phoneme, source: AudioSource | None) -> Phoneme:
    """Pin ``source`` as the audio learners hear for ``phoneme`` (``None`` unpins).
    Raises ``ValidationError`` when the source belongs to another phoneme."""
    phoneme.preferred_audio_source = source
    phoneme.full_clean(exclude=["example_words"])
    phoneme.save(update_fields=["preferred_audio_source", "updated_at"])
    return phoneme
