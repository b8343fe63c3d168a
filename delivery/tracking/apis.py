"""Public tracking over the API: the same lookup, lock and answer as the page."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api import PublicApi
from core.api import ERRORS, ErrorSerializer
from core.exceptions import NotFound
from core.fields import AsciiDigitsSerializerField
from core.idempotency import idempotent
from core.lookups import lookup_refuse_if_locked
from core.middleware import client_ip
from delivery.tracking import services as tracking


class TrackingLookupInput(serializers.Serializer[dict[str, Any]]):
    code = serializers.CharField(max_length=12)
    birth_date = serializers.DateField(required=False)
    nik_last4 = AsciiDigitsSerializerField(digits=4, required=False, message=_("Enter 4 digits."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("birth_date") and not attrs.get("nik_last4"):
            raise serializers.ValidationError(_("Enter your date of birth or the last 4 digits of your NIK."))
        return attrs


class TrackingStepOutput(serializers.Serializer[dict[str, Any]]):
    number = serializers.IntegerField()
    # A field named "label": DRF moves declared fields aside, so Field.label is not shadowed.
    label = serializers.CharField()  # type: ignore[assignment]  # see above
    done_at = serializers.DateTimeField(allow_null=True)
    rule = serializers.CharField()
    current = serializers.BooleanField()


class TrackingOutput(serializers.Serializer[dict[str, Any]]):
    code = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    holder = serializers.CharField()
    area = serializers.CharField()
    deadline_at = serializers.DateTimeField(allow_null=True)
    received_by = serializers.CharField(allow_blank=True)
    received_at = serializers.DateTimeField(allow_null=True)
    steps = TrackingStepOutput(many=True)
    delivery_date = serializers.DateField(allow_null=True, help_text="The delivery day chosen at booking")
    delivery_window = serializers.CharField(
        allow_blank=True, help_text="The time window chosen at booking (WITA); empty without one"
    )
    pickup_branch = serializers.CharField(
        allow_blank=True,
        help_text="The Pos branch the applicant collects the passport at; empty: home delivery",
    )
    pickup_address = serializers.CharField(allow_blank=True)
    pickup_hours = serializers.CharField(allow_blank=True, help_text="The branch's opening hours")


class TrackingLookupApi(PublicApi):
    @extend_schema(
        summary="Public tracking: tracking code plus date of birth or the last 4 NIK digits",
        request=TrackingLookupInput,
        responses={200: TrackingOutput, 429: ErrorSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request: Request) -> Response:
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
                    "delivery_date": page.delivery_date,
                    "delivery_window": page.delivery_window,
                    "pickup_branch": page.pickup_branch,
                    "pickup_address": page.pickup_address,
                    "pickup_hours": page.pickup_hours,
                }
            ).data
        )
