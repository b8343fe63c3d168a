"""The applicant's side of the API: online booking (create, pay, status), public tracking, address
change and cancel. The same services as the pages, the same refusals, the shared error shape."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import TokenScopePermission
from core.api import ERRORS
from core.exceptions import NotFound
from core.fields import AsciiDigitsSerializerField
from core.idempotency import idempotent
from core.lookups import lookup_refuse_if_locked
from core.middleware import client_ip
from delivery import online as svc
from delivery import tracking
from delivery.apis import DeliveryOrderDetailOutput, ErrorSerializer
from delivery.choices import DestinationKind
from delivery.models import Area, OnlineBooking
from delivery.selectors import orders_visible_to
from delivery.transitions import delivery_order_cancel


class OnlineBookingInput(serializers.Serializer):
    billing_code = AsciiDigitsSerializerField(
        max_length=20, spaces=True, message=_("A billing code has exactly 15 digits.")
    )
    birth_date = serializers.DateField()
    destination_kind = serializers.ChoiceField(choices=DestinationKind.choices)
    address = serializers.CharField(max_length=300)
    area = serializers.SlugRelatedField(slug_field="code", queryset=Area.objects.all())
    recipient_phone = serializers.CharField(max_length=20)
    recipient_email = serializers.EmailField()
    signature = serializers.CharField(
        max_length=400_000, help_text="The power of attorney signed on a screen: a PNG data URL."
    )


class OnlineBookingOutput(serializers.Serializer):
    token = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    area = serializers.CharField(source="area.code")
    delivery_fee = serializers.IntegerField()
    state_fee_due = serializers.IntegerField()
    total = serializers.IntegerField()
    error = serializers.CharField()
    order = serializers.CharField(source="order.code", default=None, allow_null=True)


def _booking(token: str) -> OnlineBooking:
    booking = OnlineBooking.objects.select_related("area", "order").filter(token=token).first()
    if booking is None:
        raise NotFound(_("No such booking."), code="unknown_booking")
    return booking


class PublicApi(APIView):
    """Open to anyone (applicants have no token); partner tokens need ``read_tracking``."""

    permission_classes = [AllowAny, TokenScopePermission]
    required_scopes = {"GET": "read_tracking", "POST": "read_tracking"}


class OnlineBookingCreateApi(PublicApi):
    @extend_schema(
        summary="Book delivery online: billing code, date of birth, destination and signed power of attorney",
        request=OnlineBookingInput,
        responses={201: OnlineBookingOutput, 429: ErrorSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request):
        data = OnlineBookingInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["area_id"] = values.pop("area").pk
        booking = svc.online_booking_start(**values, actor=request.user, client=client_ip(request))
        return Response(OnlineBookingOutput(booking).data, status=status.HTTP_201_CREATED)


class OnlineBookingPayApi(PublicApi):
    @extend_schema(
        summary="Pay an online booking (passport fee if unpaid plus delivery fee); confirmed asynchronously",
        request=None,
        responses={202: OnlineBookingOutput, **ERRORS},
    )
    @idempotent
    def post(self, request, token: str):
        booking = svc.online_booking_pay(token=_booking(token).token)
        return Response(OnlineBookingOutput(booking).data, status=status.HTTP_202_ACCEPTED)


class OnlineBookingDetailApi(PublicApi):
    @extend_schema(
        summary="The state of an online booking and, once paid, its tracking code",
        responses={200: OnlineBookingOutput, **ERRORS},
    )
    def get(self, request, token: str):
        return Response(OnlineBookingOutput(_booking(token)).data)


class TrackingLookupInput(serializers.Serializer):
    code = serializers.CharField(max_length=12)
    birth_date = serializers.DateField(required=False)
    nik_last4 = AsciiDigitsSerializerField(digits=4, required=False, message=_("Enter 4 digits."))

    def validate(self, attrs):
        if not attrs.get("birth_date") and not attrs.get("nik_last4"):
            raise serializers.ValidationError(_("Enter your date of birth or the last 4 digits of your NIK."))
        return attrs


class TrackingStepOutput(serializers.Serializer):
    number = serializers.IntegerField()
    label = serializers.CharField()
    done_at = serializers.DateTimeField(allow_null=True)
    rule = serializers.CharField()
    current = serializers.BooleanField()


class TrackingOutput(serializers.Serializer):
    code = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    holder = serializers.CharField()
    area = serializers.CharField()
    deadline_at = serializers.DateTimeField(allow_null=True)
    received_by = serializers.CharField(allow_blank=True)
    received_at = serializers.DateTimeField(allow_null=True)
    steps = TrackingStepOutput(many=True)


class TrackingLookupApi(PublicApi):
    @extend_schema(
        summary="Public tracking: tracking code plus date of birth or the last 4 NIK digits",
        request=TrackingLookupInput,
        responses={200: TrackingOutput, 429: ErrorSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request):
        client = client_ip(request)
        data = TrackingLookupInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        code = values["code"].strip().upper()
        # one round trip for both counters; a malformed request reveals nothing and is not counted
        lookup_refuse_if_locked(client=client, subject=tracking.tracking_subject(code))
        birth_date = values.get("birth_date")
        page = tracking.tracking_lookup(
            code=code, birth_date=birth_date, nik_last4="" if birth_date else values.get("nik_last4", "")
        )
        if page is None:
            tracking.tracking_record_failure(client=client, code=code)
            raise NotFound(
                _("No delivery matches this tracking code and date of birth or NIK digits."), code="no_match"
            )
        return Response(
            TrackingOutput(
                {
                    "code": page.code,
                    "status": page.status,
                    "status_label": page.status_label,
                    "holder": page.holder,
                    "area": page.area,
                    "deadline_at": page.deadline_at,
                    "received_by": page.received_by,
                    "received_at": page.received_at,
                    "steps": page.steps,
                }
            ).data
        )


class AddressChangeInput(serializers.Serializer):
    destination_kind = serializers.ChoiceField(choices=DestinationKind.choices)
    address = serializers.CharField(max_length=300)
    area = serializers.SlugRelatedField(slug_field="code", queryset=Area.objects.all())
    expected_fee = serializers.IntegerField(
        min_value=0, help_text="The new area's fee as shown to the applicant; refused if the tariff changed."
    )


class AddressChangeOutput(serializers.Serializer):
    order = serializers.CharField(source="order.code")
    area = serializers.CharField(source="new_area.code")
    old_fee = serializers.IntegerField()
    new_fee = serializers.IntegerField()
    difference = serializers.IntegerField()


class ApplicantOrderApi(APIView):
    permission_classes = [IsAuthenticated, TokenScopePermission]
    required_scopes: dict = {}  # the applicant's own moves: not for partner tokens

    def order(self, request, code: str):
        return get_object_or_404(orders_visible_to(request.user), code=code)


class OrderAddressChangeApi(ApplicantOrderApi):
    @extend_schema(
        summary="Change the delivery address before the passport leaves Imigrasi (fee follows the area)",
        request=AddressChangeInput,
        responses={200: AddressChangeOutput, **ERRORS},
    )
    @idempotent
    def post(self, request, code: str):
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


class CancelInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class OrderCancelApi(ApplicantOrderApi):
    @extend_schema(
        summary="Cancel delivery before the passport leaves Imigrasi",
        request=CancelInput,
        responses={200: DeliveryOrderDetailOutput, **ERRORS},
    )
    @idempotent
    def post(self, request, code: str):
        order = self.order(request, code)
        data = CancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = delivery_order_cancel(
            order_id=order.pk, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(DeliveryOrderDetailOutput(result.order).data)
