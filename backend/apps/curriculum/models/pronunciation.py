from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class PronunciationLesson(models.Model):
    """A lesson of the course: an ordered set of phonemes and minimal pairs.

    The syllabus goes from hearing to saying: ``perception`` lessons train the ear on a
    contrast, ``production`` lessons the mouth on the same contrast (the learner says the words
    and checks them against the audio).
    """

    class Stage(models.TextChoices):
        PERCEPTION = "perception", "Perception (nghe)"
        PRODUCTION = "production", "Production (nói)"

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=120)
    title_vi = models.CharField("title (Vietnamese)", max_length=120)
    description_vi = models.TextField("description (Vietnamese)", blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.PERCEPTION)
    trains_vi = models.TextField(
        "what it trains (Vietnamese)",
        blank=True,
        help_text="What the lesson trains and why it matters for Vietnamese speakers.",
    )
    is_published = models.BooleanField(default=True)
    phonemes = models.ManyToManyField(
        "Phoneme", through="PronunciationLessonPhoneme", related_name="lessons", blank=True
    )
    minimal_pairs = models.ManyToManyField(
        "MinimalPair", through="PronunciationLessonPair", related_name="lessons", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__in=["perception", "production"]), name="lesson_stage_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title_vi or self.title

    def ordered_phonemes(self):
        return self.phonemes.order_by("pronunciationlessonphoneme__position")

    def ordered_minimal_pairs(self):
        return self.minimal_pairs.order_by("pronunciationlessonpair__position")


class PronunciationLessonPhoneme(models.Model):
    lesson = models.ForeignKey(PronunciationLesson, on_delete=models.CASCADE)
    phoneme = models.ForeignKey("Phoneme", on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["lesson", "position"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "phoneme"], name="unique_lesson_phoneme"),
        ]

    def __str__(self) -> str:
        return f"{self.lesson}: {self.phoneme}"


class PronunciationLessonPair(models.Model):
    lesson = models.ForeignKey(PronunciationLesson, on_delete=models.CASCADE)
    minimal_pair = models.ForeignKey("MinimalPair", on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["lesson", "position"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "minimal_pair"], name="unique_lesson_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.lesson}: {self.minimal_pair}"


class UserPronunciationLessonProgress(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="pronunciation_lesson_progress",
    )
    lesson = models.ForeignKey(
        PronunciationLesson, on_delete=models.CASCADE, related_name="user_progress"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    score = models.PositiveSmallIntegerField(default=0, help_text="Best score, 0–100.")
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "user lesson progress"
        verbose_name_plural = "user lesson progress"
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="unique_user_lesson_progress"),
            models.CheckConstraint(
                condition=Q(score__lte=100), name="lessonprogress_score_max_100"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["not_started", "in_progress", "completed"]),
                name="lessonprogress_status_valid",
            ),
            # A completion date exactly when the lesson is completed.
            models.CheckConstraint(
                condition=(
                    Q(status="completed", completed_at__isnull=False)
                    | (~Q(status="completed") & Q(completed_at__isnull=True))
                ),
                name="lessonprogress_completed_at_iff_completed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.lesson}: {self.get_status_display()}"


class UserPhonemeProgress(models.Model):
    """How a learner is doing on one phoneme. Updated by ``phoneme_attempt_record``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="phoneme_progress"
    )
    phoneme = models.ForeignKey("Phoneme", on_delete=models.CASCADE, related_name="user_progress")
    attempts = models.PositiveIntegerField(default=0)
    correct = models.PositiveIntegerField(default=0)
    last_practised_at = models.DateTimeField(null=True, blank=True)
    mastery = models.PositiveSmallIntegerField(
        default=0, help_text="0–100: share of correct attempts, counted over at least 5."
    )

    class Meta:
        verbose_name = "user phoneme progress"
        verbose_name_plural = "user phoneme progress"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "phoneme"], name="unique_user_phoneme_progress"
            ),
            models.CheckConstraint(
                condition=Q(correct__lte=F("attempts")), name="phonemeprogress_correct_le_attempts"
            ),
            models.CheckConstraint(
                condition=Q(mastery__lte=100), name="phonemeprogress_mastery_max_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.phoneme}: {self.mastery}%"
