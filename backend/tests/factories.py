"""Small factories: the least data a test needs, with the rest defaulted."""

import itertools
import shutil
import tempfile
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.test import override_settings
from django.utils import timezone

from apps.curriculum.models import AudioSource, Phoneme, PhonemeCategory

_sequence = itertools.count(1)

# A few bytes are enough for storage tests; nothing here decodes them.
FAKE_MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 64


def make_category(category_type: str = "vowel", **fields) -> PhonemeCategory:
    defaults = {"name": f"Category {next(_sequence)}", "name_vi": "Nhóm"}
    return PhonemeCategory.objects.create(category_type=category_type, **{**defaults, **fields})


def make_phoneme(ipa_symbol: str | None = None, *, category=None, **fields) -> Phoneme:
    number = next(_sequence)
    return Phoneme.objects.create(
        category=category or make_category(),
        ipa_symbol=ipa_symbol or f"x{number}",
        vietnamese_approx=fields.pop("vietnamese_approx", "i (kéo dài)"),
        order=fields.pop("order", number),
        **fields,
    )


def make_audio(
    phoneme: Phoneme,
    source_type: str = AudioSource.SourceType.NATIVE,
    *,
    with_file: bool = True,
    expires_in_days: int | None = None,
    **fields,
) -> AudioSource:
    if expires_in_days is not None:
        fields["cached_until"] = timezone.now() + timedelta(days=expires_in_days)
    source = AudioSource(phoneme=phoneme, source_type=source_type, **fields)
    if with_file:
        source.audio_file.save(
            f"{phoneme.pk}-{next(_sequence)}.mp3", ContentFile(FAKE_MP3), save=False
        )
    source.save()
    return source


def make_user(username: str | None = None, **fields):
    return get_user_model().objects.create_user(
        username=username or f"learner{next(_sequence)}", password="a-long-test-password", **fields
    )


class TempMediaMixin:
    """Give each test class its own MEDIA_ROOT, removed afterwards."""

    @classmethod
    def setUpClass(cls):
        cls._media_root = tempfile.mkdtemp(prefix="phatam-media-")
        cls._media_override = override_settings(MEDIA_ROOT=cls._media_root)
        cls._media_override.enable()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls._media_override.disable()
        shutil.rmtree(cls._media_root, ignore_errors=True)
