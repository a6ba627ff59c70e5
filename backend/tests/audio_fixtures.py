"""Real audio bytes, built in memory: a sine tone in each accepted format, and eSpeak vowels.

Each function returns a complete file that FFmpeg decodes, so upload tests exercise the real
checks (format sniffing, full decode, duration) rather than a stand-in.
"""

import io
from functools import cache

import av
import numpy as np

from speech.tts.base import SynthesisRequest, Voice
from speech.tts.espeak import ESpeakEngine


def _sine(*, seconds: float, frequency: float, rate: int) -> np.ndarray:
    samples = np.arange(int(rate * seconds)) / rate
    return (np.sin(2 * np.pi * frequency * samples) * 10000).astype(np.int16)


def _encode(fmt: str, codec: str, *, seconds: float, frequency: float, rate: int) -> bytes:
    buffer = io.BytesIO()
    out = av.open(buffer, "w", format=fmt)
    stream = out.add_stream(codec, rate=rate)
    stream.layout = "mono"
    pcm = _sine(seconds=seconds, frequency=frequency, rate=rate)
    frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = rate
    for packet in stream.encode(frame):
        out.mux(packet)
    for packet in stream.encode(None):
        out.mux(packet)
    out.close()
    return buffer.getvalue()


def mp3(seconds: float = 1.0, frequency: float = 440.0, *, rate: int = 22050) -> bytes:
    return _encode("mp3", "libmp3lame", seconds=seconds, frequency=frequency, rate=rate)


def wav(seconds: float = 1.0, frequency: float = 440.0, *, rate: int = 22050) -> bytes:
    return _encode("wav", "pcm_s16le", seconds=seconds, frequency=frequency, rate=rate)


def ogg(seconds: float = 1.0, frequency: float = 440.0, *, rate: int = 48000) -> bytes:
    return _encode("ogg", "libopus", seconds=seconds, frequency=frequency, rate=rate)


def m4a(seconds: float = 1.0, frequency: float = 440.0, *, rate: int = 44100) -> bytes:
    return _encode("ipod", "aac", seconds=seconds, frequency=frequency, rate=rate)


ENCODERS = {"mp3": mp3, "wav": wav, "ogg": ogg, "m4a": m4a}


# Speakers for upload tests: eSpeak's voices, American male and its female variant (each
# passes the acoustic check for /iː/ against its gender's reference), and British RP.
MALE_US = "en-us"
FEMALE_US = "en-us+f2"
MALE_RP = "en-gb-x-rp"


@cache
def vowel_mp3(ipa: str = "iː", voice: str = MALE_RP) -> bytes:
    """``ipa`` said alone by the real eSpeak NG engine, as MP3 (about 0.9 s)."""
    language = "en-GB" if voice.startswith("en-gb") else "en-US"
    request = SynthesisRequest(voice=Voice("espeak", voice, language), ipa=ipa)
    return ESpeakEngine().synthesize(request).audio


def with_id3_title(audio: bytes, title: bytes, *, encoding: int = 3) -> bytes:
    """``audio`` behind an ID3v2.4 tag whose title frame holds ``title`` as raw bytes, declared
    in ``encoding`` (3 is UTF-8), so a tag can say UTF-8 and hold Latin-1 as old taggers do."""
    body = bytes([encoding]) + title
    frame = b"TIT2" + _syncsafe(len(body)) + b"\x00\x00" + body
    return b"ID3\x04\x00\x00" + _syncsafe(len(frame)) + frame + audio


def _syncsafe(size: int) -> bytes:
    return bytes((size >> shift) & 0x7F for shift in (21, 14, 7, 0))
