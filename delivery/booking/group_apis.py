"""Group booking over the API: the same all-or-nothing check and booking as the page."""

from __future__ import annotations

import csv
import io
from typing import Any, cast

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import AuthenticatedRequest
from core.api import ERRORS
from core.exceptions import NotFound, ValidationFailed
from core.idempotency import idempotent
from core.middleware import client_ip
from delivery.booking import groups
from delivery.models import Area, GroupBooking


class GroupRowInput(serializers.Serializer[dict[str, Any]]):
    billing_code = serializers.CharField(max_length=30)
    birth_date = serializers.CharField(max_length=20, help_text="YYYY-MM-DD")
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class GroupBookingInput(serializers.Serializer[dict[str, Any]]):
    area = serializers.SlugRelatedField(slug_field="code", queryset=Area.objects.all())
    contact_phone = serializers.CharField(max_length=16)
    rows = GroupRowInput(many=True, required=False, help_text="The passports; or send `csv` instead.")
    csv = serializers.CharField(
        required=False,
        max_length=groups.MAX_BYTES,
        help_text="The CSV file's text: billing_code,birth_date,name",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("rows")) == bool(attrs.get("csv")):
            raise serializers.ValidationError({"rows": [gettext("Send either rows or csv.")]})
        return attrs


# Only used with many=True (a list in), which the stubs do not model: no type argument.
class GroupOrderOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(source="application.applicant.full_name")
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    courier = serializers.CharField(source="courier.name", default=None, allow_null=True)


class GroupOutput(serializers.Serializer[GroupBooking]):
    number = serializers.CharField()
    address = serializers.CharField()
    area = serializers.CharField(source="area.code")
    courier = serializers.CharField(source="courier.name")
    created_at = serializers.DateTimeField()
    orders = serializers.SerializerMethodField()

    def get_orders(self, group: GroupBooking) -> list[dict[str, Any]]:
        # many=True makes a list serializer; the stubs know only the one-object kind
        return cast("list[dict[str, Any]]", GroupOrderOutput(groups.group_orders(group), many=True).data)


def _csv_from_rows(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(groups.HEADER)
    for row in rows:
        writer.writerow([row["billing_code"], row["birth_date"], row.get("name", "")])
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


class GroupBookingDetailApi(APIView):
    required_scopes = {"GET": "read_tracking"}

    @extend_schema(
        summary="A group booking with the status of every passport", responses={200: GroupOutput, **ERRORS}
    )
    def get(self, request: AuthenticatedRequest, number: str) -> Response:
        group = groups.groups_visible_to(request.user).filter(number=number).first()
        if group is None:
            raise NotFound(gettext("No such group booking."))
        return Response(GroupOutput(group).data)
