"""The life of synthesized audio through its commands: generate_audio (pre-generation),
cleanup_audio (refresh, expiry, orphans) and verify_audio (the acoustic check)."""

import os
import re
import time
from datetime import timedelta
from io import StringIO

from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from apps.curriculum.audio.lifecycle import audio_verify, cleanup_apply, cleanup_plan
from apps.curriculum.audio.synthesis import audio_generate_for_accent
from apps.curriculum.models import AcousticVerdict, AudioCache, AudioSource, Phoneme
from speech.pcm import encode_mp3, tone
from speech.tts.base import SynthesisRequest, TTSError
from speech.tts.locmem import LocMemEngine
from tests.audio_fixtures import FEMALE_US, vowel_mp3
from tests.factories import TempMediaMixin, make_audio, make_category, make_phoneme
from tests.hermetic import EDGE_OFFLINE, LOCMEM, real_espeak, unreachable

NATIVE, TTS, GENERATED = (
    AudioSource.SourceType.NATIVE,
    AudioSource.SourceType.TTS,
    AudioSource.SourceType.GENERATED,
)


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def make_vowels() -> list[Phoneme]:
    category = make_category()
    return [
        make_phoneme("iː", category=category, example_words=[{"word": "see", "ipa": "/siː/"}]),
        make_phoneme(
            "ɪ",
            category=category,
            example_words=[{"word": "sit", "ipa": "/sɪt/"}, {"word": "big", "ipa": "/bɪɡ/"}],
        ),
    ]


TRANSPORT_CALLS: list[str] = []
ONLINE_VOICES = {
    "en-US": ["edge:en-US-AriaNeural", "espeak:en-us"],
    "en-GB": ["edge:en-GB-SoniaNeural", "espeak:en-gb-x-rp"],
}


def unreachable_counted(request: SynthesisRequest, timeout: float) -> bytes:
    TRANSPORT_CALLS.append(request.word)
    return unreachable(request, timeout)


def answers_but_not_big(request: SynthesisRequest, timeout: float) -> bytes:
    """An online service that answers every word but "big" (a real failure, not an outage)."""
    TRANSPORT_CALLS.append(request.word)
    if request.word == "big":
        raise OSError("the service hung up")
    return encode_mp3(tone(0.3), 22050)


def edge_with(transport) -> dict:
    """The real edge-tts engine, its network replaced by ``transport``."""
    return {**EDGE_OFFLINE, "OPTIONS": {"transport": transport}}


