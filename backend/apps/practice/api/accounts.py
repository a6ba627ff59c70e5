"""Learner accounts for API clients: register, and get a token for a username and password.

Both are throttled per client (scope ``auth``, PHATAM_AUTH_RATE) to slow down guessing.
"""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from apps.core.api import errors
from apps.core.throttles import TooManyRequests
from apps.practice.services.accounts import (
    USERNAME_ALLOWED,
    USERNAME_NOT_ASCII,
    LoginLockedOut,
    auth_token_for,
    auth_token_issue,
    learner_create,
)


def password_min_length() -> int:
    """The shortest password Django's validators accept (MinimumLengthValidator), else 1."""
    for validator in settings.AUTH_PASSWORD_VALIDATORS:
        if validator["NAME"].endswith(".MinimumLengthValidator"):
            return validator.get("OPTIONS", {}).get("min_length", 8)
    return 1


class AuthApi(APIView):
    # No session here: a token request carries credentials, not a cookie (and needs no CSRF).
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"


class RegisterApi(AuthApi):
    """Create a learner account; answers its API token. Passwords go through Django's
    validators (errors by field)."""

    @extend_schema_serializer(component_name="RegisterInput")
    class InputSerializer(serializers.Serializer):
        # Bounds and pattern as learner_create's checks: the schema says what is refused.
        username = serializers.RegexField(
            USERNAME_ALLOWED.pattern,
            min_length=1,
            max_length=150,
            error_messages={"invalid": USERNAME_NOT_ASCII},
        )
        password = serializers.CharField(
            min_length=password_min_length(),
            max_length=128,
            trim_whitespace=False,
            error_messages={"min_length": "Mật khẩu phải có ít nhất {min_length} ký tự."},
        )

    @extend_schema_serializer(component_name="RegisterOutput")
    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()
        username = serializers.CharField()

    @extend_schema(
        request=InputSerializer, responses={201: OutputSerializer, **errors(400, 429)}, auth=[]
    )
    def post(self, request: Request) -> Response:
        form = self.InputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            user = learner_create(**form.validated_data)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from None
        output = {"token": auth_token_for(user), "username": user.get_username()}
        return Response(self.OutputSerializer(output).data, status=201)


class TokenApi(AuthApi):
    """The API token of a learner, for their username and password. Send it as
    ``Authorization: Token <token>``."""

    @extend_schema_serializer(component_name="TokenInput")
    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(min_length=1, max_length=150)
        password = serializers.CharField(min_length=1, max_length=128, trim_whitespace=False)

    @extend_schema_serializer(component_name="TokenOutput")
    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()

    @extend_schema(
        request=InputSerializer, responses={200: OutputSerializer, **errors(400, 429)}, auth=[]
    )
    def post(self, request: Request) -> Response:
        form = self.InputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            token = auth_token_issue(request, **form.validated_data)
        except LoginLockedOut:
            minutes = settings.PHATAM_LOGIN_COOLOFF_MINUTES
            raise TooManyRequests(
                minutes * 60,
                detail=(
                    "Sai mật khẩu quá nhiều lần: tài khoản tạm khoá đăng nhập từ địa chỉ này "
                    f"trong {minutes} phút (too many failed logins)."
                ),
            ) from None
        if token is None:
            raise ValidationError({"non_field_errors": ["Tên đăng nhập hoặc mật khẩu không đúng."]})
        return Response(self.OutputSerializer({"token": token}).data)
