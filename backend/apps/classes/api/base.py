"""What the class endpoints share: the caller's class (404 when it is not theirs), and the
refusals of the services as HTTP answers."""

from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request

from apps.classes.models import Classroom
from apps.classes.selectors import classroom_for_teacher
from apps.classes.services import ClassError, NotAMember, NotATeacher, UnknownJoinCode
from apps.core.api import database_id


def taught_or_404(request: Request, pk: str) -> Classroom:
    """Class ``pk`` if the caller teaches it: anyone else (another teacher, a learner of the
    class) gets the 404 of a class that does not exist."""
    classroom = classroom_for_teacher(request.user, database_id(pk))
    if classroom is None:
        raise NotFound(f"Không có lớp {pk} (no such class).")
    return classroom


def refusal(exc: ClassError) -> Exception:
    """The API error for a refused class operation."""
    if isinstance(exc, NotATeacher):
        return PermissionDenied(exc.message_vi)
    if isinstance(exc, UnknownJoinCode | NotAMember):
        return NotFound(exc.message_vi)
    return ValidationError({"detail": [exc.message_vi]})
