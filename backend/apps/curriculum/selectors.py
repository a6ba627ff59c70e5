"""Reads of the curriculum: the chart's phonemes and layout, lookups by IPA and by word, the
forms of each accent, minimal pairs and drill sets."""

from dataclasses import dataclass

from django.db.models import Q

from apps.curriculum.models import Dialect, MinimalPair, Phoneme, PhonemeTip
from speech.ipa import normalize_ipa


class UnknownWord(ValueError):
    """The word is neither an example word nor a minimal-pair word of the phoneme."""


def phonemes_for_chart():
    """All phonemes with their categories, in chart order (one query)."""
    return Phoneme.objects.chart_order()


# Rows of the classic phonemic chart (Underhill): monophthongs 4 a row, diphthongs 2-3-3,
# consonants 8 a row (voiceless/voiced pairs side by side).
CHART_ROWS = {"vowel": (4, 4, 4), "diphthong": (2, 3, 3), "consonant": (8, 8, 8)}


def chart_sections(phonemes: list[Phoneme]) -> list[dict]:
    """Phonemes (in chart order) grouped by category and cut into the chart's rows."""
    sections = []
    for phoneme in phonemes:
        if not sections or sections[-1]["category"].pk != phoneme.category_id:
            sections.append({"category": phoneme.category, "phonemes": []})
        sections[-1]["phonemes"].append(phoneme)
    for section in sections:
        items, rows = section.pop("phonemes"), []
        for size in CHART_ROWS.get(section["category"].category_type, ()):
            rows.append(items[:size])
            items = items[size:]
        while items:  # phonemes beyond the classic layout get rows of their own
            rows.append(items[:8])
            items = items[8:]
        section["rows"] = [row for row in rows if row]
    return sections


def phoneme_get_by_ipa(symbol: str) -> Phoneme:
    """The phoneme written ``symbol``: ``"i:"``, ``"/iː/"`` and ``"iː"`` are one.

    Raises ``Phoneme.DoesNotExist``.
    """
    return Phoneme.objects.select_related("category").get(ipa_symbol=symbol)


US_ACCENT = "en-US"


def accent_uses_us_forms(accent: str | None) -> bool:
    """The American accent shows and says the General American forms; every other accent the
    British ones (the curriculum's reference)."""
    return accent == US_ACCENT


def phoneme_symbol_for_accent(phoneme: Phoneme, *, accent: str | None) -> str:
    """The symbol the chart shows for ``phoneme`` in ``accent``: /oʊ/ for /əʊ/ in en-US."""
    if accent_uses_us_forms(accent):
        return phoneme.us_ipa_symbol or phoneme.ipa_symbol
    return phoneme.ipa_symbol


def ipa_for_accent(ipa: str, ipa_us: str, *, accent: str | None) -> str:
    """A word's transcription in ``accent``: the US form for en-US when the curriculum has one,
    else the British form; bare, without the slashes the data file writes ("siː"), so that a
    page prints it between one pair of slashes."""
    return normalize_ipa((ipa_us or ipa) if accent_uses_us_forms(accent) else ipa)


@dataclass(frozen=True)
class PhonemeForms:
    """A phoneme as a learner of one accent reads it: its symbol and its example words, each
    ``(word, ipa)`` in that accent."""

    accent: str
    symbol: str
    examples: list[tuple[str, str]]


def phoneme_forms(phoneme: Phoneme, *, accent: str | None) -> PhonemeForms:
    """``phoneme``'s symbol and example words in ``accent`` (British when none is given)."""
    return PhonemeForms(
        accent=accent or "",
        symbol=phoneme_symbol_for_accent(phoneme, accent=accent),
        examples=[
            (item["word"], ipa_for_accent(item["ipa"], item.get("ipa_us", ""), accent=accent))
            for item in phoneme.example_words
        ],
    )


def example_word_get(phoneme: Phoneme, word: str, *, accent: str | None = None) -> tuple[str, str]:
    """``(word, ipa)`` as the curriculum spells them, for one of the phoneme's example words or
    its word in a minimal pair or drill, whatever the letter case asked; ``ipa`` is the form of
    ``accent`` (British when none is given).

    Audio is stored under that spelling, so "SEE" and "see" are one file. Raises
    :class:`UnknownWord`.
    """
    wanted = word.strip().casefold()
    for item in phoneme.example_words:
        if item["word"].casefold() == wanted:
            return item["word"], ipa_for_accent(item["ipa"], item.get("ipa_us", ""), accent=accent)
    matching = Q(phoneme_1=phoneme, word_1__iexact=word.strip()) | Q(
        phoneme_2=phoneme, word_2__iexact=word.strip()
    )
    for pair in MinimalPair.objects.filter(matching):
        if pair.phoneme_1_id == phoneme.pk and pair.word_1.casefold() == wanted:
            return pair.word_1, ipa_for_accent(pair.word_1_ipa, pair.word_1_ipa_us, accent=accent)
        return pair.word_2, ipa_for_accent(pair.word_2_ipa, pair.word_2_ipa_us, accent=accent)
    raise UnknownWord(f"'{word}' is not an example word of /{phoneme.ipa_symbol}/.")


def practice_words_by_phoneme(phonemes: list[Phoneme]) -> dict[int, list[str]]:
    """Every word the learner can hear for each phoneme: its example words, then its words in
    minimal pairs and drills, each once (one query). Pre-generation makes their audio so that
    no learner waits."""
    words: dict[int, dict[str, str]] = {
        p.pk: {item["word"].casefold(): item["word"] for item in p.example_words} for p in phonemes
    }
    pairs = MinimalPair.objects.filter(Q(phoneme_1__in=words) | Q(phoneme_2__in=words))
    for phoneme_1, word_1, phoneme_2, word_2 in pairs.order_by("pk").values_list(
        "phoneme_1", "word_1", "phoneme_2", "word_2"
    ):
        for phoneme_id, word in ((phoneme_1, word_1), (phoneme_2, word_2)):
            if phoneme_id in words:
                words[phoneme_id].setdefault(word.casefold(), word)
    return {pk: list(found.values()) for pk, found in words.items()}


def minimal_pairs_list(*, phoneme: Phoneme | None = None, kind: str | None = None):
    """Minimal pairs and drills with both phonemes (one query); with ``phoneme``, those it takes
    part in; with ``kind`` (``MinimalPair.Kind``), those of that kind."""
    pairs = MinimalPair.objects.select_related("phoneme_1", "phoneme_2")
    if phoneme is not None:
        pairs = pairs.for_phoneme(phoneme)
    if kind is not None:
        pairs = pairs.filter(kind=kind)
    return pairs


def tips_for(phoneme: Phoneme, *, dialect: str | None = None) -> list[PhonemeTip]:
    """The tips on ``phoneme`` a learner of ``dialect`` ("bac", "trung", "nam"; ``None`` or ""
    when unknown) should read, in order: those that concern their dialect first, then those for
    every learner, then those for the other dialects (still useful, but not about their speech);
    within each group, the order of the file. An unknown dialect counts as none."""
    if dialect not in Dialect.values:
        dialect = ""

    def rank(tip: PhonemeTip) -> tuple[int, int, int]:
        group = 0 if dialect and tip.dialect == dialect else 1 if not tip.dialect else 2
        return (group, tip.position, tip.pk)

    return sorted(PhonemeTip.objects.filter(phoneme=phoneme), key=rank)
