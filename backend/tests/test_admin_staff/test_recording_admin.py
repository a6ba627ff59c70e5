"""Native recordings in the admin: the checked upload, replacing, the read-only file, the
acoustic flag in the list, pinning, and who may do it."""

import os
import re
import shutil
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse

from apps.curriculum.audio.recordings import Speaker, native_recording_add
from apps.curriculum.models import AcousticVerdict, AudioCache, AudioSource
from tests.audio_fixtures import MALE_RP, MALE_US, wav
from tests.audio_fixtures import vowel_mp3 as espeak_mp3
from tests.factories import TempMediaMixin, make_audio, make_phoneme, make_user

UPLOAD = reverse("admin:curriculum_audiosource_upload")
CHANGELIST = reverse("admin:curriculum_audiosource_changelist")
NOT_AUDIO = "is not audio PhatAm can play"


def mp3_upload(data: bytes | None = None, name: str = "male.mp3") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, espeak_mp3(voice=MALE_US) if data is None else data, "audio/mpeg"
    )


def change_url(source: AudioSource) -> str:
    return reverse("admin:curriculum_audiosource_change", args=[source.pk])


def replace_url(source: AudioSource) -> str:
    return reverse("admin:curriculum_audiosource_replace", args=[source.pk])


def media_files() -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def acoustic_cells(html: str) -> dict[int, str]:
    """The text of the "acoustic check" column of each changelist row, by source pk."""
    cells = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, flags=re.S):
        pk = re.search(r'name="_selected_action" value="(\d+)"', row)
        cell = re.search(r'<td class="field-acoustic">(.*?)</td>', row, flags=re.S)
        if pk and cell:
            cells[int(pk.group(1))] = re.sub(r"<[^>]+>", "", cell.group(1)).strip()
    return cells


class AdminRecordingTestCase(TempMediaMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = get_user_model().objects.create_superuser(
            "admin", "admin@example.com", "a-long-test-password"
        )
        cls.long_i = make_phoneme("iː")
        cls.ash = make_phoneme("æ")

    def setUp(self):
        # The media folder is the class's: empty it so each test sees only its own files.
        for entry in Path(settings.MEDIA_ROOT).iterdir():
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        self.client.force_login(self.admin)

    def upload(self, phoneme, file, *, follow: bool = False, **fields):
        data = {
            "phoneme": phoneme.pk,
            "file": file,
            "language": "en-US",
            "speaker_name": "Minh Anh",
            "speaker_gender": "male",
            "speaker_accent": "General American",
            "licence": "CC-BY-4.0",
            "recorded_date": "2025-01-13",
            **fields,
        }
        return self.client.post(UPLOAD, data, follow=follow)

    def stored(self, phoneme, *, voice: str = MALE_US, language: str = "en-US") -> AudioSource:
        speaker = Speaker(name="Lan", gender="male", accent="", licence="owned")
        upload = mp3_upload(espeak_mp3(voice=voice))
        return native_recording_add(
            phoneme, upload, name="take.mp3", speaker=speaker, language=language
        )

    def assert_nothing_stored(self):
        self.assertFalse(AudioSource.objects.exists())
        self.assertFalse(AudioCache.objects.exists())
        self.assertEqual(media_files(), [])

    def messages(self, response) -> list[str]:
        return [str(message) for message in response.context["messages"]]


class UploadPageTests(AdminRecordingTestCase):
    def test_adding_an_audio_source_goes_to_the_upload_page(self):
        response = self.client.get(reverse("admin:curriculum_audiosource_add"))
        self.assertRedirects(response, UPLOAD)

    def test_the_upload_page_shows_the_form(self):
        response = self.client.get(UPLOAD, {"phoneme": self.ash.pk})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'enctype="multipart/form-data"')
        self.assertContains(response, '<input type="file" name="file"')
        for field in ("phoneme", "language", "speaker_name", "speaker_gender", "licence"):
            self.assertContains(response, f'name="{field}"')
        self.assertEqual(response.context["form"].initial["phoneme"], str(self.ash.pk))

    def test_a_valid_recording_is_stored_with_its_speaker_and_opens_its_change_page(self):
        data = espeak_mp3(voice=MALE_US)
        with self.captureOnCommitCallbacks(execute=True):  # the file takes its final name
            response = self.upload(self.long_i, mp3_upload(data, "male.mp3"), follow=True)
        source = AudioSource.objects.get()
        self.assertRedirects(response, change_url(source))
        self.assertEqual(source.phoneme, self.long_i)
        self.assertEqual(source.source_type, AudioSource.SourceType.NATIVE)
        self.assertEqual(source.language, "en-US")
        self.assertEqual(source.voice_id, "native:Minh Anh")
        self.assertIsNone(source.cached_until)
        self.assertAlmostEqual(source.audio_duration, 0.89, delta=0.3)  # eSpeak's /iː/
        expected = {
            "speaker_name": "Minh Anh",
            "speaker_gender": "male",
            "speaker_accent": "General American",
            "licence": "CC-BY-4.0",
            "recorded_date": "2025-01-13",
            "uploaded_by": "admin",
            "format": "mp3",
        }
        self.assertEqual({key: source.metadata.get(key) for key in expected}, expected)
        self.assertEqual(source.acoustic_verdict, AcousticVerdict.PASSED)
        self.assertRegex(
            source.audio_file.name, r"^phonemes/audio/\d{4}/\d\d/\d\d/[0-9a-f]{32}\.mp3$"
        )
        with source.audio_file.open("rb") as stored:
            self.assertEqual(stored.read(), data)
        self.assertEqual(AudioCache.objects.get(audio_source=source).file_size, len(data))
        self.assertEqual(
            self.messages(response), [f"Stored {source}: {source.audio_duration:.2f} s."]
        )

    def test_a_recording_that_sounds_like_another_vowel_is_stored_flagged_and_listed(self):
        # eSpeak's RP voice against Deterding's British vowels, whose symbols are the chart's.
        rp = espeak_mp3(voice=MALE_RP)
        right = self.upload(self.long_i, mp3_upload(rp), language="en-GB")
        self.assertEqual(right.status_code, 302)
        response = self.upload(self.ash, mp3_upload(rp), language="en-GB", follow=True)
        flagged = AudioSource.objects.get(phoneme=self.ash)
        self.assertRedirects(response, change_url(flagged))
        self.assertIn(
            "Acoustic check: this recording sounds like /iː/, not /æ/. Is it on the right "
            "phoneme? (Kept, flagged.)",
            self.messages(response),
        )
        self.assertEqual(
            (flagged.acoustic_verdict, flagged.acoustic_heard_as), (AcousticVerdict.FAILED, "iː")
        )
        cells = acoustic_cells(self.client.get(CHANGELIST).content.decode())
        good = AudioSource.objects.get(phoneme=self.long_i)
        self.assertEqual(cells, {good.pk: "✓", flagged.pk: "⚠ heard as /iː/"})

    def test_an_american_recording_on_the_wrong_vowel_names_the_chart_symbol(self):
        response = self.upload(self.ash, mp3_upload(), follow=True)
        flagged = AudioSource.objects.get(phoneme=self.ash)
        self.assertEqual(
            (flagged.acoustic_verdict, flagged.acoustic_heard_as), (AcousticVerdict.FAILED, "iː")
        )
        cells = acoustic_cells(self.client.get(CHANGELIST).content.decode())
        self.assertEqual(cells, {flagged.pk: "⚠ heard as /iː/"})
        self.assertIn(
            "Acoustic check: this recording sounds like /iː/, not /æ/. Is it on the right "
            "phoneme? (Kept, flagged.)",
            self.messages(response),
        )


