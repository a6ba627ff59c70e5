"""Writes of the classes app: teachers, classes, members, consent and assignments.

Every function checks who may do it and raises a :class:`ClassError` subclass otherwise;
views turn those into 403/404/400 answers.
"""

import secrets
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.classes.models import (
    JOIN_CODE_ALPHABET,
    JOIN_CODE_LENGTH,
    TEACHERS_GROUP,
    Assignment,
    Classroom,
    Membership,
)
from apps.classes.selectors import is_teacher
from apps.curriculum.models import PronunciationLesson

# A fresh code collides with an existing one about once in 10^9/classes; a few tries suffice.
JOIN_CODE_TRIES = 10


class ClassError(Exception):
    """A class operation refused; ``message_vi`` is what the user reads."""

    message_vi = "Không thực hiện được."

    def __init__(self, message_vi: str | None = None):
        super().__init__(message_vi or self.message_vi)
        if message_vi:
            self.message_vi = message_vi


class NotATeacher(ClassError):
    message_vi = "Chỉ giáo viên mới tạo được lớp (not a teacher)."


class UnknownJoinCode(ClassError):
    message_vi = "Không có lớp nào với mã này (no class has this code)."


class OwnClass(ClassError):
    message_vi = "Bạn là giáo viên của lớp này (you teach this class)."


class NotAMember(ClassError):
    message_vi = "Không có học viên này trong lớp (not a member of this class)."


class UnknownUser(ClassError):
    message_vi = "Không có người dùng này (no such user)."


def teacher_add(username: str) -> tuple[object, bool]:
    """Put the existing user ``username`` in the ``teachers`` group: (user, added). Adding a
    teacher twice changes nothing. Raises :class:`UnknownUser`."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise UnknownUser(f"Không có người dùng “{username}” (no such user).")
    group, _ = Group.objects.get_or_create(name=TEACHERS_GROUP)
    if user.groups.filter(pk=group.pk).exists():
        return user, False
    user.groups.add(group)
    return user, True


def join_code_new() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def join_code_normalize(code: str) -> str:
    """What a learner typed as a code: spaces and dashes dropped, upper case."""
    return "".join(code.split()).replace("-", "").upper()


def classroom_create(teacher, *, name: str) -> Classroom:
    """A new class taught by ``teacher`` with a fresh join code. Raises :class:`NotATeacher`."""
    if not is_teacher(teacher):
        raise NotATeacher()
    for _ in range(JOIN_CODE_TRIES):
        classroom = Classroom(teacher=teacher, name=name.strip(), join_code=join_code_new())
        classroom.full_clean(validate_unique=False)
        try:
            with transaction.atomic():
                classroom.save()
        except IntegrityError:
            if not Classroom.objects.filter(join_code=classroom.join_code).exists():
                raise
            continue
        return classroom
    raise ClassError("Không tạo được mã lớp; hãy thử lại (no free join code).")


def classroom_join(user, *, code: str) -> Membership:
    """Put ``user`` in the class whose join code is ``code`` (joining twice is harmless).
    Raises :class:`UnknownJoinCode` and :class:`OwnClass` (a teacher joining their class)."""
    classroom = Classroom.objects.filter(join_code=join_code_normalize(code)).first()
    if classroom is None:
        raise UnknownJoinCode()
    if classroom.teacher_id == user.pk:
        raise OwnClass()
    membership, _ = Membership.objects.get_or_create(classroom=classroom, user=user)
    return membership


def membership_leave(user, classroom_id: int) -> None:
    """``user`` leaves the class; their consent goes with the membership, so the teacher
    stops hearing their recordings at once. Raises :class:`NotAMember`."""
    deleted, _ = Membership.objects.filter(classroom_id=classroom_id, user=user).delete()
    if not deleted:
        raise NotAMember("Bạn không ở trong lớp này (you are not in this class).")


def member_remove(classroom: Classroom, user_id: int) -> None:
    """The teacher takes learner ``user_id`` out of ``classroom`` (the caller checked that
    the class is theirs): their results and recordings leave the teacher's view with them.
    Raises :class:`NotAMember`."""
    deleted, _ = Membership.objects.filter(classroom=classroom, user_id=user_id).delete()
    if not deleted:
        raise NotAMember()


def consent_set(user, classroom_id: int, *, share: bool) -> Membership:
    """Let (or stop letting) the class's teacher hear ``user``'s recent recordings.
    Raises :class:`NotAMember`."""
    membership = Membership.objects.filter(classroom_id=classroom_id, user=user).first()
    if membership is None:
        raise NotAMember("Bạn không ở trong lớp này (you are not in this class).")
    if membership.share_recordings != share:
        membership.share_recordings = share
        membership.share_changed_at = timezone.now()
        membership.save(update_fields=["share_recordings", "share_changed_at"])
    return membership


def assignment_set(
    classroom: Classroom, *, lesson: PronunciationLesson, due: datetime
) -> tuple[Assignment, bool]:
    """Assign ``lesson`` to the class by ``due`` (assigning it again moves the due date):
    (assignment, created)."""
    assignment, created = Assignment.objects.update_or_create(
        classroom=classroom, lesson=lesson, defaults={"due": due}
    )
    return assignment, created


def assignment_delete(classroom: Classroom, assignment_id: int) -> bool:
    deleted, _ = Assignment.objects.filter(classroom=classroom, pk=assignment_id).delete()
    return bool(deleted)


def class_data_delete(user) -> None:
    """Account-deletion hook: the user's memberships (and their consents) and the classes
    they teach (with those classes' memberships and assignments). The database cascade would
    do the same when the user row goes; deleting them first says so in one place."""
    Membership.objects.filter(user=user).delete()
    Classroom.objects.filter(teacher=user).delete()
