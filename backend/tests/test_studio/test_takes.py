"""Takes through the studio's API: edited and judged at once without storing anything, kept
for their owner only, and saved (and pinned) as native recordings the chart then plays."""

import math
import os
import time
from datetime import timedelta
from pathlib import Path
from unittest import mock

from django.test import Client, TestCase, override_settings
from django.utils import timezone

from apps.core.accounts import account_delete
from apps.core.storage import StorageUnavailable
from apps.curriculum.models import AcousticVerdict, AudioSource
from speech.decoding import decode_bytes
from speech.editing import sounding_rms, wav_bytes
from tests.factories import make_audio, make_category, make_phoneme, make_user
from tests.test_studio.helpers import (
    TAKES_URL,
    StudioDirsMixin,
    espeak_take,
    make_staff,
    silent_take,
    take_form,
)


def files_under(root) -> list[str]:
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _, names in os.walk(root)
        for name in names
    )


class TakeTestCase(StudioDirsMixin, TestCase):
    def setUp(self):
        super().setUp()
        self.long_i = make_phoneme("iː", category=make_category("vowel"))
        self.staff = make_staff()
        self.client.force_login(self.staff)

    def take(self, content: bytes, phoneme=None, **kwargs):
        return self.client.post(TAKES_URL, take_form(content, phoneme or self.long_i, **kwargs))

    def saved(self, token: str, *, pin: bool, **extra):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(
                f"/studio/api/takes/{token}/save/",
                {"pin": pin, **extra},
                content_type="application/json",
            )

    def takes_dir(self) -> Path:
        return Path(self.var_dir) / "tmp" / "studio"


class TakeJudgementTests(TakeTestCase):
    def test_the_right_vowel_passes_at_once_in_vietnamese(self):
        response = self.take(espeak_take("iː"))
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual((body["verdict"], body["heard_as"]), ("passed", ""))
        self.assertIn("Đạt", body["message_vi"])

    def test_a_take_of_the_wrong_vowel_is_flagged_before_saving(self):
        response = self.take(espeak_take("ɪ"))  # /ɪ/ said for /iː/
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual((body["verdict"], body["heard_as"]), ("failed", "ɪ"))
        self.assertIn("nghe như /ɪ/", body["message_vi"].lower())
        self.assertFalse(AudioSource.objects.exists())
        self.assertEqual(files_under(self.media_root), [])

    def test_a_silent_take_is_refused_with_a_message(self):
        response = self.take(silent_take())
        self.assertEqual(response.status_code, 400)
        body = response.json()
        self.assertIn("silent", body["detail"])
        self.assertIn("từ chối", body["message_vi"])
        self.assertEqual(files_under(self.takes_dir()) if self.takes_dir().exists() else [], [])

    def test_what_is_not_audio_is_refused(self):
        response = self.take(b"<html>not a recording</html>", name="take.wav")
        self.assertEqual(response.status_code, 400)
        self.assertIn("not audio", response.json()["detail"])

    def test_silence_is_trimmed_and_the_take_brought_to_the_chart_loudness(self):
        plain = self.take(espeak_take("iː")).json()
        padded = self.take(espeak_take("iː", silence_before=1.0, silence_after=1.5)).json()
        self.assertAlmostEqual(padded["recorded_seconds"], plain["recorded_seconds"] + 2.5, 1)
        # Trimmed back to the vowel and its 30 ms pads (the MP3 adds its frame of delay).
        self.assertLess(padded["duration"], plain["recorded_seconds"])
        self.assertAlmostEqual(padded["duration"], plain["duration"], delta=0.05)
        self.assertEqual(padded["verdict"], "passed")

    def test_a_quiet_take_is_raised_to_minus_20_dbfs(self):
        loud = decode_bytes(espeak_take("iː"))
        content = wav_bytes(loud.samples * 0.05, loud.sample_rate)  # 26 dB quieter
        body = self.take(content).json()
        self.assertGreater(body["gain_db"], 20)
        audio = self.client.get(body["audio_url"])
        edited = decode_bytes(b"".join(audio.streaming_content))
        level = 20 * math.log10(sounding_rms(edited.samples, edited.sample_rate))
        self.assertAlmostEqual(level, -20.0, delta=0.75)

    def test_a_consonant_take_gets_the_consonant_check(self):
        s = make_phoneme("s", category=make_category("consonant"))
        body = self.take(espeak_take("s"), s).json()
        self.assertEqual(body["verdict"], "passed", body["message_vi"])

    def test_a_take_needs_a_studio_profile(self):
        self.client.force_login(make_user(is_staff=True))
        response = self.take(espeak_take("iː"))
        self.assertEqual(response.status_code, 400)
        self.assertIn("hồ sơ", response.json()["detail"])

    def test_an_unknown_phoneme_or_accent_is_refused(self):
        form = take_form(espeak_take("iː"), self.long_i, accent="fr-FR")
        self.assertEqual(self.client.post(TAKES_URL, form).status_code, 400)
        form = take_form(espeak_take("iː"), self.long_i)
        form["phoneme"] = 999_999
        self.assertEqual(self.client.post(TAKES_URL, form).status_code, 400)


