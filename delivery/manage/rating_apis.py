"""The personal link over the API: what an applicant's app does with the link of the messages.

The link's token stands for the order as on the page (``delivery.manage.links``): an altered or
revoked link answers 404 and counts on the lookup lock (``core.lookups``), an expired one 410, and a
locked client gets 429 before the token is read."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api import PublicApi
from core.api import ERRORS, api_errors
from core.exceptions import DomainError, NotFound
from core.idempotency import idempotent
from core.lookups import lookup_failed, lookup_refuse_if_locked
from core.middleware import client_ip
from delivery.manage import links
from delivery.manage.rating import COMMENT_MAX, RATING_CHANGE_DAYS, Rated, rating_record
from delivery.models import DeliveryOrder


class LinkExpired(DomainError):
    status_code = 410
    code = "link_expired"


def link_order_for(request: Request, token: str) -> DeliveryOrder:
    """The order of a personal link, or the refusal (a bad link counts on the client's lock)."""
    client = client_ip(request)
    lookup_refuse_if_locked(client=client)
    try:
        return links.link_order(token)
    except links.LinkExpired:
        raise LinkExpired(
            _("This link has expired. Track your passport to get a new one-time code.")
        ) from None
    except links.LinkInvalid:
        lookup_failed(client=client)
        raise NotFound(
            _("This link is not valid. Track your passport with your tracking code instead."),
            code="link_invalid",
        ) from None


SCORE_MESSAGE = _("Choose a score from 1 (very bad) to 5 (very good).")


class LinkRatingInput(serializers.Serializer[dict[str, Any]]):
    score = serializers.IntegerField(
        min_value=1,
        max_value=5,
        help_text="1 very bad, 2 bad, 3 neither good nor bad, 4 good, 5 very good",
        error_messages={
            key: SCORE_MESSAGE for key in ("required", "null", "invalid", "min_value", "max_value")
        },
    )
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        default="",
        trim_whitespace=False,
        max_length=COMMENT_MAX,
        help_text="Optional, at most 500 characters; shown on the partnership dashboard without any name",
        error_messages={"max_length": _("Write at most 500 characters.")},
    )


class LinkRatingOutput(serializers.Serializer[Rated]):
    score = serializers.IntegerField(source="rating.score")
    rated_at = serializers.DateTimeField(source="rating.rated_at")
    changed_at = serializers.DateTimeField(source="rating.changed_at", allow_null=True)
    change_until = serializers.DateTimeField(
        help_text=f"Until when a new answer replaces this one ({RATING_CHANGE_DAYS} days after the first)"
    )


class LinkRatingApi(PublicApi):
    @extend_schema(
        summary="Tell us how it went: rate a delivered order (1-5, optional comment) through its personal link",
        description=(
            "The token is the one of the personal link in the applicant's messages (`/m/{token}/`). "
            "201 for a first rating; within 7 days a new answer replaces it (200), later 409 "
            "`rating_closed`. An order not delivered yet answers 409 `not_delivered`."
        ),
        request=LinkRatingInput,
        responses={
            201: LinkRatingOutput,
            200: LinkRatingOutput,
            **ERRORS,
            **api_errors(410, 429),
        },
    )
    @idempotent
    def post(self, request: Request, token: str) -> Response:
        order = link_order_for(request, token)
        data = LinkRatingInput(data=request.data)
        data.is_valid(raise_exception=True)
        rated = rating_record(
            order_id=order.pk, score=data.validated_data["score"], comment=data.validated_data["comment"]
        )
        return Response(
            LinkRatingOutput(rated).data,
            status=status.HTTP_201_CREATED if rated.created else status.HTTP_200_OK,
        )
