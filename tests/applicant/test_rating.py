"""Tell us how it went: the applicant rates a delivered order (1-5, optional comment) through the
personal link of the messages, on the page or over the API; one rating per order, changeable for
seven days."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone, translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from core.exceptions import DomainError, ValidationFailed
from delivery.choices import DeliveryStatus as S
from delivery.manage import links
from delivery.manage.rating import RATING_CHANGE_DAYS, RatingRefused, rating_record
from delivery.models import DeliveryOrder, SatisfactionRating
from tests.factories import make_order

# The service


def test_a_delivered_order_is_rated_once_and_changed_within_seven_days(ref):
    order = make_order(ref, S.DELIVERED)
    now = timezone.now()

    first = rating_record(order_id=order.pk, score=4, comment="  Kurirnya ramah.  ", now=now)
    assert first.created and first.rating.score == 4 and first.rating.comment == "Kurirnya ramah."
    assert first.rating.changed_at is None

    # the same answer again (a double click): the same rating, nothing changed
    again = rating_record(order_id=order.pk, score="4", comment="Kurirnya ramah.", now=now)
    assert not again.created and again.rating.changed_at is None

    # a new answer within the window replaces score and comment
    later = now + dt.timedelta(days=RATING_CHANGE_DAYS) - dt.timedelta(minutes=1)
    changed = rating_record(order_id=order.pk, score=5, comment="", now=later)
    assert not changed.created
    row = SatisfactionRating.objects.get(order=order)
    assert (row.score, row.comment, row.changed_at, row.rated_at) == (5, "", later, now)

    # after the window: refused with a clear message, the rating as it was
    with pytest.raises(RatingRefused) as refused, translation.override("en"):
        rating_record(order_id=order.pk, score=1, now=now + dt.timedelta(days=RATING_CHANGE_DAYS))
    assert refused.value.code == "rating_closed" and refused.value.status_code == 409
    with translation.override("en"):
        assert "can be changed for 7 days only" in str(refused.value.message)
    assert SatisfactionRating.objects.get(order=order).score == 5
    assert SatisfactionRating.objects.count() == 1


@pytest.mark.parametrize("state", [S.BOOKED, S.OUT_FOR_DELIVERY, S.FAILED_ATTEMPT, S.CANCELLED])
def test_an_order_not_delivered_cannot_be_rated(ref, state):
    order = make_order(ref, state)
    with pytest.raises(RatingRefused) as refused:
        rating_record(order_id=order.pk, score=5)
    assert refused.value.code == "not_delivered"
    assert not SatisfactionRating.objects.exists()


@pytest.mark.parametrize("score", [1, 5, "1", "5", " 3 "])
def test_the_bounds_are_accepted(ref, score):
    order = make_order(ref, S.DELIVERED)
    assert rating_record(order_id=order.pk, score=score).rating.score == int(str(score).strip())


@pytest.mark.parametrize(
    "score", [0, 6, -1, "0", "6", "", None, "4.5", 4.0, True, "٤", "four", [4], {"s": 4}]
)
def test_a_score_outside_1_to_5_or_not_a_whole_number_is_refused(ref, score):
    order = make_order(ref, S.DELIVERED)
    with pytest.raises(ValidationFailed) as refused:
        rating_record(order_id=order.pk, score=score)
    assert list(refused.value.fields) == ["score"]
    assert not SatisfactionRating.objects.exists()


def test_a_comment_too_long_or_not_text_is_refused_and_control_characters_go(ref):
    order = make_order(ref, S.DELIVERED)
    with pytest.raises(ValidationFailed) as refused:
        rating_record(order_id=order.pk, score=3, comment="x" * 501)
    assert list(refused.value.fields) == ["comment"] and "501" in str(refused.value.fields["comment"][0])
    with pytest.raises(ValidationFailed) as refused:
        rating_record(order_id=order.pk, score=9, comment=["a"])
    assert set(refused.value.fields) == {"score", "comment"}
    assert not SatisfactionRating.objects.exists()

    # exactly 500 is fine; a NUL (which the database would refuse) is dropped, line breaks stay
    rated = rating_record(order_id=order.pk, score=3, comment="a\x00b\r\nc" + "x" * 495)
    assert rated.rating.comment.startswith("ab\nc") and len(rated.rating.comment) == 499


def test_the_database_itself_keeps_one_rating_per_order_from_1_to_5(ref):
    order = make_order(ref, S.DELIVERED)
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        SatisfactionRating.objects.create(order=order, score=6, rated_at=now)
    SatisfactionRating.objects.create(order=order, score=2, rated_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        SatisfactionRating.objects.create(order=order, score=3, rated_at=now)


# The page of the personal link


@override_settings(LANGUAGE_CODE="en")
def test_the_applicant_rates_on_the_personal_link_without_a_code(ref, client):
    order = make_order(ref, S.DELIVERED)
    token = links.link_token(order)
    page = client.get(f"/m/{token}/").content.decode()
    assert (
        "Tell us how it went" in page and "<legend>How did the delivery of your passport go?</legend>" in page
    )
    for label in ("1 – very bad", "2 – bad", "3 – neither good nor bad", "4 – good", "5 – very good"):
        assert label in page

    # no score: the form again with the error at the question, nothing kept
    refused = client.post(f"/m/{token}/rating/", {"comment": "Cepat sekali"})
    assert refused.status_code == 400
    assert "Choose a score from 1 (very bad) to 5 (very good)." in refused.content.decode()
    assert "Cepat sekali" in refused.content.decode()  # what was typed stays in the box
    assert not SatisfactionRating.objects.exists()
    refused = client.post(f"/m/{token}/rating/", {"score": "4", "comment": "x" * 501})
    assert refused.status_code == 400 and "at most 500 characters" in refused.content.decode()

    done = client.post(f"/m/{token}/rating/", {"score": "4", "comment": "Cepat sekali"}, follow=True)
    assert done.redirect_chain == [(f"/m/{token}/#rating", 302)]
    page = done.content.decode()
    assert "Thank you for telling us how it went." in page
    assert "You rated the delivery 4 of 5." in page
    assert "Change my rating" in page
    assert SatisfactionRating.objects.get(order=order).comment == "Cepat sekali"

    changed = client.post(f"/m/{token}/rating/", {"score": "5"}, follow=True)
    assert "Your rating is changed." in changed.content.decode()
    assert SatisfactionRating.objects.get(order=order).score == 5


@override_settings(LANGUAGE_CODE="en")
def test_no_form_before_delivery_and_none_after_the_change_window(ref, client):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    token = links.link_token(order)
    assert "Tell us how it went" not in client.get(f"/m/{token}/").content.decode()
    refused = client.post(f"/m/{token}/rating/", {"score": "5"})
    assert refused.status_code == 409 and "once your passport is delivered" in refused.content.decode()

    delivered = make_order(ref, S.DELIVERED)
    SatisfactionRating.objects.create(
        order=delivered, score=2, rated_at=timezone.now() - dt.timedelta(days=RATING_CHANGE_DAYS, hours=1)
    )
    page = client.get(f"/m/{links.link_token(delivered)}/").content.decode()
    assert "You rated the delivery 2 of 5." in page and "Change my rating" not in page


@override_settings(LANGUAGE_CODE="id")
def test_the_rating_speaks_indonesian(ref, client):
    order = make_order(ref, S.DELIVERED)
    page = client.get(f"/m/{links.link_token(order)}/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Ceritakan pengalaman Anda" in page and "1 – sangat buruk" in page and "5 – sangat baik" in page


@override_settings(LANGUAGE_CODE="en")
def test_bad_links_count_on_the_lookup_lock(ref, client):
    order = make_order(ref, S.DELIVERED)
    code, made, signature = links.link_token(order).split(".")
    bad = f"{code}.{made}.{'B' * 12 if signature != 'B' * 12 else 'C' * 12}"
    for _ in range(settings.LOOKUP_MAX_FAILURES):
        assert client.post(f"/m/{bad}/rating/", {"score": "5"}).status_code == 404
    # the right link is refused too now: the client is locked
    assert client.post(f"/m/{links.link_token(order)}/rating/", {"score": "5"}).status_code == 429
    assert not SatisfactionRating.objects.exists()
    cache.clear()
    expired = links.link_token(order, now=timezone.now().timestamp() - settings.MANAGE_LINK_SECONDS - 60)
    assert client.post(f"/m/{expired}/rating/", {"score": "5"}).status_code == 410


# The API twin


@override_settings(LANGUAGE_CODE="en")
def test_the_api_rates_through_the_link_with_the_one_error_body(ref):
    order = make_order(ref, S.DELIVERED)
    token = links.link_token(order)
    api = APIClient()
    url = f"/api/v1/links/{token}/rating/"

    for body, field in (
        ({"score": 0}, "score"),
        ({"score": 6}, "score"),
        ({"score": "abc"}, "score"),
        ({"score": 4.5}, "score"),
        ({}, "score"),
        ({"score": 4, "comment": "x" * 501}, "comment"),
    ):
        refused = api.post(url, body, format="json")
        assert refused.status_code == 400, body
        assert refused.json()["code"] == "validation_failed" and field in refused.json()["fields"], body
    assert api.post(url, [4], format="json").status_code == 400
    assert not SatisfactionRating.objects.exists()

    created = api.post(
        url, {"score": 4, "comment": "Tepat waktu."}, format="json", HTTP_IDEMPOTENCY_KEY="r-1"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["score"] == 4 and body["changed_at"] is None and "comment" not in body
    replayed = api.post(
        url, {"score": 4, "comment": "Tepat waktu."}, format="json", HTTP_IDEMPOTENCY_KEY="r-1"
    )
    assert replayed.status_code == 201 and replayed.json() == body

    changed = api.post(url, {"score": 3, "comment": None}, format="json")
    assert changed.status_code == 200 and changed.json()["score"] == 3 and changed.json()["changed_at"]
    row = SatisfactionRating.objects.get(order=order)
    assert (row.score, row.comment) == (3, "")

    SatisfactionRating.objects.filter(pk=row.pk).update(
        rated_at=timezone.now() - dt.timedelta(days=RATING_CHANGE_DAYS + 1)
    )
    closed = api.post(url, {"score": 1}, format="json")
    assert closed.status_code == 409 and closed.json()["code"] == "rating_closed"

    not_yet = make_order(ref, S.WITH_DELIVERY_SECTION)
    refused = api.post(f"/api/v1/links/{links.link_token(not_yet)}/rating/", {"score": 5}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "not_delivered"

    invalid = api.post(f"/api/v1/links/{order.code}.x.yyyy/rating/", {"score": 5}, format="json")
    assert invalid.status_code == 404 and invalid.json()["code"] == "link_invalid"
    expired = links.link_token(order, now=timezone.now().timestamp() - settings.MANAGE_LINK_SECONDS - 60)
    gone = api.post(f"/api/v1/links/{expired}/rating/", {"score": 5}, format="json")
    assert gone.status_code == 410 and gone.json()["code"] == "link_expired"


# The applicant's own data


def test_the_rating_is_in_the_own_data_export_and_retention_clears_its_comment(ref):
    from delivery.privacy.services import applicant_anonymise, applicant_data_export

    order = make_order(ref, S.DELIVERED)
    rating_record(order_id=order.pk, score=4, comment="Terima kasih, Pak Budi.")
    owner = order.application.applicant.user
    exported = applicant_data_export(user=owner)["applications"][0]["delivery"]["satisfaction"]
    assert exported["score"] == 4 and exported["comment"] == "Terima kasih, Pak Budi."

    applicant_anonymise(applicant_id=order.application.applicant_id, now=timezone.now())
    row = SatisfactionRating.objects.get(order=order)
    assert (row.score, row.comment) == (4, "")  # the figure stays, the applicant's words go


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    score=st.one_of(st.integers(), st.text(max_size=6), st.floats(allow_nan=True), st.none(), st.booleans()),
    comment=st.one_of(st.text(max_size=600), st.none(), st.integers()),
)
def test_random_input_is_refused_with_a_message_or_kept_whole(ref, score, comment):
    # one order for every example (the test's transaction keeps it between them)
    order = DeliveryOrder.objects.filter(status=S.DELIVERED).first() or make_order(ref, S.DELIVERED)
    try:
        rated = rating_record(order_id=order.pk, score=score, comment=comment)
    except DomainError as error:
        assert str(error.message) and (error.fields or error.code == "rating_closed")
    else:
        assert rated.rating.score in (1, 2, 3, 4, 5) and len(rated.rating.comment) <= 500
        assert "\x00" not in rated.rating.comment
