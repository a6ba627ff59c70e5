from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.test import TestCase

from apps.curriculum.models import AudioSource, Phoneme, PhonemeCategory
from apps.curriculum.selectors import phoneme_get_by_ipa
from tests.factories import TempMediaMixin, make_audio, make_category, make_phoneme


class PhonemeCreationTests(TestCase):
    def test_category_ipa_and_approximation_are_enough(self):
        category = PhonemeCategory.objects.create(
            name="Monophthongs", name_vi="Nguyên âm đơn", category_type="vowel"
        )
        phoneme = Phoneme.objects.create(
            category=category, ipa_symbol="iː", vietnamese_approx="i (kéo dài)"
        )
        phoneme.refresh_from_db()
        self.assertEqual(phoneme.example_words, [])
        self.assertEqual(phoneme.order, 0)
        self.assertIsNone(phoneme.preferred_audio_source)
        self.assertEqual(str(phoneme), "/iː/")

    def test_ipa_symbol_is_unique(self):
        make_phoneme("ʃ")
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_phoneme("ʃ")

    def test_category_type_is_limited_by_the_database(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            PhonemeCategory.objects.create(name="X", name_vi="X", category_type="click")

    def test_a_category_with_phonemes_cannot_be_deleted(self):
        phoneme = make_phoneme("ɒ")
        with self.assertRaises(ProtectedError):
            phoneme.category.delete()


class IPALookupTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.long_i = make_phoneme("iː")
        cls.g = make_phoneme("ɡ")
        cls.ch = make_phoneme("tʃ")

    def test_ascii_colon_finds_the_length_mark(self):
        self.assertEqual(Phoneme.objects.get(ipa_symbol="i:"), self.long_i)
        self.assertEqual(phoneme_get_by_ipa("i:"), self.long_i)

    def test_slashes_and_spaces_are_ignored(self):
        self.assertEqual(phoneme_get_by_ipa(" /iː/ "), self.long_i)

    def test_latin_g_and_ligatures_are_aliases(self):
        self.assertEqual(phoneme_get_by_ipa("g"), self.g)
        self.assertEqual(phoneme_get_by_ipa("ʧ"), self.ch)

    def test_symbol_is_stored_canonical(self):
        phoneme = make_phoneme("u:")
        phoneme.refresh_from_db()
        self.assertEqual(phoneme.ipa_symbol, "uː")

    def test_unknown_symbol_raises_does_not_exist(self):
        with self.assertRaises(Phoneme.DoesNotExist):
            phoneme_get_by_ipa("q")


class ExampleWordValidationTests(TestCase):
    def setUp(self):
        self.phoneme = make_phoneme("e", vietnamese_approx="e")

    def test_words_that_contain_the_phoneme_are_valid(self):
        self.phoneme.example_words = [
            {"word": "bed", "ipa": "/bed/"},
            {"word": "red", "ipa": "/red/"},
        ]
        self.phoneme.full_clean()

    def test_a_word_where_the_symbol_is_only_part_of_a_diphthong_is_rejected(self):
        self.phoneme.example_words = [{"word": "day", "ipa": "/deɪ/"}]
        with self.assertRaisesMessage(ValidationError, "does not contain /e/"):
            self.phoneme.full_clean()

    def test_malformed_entries_are_rejected(self):
        for bad in (
            [{"word": "bed"}],
            ["bed"],
            {"word": "bed", "ipa": "/bed/"},
            [{"word": "", "ipa": "/bed/"}],
        ):
            self.phoneme.example_words = bad
            with self.subTest(bad=bad), self.assertRaises(ValidationError):
                self.phoneme.full_clean()

    def test_unknown_ipa_characters_are_rejected(self):
        self.phoneme.example_words = [{"word": "bed", "ipa": "/bɛd/"}]
        with self.assertRaisesMessage(ValidationError, "unknown IPA character"):
            self.phoneme.full_clean()


class PreferredAudioSourceTests(TempMediaMixin, TestCase):
    """A phoneme can only pin its own audio."""

    @classmethod
    def setUpTestData(cls):
        category = make_category()
        cls.phoneme = make_phoneme("iː", category=category)
        cls.other = make_phoneme("ɪ", category=category)

    def test_pinning_own_audio_is_allowed(self):
        source = make_audio(self.phoneme)
        self.phoneme.preferred_audio_source = source
        self.phoneme.full_clean()
        self.phoneme.save()
        self.phoneme.refresh_from_db()
        self.assertEqual(self.phoneme.preferred_audio_source, source)

    def test_pinning_another_phonemes_audio_fails_validation(self):
        self.phoneme.preferred_audio_source = make_audio(self.other)
        with self.assertRaisesMessage(ValidationError, "can only prefer its own audio"):
            self.phoneme.full_clean()

    def test_pinning_another_phonemes_audio_is_refused_on_save(self):
        self.phoneme.preferred_audio_source = make_audio(self.other)
        with self.assertRaises(ValidationError):
            self.phoneme.save()
        self.assertIsNone(Phoneme.objects.get(pk=self.phoneme.pk).preferred_audio_source_id)

    def test_deleting_the_pinned_source_unpins_it(self):
        pinned = make_audio(self.phoneme, voice_id="speaker-1")
        fallback = make_audio(self.phoneme, voice_id="speaker-2")
        self.phoneme.preferred_audio_source = pinned
        self.phoneme.save()
        pinned.delete()
        self.phoneme.refresh_from_db()
        self.assertIsNone(self.phoneme.preferred_audio_source)
        self.assertEqual(self.phoneme.get_audio(), fallback)

    def test_pinned_source_wins_over_a_newer_native(self):
        pinned = make_audio(self.phoneme, AudioSource.SourceType.TTS)
        make_audio(self.phoneme, AudioSource.SourceType.NATIVE)
        self.phoneme.preferred_audio_source = pinned
        self.phoneme.save()
        self.assertEqual(self.phoneme.get_audio(), pinned)

    def test_force_refresh_rereads_the_pin(self):
        pinned = make_audio(self.phoneme, AudioSource.SourceType.TTS)
        make_audio(self.phoneme, AudioSource.SourceType.NATIVE)
        Phoneme.objects.filter(pk=self.phoneme.pk).update(preferred_audio_source=pinned)
        self.assertNotEqual(self.phoneme.get_audio(), pinned)
        self.assertEqual(self.phoneme.get_audio(force_refresh=True), pinned)


class PinnedWordAudioTests(TempMediaMixin, TestCase):
    def test_the_audio_of_an_example_word_cannot_be_pinned(self):
        phoneme = make_phoneme("iː")
        phoneme.preferred_audio_source = make_audio(phoneme, word="see")
        with self.assertRaisesMessage(ValidationError, "says the word 'see'"):
            phoneme.full_clean()
