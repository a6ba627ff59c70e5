from django.contrib.auth import get_user_model
from django.test import TestCase
from django.urls import reverse

from apps.curriculum.models import AudioCache, AudioSource
from tests.factories import TempMediaMixin, make_audio, make_phoneme


class AdminTests(TempMediaMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = get_user_model().objects.create_superuser(
            "admin", "admin@example.com", "pw-123456"
        )
        cls.phoneme = make_phoneme("iː")
        cls.other = make_phoneme("ɪ")

    def setUp(self):
        self.client.force_login(self.admin)
        self.source = make_audio(self.phoneme, AudioSource.SourceType.NATIVE)
        self.foreign = make_audio(self.other, AudioSource.SourceType.NATIVE)

    def test_phoneme_change_page_lists_its_audio_inline_with_a_player(self):
        response = self.client.get(
            reverse("admin:curriculum_phoneme_change", args=[self.phoneme.pk])
        )
        self.assertContains(response, "<audio controls", count=1)
        self.assertContains(response, self.source.audio_file.url)

    def test_only_own_audio_can_be_chosen_as_preferred(self):
        response = self.client.get(
            reverse("admin:curriculum_phoneme_change", args=[self.phoneme.pk])
        )
        choices = response.context["adminform"].form.fields["preferred_audio_source"].queryset
        self.assertEqual(list(choices), [self.source])

    def test_audio_source_list_has_a_player(self):
        response = self.client.get(reverse("admin:curriculum_audiosource_changelist"))
        self.assertContains(response, "<audio controls", count=2)

    def test_audio_cache_is_read_only(self):
        cache = AudioCache.objects.create(audio_source=self.source, usage_count=7, file_size=2048)
        changelist = self.client.get(reverse("admin:curriculum_audiocache_changelist"))
        self.assertContains(changelist, '<td class="field-usage_count">7</td>', html=True)
        with self.assertLogs("django.request", level="WARNING"):  # the expected 403
            add = self.client.get(reverse("admin:curriculum_audiocache_add"))
        self.assertEqual(add.status_code, 403)
        change_url = reverse("admin:curriculum_audiocache_change", args=[cache.pk])
        self.client.post(change_url, {"usage_count": 1000, "file_size": 1})
        cache.refresh_from_db()
        self.assertEqual(cache.usage_count, 7)

    def test_every_model_has_a_working_changelist(self):
        for model in (
            "phonemecategory",
            "phoneme",
            "audiosource",
            "audiocache",
            "minimalpair",
            "pronunciationlesson",
            "userpronunciationlessonprogress",
            "userphonemeprogress",
        ):
            with self.subTest(model=model):
                response = self.client.get(reverse(f"admin:curriculum_{model}_changelist"))
                self.assertEqual(response.status_code, 200)
