from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from apps.curriculum.fields import IPAField
from apps.curriculum.ipa import IPAError, contains_phoneme


class MinimalPairQuerySet(models.QuerySet):
    def for_phoneme(self, phoneme) -> "MinimalPairQuerySet":
        return self.filter(Q(phoneme_1=phoneme) | Q(phoneme_2=phoneme))


class MinimalPair(models.Model):
    """Two words that differ only in one sound, e.g. sheep /ʃiːp/ and ship /ʃɪp/."""

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
        ]

    def __str__(self) -> str:
        return f"{self.word_1} /{self.word_1_ipa}/ – {self.word_2} /{self.word_2_ipa}/"

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
        if errors:
            raise ValidationError(errors)

    def _has_phoneme(self, number: int) -> bool:
        return getattr(self, f"phoneme_{number}_id") is not None