class GenerateAudioTests(TempMediaMixin, TestCase):
    def setUp(self):
        self.vowels = make_vowels()

    def test_generates_phonemes_and_example_words_in_every_voice(self):
        output = run("generate_audio")
        # 2 phonemes + 3 words, in 2 voices
        self.assertIn("10 generated, 0 already valid, 0 failed", output)
        self.assertEqual(AudioSource.objects.filter(source_type=TTS).count(), 10)
        self.assertEqual(
            set(AudioSource.objects.values_list("word", flat=True)), {"", "see", "sit", "big"}
        )
        self.assertEqual(
            set(AudioSource.objects.values_list("language", flat=True)), {"en-US", "en-GB"}
        )
        days = {(s.cached_until - timezone.now()).days for s in AudioSource.objects.all()}
        self.assertEqual(days, {29})
        self.assertEqual(AudioCache.objects.count(), 10)

    def test_second_run_keeps_valid_files(self):
        run("generate_audio")
        files = set(AudioSource.objects.values_list("audio_file", flat=True))
        LocMemEngine.reset()
        output = run("generate_audio")
        self.assertIn("0 generated, 10 already valid", output)
        self.assertEqual(LocMemEngine.requests, [])
        self.assertEqual(set(AudioSource.objects.values_list("audio_file", flat=True)), files)

    def test_force_regenerates_in_place(self):
        run("generate_audio", "--no-words")
        files = set(AudioSource.objects.values_list("audio_file", flat=True))
        with self.captureOnCommitCallbacks(execute=True):
            run("generate_audio", "--no-words", "--force")
        self.assertEqual(AudioSource.objects.count(), 4)
        self.assertFalse(files & set(AudioSource.objects.values_list("audio_file", flat=True)))

    def test_filters_by_phoneme_voice_and_accent(self):
        run("generate_audio", "--phoneme", "i:", "--voice", "espeak:en-gb-x-rp", "--no-words")
        source = AudioSource.objects.get()
        self.assertEqual(
            (source.phoneme.ipa_symbol, source.voice_id, source.language),
            ("iː", "en-gb-x-rp", "en-GB"),
        )
        run("generate_audio", "--accent", "en-US", "--no-words")
        self.assertEqual(AudioSource.objects.filter(language="en-US").count(), 2)

    def test_bad_options_are_clear_errors(self):
        for args, message in [
            (["--phoneme", "q"], "Unknown phoneme(s): q"),
            (["--voice", "espeak:nobody"], "Unknown voice(s)"),
            (["--accent", "fr-FR"], "Unknown accent(s)"),
        ]:
            with self.subTest(args=args), self.assertRaisesMessage(CommandError, message):
                run("generate_audio", *args)
        self.assertEqual(AudioSource.objects.count(), 0)

    @override_settings(
        PHATAM_TTS_ENGINES={"edge": edge_with(unreachable_counted), "espeak": LOCMEM},
        PHATAM_VOICES=ONLINE_VOICES,
    )
    def test_online_voices_without_a_network_are_tried_once_and_reported_skipped(self):
        TRANSPORT_CALLS.clear()
        output = run("generate_audio")

        self.assertEqual(len(TRANSPORT_CALLS), 1)  # one probe, not one failure per file
        # eSpeak: 2 phonemes + 3 words in 2 voices; edge-tts: words only, 3 in 2 voices.
        self.assertIn("10 generated, 0 already valid, 0 failed, 6 skipped offline.", output)
        self.assertIn(
            "online voices skipped (no connection: edge-tts failed: OSError: [Errno 101] "
            "Network is unreachable): edge:en-GB-SoniaNeural, edge:en-US-AriaNeural;",
            output,
        )
        self.assertEqual(output.count("skipped (no connection"), 1)
        self.assertNotIn("edge:en-US-AriaNeural: ", output)  # no per-voice failure line
        self.assertFalse(AudioSource.objects.filter(voice_id__endswith="Neural").exists())

    @override_settings(
        PHATAM_TTS_ENGINES={"edge": edge_with(answers_but_not_big), "espeak": LOCMEM},
        PHATAM_VOICES=ONLINE_VOICES,
    )
    def test_an_online_engine_that_answers_keeps_its_failures_as_failures(self):
        TRANSPORT_CALLS.clear()
        output = run("generate_audio")

        # "big" fails; edge-tts then remembers an outage for the words after it, which fail
        # too: failures of an engine that answered, not an engine out of reach.
        self.assertNotIn("skipped", output)
        self.assertIn(
            "edge:en-US-AriaNeural: 1 failed (edge-tts failed: OSError: the service", output
        )
        generated, failed = map(
            int, re.search(r"(\d+) generated, 0 already valid, (\d+) failed\.", output).groups()
        )
        self.assertEqual(generated + failed, 16)
        online = AudioSource.objects.filter(voice_id__in=["en-US-AriaNeural", "en-GB-SoniaNeural"])
        self.assertEqual(online.count(), generated - 10)  # eSpeak: 2 phonemes + 3 words, twice
        self.assertGreaterEqual(online.count(), 1)

    @override_settings(
        PHATAM_TTS_ENGINES={"edge": edge_with(unreachable_counted), "espeak": LOCMEM},
        PHATAM_VOICES={"en-US": ["edge:en-US-AriaNeural"]},
    )
    def test_only_online_voices_and_no_network_is_an_error(self):
        with self.assertRaisesMessage(CommandError, "No audio could be generated"):
            run("generate_audio")

    def test_all_voices_failing_is_an_error(self):
        LocMemEngine.failure = TTSError("broken", retryable=False)
        with self.assertRaisesMessage(CommandError, "No audio could be generated"):
            run("generate_audio", "--no-words")

    def test_needs_a_curriculum(self):
        Phoneme.objects.all().delete()
        with self.assertRaisesMessage(CommandError, "seed_curriculum"):
            run("generate_audio")


