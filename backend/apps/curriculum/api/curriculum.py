"""The curriculum's read API: phoneme categories and minimal pairs."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.request import Request

from apps.curriculum.api.cache import payload_name, payload_response
from apps.curriculum.api.common import database_id, errors, phoneme_or_404, row_id_parameter
from apps.curriculum.api.serializers import CategorySerializer, MinimalPairSerializer
from apps.curriculum.models import MinimalPair, PhonemeCategory
from apps.curriculum.selectors import minimal_pairs_list


@extend_schema_view(
    retrieve=extend_schema(
        parameters=[row_id_parameter("id", location=OpenApiParameter.PATH)],
        responses={200: CategorySerializer, **errors(404)},
    )
)
class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CategorySerializer
    queryset = PhonemeCategory.objects.all()
    pagination_class = None

    def list(self, request: Request, *args, **kwargs) -> HttpResponse:
        return payload_response(
            request,
            payload_name("categories"),
            lambda: (CategorySerializer(PhonemeCategory.objects.all(), many=True).data, None),
        )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            row_id_parameter("phoneme", description="A phoneme id."),
            OpenApiParameter(
                "kind",
                OpenApiTypes.STR,
                enum=MinimalPair.Kind.values,
                description="Only pairs of this kind (minimal pairs, final consonants, …).",
            ),
        ],
        responses={200: MinimalPairSerializer(many=True), **errors(400, 404)},
    ),
    retrieve=extend_schema(
        parameters=[row_id_parameter("id", location=OpenApiParameter.PATH)],
        responses={200: MinimalPairSerializer, **errors(404)},
    ),
)
class MinimalPairViewSet(viewsets.ReadOnlyModelViewSet):
    """Minimal pairs and drill pairs; ``?phoneme=<id>`` keeps those in which that phoneme takes
    part, ``?kind=`` those of one kind."""

    serializer_class = MinimalPairSerializer
    pagination_class = None

    class Query(serializers.Serializer):
        phoneme = serializers.CharField(required=False)
        kind = serializers.ChoiceField(choices=MinimalPair.Kind.choices, required=False)

        def validate_phoneme(self, value: str) -> int:
            pk = database_id(value)
            if pk is None:
                raise serializers.ValidationError(f"{value!r} is not a phoneme id.")
            return pk

    def get_queryset(self):
        if self.action != "list":
            return minimal_pairs_list()
        query = self.Query(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        pk = query.validated_data.get("phoneme")
        return minimal_pairs_list(
            phoneme=phoneme_or_404(pk) if pk is not None else None,
            kind=query.validated_data.get("kind"),
        )
