"""Learner accounts: sign-up, API tokens, the learner's profile.

New usernames are ASCII letters, digits and ``. _ -`` only, and one that looks like a name
already taken is refused: compared case-insensitively, with ``0``/``o`` as one letter and
``i``/``l``/``1`` as one (capital I and small l are one glyph in many fonts: "Ian" and "lan"
cannot both be taken). A small rule rather than a confusables library
(``confusable-homoglyphs`` flags mixed scripts but compares no two names): with ASCII only,
these are the look-alikes left. So "aliсe" with a Cyrillic "с" is refused as not ASCII,
"ALICE" and "al1ce" as taken when "alice" is. Accounts made before the rule keep their names.
"""

import re

from django.contrib.auth import authenticate, get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from rest_framework.authtoken.models import Token

from apps.curriculum.audio.voices import accent_validate
from apps.practice.models import DrillAttempt, LearnerProfile
from apps.practice.services.recordings import learner_recordings_delete_for

USERNAME_ALLOWED = re.compile(r"^[A-Za-z0-9._-]+$")
USERNAME_NOT_ASCII = (
    "Tên đăng nhập chỉ gồm chữ cái không dấu (a–z), chữ số và . _ - "
    "(ASCII letters, digits, dot, underscore, hyphen only)."
)
USERNAME_TAKEN = "Tên đăng nhập này đã có người dùng."
USERNAME_LOOKALIKE = (
    "Tên đăng nhập này quá giống một tên đã có người dùng (too similar to a name in use)."
)
# Characters that read as one another in many fonts, each mapped to one of its group.
_LOOKALIKE_GROUPS = {"0": "[o0]", "o": "[o0]", "1": "[il1]", "i": "[il1]", "l": "[il1]"}


class LoginLockedOut(Exception):
    """Too many wrong passwords for this username from this address: refused for
    PHATAM_LOGIN_COOLOFF_MINUTES (django-axes), even with the right password."""


def _username_lookalike_pattern(username: str) -> str:
    """A case-insensitive regular expression matching every spelling of ``username`` that
    only swaps look-alike characters."""
    return (
        "^"
        + "".join(_LOOKALIKE_GROUPS.get(char, re.escape(char)) for char in username.lower())
        + "$"
    )


def _username_refusal(username: str) -> str | None:
    User = get_user_model()  # noqa: N806
    if not USERNAME_ALLOWED.fullmatch(username):
        return USERNAME_NOT_ASCII
    if User.objects.filter(username__iexact=username).exists():
        return USERNAME_TAKEN
    if User.objects.filter(username__iregex=_username_lookalike_pattern(username)).exists():
        return USERNAME_LOOKALIKE
    return None


def learner_create(*, username: str, password: str):
    """Create a learner (with their profile) after Django's username and password checks,
    and the look-alike rule above.

    Raises ``ValidationError`` with errors by field ("username", "password").
    """
    User = get_user_model()  # noqa: N806
    user = User(username=username)
    errors: dict[str, list[str]] = {}
    # Learners read Vietnamese whatever language their client asks for: Django's own
    # messages (the password validators') are made in Vietnamese here, once.
    with translation.override("vi"):
        try:
            user.full_clean(exclude=["password"], validate_unique=False)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors[field] = [str(message) for message in messages]
        # The ASCII rule's message replaces Django's (which allows @ + and any letter).
        if (refusal := _username_refusal(username)) and (
            refusal == USERNAME_NOT_ASCII or "username" not in errors
        ):
            errors["username"] = [refusal]
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            errors["password"] = [str(message) for message in exc.messages]
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            LearnerProfile.objects.create(user=user)
    except IntegrityError:  # the same name registered a moment ago
        raise ValidationError({"username": [USERNAME_TAKEN]}) from None
    return user


def auth_token_for(user) -> str:
    """The learner's API token (created on first use)."""
    token, _ = Token.objects.get_or_create(user=user)
    return token.key


def auth_token_issue(request, *, username: str, password: str) -> str | None:
    """The API token of the learner these credentials belong to; ``None`` when they are wrong
    (or the account is inactive). Raises :class:`LoginLockedOut` when the login throttle
    refuses this username from this address (django-axes marks the request)."""
    user = authenticate(request, username=username, password=password)
    if user is None and getattr(request, "axes_locked_out", False):
        raise LoginLockedOut(username)
    return auth_token_for(user) if user is not None else None


def profile_update(user, **fields) -> LearnerProfile:
    """Set some of the learner's profile fields (``voice``: whose formants their vowels are
    compared with; ``dialect``; ``accent``), creating the profile if they have none. Raises
    ``ValidationError`` for a bad value and ``UnknownAccent`` for an accent not configured."""
    if "accent" in fields:
        fields["accent"] = accent_validate(fields["accent"])
    with transaction.atomic():
        profile = LearnerProfile.objects.select_for_update().filter(user=user).first()
        if profile is None:
            try:
                with transaction.atomic():
                    profile = LearnerProfile.objects.create(user=user)
            except IntegrityError:  # created by a concurrent request: update that one
                profile = LearnerProfile.objects.select_for_update().get(user=user)
        for name, value in fields.items():
            setattr(profile, name, value)
        profile.full_clean(exclude=["user", "first_lesson"])
        profile.save(update_fields=[*fields, "updated_at"])
    return profile


def learner_data_delete(user) -> None:
    """Account-deletion hook: delete ``user``'s recordings (their files once that commits)
    and drill attempts; review cards, profile and progress go with the user row."""
    learner_recordings_delete_for(user)
    DrillAttempt.objects.filter(user=user).delete()
