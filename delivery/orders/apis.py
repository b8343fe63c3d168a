from collections.abc import Callable
from typing import Any, cast

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.choices import Role
from accounts.http import AuthenticatedRequest
from accounts.models import PersonalDataAccess
from core.api import ErrorSerializer, api_errors
from core.db_router import reads_from_replica
from core.exceptions import InvalidTransition
from core.idempotency import idempotent
from delivery.choices import DeliveryStatus
from delivery.handoff.selectors import orders_visible_to
from delivery.handoff.tokens import DeliveryToken, delivery_token_for_applicant, delivery_token_qr
from delivery.handoff.transitions import ACTION_FUNCTIONS, MOVES, MoveResult, check_move
from delivery.models import DeliveryEvent, DeliveryOrder
from delivery.privacy.services import personal_data_access_record


class DeliveryEventOutput(serializers.Serializer[DeliveryEvent]):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor_role = serializers.CharField()
    office = serializers.CharField(source="office.name", default="")
    location = serializers.SerializerMethodField(
        help_text="Where the move was made: the courier's position when the phone sent one, else the office."
    )
    occurred_at = serializers.DateTimeField()
    device_time = serializers.DateTimeField(allow_null=True)
    deadline_at = serializers.DateTimeField(allow_null=True)

    def get_location(self, event: DeliveryEvent) -> str:
        personal = getattr(event, "personal", None)
        return (personal.location if personal is not None else "") or event.location


class DeliveryOrderOutput(serializers.Serializer[DeliveryOrder]):
    code = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    area = serializers.CharField(source="area.name")
    destination_kind = serializers.CharField()
    delivery_fee = serializers.IntegerField()
    deadline_at = serializers.DateTimeField(allow_null=True)
    deadline_breached = serializers.SerializerMethodField()
    courier = serializers.CharField(source="courier.name", default=None, allow_null=True)
    delivery_date = serializers.DateField(allow_null=True, help_text="The delivery day chosen at booking")
    delivery_window = serializers.CharField(
        source="delivery_window.label",
        default=None,
        allow_null=True,
        help_text="The time window chosen at booking (WITA), e.g. 08.00–12.00",
    )

    def get_deadline_breached(self, order: DeliveryOrder) -> bool:
        return order.deadline_breached_at is not None


class DeliveryOrderDetailOutput(DeliveryOrderOutput):
    events = DeliveryEventOutput(many=True, source="timeline")


class OrderFilterInput(serializers.Serializer[dict[str, Any]]):
    status = serializers.ChoiceField(choices=DeliveryStatus.values, required=False)
    area = serializers.SlugField(required=False, max_length=40)
    courier = serializers.CharField(required=False, max_length=20)
    created_from = serializers.DateField(required=False)
    created_to = serializers.DateField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("created_from"), attrs.get("created_to")
        if start and end and start > end:
            raise serializers.ValidationError({"created_to": [_("The end date is before the start date.")]})
        return attrs


class DeliveryOrderListApi(ListAPIView[DeliveryOrder]):
    serializer_class = DeliveryOrderOutput
    required_scopes = {"GET": "read_tracking"}
    request: AuthenticatedRequest  # behind the default IsAuthenticated

    @extend_schema(
        summary="List the delivery orders you may see",
        parameters=[
            OpenApiParameter("status", enum=DeliveryStatus.values, required=False),
            OpenApiParameter("area", str, description="Area code, e.g. makassar", required=False),
            OpenApiParameter("courier", str, description="Courier's Nippos", required=False),
            OpenApiParameter("created_from", OpenApiTypes.DATE, required=False),
            OpenApiParameter("created_to", OpenApiTypes.DATE, required=False),
        ],
        responses={200: DeliveryOrderOutput(many=True), 403: ErrorSerializer},
    )
    @reads_from_replica()
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[DeliveryOrder]:
        qs = orders_visible_to(self.request.user).order_by("-created_at", "-pk")
        filters = OrderFilterInput(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("area"):
            qs = qs.filter(area__code=data["area"])
        if data.get("courier"):
            qs = qs.filter(courier__nippos=data["courier"])
        if data.get("created_from"):
            qs = qs.filter(created_at__date__gte=data["created_from"])
        if data.get("created_to"):
            qs = qs.filter(created_at__date__lte=data["created_to"])
        return qs


class DeliveryOrderDetailApi(APIView):
    required_scopes = {"GET": "read_tracking"}

    @extend_schema(
        summary="One delivery order with its timeline",
        responses={200: DeliveryOrderDetailOutput, 404: ErrorSerializer},
    )
    def get(self, request: AuthenticatedRequest, code: str) -> Response:
        order = get_object_or_404(orders_visible_to(request.user).select_related("application"), code=code)
        if getattr(request.user, "role", None) != Role.APPLICANT:
            personal_data_access_record(
                user=request.user,
                applicant_id=order.application.applicant_id,
                what=PersonalDataAccess.What.ORDER_API,
                reference=order.code,
            )
        return Response(DeliveryOrderDetailOutput(order).data)


class MoveInput(serializers.Serializer[dict[str, Any]]):
    # Refusing a dossier needs the missing items: /api/v1/counter/dossiers/<code>/refuse/.
    action = serializers.ChoiceField(choices=[action for action, move in MOVES.items() if not move.own_page])
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class DeliveryOrderMoveApi(APIView):
    required_scopes = {"POST": "write_handoff"}

    @extend_schema(
        summary="Move a delivery order one step along the handoff",
        request=MoveInput,
        responses={
            200: DeliveryOrderDetailOutput,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, code: str) -> Response:
        order = get_object_or_404(orders_visible_to(request.user), code=code)
        data = MoveInput(data=request.data)
        data.is_valid(raise_exception=True)
        action = data.validated_data["action"]
        move = MOVES[action]
        if move.courier_app_only:
            check_move(action, order, request.user)
            raise InvalidTransition(
                _("Deliveries and failed attempts are recorded in the courier app, with their proof."),
                code="use_courier_app",
            )
        kwargs: dict[str, object] = {"order_id": order.pk, "actor": request.user}
        if move.reason:
            kwargs["reason"] = data.validated_data.get("reason", "")
        # the table mixes signatures (some take a reason), so mypy infers a bare function
        make_move = cast("Callable[..., MoveResult]", ACTION_FUNCTIONS[action])
        result = make_move(**kwargs)
        return Response(DeliveryOrderDetailOutput(result.order).data)


class DeliveryTokenOutput(serializers.Serializer[DeliveryToken]):
    token = serializers.CharField(help_text="The signed delivery token (base64url payload . signature)")
    attempt = serializers.IntegerField(help_text="The delivery run it is bound to")
    expires_at = serializers.DateTimeField(help_text="The end of the delivery day (WITA)")
    qr_png = serializers.SerializerMethodField(help_text="The QR code of the token, a PNG data URL")

    def get_qr_png(self, issued: DeliveryToken) -> str:
        return delivery_token_qr(issued.token)


class DeliveryOrderTokenApi(APIView):
    """The applicant's own order only: anyone else (staff of any office included) gets 404; closed
    to partner systems' API tokens (no scope)."""

    @extend_schema(
        summary="The signed delivery token and its QR code of your own order, while it is out for delivery",
        responses={200: DeliveryTokenOutput, **api_errors(401, 403, 404, 409)},
    )
    def get(self, request: AuthenticatedRequest, code: str) -> Response:
        issued = delivery_token_for_applicant(order_code=code, actor=request.user)
        response = Response(DeliveryTokenOutput(issued).data)
        response["Cache-Control"] = "no-store"
        return response
