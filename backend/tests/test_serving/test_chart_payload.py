"""The chart's payloads come from the cache, with a strong ETag, and are never stale: any
change of a phoneme, an audio source or a pin is what the next request gets."""

from datetime import timedelta
from io import StringIO
from unittest import mock

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.curriculum.api import cache as payload_cache
from apps.curriculum.models import AudioSource
from tests.factories import TempMediaMixin, make_audio, make_category, make_phoneme, make_user

NATIVE = AudioSource.SourceType.NATIVE
TTS = AudioSource.SourceType.TTS
SEE = [{"word": "see", "ipa": "/siː/"}]
LIST = "/api/phonemes/"


class PayloadTestCase(TempMediaMixin, TestCase):
    def setUp(self):
        super().setUp()
        cache.clear()
        self.addCleanup(cache.clear)
        self.phoneme = make_phoneme("iː", example_words=SEE, category=make_category())

    def audio_id(self, response) -> int | None:
        audio = response.json()[0]["audio"]
        return audio and audio["audio_source_id"]


class CachedPayloadTests(PayloadTestCase):
    def test_a_repeat_visit_with_the_etag_gets_304_and_no_body(self):
        first = self.client.get(LIST)
        again = self.client.get(LIST, headers={"If-None-Match": first["ETag"]})

        self.assertEqual(again.status_code, 304)
        self.assertEqual(again.content, b"")
        self.assertEqual(again["ETag"], first["ETag"])

    def test_the_etag_is_strong_and_the_browser_must_revalidate(self):
        response = self.client.get(LIST)

        self.assertRegex(response["ETag"], r'^"[0-9a-f]{32}"$')
        self.assertIn("no-cache", response["Cache-Control"])
        self.assertEqual(response["Content-Type"], "application/json")

    def test_a_cached_payload_costs_no_query(self):
        self.client.get(LIST)

        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(LIST)

        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(queries), 0, [q["sql"] for q in queries])

    def test_each_accent_has_its_own_payload(self):
        make_audio(self.phoneme, NATIVE, language="en-GB")

        us = self.client.get(LIST, {"accent": "en-US"})
        gb = self.client.get(LIST, {"accent": "en-GB"})

        self.assertIsNone(us.json()[0]["audio"])
        self.assertIsNotNone(gb.json()[0]["audio"])
        self.assertNotEqual(us["ETag"], gb["ETag"])

    def test_categories_and_one_phoneme_are_cached_with_an_etag_too(self):
        for url in ("/api/categories/", f"/api/phonemes/{self.phoneme.pk}/"):
            with self.subTest(url=url):
                first = self.client.get(url)
                again = self.client.get(url, headers={"If-None-Match": first["ETag"]})
                self.assertEqual((first.status_code, again.status_code), (200, 304))


class InvalidationTests(PayloadTestCase):
    def test_a_newly_pinned_recording_is_what_the_next_request_gets(self):
        older = make_audio(self.phoneme, NATIVE, language="en-US")
        newer = make_audio(self.phoneme, NATIVE, language="en-US")
        before = self.client.get(LIST)
        self.assertEqual(self.audio_id(before), newer.pk)

        staff = make_user(is_staff=True)
        self.client.force_login(staff)
        pinned = self.client.put(
            f"/api/phonemes/{self.phoneme.pk}/preferred-audio/",
            {"audio_source_id": older.pk},
            content_type="application/json",
        )
        self.assertEqual(pinned.status_code, 200, pinned.content)
        self.client.logout()
        after = self.client.get(LIST, headers={"If-None-Match": before["ETag"]})

        self.assertEqual(after.status_code, 200)
        self.assertEqual(self.audio_id(after), older.pk)
        self.assertNotEqual(after["ETag"], before["ETag"])

    def test_new_audio_replaces_the_browser_voice_at_once(self):
        self.assertIsNone(self.audio_id(self.client.get(LIST)))

        source = make_audio(self.phoneme, NATIVE, language="en-US")

        self.assertEqual(self.audio_id(self.client.get(LIST)), source.pk)

    def test_deleted_audio_is_gone_from_the_next_payload(self):
        source = make_audio(self.phoneme, NATIVE, language="en-US")
        self.assertEqual(self.audio_id(self.client.get(LIST)), source.pk)

        source.delete()

        self.assertIsNone(self.audio_id(self.client.get(LIST)))

    def test_an_edited_phoneme_is_in_the_next_payload(self):
        self.client.get(LIST)

        self.phoneme.tip_vi = "Kéo dài âm i."
        self.phoneme.save()

        self.assertEqual(self.client.get(LIST).json()[0]["tip_vi"], "Kéo dài âm i.")

    def test_a_payload_is_kept_no_longer_than_its_audio_stays_valid(self):
        make_audio(
            self.phoneme, TTS, language="en-US", cached_until=timezone.now() + timedelta(seconds=90)
        )
        with mock.patch.object(payload_cache.cache, "set", wraps=payload_cache.cache.set) as put:
            self.client.get(LIST)

        timeouts = [call.args[2] for call in put.call_args_list if call.args[0].endswith("en-US")]
        self.assertEqual(len(timeouts), 1)
        self.assertLessEqual(timeouts[0], 90)
        self.assertGreater(timeouts[0], 60)


class SeedingTests(TestCase):
    def test_phonemes_the_curriculum_file_adds_are_in_the_next_payload(self):
        cache.clear()
        self.addCleanup(cache.clear)
        self.assertEqual(self.client.get(LIST).json(), [])

        call_command("seed_curriculum", stdout=StringIO())

        self.assertEqual(len(self.client.get(LIST).json()), 44)


class DeadCacheTests(PayloadTestCase):
    def test_with_the_cache_down_the_payload_is_rendered_for_the_request(self):
        broken = mock.Mock(side_effect=ConnectionError("cache is down"))
        with (
            mock.patch.object(payload_cache.cache, "get", broken),
            mock.patch.object(payload_cache.cache, "set", broken),
            mock.patch.object(payload_cache.cache, "add", broken),
            self.assertLogs("apps.curriculum.api.cache", "WARNING"),
        ):
            response = self.client.get(LIST)

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()[0]["ipa_symbol"], "iː")


class EarlyAnswerTests(PayloadTestCase):
    def test_a_cached_payload_is_answered_before_sessions_and_auth(self):
        self.client.get(LIST)

        with mock.patch(
            "django.contrib.sessions.middleware.SessionMiddleware.process_request"
        ) as session:
            response = self.client.get(LIST)

        self.assertEqual(response.status_code, 200)
        session.assert_not_called()

    def test_other_query_parameters_go_to_the_view(self):
        self.client.get(LIST)

        response = self.client.get(LIST, {"accent": "en-AU"})

        self.assertEqual(response.status_code, 400)

    def test_a_head_request_gets_the_headers_of_the_cached_payload(self):
        first = self.client.get(LIST)

        head = self.client.head(LIST)

        self.assertEqual(head.status_code, 200)
        self.assertEqual(head["ETag"], first["ETag"])
