"""The daily statements over the API: the same services as the pages. Tokens need ``read_reports``
to read and ``manage_partnership`` to build, approve and dispute."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import AuthenticatedRequest
from core.api import ERRORS, ErrorSerializer
from core.db_router import reads_from_replica
from core.exceptions import NotAllowed, NotFound, ValidationFailed
from core.idempotency import idempotent
from delivery.money import statements as st
from ledger.choices import Agency
from ledger.models import Statement

READ = {"GET": "read_reports"}
WRITE = {"POST": "manage_partnership"}


class StatementLineOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    section = serializers.CharField()
    kind = serializers.CharField()
    revenue = serializers.CharField()
    amount = serializers.IntegerField()
    channel = serializers.CharField()
    reference = serializers.CharField()
    order = serializers.CharField(source="order_code")
    billing_code = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    movement = serializers.IntegerField(source="movement_id")


class StatementDifferenceOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    ntpn = serializers.CharField()
    billing_code = serializers.CharField()
    ledger_amount = serializers.IntegerField(allow_null=True)
    report_amount = serializers.IntegerField(allow_null=True)


class StatementStepOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField(help_text="A dispute's id, to settle it")
    transition = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor_role = serializers.CharField()
    office = serializers.CharField(source="office.name", default=None, allow_null=True)
    occurred_at = serializers.DateTimeField()
    payload = serializers.DictField()


class StatementSummaryOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    pos_office = serializers.CharField(source="pos_office.name")
    imigrasi_office = serializers.CharField(source="imigrasi_office.name")
    day = serializers.DateField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    built_at = serializers.DateTimeField()
    builds = serializers.IntegerField()
    state_fees = serializers.IntegerField()
    delivery_fees = serializers.IntegerField()
    door_collections = serializers.IntegerField()
    refunds = serializers.IntegerField()
    corrections = serializers.IntegerField()
    total = serializers.IntegerField()
    by_channel = serializers.DictField(child=serializers.IntegerField())
    settlement = serializers.CharField()
    pos_approved_at = serializers.DateTimeField(allow_null=True)
    imigrasi_approved_at = serializers.DateTimeField(allow_null=True)


class StatementOutput(StatementSummaryOutput):
    lines = StatementLineOutput(many=True)
    differences = StatementDifferenceOutput(many=True)
    steps = serializers.SerializerMethodField()

    @extend_schema_field(StatementStepOutput(many=True))
    def get_steps(self, statement: Statement) -> list[dict[str, Any]]:
        return list(StatementStepOutput(statement.events.select_related("office"), many=True).data)


class StatementBuildInput(serializers.Serializer[Any]):
    day = serializers.DateField()
    pos_office = serializers.IntegerField(
        required=False, help_text="The Pos office (administrator only; others build their own office's)."
    )


class StatementApprovalInput(serializers.Serializer[Any]):
    agency = serializers.ChoiceField(choices=Agency.choices)


class StatementDisputeInput(serializers.Serializer[Any]):
    line = serializers.IntegerField(required=False, help_text="The line disputed (or give a difference).")
    difference = serializers.IntegerField(required=False, help_text="The NTPN difference disputed.")
    reason = serializers.CharField(max_length=500)


class StatementSettlementInput(serializers.Serializer[Any]):
    note = serializers.CharField(max_length=500, help_text="How the dispute was put right")


def _readers_only(request: AuthenticatedRequest) -> None:
    if request.user.role not in st.STATEMENT_READERS:
        raise NotAllowed(_("Only the agencies' managers read statements."), code="wrong_role")


def _statement_data(request: AuthenticatedRequest, statement_id: int) -> dict[str, Any]:
    statement = st.statements_visible_to(request.user).filter(pk=statement_id).first()
    if statement is None:
        raise NotFound(_("No such statement."), code="unknown_statement")
    return dict(StatementOutput(statement).data)


class StatementListApi(APIView):
    required_scopes = {**READ, **WRITE}

    @extend_schema(
        summary="The daily statements of your office, newest first",
        parameters=[OpenApiParameter("day", str, description="Only this day (YYYY-MM-DD).")],
        responses={200: StatementSummaryOutput(many=True), 400: ErrorSerializer, 403: ErrorSerializer},
    )
    @reads_from_replica()
    def get(self, request: AuthenticatedRequest) -> Response:
        _readers_only(request)
        rows = st.statements_visible_to(request.user)
        day = request.query_params.get("day")
        if day:
            field = serializers.DateField()
            try:
                rows = rows.filter(day=field.to_internal_value(day))
            except serializers.ValidationError:
                raise ValidationFailed(
                    _("A day is written YYYY-MM-DD."), fields={"day": [_("Not a date.")]}
                ) from None
        return Response(StatementSummaryOutput(rows[:200], many=True).data)

    @extend_schema(
        summary="Build (or build again, before the first approval) a day's statement from the ledger",
        request=StatementBuildInput,
        responses={201: StatementOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest) -> Response:
        data = StatementBuildInput(data=request.data)
        data.is_valid(raise_exception=True)
        pos_office_id = data.validated_data.get("pos_office")
        if pos_office_id is None or request.user.role != "administrator":
            office = st.pos_office_of(request.user)
            if office is None:
                raise NotAllowed(_("Your office has no statements."), code="no_statements")
            pos_office_id = office.pk
        statement = st.statement_build(
            pos_office_id=pos_office_id, day=data.validated_data["day"], actor=request.user
        )
        return Response(_statement_data(request, statement.pk), status=status.HTTP_201_CREATED)


class StatementDetailApi(APIView):
    required_scopes = READ

    @extend_schema(
        summary="One daily statement: totals, lines with their orders, NTPN differences, steps",
        responses={200: StatementOutput, 403: ErrorSerializer, 404: ErrorSerializer},
    )
    @reads_from_replica()
    def get(self, request: AuthenticatedRequest, statement_id: int) -> Response:
        _readers_only(request)
        return Response(_statement_data(request, statement_id))


class StatementApprovalApi(APIView):
    required_scopes = WRITE

    @extend_schema(
        summary="Approve a daily statement for your agency (PT Pos or Imigrasi), once",
        request=StatementApprovalInput,
        responses={200: StatementOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, statement_id: int) -> Response:
        data = StatementApprovalInput(data=request.data)
        data.is_valid(raise_exception=True)
        st.statement_approve(
            actor=request.user, statement_id=statement_id, agency=data.validated_data["agency"]
        )
        return Response(_statement_data(request, statement_id))


class StatementDisputeApi(APIView):
    required_scopes = WRITE

    @extend_schema(
        summary="Dispute a line or an NTPN difference of a daily statement (both problems queues)",
        request=StatementDisputeInput,
        responses={201: StatementOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, statement_id: int) -> Response:
        data = StatementDisputeInput(data=request.data)
        data.is_valid(raise_exception=True)
        st.statement_dispute(
            actor=request.user,
            statement_id=statement_id,
            reason=data.validated_data["reason"],
            line_id=data.validated_data.get("line"),
            difference_id=data.validated_data.get("difference"),
        )
        return Response(_statement_data(request, statement_id), status=status.HTTP_201_CREATED)


class StatementSettlementApi(APIView):
    required_scopes = WRITE

    @extend_schema(
        summary="Settle a dispute: off both problems queues; the last one settled builds the statement again",
        request=StatementSettlementInput,
        responses={200: StatementOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, statement_id: int, dispute_id: int) -> Response:
        data = StatementSettlementInput(data=request.data)
        data.is_valid(raise_exception=True)
        st.statement_dispute_settle(
            actor=request.user,
            statement_id=statement_id,
            dispute_id=dispute_id,
            note=data.validated_data["note"],
        )
        return Response(_statement_data(request, statement_id))
