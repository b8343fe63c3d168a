"""The partnership over the REST API: agreements, evaluations, disputes and the dashboard's figures.

Read endpoints for all of it; writes for the steps both sides take most (meetings, disputes, uptake).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import AuthenticatedRequest
from accounts.models import User
from core.api import ErrorSerializer
from core.db_router import reads_from_replica
from core.exceptions import ValidationFailed
from core.idempotency import idempotent
from delivery.models import Area
from partners import selectors, services
from partners.choices import MeetingStatus
from partners.models import Agreement, Dispute, EvaluationMeeting
from partners.permissions import is_manager
from partners.scopes import scope_resolve, scopes_for


class ManagerOnly(APIView):
    # Partner systems read the partnership with ``read_reports`` and change it with ``manage_partnership``.
    required_scopes = {"GET": "read_reports", "POST": "manage_partnership"}

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # DRF's IsAuthenticated (the default permission) has let only a logged-in user through.
        if not request.user.is_authenticated or not is_manager(request.user):
            raise PermissionDenied()


class ArticleOutput(serializers.Serializer):
    number = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField()


class ObligationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    party = serializers.CharField()
    text = serializers.CharField()
    status = serializers.CharField()


class AmendmentOutput(serializers.Serializer):
    number = serializers.IntegerField()
    signed_on = serializers.DateField()
    summary = serializers.CharField()
    before = serializers.DictField()
    after = serializers.DictField()


class ConsentOutput(serializers.Serializer):
    given_by = serializers.CharField()
    third_party = serializers.CharField()
    scope = serializers.CharField()
    letter_reference = serializers.CharField()
    given_on = serializers.DateField()
    revoked_on = serializers.DateField(allow_null=True)


class AgreementOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    number_imigrasi = serializers.CharField()
    number_pos = serializers.CharField()
    signed_on = serializers.DateField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True)
    articles = ArticleOutput(many=True, source="articles.all")
    obligations = ObligationOutput(many=True, source="obligations.all")
    amendments = AmendmentOutput(many=True, source="amendments.all")
    consents = ConsentOutput(many=True, source="consents.all")


class AgreementListApi(ManagerOnly, ListAPIView):
    serializer_class = AgreementOutput
    queryset = Agreement.objects.prefetch_related("articles", "obligations", "amendments", "consents")

    @extend_schema(
        summary="Agreements with articles, obligations, amendments and article 7 consents",
        responses={200: AgreementOutput(many=True), 403: ErrorSerializer},
    )
    @reads_from_replica()
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class ActionItemOutput(serializers.Serializer):
    description = serializers.CharField()
    owner = serializers.CharField()
    owner_party = serializers.CharField()
    due_on = serializers.DateField()
    status = serializers.CharField()


class ScoreOutput(serializers.Serializer):
    indicator = serializers.CharField()
    score = serializers.IntegerField()
    notes = serializers.CharField()


class MeetingOutput(serializers.Serializer):
    id = serializers.IntegerField()
    held_on = serializers.DateField()
    status = serializers.CharField()
    place = serializers.CharField()
    participants_imigrasi = serializers.CharField()
    participants_pos = serializers.CharField()
    agenda = serializers.CharField()
    minutes = serializers.CharField()
    decisions = serializers.CharField()
    action_items = ActionItemOutput(many=True, source="action_items.all")
    scores = ScoreOutput(many=True, source="scores.all")


class MeetingInput(serializers.Serializer):
    held_on = serializers.DateField()
    status = serializers.ChoiceField(choices=MeetingStatus.choices)
    place = serializers.CharField(required=False, allow_blank=True, default="")
    participants_imigrasi = serializers.CharField(required=False, allow_blank=True, default="")
    participants_pos = serializers.CharField(required=False, allow_blank=True, default="")
    agenda = serializers.CharField(required=False, allow_blank=True, default="")
    minutes = serializers.CharField(required=False, allow_blank=True, default="")
    decisions = serializers.CharField(required=False, allow_blank=True, default="")


class MeetingPaceOutput(serializers.Serializer):
    year = serializers.IntegerField()
    held = serializers.IntegerField()
    planned = serializers.IntegerField()
    warning = serializers.BooleanField(help_text="Fewer than two meetings held or planned this year.")


class EvaluationListOutput(serializers.Serializer):
    pace = MeetingPaceOutput()
    results = MeetingOutput(many=True)


class EvaluationListApi(ManagerOnly, APIView):
    @extend_schema(
        summary="Evaluation meetings (article 12) and the twice-a-year pace",
        operation_id="v1_partners_evaluations_list",
        responses={200: EvaluationListOutput, 403: ErrorSerializer},
    )
    @reads_from_replica()
    def get(self, request: Request) -> Response:
        meetings = EvaluationMeeting.objects.prefetch_related("action_items", "scores")
        pace = selectors.meeting_pace()
        return Response(
            {
                "pace": {
                    "year": pace.year,
                    "held": pace.held,
                    "planned": pace.planned,
                    "warning": pace.warning,
                },
                "results": MeetingOutput(meetings, many=True).data,
            }
        )

    @extend_schema(
        summary="Record an evaluation meeting",
        request=MeetingInput,
        responses={201: MeetingOutput, 400: ErrorSerializer, 403: ErrorSerializer},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest) -> Response:
        data = MeetingInput(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = services.evaluation_meeting_save(actor=request.user, **data.validated_data)
        return Response(MeetingOutput(meeting).data, status=201)


class DisputeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    subject = serializers.CharField()
    description = serializers.CharField()
    opened_by_party = serializers.CharField()
    status = serializers.CharField()
    consensus = serializers.CharField()
    notes = serializers.SerializerMethodField()

    def get_notes(self, dispute: Dispute) -> list[str]:
        return [note.text for note in dispute.notes.all()]


class DisputeInput(serializers.Serializer):
    subject = serializers.CharField(max_length=300)
    description = serializers.CharField()


class DisputeListApi(ManagerOnly, APIView):
    @extend_schema(
        summary="Disputes (article 14)", responses={200: DisputeOutput(many=True), 403: ErrorSerializer}
    )
    @reads_from_replica()
    def get(self, request: Request) -> Response:
        return Response(DisputeOutput(Dispute.objects.prefetch_related("notes"), many=True).data)

    @extend_schema(
        summary="Open a dispute under the agreement in force",
        request=DisputeInput,
        responses={201: DisputeOutput, 400: ErrorSerializer, 403: ErrorSerializer},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest) -> Response:
        from django.utils import timezone

        data = DisputeInput(data=request.data)
        data.is_valid(raise_exception=True)
        agreement = services.agreement_in_force(on=timezone.localdate())
        if agreement is None:
            raise ValidationFailed("No agreement is in force.")
        dispute = services.dispute_open(agreement=agreement, actor=request.user, **data.validated_data)
        return Response(DisputeOutput(dispute).data, status=201)


class UptakeInput(serializers.Serializer):
    year = serializers.IntegerField()
    month = serializers.IntegerField()
    issued = serializers.IntegerField()


class UptakeMonthApi(ManagerOnly, APIView):
    @extend_schema(
        summary="Enter the passports issued in a month (Imigrasi)",
        request=UptakeInput,
        responses={200: UptakeInput, 400: ErrorSerializer, 403: ErrorSerializer},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest) -> Response:
        data = UptakeInput(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.uptake_month_enter(actor=request.user, **data.validated_data)
        return Response({"year": row.year, "month": row.month, "issued": row.issued})


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _conversion_row(row: selectors.ConversionRow) -> dict[str, object]:
    return {
        "key": row.key,
        "label": row.label,
        "issued": row.issued,
        "booked": row.booked,
        "percent": _decimal(row.percent),
    }


def _money(figures: selectors.MoneyFigures | None) -> dict[str, object] | None:
    """Money by month from the ledger and the daily statements, and the period's total."""
    if figures is None:
        return None

    def row(m: selectors.MoneyMonth) -> dict[str, object]:
        return {
            "month": m.key or None,
            "state_fees": m.state_fees,
            "delivery_fees": m.delivery_fees,
            "refunds": m.refunds,
            "open_differences": m.open_differences,
            "days_not_approved": m.days_not_approved,
        }

    return {"months": [row(m) for m in figures.months], "total": row(figures.total)}