class CleanupAudioTests(TempMediaMixin, TestCase):
    def setUp(self):
        self.phoneme = make_vowels()[0]
        self.storage = AudioSource._meta.get_field("audio_file").storage

    def synthesized(
        self, *, expires_in_days: int, played_days_ago: int | None, **fields
    ) -> AudioSource:
        source = make_audio(
            self.phoneme, fields.pop("source_type", TTS), expires_in_days=expires_in_days,
            engine="locmem", tts_rate="-30%", voice_id="en-us", language="en-US", **fields,
        )  # fmt: skip
        if played_days_ago is not None:
            AudioCache.objects.create(
                audio_source=source,
                usage_count=3,
                last_accessed_at=timezone.now() - timedelta(days=played_days_ago),
            )
        return source

    def cleanup(self, *args: str) -> str:
        with self.captureOnCommitCallbacks(execute=True):
            return run("cleanup_audio", *args)

    def test_expired_unplayed_synthesized_audio_and_its_file_go(self):
        source = self.synthesized(expires_in_days=-1, played_days_ago=None)
        name = source.audio_file.name
        self.cleanup()
        self.assertFalse(AudioSource.objects.filter(pk=source.pk).exists())
        self.assertFalse(self.storage.exists(name))

    def test_native_recordings_are_never_touched(self):
        native = make_audio(self.phoneme, NATIVE, expires_in_days=-10)
        AudioSource.objects.filter(pk=native.pk).update(
            created_at=timezone.now() - timedelta(days=400)
        )
        self.cleanup("--unused-days", "0")
        self.assertTrue(AudioSource.objects.filter(pk=native.pk).exists())
        self.assertTrue(self.storage.exists(native.audio_file.name))

    def test_audio_not_played_for_the_unused_window_goes_and_played_audio_stays(self):
        stale = self.synthesized(expires_in_days=20, played_days_ago=45, word="see")
        fresh = self.synthesized(expires_in_days=20, played_days_ago=2)
        self.cleanup("--unused-days", "30")
        self.assertFalse(AudioSource.objects.filter(pk=stale.pk).exists())
        self.assertTrue(AudioSource.objects.filter(pk=fresh.pk).exists())

    def test_expiring_audio_that_is_still_played_is_regenerated(self):
        source = self.synthesized(expires_in_days=1, played_days_ago=1)
        old_name = source.audio_file.name
        output = self.cleanup()
        self.assertIn("Regenerated 1", output)
        source.refresh_from_db()
        self.assertGreater((source.cached_until - timezone.now()).days, 20)
        self.assertNotEqual(source.audio_file.name, old_name)
        self.assertFalse(self.storage.exists(old_name))
        self.assertEqual(source.cache.usage_count, 3)  # the plays are kept

    def test_orphan_files_go_after_a_grace_period(self):
        kept = self.synthesized(expires_in_days=20, played_days_ago=1)
        old_orphan = self.storage.save("phonemes/audio/2020/01/01/lost.mp3", ContentFile(b"x"))
        young_orphan = self.storage.save("phonemes/audio/2020/01/01/new.mp3", ContentFile(b"y"))
        long_ago = time.time() - 3 * 3600
        os.utime(self.storage.path(old_orphan), (long_ago, long_ago))
        self.cleanup()
        self.assertFalse(self.storage.exists(old_orphan))
        self.assertTrue(self.storage.exists(young_orphan))
        self.assertTrue(self.storage.exists(kept.audio_file.name))

    def test_audio_regenerated_after_the_plan_is_not_deleted(self):
        source = self.synthesized(expires_in_days=-1, played_days_ago=None)
        plan = cleanup_plan()
        self.assertEqual(plan.expired, [source])
        # A learner's request regenerates it in place while the cleanup is still running.
        AudioSource.objects.filter(pk=source.pk).update(
            cached_until=timezone.now() + timedelta(days=7)
        )
        with self.captureOnCommitCallbacks(execute=True):
            report = cleanup_apply(plan)
        self.assertEqual(report.deleted_sources, 0)
        self.assertTrue(AudioSource.objects.filter(pk=source.pk).exists())
        self.assertTrue(self.storage.exists(source.audio_file.name))

    def test_dry_run_lists_and_changes_nothing(self):
        expired = self.synthesized(expires_in_days=-1, played_days_ago=None)
        output = self.cleanup("--dry-run")
        self.assertIn("Would delete (expired): 1", output)
        self.assertIn(repr(expired), output)
        self.assertIn("nothing was changed", output)
        self.assertTrue(AudioSource.objects.filter(pk=expired.pk).exists())
        self.assertTrue(self.storage.exists(expired.audio_file.name))

    def test_a_pinned_source_is_kept(self):
        pinned = self.synthesized(expires_in_days=20, played_days_ago=100)
        self.phoneme.preferred_audio_source = pinned
        self.phoneme.save()
        self.cleanup()
        self.assertTrue(AudioSource.objects.filter(pk=pinned.pk).exists())

    def test_negative_days_are_refused(self):
        with self.assertRaises(SystemExit) as exit_info:
            run("cleanup_audio", "--unused-days", "-1")
        self.assertEqual(exit_info.exception.code, 2)


