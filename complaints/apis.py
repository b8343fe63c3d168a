"""Complaints over the API: anyone files one (no login), the complainant reads it with ticket and
secret, staff of the routed office list, answer and close. Tokens need ``handle_complaints``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import TokenScopePermission
from accounts.models import User
from complaints import services as svc
from complaints.choices import ComplaintCategory, ComplaintStatus
from complaints.models import Complaint
from complaints.permissions import is_complaint_handler
from core.api import ERRORS, ErrorSerializer
from core.exceptions import NotAllowed, NotFound, ValidationFailed
from core.fields import SecretSerializerField
from core.files import base64_decode
from core.idempotency import idempotent
from core.middleware import client_ip

if TYPE_CHECKING:
    from rest_framework.permissions import _SupportsHasPermission

SCOPE = "handle_complaints"


class ComplaintFileInput(serializers.Serializer):
    category = serializers.ChoiceField(choices=ComplaintCategory.choices)
    text = serializers.CharField(max_length=4000)
    contact_email = serializers.CharField(required=False, allow_blank=True, max_length=254, default="")
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    tracking_code = serializers.CharField(required=False, allow_blank=True, max_length=12, default="")
    photo = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=7_200_000,
        help_text="Optional JPEG, PNG or WebP photo as base64 or a data URL, at most 5 MB.",
    )


class ComplaintMessageOutput(serializers.Serializer):
    author_kind = serializers.CharField()
    office = serializers.CharField(source="author.office.name", default=None, allow_null=True)
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class ComplaintOutput(serializers.Serializer):
    ticket = serializers.CharField()
    category = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    agency = serializers.CharField()
    office = serializers.CharField(source="office.name")
    order = serializers.CharField(source="order.code", default=None, allow_null=True)
    filed_at = serializers.DateTimeField()
    first_response_due_at = serializers.DateTimeField()
    first_response_at = serializers.DateTimeField(allow_null=True)
    first_response_overdue = serializers.SerializerMethodField()
    closed_at = serializers.DateTimeField(allow_null=True)
    has_photo = serializers.SerializerMethodField()

    def get_first_response_overdue(self, complaint: Complaint) -> bool:
        return svc.is_overdue(complaint)

    def get_has_photo(self, complaint: Complaint) -> bool:
        return bool(complaint.photo)


class ComplaintDetailOutput(ComplaintOutput):
    messages = ComplaintMessageOutput(many=True, source="messages.all")


class ComplaintStaffOutput(ComplaintDetailOutput):
    contact_email = serializers.CharField()
    contact_phone = serializers.CharField()


class ComplaintFiledOutput(ComplaintOutput):
    secret = serializers.CharField(help_text="Keep it: with the ticket it opens the complaint.")
    link = serializers.CharField()


class ComplaintReplyInput(serializers.Serializer):
    text = serializers.CharField(max_length=4000)
    secret = SecretSerializerField(
        required=False,
        allow_blank=True,
        default="",
        max_length=64,
        help_text="The complainant's secret; staff of the routed office leave it out.",
    )


class ComplaintSecretInput(serializers.Serializer):
    secret = SecretSerializerField(required=False, allow_blank=True, default="", max_length=64)


def _decode_photo(data: str) -> bytes | None:
    if not data:
        return None
    return base64_decode(data, field="photo", message=_photo_message())


def _photo_message() -> str:
    from django.utils.translation import gettext

    return gettext("The photo is not an image.")


def _handler(request: Request) -> User:
    if not request.user.is_authenticated:
        raise NotAuthenticated()
    if not is_complaint_handler(request.user):
        raise NotAllowed()
    return request.user


class ComplaintListApi(APIView):
    required_scopes = {"GET": SCOPE, "POST": SCOPE}

    def get_permissions(self) -> Sequence[_SupportsHasPermission]:
        if self.request.method == "POST":
            return [AllowAny(), TokenScopePermission()]
        return super().get_permissions()

    @extend_schema(
        summary="The complaints queue of your office (staff of Imigrasi and PT Pos)",
        parameters=[OpenApiParameter("status", str, enum=ComplaintStatus.values, required=False)],
        responses={200: ComplaintStaffOutput(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        user = _handler(request)
        qs = svc.complaints_for_staff(user).prefetch_related("messages__author__office")
        status = request.query_params.get("status")
        if status:
            if status not in ComplaintStatus.values:
                raise ValidationFailed(fields={"status": [f"One of {', '.join(ComplaintStatus.values)}."]})
            qs = qs.filter(status=status)
        return Response(
            ComplaintStaffOutput(qs.order_by("first_response_due_at", "pk")[:200], many=True).data
        )

    @extend_schema(
        summary="File a complaint (no login needed); the answer holds the ticket number and secret",
        request=ComplaintFileInput,
        responses={201: ComplaintFiledOutput, 429: ErrorSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = ComplaintFileInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        photo = _decode_photo(values.pop("photo"))
        language = getattr(request, "LANGUAGE_CODE", "id")
        opened = svc.complaint_open(
            photo=photo, filed_by=request.user, language=language, client=client_ip(request), **values
        )
        complaint = opened.complaint
        # The filed answer's two extra fields, read by ComplaintFiledOutput from the complaint.
        complaint.secret, complaint.link = opened.secret, svc.complaint_link(complaint)  # type: ignore[attr-defined]
        return Response(ComplaintFiledOutput(complaint).data, status=201)


def _complaint_for(request: Request, ticket: str, secret: str) -> tuple[Complaint, User | None]:
    """The complaint, and the handler who opened it as staff (``None``: the complainant, by the secret)."""
    if secret:
        return svc.complaint_by_secret(ticket=ticket, secret=secret, client=client_ip(request)), None
    if request.user.is_authenticated and is_complaint_handler(request.user):
        return svc.complaint_for_staff(request.user, ticket), request.user
    from django.utils.translation import gettext

    raise NotFound(gettext("No complaint with this ticket number and link."), code="unknown_complaint")


class ComplaintDetailApi(APIView):
    required_scopes = {"GET": SCOPE}
    permission_classes = [AllowAny, TokenScopePermission]

    @extend_schema(
        summary="One complaint with its thread: by ticket and secret, or as staff of the routed office",
        parameters=[OpenApiParameter("secret", str, required=False)],
        responses={200: ComplaintDetailOutput, 429: ErrorSerializer, **ERRORS},
    )
    def get(self, request: Request, ticket: str) -> Response:
        query = ComplaintSecretInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        complaint, handler = _complaint_for(request, ticket, query.validated_data["secret"])
        serializer = ComplaintStaffOutput if handler is not None else ComplaintDetailOutput
        return Response(serializer(complaint).data)


class ComplaintReplyApi(APIView):
    required_scopes = {"POST": SCOPE}
    permission_classes = [AllowAny, TokenScopePermission]

    @extend_schema(
        summary="Reply to a complaint: staff of the routed office (the complainant is emailed) or "
        "the complainant with the secret",
        request=ComplaintReplyInput,
        responses={201: ComplaintDetailOutput, 429: ErrorSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request: Request, ticket: str) -> Response:
        data = ComplaintReplyInput(data=request.data)
        data.is_valid(raise_exception=True)
        complaint, handler = _complaint_for(request, ticket, data.validated_data["secret"])
        if handler is not None:
            svc.complaint_reply_by_staff(
                complaint_id=complaint.pk, actor=handler, text=data.validated_data["text"]
            )
        else:
            svc.complaint_reply_by_complainant(complaint_id=complaint.pk, text=data.validated_data["text"])
        complaint.refresh_from_db()
        return Response(ComplaintDetailOutput(complaint).data, status=201)


class ComplaintCloseApi(APIView):
    required_scopes = {"POST": SCOPE}

    @extend_schema(
        summary="Close a complaint (staff of the routed office); it takes no more replies",
        request=None,
        responses={200: ComplaintDetailOutput, **ERRORS},
    )
    @idempotent
    def post(self, request: Request, ticket: str) -> Response:
        user = _handler(request)
        complaint = svc.complaint_for_staff(user, ticket)
        complaint = svc.complaint_close(complaint_id=complaint.pk, actor=user)
        return Response(ComplaintDetailOutput(complaint).data)