class TakeAccessTests(TakeTestCase):
    def test_anonymous_users_and_learners_cannot_record(self):
        self.client.logout()
        self.assertEqual(self.take(espeak_take("iː")).status_code, 403)
        self.client.force_login(make_user())
        self.assertEqual(self.take(espeak_take("iː")).status_code, 403)

    def test_a_take_needs_the_csrf_token(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.staff)
        response = client.post(TAKES_URL, take_form(espeak_take("iː"), self.long_i))
        self.assertEqual(response.status_code, 403)
        self.assertIn("CSRF", response.json()["detail"])

    def test_only_the_owner_hears_or_saves_a_take(self):
        body = self.take(espeak_take("iː")).json()
        owner_audio = self.client.get(body["audio_url"])
        self.assertEqual(owner_audio.status_code, 200)
        self.assertEqual(owner_audio["Content-Type"], "audio/mpeg")
        self.assertIn("no-store", owner_audio["Cache-Control"])
        self.client.force_login(make_staff(name="Lan", gender="female"))
        self.assertEqual(self.client.get(body["audio_url"]).status_code, 404)
        self.assertEqual(self.saved(body["token"], pin=True).status_code, 404)
        self.assertFalse(AudioSource.objects.exists())

    def test_a_made_up_token_is_not_found(self):
        for token in ("x" * 43, "../../etc/passwd", "a"):
            self.assertEqual(self.client.get(f"/studio/api/takes/{token}/audio/").status_code, 404)

    def test_a_take_expires_after_an_hour_and_is_removed(self):
        body = self.take(espeak_take("iː")).json()
        later = timezone.now() + timedelta(seconds=3601)
        with mock.patch("apps.studio.services.timezone.now", return_value=later):
            self.assertEqual(self.saved(body["token"], pin=False).status_code, 404)
        self.assertFalse((self.takes_dir() / body["token"]).exists())

    def test_old_takes_are_swept_when_a_new_one_is_made(self):
        old = self.take(espeak_take("iː")).json()["token"]
        hour_ago = time.time() - 3601
        os.utime(self.takes_dir() / old, (hour_ago, hour_ago))
        new = self.take(espeak_take("iː")).json()["token"]
        self.assertEqual(sorted(p.name for p in self.takes_dir().iterdir()), [new])

    @override_settings(PHATAM_STUDIO_TAKE_SECONDS=60)
    def test_the_lifetime_is_a_setting(self):
        body = self.take(espeak_take("iː")).json()
        made = timezone.now()
        self.assertLess(
            abs((timezone.datetime.fromisoformat(body["expires_at"]) - made).total_seconds() - 60),
            5,
        )


