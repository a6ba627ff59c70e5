"""What a learner hears: the audio service's fallback chain, on-demand generation and its
single flight. Engines are the in-memory test engine unless a test says otherwise."""

import os
import threading
import time
import unittest
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import SimpleTestCase, TestCase, TransactionTestCase, override_settings
from django.utils import timezone

from apps.curriculum.locks import single_flight
from apps.curriculum.models import AudioCache, AudioSource, Phoneme
from apps.curriculum.services.audio import (
    WEB_SPEECH,
    AudioUnavailable,
    audio_for_phoneme,
    audio_generate_for_accent,
)
from apps.curriculum.tts import TTSError
from apps.curriculum.tts.locmem import LocMemEngine
from tests.factories import TempMediaMixin, make_audio, make_phoneme
from tests.threads import run_in_threads

NATIVE = AudioSource.SourceType.NATIVE
TTS = AudioSource.SourceType.TTS
GENERATED = AudioSource.SourceType.GENERATED

LOCMEM = {"BACKEND": "apps.curriculum.tts.locmem.LocMemEngine"}
EDGE = {"BACKEND": "apps.curriculum.tts.edge.EdgeTTSEngine"}
MEM_ENGINES = override_settings(
    PHATAM_TTS_ENGINES={"mem": LOCMEM, "edgelike": EDGE},
    PHATAM_VOICES={"en-US": ["mem:us-voice"], "en-GB": ["mem:uk-voice"]},
)
SEE = [{"word": "see", "ipa": "/siː/"}]


def make_vowel(**fields) -> Phoneme:
    return make_phoneme("iː", example_words=SEE, **fields)


class LocMemEngineMixin:
    def setUp(self):
        super().setUp()
        LocMemEngine.reset()
        self.addCleanup(LocMemEngine.reset)


@MEM_ENGINES
class GenerationTests(LocMemEngineMixin, TempMediaMixin, TestCase):
    def setUp(self):
        super().setUp()
        self.phoneme = make_vowel()

    def test_missing_audio_is_generated_and_stored_in_the_accents_language(self):
        answer = audio_for_phoneme(self.phoneme, accent="en-GB")

        self.assertEqual(answer.tier, GENERATED)
        source = AudioSource.objects.get()
        self.assertEqual(answer.source, source)
        self.assertEqual((source.source_type, source.language), (GENERATED, "en-GB"))
        self.assertEqual((source.voice_id, source.word), ("uk-voice", ""))
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
            (LocMemEngine.requests[0].word, LocMemEngine.requests[0].ipa), ("see", "/siː/")
        )

    def test_a_word_that_is_not_an_example_of_the_phoneme_is_refused(self):
        with self.assertRaises(ValueError):
            audio_for_phoneme(self.phoneme, accent="en-US", word="sit")
        self.assertEqual(LocMemEngine.requests, [])

    def test_an_unknown_accent_is_refused(self):
        with self.assertRaises(ValueError):
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


@MEM_ENGINES
class StoredAudioTests(LocMemEngineMixin, TempMediaMixin, TestCase):
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
            metadata={"engine": "locmem", "acoustic_check": {"passed": True}},
        )
        failed = make_audio(
            self.phoneme,
            GENERATED,
            language="en-US",
            voice_id="bad-voice",
            expires_in_days=7,
            metadata={"engine": "locmem", "acoustic_check": {"passed": False}},
        )
        AudioSource.objects.filter(pk=failed.pk).update(
            created_at=passed.created_at + timedelta(hours=1)
        )

        answer = audio_for_phoneme(self.phoneme, accent="en-US")

        self.assertEqual(answer.source, passed)
        self.assertEqual(LocMemEngine.requests, [])