@real_espeak
class VerifyAudioTests(TempMediaMixin, TestCase):
    """The real engines: eSpeak NG says the vowels, Praat measures them."""

    @classmethod
    def setUpTestData(cls):
        call_command("seed_curriculum", stdout=StringIO())
        # The audio each test measures, made once for the class as a learner's request would
        # (eSpeak NG, and the acoustic check at generation, are most of the work): each test
        # then finds it stored, as generated on demand.
        for accent in ("en-US", "en-GB"):
            for phoneme in Phoneme.objects.all():
                audio_generate_for_accent(phoneme.pk, accent=accent)

    def test_every_accent_passes_and_prints_the_table(self):
        output = run("verify_audio")
        self.assertIn("en-US: monophthongs against Hillenbrand et al. 1995, men", output)
        self.assertIn("en-GB: monophthongs against Deterding 1997, men", output)
        self.assertRegex(output, r"/iː/\s+en-us\s+generated\s+\d+\s+\d+\s+i\s")
        self.assertRegex(output, r"en-US: 1[12]/12 monophthongs right \(threshold 11\): pass")
        self.assertRegex(output, r"en-GB: 1[12]/12 monophthongs right \(threshold 11\): pass")
        self.assertIn("8/8 diphthong glides right", output)

    def test_a_score_under_the_threshold_fails(self):
        with self.assertRaisesMessage(CommandError, "Under 13/12 monophthongs right"):
            run("verify_audio", "--accent", "en-GB", "--threshold", "13")

    def test_every_phoneme_passes_and_its_verdict_is_stored(self):
        output = run("verify_audio", "--accent", "en-US")
        sources = {
            source.phoneme.ipa_symbol: source
            for source in AudioSource.objects.filter(language="en-US").select_related("phoneme")
        }
        verdicts = {symbol: source.acoustic_verdict for symbol, source in sources.items()}
        self.assertEqual(len(verdicts), 44)
        self.assertEqual(set(verdicts.values()), {AcousticVerdict.PASSED})
        references = sources["æ"].metadata["acoustic"]["references"]
        self.assertEqual([r["nearest"] for r in references], ["æ", "æ"])  # two studies
        self.assertLessEqual(sources["p"].metadata["acoustic"]["voiced_percent"], 20)
        self.assertIn("en-US: 24/24 consonants right (threshold 24): pass", output)

    def test_a_failing_consonant_is_flagged_and_fails_the_command(self):
        source = AudioSource(
            phoneme=Phoneme.objects.get(ipa_symbol="s"), source_type=NATIVE, language="en-US"
        )
        source.audio_file.save("ee.mp3", ContentFile(vowel_mp3("iː", "en-us")), save=False)
        source.save()
        # Pinned: served before the generated /s/ that passed its check.
        Phoneme.objects.filter(pk=source.phoneme_id).update(preferred_audio_source=source)
        with self.assertRaisesMessage(CommandError, "Under 24/24 consonants right: en-US"):
            run("verify_audio", "--accent", "en-US")
        source.refresh_from_db()
        self.assertEqual(source.acoustic_verdict, AcousticVerdict.FAILED)
        self.assertIn("voiced ≤ 20 %", source.metadata["acoustic"]["failures"])
        run("verify_audio", "--accent", "en-US", "--consonant-threshold", "23")

    def test_unknown_accent_is_refused(self):
        with self.assertRaisesMessage(CommandError, "Unknown accent(s) ['fr-FR']"):
            run("verify_audio", "--accent", "fr-FR")


class VerifyWomensRecordingsTests(TempMediaMixin, TestCase):
    def test_a_womans_recording_is_judged_against_womens_formants(self):
        # eSpeak's female /ʌ/ (F1 ~664, F2 ~1405 Hz) is /ʌ/ for a woman, not for a man.
        phoneme = make_phoneme("ʌ", category=make_category())
        source = AudioSource(
            phoneme=phoneme,
            source_type=NATIVE,
            language="en-US",
            metadata={"speaker_gender": "female"},
        )
        source.audio_file.save("lan.mp3", ContentFile(vowel_mp3("ʌ", FEMALE_US)), save=False)
        source.save()
        (row,) = audio_verify([phoneme], accent="en-US")
        self.assertTrue(row.passed, row.verdict)
        source.refresh_from_db()
        self.assertEqual(source.acoustic_verdict, AcousticVerdict.PASSED)
        self.assertEqual(source.metadata["acoustic"]["reference"], "Hillenbrand et al. 1995, women")
