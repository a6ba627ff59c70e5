"""Small factories and fixtures for the practice tests."""

import io
import itertools
import shutil
import tempfile
import wave
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token

from apps.curriculum.models import (
    AudioSource,
    MinimalPair,
    PronunciationLesson,
    PronunciationLessonPair,
    PronunciationLessonPhoneme,
)
from apps.practice.models import DrillAttempt
from speech.decoding import decode_bytes
from speech.pcm import encode_mp3, normalize_loudness, tone
from speech.tts.base import SynthesisRequest, Voice
from speech.tts.espeak import ESpeakEngine
from tests.factories import make_audio, make_phoneme

_sequence = itertools.count(1)
NATIVE = AudioSource.SourceType.NATIVE
ESPEAK_VOICES = {"en-US": "en-us", "en-GB": "en-gb-x-rp"}


def make_contrast(first: str = "iː", second: str = "ɪ", **phoneme_fields):
    """Two phonemes to contrast (created with their example words)."""
    return (
        make_phoneme(first, example_words=[{"word": "see", "ipa": f"s{first}"}], **phoneme_fields),
        make_phoneme(second, example_words=[{"word": "it", "ipa": f"{second}t"}], **phoneme_fields),
    )


def make_pair(
    phoneme_1, phoneme_2, *, word_1: str | None = None, word_2: str | None = None, **fields
) -> MinimalPair:
    number = next(_sequence)
    word_1 = word_1 or f"sheep{number}"
    word_2 = word_2 or f"ship{number}"
    return MinimalPair.objects.create(
        phoneme_1=phoneme_1,
        phoneme_2=phoneme_2,
        word_1=word_1,
        word_1_ipa=fields.pop("word_1_ipa", f"ʃ{phoneme_1.ipa_symbol}p"),
        word_2=word_2,
        word_2_ipa=fields.pop("word_2_ipa", f"ʃ{phoneme_2.ipa_symbol}p"),
        **fields,
    )


def playable_mp3(frequency: float = 220.0) -> bytes:
    """A short real MP3 (a tone): drill items decode and re-render what they play."""
    rate = 22050
    return encode_mp3(
        normalize_loudness(tone(0.3, frequency=frequency, sample_rate=rate), rate), rate
    )


def give_audio(pair: MinimalPair, *, accent: str = "en-US") -> tuple[AudioSource, AudioSource]:
    """A stored native recording of each word of ``pair`` (real MP3s, a different tone each)."""
    sources = []
    for number, frequency in ((1, 220.0), (2, 330.0)):
        phoneme = pair.phoneme_1 if number == 1 else pair.phoneme_2
        source = make_audio(
            phoneme, NATIVE, word=getattr(pair, f"word_{number}"), language=accent, with_file=False
        )
        source.audio_file.save(f"native-{source.pk}.mp3", ContentFile(playable_mp3(frequency)))
        sources.append(source)
    return sources[0], sources[1]


def make_lesson(phonemes, pairs, **fields) -> PronunciationLesson:
    number = next(_sequence)
    lesson = PronunciationLesson.objects.create(
        slug=fields.pop("slug", f"lesson-{number}"),
        title=fields.pop("title", f"Lesson {number}"),
        title_vi=fields.pop("title_vi", f"Bài {number}"),
        order=fields.pop("order", number),
        **fields,
    )
    for position, phoneme in enumerate(phonemes):
        PronunciationLessonPhoneme.objects.create(lesson=lesson, phoneme=phoneme, position=position)
    for position, pair in enumerate(pairs):
        PronunciationLessonPair.objects.create(lesson=lesson, minimal_pair=pair, position=position)
    return lesson


def make_answered_attempts(user, pairs, count: int, *, ago: timedelta = timedelta(days=1)) -> None:
    """``count`` answered attempts spread over ``pairs`` (history, in bulk)."""
    now = timezone.now()
    DrillAttempt.objects.bulk_create(
        DrillAttempt(
            user=user,
            pair=pairs[index % len(pairs)],
            answer_word=1,
            word_1_key="a",
            accent="en-US",
            created_at=now - ago,
            answered_at=now - ago,
            choice="a",
            correct=True,
        )
        for index in range(count)
    )


def token_header(user) -> dict:
    token, _ = Token.objects.get_or_create(user=user)
    return {"HTTP_AUTHORIZATION": f"Token {token.key}"}


def espeak_vowel(symbol: str, *, accent: str) -> tuple[np.ndarray, int]:
    """The project's own eSpeak NG saying the vowel ``symbol`` alone: (mono samples, rate)."""
    voice = Voice(engine="espeak", name=ESPEAK_VOICES[accent], language=accent)
    result = ESpeakEngine().synthesize(SynthesisRequest(voice=voice, ipa=symbol))
    info = decode_bytes(result.audio)
    return info.samples, info.sample_rate


def wav_bytes(samples: np.ndarray, rate: int) -> bytes:
    """Mono floats in [-1, 1] as a 16-bit PCM WAV file."""
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm)
    return buffer.getvalue()


def espeak_vowel_wav(symbol: str, *, accent: str, repeat: int = 1) -> bytes:
    """:func:`espeak_vowel` as a 16-bit WAV file; with ``repeat``, the vowel (silence trimmed)
    said that many times over without a break, for a fake microphone that loops it."""
    samples, rate = espeak_vowel(symbol, accent=accent)
    if repeat > 1:
        loud = np.flatnonzero(np.abs(samples) > 0.02 * np.abs(samples).max())
        samples = np.tile(samples[loud[0] : loud[-1]], repeat)
    return wav_bytes(samples, rate)


class PrivateRecordingsMixin:
    """Give each test class its own learner-recordings storage, removed afterwards."""

    @classmethod
    def setUpClass(cls):
        cls._recordings_root = tempfile.mkdtemp(prefix="phatam-learners-")
        storages_setting = {
            **settings.STORAGES,
            "learner_recordings": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": cls._recordings_root},
            },
        }
        cls._recordings_override = override_settings(STORAGES=storages_setting)
        cls._recordings_override.enable()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls._recordings_override.disable()
        shutil.rmtree(cls._recordings_root, ignore_errors=True)
