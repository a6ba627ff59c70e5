"""Learner accounts for API clients: register, and get a token for a username and password.

Both are throttled per client (scope ``auth``, PHATAM_AUTH_RATE) to slow down guessing.
"""

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
from apps.practice.services.accounts import auth_token_for, auth_token_issue, learner_create


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
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=128, trim_whitespace=False)

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
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=128, trim_whitespace=False)

    @extend_schema_serializer(component_name="TokenOutput")
    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()

    @extend_schema(
        request=InputSerializer, responses={200: OutputSerializer, **errors(400, 429)}, auth=[]
    )
    def post(self, request: Request) -> Response:
        form = self.InputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        token = auth_token_issue(request, **form.validated_data)
        if token is None:
            raise ValidationError({"non_field_errors": ["Tên đăng nhập hoặc mật khẩu không đúng."]})
        return Response(self.OutputSerializer({"token": token}).data)
