"""What two words contrast: the rule of each kind of minimal pair or drill, checked on IPA.

A pair is two words a learner must tell apart. Its kind says by what, and :func:`pair_contrast`
checks that the words differ in exactly that, returning the sound of each word that makes the
difference (the pair's two phonemes):

``pair``
    One sound replaced by another at the same place (sheep, ship): those two sounds.
``th``, ``sh_s``, ``length``
    The same, with /θ/ or /ð/ on one side; /ʃ/ against /s/; a long vowel against its short
    partner (ship, sheep).
``final_consonant``
    The same, in the last sound, both consonants (like, light): the final a Vietnamese speaker
    drops or leaves unreleased. Its sounds are the two finals. Or one word is the other with
    its final consonant dropped (tie, tight): its sounds are then the two last sounds (/aɪ/
    against /t/).
``cluster``
    One word is the other plus consonants that end in a cluster (coal, cold; desk, desks). Its
    sounds are the two words' last sounds (/d/ against /l/).
``ending``
    A stem with two different -s/-ed endings, or none (walk, walks, walked), each in the form
    the stem's last sound calls for: /s/ after a voiceless sound, /ɪz/ after a hissing one, /z/
    otherwise; /t/, /ɪd/ after t and d, /d/. Its sounds are the words' last sounds.
``stress``
    The same consonants and number of syllables, the primary stress on another syllable; vowels
    may change with it, because an unstressed vowel weakens (ˈdesert /ˈdezət/, deˈssert
    /dɪˈzɜːt/). Its sounds are the first vowels that differ (/e/ against /ɪ/). The last word of
    a phrase is compared (a ˈrecord, to reˈcord): the first only tells a voice which one it is.

The rules are the same for British and American forms.
"""

import functools

from speech.ipa import CONSONANTS, VOWELS, normalize_ipa, primary_stress_syllable, tokenize_ipa

KINDS = ("pair", "final_consonant", "cluster", "ending", "th", "sh_s", "length", "stress")

LONG_SHORT = {
    frozenset(pair) for pair in (("iː", "ɪ"), ("uː", "ʊ"), ("ɑː", "ʌ"), ("ɔː", "ɒ"), ("ɜː", "ə"))
}
VOICELESS = {"p", "t", "k", "f", "θ", "s", "ʃ", "tʃ"}
SIBILANTS = {"s", "z", "ʃ", "ʒ", "tʃ", "dʒ"}
WEAK = ("ɪ", "ə")  # the vowel of the -es and -ed endings (dictionaries print either)


class ContrastError(ValueError):
    """The two words do not differ the way their kind says."""


class NotThisKind(ContrastError):
    """The words are a fine minimal pair, but not of this kind (tree, free in a th drill)."""


@functools.lru_cache(maxsize=4096)  # a pure function of its text; seeding asks the same again
def pair_contrast(kind: str, first: str, second: str) -> tuple[str, str]:
    """The sound of each transcription that makes the difference, by the rule of ``kind``
    (see the module docstring).

    Raises :class:`ContrastError` (:class:`NotThisKind` for a minimal pair of another kind)
    or :class:`~speech.ipa.IPAError`.
    """
    if kind not in KINDS:
        raise ContrastError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    if normalize_ipa(first) == normalize_ipa(second):
        raise ContrastError(f"/{first}/ and /{second}/ are the same")
    first, second = _differing_words(first, second)
    if kind == "stress":
        return _stress(first, second)
    a, b = tokenize_ipa(first), tokenize_ipa(second)
    if kind == "cluster":
        return _cluster(a, b)
    if kind == "ending":
        return _ending(a, b)
    return _substitution(kind, a, b)


def _show(tokens: list[str]) -> str:
    return "/" + "".join(tokens) + "/"


def _differing_words(first: str, second: str) -> tuple[str, str]:
    """The one word in which two phrases differ (a single word is a phrase of one word)."""
    a, b = normalize_ipa(first).split(), normalize_ipa(second).split()
    if not a or not b:
        raise ContrastError("a transcription is empty")
    places = [i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y]
    if len(a) != len(b) or len(places) != 1:
        raise ContrastError(
            f"/{' '.join(a)}/ and /{' '.join(b)}/ must be the same words but one (the same "
            "frame around the word that differs)"
        )
    return a[places[0]], b[places[0]]


