from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from apps.curriculum.fields import IPAField
from speech.contrasts import KINDS, ContrastError, pair_contrast
from speech.ipa import IPAError, contains_phoneme, tokenize_ipa

US_ACCENT = "en-US"


class Accents(models.TextChoices):
    """In which accents the two words of a pair sound different."""

    BOTH = "both", "US and GB"
    US = "us", "US only (merged in British English)"
    GB = "gb", "GB only (merged in American English)"


def accents_for(accent: str | None) -> tuple[str, ...]:
    """The ``accents`` values of the pairs that are a real contrast in ``accent``: "en-US" takes
    the General American forms, every other accent the British ones (as
    ``selectors.accent_uses_us_forms``)."""
    if accent == US_ACCENT:
        return (Accents.BOTH, Accents.US)
    return (Accents.BOTH, Accents.GB)


class MinimalPairQuerySet(models.QuerySet):
    def for_phoneme(self, phoneme) -> "MinimalPairQuerySet":
        return self.filter(Q(phoneme_1=phoneme) | Q(phoneme_2=phoneme))

    def for_accent(self, accent: str | None) -> "MinimalPairQuerySet":
        """The pairs that are a real contrast in ``accent`` ("en-US", "en-GB"): a pair merged
        in one accent (cot/caught in the US) is drilled only in the other."""
        return self.filter(accents__in=accents_for(accent))


class MinimalPair(models.Model):
    """Two words a learner must tell apart, e.g. sheep /ʃiːp/ and ship /ʃɪp/.

    ``kind`` says by what: one sound (``pair``), or the Vietnamese learner's problem it drills
    (a final consonant, a cluster, an -s/-ed ending, th, sh/s, vowel length, stress);
    ``speech.contrasts`` holds the rule of each kind and which two phonemes it contrasts.
    """

    class Kind(models.TextChoices):
        PAIR = "pair", "Minimal pair"
        FINAL_CONSONANT = "final_consonant", "Final consonants"
        CLUSTER = "cluster", "Final consonant clusters"
        ENDING = "ending", "-s and -ed endings"
        TH = "th", "th against t, d, s, z, f"
        SH_S = "sh_s", "sh against s"
        LENGTH = "length", "Long and short vowels"
        STRESS = "stress", "Word stress"

    phoneme_1 = models.ForeignKey(
        "Phoneme", on_delete=models.CASCADE, related_name="minimal_pairs_as_first"
    )
    phoneme_2 = models.ForeignKey(
        "Phoneme", on_delete=models.CASCADE, related_name="minimal_pairs_as_second"
    )
    word_1 = models.CharField(max_length=64)
    word_1_ipa = IPAField("IPA of word 1", max_length=64)
    word_2 = models.CharField(max_length=64)
    word_2_ipa = IPAField("IPA of word 2", max_length=64)
    # General American forms (the American voice says these); empty: say the British form.
    word_1_ipa_us = IPAField("US IPA of word 1", max_length=64, blank=True, default="")
    word_2_ipa_us = IPAField("US IPA of word 2", max_length=64, blank=True, default="")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PAIR)
    Accents = Accents
    accents = models.CharField(
        max_length=4,
        choices=Accents.choices,
        default=Accents.BOTH,
        help_text="In which accents the words sound different; a merged pair is not drilled.",
    )
    # What the choice buttons say when the spelling cannot tell the words apart: stress pairs
    # ("REcord (danh từ)" / "reCORD (động từ)"); empty: the word itself.
    word_1_label = models.CharField("label of word 1", max_length=64, blank=True, default="")
    word_2_label = models.CharField("label of word 2", max_length=64, blank=True, default="")
    note_vi = models.TextField("note (Vietnamese)", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MinimalPairQuerySet.as_manager()

    class Meta:
        ordering = ["phoneme_1__order", "phoneme_2__order", "word_1"]
        constraints = [
            models.UniqueConstraint(
                fields=["phoneme_1", "phoneme_2", "word_1", "word_2"],
                name="unique_minimal_pair",
            ),
            models.CheckConstraint(
                condition=~Q(phoneme_1=F("phoneme_2")), name="minimalpair_distinct_phonemes"
            ),
            models.CheckConstraint(
                condition=~Q(word_1=F("word_2")), name="minimalpair_distinct_words"
            ),
            models.CheckConstraint(condition=Q(kind__in=KINDS), name="minimalpair_kind_valid"),
            models.CheckConstraint(
                condition=Q(accents__in=["both", "us", "gb"]), name="minimalpair_accents_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.word_1} /{self.word_1_ipa}/ – {self.word_2} /{self.word_2_ipa}/"

    def is_contrast_in(self, accent: str | None) -> bool:
        """Whether the two words sound different in ``accent`` ("en-US", "en-GB")."""
        return self.accents in accents_for(accent)

    def choice_label(self, number: int, *, accent: str | None = None) -> str:
        """The text on the learner's choice button for word ``number`` (1 or 2): the word, or
        for a stress pair its stress label ("REcord (danh từ)"), which says what the spelling
        cannot. The labels are the same in both accents; ``accent`` is there so a caller never
        has to know."""
        if number not in (1, 2):
            raise ValueError(f"A pair has words 1 and 2, not {number}.")
        return getattr(self, f"word_{number}_label") or getattr(self, f"word_{number}")

    def clean(self) -> None:
        errors: dict[str, str] = {}
        for number in (1, 2):
            phoneme = (
                getattr(self, f"phoneme_{number}", None) if self._has_phoneme(number) else None
            )
            transcription = getattr(self, f"word_{number}_ipa")
            if phoneme is None or not transcription:
                continue
            try:
                if not contains_phoneme(transcription, phoneme.ipa_symbol):
                    errors[f"word_{number}_ipa"] = (
                        f"/{transcription}/ does not contain /{phoneme.ipa_symbol}/."
                    )
            except IPAError as exc:
                errors[f"word_{number}_ipa"] = str(exc)
        for number in (1, 2):
            try:
                tokenize_ipa(getattr(self, f"word_{number}_ipa_us"))
            except IPAError as exc:
                errors[f"word_{number}_ipa_us"] = str(exc)
        if not errors and self._has_phoneme(1) and self._has_phoneme(2):
            problem = self._contrast_problem()
            if problem:
                errors["kind"] = problem
        if errors:
            raise ValidationError(errors)

    def _contrast_problem(self) -> str:
        """Why the words do not contrast the pair's phonemes by the rule of its kind, or ""."""
        wanted = (self.phoneme_1.ipa_symbol, self.phoneme_2.ipa_symbol)
        try:
            found = pair_contrast(self.kind, self.word_1_ipa, self.word_2_ipa)
        except (ContrastError, IPAError) as exc:
            return str(exc)
        if found != wanted:
            return (
                f"As a {self.kind}, the words contrast /{found[0]}/–/{found[1]}/, "
                f"not /{wanted[0]}/–/{wanted[1]}/."
            )
        return ""

    def _has_phoneme(self, number: int) -> bool:
        return getattr(self, f"phoneme_{number}_id") is not None
