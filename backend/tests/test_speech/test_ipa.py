"""IPA as the chart writes it: aliases, tokens, and which phonemes a transcription holds."""

import pytest

from speech.ipa import PHONEMES, IPAError, contains_phoneme, normalize_ipa, tokenize_ipa


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [("i:", "iː"), ("/u:/", "uː"), (" [ɔ:] ", "ɔː"), ("g", "ɡ"), ("ʧ", "tʃ"), ("ʤ", "dʒ")],
)
def test_typed_aliases_are_normalized_to_the_charts_symbols(typed, canonical):
    assert normalize_ipa(typed) == canonical


def test_there_are_44_distinct_phonemes():
    assert len(set(PHONEMES)) == 44


def test_the_longest_symbol_is_taken_first():
    assert tokenize_ipa("/ˈtʃeɪndʒ/") == ["tʃ", "eɪ", "n", "dʒ"]


def test_stress_and_syllable_marks_are_dropped():
    assert tokenize_ipa("/ˈhæp.i/") == ["h", "æ", "p", "i"]


def test_an_unknown_character_is_an_error():
    with pytest.raises(IPAError, match="unknown IPA character 'ɛ'"):
        tokenize_ipa("/bɛd/")


def test_a_symbol_inside_a_diphthong_is_not_contained():
    assert not contains_phoneme("/deɪ/", "e")
    assert not contains_phoneme("/ˈtʃɜːtʃ/", "t")
    assert contains_phoneme("/bed/", "e")
    assert contains_phoneme("/siː/", "i:")
