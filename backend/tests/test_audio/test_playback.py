"""What a learner hears: the fallback chain, on-demand generation and its single flight, and
counting plays. Engines are in memory (tests/hermetic.py) unless a test says otherwise."""

import unittest
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.test import TestCase, TransactionTestCase, override_settings
from django.utils import timezone

from apps.curriculum.audio.playback import WEB_SPEECH, audio_for_phoneme, play_record
from apps.curriculum.audio.synthesis import AudioUnavailable, audio_generate_for_accent
from apps.curriculum.audio.voices import UnknownAccent
from apps.curriculum.models import AcousticVerdict, AudioCache, AudioSource, Phoneme
from apps.curriculum.selectors import UnknownWord
from speech.tts.base import TTSError
from speech.tts.locmem import LocMemEngine
from tests.factories import TempMediaMixin, make_audio, make_phoneme
from tests.hermetic import EDGE_OFFLINE, ESPEAK, LOCMEM, real_espeak
from tests.threads import run_in_threads

NATIVE = AudioSource.SourceType.NATIVE
TTS = AudioSource.SourceType.TTS
GENERATED = AudioSource.SourceType.GENERATED

SEE = [{"word": "see", "ipa": "/siː/"}]
# An online voice listed first, as in the shipped settings; edge-tts never says a phoneme.
ONLINE_FIRST = override_settings(
    PHATAM_TTS_ENGINES={"edge": EDGE_OFFLINE, "espeak": LOCMEM},
    PHATAM_VOICES={"en-US": ["edge:en-US-AriaNeural", "espeak:en-us"]},
)


def make_vowel(**fields) -> Phoneme:
    return make_phoneme("iː", example_words=SEE, **fields)


class GenerationTests(TempMediaMixin, TestCase):
    def setUp(self):
        super().setUp()
        self.phoneme = make_vowel()

    def test_missing_audio_is_generated_and_stored_in_the_accents_language(self):
        answer = audio_for_phoneme(self.phoneme, accent="en-GB")

        self.assertEqual(answer.tier, GENERATED)
        source = AudioSource.objects.get()
        self.assertEqual(answer.source, source)
        self.assertEqual((source.source_type, source.language), (GENERATED, "en-GB"))
        self.assertEqual((source.voice_id, source.word), ("en-gb-x-rp", ""))
        self.assertEqual((source.engine, source.tts_rate), ("locmem", settings.PHATAM_TTS_RATE))
        expected_expiry = timezone.now() + timedelta(days=settings.PHATAM_GENERATED_CACHE_DAYS)
        self.assertAlmostEqual(source.cached_until, expected_expiry, delta=timedelta(minutes=5))
        self.assertTrue(source.audio_file.storage.exists(source.audio_file.name))
        self.assertEqual(
            AudioCache.objects.get(audio_source=source).file_size, source.audio_file.size
        )
        self.assertEqual(len(LocMemEngine.requests), 1)
        self.assertEqual(LocMemEngine.requests[0].ipa, "iː")

    def test_asking_again_returns_the_stored_audio_without_the_engine(self):
        first = audio_for_phoneme(self.phoneme, accent="en-US")
        second = audio_for_phoneme(self.phoneme, accent="en-US")

        self.assertEqual(second.source.pk, first.source.pk)
        self.assertEqual(len(LocMemEngine.requests), 1)
        self.assertEqual(AudioSource.objects.count(), 1)

    def test_an_example_word_is_generated_as_its_own_audio(self):
        answer = audio_for_phoneme(self.phoneme, accent="en-US", word="see")

        self.assertEqual(answer.tier, GENERATED)
        self.assertEqual(answer.source.word, "see")
        self.assertEqual(
            (LocMemEngine.requests[0].word, LocMemEngine.requests[0].ipa), ("see", "siː")
        )

    def test_a_word_that_is_not_an_example_of_the_phoneme_is_refused(self):
        with self.assertRaises(UnknownWord):
            audio_for_phoneme(self.phoneme, accent="en-US", word="sit")
        self.assertEqual(LocMemEngine.requests, [])

    def test_an_unknown_accent_is_refused(self):
        with self.assertRaises(UnknownAccent):
            audio_for_phoneme(self.phoneme, accent="en-AU")
        self.assertEqual(LocMemEngine.requests, [])

    def test_expired_generated_audio_is_regenerated_in_place_and_its_old_file_deleted(self):
        old = audio_for_phoneme(self.phoneme, accent="en-US").source
        storage, old_name = old.audio_file.storage, old.audio_file.name
        AudioSource.objects.filter(pk=old.pk).update(cached_until=timezone.now() - timedelta(1))

        with self.captureOnCommitCallbacks(execute=True):
            new = audio_for_phoneme(self.phoneme, accent="en-US").source
            self.assertTrue(storage.exists(old_name), "deleted before the commit")

        self.assertEqual(new.pk, old.pk)
        self.assertNotEqual(new.audio_file.name, old_name)
        self.assertGreater(new.cached_until, timezone.now())
        self.assertTrue(storage.exists(new.audio_file.name))
        self.assertFalse(storage.exists(old_name))
        self.assertEqual(AudioSource.objects.count(), 1)
        self.assertEqual(len(LocMemEngine.requests), 2)


