"""Manage my delivery over the API: the same link, code and services as the pages.

1. ``POST manage/codes/`` with the personal link's token (or the tracking code with the date of
   birth or the NIK digits, checked and locked like the tracking lookup) sends the one-time code to
   the phone and mail on file and answers a signed challenge.
2. ``POST manage/sessions/`` with the challenge and the code answers a session token, valid
   ``MANAGE_SESSION_SECONDS`` for that one order (``Authorization: Manage <token>``); revoking the
   order's links ends it.
3. ``manage/order/...`` reads what may be done and does it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import authentication, exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import AuthenticatedRequest
from accounts.models import User
from core.api import ERRORS, ErrorSerializer, api_errors
from core.exceptions import NotFound, ValidationFailed
from core.fields import AsciiDigitsSerializerField
from core.lookups import lookup_failed, lookup_refuse_if_locked
from core.middleware import client_ip
from delivery.booking import online
from delivery.booking.reschedule import delivery_order_reschedule
from delivery.choices import DestinationKind
from delivery.manage import access, links
from delivery.manage.services import manage_cancel, manage_choose_pickup, manage_overview
from delivery.models import Area, DeliveryOrder
from delivery.money.difference import fee_difference_pay
from delivery.privacy.services import applicant_data_export
from delivery.tracking import services as tracking

_CHALLENGE_SALT = "delivery.manage.api.challenge"
_SESSION_SALT = "delivery.manage.api.session"


def _session_token(order: DeliveryOrder) -> str:
    return signing.dumps({"o": order.code, "v": order.link_version}, salt=_SESSION_SALT)


class ManageSessionAuthentication(authentication.BaseAuthentication):
    """``Authorization: Manage <token>`` from ``manage/sessions/``: acts as the applicant, for the
    token's one order only (``request.auth``); accepted by the manage endpoints and no other."""

    keyword = "Manage"

    def authenticate(self, request: Request) -> tuple[User, DeliveryOrder] | None:
        header = authentication.get_authorization_header(request).decode(errors="replace").split()
        if not header or header[0] != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed session header."))
        try:
            claims = signing.loads(header[1], salt=_SESSION_SALT, max_age=settings.MANAGE_SESSION_SECONDS)
        except signing.BadSignature:
            raise exceptions.AuthenticationFailed(_("This session has ended. Ask for a new code.")) from None
        order = (
            DeliveryOrder.objects.select_related("area", "delivery_window", "application__applicant")
            .filter(code=claims.get("o") if isinstance(claims, dict) else None)
            .first()
        )
        if order is None or order.link_version != claims.get("v"):
            raise exceptions.AuthenticationFailed(_("This session has ended. Ask for a new code."))
        return access.applicant_user_ensure(order=order), order

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class ManageCodeInput(serializers.Serializer[dict[str, Any]]):
    link = serializers.CharField(
        required=False, max_length=100, help_text="The token of the personal link (/m/<token>/)"
    )
    code = serializers.CharField(required=False, max_length=12, help_text="Or: the tracking code ...")
    birth_date = serializers.DateField(required=False, help_text="... with the date of birth")
    nik_last4 = AsciiDigitsSerializerField(
        digits=4, required=False, message=_("Enter 4 digits."), help_text="... or the last 4 NIK digits"
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("link") and not (
            attrs.get("code") and (attrs.get("birth_date") or attrs.get("nik_last4"))
        ):
            raise serializers.ValidationError(
                _("Send the personal link, or the tracking code with the date of birth or NIK digits.")
            )
        return attrs


class ManageCodeOutput(serializers.Serializer[dict[str, Any]]):
    challenge = serializers.CharField(help_text="Send it back with the code to manage/sessions/")
    sent_to_phone = serializers.CharField(help_text="Masked")
    sent_to_email = serializers.CharField(help_text="Masked; empty without an address on file")


class ManageCodeApi(APIView):
    authentication_classes: list[type[authentication.BaseAuthentication]] = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Send the applicant a one-time code to manage their delivery",
        request=ManageCodeInput,
        responses={202: ManageCodeOutput, 410: ErrorSerializer, 429: ErrorSerializer, **ERRORS},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = ManageCodeInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        client = client_ip(request)
        if values.get("link"):
            lookup_refuse_if_locked(client=client)
            try:
                order = links.link_order(values["link"])
            except links.LinkExpired:
                return Response(
                    {"code": "link_expired", "message": str(_("This link has expired.")), "fields": {}},
                    status=status.HTTP_410_GONE,
                )
            except links.LinkInvalid:
                lookup_failed(client=client)
                raise NotFound(_("This link is not valid."), code="link_invalid") from None
        else:
            code = values["code"].strip().upper()
            lookup_refuse_if_locked(client=client, subject=tracking.tracking_subject(code))
            birth_date = values.get("birth_date")
            found = tracking.tracking_find(
                code=code, birth_date=birth_date, nik_last4="" if birth_date else values.get("nik_last4", "")
            )
            if found is None:
                tracking.tracking_record_failure(client=client, code=code)
                raise NotFound(
                    _("No delivery matches this tracking code and date of birth or NIK digits."),
                    code="no_match",
                )
            order = found
        sent = access.manage_code_request(order=order)
        challenge = signing.dumps({"c": sent.code_id}, salt=_CHALLENGE_SALT)
        body = {"challenge": challenge, "sent_to_phone": sent.to_phone, "sent_to_email": sent.to_email}
        return Response(ManageCodeOutput(body).data, status=status.HTTP_202_ACCEPTED)


class ManageSessionInput(serializers.Serializer[dict[str, Any]]):
    challenge = serializers.CharField(max_length=200)
    one_time_code = AsciiDigitsSerializerField(
        digits=6, message=_("Type the 6 digits of the code we sent you.")
    )


class ManageSessionOutput(serializers.Serializer[dict[str, Any]]):
    token = serializers.CharField(help_text="Authorization: Manage <token>")
    expires_in = serializers.IntegerField(help_text="Seconds")
    order = serializers.CharField()


class ManageSessionApi(APIView):
    authentication_classes: list[type[authentication.BaseAuthentication]] = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Exchange the one-time code for a session on that one delivery",
        request=ManageSessionInput,
        responses={201: ManageSessionOutput, 429: ErrorSerializer, **ERRORS},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = ManageSessionInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            claims = signing.loads(
                data.validated_data["challenge"], salt=_CHALLENGE_SALT, max_age=settings.MANAGE_CODE_SECONDS
            )
        except signing.BadSignature:
            raise ValidationFailed(
                _("Ask for a new code."), fields={"challenge": [_("Ask for a new code.")]}
            ) from None
        order = access.manage_code_verify(
            code_id=int(claims["c"]), digits=data.validated_data["one_time_code"], client=client_ip(request)
        )
        body = {
            "token": _session_token(order),
            "expires_in": settings.MANAGE_SESSION_SECONDS,
            "order": order.code,
        }
        return Response(ManageSessionOutput(body).data, status=status.HTTP_201_CREATED)


class ManageRefundOutput(serializers.Serializer[Any]):
    amount = serializers.IntegerField(help_text="Rupiah")
    where = serializers.CharField()
    rule = serializers.CharField()


class ManageProofOutput(serializers.Serializer[Any]):
    receiver_name = serializers.CharField()
    relation = serializers.CharField()
    received_at = serializers.DateTimeField(source="event.occurred_at")
    method = serializers.CharField(source="proof_method")


class ManageDifferencePaymentOutput(serializers.Serializer[Any]):
    amount = serializers.IntegerField(help_text="Rupiah")
    status = serializers.CharField(help_text="paying, paid or failed")
    status_label = serializers.CharField(source="get_status_display")
    receipt_number = serializers.CharField()
    failure = serializers.CharField(help_text="Why it was refused (nothing was charged)")


class ManagePickupBranchOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    address = serializers.CharField()
    opening_hours = serializers.CharField()


class ManageOverviewOutput(serializers.Serializer[dict[str, Any]]):
    code = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    destination_kind = serializers.CharField()
    address = serializers.CharField()
    area = serializers.CharField()
    delivery_fee = serializers.IntegerField()
    delivery_date = serializers.DateField(allow_null=True)
    delivery_window = serializers.CharField(allow_blank=True)
    can_change_day = serializers.BooleanField()
    can_change_address = serializers.BooleanField()
    can_cancel = serializers.BooleanField()
    refund = ManageRefundOutput(allow_null=True, help_text="What cancelling now gives back")
    proof = ManageProofOutput(allow_null=True)
    qr_token = serializers.CharField(allow_blank=True, help_text="Signed token for the courier, while out")
    fee_difference_to_pay = serializers.IntegerField(
        help_text="Rupiah of an address change's fee difference that may be paid online now (0: none)"
    )
    fee_difference_payment = ManageDifferencePaymentOutput(
        allow_null=True, help_text="The latest online payment of a fee difference"
    )
    can_choose_pickup = serializers.BooleanField(
        help_text="Whether the passport may now be collected at a Pos branch instead (for good)"
    )
    pickup_branches = ManagePickupBranchOutput(many=True, help_text="The branches that may be chosen now")
    pickup_branch = ManagePickupBranchOutput(
        allow_null=True, help_text="The branch chosen to collect the passport at; null: home delivery"
    )


class ManagedOrderApi(APIView):
    authentication_classes = [ManageSessionAuthentication]
    permission_classes = [IsAuthenticated]

    def order(self, request: AuthenticatedRequest) -> DeliveryOrder:
        order = request.auth
        assert isinstance(order, DeliveryOrder)  # ManageSessionAuthentication sets it
        return order

    def overview(self, request: AuthenticatedRequest) -> dict[str, Any]:
        order = DeliveryOrder.objects.select_related(
            "area", "delivery_window", "application__applicant", "pickup_branch"
        ).get(pk=self.order(request).pk)
        seen = manage_overview(order=order, actor=request.user)
        return ManageOverviewOutput(
            {
                "code": order.code,
                "status": order.status,
                "status_label": order.get_status_display(),
                "destination_kind": order.destination_kind,
                "address": order.address,
                "area": order.area.code,
                "delivery_fee": order.delivery_fee,
                "delivery_date": seen.delivery_date,
                "delivery_window": seen.window,
                "can_change_day": seen.can_change_day,
                "can_change_address": seen.can_change_address,
                "can_cancel": seen.can_cancel,
                "refund": seen.refund,
                "proof": seen.proof,
                "qr_token": seen.token.token if seen.token else "",
                "fee_difference_to_pay": seen.difference_to_pay,
                "fee_difference_payment": seen.difference_payment,
                "can_choose_pickup": seen.can_choose_pickup,
                "pickup_branches": seen.pickup_branches,
                "pickup_branch": order.pickup_branch,
            }
        ).data


class ManagedOrderDetailApi(ManagedOrderApi):
    @extend_schema(
        summary="What the applicant's delivery is and what may be done now",
        responses={200: ManageOverviewOutput, **ERRORS},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(self.overview(request))


class ManageDayInput(serializers.Serializer[dict[str, Any]]):
    delivery_date = serializers.DateField()
    window = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="A window offered by areas/{code}/windows/"
    )
    new_address = serializers.CharField(
        required=False, allow_blank=True, max_length=300, default="", help_text="After a failed attempt only"
    )


class ManagedOrderDayApi(ManagedOrderApi):
    @extend_schema(
        summary="Choose another delivery day (and window)",
        request=ManageDayInput,
        responses={200: ManageOverviewOutput, **ERRORS},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        data = ManageDayInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        delivery_order_reschedule(
            order_id=self.order(request).pk,
            actor=request.user,
            preferred_date=values["delivery_date"],
            new_address=values["new_address"],
            window_id=values["window"],
        )
        return Response(self.overview(request))


class ManageAddressInput(serializers.Serializer[dict[str, Any]]):
    destination_kind = serializers.ChoiceField(choices=DestinationKind.choices)
    address = serializers.CharField(max_length=300)
    area = serializers.SlugRelatedField(slug_field="code", queryset=Area.objects.all())
    expected_fee = serializers.IntegerField(help_text="The new area's fee as shown to the applicant")


class ManagedOrderAddressApi(ManagedOrderApi):
    @extend_schema(
        summary="Change the delivery address (the fee follows the area)",
        request=ManageAddressInput,
        responses={200: ManageOverviewOutput, **ERRORS},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        data = ManageAddressInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        online.delivery_order_change_address(
            order_id=self.order(request).pk,
            actor=request.user,
            destination_kind=values["destination_kind"],
            address=values["address"],
            area_id=values["area"].pk,
            expected_fee=values["expected_fee"],
        )
        return Response(self.overview(request))


class ManageCancelInput(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ManagedOrderCancelApi(ManagedOrderApi):
    @extend_schema(
        summary="Cancel the delivery (the refund rule in the overview)",
        request=ManageCancelInput,
        responses={200: ManageOverviewOutput, **ERRORS},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        data = ManageCancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        manage_cancel(
            order_id=self.order(request).pk, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(self.overview(request))


class ManagePickupInput(serializers.Serializer[dict[str, Any]]):
    branch = serializers.IntegerField(help_text="One of the overview's pickup_branches")
    confirm = serializers.BooleanField(
        help_text="True: the applicant confirmed that home delivery ends for good (the courier no longer comes)"
    )

    def validate_confirm(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(_("Confirm that home delivery ends for good."))
        return value


class ManagedOrderPickupApi(ManagedOrderApi):
    @extend_schema(
        summary="Collect the passport at a Pos branch instead of home delivery (for good)",
        request=ManagePickupInput,
        responses={200: ManageOverviewOutput, **ERRORS},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        data = ManagePickupInput(data=request.data)
        data.is_valid(raise_exception=True)
        manage_choose_pickup(
            order_id=self.order(request).pk, actor=request.user, branch_id=data.validated_data["branch"]
        )
        return Response(self.overview(request))


class ManagedOrderFeeDifferenceApi(ManagedOrderApi):
    @extend_schema(
        summary="Pay online the fee difference an address change left open (the answer comes later)",
        request=None,
        responses={202: ManageOverviewOutput, **ERRORS},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        fee_difference_pay(order_id=self.order(request).pk, actor=request.user)
        return Response(self.overview(request), status=status.HTTP_202_ACCEPTED)


class ManagedOrderDataApi(ManagedOrderApi):
    @extend_schema(summary="Everything the portal holds about the applicant", responses={200: dict, **ERRORS})
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(applicant_data_export(user=request.user))


class ManagedOrderRevokeApi(ManagedOrderApi):
    @extend_schema(
        summary="End every personal link and session of the delivery",
        request=None,
        responses={204: None, **api_errors(401, 403)},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        links.links_revoke(order_id=self.order(request).pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
