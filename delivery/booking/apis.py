"""The applicant's side of the API: online booking (create, pay, status), public tracking, address
change and cancel. The same services as the pages, the same refusals, the shared error shape."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import PublicApi
from accounts.authentication import TokenScopePermission
from accounts.http import AuthenticatedRequest
from core.api import ERRORS, api_errors
from core.exceptions import NotFound
from core.fields import AsciiDigitsSerializerField
from core.idempotency import idempotent
from core.middleware import client_ip
from delivery.booking import online as svc
from delivery.booking import windows
from delivery.booking.reschedule import delivery_order_reschedule
from delivery.booking.windows import DayOffer, WindowOffer
from delivery.choices import DestinationKind, NotificationChannel
from delivery.handoff.selectors import orders_visible_to
from delivery.handoff.transitions import delivery_order_cancel
from delivery.models import AddressChange, Area, DeliveryOrder, OnlineBooking, RescheduleRequest
from delivery.orders.apis import DeliveryOrderDetailOutput, ErrorSerializer


class OnlineBookingInput(serializers.Serializer[dict[str, Any]]):
    billing_code = AsciiDigitsSerializerField(
        max_length=20, spaces=True, message=_("A billing code has exactly 15 digits.")
    )
    birth_date = serializers.DateField()
    destination_kind = serializers.ChoiceField(choices=DestinationKind.choices)
    address = serializers.CharField(max_length=300)
    area = serializers.SlugRelatedField(slug_field="code", queryset=Area.objects.all())
    recipient_phone = serializers.CharField(max_length=20)
    recipient_email = serializers.EmailField()
    news_channels = serializers.ListField(
        child=serializers.ChoiceField(choices=NotificationChannel.choices),
        required=False,
        max_length=3,
        help_text=(
            "How the applicant wants the news of each step (at least one; SMS and email when left "
            "out). Including whatsapp is the applicant's WhatsApp opt-in for recipient_phone."
        ),
    )
    signature = serializers.CharField(
        max_length=400_000, help_text="The power of attorney signed on a screen: a PNG data URL."
    )
    delivery_date = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Optional delivery day, one offered by GET /api/v1/areas/{code}/windows/ (with window)",
    )
    window = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Optional: the id of a delivery window with free places on delivery_date",
    )


class OnlineBookingOutput(serializers.Serializer[OnlineBooking]):
    token = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    area = serializers.CharField(source="area.code")
    delivery_fee = serializers.IntegerField()
    state_fee_due = serializers.IntegerField()
    total = serializers.IntegerField()
    error = serializers.CharField()
    order = serializers.CharField(source="order.code", default=None, allow_null=True)
    delivery_date = serializers.DateField(allow_null=True)
    delivery_window = serializers.CharField(source="delivery_window.label", default=None, allow_null=True)
    news_channels = serializers.SerializerMethodField()

    def get_news_channels(self, booking: OnlineBooking) -> list[str]:
        return booking.news_channels.split(",")


def _booking(token: str) -> OnlineBooking:
    booking = (
        OnlineBooking.objects.select_related("area", "order", "delivery_window").filter(token=token).first()
    )
    if booking is None:
        raise NotFound(_("No such booking."), code="unknown_booking")
    return booking


class OnlineBookingCreateApi(PublicApi):
    @extend_schema(
        summary="Book delivery online: billing code, date of birth, destination and signed power of attorney",
        request=OnlineBookingInput,
        responses={201: OnlineBookingOutput, 429: ErrorSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = OnlineBookingInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["area_id"] = values.pop("area").pk
        values["window_id"] = values.pop("window")
        booking = svc.online_booking_start(**values, actor=request.user, client=client_ip(request))
        return Response(OnlineBookingOutput(booking).data, status=status.HTTP_201_CREATED)


class OnlineBookingPayApi(PublicApi):
    @extend_schema(
        summary="Pay an online booking (passport fee if unpaid plus delivery fee); confirmed asynchronously",
        request=None,
        responses={202: OnlineBookingOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: Request, token: str) -> Response:
        booking = svc.online_booking_pay(token=_booking(token).token, actor=request.user)
        return Response(OnlineBookingOutput(booking).data, status=status.HTTP_202_ACCEPTED)


class OnlineBookingDetailApi(PublicApi):
    @extend_schema(
        summary="The state of an online booking and, once paid, its tracking code",
        responses={200: OnlineBookingOutput, **ERRORS},
    )
    def get(self, request: Request, token: str) -> Response:
        return Response(OnlineBookingOutput(_booking(token)).data)


class AddressChangeInput(serializers.Serializer[dict[str, Any]]):
    destination_kind = serializers.ChoiceField(choices=DestinationKind.choices)
    address = serializers.CharField(max_length=300)
    area = serializers.SlugRelatedField(slug_field="code", queryset=Area.objects.all())
    expected_fee = serializers.IntegerField(
        min_value=0, help_text="The new area's fee as shown to the applicant; refused if the tariff changed."
    )


class AddressChangeOutput(serializers.Serializer[AddressChange]):
    order = serializers.CharField(source="order.code")
    area = serializers.CharField(source="new_area.code")
    old_fee = serializers.IntegerField()
    new_fee = serializers.IntegerField()
    difference = serializers.IntegerField()


class ApplicantOrderApi(APIView):
    permission_classes = [IsAuthenticated, TokenScopePermission]
    required_scopes: dict[str, str] = {}  # the applicant's own moves: not for partner tokens

    def order(self, request: AuthenticatedRequest, code: str) -> DeliveryOrder:
        return get_object_or_404(orders_visible_to(request.user), code=code)


class OrderAddressChangeApi(ApplicantOrderApi):
    @extend_schema(
        summary="Change the delivery address before the passport leaves Imigrasi (fee follows the area)",
        request=AddressChangeInput,
        responses={200: AddressChangeOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, code: str) -> Response:
        order = self.order(request, code)
        data = AddressChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        change = svc.delivery_order_change_address(
            order_id=order.pk,
            actor=request.user,
            destination_kind=values["destination_kind"],
            address=values["address"],
            area_id=values["area"].pk,
            expected_fee=values["expected_fee"],
        )
        return Response(AddressChangeOutput(change).data)


class CancelInput(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class OrderCancelApi(ApplicantOrderApi):
    @extend_schema(
        summary="Cancel delivery before the passport leaves Imigrasi",
        request=CancelInput,
        responses={200: DeliveryOrderDetailOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, code: str) -> Response:
        order = self.order(request, code)
        data = CancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = delivery_order_cancel(
            order_id=order.pk, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(DeliveryOrderDetailOutput(result.order).data)


class RescheduleInput(serializers.Serializer[dict[str, Any]]):
    preferred_date = serializers.DateField(help_text="From today to 14 days ahead")
    new_address = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=300,
        default="",
        help_text="Optional: another address in the same area",
    )
    window = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="In an area with delivery windows: the id of a window with free places on preferred_date",
    )


class RescheduleOutput(serializers.Serializer[RescheduleRequest]):
    order = serializers.CharField(source="order.code")
    after_attempt = serializers.IntegerField()
    preferred_date = serializers.DateField()
    new_address = serializers.CharField()
    address = serializers.CharField(source="order.address")
    delivery_window = serializers.CharField(source="delivery_window.label", default=None, allow_null=True)


class DeliveryOrderRescheduleApi(APIView):
    @extend_schema(
        summary="After a failed attempt, the applicant picks another day or address in the same area",
        request=RescheduleInput,
        responses={200: RescheduleOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, code: str) -> Response:
        order = get_object_or_404(orders_visible_to(request.user), code=code)
        data = RescheduleInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["window_id"] = values.pop("window")
        reschedule = delivery_order_reschedule(order_id=order.pk, actor=request.user, **values)
        reschedule.order.refresh_from_db(fields=["address"])
        return Response(RescheduleOutput(reschedule).data)


class WindowFreeOutput(serializers.Serializer[WindowOffer]):
    id = serializers.IntegerField(source="window.pk")
    starts_at = serializers.TimeField(source="window.starts_at", format="%H:%M")
    ends_at = serializers.TimeField(source="window.ends_at", format="%H:%M")
    name = serializers.CharField(source="window.label", help_text="As the pages show it, e.g. 08.00–12.00")
    free = serializers.IntegerField(help_text="Places still free on that day")


class DayWindowsOutput(serializers.Serializer[DayOffer]):
    date = serializers.DateField(source="day")
    windows = WindowFreeOutput(many=True)


class AreaWindowsOutput(serializers.Serializer[dict[str, Any]]):
    area = serializers.CharField()
    lead_days = serializers.IntegerField(help_text="Working days from today to the first delivery day")
    first_date = serializers.DateField()
    days = DayWindowsOutput(many=True)


class AreaWindowsInput(serializers.Serializer[dict[str, Any]]):
    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        return {"from": serializers.DateField(required=False, default=None, allow_null=True)}


class AreaWindowsApi(PublicApi):
    @extend_schema(
        summary="The delivery days and time windows an area offers, with their free places",
        parameters=[
            OpenApiParameter(
                "from",
                OpenApiTypes.DATE,
                required=False,
                description="List from this day (never before the area's first delivery day)",
            )
        ],
        responses={200: AreaWindowsOutput, **api_errors(400, 401, 403, 404)},
    )
    def get(self, request: Request, code: str) -> Response:
        area = Area.objects.filter(code=code).first()
        if area is None:
            raise NotFound(_("No such area."), code="unknown_area")
        data = AreaWindowsInput(data={"from": request.query_params.get("from") or None})
        data.is_valid(raise_exception=True)
        first = windows.first_delivery_day(area)
        offered = windows.windows_offered(area, start=data.validated_data["from"])
        return Response(
            AreaWindowsOutput(
                {"area": area.code, "lead_days": area.lead_days, "first_date": first, "days": offered}
            ).data
        )
