"""A teacher's studio profile: who is speaking in the recordings they save from the studio."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.curriculum.audio.recordings import GENDERS, LICENCES, Speaker

GENDER_LABELS = {"female": "nữ (female)", "male": "nam (male)", "other": "khác (other)"}


class StudioProfile(models.Model):
    """Asked once, on a staff member's first visit to the studio; every recording they save
    there carries it as its speaker."""

    GENDER_CHOICES = [(gender, GENDER_LABELS.get(gender, gender)) for gender in GENDERS]
    LICENCE_CHOICES = [(licence, licence) for licence in LICENCES]

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="studio_profile"
    )
    speaker_name = models.CharField(
        "name", max_length=80, help_text="The name learners see with your recordings."
    )
    gender = models.CharField(
        max_length=10,
        choices=GENDER_CHOICES,
        help_text="Women's recordings are checked against women's formants.",
    )
    speaker_accent = models.CharField(
        "your accent",
        max_length=40,
        blank=True,
        help_text='As you would describe it, e.g. "Southern British", "General American".',
    )
    licence = models.CharField(max_length=20, choices=LICENCE_CHOICES)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "studio profile"
        constraints = [
            models.CheckConstraint(condition=Q(gender__in=GENDERS), name="studioprofile_gender"),
            models.CheckConstraint(condition=Q(licence__in=LICENCES), name="studioprofile_licence"),
        ]

    def __str__(self) -> str:
        return f"{self.speaker_name} ({self.user})"

    def speaker(self, *, recorded_date: date | None = None) -> Speaker:
        """The speaker of a recording made today (or on ``recorded_date``)."""
        return Speaker(
            name=self.speaker_name,
            gender=self.gender,
            accent=self.speaker_accent,
            licence=self.licence,
            recorded_date=recorded_date,
        )
