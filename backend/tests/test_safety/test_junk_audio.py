"""Junk is not a native recording: silence, noise, samples that are not numbers and video are
refused with a message that says which, while every real sound the suite uses (eSpeak NG's
phonemes, fricatives included, and tones) is accepted. And a recording the acoustic check
could not judge never outranks one it passed."""

import io
import struct
import zlib
from datetime import timedelta

import av
import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase, TestCase
from mutagen.id3 import APIC, ID3

from apps.curriculum.audio.playback import audio_best_for_phonemes
from apps.curriculum.models import AudioCache, AudioSource
from apps.curriculum.models.audio import AcousticVerdict
from speech.decoding import AudioRejected, decode_bytes
from speech.ipa import PHONEMES
from speech.signal import speech_presence
from tests import audio_fixtures
from tests.factories import TempMediaMixin, make_audio, make_category, make_phoneme, make_user

RATE = 22050


def wav_bytes(data: bytes, *, rate: int = RATE, format_tag: int = 1, bits: int = 16) -> bytes:
    """A mono WAV file around raw sample ``data`` (format 1 is PCM, 3 is IEEE float)."""
    width = bits // 8
    fmt = struct.pack("<HHIIHH", format_tag, 1, rate, rate * width, width, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def silent_wav(seconds: float = 1.0) -> bytes:
    return wav_bytes(bytes(2 * int(RATE * seconds)))  # 16-bit zeros: digital silence


def random_u8_wav(seconds: float = 1.0, *, rate: int = RATE, seed: int = 0) -> bytes:
    noise = np.random.default_rng(seed).integers(0, 256, int(rate * seconds), dtype=np.uint8)
    return wav_bytes(noise.tobytes(), rate=rate, bits=8)


def non_finite_float_wav(seconds: float = 1.0) -> bytes:
    samples = np.sin(np.arange(int(RATE * seconds)) / RATE * 2 * np.pi * 220).astype("<f4")
    samples[::50] = np.nan
    samples[25::50] = np.inf
    return wav_bytes(samples.tobytes(), format_tag=3, bits=32)


def mp4_with_video(seconds: float = 1.0, rate: int = 44100) -> bytes:
    """An MP4 film: a small black picture and a tone, as a phone's video recorder makes."""
    buffer = io.BytesIO()
    out = av.open(buffer, "w", format="mp4")
    video = out.add_stream("mpeg4", rate=10)
    video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
    audio = out.add_stream("aac", rate=rate)
    audio.layout = "mono"
    black = np.zeros((48, 64, 3), np.uint8)
    for _ in range(int(seconds * 10)):
        for packet in video.encode(av.VideoFrame.from_ndarray(black, format="rgb24")):
            out.mux(packet)
    for packet in video.encode(None):
        out.mux(packet)
    tone = (np.sin(np.arange(int(rate * seconds)) / rate * 2 * np.pi * 220) * 10000).astype(
        np.int16
    )
    frame = av.AudioFrame.from_ndarray(tone.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = rate
    for packet in [*audio.encode(frame), *audio.encode(None)]:
        out.mux(packet)
    out.close()
    return buffer.getvalue()


def png_1x1() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def mp3_with_cover_art() -> bytes:
    tags = ID3()
    tags.add(APIC(encoding=3, mime="image/png", type=3, desc="cover", data=png_1x1()))
    tagged = io.BytesIO(audio_fixtures.mp3())
    tags.save(tagged)
    return tagged.getvalue()


def presence(audio: bytes) -> str | None:
    info = decode_bytes(audio)
    return speech_presence(info.samples, info.sample_rate)


class SpeechPresenceTests(SimpleTestCase):
    """:func:`speech.signal.speech_presence` on the project's own sounds and on junk."""

    def test_every_phoneme_espeak_says_holds_a_sound(self):
        for voice in (audio_fixtures.MALE_RP, audio_fixtures.MALE_US):
            for symbol in PHONEMES:
                with self.subTest(voice=voice, phoneme=symbol):
                    self.assertIsNone(presence(audio_fixtures.vowel_mp3(symbol, voice)))

    def test_voiceless_fricatives_are_not_mistaken_for_noise(self):
        for voice in (audio_fixtures.MALE_RP, audio_fixtures.MALE_US, audio_fixtures.FEMALE_US):
            for symbol in ("s", "ʃ", "f", "h", "θ"):
                with self.subTest(voice=voice, phoneme=symbol):
                    self.assertIsNone(presence(audio_fixtures.vowel_mp3(symbol, voice)))

    def test_tones_in_every_format_and_length_hold_a_sound(self):
        for fmt, encode in audio_fixtures.ENCODERS.items():
            for seconds in (0.1, 1.0, 3.0):
                with self.subTest(fmt=fmt, seconds=seconds):
                    self.assertIsNone(presence(encode(seconds)))

    def test_digital_silence_is_silent(self):
        self.assertRegex(presence(silent_wav()), r"^The recording is silent \(it holds no sound")

    def test_a_whisper_below_minus_60_dbfs_is_silent(self):
        quiet = (np.random.default_rng(1).uniform(-1, 1, RATE) * 20).astype("<i2")  # ≈ -67 dBFS
        self.assertRegex(
            presence(wav_bytes(quiet.tobytes())),
            r"^The recording is silent \(its level is -\d+ dBFS, below -60 dBFS\)",
        )

    def test_random_8_bit_noise_is_not_speech_at_any_rate_or_length(self):
        for rate in (8000, 22050, 44100, 48000):
            for seconds in (0.1, 1.0, 5.0):
                with self.subTest(rate=rate, seconds=seconds):
                    reason = presence(random_u8_wav(seconds, rate=rate, seed=rate))
                    self.assertRegex(reason or "", r"^The recording holds no speech-like sound: ")


class DecodingTests(SimpleTestCase):
    def test_non_finite_samples_are_refused(self):
        with self.assertRaisesRegex(AudioRejected, "contains non-finite samples"):
            decode_bytes(non_finite_float_wav())

    def test_a_video_is_refused(self):
        with self.assertRaisesRegex(AudioRejected, "holds a video stream; upload audio only"):
            decode_bytes(mp4_with_video())

    def test_cover_art_is_not_a_video(self):
        info = decode_bytes(mp3_with_cover_art())
        self.assertAlmostEqual(info.duration, 1.0, delta=0.1)


class JunkUploadTests(TempMediaMixin, TestCase):
    """Through the staff API, the one upload path's check (recordings.recording_inspect)."""

    def setUp(self):
        super().setUp()
        self.client.force_login(make_user(is_staff=True))
        self.phoneme = make_phoneme("s", category=make_category("consonant"))

    def post(self, content: bytes, name: str):
        form = {
            "file": SimpleUploadedFile(name, content),
            "language": "en-GB",
            "speaker_name": "Tom",
            "speaker_gender": "male",
            "licence": "CC-BY-4.0",
        }
        return self.client.post(f"/api/phonemes/{self.phoneme.pk}/audio-sources/", form)

    def assert_refused(self, content: bytes, name: str, message: str) -> None:
        response = self.post(content, name)
        self.assertEqual(response.status_code, 400, response.content[:300])
        (refusal,) = response.json()["file"]
        self.assertIn(message, refusal)
        self.assertFalse(AudioSource.objects.exists())
        self.assertFalse(AudioCache.objects.exists())

    def test_a_second_of_digital_silence_is_refused(self):
        self.assert_refused(silent_wav(), "take.wav", "The recording is silent")

    def test_random_8_bit_noise_is_refused(self):
        self.assert_refused(random_u8_wav(), "take.wav", "no speech-like sound: ")

    def test_a_float_wav_of_nan_and_infinity_is_refused(self):
        self.assert_refused(non_finite_float_wav(), "take.wav", "contains non-finite samples")

    def test_an_mp4_video_named_m4a_is_refused(self):
        self.assert_refused(mp4_with_video(), "take.m4a", "holds a video stream; upload audio only")

    def test_real_fricatives_are_accepted(self):
        for symbol in ("s", "ʃ", "f", "h"):
            with self.subTest(phoneme=symbol):
                response = self.post(audio_fixtures.vowel_mp3(symbol), f"{symbol}.mp3")
                self.assertEqual(response.status_code, 201, response.content[:300])

    def test_an_mp3_with_cover_art_is_accepted(self):
        response = self.post(mp3_with_cover_art(), "take.mp3")
        self.assertEqual(response.status_code, 201, response.content[:300])


class VerdictRankingTests(TestCase):
    """A recording the acoustic check cannot judge must not outrank one it passed."""

    def test_passed_then_not_checked_then_failed_whatever_their_age(self):
        phoneme = make_phoneme("iː")
        sources = {}
        for age, verdict in enumerate(
            [AcousticVerdict.FAILED, AcousticVerdict.NOT_CHECKED, AcousticVerdict.PASSED]
        ):
            source = make_audio(phoneme, language="en-US", acoustic_verdict=verdict)
            # The passed one is the oldest, the failed one the newest.
            created = source.created_at - timedelta(days=age)
            AudioSource.objects.filter(pk=source.pk).update(created_at=created)
            sources[verdict] = source

        for expected in (
            AcousticVerdict.PASSED,
            AcousticVerdict.NOT_CHECKED,
            AcousticVerdict.FAILED,
        ):
            best = audio_best_for_phonemes([phoneme], language="en-US")[phoneme.pk]
            self.assertEqual(best.acoustic_verdict, expected)
            best.delete()
