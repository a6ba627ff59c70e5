"""Native recordings through the staff API: what is accepted, what is refused (and leaves
nothing behind), size limits, permissions, the acoustic check and pinning."""

import os
import random
import re
import tempfile
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase, override_settings
from django.utils import timezone

from apps.core.uploads import ENVELOPE_BYTES
from apps.curriculum.audio.recordings import (
    Speaker,
)
from apps.curriculum.models import AcousticVerdict, AudioCache, AudioSource
from tests import audio_fixtures
from tests.factories import TempMediaMixin, make_audio, make_category, make_phoneme, make_user

CLIENT_NAME = "Tom's recording"
STORED_PATH = re.compile(r"^/media/phonemes/audio/(\d{4}/\d{2}/\d{2})/[0-9a-f]{32}\.(\w+)$")


def upload_url(phoneme_id) -> str:
    return f"/api/phonemes/{phoneme_id}/audio-sources/"


def recording_form(content: bytes, name: str = f"{CLIENT_NAME}.mp3", **fields) -> dict:
    """A complete, valid upload form; a field given as ``None`` is left out."""
    data = {
        "file": SimpleUploadedFile(name, content, content_type="application/octet-stream"),
        "language": "en-GB",
        "speaker_name": "Tom",
        "speaker_gender": "male",
        "speaker_accent": "RP",
        "licence": "CC-BY-4.0",
        "recorded_date": "2025-01-13",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def files_under(root) -> list[str]:
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _, names in os.walk(root)
        for name in names
    )


def today_folders() -> set[str]:
    # upload_to is formatted with the local time when the file is saved; the set of the
    # dates before and after a request keeps a test run across midnight from failing.
    return {datetime.now().strftime("%Y/%m/%d")}


def consonant(symbol: str = "s"):
    return make_phoneme(symbol, category=make_category("consonant"))


class StaffClientMixin:
    def setUp(self):
        super().setUp()
        self.staff = make_user(is_staff=True)
        self.client.force_login(self.staff)


class FreshUploadDirsMixin:
    """Each test gets its own MEDIA_ROOT and FILE_UPLOAD_TEMP_DIR, so "nothing is left" can be
    checked by walking them. FILE_UPLOAD_MAX_MEMORY_SIZE=0 makes Django spool every upload to
    a temporary file, so the temporary directory is really used."""

    def setUp(self):
        super().setUp()
        self.media_root = self.enterContext(tempfile.TemporaryDirectory(prefix="phatam-media-"))
        self.upload_temp_dir = self.enterContext(
            tempfile.TemporaryDirectory(prefix="phatam-upload-tmp-")
        )
        self.enterContext(
            override_settings(
                MEDIA_ROOT=self.media_root,
                FILE_UPLOAD_TEMP_DIR=self.upload_temp_dir,
                FILE_UPLOAD_MAX_MEMORY_SIZE=0,
            )
        )