@MEM_ENGINES
class FallbackTests(LocMemEngineMixin, TempMediaMixin, TestCase):
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

    @override_settings(PHATAM_VOICES={"en-US": ["edgelike:x", "mem:y"]})
    def test_an_engine_without_phoneme_input_is_skipped_for_a_phoneme(self):
        answer = audio_for_phoneme(self.phoneme, accent="en-US")

        self.assertEqual(answer.tier, GENERATED)
        self.assertEqual(
            (answer.source.voice_id, answer.source.metadata["engine"]), ("y", "locmem")
        )
        self.assertEqual(len(LocMemEngine.requests), 1)

    @override_settings(PHATAM_VOICES={"en-US": ["edgelike:x", "mem:y"]})
    def test_an_engine_without_phoneme_input_is_never_asked_for_a_phoneme(self):
        LocMemEngine.failure = TTSError("down", retryable=True)

        with self.assertRaises(AudioUnavailable) as caught:
            audio_generate_for_accent(self.phoneme.pk, accent="en-US")

        self.assertEqual(caught.exception.failures, ["mem:y: down"])


class DefaultEnginesTests(TempMediaMixin, TestCase):
    """The shipped settings, real engines: edge-tts first, then eSpeak NG (offline)."""

    def setUp(self):
        cache.clear()  # an outage remembered by another test must not hide edge's own failure
        self.addCleanup(cache.clear)

    def test_a_word_falls_back_from_edge_tts_to_espeak_without_network(self):
        phoneme = make_vowel()

        with self.assertLogs("apps.curriculum.services.audio", level="INFO") as logs:
            answer = audio_for_phoneme(phoneme, accent="en-US", word="see")

        self.assertTrue(any("edge:" in line for line in logs.output), logs.output)
        self.assertEqual(answer.tier, GENERATED)
        self.assertEqual(answer.source.word, "see")
        self.assertEqual(answer.source.metadata["engine"], "espeak-ng")
        self.assertEqual(answer.source.metadata["espeak_input"], "[['si:]]")


@unittest.skipUnless(
    connection.vendor == "postgresql", "single-flight is tested on PostgreSQL (.ci/run)"
)
@MEM_ENGINES
class ConcurrentGenerationTests(LocMemEngineMixin, TempMediaMixin, TransactionTestCase):
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


REDIS_URL = os.environ.get("PHATAM_TEST_REDIS_URL", "")


@unittest.skipUnless(REDIS_URL, "Redis lock is tested in .ci/run")
@override_settings(REDIS_URL=REDIS_URL)
class RedisSingleFlightTests(SimpleTestCase):
    def setUp(self):
        self.guard = threading.Lock()
        self.holders = 0
        self.most_holders = 0

    def hold(self, key: str, *, meet: threading.Barrier | None = None) -> None:
        with single_flight(key):
            with self.guard:
                self.holders += 1
                self.most_holders = max(self.most_holders, self.holders)
            if meet is not None:
                meet.wait(timeout=30)  # breaks (an error) unless all holders are in at once
            else:
                time.sleep(0.05)  # room for another thread to wrongly come in
            with self.guard:
                self.holders -= 1

    def test_one_key_has_one_holder_at_a_time(self):
        results, errors = run_in_threads(lambda: self.hold("same-key"), 6)

        self.assertEqual(errors, [])
        self.assertEqual(len(results), 6)
        self.assertEqual(self.most_holders, 1)

    def test_different_keys_are_held_at_the_same_time(self):
        meet = threading.Barrier(6)
        keys = iter(f"key-{n}" for n in range(6))
        guard = threading.Lock()

        def hold_own_key():
            with guard:
                key = next(keys)
            self.hold(key, meet=meet)

        results, errors = run_in_threads(hold_own_key, 6)

        self.assertEqual(errors, [])
        self.assertEqual(self.most_holders, 6)


@MEM_ENGINES
class GenerationLockUnavailableTests(LocMemEngineMixin, TempMediaMixin, TestCase):
    def test_a_busy_or_missing_lock_store_falls_back_to_the_browser(self):
        phoneme = make_vowel()
        # Redis is configured but nothing listens there: the lock cannot be had.
        with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
            answer = audio_for_phoneme(phoneme, accent="en-US")
        self.assertEqual(answer.tier, "web_speech")
        self.assertIn("generation busy", answer.reason)
        self.assertEqual(answer.web_speech.text, "see")
        self.assertEqual(LocMemEngine.requests, [])
