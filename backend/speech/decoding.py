"""Reading audio safely: what a file really is, decoded in full before anyone trusts it.

The format comes from the bytes (never the name), the name's extension must agree, and empty,
corrupt or truncated audio, audio of the wrong length, a video, samples that are not numbers
(NaN, infinity) or anything that is not audio is refused with :class:`AudioRejected`, whose
message is written for the person who sent it. Whether the audio holds speech at all is
:mod:`speech.signal`'s question.
Decoding is PyAV (FFmpeg in the wheel).
"""

import io
import logging
import os
from dataclasses import dataclass
from typing import BinaryIO

import av
import numpy as np

from speech.formats import EXTENSIONS, FORMATS, detect_format

logger = logging.getLogger(__name__)

# A decoded stream shorter than this share of what the container declares is truncated.
TRUNCATED_BELOW = 0.9


class AudioRejected(ValueError):
    """The file is not acceptable audio; the message says why, for the person who sent it."""


@dataclass(frozen=True)
class AudioInfo:
    format: str  # "mp3", "wav", "ogg", "m4a"
    duration: float
    sample_rate: int
    channels: int
    size: int
    samples: np.ndarray  # mono float64 in [-1, 1], for measurement

    @property
    def extension(self) -> str:
        return FORMATS[self.format][0][0]


def audio_inspect(
    upload: BinaryIO, *, name: str, min_seconds: float, max_seconds: float
) -> AudioInfo:
    """Decode ``upload`` (a seekable file object) and describe it.

    Raises :class:`AudioRejected`. The file position is back at 0 afterwards.
    """
    extension = _extension(name)
    upload.seek(0, os.SEEK_END)
    size = upload.tell()
    if size == 0:
        raise AudioRejected("The file is empty.")
    upload.seek(0)
    detected = detect_format(upload.read(16))
    upload.seek(0)
    if detected is None:
        raise AudioRejected(
            "The file is not audio PhatAm can play (MP3, WAV, OGG or M4A), whatever its name says."
        )
    if EXTENSIONS[extension] != detected:
        raise AudioRejected(
            f"The file is {detected.upper()} audio but its name ends in .{extension}; "
            f"name it .{FORMATS[detected][0][0]}."
        )
    source = upload
    if detected == "wav" and (chunk := _riff_size(upload)) < size:
        # Bytes after the RIFF chunk are no part of the WAV: FFmpeg would still walk through
        # them in search of more chunks (a second a megabyte), so it never sees them.
        source = io.BytesIO(upload.read(chunk))
    try:
        info = _decode(source, detected, size, max_seconds=max_seconds)
    except av.error.FFmpegError as exc:
        logger.info("Rejected undecodable audio %r: %s", name, exc)
        raise AudioRejected("The audio is damaged or truncated and cannot be decoded.") from None
    finally:
        upload.seek(0)
    if not min_seconds <= info.duration <= max_seconds:
        raise AudioRejected(
            f"The recording lasts {info.duration:.2f} s; "
            f"it must last {min_seconds:g} to {max_seconds:g} s."
        )
    return info


def decode_bytes(data: bytes, *, max_seconds: float = 60.0) -> AudioInfo:
    """Decode audio the project made itself (an engine's MP3, a stored file)."""
    detected = detect_format(data[:16])
    if detected is None:
        raise AudioRejected("The data is not audio in a format PhatAm knows.")
    try:
        return _decode(io.BytesIO(data), detected, len(data), max_seconds=max_seconds)
    except av.error.FFmpegError as exc:
        raise AudioRejected(f"The audio cannot be decoded: {exc}") from None


def _extension(name: str) -> str:
    base = os.path.basename(name or "").strip()
    stem, dot, extension = base.rpartition(".")
    extension = extension.lower()
    if not dot or not stem or extension not in EXTENSIONS:
        raise AudioRejected(
            f"'{base}' does not end in .mp3, .wav, .ogg or .m4a."
            if base
            else "The file has no name."
        )
    return extension


def _decode(upload: BinaryIO, detected: str, size: int, *, max_seconds: float) -> AudioInfo:
    # Tags written by old tools may not be UTF-8: they are not ours to judge.
    with av.open(upload, mode="r", metadata_errors="replace") as container:
        # Cover art (an MP3's or M4A's picture) is a video stream too, marked as attached.
        if any(not _attached_picture(video) for video in container.streams.video):
            raise AudioRejected("The file holds a video stream; upload audio only.")
        if not container.streams.audio:
            raise AudioRejected("The file holds no audio.")
        stream = container.streams.audio[0]
        if stream.codec_context is None:
            raise AudioRejected("The audio is in an encoding PhatAm cannot decode.")
        sample_rate = stream.codec_context.sample_rate or stream.rate
        channels = stream.codec_context.channels
        declared = float(container.duration / av.time_base) if container.duration else 0.0
        # Refuse long audio before decoding it: a few MB of low-bitrate Opus can hold hours.
        if declared > max_seconds + 1:
            raise AudioRejected(
                f"The recording lasts {declared:.2f} s; it must last at most {max_seconds:g} s."
            )
        to_mono = av.AudioResampler(format="dbl", layout="mono", rate=sample_rate)
        chunks, decoded = [], 0
        for frame in container.decode(stream):
            for out in to_mono.resample(frame):
                chunks.append(out.to_ndarray().reshape(-1))
                decoded += chunks[-1].size
            if decoded > (max_seconds + 1) * sample_rate:
                raise AudioRejected(
                    f"The recording lasts more than {max_seconds:g} s, the longest accepted."
                )
        chunks += [out.to_ndarray().reshape(-1) for out in to_mono.resample(None)]
    if not chunks or not sample_rate:
        raise AudioRejected("The file holds no audio that can be decoded.")
    samples = np.concatenate(chunks)
    if not np.isfinite(samples).all():
        # Float WAV can carry NaN and infinity; every measurement of them is meaningless.
        raise AudioRejected(
            "The recording contains non-finite samples (NaN or infinity); "
            "export it again as ordinary PCM audio."
        )
    duration = samples.size / sample_rate
    if declared and duration < declared * TRUNCATED_BELOW:
        raise AudioRejected(
            f"The file is truncated: it declares {declared:.2f} s but holds {duration:.2f} s."
        )
    if detected == "wav" and _wav_truncated(upload, size):
        raise AudioRejected("The WAV file is truncated: its data is shorter than its header says.")
    return AudioInfo(detected, duration, int(sample_rate), int(channels), size, samples)


def _attached_picture(stream) -> bool:
    return bool(stream.disposition & av.stream.Disposition.attached_pic)


def _riff_size(upload: BinaryIO) -> int:
    """The bytes the RIFF header says the file has (its chunk and the 8 bytes before it);
    the file position is back at 0 afterwards."""
    upload.seek(4)
    riff_size = int.from_bytes(upload.read(4), "little")
    upload.seek(0)
    return riff_size + 8


def _wav_truncated(upload: BinaryIO, size: int) -> bool:
    """True when the RIFF header claims more bytes than the file has."""
    return _riff_size(upload) > size
