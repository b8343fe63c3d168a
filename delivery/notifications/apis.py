"""WhatsApp's status callbacks: the webhook the portal exposes to the Cloud API."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ErrorSerializer
from delivery.notifications.whatsapp import whatsapp_statuses_receive, whatsapp_subscription_verify


class WhatsAppStatusesOutput(serializers.Serializer[dict[str, Any]]):
    changed = serializers.IntegerField(help_text="How many messages' statuses changed.")


class _RawBody(BaseParser):
    """The body is read raw (its signature covers the exact bytes), never parsed by DRF."""

    media_type = "*/*"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> dict[str, Any]:
        return {}


class WhatsAppStatusWebhookApi(APIView):
    """Called by WhatsApp (Meta), not by people: open to anyone (a token sent anyway is checked as
    everywhere), the body's signature stands for the sender."""

    permission_classes = [AllowAny]
    parser_classes = [_RawBody]

    @extend_schema(
        summary="WhatsApp webhook verification: answers hub.challenge when hub.verify_token matches",
        parameters=[
            OpenApiParameter("hub.mode", str, OpenApiParameter.QUERY, required=True),
            OpenApiParameter("hub.verify_token", str, OpenApiParameter.QUERY, required=True),
            OpenApiParameter("hub.challenge", str, OpenApiParameter.QUERY, required=True),
        ],
        responses={(200, "text/plain"): OpenApiTypes.STR, 403: ErrorSerializer},
    )
    def get(self, request: Request) -> HttpResponse:
        challenge = whatsapp_subscription_verify(
            mode=request.query_params.get("hub.mode", ""),
            token=request.query_params.get("hub.verify_token", ""),
            challenge=request.query_params.get("hub.challenge", ""),
        )
        return HttpResponse(challenge, content_type="text/plain")

    @extend_schema(
        summary="WhatsApp status callbacks (sent, delivered, read, failed), signed with X-Hub-Signature-256",
        description=(
            "The body is the Cloud API's webhook JSON (entry[].changes[].value.statuses[]). "
            "X-Hub-Signature-256 must be 'sha256=' and the HMAC-SHA256 of the raw body with "
            "WHATSAPP_APP_SECRET; otherwise 403 and nothing changes."
        ),
        parameters=[
            OpenApiParameter("X-Hub-Signature-256", str, OpenApiParameter.HEADER, required=True),
        ],
        request={"application/json": OpenApiTypes.OBJECT},
        responses={200: WhatsAppStatusesOutput, 400: ErrorSerializer, 403: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        changed = whatsapp_statuses_receive(
            body=request.body, signature=request.headers.get("X-Hub-Signature-256", "")
        )
        return Response(WhatsAppStatusesOutput({"changed": changed}).data)
