"""Drills for the Vietnamese learner's problems: the rule of each kind, the drills of the real
curriculum stored as pairs of their kind, queryable, and their words' audio pre-generated."""

from django.core.management import CommandError
from django.test import SimpleTestCase, TestCase

from apps.curriculum.audio.lifecycle import pregenerate_tasks
from apps.curriculum.audio.voices import voices_for
from apps.curriculum.models import MinimalPair, Phoneme
from apps.curriculum.selectors import (
    example_word_get,
    minimal_pairs_list,
    practice_words_by_phoneme,
)
from speech.contrasts import KINDS, ContrastError, NotThisKind, pair_contrast
from tests.test_curriculum_content.seeding import entry, real_data, seed, write_yaml

DRILL_KINDS = {"final_consonant", "cluster", "ending", "th", "sh_s", "length", "stress"}


class PairContrastTests(SimpleTestCase):
    def assert_contrast(self, kind: str, first: str, second: str, sounds: tuple[str, str]):
        with self.subTest(kind=kind, first=first, second=second):
            self.assertEqual(pair_contrast(kind, first, second), sounds)

    def assert_refused(self, kind: str, first: str, second: str, message: str):
        with (
            self.subTest(kind=kind, first=first, second=second),
            self.assertRaisesMessage(ContrastError, message),
        ):
            pair_contrast(kind, first, second)

    def test_the_model_and_the_rules_know_the_same_kinds(self):
        self.assertEqual(set(KINDS), set(MinimalPair.Kind.values))
        self.assertEqual(set(KINDS) - {"pair"}, DRILL_KINDS)

    def test_a_final_consonant_drill_differs_in_the_last_consonant_only(self):
        self.assert_contrast("final_consonant", "/laɪk/", "/laɪt/", ("k", "t"))
        self.assert_contrast("final_consonant", "/bæt/", "/bæd/", ("t", "d"))
        self.assert_refused("final_consonant", "/bæt/", "/bet/", "final consonant")
        self.assert_refused("final_consonant", "/bæt/", "/bæts/", "one sound, at one place")
        self.assert_refused("final_consonant", "/taɪt/", "/ˈtaɪtə/", "one sound, at one place")

    def test_a_final_consonant_drill_may_drop_the_final_after_a_vowel(self):
        self.assert_contrast("final_consonant", "/taɪ/", "/taɪt/", ("aɪ", "t"))
        self.assert_contrast("final_consonant", "/taɪm/", "/taɪ/", ("m", "aɪ"))
        self.assert_refused("final_consonant", "/taɪ/", "/taɪts/", "one sound, at one place")

    def test_phrases_differ_in_one_word_and_follow_its_kind(self):
        self.assert_contrast("ending", "/pɪk ˈʌp/", "/pɪkt ˈʌp/", ("k", "t"))
        self.assert_contrast("ending", "/wɔːk ˈɪn/", "/wɔːks ˈɪn/", ("k", "s"))
        self.assert_refused("ending", "/pɪk ˈʌp/", "/pɪkt ˈɒn/", "the same words but one")
        self.assert_refused("ending", "/pɪk/", "/pɪkt ˈʌp/", "the same words but one")

    def test_a_cluster_drill_adds_consonants_that_end_in_a_cluster(self):
        self.assert_contrast("cluster", "/kəʊl/", "/kəʊld/", ("l", "d"))
        self.assert_contrast("cluster", "/desk/", "/desks/", ("k", "s"))
        self.assert_refused("cluster", "/pleɪ/", "/pleɪd/", "ending in a cluster")
        self.assert_refused("cluster", "/kəʊl/", "/ɡəʊld/", "ending in a cluster")

    def test_an_ending_drill_takes_the_ending_its_stem_calls_for(self):
        self.assert_contrast("ending", "/wɔːk/", "/wɔːkt/", ("k", "t"))
        self.assert_contrast("ending", "/wɔːks/", "/wɔːkt/", ("s", "t"))
        self.assert_contrast("ending", "/pleɪ/", "/pleɪd/", ("eɪ", "d"))
        self.assert_contrast("ending", "/bʌs/", "/ˈbʌsɪz/", ("s", "z"))
        self.assert_contrast("ending", "/stɑːrt/", "/ˈstɑːrtəd/", ("t", "d"))
        self.assert_refused("ending", "/wɔːk/", "/wɔːkd/", "after /k/ the ending is /t/")
        self.assert_refused("ending", "/dɒɡ/", "/dɒɡs/", "after /ɡ/ the ending is /z/")
        self.assert_refused("ending", "/bʌs/", "/bʌss/", "after /s/ the ending is /ɪz/")
        self.assert_refused("ending", "/kæt/", "/ˈkætəl/", "does not add an -s or -ed ending")

    def test_a_th_drill_needs_th_on_one_side(self):
        self.assert_contrast("th", "/θɪk/", "/tɪk/", ("θ", "t"))
        self.assert_contrast("th", "/ˈtiːðɪŋ/", "/ˈtiːzɪŋ/", ("ð", "z"))
        with self.assertRaises(NotThisKind):
            pair_contrast("th", "/tɪk/", "/sɪk/")

    def test_sh_s_and_length_drills(self):
        self.assert_contrast("sh_s", "/ʃɪp/", "/sɪp/", ("ʃ", "s"))
        self.assert_contrast("length", "/bɪt/", "/biːt/", ("ɪ", "iː"))
        self.assert_contrast("length", "/kɑːm/", "/kʌm/", ("ɑː", "ʌ"))
        with self.assertRaises(NotThisKind):
            pair_contrast("sh_s", "/ʃɪp/", "/tʃɪp/")
        with self.assertRaises(NotThisKind):
            pair_contrast("length", "/bɪt/", "/bæt/")

    def test_a_stress_drill_moves_the_stress_over_the_same_consonants(self):
        self.assert_contrast("stress", "/ˈdezət/", "/dɪˈzɜːt/", ("e", "ɪ"))
        self.assert_contrast("stress", "/ˈhjuːmən/", "/hjuːˈmeɪn/", ("ə", "eɪ"))
        self.assert_contrast("stress", "/seɪ ˈhjuːmən/", "/seɪ hjuːˈmeɪn/", ("ə", "eɪ"))
        self.assert_refused("stress", "/ə ˈrekɔːd/", "/tə rɪˈkɔːd/", "the same frame")
        self.assert_refused("stress", "/ˈrekɔːd/", "/ˈrekɪd/", "stressed on the same syllable")
        self.assert_refused("stress", "/θɜːˈtiːn/", "/ˈθɜːti/", "same consonants and syllables")
        self.assert_refused("stress", "/ˈɪnsaɪt/", "/ɪnˈsaɪt/", "have the same vowels")
        self.assert_refused("stress", "/dezət/", "/dɪˈzɜːt/", "primary stress mark")

    def test_an_unknown_kind_is_refused(self):
        self.assert_refused("rhythm", "/bɪt/", "/biːt/", "is not one of")


class RealDrillsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        seed()

    def test_every_drill_kind_has_pairs(self):
        kinds = set(MinimalPair.objects.values_list("kind", flat=True))
        self.assertEqual(kinds, DRILL_KINDS | {"pair"})

    def test_every_stored_pair_keeps_its_kinds_rule(self):
        for pair in MinimalPair.objects.select_related("phoneme_1", "phoneme_2"):
            with self.subTest(pair=str(pair)):
                pair.full_clean()

    def test_the_pairs_of_one_kind_are_listed_for_the_drills(self):
        ending = list(minimal_pairs_list(kind="ending"))
        self.assertEqual({pair.kind for pair in ending}, {"ending"})
        walks_walked = next(p for p in ending if (p.word_1, p.word_2) == ("walks", "walked"))
        self.assertEqual(
            (walks_walked.phoneme_1.ipa_symbol, walks_walked.phoneme_2.ipa_symbol), ("s", "t")
        )
        self.assertEqual(walks_walked.word_2_ipa_us, "wɔːkt")
        th = Phoneme.objects.get(ipa_symbol="θ")
        self.assertEqual({p.kind for p in minimal_pairs_list(phoneme=th, kind="th")}, {"th"})

    def test_a_drill_stores_only_the_pairs_of_its_kind(self):
        self.assertTrue(MinimalPair.objects.filter(word_1="thick", word_2="tick").exists())
        self.assertFalse(MinimalPair.objects.filter(word_1="tick", word_2="sick").exists())

    def test_a_stress_pair_says_each_word_alone_and_labels_it_by_stress(self):
        human = MinimalPair.objects.get(word_1="human", word_2="humane")
        self.assertEqual(human.kind, "stress")
        self.assertEqual((human.phoneme_1.ipa_symbol, human.phoneme_2.ipa_symbol), ("ə", "eɪ"))
        self.assertEqual(
            example_word_get(human.phoneme_2, "Humane", accent="en-US"), ("humane", "hjuːˈmeɪn")
        )
        self.assertEqual(human.choice_label(1, accent="en-US"), "HUman (con người)")
        self.assertEqual(human.choice_label(2, accent="en-GB"), "huMANE (nhân đạo)")

    def test_no_stress_pair_has_a_frame_that_tells_the_answer(self):
        for pair in MinimalPair.objects.filter(kind="stress"):
            with self.subTest(pair=str(pair)):
                self.assertNotIn(" ", pair.word_1 + pair.word_2)
                self.assertTrue(pair.word_1_label and pair.word_2_label)
                self.assertNotEqual(pair.word_1_label, pair.word_2_label)

    def test_every_drill_word_is_pre_generated_once_per_phoneme_and_voice(self):
        phonemes = list(Phoneme.objects.chart_order())
        voices = [*voices_for("en-US"), *voices_for("en-GB")]
        tasks = pregenerate_tasks(phonemes, voices)
        keys = [(task.phoneme.ipa_symbol, task.voice.key, task.word) for task in tasks]
        self.assertEqual(len(keys), len(set(keys)))
        for voice in voices:
            for pair in MinimalPair.objects.select_related("phoneme_1", "phoneme_2"):
                self.assertIn((pair.phoneme_1.ipa_symbol, voice.key, pair.word_1), keys)
                self.assertIn((pair.phoneme_2.ipa_symbol, voice.key, pair.word_2), keys)
        self.assertIn(("ɪ", voices[0].key, "ship"), keys)  # an example word and a pair word

    def test_the_words_of_every_phoneme_cost_one_query_however_many_phonemes(self):
        phonemes = list(Phoneme.objects.chart_order())
        for size in (22, 44):
            with self.subTest(phonemes=size), self.assertNumQueries(1):
                words = practice_words_by_phoneme(phonemes[:size])
            self.assertEqual(len(words), size)


