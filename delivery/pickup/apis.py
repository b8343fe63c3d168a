"""The branch counter's handover over the API: the same service as the page."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import AuthenticatedRequest
from core.api import ERRORS
from core.fields import AsciiDigitsSerializerField
from core.idempotency import idempotent
from delivery.choices import IdType, ReceiverKind
from delivery.handoff.selectors import orders_visible_to
from delivery.orders.apis import DeliveryOrderDetailOutput
from delivery.pickup.services import delivery_order_hand_over_at_branch


class BranchHandoverInput(serializers.Serializer[dict[str, Any]]):
    code = AsciiDigitsSerializerField(max_length=12, help_text="The applicant's delivery code")
    receiver_kind = serializers.ChoiceField(choices=ReceiverKind.choices)
    id_type = serializers.ChoiceField(choices=IdType.choices)
    id_last_four = serializers.CharField(max_length=4)
    stand_in_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    stand_in_relation = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    authorisation_seen = serializers.BooleanField(
        required=False, default=False, help_text="A stand-in showed the applicant's written authorisation"
    )


class BranchHandoverApi(APIView):
    @extend_schema(
        summary="Step 7 at the pickup branch: hand the passport over against the delivery code",
        request=BranchHandoverInput,
        responses={200: DeliveryOrderDetailOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, code: str) -> Response:
        order = get_object_or_404(orders_visible_to(request.user), code=code)
        data = BranchHandoverInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = delivery_order_hand_over_at_branch(
            order_code=order.code, actor=request.user, **data.validated_data
        )
        return Response(DeliveryOrderDetailOutput(result.order).data)