class StoredAudioTests(TempMediaMixin, TestCase):
    def setUp(self):
        super().setUp()
        self.phoneme = make_vowel()

    def test_a_native_recording_is_heard_without_generating(self):
        native = make_audio(self.phoneme, NATIVE, language="en-US")

        answer = audio_for_phoneme(self.phoneme, accent="en-US")

        self.assertEqual((answer.tier, answer.source), (NATIVE, native))
        self.assertEqual(LocMemEngine.requests, [])

    def test_a_pinned_source_is_heard_and_says_so(self):
        pinned = make_audio(self.phoneme, TTS, language="en-US", expires_in_days=30)
        make_audio(self.phoneme, NATIVE, language="en-US")
        self.phoneme.preferred_audio_source = pinned
        self.phoneme.save()

        answer = audio_for_phoneme(self.phoneme, accent="en-US")

        self.assertEqual(answer.source, pinned)
        self.assertEqual(answer.reason, "pinned by staff")
        self.assertEqual(LocMemEngine.requests, [])

    def test_a_vowel_that_failed_its_acoustic_check_loses_to_one_that_passed_even_if_newer(self):
        passed = make_audio(
            self.phoneme,
            GENERATED,
            language="en-US",
            voice_id="good-voice",
            expires_in_days=7,
            engine="locmem",
            acoustic_verdict=AcousticVerdict.PASSED,
        )
        failed = make_audio(
            self.phoneme,
            GENERATED,
            language="en-US",
            voice_id="bad-voice",
            expires_in_days=7,
            engine="locmem",
            acoustic_verdict=AcousticVerdict.FAILED,
            acoustic_heard_as="ɪ",
        )
        AudioSource.objects.filter(pk=failed.pk).update(
            created_at=passed.created_at + timedelta(hours=1)
        )

        answer = audio_for_phoneme(self.phoneme, accent="en-US")

        self.assertEqual(answer.source, passed)
        self.assertEqual(LocMemEngine.requests, [])


class FallbackTests(TempMediaMixin, TestCase):
    def setUp(self):
        super().setUp()
        self.phoneme = make_vowel()

    def test_when_every_engine_fails_the_browser_speaks_the_first_example_word(self):
        LocMemEngine.failure = TTSError("down", retryable=True)

        answer = audio_for_phoneme(self.phoneme, accent="en-GB")

        self.assertEqual(answer.tier, WEB_SPEECH)
        self.assertIsNone(answer.source)
        self.assertEqual((answer.web_speech.text, answer.web_speech.lang), ("see", "en-GB"))
        self.assertEqual(len(LocMemEngine.requests), 1)
        self.assertFalse(AudioSource.objects.exists())

    def test_without_generation_the_browser_speaks_and_no_engine_is_asked(self):
        answer = audio_for_phoneme(self.phoneme, accent="en-US", generate=False)

        self.assertEqual(answer.tier, WEB_SPEECH)
        self.assertEqual((answer.web_speech.text, answer.web_speech.lang), ("see", "en-US"))
        self.assertEqual(LocMemEngine.requests, [])
        self.assertFalse(AudioSource.objects.exists())

    @ONLINE_FIRST
    def test_an_engine_without_phoneme_input_is_skipped_for_a_phoneme(self):
        answer = audio_for_phoneme(self.phoneme, accent="en-US")

        self.assertEqual(answer.tier, GENERATED)
        self.assertEqual((answer.source.voice_id, answer.source.engine), ("en-us", "locmem"))
        self.assertEqual(len(LocMemEngine.requests), 1)

    @ONLINE_FIRST
    def test_an_engine_without_phoneme_input_is_never_asked_for_a_phoneme(self):
        LocMemEngine.failure = TTSError("down", retryable=True)

        with self.assertRaises(AudioUnavailable) as caught:
            audio_generate_for_accent(self.phoneme.pk, accent="en-US")

        self.assertEqual(caught.exception.failures, ["espeak:en-us: down"])

    @ONLINE_FIRST
    def test_a_word_falls_back_from_a_failing_online_voice_to_the_next(self):
        with self.assertLogs("apps.curriculum.audio.synthesis", level="INFO") as logs:
            answer = audio_for_phoneme(self.phoneme, accent="en-US", word="see")

        self.assertIn("Falling back from edge:en-US-AriaNeural", "".join(logs.output))
        self.assertEqual(answer.tier, GENERATED)
        self.assertEqual((answer.source.word, answer.source.engine), ("see", "locmem"))
        self.assertEqual(LocMemEngine.requests[0].word, "see")