class TakeSaveTests(TakeTestCase):
    def test_save_stores_a_native_recording_of_the_profile_speaker_and_pins_it(self):
        make_audio(self.long_i, "tts", language="en-US", voice_id="en-us", engine="espeak-ng")
        body = self.take(espeak_take("iː")).json()
        response = self.saved(body["token"], pin=True)
        self.assertEqual(response.status_code, 201, response.content)
        saved = response.json()
        source = AudioSource.objects.get(pk=saved["audio"]["audio_source_id"])
        self.assertEqual((source.source_type, source.language), ("native", "en-US"))
        self.assertEqual(source.acoustic_verdict, AcousticVerdict.PASSED)
        self.assertEqual(
            {k: source.metadata[k] for k in ("speaker_name", "speaker_gender", "licence")},
            {"speaker_name": "Tom", "speaker_gender": "male", "licence": "CC-BY-4.0"},
        )
        self.assertEqual(source.metadata["speaker_accent"], "General American")
        self.assertEqual(source.metadata["recorded_date"], timezone.localdate().isoformat())
        self.assertEqual(source.metadata["uploaded_by"], self.staff.get_username())
        self.long_i.refresh_from_db()
        self.assertEqual(self.long_i.preferred_audio_source, source)
        self.assertTrue(saved["pinned"])
        self.assertEqual(saved["now_playing"]["audio_source_id"], source.pk)
        self.assertEqual(saved["progress"]["recorded"], 1)
        # The take is gone, its file now in the media storage.
        self.assertFalse((self.takes_dir() / body["token"]).exists())
        self.assertTrue(source.audio_file.name.startswith("phonemes/audio/"))

        chart = self.client.get("/api/phonemes/", {"accent": "en-US"}).json()
        audio = next(p for p in chart if p["ipa_symbol"] == "iː")["audio"]
        self.assertEqual(audio["audio_source_id"], source.pk)
        self.assertEqual(audio["source_type"], "native")
        self.assertEqual(audio["provenance"]["kind"], "native")
        self.assertEqual(audio["provenance"]["speaker"], "Tom")
        self.assertIn("Giọng thật của Tom (giọng Mỹ)", audio["provenance"]["text_vi"])

    def test_the_chart_cached_before_the_save_plays_the_recording_after_it(self):
        make_audio(self.long_i, "tts", language="en-US", voice_id="en-us", engine="espeak-ng")
        before = self.client.get("/api/phonemes/", {"accent": "en-US"}).json()
        self.assertEqual(before[0]["audio"]["source_type"], "tts")
        body = self.take(espeak_take("iː")).json()
        self.saved(body["token"], pin=False)
        after = self.client.get("/api/phonemes/", {"accent": "en-US"}).json()
        self.assertEqual(after[0]["audio"]["source_type"], "native")

    def test_save_without_pin_leaves_the_pin_alone(self):
        body = self.take(espeak_take("iː")).json()
        saved = self.saved(body["token"], pin=False).json()
        self.assertFalse(saved["pinned"])
        self.long_i.refresh_from_db()
        self.assertIsNone(self.long_i.preferred_audio_source)
        self.assertEqual(AudioSource.objects.get().source_type, "native")

    def test_a_flagged_take_can_still_be_saved_and_stays_flagged(self):
        body = self.take(espeak_take("ɪ")).json()
        self.saved(body["token"], pin=False)
        source = AudioSource.objects.get()
        self.assertEqual((source.acoustic_verdict, source.acoustic_heard_as), ("failed", "ɪ"))

    def test_a_failed_take_is_pinned_only_with_an_explicit_confirmation(self):
        body = self.take(espeak_take("ɪ")).json()
        refused = self.saved(body["token"], pin=True)
        self.assertEqual(refused.status_code, 400)
        self.assertIn("confirm_failed", refused.json()["detail"])
        self.assertFalse(AudioSource.objects.exists())
        self.assertTrue((self.takes_dir() / body["token"]).is_dir())
        saved = self.saved(body["token"], pin=True, confirm_failed=True)
        self.assertEqual(saved.status_code, 201, saved.content)
        self.long_i.refresh_from_db()
        self.assertEqual(self.long_i.preferred_audio_source, AudioSource.objects.get())

    def test_a_failed_take_ranks_and_scores_below_passing_cached_tts(self):
        tts = make_audio(self.long_i, AudioSource.SourceType.TTS)
        AudioSource.objects.filter(pk=tts.pk).update(acoustic_verdict=AcousticVerdict.PASSED)
        body = self.take(espeak_take("ɪ")).json()
        saved = self.saved(body["token"], pin=False).json()
        self.assertEqual(saved["audio"]["source_type"], "native")
        self.assertLess(saved["audio"]["quality_score"], 90)
        self.assertEqual(saved["now_playing"]["audio_source_id"], tts.pk)
        self.assertEqual(saved["now_playing"]["quality_score"], 90)

    def test_a_take_is_saved_once(self):
        body = self.take(espeak_take("iː")).json()
        self.assertEqual(self.saved(body["token"], pin=False).status_code, 201)
        self.assertEqual(self.saved(body["token"], pin=False).status_code, 404)
        self.assertEqual(AudioSource.objects.count(), 1)

    def test_a_save_that_fails_keeps_the_take_to_save_again(self):
        body = self.take(espeak_take("iː")).json()
        fault = StorageUnavailable("The server's storage is full.", disk_full=True)
        with mock.patch("apps.studio.services.native_recording_add", side_effect=fault):
            self.assertEqual(self.saved(body["token"], pin=True).status_code, 507)
        self.assertTrue((self.takes_dir() / body["token"]).is_dir())
        self.assertEqual(self.saved(body["token"], pin=True).status_code, 201)

    def test_a_take_saved_for_en_gb_is_a_british_recording(self):
        body = self.take(espeak_take("iː", voice="en-gb-x-rp"), accent="en-GB").json()
        self.assertEqual((body["accent"], body["verdict"]), ("en-GB", "passed"))
        saved = self.saved(body["token"], pin=True).json()
        self.assertEqual(saved["audio"]["language"], "en-GB")
        self.assertIn("giọng Anh", saved["audio"]["provenance"]["text_vi"])
        self.assertEqual(saved["progress"]["accent"], "en-GB")


class TakeAccountDeletionTests(TakeTestCase):
    def test_deleting_an_account_deletes_its_takes_only(self):
        mine = self.take(espeak_take("iː")).json()["token"]
        other = make_staff()
        self.client.force_login(other)
        theirs = self.take(espeak_take("iː")).json()["token"]
        with self.captureOnCommitCallbacks(execute=True):
            account_delete(self.staff)
        self.assertEqual(sorted(p.name for p in self.takes_dir().iterdir()), [theirs])
        self.assertNotEqual(mine, theirs)
