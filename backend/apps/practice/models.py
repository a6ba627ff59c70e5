"""What a learner does: their profile, listening drills, review cards and vowel recordings."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.curriculum.models import Dialect


class Voice(models.TextChoices):
    """Whose formants a learner's vowels are compared with (men's and women's differ)."""

    MALE = "male", "Giọng nam"
    FEMALE = "female", "Giọng nữ"


class LearnerProfile(models.Model):
    """What the learner chose (their dialect, the accent they aim at, whose formants their
    vowels are compared with) and where the placement test started them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learner_profile"
    )
    voice = models.CharField(max_length=10, choices=Voice.choices, default=Voice.MALE)
    # Empty until the learner has chosen (onboarding asks). Tips for their dialect come first.
    dialect = models.CharField(max_length=10, choices=Dialect.choices, blank=True)
    accent = models.CharField(max_length=10, blank=True)
    placement_done_at = models.DateTimeField(null=True, blank=True)
    first_lesson = models.ForeignKey(
        "curriculum.PronunciationLesson",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(voice__in=["male", "female"]), name="learnerprofile_voice_valid"
            ),
            models.CheckConstraint(
                condition=Q(dialect__in=["", "bac", "trung", "nam"]),
                name="learnerprofile_dialect_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.voice}"


class ItemFormat(models.TextChoices):
    # One word is played; the learner picks it of two (chance: 1 in 2).
    IDENTIFY = "identify", "Nghe và chọn từ"
    # Three sounds in three voices, two the same word; the learner picks the odd one
    # (chance: 1 in 3; the voices all differ, so the odd voice tells nothing).
    ODDITY = "oddity", "Tìm tiếng khác"


class DrillAttempt(models.Model):
    """One listening item on ``pair``.

    ``identify``: one word (``answer_word``) is played and the learner picks what they heard;
    the choices are shown under opaque keys ("a", "b") shuffled per attempt, ``word_1_key``
    says which key stands for the pair's first word. ``oddity``: three sounds are played, the
    odd one (``answer_word``) at ``odd_position``; the learner picks its position ("a", "b",
    "c"). ``clips`` lists what is played, in order, as ``[audio source id, word number,
    voice key]``; ``voice`` is the voice of the answer. Answered once: ``answered_at`` is set
    by a conditional UPDATE (see ``drill_answer``).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drill_attempts"
    )
    pair = models.ForeignKey(
        "curriculum.MinimalPair", on_delete=models.CASCADE, related_name="drill_attempts"
    )
    answer_word = models.PositiveSmallIntegerField(help_text="1 or 2: the word that is played.")
    word_1_key = models.CharField(max_length=1, help_text='"a" or "b": the key of word 1.')
    accent = models.CharField(max_length=10)
    lesson = models.ForeignKey(
        "curriculum.PronunciationLesson",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="drill_attempts",
    )
    # The audio chosen when the item was made; cleanup may delete it (then it is resolved again).
    audio_source = models.ForeignKey(
        "curriculum.AudioSource",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="drill_attempts",
    )
    item_format = models.CharField(
        max_length=10, choices=ItemFormat.choices, default=ItemFormat.IDENTIFY
    )
    odd_position = models.PositiveSmallIntegerField(null=True, blank=True)
    clips = models.JSONField(default=list, blank=True)
    voice = models.CharField(max_length=80, blank=True)
    placement = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    choice = models.CharField(max_length=1, blank=True)
    correct = models.BooleanField(null=True, blank=True)
    # An item of a downloaded drill pack: the pack carries its answer, which the learner could
    # read, so it counts for their own progress and reviews, never for a lesson or a teacher.
    offline = models.BooleanField(default=False)
    # The answer's idempotency key, made by the phone: a sync sent twice adds nothing.
    client_key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # A learner's recent attempts (history, lesson completion).
            models.Index(fields=["user", "-created_at"], name="idx_drill_user_created"),
            # The recent answers on one contrast (its mastery window, the last voice played).
            models.Index(fields=["user", "pair", "-created_at"], name="idx_drill_user_pair"),
            # A lesson's last answers (its completion rule).
            models.Index(fields=["user", "lesson", "-answered_at"], name="idx_drill_user_lesson"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(answer_word__in=[1, 2]), name="drillattempt_answer_word_valid"
            ),
            models.CheckConstraint(
                condition=Q(word_1_key__in=["a", "b"]), name="drillattempt_key_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(item_format="identify", odd_position__isnull=True)
                    | Q(item_format="oddity", odd_position__in=[1, 2, 3])
                ),
                name="drillattempt_format_valid",
            ),
            # Answered means all three are set; unanswered means none is.
            models.CheckConstraint(
                condition=(
                    Q(answered_at__isnull=True, choice="", correct__isnull=True)
                    | (
                        Q(answered_at__isnull=False, correct__isnull=False)
                        & Q(choice__in=["a", "b", "c"])
                    )
                ),
                name="drillattempt_answered_consistent",
            ),
            models.UniqueConstraint(
                fields=["user", "client_key"],
                condition=~Q(client_key=""),
                name="drillattempt_client_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.pair} ({'answered' if self.answered_at else 'open'})"

    @property
    def is_oddity(self) -> bool:
        return self.item_format == ItemFormat.ODDITY

    @property
    def choice_keys(self) -> tuple[str, ...]:
        return ("a", "b", "c") if self.is_oddity else ("a", "b")

    @property
    def answer_key(self) -> str:
        if self.is_oddity:
            return "abc"[self.odd_position - 1]
        return self.word_1_key if self.answer_word == 1 else _other(self.word_1_key)

    def key_of(self, number: int) -> str:
        return self.word_1_key if number == 1 else _other(self.word_1_key)


def _other(key: str) -> str:
    return "b" if key == "a" else "a"


class ReviewCard(models.Model):
    """The FSRS card of one contrast (a minimal pair) for one learner.

    ``card`` is ``fsrs.Card.to_dict()``; ``due`` repeats its due date in a column so the
    database can find what is due.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_cards"
    )
    pair = models.ForeignKey(
        "curriculum.MinimalPair", on_delete=models.CASCADE, related_name="review_cards"
    )
    card = models.JSONField()
    due = models.DateTimeField()
    reviews = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)
    last_reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "pair"], name="unique_review_card"),
            models.CheckConstraint(
                condition=Q(lapses__lte=models.F("reviews")), name="reviewcard_lapses_le_reviews"
            ),
        ]
        indexes = [
            # "What is due for this learner, oldest first" (the next drill).
            models.Index(fields=["user", "due"], name="idx_reviewcard_user_due"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.pair}: due {self.due:%Y-%m-%d %H:%M}"


class VowelRecording(models.Model):
    """A learner's recording of a vowel and where it fell on the F1/F2 chart.

    The file lives in the private ``learner_recordings`` storage (never under MEDIA_ROOT,
    which is public). It expires after PHATAM_LEARNER_RECORDING_DAYS: the file goes and
    ``file_name`` is emptied, the measured point stays in the learner's history.
    """

    class Verdict(models.TextChoices):
        OK = "ok", "Đúng"
        CLOSE = "close", "Gần đúng"
        HEARD_AS = "heard_as", "Nghe như âm khác"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vowel_recordings"
    )
    phoneme = models.ForeignKey(
        "curriculum.Phoneme", on_delete=models.CASCADE, related_name="learner_recordings"
    )
    accent = models.CharField(max_length=10)
    voice = models.CharField(max_length=10, choices=Voice.choices)
    file_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=40, blank=True)
    # Bytes of the stored file, which the learner's storage quota adds up while the file is
    # kept (0 for files stored before sizes were recorded: they expire within the month).
    file_size = models.PositiveIntegerField(default=0)
    duration = models.FloatField()
    f1 = models.FloatField()
    f2 = models.FloatField()
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    heard_as = models.CharField(max_length=10, blank=True)
    distance_bark = models.FloatField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # A learner's history for one vowel, newest first.
            models.Index(
                fields=["user", "phoneme", "-created_at"], name="idx_vowelrec_user_phoneme"
            ),
            # Expiry: recordings older than the cutoff that still have a file.
            models.Index(fields=["created_at"], name="idx_vowelrec_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(verdict__in=["ok", "close", "heard_as"]),
                name="vowelrecording_verdict_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – /{self.phoneme.ipa_symbol}/ {self.verdict}"


class WordRecording(models.Model):
    """A learner's recording of one word of a minimal pair and the verdict on the contrast
    the pair trains (``check_name``: a key of ``speech.wordchecks.CHECKS``), with the measurement.

    Private and expiring like :class:`VowelRecording`: the file lives in the
    ``learner_recordings`` storage and goes after PHATAM_LEARNER_RECORDING_DAYS (``file_name``
    emptied); the verdict stays in the learner's history.
    """

    class Verdict(models.TextChoices):
        OK = "ok", "Đúng"
        NOT_OK = "not_ok", "Chưa đúng"
        CANNOT_JUDGE = "cannot_judge", "Không chấm được"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="word_recordings"
    )
    pair = models.ForeignKey(
        "curriculum.MinimalPair", on_delete=models.CASCADE, related_name="learner_recordings"
    )
    word_number = models.PositiveSmallIntegerField(help_text="1 or 2: the word of the pair.")
    word = models.CharField(max_length=64)
    accent = models.CharField(max_length=10)
    check_name = models.CharField(max_length=20)
    verdict = models.CharField(max_length=12, choices=Verdict.choices)
    heard = models.CharField(max_length=20, blank=True)
    measurement = models.JSONField(default=dict, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    file_size = models.PositiveIntegerField(default=0)  # counted in the learner's quota
    content_type = models.CharField(max_length=40, blank=True)
    duration = models.FloatField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # A learner's history, newest first.
            models.Index(fields=["user", "-created_at"], name="idx_wordrec_user_created"),
            # Expiry: recordings older than the cutoff that still have a file.
            models.Index(fields=["created_at"], name="idx_wordrec_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(verdict__in=["ok", "not_ok", "cannot_judge"]),
                name="wordrecording_verdict_valid",
            ),
            models.CheckConstraint(
                condition=Q(word_number__in=[1, 2]), name="wordrecording_word_number_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.word} ({self.check_name}) {self.verdict}"


class VowelCalibration(models.Model):
    """A learner's own corner vowel (/iː ɑː uː/), measured once: with all three, their vowels
    are judged in their own vowel space (``speech.vowelfeedback.Calibration``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vowel_calibrations"
    )
    vowel = models.CharField(max_length=4)
    f1 = models.FloatField()
    f2 = models.FloatField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "vowel"], name="unique_vowel_calibration"),
            models.CheckConstraint(
                condition=Q(vowel__in=["iː", "ɑː", "uː"]), name="vowelcalibration_vowel_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: /{self.vowel}/ {self.f1:.0f}/{self.f2:.0f}"
