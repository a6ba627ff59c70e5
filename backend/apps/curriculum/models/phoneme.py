from django.core.exceptions import ValidationError
from django.db import models

from apps.curriculum.fields import IPAField
from apps.curriculum.models.audio import AudioSource
from speech.ipa import IPAError, contains_phoneme, tokenize_ipa


class PhonemeCategory(models.Model):
    class CategoryType(models.TextChoices):
        VOWEL = "vowel", "Vowel (monophthong)"
        DIPHTHONG = "diphthong", "Diphthong"
        CONSONANT = "consonant", "Consonant"

    name = models.CharField(max_length=60, unique=True)
    name_vi = models.CharField("name (Vietnamese)", max_length=60)
    category_type = models.CharField(max_length=20, choices=CategoryType.choices)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = "phoneme category"
        verbose_name_plural = "phoneme categories"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(category_type__in=["vowel", "diphthong", "consonant"]),
                name="phonemecategory_type_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.name_vi})"


EXAMPLE_WORD_KEYS = {"word", "ipa", "ipa_us"}


class PhonemeQuerySet(models.QuerySet):
    def chart_order(self) -> "PhonemeQuerySet":
        """Phonemes as the phonemic chart lays them out, with their category in the same query."""
        return self.select_related("category").order_by("category__order", "order", "pk")


def validate_example_words(value) -> None:
    """``example_words`` is a list of ``{"word": str, "ipa": str, "ipa_us": str}`` objects.

    ``ipa_us`` (General American) may be missing: rows stored before it existed stay valid, and
    the American voice then says the British form.
    """
    if not isinstance(value, list):
        raise ValidationError("Example words must be a list of {word, ipa, ipa_us} objects.")
    for index, item in enumerate(value, start=1):
        if not isinstance(item, dict) or not {"word", "ipa"} <= set(item) <= EXAMPLE_WORD_KEYS:
            raise ValidationError(
                f"Example word #{index} must be an object with the keys 'word', 'ipa' and "
                "(optionally) 'ipa_us'."
            )
        if not all(isinstance(item[key], str) and item[key].strip() for key in ("word", "ipa")):
            raise ValidationError(f"Example word #{index} needs a non-empty word and IPA.")
        if not isinstance(item.get("ipa_us", ""), str):
            raise ValidationError(f"Example word #{index}: 'ipa_us' must be text.")


class Phoneme(models.Model):
    """One of the 44 phonemes of English, with what a Vietnamese learner needs to make it."""

    category = models.ForeignKey(PhonemeCategory, on_delete=models.PROTECT, related_name="phonemes")
    ipa_symbol = IPAField(
        max_length=10,
        unique=True,
        help_text="British IPA as in the Cambridge/Oxford learner's dictionaries, e.g. iː, tʃ.",
    )
    us_ipa_symbol = IPAField(
        "US IPA symbol",
        max_length=10,
        blank=True,
        help_text="The General American symbol when it differs (əʊ → oʊ); empty when the same.",
    )
    vietnamese_approx = models.CharField(
        "Vietnamese approximation",
        max_length=200,
        help_text="The nearest Vietnamese sound, e.g. 'i (kéo dài)'.",
    )
    description_vi = models.TextField("how to make it (Vietnamese)", blank=True)
    tip_vi = models.TextField("tip for Vietnamese learners", blank=True)
    accent_notes = models.TextField(
        blank=True, help_text="UK/US differences, in Vietnamese (e.g. /ɒ/ is /ɑː/ in the US)."
    )
    is_voiced = models.BooleanField(default=True)
    example_words = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_example_words],
        help_text='List of {"word": ..., "ipa": ..., "ipa_us": ...} (British and General American '
        "IPA); each word must contain the phoneme.",
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Position on the chart.")
    preferred_audio_source = models.ForeignKey(
        "AudioSource",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="preferred_for_phoneme",
        help_text="Pinned audio for this phoneme (usually a native recording); must be its own.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PhonemeQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        indexes = [models.Index(fields=["order"], name="idx_phoneme_order")]

    def __str__(self) -> str:
        return f"/{self.ipa_symbol}/"

    def __repr__(self) -> str:
        return f"<Phoneme: /{self.ipa_symbol}/>"

    def save(self, *args, **kwargs) -> None:
        # The database cannot tie the pinned source to this phoneme (that would need a
        # composite foreign key), so every save checks it, not only full_clean().
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "preferred_audio_source" in update_fields:
            self._check_preferred_audio_source()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if isinstance(self.example_words, list) and self.ipa_symbol:
            for item in self.example_words:
                if not isinstance(item, dict) or not isinstance(item.get("ipa"), str):
                    continue  # validate_example_words reports the shape
                try:
                    found = contains_phoneme(item["ipa"], self.ipa_symbol)
                    tokenize_ipa(item.get("ipa_us") or "")
                except IPAError as exc:
                    errors.setdefault("example_words", []).append(str(exc))
                    continue
                if not found:
                    errors.setdefault("example_words", []).append(
                        f"'{item.get('word')}' {item['ipa']} does not contain /{self.ipa_symbol}/."
                    )
        try:
            self._check_preferred_audio_source()
        except ValidationError as exc:
            errors.setdefault("preferred_audio_source", []).extend(exc.messages)
        if errors:
            raise ValidationError(errors)

    def _check_preferred_audio_source(self) -> None:
        if self.preferred_audio_source_id is None:
            return
        source = self.preferred_audio_source
        if self.pk is None or source.phoneme_id != self.pk:
            raise ValidationError(
                f"Audio source #{source.pk} belongs to /{source.phoneme.ipa_symbol}/, "
                f"not to /{self.ipa_symbol}/; a phoneme can only prefer its own audio."
            )
        if source.word:
            raise ValidationError(
                f"Audio source #{source.pk} says the word '{source.word}', not the phoneme "
                f"/{self.ipa_symbol}/ alone; pin a recording of the phoneme."
            )

    def get_audio(self, force_refresh: bool = False):
        """The best playable audio for this phoneme, or ``None``.

        Order: the pinned ``preferred_audio_source`` (if playable), then the newest native
        recording, then the newest unexpired cached TTS. ``None`` means the caller generates
        audio on demand or falls back to the browser's speech synthesis. ``force_refresh``
        re-reads the pinned source from the database first (another request may have changed
        it). ``AudioSourceQuerySet.best_for_phonemes`` holds the rule.
        """
        if force_refresh and self.pk is not None:
            self.refresh_from_db(fields=["preferred_audio_source"])
        return AudioSource.objects.best_for_phonemes([self]).get(self.pk)
