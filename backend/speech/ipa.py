"""IPA notation used across PhatAm: the 44 phonemes and how user input maps onto them.

The curriculum stores British IPA as printed by the Cambridge and Oxford learner's dictionaries,
and beside it a General American form written with the same symbols plus /oʊ/: the rhotic r is
an /r/ after the vowel (car /kɑːr/, bird /bɜːrd/, teacher /ˈtiːtʃər/), LOT is /ɑː/, the flap is
not marked.

People type it in many ways (an ASCII colon for the length mark, a Latin ``g`` for ``ɡ``, the
``ʧ``/``ʤ`` ligatures, slashes around a symbol), so every lookup goes through
:func:`normalize_ipa` first.
"""

MONOPHTHONGS = ("iː", "ɪ", "ʊ", "uː", "e", "ə", "ɜː", "ɔː", "æ", "ʌ", "ɑː", "ɒ")
DIPHTHONGS = ("ɪə", "eɪ", "ʊə", "ɔɪ", "əʊ", "eə", "aɪ", "aʊ")
CONSONANTS = (
    "p", "b", "t", "d", "tʃ", "dʒ", "k", "ɡ",
    "f", "v", "θ", "ð", "s", "z", "ʃ", "ʒ",
    "m", "n", "ŋ", "h", "l", "r", "w", "j",
)  # fmt: skip
PHONEMES = MONOPHTHONGS + DIPHTHONGS + CONSONANTS

# Weak vowels (happY, inflUence) and prosodic marks that dictionaries print inside words.
WEAK_VOWELS = ("i", "u")
# General American symbols that British IPA does not use (GOAT is /oʊ/, not /əʊ/). The
# r-coloured vowels are written vowel + /r/, so they need no symbols of their own.
US_VOWELS = ("oʊ",)
VOWELS = MONOPHTHONGS + DIPHTHONGS + WEAK_VOWELS + US_VOWELS
MARKS = ("ˈ", "ˌ", ".")
PRIMARY_STRESS = "ˈ"

_ALIASES = {
    ":": "ː",  # ASCII colon typed for the length mark
    "ˑ": "ː",
    "g": "ɡ",  # Latin g for the IPA voiced velar plosive
    "ʧ": "tʃ",
    "ʤ": "dʒ",
    "ɹ": "r",  # narrow transcription of the English r
    "\u2019": "",
    "'": "ˈ",
    # Cambridge's US notation: r-coloured vowels and the flap's voicing mark (t̬ is a /t/).
    "ɝː": "ɜːr",
    "ɝ": "ɜːr",
    "ɚ": "ər",
    "\u032c": "",
}

# Longest symbols first so that "eɪ" is read before "e" and "tʃ" before "t".
_SYMBOLS = sorted(PHONEMES + WEAK_VOWELS + US_VOWELS, key=len, reverse=True)


class IPAError(ValueError):
    """A transcription contains something that is not PhatAm's IPA."""


def normalize_ipa(text: str) -> str:
    """Return ``text`` in the canonical notation: ``"/i:/"`` becomes ``"iː"``."""
    value = text.strip().strip("/[]").strip()
    for alias, canonical in _ALIASES.items():
        value = value.replace(alias, canonical)
    return value


def tokenize_ipa(transcription: str) -> list[str]:
    """Split a transcription such as ``/ˈhæp.i/`` into phoneme symbols, dropping stress marks.

    Raises :class:`IPAError` on a character that belongs to no known symbol.
    """
    value = normalize_ipa(transcription)
    tokens: list[str] = []
    position = 0
    while position < len(value):
        char = value[position]
        if char in MARKS or char.isspace():
            position += 1
            continue
        for symbol in _SYMBOLS:
            if value.startswith(symbol, position):
                tokens.append(symbol)
                position += len(symbol)
                break
        else:
            raise IPAError(f"unknown IPA character {char!r} in {transcription!r}")
    return tokens


def contains_phoneme(transcription: str, phoneme: str) -> bool:
    """True when ``phoneme`` is one of the sounds of ``transcription`` (not a part of a sound)."""
    return normalize_ipa(phoneme) in tokenize_ipa(transcription)


def primary_stress_syllable(transcription: str) -> int | None:
    """The syllable (0 for the first) that carries the primary stress mark ``ˈ``, counted by
    vowels: ``/rɪˈkɔːd/`` gives 1. ``None`` when the transcription has no mark."""
    value = normalize_ipa(transcription)
    if PRIMARY_STRESS not in value:
        return None
    before = value[: value.index(PRIMARY_STRESS)]
    return sum(1 for token in tokenize_ipa(before) if token in VOWELS)
