"""The check every uploaded recording passes, whichever app takes it: decoded in full within
the configured length (:mod:`speech.decoding`), and holding a sound, not silence or noise
(:mod:`speech.signal`)."""

from django.conf import settings

from speech.decoding import AudioInfo, audio_inspect
from speech.decoding import AudioRejected as RecordingRejected
from speech.signal import speech_presence

__all__ = ["RecordingRejected", "recording_inspect"]


def recording_inspect(upload, *, name: str) -> AudioInfo:
    """Decode an upload within the configured length and make sure it holds a sound (every
    upload path comes through here); raises :class:`RecordingRejected`."""
    info = audio_inspect(
        upload,
        name=name,
        min_seconds=settings.PHATAM_UPLOAD_MIN_SECONDS,
        max_seconds=settings.PHATAM_UPLOAD_MAX_SECONDS,
    )
    refusal = speech_presence(info.samples, info.sample_rate)
    if refusal:
        raise RecordingRejected(refusal)
    return info
