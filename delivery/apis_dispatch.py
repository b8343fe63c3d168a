"""The delivery pages' remaining actions as API endpoints: putting an order on a courier's run (the
order page and the dispatcher's board) and the applicant's new day or address after a failed attempt.

Each calls the same service as its page; role, office and ownership are checked there.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ERRORS
from core.idempotency import idempotent
from delivery.apis import DeliveryOrderDetailOutput
from delivery.models import Courier
from delivery.proof import delivery_code_unlock
from delivery.reschedule import delivery_order_reschedule
from delivery.selectors import orders_visible_to
from delivery.services import delivery_order_assign_courier


class AssignCourierInput(serializers.Serializer):
    courier = serializers.PrimaryKeyRelatedField(
        queryset=Courier.objects.all(), help_text="The courier's id (a courier of your office)"
    )


class DeliveryOrderAssignCourierApi(APIView):
    required_scopes = {"POST": "write_handoff"}

    @extend_schema(
        summary="Put an order on a courier's run, or move it to another courier (Pos dispatcher)",
        request=AssignCourierInput,
        responses={200: DeliveryOrderDetailOutput, **ERRORS},
    )
    @idempotent
    def post(self, request, code: str):
        order = get_object_or_404(orders_visible_to(request.user), code=code)
        data = AssignCourierInput(data=request.data)
        data.is_valid(raise_exception=True)
        order = delivery_order_assign_courier(
            order_id=order.pk, courier=data.validated_data["courier"], actor=request.user
        )
        return Response(DeliveryOrderDetailOutput(order).data)


class CodeUnlockOutput(serializers.Serializer):
    order = serializers.CharField()
    wrong_codes_before = serializers.IntegerField()


class DeliveryOrderCodeUnlockApi(APIView):
    required_scopes = {"POST": "write_handoff"}

    @extend_schema(
        summary="Allow new delivery code tries after the courier entered too many wrong codes (Pos dispatcher)",
        request=None,
        responses={200: CodeUnlockOutput, **ERRORS},
    )
    @idempotent
    def post(self, request, code: str):
        had = delivery_code_unlock(order_code=code, actor=request.user)
        return Response(CodeUnlockOutput({"order": code, "wrong_codes_before": had}).data)


class RescheduleInput(serializers.Serializer):
    preferred_date = serializers.DateField(help_text="From today to 14 days ahead")
    new_address = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=300,
        default="",
        help_text="Optional: another address in the same area",
    )


class RescheduleOutput(serializers.Serializer):
    order = serializers.CharField(source="order.code")
    after_attempt = serializers.IntegerField()
    preferred_date = serializers.DateField()
    new_address = serializers.CharField()
    address = serializers.CharField(source="order.address")


class DeliveryOrderRescheduleApi(APIView):
    @extend_schema(
        summary="After a failed attempt, the applicant picks another day or address in the same area",
        request=RescheduleInput,
        responses={200: RescheduleOutput, **ERRORS},
    )
    @idempotent
    def post(self, request, code: str):
        order = get_object_or_404(orders_visible_to(request.user), code=code)
        data = RescheduleInput(data=request.data)
        data.is_valid(raise_exception=True)
        reschedule = delivery_order_reschedule(order_id=order.pk, actor=request.user, **data.validated_data)
        reschedule.order.refresh_from_db(fields=["address"])
        return Response(RescheduleOutput(reschedule).data)