def _conversion(figures: selectors.ConversionFigures | None) -> dict[str, object] | None:
    """Deliveries booked / billing codes issued: in all, per office, per counter officer, per day."""
    if figures is None:
        return None
    return {
        "total": _conversion_row(figures.total),
        "offices": [_conversion_row(r) for r in figures.offices],
        "officers": [_conversion_row(r) for r in figures.officers],
        "days": [_conversion_row(r) for r in figures.days],
    }


def _satisfaction_row(row: selectors.SatisfactionRow) -> dict[str, object]:
    return {
        "month": row.key or None,
        "ratings": row.ratings,
        "average": _decimal(row.average),
        "good_percent": _decimal(row.good_percent),
    }


def _satisfaction(figures: selectors.SatisfactionFigures | None) -> dict[str, object] | None:
    """The applicants' ratings (1-5): in all and per month (average, share of 4-5), and the latest
    comments with their month only."""
    if figures is None:
        return None
    return {
        "total": _satisfaction_row(figures.total),
        "months": [_satisfaction_row(r) for r in figures.months],
        "comments": [{"month": c.month, "text": c.text} for c in figures.comments],
    }


class DashboardApi(ManagerOnly, APIView):
    @extend_schema(
        summary="Every figure of the dashboard for a period and area",
        parameters=[
            OpenApiParameter("start", str, description="YYYY-MM"),
            OpenApiParameter("end", str, description="YYYY-MM"),
            OpenApiParameter("area", str, description="area code"),
            OpenApiParameter(
                "scope",
                str,
                description="national (default), region:<name> or office:<id> (an Imigrasi office)",
            ),
        ],
        responses={200: dict, 400: ErrorSerializer, 403: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        from partners.forms import DashboardFilterForm

        user = cast(User, request.user)
        allowed = scopes_for(user)
        form = DashboardFilterForm(request.query_params, scopes=allowed)
        if not form.is_valid():
            raise serializers.ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
        period = selectors.default_period()
        period = selectors.Period(
            start=form.cleaned_data["start_date"] or period.start,
            end=form.cleaned_data["end_date"] or period.end,
        )
        area = form.cleaned_data["area"]
        scope = scope_resolve(user, form.cleaned_data["scope"], allowed)
        board = selectors.dashboard(period=period, area=area, scope=scope)
        return Response(
            {
                "period": {"start": period.start, "end": period.end},
                "area": area.code if isinstance(area, Area) else None,
                "scope": {"key": scope.key, "label": scope.label},
                "uptake": [
                    {
                        "year": y.year,
                        "issued": y.issued,
                        "booked": y.booked,
                        "delivered": y.delivered,
                        "share": _decimal(y.share),
                        "months": [
                            {
                                "month": r.month,
                                "issued": r.issued,
                                "booked": r.booked,
                                "delivered": r.delivered,
                                "share": _decimal(r.share),
                                "from_study": r.from_study,
                            }
                            for r in y.rows
                        ],
                    }
                    for y in board.uptake
                ],
                "compliance": [
                    {
                        "leg": c.key,
                        "deadline": str(c.deadline),
                        "done": c.done,
                        "on_time": c.on_time,
                        "late": c.late,
                        "percent": _decimal(c.percent),
                    }
                    for c in board.compliance
                ],
                "failed_attempts": [
                    {"reason": r, "label": str(label), "count": n} for r, label, n in board.failed
                ],
                "couriers": [
                    {
                        "name": c.name,
                        "delivered": c.delivered,
                        "failed": c.failed,
                        "success": _decimal(c.success),
                    }
                    for c in board.couriers
                ],
                "complaints": [
                    {
                        "category": c.category or None,
                        "label": str(c.label),
                        "count": c.count,
                        "answered": c.answered,
                        "median_hours_to_first_response": c.median_hours,
                        "mean_hours_to_first_response": c.mean_hours,
                        "breaches_of_24_hours": c.breaches,
                    }
                    for c in board.complaints
                ],
                "conversion": _conversion(board.conversion),
                "satisfaction": _satisfaction(board.satisfaction),
                "money": _money(board.money),
            }
        )
