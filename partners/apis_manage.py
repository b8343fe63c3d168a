"""The partnership pages' writes as API endpoints: agreements (create, attachments, article 7
consents, amendments, articles, obligations), evaluation meetings (update, action items, scorecard),
disputes (notes, consensus, close) and the uptake CSV import.

Each endpoint calls the same service as its page, for the agency managers of both sides only. A token
reads with ``read_reports`` and writes with ``manage_partnership``.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import AuthenticatedRequest
from core.api import ERRORS, ErrorSerializer
from core.exceptions import ValidationFailed
from core.idempotency import idempotent
from partners import selectors, services
from partners.apis import (
    AgreementListApi,
    AgreementOutput,
    AmendmentOutput,
    ArticleOutput,
    ConsentOutput,
    DisputeOutput,
    ManagerOnly,
    MeetingInput,
    MeetingOutput,
    ObligationOutput,
)
from partners.choices import Indicator, ObligationStatus, Party
from partners.models import Agreement, Dispute, EvaluationMeeting, Obligation
from partners.services import AgreementChanges

READ = "read_reports"
WRITE = "manage_partnership"
READ_ERRORS = {403: ErrorSerializer, 404: ErrorSerializer}


class _Manage(ManagerOnly, APIView):
    required_scopes = {"GET": READ, "POST": WRITE, "PUT": WRITE}


def _valid(serializer_class: type[serializers.Serializer[Any]], data: object) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# Agreements --------------------------------------------------------------------------------------


class AttachmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    size = serializers.IntegerField(help_text="bytes")
    created_at = serializers.DateTimeField()


class AgreementDetailOutput(AgreementOutput):
    summary = serializers.CharField()
    attachments = AttachmentOutput(many=True, source="attachments.all")


class AgreementCreateInput(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    number_imigrasi = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    number_pos = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    signed_on = serializers.DateField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)
    summary = serializers.CharField(required=False, allow_blank=True, default="")


class AgreementListCreateApi(AgreementListApi):
    """The list of ``partners.apis`` plus recording a new agreement, as on the agreements page."""

    required_scopes = {"GET": READ, "POST": WRITE}

    @extend_schema(
        summary="Record a new agreement (its validity may not overlap another's)",
        request=AgreementCreateInput,
        responses={201: AgreementDetailOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest) -> Response:
        agreement = services.agreement_create(
            actor=request.user, **_valid(AgreementCreateInput, request.data)
        )
        return Response(AgreementDetailOutput(agreement).data, status=status.HTTP_201_CREATED)


class AgreementDetailApi(_Manage):
    @extend_schema(
        summary="One agreement with its articles, obligations, attachments, amendments and consents",
        responses={200: AgreementDetailOutput, **READ_ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(AgreementDetailOutput(get_object_or_404(Agreement, pk=pk)).data)


class AttachmentInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    file = serializers.FileField(help_text="A PDF document of at most 10 MB")


class AgreementAttachmentApi(_Manage):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Attach a signed PDF to an agreement (multipart upload; content checked)",
        request={"multipart/form-data": AttachmentInput},
        responses={201: AttachmentOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        agreement = get_object_or_404(Agreement, pk=pk)
        data = _valid(AttachmentInput, request.data)
        attachment = services.agreement_attachment_add(
            agreement=agreement, title=data["title"], upload=data["file"], actor=request.user
        )
        return Response(AttachmentOutput(attachment).data, status=status.HTTP_201_CREATED)


class ConsentInput(serializers.Serializer):
    given_by = serializers.ChoiceField(choices=Party.choices)
    third_party = serializers.CharField(max_length=200)
    scope = serializers.CharField()
    letter_reference = serializers.CharField(max_length=200)
    given_on = serializers.DateField()


class AgreementConsentApi(_Manage):
    @extend_schema(
        summary="Article 7: record the other party's written consent to a third-party transfer",
        request=ConsentInput,
        responses={201: ConsentOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        agreement = get_object_or_404(Agreement, pk=pk)
        consent = services.transfer_consent_record(
            agreement=agreement, actor=request.user, **_valid(ConsentInput, request.data)
        )
        return Response(ConsentOutput(consent).data, status=status.HTTP_201_CREATED)


class AmendmentInput(serializers.Serializer):
    signed_on = serializers.DateField()
    summary = serializers.CharField()
    valid_until = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A new end of validity, if the amendment changes it",
    )


class AgreementAmendApi(_Manage):
    @extend_schema(
        summary="Record an amendment; the values it replaces are kept",
        request=AmendmentInput,
        responses={201: AmendmentOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        agreement = get_object_or_404(Agreement, pk=pk)
        data = _valid(AmendmentInput, request.data)
        changes: AgreementChanges = {"valid_until": data["valid_until"]} if data["valid_until"] else {}
        amendment = services.agreement_amend(
            agreement_id=agreement.pk,
            signed_on=data["signed_on"],
            summary=data["summary"],
            changes=changes,
            actor=request.user,
        )
        return Response(AmendmentOutput(amendment).data, status=status.HTTP_201_CREATED)


class ArticleInput(serializers.Serializer):
    number = serializers.CharField(max_length=20)
    title = serializers.CharField(max_length=200)
    text = serializers.CharField(required=False, allow_blank=True, default="")


class AgreementArticleApi(_Manage):
    @extend_schema(
        summary="Add an article to an agreement",
        request=ArticleInput,
        responses={201: ArticleOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        agreement = get_object_or_404(Agreement, pk=pk)
        article = services.agreement_article_add(
            agreement=agreement, actor=request.user, **_valid(ArticleInput, request.data)
        )
        return Response(ArticleOutput(article).data, status=status.HTTP_201_CREATED)


class ObligationInput(serializers.Serializer):
    party = serializers.ChoiceField(choices=Party.choices)
    text = serializers.CharField()


class AgreementObligationApi(_Manage):
    @extend_schema(
        summary="Add an obligation of one party to an agreement",
        request=ObligationInput,
        responses={201: ObligationOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        agreement = get_object_or_404(Agreement, pk=pk)
        obligation = services.obligation_add(
            agreement=agreement, actor=request.user, **_valid(ObligationInput, request.data)
        )
        return Response(ObligationOutput(obligation).data, status=status.HTTP_201_CREATED)


class ObligationStatusInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=ObligationStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class ObligationStatusApi(_Manage):
    @extend_schema(
        summary="Set an obligation's status (not started, in progress, met, not met)",
        request=ObligationStatusInput,
        responses={200: ObligationOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int, obligation_pk: int) -> Response:
        obligation = get_object_or_404(Obligation, pk=obligation_pk, agreement_id=pk)
        obligation = services.obligation_set_status(
            obligation_id=obligation.pk, actor=request.user, **_valid(ObligationStatusInput, request.data)
        )
        return Response(ObligationOutput(obligation).data)


# Evaluation meetings (article 12) ----------------------------------------------------------------


class ActionItemDetailOutput(serializers.Serializer):
    id = serializers.IntegerField()
    description = serializers.CharField()
    owner = serializers.CharField()
    owner_party = serializers.CharField()
    due_on = serializers.DateField()
    status = serializers.CharField()


class MeetingSatisfactionOutput(serializers.Serializer):
    start = serializers.DateField(help_text="The first day counted: the day after the previous meeting held")
    end = serializers.DateField(help_text="The meeting's day")
    ratings = serializers.IntegerField()
    average = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True, help_text="1 to 5")
    good_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, help_text="Rated 4 or 5, in percent"
    )


class MeetingDetailOutput(MeetingOutput):
    # The same field with the items' ids; a subclass of ActionItemOutput would move ``id`` to the end.
    action_items = ActionItemDetailOutput(many=True, source="action_items.all")  # type: ignore[assignment]
    satisfaction = serializers.SerializerMethodField(
        help_text="The scorecard's measured line: the applicants' satisfaction ratings over the period"
    )

    @extend_schema_field(MeetingSatisfactionOutput)
    def get_satisfaction(self, meeting: EvaluationMeeting) -> dict[str, Any]:
        return dict(MeetingSatisfactionOutput(selectors.meeting_satisfaction(meeting=meeting)).data)


class EvaluationDetailApi(_Manage):
    @extend_schema(
        summary="One evaluation meeting with its action items and scorecard",
        responses={200: MeetingDetailOutput, **READ_ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(MeetingDetailOutput(get_object_or_404(EvaluationMeeting, pk=pk)).data)

    @extend_schema(
        summary="Update an evaluation meeting: date, status, participants, minutes, decisions",
        request=MeetingInput,
        responses={200: MeetingDetailOutput, **ERRORS},
    )
    def put(self, request: AuthenticatedRequest, pk: int) -> Response:
        meeting = get_object_or_404(EvaluationMeeting, pk=pk)
        meeting = services.evaluation_meeting_save(
            meeting=meeting, actor=request.user, **_valid(MeetingInput, request.data)
        )
        return Response(MeetingDetailOutput(meeting).data)


class ActionItemInput(serializers.Serializer):
    description = serializers.CharField(max_length=500)
    owner = serializers.CharField(max_length=200)
    owner_party = serializers.ChoiceField(choices=Party.choices)
    due_on = serializers.DateField()


class EvaluationActionItemApi(_Manage):
    @extend_schema(
        summary="Add an action item to an evaluation meeting",
        request=ActionItemInput,
        responses={201: ActionItemDetailOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        meeting = get_object_or_404(EvaluationMeeting, pk=pk)
        item = services.action_item_add(
            meeting=meeting, actor=request.user, **_valid(ActionItemInput, request.data)
        )
        return Response(ActionItemDetailOutput(item).data, status=status.HTTP_201_CREATED)


class ActionItemCompleteApi(_Manage):
    @extend_schema(
        summary="Mark an action item of a meeting done",
        request=None,
        responses={200: ActionItemDetailOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int, item_pk: int) -> Response:
        item = services.action_item_complete(action_item_id=item_pk, meeting_id=pk, actor=request.user)
        return Response(ActionItemDetailOutput(item).data)


class ScoreInput(serializers.Serializer):
    indicator = serializers.ChoiceField(choices=Indicator.choices)
    score = serializers.IntegerField(help_text="1 to 5")
    notes = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class ScorecardInput(serializers.Serializer):
    scores = ScoreInput(many=True, help_text="All seven partnership indicators, once each")

    def validate_scores(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        indicators = [row["indicator"] for row in value]
        if len(indicators) != len(set(indicators)):
            raise serializers.ValidationError(_("Each indicator at most once."))
        return value


class ScorecardOutput(serializers.Serializer):
    meeting = serializers.IntegerField(source="meeting_id")
    indicator = serializers.CharField()
    score = serializers.IntegerField()
    notes = serializers.CharField()


class EvaluationScorecardApi(_Manage):
    @extend_schema(
        summary="Save the 1-5 scorecard on the seven partnership indicators (all at once)",
        request=ScorecardInput,
        responses={200: ScorecardOutput(many=True), **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        meeting = get_object_or_404(EvaluationMeeting, pk=pk)
        rows = _valid(ScorecardInput, request.data)["scores"]
        saved = services.scorecard_save(
            meeting=meeting,
            actor=request.user,
            scores={row["indicator"]: (row["score"], row["notes"]) for row in rows},
        )
        return Response(ScorecardOutput(saved, many=True).data)


# Disputes (article 14) ---------------------------------------------------------------------------


class DisputeDetailOutput(DisputeOutput):
    agreement = serializers.IntegerField(source="agreement_id")
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)


def _dispute(pk: int) -> Dispute:
    return get_object_or_404(Dispute.objects.prefetch_related("notes"), pk=pk)


class DisputeDetailApi(_Manage):
    @extend_schema(
        summary="One dispute with its deliberation notes and consensus",
        responses={200: DisputeDetailOutput, **READ_ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(DisputeDetailOutput(_dispute(pk)).data)


class DisputeNoteInput(serializers.Serializer):
    text = serializers.CharField()


class DisputeNoteApi(_Manage):
    @extend_schema(
        summary="Add a deliberation note; an open dispute goes into deliberation",
        request=DisputeNoteInput,
        responses={201: DisputeDetailOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        dispute = _dispute(pk)
        services.dispute_add_note(
            dispute_id=dispute.pk, actor=request.user, **_valid(DisputeNoteInput, request.data)
        )
        return Response(DisputeDetailOutput(_dispute(pk)).data, status=status.HTTP_201_CREATED)


class ConsensusInput(serializers.Serializer):
    consensus = serializers.CharField()


class DisputeConsensusApi(_Manage):
    @extend_schema(
        summary="Record the consensus both sides reached",
        request=ConsensusInput,
        responses={200: DisputeDetailOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        dispute = _dispute(pk)
        services.dispute_record_consensus(
            dispute_id=dispute.pk, actor=request.user, **_valid(ConsensusInput, request.data)
        )
        return Response(DisputeDetailOutput(_dispute(pk)).data)


class DisputeCloseApi(_Manage):
    @extend_schema(
        summary="Close a dispute once its consensus is recorded (final: it cannot be reopened)",
        request=None,
        responses={200: DisputeDetailOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        dispute = _dispute(pk)
        services.dispute_close(dispute_id=dispute.pk, actor=request.user)
        return Response(DisputeDetailOutput(_dispute(pk)).data)


# Uptake ------------------------------------------------------------------------------------------


class UptakeCsvInput(serializers.Serializer):
    file = serializers.FileField(help_text="UTF-8 CSV with the columns year, month, issued")


class UptakeCsvOutput(serializers.Serializer):
    imported = serializers.IntegerField()


class UptakeCsvImportApi(_Manage):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Import the passports issued per month from CSV (Imigrasi); one bad row imports nothing",
        description="A refused file answers 400 with `fields` naming each bad line, e.g. `line_3`.",
        request={"multipart/form-data": UptakeCsvInput},
        responses={200: UptakeCsvOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: AuthenticatedRequest) -> Response:
        upload = _valid(UptakeCsvInput, request.data)["file"]
        result = services.uptake_csv_import(content=upload.read(), actor=request.user)
        if result.errors:
            raise ValidationFailed(
                _("Nothing was imported: correct the lines listed and send the whole file again."),
                fields={f"line_{line}": [message] for line, message in result.errors},
            )
        return Response(UptakeCsvOutput({"imported": result.imported}).data)
