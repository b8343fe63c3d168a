"""Group booking over the API: the same all-or-nothing check and booking as the page, each member's
power of attorney (signed at the counter, or by the member through their personal link's token),
the group's one payment and its receipt PDF."""

from __future__ import annotations

import csv
import io
from typing import Any, cast

from django.http import HttpResponse
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import PublicApi
from accounts.http import AuthenticatedRequest
from core.api import ERRORS, api_errors
from core.exceptions import DomainError, NotFound, ValidationFailed
from core.files import pdf_response
from core.idempotency import idempotent
from core.lookups import lookup_failed, lookup_locked, too_many_attempts
from core.middleware import client_ip
from delivery.booking import group_fees, group_members, groups
from delivery.counter.documents import group_receipt_pdf
from delivery.manage import access, links
from delivery.models import Area, DeliveryOrder, GroupBooking


class GroupRowInput(serializers.Serializer[dict[str, Any]]):
    billing_code = serializers.CharField(max_length=30)
    birth_date = serializers.CharField(max_length=20, help_text="YYYY-MM-DD")
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    phone = serializers.CharField(
        max_length=20, help_text="The member's own phone: the news of their passport and their personal link"
    )
    email = serializers.CharField(
        max_length=254,
        required=False,
        allow_blank=True,
        default="",
        help_text="The member's own e-mail, if any",
    )


class GroupBookingInput(serializers.Serializer[dict[str, Any]]):
    area = serializers.SlugRelatedField(slug_field="code", queryset=Area.objects.all())
    contact_phone = serializers.CharField(max_length=16)
    rows = GroupRowInput(many=True, required=False, help_text="The passports; or send `csv` instead.")
    csv = serializers.CharField(
        required=False,
        max_length=groups.MAX_BYTES,
        help_text="The CSV file's text with the header billing_code,birth_date,name,phone,email "
        "(name and email may be left out)",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("rows")) == bool(attrs.get("csv")):
            raise serializers.ValidationError({"rows": [gettext("Send either rows or csv.")]})
        return attrs


# Only used with many=True (a list in), which the stubs do not model: no type argument.
class GroupOrderOutput(serializers.Serializer):
    code = serializers.CharField(source="order.code")
    name = serializers.CharField(source="order.application.applicant.full_name")
    status = serializers.CharField(source="order.status")
    status_label = serializers.CharField(source="order.get_status_display")
    courier = serializers.CharField(source="order.courier.name", default=None, allow_null=True)
    phone = serializers.CharField(help_text="The member's own phone, masked")
    email = serializers.CharField(help_text="The member's own e-mail, masked (empty when none)")
    poa_signed_at = serializers.DateTimeField(source="item.poa_signed_at", allow_null=True)
    poa_signed_via = serializers.CharField(
        source="item.poa_signed_via", help_text="link, counter or agency; empty while waiting"
    )
    waiting_signature = serializers.BooleanField(
        help_text="The dossier waits for the member's own power of attorney"
    )
    delivery_fee = serializers.IntegerField(source="fee")
    receipt_number = serializers.CharField(help_text="Empty until the group's fees are paid")


class GroupOutput(serializers.Serializer[GroupBooking]):
    number = serializers.CharField()
    address = serializers.CharField()
    area = serializers.CharField(source="area.code")
    courier = serializers.CharField(source="courier.name")
    created_at = serializers.DateTimeField()
    fees_total = serializers.SerializerMethodField()
    fees_paid_at = serializers.DateTimeField(allow_null=True)
    fee_receipt_number = serializers.CharField()
    orders = serializers.SerializerMethodField()

    def get_fees_total(self, group: GroupBooking) -> int:
        return group_fees.group_receipt(group).total

    def get_orders(self, group: GroupBooking) -> list[dict[str, Any]]:
        # many=True makes a list serializer; the stubs know only the one-object kind
        return cast("list[dict[str, Any]]", GroupOrderOutput(groups.group_members(group), many=True).data)


