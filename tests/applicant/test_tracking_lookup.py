"""Public tracking by the last 4 digits of the NIK as well as the date of birth."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client

from delivery.choices import DeliveryStatus as S
from delivery.handoff import transitions as t
from tests.factories import make_order

BORN = dt.date(1990, 5, 17)


def by_nik(client, code, digits):
    return client.post("/track/", {"code": code, "nik_last4": digits}, follow=True)


def test_the_last_four_nik_digits_open_the_page_without_showing_personal_data(ref):
    order = make_order(ref, S.RECEIVED_BY_POS, birth_date=BORN)
    applicant = order.application.applicant
    response = by_nik(Client(), order.code, applicant.nik[-4:])
    page = response.content.decode()
    assert response.status_code == 200
    assert "Diterima oleh bagian layanan PT Pos" in page
    assert "PT Pos, bagian pelayanan" in page  # who holds the passport: the agency
    assert 'aria-current="step"' in page  # the current step of the seven
    for secret in (applicant.nik, applicant.phone, applicant.address, applicant.full_name, "Sri Wahyuni"):
        assert secret not in page


def test_wrong_nik_digits_are_refused_and_counted_towards_the_limit(ref):
    order = make_order(ref, S.BOOKED, birth_date=BORN)
    right = order.application.applicant.nik[-4:]
    client = Client()
    wrong = "0000" if right != "0000" else "1111"
    for _ in range(10):
        response = by_nik(client, order.code, wrong)
        assert response.status_code == 404
        assert "Tidak ada pengiriman" in response.content.decode()
    assert by_nik(client, order.code, right).status_code == 429


def test_a_lookup_needs_one_secret_and_four_digits(ref):
    order = make_order(ref, S.BOOKED, birth_date=BORN)
    assert Client().post("/track/", {"code": order.code, "birth_date": ""}, follow=True).status_code == 400
    response = by_nik(Client(), order.code, "12a4")
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()


def test_the_cache_keeps_lookups_apart_and_follows_every_move(ref, django_capture_on_commit_callbacks):
    assert connection.vendor == "postgresql"
    order = make_order(ref, S.BOOKED, birth_date=BORN)
    digits = order.application.applicant.nik[-4:]
    client = Client()
    assert by_nik(client, order.code, digits).status_code == 200
    assert by_nik(client, order.code, digits).status_code == 200  # from the cache
    # a page cached for the NIK digits is not what a wrong date of birth gets
    assert (
        client.post("/track/", {"code": order.code, "birth_date": "1990-05-18"}, follow=True).status_code
        == 404
    )

    with django_capture_on_commit_callbacks(execute=True):
        t.delivery_order_hand_dossier(order_id=order.pk, actor=ref["users"]["pos.layanan"])
    assert "Berkas diserahkan ke Imigrasi" in by_nik(client, order.code, digits).content.decode()


@pytest.mark.django_db(transaction=True)
def test_lookups_keep_working_when_the_database_connection_is_replaced(ref):
    """The lookup's statements are prepared once per database connection: a new connection (after a
    restart or an idle close) prepares them again instead of failing, on both kinds of lookup. A
    posted lookup reads the order's row only (one statement per kind of secret); the page behind
    the link reads the events, once, without the NIK."""
    from django.core.cache import cache

    assert connection.vendor == "postgresql"
    order = make_order(ref, S.RECEIVED_BY_POS, birth_date=BORN)
    digits = order.application.applicant.nik[-4:]
    for _ in range(2):
        connection.close()  # each round on a new connection, with nothing prepared yet
        cache.clear()  # a cached page would hide the read
        by_birth = Client().post("/track/", {"code": order.code, "birth_date": BORN.isoformat()}, follow=True)
        by_digits = by_nik(Client(), order.code, digits)
        assert by_birth.status_code == by_digits.status_code == 200
        assert "Diterima oleh bagian layanan PT Pos" in by_birth.content.decode()
        assert "Diterima oleh bagian layanan PT Pos" in by_digits.content.decode()
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM pg_prepared_statements ORDER BY name")
            assert [row[0] for row in cursor.fetchall()] == [
                "tracking_by_code",
                "tracking_match_by_birth_date",
                "tracking_match_by_nik",
            ]


@pytest.mark.django_db(transaction=True)
def test_the_posted_lookup_reads_the_order_alone_and_the_page_reads_the_events_once(ref):
    """The lookup answers with the link after reading the order's row; the events are read by the
    page behind the link, once, and no NIK with them."""
    from django.core.cache import cache

    order = make_order(ref, S.RECEIVED_BY_POS, birth_date=BORN)
    connection.close()
    cache.clear()

    def prepared() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM pg_prepared_statements ORDER BY name")
            return [row[0] for row in cursor.fetchall()]

    client = Client()
    posted = client.post("/track/", {"code": order.code, "birth_date": BORN.isoformat()})
    assert posted.status_code == 303
    assert prepared() == ["tracking_match_by_birth_date"]
    page = client.get(posted["Location"])
    assert "Diterima oleh bagian layanan PT Pos" in page.content.decode()
    assert prepared() == ["tracking_by_code", "tracking_match_by_birth_date"]


def test_a_date_of_birth_typed_by_hand_works_like_the_date_pickers(ref):
    order = make_order(ref, S.BOOKED, birth_date=BORN)
    client = Client()
    # the date picker's ISO date and a date typed the Indonesian way open the same page
    assert (
        client.post("/track/", {"code": order.code, "birth_date": "1990-05-17"}, follow=True).status_code
        == 200
    )
    assert (
        client.post("/track/", {"code": order.code, "birth_date": "17/05/1990"}, follow=True).status_code
        == 200
    )
    # a day that does not exist is a form error, not a failed look-up
    response = client.post("/track/", {"code": order.code, "birth_date": "1990-02-30"}, follow=True)
    assert response.status_code == 400
    assert 'aria-invalid="true" aria-describedby="id_birth_date_error"' in response.content.decode()
