"""The American forms are checked against CMUdict: ARPAbet read as PhatAm's IPA, the documented
equivalences, and seed_curriculum refusing every form the dictionary contradicts at once."""

import re

from django.core.management import CommandError
from django.test import SimpleTestCase, TestCase

from apps.curriculum.models import MinimalPair, Phoneme
from speech.cmu import arpabet_to_ipa, us_check
from tests.test_curriculum_content.seeding import entry, real_data, seed, write_yaml


class ArpabetTests(SimpleTestCase):
    def test_arpabet_reads_as_phatams_symbols(self):
        cases = {
            ("K", "AA1", "R"): ["k", "ɑː", "r"],
            ("B", "ER1", "D"): ["b", "ɜː", "r", "d"],
            ("T", "IY1", "CH", "ER0"): ["t", "iː", "tʃ", "ə", "r"],
            ("G", "OW1"): ["ɡ", "oʊ"],
            ("AH0", "B", "AH1", "V"): ["ə", "b", "ʌ", "v"],
            ("HH", "AO1", "R", "S"): ["h", "ɔː", "r", "s"],
            ("Y", "EH1", "L", "OW0"): ["j", "e", "l", "oʊ"],
            ("TH", "IH1", "NG", "K"): ["θ", "ɪ", "ŋ", "k"],
            ("DH", "EY1"): ["ð", "eɪ"],
            ("JH", "AO1", "Y"): ["dʒ", "ɔː", "j"],
            ("M", "EH1", "ZH", "ER0"): ["m", "e", "ʒ", "ə", "r"],
        }
        for phones, tokens in cases.items():
            with self.subTest(phones=phones):
                self.assertEqual(arpabet_to_ipa(list(phones)), tokens)


class UsCheckTests(SimpleTestCase):
    def test_the_rhotic_form_matches_and_the_british_one_does_not(self):
        self.assertTrue(us_check("car", "/kɑːr/").matches)
        verdict = us_check("car", "/kɑː/")
        self.assertFalse(verdict.matches)
        self.assertEqual(verdict.dictionary_forms, ("kɑːr",))

    def test_stress_marks_are_ignored(self):
        self.assertTrue(us_check("about", "/əˈbaʊt/").matches)
        self.assertTrue(us_check("about", "/ˈəbaʊt/").matches)

    def test_any_of_the_dictionarys_variants_will_do(self):
        self.assertTrue(us_check("caught", "/kɔːt/").matches)
        self.assertTrue(us_check("caught", "/kɑːt/").matches)  # CMUdict lists the merged form
        self.assertFalse(us_check("dog", "/dɑːɡ/").matches)  # ... but not for every word

    def test_vowels_general_american_does_not_contrast_before_r_are_one(self):
        self.assertTrue(us_check("here", "/hɪr/").matches)  # CMUdict: HH IY1 R
        self.assertTrue(us_check("poor", "/pʊr/").matches)  # CMUdict: P UW1 R
        self.assertFalse(us_check("heat", "/hɪt/").matches)  # not before /r/

    def test_weak_vowels_of_unstressed_syllables_vary(self):
        self.assertTrue(us_check("happy", "/ˈhæpi/").matches)
        self.assertTrue(us_check("effect", "/ɪˈfekt/").matches)
        self.assertTrue(us_check("present", "/prɪˈzent/").matches)  # CMUdict: P R IY0 ...
        self.assertFalse(us_check("bit", "/biːt/").matches)  # a stressed vowel does not

    def test_a_syllabic_consonant_may_do_without_its_schwa(self):
        self.assertTrue(us_check("vision", "/ˈvɪʒən/").matches)
        self.assertTrue(us_check("vision", "/ˈvɪʒn/").matches)

    def test_a_word_the_dictionary_lacks_is_unknown(self):
        verdict = us_check("vlog", "/vlɑːɡ/")
        self.assertEqual((verdict.known, verdict.matches), (False, False))

    def test_a_phrase_is_checked_word_by_word_and_stressed_on_its_last_word(self):
        self.assertTrue(us_check("to record", "/tə rɪˈkɔːrd/").stress_matches)
        self.assertTrue(us_check("a record", "/ə ˈrekərd/").stress_matches)
        wrong_stress = us_check("to record", "/tə ˈrɪkɔːrd/")
        self.assertEqual((wrong_stress.matches, wrong_stress.stress_matches), (True, False))


