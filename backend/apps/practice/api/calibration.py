"""Your own vowel space: a learner records /iː ɑː uː/ once, and from then on their vowels are
judged against their own corner vowels (Nearey's log-mean normalisation,
``speech.vowelfeedback``) rather than the average man's or woman's."""

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import upload_data
from apps.core.recordings import RecordingRejected
from apps.practice.api.base import LearnerApi, learner_errors
from apps.practice.api.feedback import NoVowel
from apps.practice.selectors import vowel_calibration_state
from apps.practice.services.recordings import (
    NotACalibrationVowel,
    vowel_calibration_clear,
    vowel_calibration_record,
)
from apps.practice.vowels import CALIBRATION_VOWELS, Refused
from speech.acoustics import MeasurementError


class CalibrationPointSerializer(serializers.Serializer):
    f1 = serializers.IntegerField()
    f2 = serializers.IntegerField()


class CalibrationStateSerializer(serializers.Serializer):
    vowels = serializers.DictField(child=CalibrationPointSerializer(allow_null=True))
    complete = serializers.BooleanField()


class VowelCalibrationApi(LearnerApi):
    """``GET`` the learner's calibration; ``POST`` a recording of one corner vowel
    (multipart ``file``, ``vowel``: iː, ɑː or uː); ``DELETE`` to start again."""

    parser_classes = [MultiPartParser]

    @extend_schema_serializer(component_name="VowelCalibrationInput")
    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(allow_empty_file=True)
        vowel = serializers.ChoiceField(choices=list(CALIBRATION_VOWELS))

    @extend_schema(responses={200: CalibrationStateSerializer, **learner_errors(401)})
    def get(self, request: Request) -> Response:
        return Response(CalibrationStateSerializer(vowel_calibration_state(request.user)).data)

    @extend_schema(
        request={"multipart/form-data": InputSerializer},
        responses={200: CalibrationStateSerializer, **learner_errors(400, 401, 413, 422)},
    )
    def post(self, request: Request) -> Response:
        data = upload_data(request)
        form = self.InputSerializer(data=data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        try:
            state = vowel_calibration_record(
                request.user, form.validated_data["vowel"], upload, name=upload.name
            )
        except NotACalibrationVowel as exc:
            raise ValidationError({"vowel": [str(exc)]}) from None
        except RecordingRejected as exc:
            raise ValidationError({"file": [str(exc)]}) from None
        except Refused as exc:
            raise NoVowel(str(exc)) from None
        except MeasurementError:
            raise NoVowel() from None
        return Response(CalibrationStateSerializer(state).data)

    @extend_schema(responses={204: None, **learner_errors(401)})
    def delete(self, request: Request) -> Response:
        vowel_calibration_clear(request.user)
        return Response(status=204)