def find_drill(data: dict, first_word: str) -> dict:
    [drill] = [d for d in data["drills"] if d["words"][0]["word"] == first_word]
    return drill


class SeedChecksDrillsTests(TestCase):
    def assert_refused(self, data: dict, *messages: str) -> None:
        with self.assertRaises(CommandError) as caught:
            seed(write_yaml(self, data))
        for message in messages:
            self.assertIn(message, str(caught.exception))
        self.assertEqual(MinimalPair.objects.count(), 0)

    def test_the_phonemes_must_be_the_sounds_the_pairs_contrast(self):
        data = real_data()
        find_drill(data, "lie")["phonemes"] = ["k", "t"]
        self.assert_refused(
            data, "'phonemes' must list the sounds its pairs contrast: /aɪ/ /k/ /n/ /t/"
        )

    def test_a_drill_must_hold_in_the_american_forms_too(self):
        data = real_data()
        data["drills"].append(
            {
                "kind": "length",
                "phonemes": ["ʌ", "ɑː"],
                "note_vi": "'cut' ngắn, 'cart' dài.",
                "words": [
                    entry("cut", "/kʌt/", "/kʌt/"),
                    entry("cart", "/kɑːt/", "/kɑːrt/"),
                ],
            }
        )
        self.assert_refused(data, "cut, cart: in the US forms, /kʌt/ and /kɑːrt/ must differ")

    def test_an_ending_in_the_wrong_form_is_refused(self):
        data = real_data()
        find_drill(data, "walk")["words"][2]["ipa"] = "/wɔːkd/"
        self.assert_refused(data, "after /k/ the ending is /t/")

    def test_a_word_that_contrasts_with_nothing_of_its_kind_is_refused(self):
        data = real_data()
        find_drill(data, "thick")["words"].pop(0)
        self.assert_refused(data, "'tick' contrasts with no other word as a th")

    def test_a_drill_may_not_repeat_a_minimal_pair(self):
        data = real_data()
        find_drill(data, "ship")["words"][1] = entry("sheep", "/ʃiːp/", "/ʃiːp/")
        find_drill(data, "ship")["kind"] = "length"
        find_drill(data, "ship")["phonemes"] = ["ɪ", "iː"]
        self.assert_refused(data, "ship/sheep: listed twice")
