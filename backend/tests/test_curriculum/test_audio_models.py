from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase, TransactionTestCase
from django.utils import timezone

from apps.curriculum.models import AudioCache, AudioSource
from tests.factories import TempMediaMixin, make_audio, make_phoneme

NATIVE = AudioSource.SourceType.NATIVE
TTS = AudioSource.SourceType.TTS
GENERATED = AudioSource.SourceType.GENERATED


class AudioSourceMethodTests(TempMediaMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.phoneme = make_phoneme("iː")

    def test_quality_scores(self):
        scores = {
            source_type: make_audio(
                self.phoneme, source_type, voice_id=source_type
            ).get_quality_score()
            for source_type in (NATIVE, TTS, GENERATED)
        }
        self.assertEqual(scores, {NATIVE: 100, TTS: 90, GENERATED: 80})

    def test_is_native(self):
        self.assertTrue(make_audio(self.phoneme, NATIVE).is_native())
        self.assertFalse(make_audio(self.phoneme, TTS).is_native())

    def test_get_url_of_local_file_is_under_media(self):
        url = make_audio(self.phoneme).get_url()
        self.assertIn("/media/", url)
        self.assertIn("phonemes/audio/", url)

    def test_get_url_without_file_is_none(self):
        self.assertIsNone(make_audio(self.phoneme, with_file=False).get_url())

    def test_mark_cached_sets_expiry_days_ahead(self):
        source = make_audio(self.phoneme, TTS)
        source.mark_cached(days=7)
        source.refresh_from_db()
        expected = timezone.now() + timedelta(days=7)
        self.assertLess(abs((source.cached_until - expected).total_seconds()), 5)
        self.assertTrue(source.is_cached())

    def test_mark_cached_defaults_to_thirty_days(self):
        source = make_audio(self.phoneme, TTS)
        source.mark_cached()
        self.assertEqual((source.cached_until - timezone.now()).days, 29)

    def test_str_and_repr(self):
        source = make_audio(self.phoneme, TTS)
        self.assertEqual(str(source), "iː - TTS Generated (Cached) - HIGH QUALITY")
        self.assertEqual(repr(source), "<AudioSource: iː (tts)>")


class CachedUntilMeaningTests(TempMediaMixin, TestCase):
    """NULL cached_until means "never expires", in is_cached() and get_audio() alike."""

    @classmethod
    def setUpTestData(cls):
        cls.phoneme = make_phoneme("ɪ")

    def test_null_cached_until_never_expires(self):
        source = make_audio(self.phoneme, TTS)
        self.assertIsNone(source.cached_until)
        self.assertTrue(source.is_cached())
        self.assertEqual(self.phoneme.get_audio(), source)

    def test_past_cached_until_is_expired_everywhere(self):
        source = make_audio(self.phoneme, TTS, expires_in_days=-1)
        self.assertFalse(source.is_cached())
        self.assertIsNone(self.phoneme.get_audio())
        self.assertFalse(AudioSource.objects.playable().filter(pk=source.pk).exists())

    def test_future_cached_until_is_valid_everywhere(self):
        source = make_audio(self.phoneme, TTS, expires_in_days=30)
        self.assertTrue(source.is_cached())
        self.assertEqual(self.phoneme.get_audio(), source)

    def test_native_without_expiry_is_cached(self):
        self.assertTrue(make_audio(self.phoneme, NATIVE).is_cached())


class EmptyFileTests(TempMediaMixin, TestCase):
    """An empty FileField is stored as '' and must never be returned as playable."""

    @classmethod
    def setUpTestData(cls):
        cls.phoneme = make_phoneme("ʊ")

    def test_empty_file_is_stored_as_empty_string_not_null(self):
        source = make_audio(self.phoneme, NATIVE, with_file=False)
        self.assertTrue(AudioSource.objects.filter(pk=source.pk, audio_file__isnull=False).exists())
        self.assertTrue(AudioSource.objects.filter(pk=source.pk, audio_file="").exists())

    def test_native_without_file_is_not_returned(self):
        make_audio(self.phoneme, NATIVE, with_file=False)
        self.assertIsNone(self.phoneme.get_audio())
        self.assertFalse(AudioSource.objects.playable().exists())

    def test_native_without_file_falls_through_to_tts(self):
        make_audio(self.phoneme, NATIVE, with_file=False)
        tts = make_audio(self.phoneme, TTS, expires_in_days=30)
        self.assertEqual(self.phoneme.get_audio(), tts)

    def test_preferred_without_file_is_skipped(self):
        empty = make_audio(self.phoneme, NATIVE, with_file=False)
        native = make_audio(self.phoneme, NATIVE, voice_id="speaker-2")
        self.phoneme.preferred_audio_source = empty
        self.phoneme.save()
        self.assertEqual(self.phoneme.get_audio(), native)
        self.assertFalse(empty.is_playable())


class UniquenessTests(TempMediaMixin, TestCase):
    """Several native speakers per phoneme; one synthesized file per voice and settings."""

    @classmethod
    def setUpTestData(cls):
        cls.phoneme = make_phoneme("uː")

    def test_two_native_speakers_of_one_phoneme_and_voice_id_are_allowed(self):
        male = make_audio(
            self.phoneme, NATIVE, voice_id="native", metadata={"speaker_gender": "male"}
        )
        female = make_audio(
            self.phoneme, NATIVE, voice_id="native", metadata={"speaker_gender": "female"}
        )
        self.assertEqual(set(self.phoneme.audio_sources.all()), {male, female})

    def test_duplicate_cached_tts_for_same_voice_and_settings_is_rejected(self):
        sonia = {"voice_id": "en-GB-SoniaNeural", "engine": "edge-tts", "tts_rate": "-30%"}
        make_audio(self.phoneme, TTS, **sonia)
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_audio(self.phoneme, TTS, **sonia)

    def test_duplicate_without_settings_is_rejected(self):
        make_audio(self.phoneme, TTS)
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_audio(self.phoneme, TTS)

    def test_full_clean_reports_the_duplicate(self):
        make_audio(self.phoneme, TTS, engine="espeak-ng")
        duplicate = AudioSource(
            phoneme=self.phoneme, source_type=TTS, engine="espeak-ng", audio_file="x.mp3"
        )
        with self.assertRaisesMessage(ValidationError, "already has synthesized audio"):
            duplicate.full_clean()

    def test_other_rate_pitch_engine_voice_or_word_are_distinct_sounds(self):
        make_audio(self.phoneme, TTS, tts_rate="-30%")
        make_audio(self.phoneme, TTS, tts_rate="+0%")
        make_audio(self.phoneme, TTS, tts_rate="-30%", tts_pitch="+5Hz")
        make_audio(self.phoneme, TTS, tts_rate="-30%", engine="espeak-ng")
        make_audio(self.phoneme, TTS, voice_id="en-US-GuyNeural", tts_rate="-30%")
        make_audio(self.phoneme, TTS, word="blue", tts_rate="-30%")
        self.assertEqual(self.phoneme.audio_sources.count(), 6)

    def test_settings_written_in_metadata_the_old_way_fill_the_empty_columns(self):
        source = make_audio(self.phoneme, TTS, metadata={"engine": "edge-tts", "tts_rate": "+0%"})
        source.refresh_from_db()
        self.assertEqual((source.engine, source.tts_rate), ("edge-tts", "+0%"))
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_audio(self.phoneme, TTS, engine="edge-tts", tts_rate="+0%")

    def test_cached_and_on_demand_copies_may_coexist(self):
        make_audio(self.phoneme, TTS)
        make_audio(self.phoneme, GENERATED)
        self.assertEqual(self.phoneme.audio_sources.count(), 2)

    def test_unknown_source_type_is_rejected_by_the_database(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            AudioSource.objects.create(
                phoneme=self.phoneme, source_type="robot", audio_file="a.mp3"
            )


class AudioCacheTests(TempMediaMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.phoneme = make_phoneme("e")

    def setUp(self):
        self.source = make_audio(self.phoneme, TTS)
        self.cache = AudioCache.objects.create(
            audio_source=self.source, file_size=3 * 1024 * 1024 // 2
        )

    def test_file_size_mb(self):
        self.assertEqual(self.cache.get_file_size_mb(), 1.5)

    def test_cache_age_days(self):
        AudioCache.objects.filter(pk=self.cache.pk).update(
            generated_at=timezone.now() - timedelta(days=3, hours=1)
        )
        self.cache.refresh_from_db()
        self.assertEqual(self.cache.get_cache_age_days(), 3)

    def test_record_access_counts_and_stamps(self):
        before = timezone.now()
        self.assertEqual(self.cache.record_access(), 1)
        self.assertEqual(self.cache.record_access(), 2)
        self.cache.refresh_from_db()
        self.assertEqual(self.cache.usage_count, 2)
        self.assertGreaterEqual(self.cache.last_accessed_at, before)

    def test_record_access_does_not_overwrite_with_stale_instance(self):
        stale = AudioCache.objects.get(pk=self.cache.pk)
        self.cache.record_access()
        self.assertEqual(stale.record_access(), 2)

    def test_saving_other_fields_is_not_an_access(self):
        long_ago = timezone.now() - timedelta(days=90)
        AudioCache.objects.filter(pk=self.cache.pk).update(last_accessed_at=long_ago)
        self.cache.refresh_from_db()
        self.cache.file_size = 10
        self.cache.save()
        self.cache.refresh_from_db()
        self.assertEqual(self.cache.last_accessed_at, long_ago)

    def test_str_and_repr(self):
        self.assertEqual(str(self.cache), "Cache: e")
        self.assertEqual(repr(self.cache), "<AudioCache: e (0 plays)>")

    def test_deleting_the_source_deletes_its_cache(self):
        self.source.delete()
        self.assertFalse(AudioCache.objects.filter(pk=self.cache.pk).exists())


class AudioFileLifecycleTests(TempMediaMixin, TransactionTestCase):
    def setUp(self):
        self.phoneme = make_phoneme("æ")

    def test_deleting_a_source_deletes_its_file_after_commit(self):
        source = make_audio(self.phoneme, TTS)
        storage, name = source.audio_file.storage, source.audio_file.name
        with transaction.atomic():
            source.delete()
            self.assertTrue(storage.exists(name), "file must stay until the commit")
        self.assertFalse(storage.exists(name))

    def test_rolled_back_delete_keeps_the_file(self):
        source = make_audio(self.phoneme, TTS)
        pk, storage, name = source.pk, source.audio_file.storage, source.audio_file.name
        try:
            with transaction.atomic():
                source.delete()
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        self.assertTrue(AudioSource.objects.filter(pk=pk).exists())
        self.assertTrue(storage.exists(name))

    def test_cascade_from_phoneme_and_queryset_delete_remove_files(self):
        first = make_audio(self.phoneme, NATIVE)
        other = make_phoneme("ʌ")
        second = make_audio(other, NATIVE)
        storage = first.audio_file.storage
        self.phoneme.delete()
        AudioSource.objects.filter(phoneme=other).delete()
        self.assertFalse(storage.exists(first.audio_file.name))
        self.assertFalse(storage.exists(second.audio_file.name))