@real_espeak
class OfflineFallbackTests(TempMediaMixin, TestCase):
    """The shipped engines, with the network down: edge-tts first, then eSpeak NG (offline)."""

    @override_settings(
        PHATAM_TTS_ENGINES={"edge": EDGE_OFFLINE, "espeak": ESPEAK},
        PHATAM_VOICES={"en-US": ["edge:en-US-AriaNeural", "espeak:en-us"]},
    )
    def test_a_word_falls_back_from_edge_tts_to_espeak_without_network(self):
        phoneme = make_vowel()

        with self.assertLogs("apps.curriculum.audio.synthesis", level="INFO") as logs:
            answer = audio_for_phoneme(phoneme, accent="en-US", word="see")

        self.assertIn("edge:en-US-AriaNeural", "".join(logs.output))
        self.assertEqual(answer.tier, GENERATED)
        self.assertEqual(answer.source.word, "see")
        self.assertEqual((answer.source.engine, answer.source.voice_id), ("espeak-ng", "en-us"))
        self.assertEqual(answer.source.metadata["espeak_input"], "[['si:]]")
        self.assertEqual(answer.reason, "generated on demand by espeak-ng")


@unittest.skipUnless(
    connection.vendor == "postgresql", "single-flight is tested on PostgreSQL (.ci/run)"
)
class ConcurrentGenerationTests(TempMediaMixin, TransactionTestCase):
    def test_concurrent_requests_for_missing_audio_generate_it_once(self):
        LocMemEngine.delay = 0.3  # keeps the first generation in flight while the others ask
        phoneme = make_vowel()

        results, errors = run_in_threads(
            lambda: audio_for_phoneme(phoneme, accent="en-US").source.pk, 8
        )

        self.assertEqual(errors, [])
        self.assertEqual(len(LocMemEngine.requests), 1)
        self.assertEqual(AudioSource.objects.count(), 1)
        self.assertEqual(set(results), {AudioSource.objects.get().pk})
        self.assertEqual(len(results), 8)


class GenerationLockUnavailableTests(TempMediaMixin, TestCase):
    def test_a_lock_store_that_is_down_gives_way_to_the_database_lock(self):
        phoneme = make_vowel()
        # Redis is configured but nothing listens there: the database lock takes over.
        with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
            answer = audio_for_phoneme(phoneme, accent="en-US")
        self.assertEqual(answer.tier, "generated")
        self.assertEqual(len(LocMemEngine.requests), 1)


@unittest.skipUnless(
    connection.vendor == "postgresql", "concurrency is tested on PostgreSQL (.ci/run)"
)
class ConcurrentPlayTests(TempMediaMixin, TransactionTestCase):
    """Every play counts. On PostgreSQL: SQLite serialises writers, so it cannot show a lost
    update; `.ci/run` runs the suite with DATABASE_URL pointing at the local PostgreSQL."""

    THREADS = 8
    CALLS_PER_THREAD = 50

    def setUp(self):
        self.source = make_audio(make_phoneme("iː"), TTS)
        self.cache = AudioCache.objects.create(audio_source=self.source)

    def test_record_access_from_many_threads_counts_every_play(self):
        def plays():
            cache = AudioCache.objects.get(pk=self.cache.pk)  # each thread's own stale copy
            for _ in range(self.CALLS_PER_THREAD):
                cache.record_access()

        _, errors = run_in_threads(plays, self.THREADS)
        self.assertEqual(errors, [])
        self.cache.refresh_from_db()
        self.assertEqual(self.cache.usage_count, self.THREADS * self.CALLS_PER_THREAD)

    def test_first_plays_racing_create_one_cache_row(self):
        self.cache.delete()

        def plays():
            for _ in range(10):
                play_record(self.source)

        _, errors = run_in_threads(plays, self.THREADS)
        self.assertEqual(errors, [])
        self.assertEqual(
            AudioCache.objects.get(audio_source=self.source).usage_count, self.THREADS * 10
        )
