from django.test import TestCase
from django.urls import reverse

from apps.curriculum.models import AudioSource
from tests.factories import TempMediaMixin, make_audio, make_category, make_phoneme


class PhonemeListPageTests(TempMediaMixin, TestCase):
    def test_empty_curriculum_says_how_to_load_it(self):
        response = self.client.get(reverse("curriculum:phoneme-list"))
        self.assertContains(response, "seed_curriculum")

    def test_phonemes_are_listed_with_their_audio(self):
        category = make_category(name="Monophthongs", name_vi="Nguyên âm đơn")
        long_i = make_phoneme("iː", category=category, vietnamese_approx="i (kéo dài)")
        make_phoneme("ɪ", category=category, vietnamese_approx="i (ngắn)")
        source = make_audio(long_i, AudioSource.SourceType.NATIVE, language="en-US")
        uk = make_audio(long_i, AudioSource.SourceType.TTS, language="en-GB", voice_id="en-gb-x-rp")
        response = self.client.get(reverse("curriculum:phoneme-list"))
        self.assertContains(response, uk.audio_file.url, count=1)
        self.assertContains(response, "/iː/")
        self.assertContains(response, "i (kéo dài)")
        self.assertContains(response, "Nguyên âm đơn")
        self.assertContains(response, source.audio_file.url, count=1)
