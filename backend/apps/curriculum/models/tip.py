from django.db import models
from django.db.models import Q


class Dialect(models.TextChoices):
    """The learner's Vietnamese dialect, which decides which mistakes they tend to make (the
    North merges r/z/d/gi and s/x, and often n/l; the South final n/ng and t/c, and v/d → [j])."""

    BAC = "bac", "Bắc"
    TRUNG = "trung", "Trung"
    NAM = "nam", "Nam"


class PhonemeTip(models.Model):
    """One piece of advice on a phoneme; ``dialect`` empty means it concerns every learner, a
    dialect that it concerns that dialect's speakers (shown to them first)."""

    Dialect = Dialect

    phoneme = models.ForeignKey("Phoneme", on_delete=models.CASCADE, related_name="tips")
    dialect = models.CharField(max_length=5, choices=Dialect.choices, blank=True, default="")
    text_vi = models.TextField("tip (Vietnamese)")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["phoneme", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["phoneme", "position"], name="unique_phoneme_tip"),
            models.CheckConstraint(
                condition=Q(dialect__in=["", "bac", "trung", "nam"]), name="phonemetip_dialect"
            ),
        ]

    def __str__(self) -> str:
        return f"/{self.phoneme.ipa_symbol}/ {self.dialect or '*'}: {self.text_vi[:40]}"
