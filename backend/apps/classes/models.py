"""Classes: a teacher's group of learners, what the teacher assigns, and what each learner
agreed to share with the class's teacher."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

# Join codes use letters and digits that cannot be misread for one another (no 0/O, 1/I/L).
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6
# Teachers are the users of this group (staff count too).
TEACHERS_GROUP = "teachers"


class Classroom(models.Model):
    """A teacher's class. Learners join it with ``join_code``."""

    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="classes_taught"
    )
    name = models.CharField(max_length=100)
    join_code = models.CharField(max_length=JOIN_CODE_LENGTH, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["teacher", "-created_at"], name="idx_class_teacher")]
        constraints = [
            models.CheckConstraint(
                condition=Q(join_code__regex=rf"^[{JOIN_CODE_ALPHABET}]{{{JOIN_CODE_LENGTH}}}$"),
                name="classroom_join_code_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.join_code})"


class Membership(models.Model):
    """A learner in a class, and whether they let its teacher hear their recordings.

    Consent lives on the membership: leaving the class (or being removed) deletes the row and
    with it the consent, so sharing stops at once.
    """

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="class_memberships"
    )
    joined_at = models.DateTimeField(default=timezone.now)
    share_recordings = models.BooleanField(default=False)
    share_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["classroom", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["classroom", "user"], name="unique_class_member"),
        ]
        indexes = [
            # "The classes this learner is in" (their pages, assignments).
            models.Index(fields=["user", "classroom"], name="idx_member_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.classroom}"


class Assignment(models.Model):
    """A lesson a teacher gives a class, due by ``due``."""

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="assignments")
    lesson = models.ForeignKey(
        "curriculum.PronunciationLesson", on_delete=models.CASCADE, related_name="assignments"
    )
    due = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["classroom", "lesson"], name="unique_class_lesson"),
        ]

    def __str__(self) -> str:
        return f"{self.lesson} for {self.classroom}, due {self.due:%Y-%m-%d}"
