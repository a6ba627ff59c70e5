"""Native-speaker recordings uploaded by staff: checked from their content, stored safely.

An upload is decoded in full (PyAV, FFmpeg) before anything is stored: the format comes from
the bytes, the name's extension must agree, and empty, corrupt or truncated audio, audio of
the wrong length, or anything that is not audio is refused with a message for the uploader.
The stored name is a UUID with the detected extension, under ``phonemes/audio/%Y/%m/%d/``;
the client's file name never reaches storage.
"""

import logging
import os
from dataclasses import dataclass
from datetime import date
from uuid import uuid4

import av
import numpy as np
import parselmouth
from django.conf import settings
from django.core.files import File
from django.db import transaction

from apps.curriculum import acoustics
from apps.curriculum.audio_formats import EXTENSIONS, FORMATS, detect_format
from apps.curriculum.models import AudioCache, AudioSource, Phoneme, SourceType

logger = logging.getLogger(__name__)

GENDERS = ("female", "male", "other")
LICENCES = ("CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "owned")
# A decoded stream shorter than this share of what the container declares is truncated.
TRUNCATED_BELOW = 0.9


class RecordingRejected(ValueError):
    """The upload is not acceptable audio; the message says why, for the uploader."""


@dataclass(frozen=True)
class AudioInfo:
    format: str  # "mp3", "wav", "ogg", "m4a"
    duration: float
    sample_rate: int
    channels: int
    size: int
    samples: np.ndarray  # mono float64, for the acoustic check


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


def audio_inspect(upload, *, name: str) -> AudioInfo:
    """Decode ``upload`` (a file object) and describe it; raise :class:`RecordingRejected`."""
    extension = _extension(name)
    upload.seek(0, os.SEEK_END)
    size = upload.tell()
    if size == 0:
        raise RecordingRejected("The file is empty.")
    upload.seek(0)
    detected = detect_format(upload.read(16))
    upload.seek(0)
    if detected is None:
        raise RecordingRejected(
            "The file is not audio PhatAm can play (MP3, WAV, OGG or M4A), whatever its name says."
        )
    if EXTENSIONS[extension] != detected:
        raise RecordingRejected(
            f"The file is {detected.upper()} audio but its name ends in .{extension}; "
            f"name it .{FORMATS[detected][0][0]}."
        )
    try:
        info = _decode(upload, detected, size)
    except av.error.FFmpegError as exc:
        logger.info("Rejected undecodable upload %r: %s", name, exc)
        raise RecordingRejected(
            "The audio is damaged or truncated and cannot be decoded."
        ) from None
    finally:
        upload.seek(0)
    low, high = settings.PHATAM_UPLOAD_MIN_SECONDS, settings.PHATAM_UPLOAD_MAX_SECONDS
    if not low <= info.duration <= high:
        raise RecordingRejected(
            f"The recording lasts {info.duration:.2f} s; it must last {low:g} to {high:g} s."
        )
    return info


def _extension(name: str) -> str:
    base = os.path.basename(name or "").strip()
    stem, dot, extension = base.rpartition(".")
    extension = extension.lower()
    if not dot or not stem or extension not in EXTENSIONS:
        raise RecordingRejected(
            f"'{base}' does not end in .mp3, .wav, .ogg or .m4a."
            if base
            else "The file has no name."
        )
    return extension


def _decode(upload, detected: str, size: int) -> AudioInfo:
    # Tags written by old tools may not be UTF-8: they are not ours to judge.
    with av.open(upload, mode="r", metadata_errors="replace") as container:
        if not container.streams.audio:
            raise RecordingRejected("The file holds no audio.")
        stream = container.streams.audio[0]
        if stream.codec_context is None:
            raise RecordingRejected("The audio is in an encoding PhatAm cannot decode.")
        sample_rate = stream.codec_context.sample_rate or stream.rate
        channels = stream.codec_context.channels
        declared = float(container.duration / av.time_base) if container.duration else 0.0
        # Refuse long audio before decoding it: a few MB of low-bitrate Opus can hold hours.
        longest = settings.PHATAM_UPLOAD_MAX_SECONDS
        if declared > longest + 1:
            raise RecordingRejected(
                f"The recording lasts {declared:.2f} s; it must last at most {longest:g} s."
            )
        to_mono = av.AudioResampler(format="dbl", layout="mono", rate=sample_rate)
        chunks, decoded = [], 0
        for frame in container.decode(stream):
            for out in to_mono.resample(frame):
                chunks.append(out.to_ndarray().reshape(-1))
                decoded += chunks[-1].size
            if decoded > (longest + 1) * sample_rate:
                raise RecordingRejected(
                    f"The recording lasts more than {longest:g} s, the longest accepted."
                )
        chunks += [out.to_ndarray().reshape(-1) for out in to_mono.resample(None)]
    if not chunks or not sample_rate:
        raise RecordingRejected("The file holds no audio that can be decoded.")
    samples = np.concatenate(chunks)
    duration = samples.size / sample_rate
    if declared and duration < declared * TRUNCATED_BELOW:
        raise RecordingRejected(
            f"The file is truncated: it declares {declared:.2f} s but holds {duration:.2f} s."
        )
    if detected == "wav" and _wav_truncated(upload, size):
        raise RecordingRejected(
            "The WAV file is truncated: its data is shorter than its header says."
        )
    return AudioInfo(detected, duration, int(sample_rate), int(channels), size, samples)


def _wav_truncated(upload, size: int) -> bool:
    """True when the RIFF header claims more bytes than the file has."""
    upload.seek(4)
    riff_size = int.from_bytes(upload.read(4), "little")
    return riff_size + 8 > size


def native_recording_add(
    phoneme: Phoneme, upload, *, name: str, speaker: Speaker, language: str, uploaded_by: str = ""
) -> AudioSource:
    """Check and store one native-speaker recording of ``phoneme``; several speakers are
    welcome. Vowels get the acoustic check: a recording whose formants point to another vowel
    is kept but flagged (``metadata.acoustic_check``). Raises :class:`RecordingRejected`."""
    info = audio_inspect(upload, name=name)
    source = AudioSource(
        phoneme=phoneme,
        source_type=SourceType.NATIVE,
        voice_id=_voice_id(speaker),
        language=language,
    )
    return _store(source, upload, info, speaker=speaker, uploaded_by=uploaded_by)


def native_recording_replace(
    source: AudioSource, upload, *, name: str, uploaded_by: str = ""
) -> AudioSource:
    """Put a new file in place of ``source``'s; the old file goes after the commit, and stays
    if the transaction fails. Raises :class:`RecordingRejected`."""
    info = audio_inspect(upload, name=name)
    speaker = Speaker(
        name=source.metadata.get("speaker_name", ""),
        gender=source.metadata.get("speaker_gender", ""),
        accent=source.metadata.get("speaker_accent", ""),
        licence=source.metadata.get("licence", ""),
        recorded_date=_date(source.metadata.get("recorded_date")),
    )
    return _store(source, upload, info, speaker=speaker, uploaded_by=uploaded_by)


def _store(
    source: AudioSource, upload, info: AudioInfo, *, speaker: Speaker, uploaded_by: str
) -> AudioSource:
    old_name = source.audio_file.name if source.pk else ""
    metadata = {
        **speaker.as_metadata(),
        "format": info.format,
        "sample_rate": info.sample_rate,
        "channels": info.channels,
        "uploaded_by": uploaded_by,
    }
    if acoustics.is_checkable(source.phoneme.ipa_symbol):
        metadata["acoustic_check"] = _acoustic_check(source, info, speaker.gender)
    source.metadata = metadata
    source.audio_duration = round(info.duration, 3)
    source.cached_until = None  # native recordings never expire
    storage = source.audio_file.storage
    source.audio_file.save(f"{uuid4().hex}.{FORMATS[info.format][0][0]}", File(upload), save=False)
    new_name = source.audio_file.name
    try:
        with transaction.atomic():
            source.save()
            updated = AudioCache.objects.filter(audio_source=source).update(file_size=info.size)
            if not updated:
                AudioCache.objects.create(audio_source=source, file_size=info.size)
            if old_name:
                transaction.on_commit(lambda: storage.delete(old_name))
    except BaseException:
        storage.delete(new_name)
        raise
    return source


def _acoustic_check(source: AudioSource, info: AudioInfo, gender: str) -> dict:
    sound = parselmouth.Sound(info.samples, sampling_frequency=info.sample_rate)
    try:
        measurement = acoustics.measure(sound)
    except acoustics.MeasurementError as exc:
        return {"passed": None, "error": str(exc)}
    verdict = acoustics.verify(
        source.phoneme.ipa_symbol, measurement, accent=source.language, gender=gender
    )
    return verdict.as_metadata()


def _voice_id(speaker: Speaker) -> str:
    return f"native:{speaker.name}"[:50] if speaker.name else "native"


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
