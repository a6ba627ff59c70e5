"""SynthesisKey, the one definition of "the same synthesized audio" (phoneme, word, type,
voice, engine, rate, pitch), as on-demand generation, pre-generation and cleanup use it."""

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from apps.curriculum.audio.lifecycle import audio_pregenerate, cleanup_apply, cleanup_plan
from apps.curriculum.audio.lifecycle import pregenerate_tasks as tasks_for
from apps.curriculum.audio.synthesis import SynthesisKey, audio_generate
from apps.curriculum.models import AudioCache, AudioSource
from speech.tts.base import Voice
from speech.tts.locmem import LocMemEngine
from tests.factories import TempMediaMixin, make_audio, make_phoneme
from tests.hermetic import LOCMEM

TTS = AudioSource.SourceType.TTS
GENERATED = AudioSource.SourceType.GENERATED


class OtherLocMemEngine(LocMemEngine):
    """An in-memory engine under another name: "a different engine" for these tests."""

    name = "locmem-2"


OTHER_LOCMEM = {"BACKEND": f"{__name__}.OtherLocMemEngine"}


class SynthesisTestCase(TempMediaMixin, TestCase):
    def setUp(self):
        super().setUp()
        self.phoneme = make_phoneme("iː", example_words=[{"word": "see", "ipa": "/siː/"}])
        self.voice = Voice("espeak", "en-us", "en-US")  # the test voice, in memory

    def stored(self, source_type: str = GENERATED, **fields) -> AudioSource:
        """A playable synthesized row made by the test voice with today's settings, unless
        ``fields`` say otherwise."""
        values = {
            "voice_id": "en-us", "language": "en-US", "engine": "locmem", "tts_rate": "-30%",
            "expires_in_days": 7, **fields,
        }  # fmt: skip
        return make_audio(self.phoneme, source_type, **values)


class SynthesisKeyTests(SynthesisTestCase):
    def test_the_key_of_a_voice_is_what_it_would_make_with_todays_settings(self):
        with override_settings(PHATAM_TTS_RATE="+10%"):
            key = SynthesisKey.for_voice(self.phoneme.pk, voice=self.voice, source_type=TTS)
        self.assertEqual(
            key,
            SynthesisKey(
                phoneme_id=self.phoneme.pk, word="", source_type=TTS, voice_id="en-us",
                engine="locmem", tts_rate="+10%", tts_pitch="",
            ),
        )  # fmt: skip

    def test_a_generated_row_has_the_key_it_was_generated_for(self):
        source = audio_generate(self.phoneme, voice=self.voice, word="see", source_type=TTS)
        self.assertEqual(
            SynthesisKey.of(source),
            SynthesisKey.for_voice(self.phoneme.pk, voice=self.voice, word="see", source_type=TTS),
        )


class GenerationKeyTests(SynthesisTestCase):
    def test_stored_audio_of_the_same_key_is_returned_without_the_engine(self):
        same = self.stored()
        self.assertEqual(audio_generate(self.phoneme, voice=self.voice), same)
        self.assertEqual(LocMemEngine.requests, [])

    def test_audio_made_at_another_rate_is_not_the_same_and_is_generated_anew(self):
        slower = self.stored(tts_rate="-50%")

        source = audio_generate(self.phoneme, voice=self.voice)

        self.assertNotEqual(source.pk, slower.pk)
        self.assertEqual(source.tts_rate, "-30%")
        self.assertEqual([request.rate for request in LocMemEngine.requests], ["-30%"])
        slower.refresh_from_db()
        self.assertTrue(slower.is_playable(), "the other sound is left as it is")

    def test_audio_of_another_engine_with_the_same_voice_id_is_not_the_same(self):
        other = self.stored(engine="locmem-2")

        source = audio_generate(self.phoneme, voice=self.voice)

        self.assertNotEqual(source.pk, other.pk)
        self.assertEqual(source.engine, "locmem")
        self.assertEqual(len(LocMemEngine.requests), 1)

    def test_a_change_of_rate_in_the_settings_makes_new_audio(self):
        first = audio_generate(self.phoneme, voice=self.voice)
        with override_settings(PHATAM_TTS_RATE="+10%"):
            second = audio_generate(self.phoneme, voice=self.voice)

        self.assertNotEqual(first.pk, second.pk)
        self.assertEqual((first.tts_rate, second.tts_rate), ("-30%", "+10%"))
        self.assertEqual(len(LocMemEngine.requests), 2)


