"""A learner's progress per phoneme, and their profile."""

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apps.practice.api.base import LearnerApi, learner_errors
from apps.practice.models import Voice
from apps.practice.selectors import learner_profile_get, learner_progress
from apps.practice.services.accounts import profile_update


class ProgressApi(LearnerApi):
    """Per phoneme (chart order): attempts, right answers, mastery (0–100), the next review
    of a contrast with it and how many are due; plus totals."""

    @extend_schema_serializer(component_name="ProgressPhonemeRow")
    class PhonemeRowSerializer(serializers.Serializer):
        phoneme_id = serializers.IntegerField(source="phoneme.pk")
        ipa_symbol = serializers.CharField(source="phoneme.ipa_symbol")
        category = serializers.CharField(source="phoneme.category.category_type")
        vietnamese_approx = serializers.CharField(source="phoneme.vietnamese_approx")
        attempts = serializers.IntegerField()
        correct = serializers.IntegerField()
        mastery = serializers.IntegerField()
        last_practised_at = serializers.DateTimeField(allow_null=True)
        next_due = serializers.DateTimeField(allow_null=True)
        due_now = serializers.IntegerField()

    @extend_schema_serializer(component_name="ProgressTotals")
    class TotalsSerializer(serializers.Serializer):
        attempts = serializers.IntegerField()
        correct = serializers.IntegerField()
        phonemes_practised = serializers.IntegerField()
        phonemes_mastered = serializers.IntegerField()
        reviews_due = serializers.IntegerField()
        contrasts_seen = serializers.IntegerField()
        next_due = serializers.DateTimeField(allow_null=True)

    @extend_schema_serializer(component_name="ProgressOutput")
    class OutputSerializer(serializers.Serializer):
        phonemes = serializers.SerializerMethodField()
        totals = serializers.SerializerMethodField()

        def get_phonemes(self, progress) -> list[dict]:
            return ProgressApi.PhonemeRowSerializer(progress.phonemes, many=True).data

        def get_totals(self, progress) -> dict:
            return ProgressApi.TotalsSerializer(progress.totals).data

    @extend_schema(responses={200: OutputSerializer, **learner_errors(401)})
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(learner_progress(request.user)).data)


class ProfileApi(LearnerApi):
    """The learner's profile: ``voice`` (female/male) picks women's or men's formants as the
    target of their vowels."""

    @extend_schema_serializer(component_name="ProfileInput")
    class InputSerializer(serializers.Serializer):
        voice = serializers.ChoiceField(choices=Voice.choices)

    @extend_schema_serializer(component_name="ProfileOutput")
    class OutputSerializer(serializers.Serializer):
        username = serializers.CharField(source="user.username")
        voice = serializers.CharField()

    @extend_schema(responses={200: OutputSerializer, **learner_errors(401)})
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(learner_profile_get(request.user)).data)

    @extend_schema(
        request=InputSerializer, responses={200: OutputSerializer, **learner_errors(400, 401, 403)}
    )
    def patch(self, request: Request) -> Response:
        form = self.InputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        profile = profile_update(request.user, voice=form.validated_data["voice"])
        return Response(self.OutputSerializer(profile).data)