class AcceptedUploadTests(StaffClientMixin, TempMediaMixin, TestCase):
    def setUp(self):
        super().setUp()
        self.phoneme = consonant()

    def assert_stored(self, fmt: str, *, seconds: float = 1.0) -> dict:
        content = audio_fixtures.ENCODERS[fmt](seconds)
        before = today_folders()
        with self.captureOnCommitCallbacks(execute=True):  # the file takes its final name
            response = self.client.post(
                upload_url(self.phoneme.pk), recording_form(content, f"{CLIENT_NAME}.{fmt}")
            )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(body["source_type"], "native")
        self.assertAlmostEqual(body["duration"], seconds, delta=0.1)
        source = AudioSource.objects.get(pk=body["audio_source_id"])
        # A native recording scores 100 unless the acoustic check failed it (a test tone may).
        failed = source.acoustic_verdict == "failed"
        self.assertEqual(body["quality_score"], 60 if failed else 100)
        match = STORED_PATH.match(source.get_url())
        self.assertIsNotNone(match, source.get_url())
        self.assertIn(match.group(1), before | today_folders())
        self.assertEqual(match.group(2), fmt)
        self.assertNotIn("Tom", source.audio_file.name)
        self.assertNotIn("recording", source.audio_file.name)
        self.assertEqual(AudioCache.objects.get(audio_source=source).file_size, len(content))
        with source.audio_file.open("rb") as stored:
            self.assertEqual(stored.read(), content)
        return body

    def test_mp3_is_stored_under_a_generated_name(self):
        self.assert_stored("mp3")

    def test_wav_is_stored_under_a_generated_name(self):
        self.assert_stored("wav")

    def test_ogg_is_stored_under_a_generated_name(self):
        self.assert_stored("ogg")

    def test_m4a_is_stored_under_a_generated_name(self):
        self.assert_stored("m4a")

    def test_duration_is_read_from_the_file(self):
        body = self.assert_stored("mp3", seconds=3.0)
        self.assertAlmostEqual(body["duration"], 3.0, delta=0.1)

    def test_recordings_at_the_duration_limits_are_accepted(self):
        for seconds in (0.1, 10.0):
            content = audio_fixtures.wav(seconds)
            response = self.client.post(
                upload_url(self.phoneme.pk), recording_form(content, "take.wav")
            )
            self.assertEqual(response.status_code, 201, response.content)
            self.assertAlmostEqual(response.json()["duration"], seconds, delta=0.001)

    def test_speaker_metadata_is_stored(self):
        response = self.client.post(
            upload_url(self.phoneme.pk),
            recording_form(audio_fixtures.mp3(), speaker_name="  Tom  ", licence="CC0-1.0"),
        )
        self.assertEqual(response.status_code, 201, response.content)
        source = AudioSource.objects.get(pk=response.json()["audio_source_id"])
        self.assertEqual(source.language, "en-GB")
        self.assertEqual(source.voice_id, "native:Tom")
        self.assertIsNone(source.cached_until)
        self.assertEqual(
            {key: source.metadata[key] for key in Speaker("", "", "", "").as_metadata()},
            {
                "speaker_name": "Tom",
                "speaker_gender": "male",
                "speaker_accent": "RP",
                "licence": "CC0-1.0",
                "recorded_date": "2025-01-13",
            },
        )
        self.assertEqual(source.metadata["format"], "mp3")
        self.assertEqual(source.metadata["uploaded_by"], self.staff.username)

    def test_two_speakers_of_one_phoneme_are_both_stored(self):
        male = self.client.post(
            upload_url(self.phoneme.pk),
            recording_form(audio_fixtures.mp3(), speaker_name="Tom", speaker_gender="male"),
        )
        female = self.client.post(
            upload_url(self.phoneme.pk),
            recording_form(
                audio_fixtures.wav(), "Lan.wav", speaker_name="Lan", speaker_gender="female"
            ),
        )
        self.assertEqual((male.status_code, female.status_code), (201, 201))
        sources = AudioSource.objects.filter(phoneme=self.phoneme)
        self.assertEqual(
            sorted((s.voice_id, s.metadata["speaker_gender"]) for s in sources),
            [("native:Lan", "female"), ("native:Tom", "male")],
        )
        self.assertEqual(len({s.audio_file.name for s in sources}), 2)

    def test_mp3_with_a_utf8_title_tag_is_accepted(self):
        content = audio_fixtures.with_id3_title(audio_fixtures.mp3(), "Tiếng Việt".encode())
        response = self.client.post(upload_url(self.phoneme.pk), recording_form(content))
        self.assertEqual(response.status_code, 201, response.content)

    def test_mp3_with_a_latin1_title_tag_is_accepted(self):
        content = audio_fixtures.with_id3_title(
            audio_fixtures.mp3(), "Café crème".encode("latin-1")
        )
        client = Client(raise_request_exception=False)
        client.force_login(self.staff)
        response = client.post(upload_url(self.phoneme.pk), recording_form(content))
        self.assertEqual(response.status_code, 201, response.content[:200])

    def test_unknown_phoneme_is_404(self):
        response = self.client.post(upload_url(999_999), recording_form(audio_fixtures.mp3()))
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.json(), {"detail": "No phoneme with id 999999."})
        self.assertFalse(AudioSource.objects.exists())