def example(data: dict, symbol: str, word: str) -> dict:
    [phoneme] = [p for p in data["phonemes"] if p["ipa"] == symbol]
    [found] = [e for e in phoneme["example_words"] if e["word"] == word]
    return found


class SeedChecksUsFormsTests(TestCase):
    def assert_refused(self, data: dict, *messages: str) -> str:
        with self.assertRaises(CommandError) as caught:
            seed(write_yaml(self, data))
        text = str(caught.exception)
        for message in messages:
            self.assertIn(message, text)
        self.assertIn("nothing was changed", text)
        self.assertEqual(Phoneme.objects.count(), 0)
        self.assertEqual(MinimalPair.objects.count(), 0)
        return text

    def test_a_us_form_the_dictionary_contradicts_is_refused_with_the_dictionarys(self):
        data = real_data()
        example(data, "ɑː", "car")["ipa_us"] = "/kɑː/"
        self.assert_refused(data, "'car': US form /kɑː/ is not CMUdict's (/kɑːr/)")

    def test_every_contradicted_form_is_listed_at_once(self):
        data = real_data()
        example(data, "əʊ", "phone")["ipa_us"] = "/fəʊn/"
        [pair] = [p for p in data["minimal_pairs"] if p["word_2"]["word"] == "tore"]
        pair["word_2"]["ipa_us"] = "/tɔː/"
        [drill] = [d for d in data["drills"] if d["words"][0]["word"] == "moral"]
        drill["words"][0]["ipa_us"] = "/ˈmɒrəl/"

        self.assert_refused(
            data,
            "'phone': US form /fəʊn/ is not CMUdict's (/foʊn/)",
            "'tore': US form /tɔː/ is not CMUdict's (/tɔːr/)",
            "'moral': US form /ˈmɒrəl/ is not CMUdict's (/mɔːrəl/)",
        )

    def test_a_word_cmudict_lacks_needs_a_reason(self):
        data = real_data()
        vlog = entry("vlog", "/vlɒɡ/", "/vlɑːɡ/")
        [lot] = [p for p in data["phonemes"] if p["ipa"] == "ɒ"]
        lot["example_words"].append(vlog)
        self.assert_refused(data, "'vlog': not in CMUdict")

        vlog["ipa_us_checked"] = False
        self.assert_refused(data, "'ipa_us_checked: false' needs a 'reason'")

        vlog["reason"] = "Cambridge Dictionary (US): /vlɑːɡ/"
        seed(write_yaml(self, data))
        words = Phoneme.objects.get(ipa_symbol="ɒ").example_words
        self.assertIn({"word": "vlog", "ipa": "/vlɒɡ/", "ipa_us": "/vlɑːɡ/"}, words)

    def test_a_word_without_a_us_form_is_refused(self):
        data = real_data()
        del example(data, "iː", "green")["ipa_us"]
        self.assert_refused(data, "must have 'word', 'ipa' and 'ipa_us'")

    def test_a_us_form_must_show_the_phonemes_us_symbol(self):
        data = real_data()
        example(data, "əʊ", "home")["ipa_us"] = "/hɔːm/"
        self.assert_refused(data, "example 'home' US /hɔːm/ lacks /oʊ/")

    def test_one_spelling_is_said_one_way_everywhere(self):
        data = real_data()
        [pair] = [p for p in data["minimal_pairs"] if p["word_1"]["word"] == "sheep"]
        pair["word_2"]["ipa_us"] = "/ʃiːp/"
        self.assert_refused(data, "'ship': /ʃɪp/ (US /ʃiːp/) differs from")

    def test_the_command_says_how_many_us_forms_it_checked(self):
        data = real_data()
        spellings = {
            word["word"].casefold()
            for word in [
                *(e for p in data["phonemes"] for e in p["example_words"]),
                *(p[key] for p in data["minimal_pairs"] for key in ("word_1", "word_2")),
                *(w for d in data["drills"] for w in d["words"]),
            ]
        }
        output = seed()
        checked = re.search(r"US forms:\s+(\d+) checked against CMUdict", output)
        self.assertEqual(int(checked.group(1)), len(spellings))
        self.assertGreater(len(spellings), 300)