class PregenerationKeyTests(SynthesisTestCase):
    def pregenerate(self):
        return audio_pregenerate(tasks_for([self.phoneme], [self.voice], words=False))

    def test_cached_tts_of_the_same_key_is_already_valid(self):
        self.stored(TTS, expires_in_days=30)

        report = self.pregenerate()

        self.assertEqual((report.created, report.skipped), (0, 1))
        self.assertEqual(LocMemEngine.requests, [])

    def test_cached_tts_made_at_another_rate_is_regenerated(self):
        slower = self.stored(TTS, tts_rate="-50%", expires_in_days=30)

        report = self.pregenerate()

        self.assertEqual((report.created, report.skipped), (1, 0))
        self.assertEqual(
            sorted(AudioSource.objects.values_list("tts_rate", flat=True)), ["-30%", "-50%"]
        )
        self.assertTrue(AudioSource.objects.filter(pk=slower.pk).exists())

    def test_on_demand_audio_of_the_same_voice_does_not_count_as_cached_tts(self):
        self.stored(GENERATED)

        report = self.pregenerate()

        self.assertEqual(report.created, 1)
        self.assertTrue(AudioSource.objects.filter(source_type=TTS, engine="locmem").exists())


@override_settings(
    PHATAM_TTS_ENGINES={"espeak": LOCMEM, "other": OTHER_LOCMEM},
    # Two voices of one id: only the engine tells them apart.
    PHATAM_VOICES={"en-US": ["other:en-us", "espeak:en-us"], "en-GB": ["espeak:en-gb-x-rp"]},
)
class CleanupRefreshKeyTests(SynthesisTestCase):
    def expiring_and_played(self, **fields) -> AudioSource:
        source = self.stored(TTS, expires_in_days=1, **fields)
        AudioCache.objects.create(
            audio_source=source, usage_count=2, last_accessed_at=timezone.now()
        )
        return source

    def test_the_refresh_finds_the_voice_by_engine_and_voice_id(self):
        source = self.expiring_and_played(engine="locmem")

        with self.captureOnCommitCallbacks(execute=True):
            report = cleanup_apply(cleanup_plan())

        self.assertEqual((report.refreshed, report.refresh_failed), (1, []))
        (request,) = LocMemEngine.requests
        self.assertEqual(request.voice.key, "espeak:en-us")
        source.refresh_from_db()
        self.assertEqual((source.engine, source.voice_id), ("locmem", "en-us"))
        self.assertGreater(source.cached_until, timezone.now() + timedelta(days=20))

    def test_a_file_whose_engine_is_no_longer_configured_is_not_refreshed(self):
        self.expiring_and_played(engine="edge-tts")

        with self.captureOnCommitCallbacks(execute=True):
            report = cleanup_apply(cleanup_plan())

        self.assertEqual(report.refreshed, 0)
        self.assertIn("edge-tts:en-us is no longer configured", report.refresh_failed[0])
        self.assertEqual(LocMemEngine.requests, [])

    def test_cleanup_audio_reports_what_it_regenerated(self):
        self.expiring_and_played(engine="locmem-2")

        out = StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("cleanup_audio", stdout=out, stderr=StringIO())

        self.assertIn("Regenerated 1", out.getvalue())
        (request,) = LocMemEngine.requests
        self.assertEqual(request.voice.key, "other:en-us")
