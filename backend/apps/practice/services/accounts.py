"""Learner accounts: sign-up, API tokens, the learner's profile."""

from django.contrib.auth import authenticate, get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from rest_framework.authtoken.models import Token

from apps.practice.models import DrillAttempt, LearnerProfile
from apps.practice.selectors import learner_profile_get
from apps.practice.services.recordings import vowel_recordings_delete_for


def learner_create(*, username: str, password: str):
    """Create a learner (with their profile) after Django's username and password checks.

    Raises ``ValidationError`` with errors by field ("username", "password").
    """
    User = get_user_model()  # noqa: N806
    user = User(username=username)
    errors: dict[str, list[str]] = {}
    try:
        user.full_clean(exclude=["password"], validate_unique=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if "username" not in errors and User.objects.filter(username__iexact=username).exists():
        errors["username"] = ["Tên đăng nhập này đã có người dùng."]
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            LearnerProfile.objects.create(user=user)
    except IntegrityError:  # the same name registered a moment ago
        raise ValidationError({"username": ["Tên đăng nhập này đã có người dùng."]}) from None
    return user


def auth_token_for(user) -> str:
    """The learner's API token (created on first use)."""
    token, _ = Token.objects.get_or_create(user=user)
    return token.key


def auth_token_issue(request, *, username: str, password: str) -> str | None:
    """The API token of the learner these credentials belong to; ``None`` when they are wrong
    (or the account is inactive)."""
    user = authenticate(request, username=username, password=password)
    return auth_token_for(user) if user is not None else None


def profile_update(user, *, voice: str) -> LearnerProfile:
    """Set whose formants the learner's vowels are compared with ("male" or "female")."""
    profile = learner_profile_get(user)
    profile.voice = voice
    profile.full_clean(exclude=["user"])
    if profile.pk is None:
        try:
            with transaction.atomic():
                profile.save()
                return profile
        except IntegrityError:  # created by a concurrent request: update that one
            profile = LearnerProfile.objects.get(user=user)
            profile.voice = voice
    profile.save(update_fields=["voice", "updated_at"])
    return profile


def learner_data_delete(user) -> None:
    """Account-deletion hook: delete ``user``'s recordings (their files once that commits)
    and drill attempts; review cards, profile and progress go with the user row."""
    vowel_recordings_delete_for(user)
    DrillAttempt.objects.filter(user=user).delete()