def _csv_from_rows(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(groups.HEADER)
    for row in rows:
        writer.writerow(
            [row["billing_code"], row["birth_date"], row.get("name", ""), row["phone"], row.get("email", "")]
        )
    return out.getvalue().encode()


class GroupBookingCreateApi(APIView):
    required_scopes = {"POST": "write_handoff"}

    @extend_schema(
        summary="Travel agency: book delivery for many passports to its office, all or nothing",
        description="Rows are checked first; if any row fails, nothing is booked and `fields.rows` "
        "lists each failing line as `line N: reason`.",
        request=GroupBookingInput,
        responses={201: GroupOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest) -> Response:
        data = GroupBookingInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        content = values["csv"].encode() if values.get("csv") else _csv_from_rows(values["rows"])
        result = groups.group_booking_create(
            actor=request.user,
            content=content,
            area=values["area"],
            contact_phone=values["contact_phone"],
            client=client_ip(request),
        )
        if result.file_error:
            raise ValidationFailed(result.file_error, fields={"csv": [result.file_error]})
        if result.group is None:
            lines = [
                gettext("line %(row)s: %(error)s") % {"row": r.row, "error": r.error} for r in result.failed
            ]
            raise ValidationFailed(
                gettext("Nothing was booked: %(n)s lines have a problem.") % {"n": len(lines)},
                code="group_rows_invalid",
                fields={"rows": lines},
            )
        return Response(GroupOutput(result.group).data, status=201)


def _group(request: AuthenticatedRequest, number: str) -> GroupBooking:
    group = groups.groups_visible_to(request.user).filter(number=number).first()
    if group is None:
        raise NotFound(gettext("No such group booking."))
    return group


class GroupBookingDetailApi(APIView):
    required_scopes = {"GET": "read_tracking"}

    @extend_schema(
        summary="A group booking with the status, power of attorney and fee of every passport",
        responses={200: GroupOutput, **ERRORS},
    )
    def get(self, request: AuthenticatedRequest, number: str) -> Response:
        return Response(GroupOutput(_group(request, number)).data)


class GroupReceiptPdfApi(APIView):
    required_scopes = {"GET": "read_tracking"}

    @extend_schema(
        summary="The group receipt (before payment: the bill) as a PDF: each member, tracking code, area, "
        "fee and the total",
        responses={200: OpenApiResponse(OpenApiTypes.BINARY, description="application/pdf"), **ERRORS},
    )
    def get(self, request: AuthenticatedRequest, number: str) -> HttpResponse:
        group = _group(request, number)
        return pdf_response(
            group_receipt_pdf(receipt=group_fees.group_receipt(group)),
            f"kuitansi-kelompok-{group.number}.pdf",
        )


class GroupFeesPayApi(APIView):
    required_scopes = {"POST": "write_handoff"}

    @extend_schema(
        summary="Pos counter: the agency paid the group's delivery fees once (one payment per member order)",
        request=None,
        responses={200: GroupOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, number: str) -> Response:
        group = _group(request, number)
        receipt = group_fees.group_fees_pay(group_id=group.pk, actor=request.user)
        return Response(GroupOutput(receipt.group).data)


class GroupMemberPoaPaperApi(APIView):
    required_scopes = {"POST": "write_handoff"}

    @extend_schema(
        summary="Pos counter: the member signed the power of attorney on paper at the counter",
        request=None,
        responses={200: GroupOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, number: str, code: str) -> Response:
        group = _group(request, number)
        order = DeliveryOrder.objects.filter(code=code, group_item__group=group).first()
        if order is None:
            raise NotFound(gettext("No such member in this group."))
        group_members.member_poa_sign_at_counter(order_id=order.pk, actor=request.user)
        return Response(GroupOutput(group).data)


# The member's side, with the token of their personal link instead of an account.


class LinkExpiredError(DomainError):
    status_code = 410
    code = "link_expired"


def _link_order(request: Request, token: str) -> DeliveryOrder:
    """The order of a personal link; a bad one counts on the lookup lock, as on the page."""
    client = client_ip(request)
    if lookup_locked(client=client):
        raise too_many_attempts()
    try:
        return links.link_order(token)
    except links.LinkExpired:
        raise LinkExpiredError(
            gettext("This link has expired. Track your passport to get a new one-time code.")
        ) from None
    except links.LinkInvalid:
        lookup_failed(client=client)
        raise NotFound(gettext("This link is not valid."), code="link_invalid") from None


class LinkCodeOutput(serializers.Serializer[access.CodeSent]):
    code_id = serializers.IntegerField(help_text="Send it back with the code")
    to_phone = serializers.CharField(help_text="Where the code went, masked")
    to_email = serializers.CharField()


class MemberPoaOutput(serializers.Serializer[group_members.MemberPoa]):
    group_number = serializers.CharField()
    signed = serializers.BooleanField()
    signed_at = serializers.DateTimeField(allow_null=True)
    via = serializers.CharField(help_text="link, counter or agency; empty while waiting")
    grantee_name = serializers.CharField()
    grantee_nippos = serializers.CharField()
    grantee_place = serializers.CharField()


class MemberPoaInput(serializers.Serializer[dict[str, Any]]):
    code_id = serializers.IntegerField(help_text="From POST /api/v1/links/{token}/code/")
    code = serializers.CharField(max_length=12, help_text="The 6 digits sent to the member's phone and mail")
    signature = serializers.CharField(max_length=400_000, help_text="The member's signature: a PNG data URL")


LINK_ERRORS = {**ERRORS, **api_errors(410, 429)}


class LinkCodeApi(PublicApi):
    @extend_schema(
        summary="Personal link: send a one-time code to the phone and mail on file",
        request=None,
        responses={201: LinkCodeOutput, **LINK_ERRORS},
    )
    def post(self, request: Request, token: str) -> Response:
        sent = access.manage_code_request(order=_link_order(request, token))
        return Response(LinkCodeOutput(sent).data, status=201)


def _member_poa(order: DeliveryOrder) -> group_members.MemberPoa:
    poa = group_members.member_poa(order)
    if poa is None:
        raise NotFound(
            gettext("You signed the power of attorney when you booked: there is nothing to sign here."),
            code="not_a_group_order",
        )
    return poa


class LinkPowerOfAttorneyApi(PublicApi):
    @extend_schema(
        summary="Personal link: a group member's power of attorney, signed or waiting",
        responses={200: MemberPoaOutput, **LINK_ERRORS},
    )
    def get(self, request: Request, token: str) -> Response:
        return Response(MemberPoaOutput(_member_poa(_link_order(request, token))).data)

    @extend_schema(
        summary="Personal link: the group member signs their own power of attorney (with the one-time code)",
        request=MemberPoaInput,
        responses={200: MemberPoaOutput, **LINK_ERRORS},
    )
    def post(self, request: Request, token: str) -> Response:
        order = _link_order(request, token)
        _member_poa(order)
        data = MemberPoaInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        verified = access.manage_code_verify(
            code_id=values["code_id"], digits=values["code"], client=client_ip(request)
        )
        if verified.pk != order.pk:
            raise ValidationFailed(
                gettext("This code is for another delivery."),
                fields={"code": [gettext("Ask for a new code.")]},
            )
        group_members.member_poa_sign(
            order_id=order.pk, signature=values["signature"], actor=access.applicant_user_ensure(order=order)
        )
        return Response(MemberPoaOutput(_member_poa(order)).data)