class RejectedUploadTests(AdminRecordingTestCase):
    def assert_refused(self, response, message: str):
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "admin/curriculum/audiosource/upload.html")
        self.assertContains(response, message)
        self.assertEqual(response.context["form"].data["speaker_name"], "Minh Anh")
        self.assert_nothing_stored()

    def test_html_named_mp3_is_refused(self):
        page = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
        response = self.upload(self.long_i, mp3_upload(page, "evil.mp3"))
        self.assert_refused(response, NOT_AUDIO)
        self.assertEqual(response.context["form"].errors["file"][0][:9], "The file ")

    def test_wav_named_mp3_is_refused(self):
        response = self.upload(self.long_i, mp3_upload(wav(0.5, 220.0), "tone.mp3"))
        self.assert_refused(
            response, "The file is WAV audio but its name ends in .mp3; name it .wav."
        )

    @override_settings(PHATAM_UPLOAD_MAX_BYTES=20_000)
    def test_a_file_over_the_size_limit_is_refused_while_it_streams_in(self):
        big = espeak_mp3(voice=MALE_US) * 8  # valid MP3, about 7 s and 56 KB
        self.assertGreater(len(big), 50_000)
        response = self.client.post(
            UPLOAD,
            {"phoneme": self.long_i.pk, "file": mp3_upload(big), "language": "en-US"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "The file is too large: the limit is")
        self.assert_nothing_stored()


class ReplaceTests(AdminRecordingTestCase):
    def setUp(self):
        super().setUp()
        self.source = self.stored(self.long_i)
        self.old_name = self.source.audio_file.name

    def test_the_change_page_links_to_replace(self):
        response = self.client.get(change_url(self.source))
        self.assertContains(response, replace_url(self.source))

    def test_replacing_stores_the_new_file_and_deletes_the_old_one_after_commit(self):
        new = espeak_mp3(voice=MALE_RP)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(replace_url(self.source), {"file": mp3_upload(new)})
            self.assertTrue(os.path.exists(os.path.join(settings.MEDIA_ROOT, self.old_name)))
        self.assertRedirects(response, change_url(self.source))
        self.source.refresh_from_db()
        self.assertNotEqual(self.source.audio_file.name, self.old_name)
        with self.source.audio_file.open("rb") as stored:
            self.assertEqual(stored.read(), new)
        self.assertEqual(media_files(), [self.source.audio_file.name])
        self.assertEqual(self.source.metadata["speaker_name"], "Lan")
        self.assertEqual(self.source.metadata["uploaded_by"], "admin")
        self.assertEqual(AudioCache.objects.get(audio_source=self.source).file_size, len(new))

    def test_a_bad_replacement_is_refused_and_the_old_file_stays(self):
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                replace_url(self.source), {"file": mp3_upload(b"<html></html>", "x.mp3")}
            )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, NOT_AUDIO)
        self.source.refresh_from_db()
        self.assertEqual(self.source.audio_file.name, self.old_name)
        self.assertEqual(media_files(), [self.old_name])

    def test_only_native_recordings_can_be_replaced(self):
        tts = make_audio(self.ash, AudioSource.SourceType.TTS)
        with self.assertLogs("django.request", level="WARNING"):
            response = self.client.get(replace_url(tts))
        self.assertEqual(response.status_code, 404)


