"""Lost passport cases over the API: the same services as the pages. Tokens need ``read_tracking``
to read and ``write_handoff`` to report, attach the police report and decide."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import AuthenticatedRequest
from core.api import ERRORS, ErrorSerializer
from core.exceptions import NotAllowed, NotFound
from core.files import base64_decode
from core.idempotency import idempotent
from delivery.custody import lost
from delivery.custody.selectors import lost_case_events, lost_cases_visible_to
from delivery.models import LostPassportCase, LostPassportKind
from delivery.permissions import LOST_CASE_READERS

READ = {"GET": "read_tracking"}
WRITE = {"POST": "write_handoff"}


class LostCaseStepOutput(serializers.Serializer[Any]):
    transition = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor_role = serializers.CharField()
    office = serializers.CharField(source="office.name", default=None, allow_null=True)
    occurred_at = serializers.DateTimeField()


class LostCaseOutput(serializers.Serializer[Any]):
    number = serializers.CharField()
    order = serializers.CharField(source="order.code")
    kind = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    report = serializers.CharField()
    reported_at = serializers.DateTimeField()
    age_days = serializers.SerializerMethodField()
    last_holder_role = serializers.CharField()
    last_holder_office = serializers.CharField(
        source="last_holder_office.name", default=None, allow_null=True
    )
    last_moved_at = serializers.DateTimeField(allow_null=True)
    police_report_number = serializers.CharField()
    police_report_attached = serializers.SerializerMethodField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_note = serializers.CharField()
    steps = serializers.SerializerMethodField()

    def get_age_days(self, case: LostPassportCase) -> int:
        return ((case.decided_at or timezone.now()) - case.reported_at).days

    def get_police_report_attached(self, case: LostPassportCase) -> bool:
        return bool(case.police_report)

    @extend_schema_field(LostCaseStepOutput(many=True))
    def get_steps(self, case: LostPassportCase) -> list[dict[str, Any]]:
        return list(LostCaseStepOutput(lost_case_events(case), many=True).data)


class LostCaseOpenInput(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=LostPassportKind.choices)
    report = serializers.CharField(max_length=2000)


class PoliceReportInput(serializers.Serializer[Any]):
    police_report_number = serializers.CharField(max_length=60)
    police_report = serializers.CharField(
        max_length=7_200_000, help_text="The PDF, JPEG or PNG file as base64 (or a data URL), at most 5 MB."
    )


class DecisionInput(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=["found", "reissue"])
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


def _case_data(request: AuthenticatedRequest, number: str) -> dict[str, Any]:
    case = lost_cases_visible_to(request.user).filter(number=number).first()
    if case is None:
        raise NotFound(_("No such case."), code="unknown_case")
    return dict(LostCaseOutput(case).data)


class LostCaseListApi(APIView):
    required_scopes = READ

    @extend_schema(
        summary="Lost passport cases of the orders you see, open ones first",
        responses={200: LostCaseOutput(many=True), 403: ErrorSerializer},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        if request.user.role not in LOST_CASE_READERS:
            raise NotAllowed(_("Your role does not handle lost passport cases."), code="wrong_role")
        return Response(LostCaseOutput(lost_cases_visible_to(request.user)[:200], many=True).data)


class LostCaseOpenApi(APIView):
    required_scopes = WRITE

    @extend_schema(
        summary="Report an order's passport lost or damaged in transit",
        request=LostCaseOpenInput,
        responses={201: LostCaseOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, code: str) -> Response:
        data = LostCaseOpenInput(data=request.data)
        data.is_valid(raise_exception=True)
        case = lost.lost_case_open(actor=request.user, order_code=code, **data.validated_data)
        return Response(_case_data(request, case.number), status=status.HTTP_201_CREATED)


class LostCaseDetailApi(APIView):
    required_scopes = READ

    @extend_schema(
        summary="One lost passport case with its steps", responses={200: LostCaseOutput, 404: ErrorSerializer}
    )
    def get(self, request: AuthenticatedRequest, number: str) -> Response:
        return Response(_case_data(request, number))


class PoliceReportApi(APIView):
    required_scopes = WRITE

    @extend_schema(
        summary="Attach the police report to a lost passport case",
        request=PoliceReportInput,
        responses={200: LostCaseOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, number: str) -> Response:
        data = PoliceReportInput(data=request.data)
        data.is_valid(raise_exception=True)
        raw = base64_decode(
            data.validated_data["police_report"],
            field="police_report",
            message=_("The police report is not valid base64."),
            field_message=_("Not base64."),
        )
        lost.lost_case_police_report(
            actor=request.user,
            number=number,
            report_number=data.validated_data["police_report_number"],
            upload=SimpleUploadedFile("police-report", raw),
        )
        return Response(_case_data(request, number))


class DecisionApi(APIView):
    required_scopes = WRITE

    @extend_schema(
        summary="Imigrasi's decision on a lost passport case: found, or cancelled and reissued",
        request=DecisionInput,
        responses={200: LostCaseOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, number: str) -> Response:
        data = DecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        lost.lost_case_decide(actor=request.user, number=number, **data.validated_data)
        return Response(_case_data(request, number))