def _substitution(kind: str, a: list[str], b: list[str]) -> tuple[str, str]:
    if kind == "final_consonant" and _dropped_final(a, b):
        return a[-1], b[-1]
    places = [i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y]
    if len(a) != len(b) or len(places) != 1:
        raise ContrastError(f"{_show(a)} and {_show(b)} must differ in one sound, at one place")
    place = places[0]
    sounds = (a[place], b[place])
    if kind == "th" and not set(sounds) & {"θ", "ð"}:
        raise NotThisKind(f"a th pair contrasts /θ/ or /ð/, not /{sounds[0]}/–/{sounds[1]}/")
    if kind == "sh_s" and set(sounds) != {"ʃ", "s"}:
        raise NotThisKind(f"an sh_s pair contrasts /ʃ/ with /s/, not /{sounds[0]}/–/{sounds[1]}/")
    if kind == "length" and frozenset(sounds) not in LONG_SHORT:
        raise NotThisKind(
            f"a length pair is a long vowel and its short partner, not /{sounds[0]}/–/{sounds[1]}/"
        )
    if kind == "final_consonant" and (place != len(a) - 1 or not set(sounds) <= set(CONSONANTS)):
        raise ContrastError(f"{_show(a)} and {_show(b)} must differ in their final consonant")
    return sounds


def _dropped_final(a: list[str], b: list[str]) -> bool:
    """One word is the other plus one final consonant after a vowel (tie, tight)."""
    shorter, longer = sorted((a, b), key=len)
    return (
        len(longer) == len(shorter) + 1
        and longer[:-1] == shorter
        and longer[-1] in CONSONANTS
        and shorter[-1] in VOWELS
    )


def _common_beginning(a: list[str], b: list[str]) -> list[str]:
    stem: list[str] = []
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        stem.append(x)
    return stem


def _cluster(a: list[str], b: list[str]) -> tuple[str, str]:
    shorter, longer = sorted((a, b), key=len)
    added = longer[len(shorter) :]
    if (
        longer[: len(shorter)] != shorter
        or not added
        or any(sound not in CONSONANTS for sound in added)
        or len(longer) < 2
        or longer[-2] not in CONSONANTS
    ):
        raise ContrastError(
            f"one of {_show(a)}, {_show(b)} must be the other plus consonants ending in a cluster"
        )
    return a[-1], b[-1]


def _ending(a: list[str], b: list[str]) -> tuple[str, str]:
    stem = _common_beginning(a, b)
    endings = [word[len(stem) :] for word in (a, b)]
    if not stem:
        raise ContrastError(f"{_show(a)} and {_show(b)} must share a stem")
    for ending in endings:
        if ending:
            _check_ending(stem, ending)
    if a[-1] == b[-1]:
        raise ContrastError(f"{_show(a)} and {_show(b)} end in the same sound")
    return a[-1], b[-1]


def _check_ending(stem: list[str], ending: list[str]) -> None:
    last = stem[-1]
    if ending[-1] in ("s", "z"):
        wanted = "ɪz" if last in SIBILANTS else "s" if last in VOICELESS else "z"
    elif ending[-1] in ("t", "d"):
        wanted = "ɪd" if last in ("t", "d") else "t" if last in VOICELESS else "d"
    else:
        raise ContrastError(f"{_show(stem + ending)} does not add an -s or -ed ending")
    allowed = {(wanted,)} if len(wanted) == 1 else {(weak, wanted[1]) for weak in WEAK}
    if tuple(ending) not in allowed:
        raise ContrastError(
            f"after /{last}/ the ending is /{wanted}/, but {_show(stem + ending)} adds "
            f"/{''.join(ending)}/"
        )


def _stress(first: str, second: str) -> tuple[str, str]:
    a, b = tokenize_ipa(first), tokenize_ipa(second)
    if [t for t in a if t in CONSONANTS] != [t for t in b if t in CONSONANTS] or sum(
        t in VOWELS for t in a
    ) != sum(t in VOWELS for t in b):
        raise ContrastError(f"/{first}/ and /{second}/ must have the same consonants and syllables")
    stresses = primary_stress_syllable(first), primary_stress_syllable(second)
    if None in stresses:
        raise ContrastError(f"/{first}/ and /{second}/ each need the primary stress mark ˈ")
    if stresses[0] == stresses[1]:
        raise ContrastError(f"/{first}/ and /{second}/ are stressed on the same syllable")
    for x, y in zip([t for t in a if t in VOWELS], [t for t in b if t in VOWELS], strict=True):
        if x != y:
            return x, y
    raise ContrastError(
        f"/{first}/ and /{second}/ have the same vowels; a stress pair needs a vowel that changes "
        "with the stress (its two phonemes)"
    )