class ChangeFormTests(AdminRecordingTestCase):
    def test_the_audio_file_cannot_be_changed_in_the_change_form(self):
        source = self.stored(self.long_i)
        old_name = source.audio_file.name
        page = self.client.get(change_url(source))
        self.assertNotContains(page, 'name="audio_file"')
        self.assertContains(page, source.audio_file.url)
        response = self.client.post(
            change_url(source),
            {
                "phoneme": self.long_i.pk,
                "source_type": "native",
                "voice_id": "native:Lan Anh",
                "language": "en-US",
                "word": "",
                "metadata": '{"speaker_name": "Lan Anh"}',
                "acoustic_verdict": source.acoustic_verdict,
                "audio_file": mp3_upload(wav(0.5, 220.0), "other.wav"),
            },
        )
        self.assertRedirects(response, CHANGELIST)
        source.refresh_from_db()
        self.assertEqual(source.voice_id, "native:Lan Anh")  # the form was saved ...
        self.assertEqual(source.audio_file.name, old_name)  # ... but not the file
        self.assertEqual(media_files(), [old_name])


class PinActionTests(AdminRecordingTestCase):
    def pin(self, *sources: AudioSource):
        return self.client.post(
            CHANGELIST,
            {"action": "pin_as_preferred", "_selected_action": [s.pk for s in sources]},
            follow=True,
        )

    def test_pinning_makes_the_source_the_phonemes_preferred_audio(self):
        first, second = make_audio(self.long_i), make_audio(self.long_i)
        response = self.pin(first)
        self.assertEqual(self.messages(response), ["Pinned 1 source(s)."])
        self.long_i.refresh_from_db()
        self.assertEqual(self.long_i.preferred_audio_source, first)
        self.pin(second)
        self.long_i.refresh_from_db()
        self.assertEqual(self.long_i.preferred_audio_source, second)

    def test_one_source_per_phoneme_is_pinned_at_once(self):
        long_i, ash = make_audio(self.long_i), make_audio(self.ash)
        self.pin(long_i, ash)
        self.long_i.refresh_from_db()
        self.ash.refresh_from_db()
        self.assertEqual(self.long_i.preferred_audio_source, long_i)
        self.assertEqual(self.ash.preferred_audio_source, ash)

    def test_two_sources_of_one_phoneme_are_refused(self):
        first, second = make_audio(self.long_i), make_audio(self.long_i)
        response = self.pin(first, second)
        self.assertEqual(self.messages(response), ["Choose one source per phoneme."])
        self.assertEqual([m.level_tag for m in response.context["messages"]], ["error"])
        self.long_i.refresh_from_db()
        self.assertIsNone(self.long_i.preferred_audio_source)


class UploadPermissionTests(AdminRecordingTestCase):
    def test_a_user_who_is_not_staff_is_sent_to_the_login_page(self):
        self.client.force_login(make_user())
        response = self.client.get(UPLOAD)
        self.assertRedirects(response, f"{reverse('admin:login')}?next={UPLOAD}")
        response = self.upload(self.long_i, mp3_upload())
        self.assertEqual(response.status_code, 302)
        self.assert_nothing_stored()

    def test_staff_without_the_add_permission_are_forbidden(self):
        staff = make_user(is_staff=True)
        staff.user_permissions.add(Permission.objects.get(codename="view_audiosource"))
        self.client.force_login(staff)
        with self.assertLogs("django.request", level="WARNING"):
            response = self.client.get(UPLOAD)
        self.assertEqual(response.status_code, 403)
        with self.assertLogs("django.request", level="WARNING"):
            response = self.upload(self.long_i, mp3_upload())
        self.assertEqual(response.status_code, 403)
        self.assert_nothing_stored()

    def test_staff_with_the_add_permission_may_upload(self):
        staff = make_user(is_staff=True)
        staff.user_permissions.add(Permission.objects.get(codename="add_audiosource"))
        self.client.force_login(staff)
        self.assertEqual(self.client.get(UPLOAD).status_code, 200)
        self.assertEqual(self.upload(self.long_i, mp3_upload()).status_code, 302)
        self.assertEqual(AudioSource.objects.get().metadata["uploaded_by"], staff.username)
