"""The learner's assignments on every page that asks for them (the practice home shows them
first), read only when a template uses them."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from apps.classes.selectors import DONE, assignments_for_learner


def class_assignments(request: HttpRequest) -> dict:
    def pending() -> list:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return []
        return [row for row in assignments_for_learner(user) if row.state != DONE]

    return {"class_assignments": SimpleLazyObject(pending)}
