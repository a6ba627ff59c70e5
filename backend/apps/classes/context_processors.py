"""The learner's assignments on every page that asks for them (the practice home shows them
first), and whether the user teaches (the menu links the teacher's pages); each is read only
when a template uses it."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from apps.classes.selectors import DONE, assignments_for_learner, is_teacher


def class_assignments(request: HttpRequest) -> dict:
    def pending() -> list:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return []
        return [row for row in assignments_for_learner(user) if row.state != DONE]

    def teaches() -> bool:
        user = getattr(request, "user", None)
        return user is not None and is_teacher(user)

    return {
        "class_assignments": SimpleLazyObject(pending),
        "user_teaches": SimpleLazyObject(teaches),
    }
