from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from delivery.choices import DeliveryStatus
from delivery.selectors import orders_visible_to
from delivery.transitions import ACTION_FUNCTIONS, MOVES


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class DeliveryEventOutput(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor_role = serializers.CharField()
    office = serializers.CharField(source="office.name", default="")
    location = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    device_time = serializers.DateTimeField(allow_null=True)
    deadline_at = serializers.DateTimeField(allow_null=True)


class DeliveryOrderOutput(serializers.Serializer):
    code = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    area = serializers.CharField(source="area.name")
    destination_kind = serializers.CharField()
    delivery_fee = serializers.IntegerField()
    deadline_at = serializers.DateTimeField(allow_null=True)
    deadline_breached = serializers.SerializerMethodField()
    courier = serializers.CharField(source="courier.name", default=None, allow_null=True)

    def get_deadline_breached(self, order) -> bool:
        return order.deadline_breached_at is not None


class DeliveryOrderDetailOutput(DeliveryOrderOutput):
    events = DeliveryEventOutput(many=True, source="events.all")


class DeliveryOrderListApi(ListAPIView):
    serializer_class = DeliveryOrderOutput

    @extend_schema(
        summary="List the delivery orders you may see",
        parameters=[OpenApiParameter("status", enum=DeliveryStatus.values, required=False)],
        responses={200: DeliveryOrderOutput(many=True), 403: ErrorSerializer},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        qs = orders_visible_to(self.request.user).order_by("-created_at", "-pk")
        status = self.request.query_params.get("status")
        if status:
            if status not in DeliveryStatus.values:
                raise serializers.ValidationError({"status": [_("Unknown status.")]})
            qs = qs.filter(status=status)
        return qs


class DeliveryOrderDetailApi(APIView):
    @extend_schema(
        summary="One delivery order with its timeline",
        responses={200: DeliveryOrderDetailOutput, 404: ErrorSerializer},
    )
    def get(self, request, code: str):
        order = get_object_or_404(orders_visible_to(request.user), code=code)
        return Response(DeliveryOrderDetailOutput(order).data)


class MoveInput(serializers.Serializer):
    # Refusing a dossier needs the missing items: /api/v1/counter/dossiers/<code>/refuse/.
    action = serializers.ChoiceField(choices=[action for action in MOVES if action != "refuse_dossier"])
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class DeliveryOrderMoveApi(APIView):
    @extend_schema(
        summary="Move a delivery order one step along the handoff",
        request=MoveInput,
        responses={
            200: DeliveryOrderDetailOutput, 400: ErrorSerializer, 403: ErrorSerializer,
            404: ErrorSerializer, 409: ErrorSerializer,
        },
    )
    def post(self, request, code: str):
        order = get_object_or_404(orders_visible_to(request.user), code=code)
        data = MoveInput(data=request.data)
        data.is_valid(raise_exception=True)
        action = data.validated_data["action"]
        kwargs = {"order_id": order.pk, "actor": request.user}
        if action in ("fail_attempt", "cancel"):
            kwargs["reason"] = data.validated_data.get("reason", "")
        result = ACTION_FUNCTIONS[action](**kwargs)
        return Response(DeliveryOrderDetailOutput(result.order).data)