class SpooledUploadTests(StaffClientMixin, FreshUploadDirsMixin, TestCase):
    def test_upload_spooled_to_a_temporary_file_is_stored_and_the_temporary_file_removed(self):
        phoneme = consonant()
        content = audio_fixtures.wav(2.0)
        response = self.client.post(upload_url(phoneme.pk), recording_form(content, "take.wav"))
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(len(files_under(self.media_root)), 1)
        self.assertEqual(files_under(self.upload_temp_dir), [])
        source = AudioSource.objects.get()
        self.assertEqual(source.cache.file_size, len(content))


class RejectedUploadTests(StaffClientMixin, FreshUploadDirsMixin, TestCase):
    """Every refused upload answers with a message for the uploader and leaves nothing:
    no file in MEDIA_ROOT, no temporary file, no row."""

    def setUp(self):
        super().setUp()
        self.phoneme = consonant()

    def post(self, content: bytes, name: str = f"{CLIENT_NAME}.mp3", **fields):
        return self.client.post(
            upload_url(self.phoneme.pk), recording_form(content, name, **fields)
        )

    def assert_refused(self, response, status: int = 400, field: str = "file") -> list[str]:
        self.assertEqual(response.status_code, status, response.content)
        self.assertEqual(files_under(self.media_root), [])
        self.assertEqual(files_under(self.upload_temp_dir), [])
        self.assertFalse(AudioSource.objects.exists())
        self.assertFalse(AudioCache.objects.exists())
        messages = response.json()[field]
        self.assertTrue(messages)
        return messages

    def test_empty_file_is_refused(self):
        messages = self.assert_refused(self.post(b""))
        self.assertEqual(messages, ["The file is empty."])

    def test_truncated_wav_is_refused(self):
        content = audio_fixtures.wav(1.0)
        messages = self.assert_refused(self.post(content[: len(content) // 2], "take.wav"))
        self.assertEqual(
            messages, ["The WAV file is truncated: its data is shorter than its header says."]
        )

    def test_truncated_mp3_is_refused(self):
        content = audio_fixtures.mp3(1.0)
        messages = self.assert_refused(self.post(content[: len(content) // 2]))
        self.assertRegex(messages[0], r"^The file is truncated: it declares 1\.00 s but holds")

    def test_truncated_m4a_is_refused(self):
        content = audio_fixtures.m4a(1.0)
        messages = self.assert_refused(self.post(content[: len(content) // 2], "take.m4a"))
        self.assertEqual(messages, ["The audio is damaged or truncated and cannot be decoded."])

    def test_corrupt_mp3_is_refused(self):
        content = b"\xff\xfb\x90\x64" + random.Random(1).randbytes(20_000)
        messages = self.assert_refused(self.post(content))
        self.assertEqual(messages, ["The audio is damaged or truncated and cannot be decoded."])

    def test_html_named_mp3_is_refused(self):
        content = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
        messages = self.assert_refused(self.post(content))
        self.assertEqual(
            messages,
            [
                "The file is not audio PhatAm can play (MP3, WAV, OGG or M4A), "
                "whatever its name says."
            ],
        )

    def test_random_bytes_named_mp3_are_refused(self):
        messages = self.assert_refused(self.post(random.Random(0).randbytes(20_000)))
        self.assertIn("is not audio PhatAm can play", messages[0])

    def test_wav_named_mp3_is_refused_and_said_to_be_wav(self):
        messages = self.assert_refused(self.post(audio_fixtures.wav(1.0)))
        self.assertEqual(
            messages, ["The file is WAV audio but its name ends in .mp3; name it .wav."]
        )

    def test_wav_of_an_unknown_codec_is_refused(self):
        content = bytearray(audio_fixtures.wav(1.0))
        content[20:22] = b"\x00\x00"  # WAVE_FORMAT_UNKNOWN instead of PCM
        client = Client(raise_request_exception=False)
        client.force_login(self.staff)
        form = recording_form(bytes(content), "take.wav")
        response = client.post(upload_url(self.phoneme.pk), form)
        self.assert_refused(response)

    def test_double_extension_is_refused(self):
        messages = self.assert_refused(self.post(audio_fixtures.mp3(), "x.mp3.php"))
        self.assertEqual(messages, ["'x.mp3.php' does not end in .mp3, .wav, .ogg or .m4a."])

    def test_name_without_extension_is_refused(self):
        messages = self.assert_refused(self.post(audio_fixtures.mp3(), "recording"))
        self.assertEqual(messages, ["'recording' does not end in .mp3, .wav, .ogg or .m4a."])

    def test_too_short_recording_is_refused(self):
        messages = self.assert_refused(self.post(audio_fixtures.mp3(0.05)))
        self.assertEqual(messages, ["The recording lasts 0.05 s; it must last 0.1 to 10 s."])

    def test_long_low_bitrate_audio_is_refused_before_it_is_decoded(self):
        # Four minutes of Opus fit under the size limit; the declared length refuses them.
        # (At 8 kHz, which Opus takes, the file is made in a third of the time.)
        content = audio_fixtures.ogg(240.0, rate=8000)
        self.assertLess(len(content), settings.PHATAM_UPLOAD_MAX_BYTES)
        (message,) = self.assert_refused(self.post(content, "long.ogg"))
        self.assertIn("it must last at most 10 s", message)

    def test_too_long_recording_is_refused(self):
        messages = self.assert_refused(self.post(audio_fixtures.mp3(11.0)))
        self.assertEqual(messages, ["The recording lasts 11.00 s; it must last 0.1 to 10 s."])

    def test_unknown_speaker_gender_is_refused(self):
        response = self.post(audio_fixtures.mp3(), speaker_gender="robot")
        messages = self.assert_refused(response, field="speaker_gender")
        self.assertIn("robot", messages[0])

    def test_unknown_licence_is_refused(self):
        messages = self.assert_refused(
            self.post(audio_fixtures.mp3(), licence="GPL"), field="licence"
        )
        self.assertIn("GPL", messages[0])

    def test_recording_date_in_the_future_is_refused(self):
        tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
        response = self.post(audio_fixtures.mp3(), recorded_date=tomorrow)
        messages = self.assert_refused(response, field="recorded_date")
        self.assertEqual(messages, ["The recording date is in the future."])

    def test_unknown_language_is_refused(self):
        messages = self.assert_refused(
            self.post(audio_fixtures.mp3(), language="fr-FR"), field="language"
        )
        self.assertIn("fr-FR", messages[0])

    def test_missing_file_is_refused(self):
        response = self.client.post(upload_url(self.phoneme.pk), recording_form(b"", file=None))
        self.assertTrue(self.assert_refused(response))

    def test_declared_length_over_the_limit_is_413_before_reading(self):
        content = audio_fixtures.wav(4.6)  # about 200 KB of real audio
        self.assertGreater(len(content), 50_000 + ENVELOPE_BYTES)
        with override_settings(PHATAM_UPLOAD_MAX_BYTES=50_000):
            response = self.post(content, "take.wav")
        detail = self.assert_refused(response, status=413, field="detail")
        self.assertRegex(detail, r"^The file is too large: the limit is [\d.]+ [KM]B\.$")

    def test_body_over_the_limit_while_streaming_is_413(self):
        # Declared length under limit + envelope: the middleware lets it in, and the upload
        # handler has to stop it as the bytes arrive.
        content = audio_fixtures.wav(3.4)  # about 150 KB of real audio
        self.assertGreater(len(content), 100_000)
        self.assertLess(len(content), 100_000 + ENVELOPE_BYTES - 2_000)
        with override_settings(PHATAM_UPLOAD_MAX_BYTES=100_000):
            response = self.post(content, "take.wav")
        detail = self.assert_refused(response, status=413, field="detail")
        self.assertRegex(detail, r"^The file is too large: the limit is [\d.]+ [KM]B\.$")

    def test_file_over_the_default_limit_is_413_and_the_limit_is_stated(self):
        content = b"\0" * (5 * 1024 * 1024 + ENVELOPE_BYTES)  # refused unread: any bytes do
        detail = self.assert_refused(self.post(content, "take.wav"), status=413, field="detail")
        self.assertEqual(detail, "The file is too large: the limit is 5 MB.")


class UploadPermissionTests(TempMediaMixin, TestCase):
    def setUp(self):
        self.phoneme = consonant()

    def post(self, client: Client, **extra):
        return client.post(
            upload_url(self.phoneme.pk), recording_form(audio_fixtures.mp3()), **extra
        )

    def test_anonymous_upload_is_refused(self):
        response = self.post(self.client)
        self.assertIn(response.status_code, (401, 403))
        self.assertFalse(AudioSource.objects.exists())

    def test_learner_upload_is_forbidden(self):
        self.client.force_login(make_user())
        response = self.post(self.client)
        self.assertEqual(response.status_code, 403)
        self.assertFalse(AudioSource.objects.exists())

    def test_staff_upload_without_csrf_token_is_forbidden(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(make_user(is_staff=True))
        response = self.post(client)
        self.assertEqual(response.status_code, 403)
        self.assertIn("CSRF", response.json()["detail"])
        self.assertFalse(AudioSource.objects.exists())

    def test_staff_upload_with_csrf_token_is_stored(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(make_user(is_staff=True))
        token = client.get("/").cookies["csrftoken"].value
        response = self.post(client, HTTP_X_CSRFTOKEN=token)
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(AudioSource.objects.count(), 1)


class UploadAcousticCheckTests(StaffClientMixin, TempMediaMixin, TestCase):
    """An eSpeak NG /iː/ (a male-range RP voice) is the recording under test."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ee = audio_fixtures.vowel_mp3("iː")

    def post(self, phoneme, content: bytes, name: str = "ee.mp3"):
        form = recording_form(content, name, language="en-GB", speaker_gender="male")
        return self.client.post(upload_url(phoneme.pk), form)

    def test_vowel_that_sounds_right_passes(self):
        response = self.post(make_phoneme("iː"), self.ee)
        self.assertEqual(response.status_code, 201, response.content)
        check = response.json()["acoustic_check"]
        source = AudioSource.objects.get(pk=response.json()["audio_source_id"])
        measured = source.metadata["acoustic"]
        self.assertEqual(
            check,
            {
                "verdict": "passed",
                "passed": True,
                "heard_as": "",
                "f1": measured["f1"],
                "f2": measured["f2"],
            },
        )
        self.assertEqual(measured["nearest"], "iː")
        self.assertEqual(source.acoustic_verdict, AcousticVerdict.PASSED)

    def test_vowel_that_sounds_like_another_is_stored_but_flagged(self):
        response = self.post(make_phoneme("æ"), self.ee)
        self.assertEqual(response.status_code, 201, response.content)
        check = response.json()["acoustic_check"]
        self.assertEqual(
            (check["verdict"], check["passed"], check["heard_as"]), ("failed", False, "iː")
        )
        self.assertIsInstance(check["f1"], int)
        self.assertIsInstance(check["f2"], int)
        source = AudioSource.objects.get(pk=response.json()["audio_source_id"])
        self.assertEqual(
            (source.acoustic_verdict, source.acoustic_heard_as), (AcousticVerdict.FAILED, "iː")
        )
        self.assertTrue(source.audio_file.storage.exists(source.audio_file.name))

    def test_a_vowel_uploaded_for_a_consonant_is_stored_but_flagged(self):
        response = self.post(consonant(), self.ee)
        self.assertEqual(response.status_code, 201, response.content)
        check = response.json()["acoustic_check"]
        self.assertEqual((check["verdict"], check["passed"]), ("failed", False))
        self.assertEqual((check["f1"], check["f2"]), (None, None), "consonants have no formants")
        source = AudioSource.objects.get(pk=response.json()["audio_source_id"])
        self.assertEqual(source.acoustic_verdict, AcousticVerdict.FAILED)
        self.assertTrue(source.metadata["acoustic"]["failures"])
        self.assertTrue(source.audio_file.storage.exists(source.audio_file.name))

    def test_vowel_at_a_very_low_sample_rate_is_not_a_server_error(self):
        client = Client(raise_request_exception=False)
        client.force_login(self.staff)
        content = audio_fixtures.wav(1.0, 20, rate=100)
        response = client.post(
            upload_url(make_phoneme("iː").pk), recording_form(content, "low.wav")
        )
        self.assertIn(response.status_code, (201, 400), response.content[:200])


class PinApiTests(StaffClientMixin, TempMediaMixin, TestCase):
    def setUp(self):
        super().setUp()
        self.phoneme = consonant()
        self.older = make_audio(self.phoneme, language="en-GB", voice_id="native:Tom")
        self.newer = make_audio(self.phoneme, language="en-GB", voice_id="native:Lan")

    def pin(self, source_id, client=None, phoneme=None):
        phoneme = phoneme or self.phoneme
        return (client or self.client).put(
            f"/api/phonemes/{phoneme.pk}/preferred-audio/?accent=en-GB",
            {"audio_source_id": source_id},
            content_type="application/json",
        )

    def heard(self) -> int | None:
        response = self.client.get(f"/api/phonemes/{self.phoneme.pk}/?accent=en-GB")
        self.assertEqual(response.status_code, 200)
        audio = response.json()["audio"]
        return audio and audio["audio_source_id"]

    def test_pinned_own_source_is_what_learners_hear(self):
        self.assertEqual(self.heard(), self.newer.pk)
        response = self.pin(self.older.pk)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["audio"]["audio_source_id"], self.older.pk)
        self.assertEqual(self.heard(), self.older.pk)
        self.phoneme.refresh_from_db()
        self.assertEqual(self.phoneme.preferred_audio_source_id, self.older.pk)

    def test_pinning_another_phonemes_source_is_refused(self):
        other = make_audio(consonant("z"), language="en-GB")
        response = self.pin(other.pk)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.json(),
            {
                "audio_source_id": [
                    f"Audio source #{other.pk} belongs to /z/, not to /s/; "
                    "a phoneme can only prefer its own audio."
                ]
            },
        )
        self.phoneme.refresh_from_db()
        self.assertIsNone(self.phoneme.preferred_audio_source_id)

    def test_pinning_an_unknown_source_is_refused(self):
        response = self.pin(999_999)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {"audio_source_id": ["No audio source with id 999999."]})

    def test_pinning_with_a_non_integer_id_is_refused(self):
        for value in (
            "abc",
            str(self.older.pk),
            1.5,
            float(self.older.pk),
            True,
            [self.older.pk],
            {"id": self.older.pk},
        ):
            with self.subTest(value=value):
                response = self.pin(value)
                self.assertEqual(response.status_code, 400)
                self.assertEqual(
                    response.json(), {"audio_source_id": ["Must be an integer or null."]}
                )
        self.phoneme.refresh_from_db()
        self.assertIsNone(self.phoneme.preferred_audio_source_id)

    def test_null_unpins(self):
        self.pin(self.older.pk)
        response = self.pin(None)
        self.assertEqual(response.status_code, 200, response.content)
        self.phoneme.refresh_from_db()
        self.assertIsNone(self.phoneme.preferred_audio_source_id)
        self.assertEqual(self.heard(), self.newer.pk)

    def test_learner_cannot_pin(self):
        learner = Client()
        learner.force_login(make_user())
        response = self.pin(self.older.pk, client=learner)
        self.assertEqual(response.status_code, 403)
        self.phoneme.refresh_from_db()
        self.assertIsNone(self.phoneme.preferred_audio_source_id)

    def test_deleting_the_pinned_source_unpins_and_falls_back(self):
        self.pin(self.newer.pk)
        with self.captureOnCommitCallbacks(execute=True):
            self.newer.delete()
        self.phoneme.refresh_from_db()
        self.assertIsNone(self.phoneme.preferred_audio_source_id)
        self.assertEqual(self.heard(), self.older.pk)
