""" "Tell us how it went": the applicant's satisfaction rating after the delivery.

One question, a score from 1 (very bad) to 5 (very good), and an optional comment of at most
``COMMENT_MAX`` characters, given through the personal link (page ``/m/<token>/rating/`` and API
``POST /api/v1/links/{token}/rating/``); no one-time code is asked, since a rating changes nothing
about the delivery and shows no personal data.

- Only a delivered order can be rated (``RatingRefused``, 409 ``not_delivered``).
- One rating per order. For ``RATING_CHANGE_DAYS`` after it was first given, a new answer replaces
  it, score and comment both (``changed_at``); after that it is refused (409 ``rating_closed``).
  The same answer sent twice leaves the same rating.
- Bad input (a score that is not a whole number from 1 to 5, a comment too long or not text) is
  refused with ``ValidationFailed`` and the field that is wrong.

The partnership dashboard reads the ratings by month (``partners.selectors.satisfaction``).
"""

from __future__ import annotations

import datetime as dt
import logging
import unicodedata
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError, NotFound, ValidationFailed
from delivery.choices import DeliveryStatus
from delivery.models import DeliveryOrder, SatisfactionRating

logger = logging.getLogger(__name__)

SCORES = (1, 2, 3, 4, 5)
COMMENT_MAX = 500
RATING_CHANGE_DAYS = 7


class RatingRefused(DomainError):
    status_code = 409
    code = "rating_refused"


@dataclass(frozen=True)
class Rated:
    rating: SatisfactionRating
    created: bool  # False: an earlier rating was replaced (or the same answer came again)

    @property
    def change_until(self) -> dt.datetime:
        return _change_until(self.rating)


@dataclass(frozen=True)
class RatingOffer:
    """What the personal link's page offers: the form (``can_rate``), or the rating given and
    whether it may still be changed (until ``change_until``)."""

    can_rate: bool
    rating: SatisfactionRating | None
    can_change: bool
    change_until: dt.datetime | None


def _change_until(rating: SatisfactionRating) -> dt.datetime:
    return rating.rated_at + dt.timedelta(days=RATING_CHANGE_DAYS)


def rating_offer(*, order: DeliveryOrder, now: dt.datetime | None = None) -> RatingOffer:
    now = now or timezone.now()
    if order.status != DeliveryStatus.DELIVERED:
        return RatingOffer(can_rate=False, rating=None, can_change=False, change_until=None)
    rating = SatisfactionRating.objects.filter(order=order).first()
    if rating is None:
        return RatingOffer(can_rate=True, rating=None, can_change=False, change_until=None)
    until = _change_until(rating)
    return RatingOffer(can_rate=False, rating=rating, can_change=now < until, change_until=until)


def _score_clean(score: object) -> int | None:
    if isinstance(score, bool):
        return None
    if isinstance(score, int):
        value = score
    elif isinstance(score, str) and score.strip().isascii() and score.strip().isdigit():
        value = int(score.strip())
    else:
        return None
    return value if value in SCORES else None


def _comment_clean(comment: object) -> str | None:
    if comment is None:
        return ""
    if not isinstance(comment, str):
        return None
    # Control characters (a NUL the database refuses among them) go; line breaks and tabs stay.
    kept = "".join(c for c in comment if c in "\n\t" or unicodedata.category(c) != "Cc")
    return kept.replace("\r\n", "\n").strip()


def rating_record(
    *, order_id: int, score: object, comment: object = "", now: dt.datetime | None = None
) -> Rated:
    """Record the applicant's rating of a delivered order, or replace it within the change window."""
    now = now or timezone.now()
    errors: dict[str, list[object]] = {}
    value = _score_clean(score)
    if value is None:
        errors["score"] = [_("Choose a score from 1 (very bad) to 5 (very good).")]
    text = _comment_clean(comment)
    if text is None:
        errors["comment"] = [_("The comment must be text.")]
    elif len(text) > COMMENT_MAX:
        errors["comment"] = [
            _("Write at most %(max)s characters (you wrote %(n)s).") % {"max": COMMENT_MAX, "n": len(text)}
        ]
    if errors or value is None or text is None:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    with transaction.atomic():
        order = DeliveryOrder.objects.select_for_update(of=("self",)).filter(pk=order_id).first()
        if order is None:
            raise NotFound(_("No such delivery order."))
        if order.status != DeliveryStatus.DELIVERED:
            raise RatingRefused(
                _("You can tell us how it went once your passport is delivered."), code="not_delivered"
            )
        rating = SatisfactionRating.objects.filter(order=order).first()
        if rating is None:
            rating = SatisfactionRating.objects.create(order=order, score=value, comment=text, rated_at=now)
            logger.info("delivery.rating.recorded order_id=%s score=%s", order.pk, value)
            return Rated(rating=rating, created=True)
        if (rating.score, rating.comment) == (value, text):
            return Rated(rating=rating, created=False)
        if now >= _change_until(rating):
            raise RatingRefused(
                _("You rated this delivery on %(date)s; a rating can be changed for %(days)s days only.")
                % {"date": f"{timezone.localtime(rating.rated_at):%d/%m/%Y}", "days": RATING_CHANGE_DAYS},
                code="rating_closed",
            )
        rating.score, rating.comment, rating.changed_at = value, text, now
        rating.save(update_fields=["score", "comment", "changed_at"])
        logger.info("delivery.rating.changed order_id=%s score=%s", order.pk, value)
        return Rated(rating=rating, created=False)
