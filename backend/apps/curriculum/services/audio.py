"""Writes on audio: counting plays."""

from apps.curriculum.models import AudioCache, AudioSource


def play_record(audio_source: AudioSource) -> int:
    """Count one play of ``audio_source`` and return its new play count.

    Creates the source's AudioCache row on its first play (reading the file size when the file
    is there); the count itself is one atomic UPDATE, so concurrent plays are never lost.
    """
    cache, _ = AudioCache.objects.get_or_create(
        audio_source=audio_source, defaults={"file_size": _file_size(audio_source)}
    )
    return cache.record_access()


def _file_size(audio_source: AudioSource) -> int:
    if not audio_source.audio_file:
        return 0
    try:
        return audio_source.audio_file.size
    except OSError:
        return 0
