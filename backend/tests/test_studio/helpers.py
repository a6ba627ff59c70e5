"""What the studio's tests share: a staff user with a studio profile, a private VAR_DIR (where
takes wait) and MEDIA_ROOT, and takes made of real eSpeak NG vowels."""

import shutil
import tempfile

import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from apps.studio.models import StudioProfile
from speech.decoding import decode_bytes
from speech.editing import wav_bytes
from tests.audio_fixtures import MALE_US, vowel_mp3
from tests.factories import make_user

TAKES_URL = "/studio/api/takes/"


def espeak_take(
    ipa: str, *, voice: str = MALE_US, silence_before: float = 0.0, silence_after: float = 0.0
) -> bytes:
    """``ipa`` said by eSpeak NG (called directly), as a 16-bit WAV with this much digital
    silence around it, as a browser would send it."""
    audio = decode_bytes(vowel_mp3(ipa, voice))
    rate = audio.sample_rate
    samples = np.concatenate(
        [np.zeros(int(silence_before * rate)), audio.samples, np.zeros(int(silence_after * rate))]
    )
    return wav_bytes(samples, rate)


def silent_take(seconds: float = 1.5, rate: int = 48_000) -> bytes:
    return wav_bytes(np.zeros(int(seconds * rate)), rate)


def take_form(content: bytes, phoneme, *, accent: str = "en-US", name: str = "take.wav") -> dict:
    upload = SimpleUploadedFile(name, content, content_type="audio/wav")
    return {"file": upload, "phoneme": phoneme.pk, "accent": accent}


def make_staff(*, gender: str = "male", name: str = "Tom", **fields):
    user = make_user(is_staff=True, **fields)
    StudioProfile.objects.create(
        user=user, speaker_name=name, gender=gender, speaker_accent="General American",
        licence="CC-BY-4.0",
    )  # fmt: skip
    return user


class StudioDirsMixin:
    """Each test gets its own VAR_DIR (takes live in VAR_DIR/tmp/studio) and MEDIA_ROOT."""

    def setUp(self):
        super().setUp()
        self.var_dir = tempfile.mkdtemp(prefix="phatam-var-")
        self.media_root = tempfile.mkdtemp(prefix="phatam-media-")
        self.addCleanup(shutil.rmtree, self.var_dir, ignore_errors=True)
        self.addCleanup(shutil.rmtree, self.media_root, ignore_errors=True)
        self.enterContext(override_settings(VAR_DIR=self.var_dir, MEDIA_ROOT=self.media_root))
