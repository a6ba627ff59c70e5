"""seed_curriculum refuses pairs a learner cannot hear in an accent they claim, and stress
pairs whose spoken frame tells the answer; it lists every offender and exits non-zero."""

from django.core.management import CommandError, call_command
from django.test import TestCase

from apps.curriculum.models import MinimalPair, Phoneme
from tests.test_curriculum_content.seeding import entry, real_data, seed, write_yaml


def find_pair(data: dict, word_1: str, word_2: str) -> dict:
    [pair] = [
        p
        for p in data["minimal_pairs"]
        if (p["word_1"]["word"], p["word_2"]["word"]) == (word_1, word_2)
    ]
    return pair


def say_everywhere(data: dict, word: str, **forms: str) -> None:
    """Give ``word`` new forms wherever the file has it (one spelling, one pronunciation)."""
    places = [e for p in data["phonemes"] for e in p["example_words"]]
    places += [p[key] for p in data["minimal_pairs"] for key in ("word_1", "word_2")]
    places += [w for d in data["drills"] for w in d["words"]]
    for place in places:
        if place["word"] == word:
            place.update(forms)


def find_drill(data: dict, first_word: str) -> dict:
    [drill] = [d for d in data["drills"] if d["words"][0]["word"] == first_word]
    return drill


class SeedRefusesMergedPairsTests(TestCase):
    def assert_refused(self, data: dict, *messages: str) -> str:
        with self.assertRaises(CommandError) as caught:
            seed(write_yaml(self, data))
        text = str(caught.exception)
        for message in messages:
            self.assertIn(message, text)
        self.assertIn("nothing was changed", text)
        self.assertEqual(MinimalPair.objects.count(), 0)
        return text

    def test_a_pair_said_alike_in_american_english_is_refused_when_it_claims_the_us(self):
        data = real_data()
        pair = find_pair(data, "cot", "caught")
        say_everywhere(data, "caught", ipa_us="/kɑːt/")  # the merger, which CMUdict also lists
        seed(write_yaml(self, data))  # a British-only pair may be merged in the US
        self.assertEqual(MinimalPair.objects.get(word_1="cot").accents, "gb")
        MinimalPair.objects.all().delete()

        pair["accents"] = "both"
        self.assert_refused(
            data,
            "'cot' and 'caught' sound the same in the accent(s) it claims "
            "(American (ipa_us) /kɑːt/ for both)",
            "set 'accents: gb'",
        )

    def test_a_pair_said_alike_in_british_english_is_refused_when_it_claims_gb(self):
        data = real_data()
        pair = find_pair(data, "sure", "shore")
        pair["word_1"]["ipa"] = "/ʃɔː/"  # modern British English
        pair["word_1"]["word"] = "sure"
        pair["accents"] = "both"
        for phoneme in data["phonemes"]:  # one spelling, one pronunciation
            phoneme["example_words"] = [e for e in phoneme["example_words"] if e["word"] != "sure"]
        text = self.assert_refused(
            data,
            "'sure' and 'shore' sound the same in the accent(s) it claims "
            "(British (ipa) /ʃɔː/ for both)",
            "set 'accents: us'",
        )
        self.assertEqual(text.count("sound the same"), 1)

    def test_every_merged_pair_is_listed_at_once(self):
        data = real_data()
        cot = find_pair(data, "cot", "caught")
        cot["accents"] = "both"
        say_everywhere(data, "caught", ipa_us="/kɑːt/")
        for words in (("tour", "tore"), ("poor", "pour")):
            find_pair(data, *words)["accents"] = "gb"
        find_pair(data, "poor", "pour")["word_1"]["ipa"] = "/pɔː/"
        text = self.assert_refused(
            data, "'cot' and 'caught' sound the same", "'poor' and 'pour' sound the same"
        )
        self.assertNotIn("'tour' and 'tore' sound the same", text)  # different in GB: fine

    def test_a_drill_pair_said_alike_in_a_claimed_accent_is_refused(self):
        data = real_data()
        drill = find_drill(data, "ten")
        drill["words"][1] = entry("tent", "/ten/", "/tent/", ipa_us_checked=False, reason="test")
        self.assert_refused(data, "'ten' and 'tent' sound the same")

    def test_an_unknown_accents_value_is_refused(self):
        data = real_data()
        find_pair(data, "cot", "caught")["accents"] = "au"
        self.assert_refused(data, "accents 'au' is not one of both, us, gb")

    def test_the_command_exits_non_zero_and_lists_the_offenders(self):
        data = real_data()
        cot = find_pair(data, "cot", "caught")
        cot["accents"] = "both"
        say_everywhere(data, "caught", ipa_us="/kɑːt/")
        path = write_yaml(self, data)
        # The command line's own path (exit status, message on stderr) closes the database
        # connections on its way out, so it is taken through call_command here.
        with self.assertRaises(CommandError) as refused:
            call_command("seed_curriculum", "--file", str(path))
        self.assertNotEqual(refused.exception.returncode, 0)
        self.assertIn("'cot' and 'caught' sound the same", str(refused.exception))
        self.assertEqual(Phoneme.objects.count(), 0)


class SeedRefusesStressGiveAwaysTests(TestCase):
    def assert_refused(self, data: dict, *messages: str) -> None:
        with self.assertRaises(CommandError) as caught:
            seed(write_yaml(self, data))
        for message in messages:
            self.assertIn(message, str(caught.exception))
        self.assertEqual(MinimalPair.objects.count(), 0)

    def stress_drill(self, first: dict, second: dict) -> dict:
        return {
            "kind": "stress",
            "phonemes": ["e", "ɪ"],
            "note_vi": "Danh từ nhấn âm đầu, động từ nhấn âm sau.",
            "words": [first, second],
        }

    def test_a_stress_pair_whose_frame_differs_is_refused(self):
        data = real_data()
        data["drills"].append(
            self.stress_drill(
                entry("a record", "/ə ˈrekɔːd/", "/ə ˈrekərd/", label="REcord (danh từ)"),
                entry("to record", "/tə rɪˈkɔːd/", "/tə rɪˈkɔːrd/", label="reCORD (động từ)"),
            )
        )
        self.assert_refused(
            data,
            "the stress pair 'a record' / 'to record' is spoken differently outside the "
            "stressed word",
        )

    def test_a_stress_pair_in_the_same_frame_is_taken(self):
        data = real_data()
        data["drills"].append(
            self.stress_drill(
                entry("say desert", "/seɪ ˈdezət/", "/seɪ ˈdezərt/", label="DEsert (sa mạc)"),
                entry(
                    "say dessert", "/seɪ dɪˈzɜːt/", "/seɪ dɪˈzɜːrt/", label="deSSERT (tráng miệng)"
                ),
            )
        )
        seed(write_yaml(self, data))
        pair = MinimalPair.objects.get(word_1="say desert")
        self.assertEqual(pair.choice_label(2, accent="en-US"), "deSSERT (tráng miệng)")

    def test_a_stress_word_needs_a_label_and_other_words_have_none(self):
        data = real_data()
        del find_drill(data, "human")["words"][1]["label"]
        find_drill(data, "cat")["words"][0]["label"] = "CAT"
        self.assert_refused(
            data,
            "each word of a stress drill needs a 'label'",
            "only the words of a stress drill have a 'label'",
        )
