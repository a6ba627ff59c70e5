"""Real audio for the staff tests: eSpeak NG says a vowel, as a teacher's upload would."""

import io
import math
import struct
import wave
from functools import cache

from apps.curriculum.tts.base import SynthesisRequest, Voice
from apps.curriculum.tts.espeak import ESpeakEngine

# A male and a female "speaker": eSpeak's American voice and its female variant. Both pass
# the acoustic check for /iː/ against the reference of their gender (men's, women's).
MALE_US = "en-us"
FEMALE_US = "en-us+f2"
MALE_RP = "en-gb-x-rp"


@cache
def espeak_mp3(ipa: str = "iː", *, voice: str = MALE_US) -> bytes:
    """MP3 bytes of eSpeak NG saying ``ipa`` alone (about 0.9 s)."""
    language = "en-GB" if voice.startswith("en-gb") else "en-US"
    request = SynthesisRequest(voice=Voice("espeak", voice, language), ipa=ipa)
    return ESpeakEngine().synthesize(request).audio


def sine_wav(*, seconds: float = 0.5, rate: int = 22050, hz: float = 220.0) -> bytes:
    """A real 16-bit mono WAV file."""
    frames = b"".join(
        struct.pack("<h", int(12000 * math.sin(2 * math.pi * hz * n / rate)))
        for n in range(int(seconds * rate))
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()
