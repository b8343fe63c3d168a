import datetime as dt

from django.core import signing
from django.test import Client

from delivery.choices import DeliveryStatus as S
from delivery.handoff import transitions as t
from tests.factories import make_order

BORN = dt.date(1990, 5, 17)


def lookup(client, code, born=BORN):
    return client.post("/track/", {"code": code, "birth_date": born.isoformat()}, follow=True)


def test_the_page_follows_every_move_even_when_cached(ref, django_capture_on_commit_callbacks):
    order = make_order(ref, S.BOOKED, birth_date=BORN)
    client = Client()
    assert "Sudah dipesan dan dibayar" in lookup(client, order.code).content.decode()
    assert "Sudah dipesan dan dibayar" in lookup(client, order.code).content.decode()  # from the cache

    with django_capture_on_commit_callbacks(execute=True):
        t.delivery_order_hand_dossier(order_id=order.pk, actor=ref["users"]["pos.layanan"])

    page = lookup(client, order.code).content.decode()
    assert "Berkas diserahkan ke Imigrasi" in page


def test_who_holds_the_dossier_before_step_four_is_the_pos_counter(ref):
    waiting = make_order(ref, S.BOOKED, birth_date=BORN)
    page = lookup(Client(), waiting.code).content.decode()
    assert "Loket PT Pos (berkas Anda berikutnya diserahkan ke Imigrasi)" in page
    assert "paspor sedang dibuat" not in page

    handed = make_order(ref, S.DOSSIER_HANDED, birth_date=BORN)
    assert "Imigrasi (paspor sedang dibuat)" in lookup(Client(), handed.code).content.decode()


def test_the_page_shows_no_personal_data(ref):
    order = make_order(ref, S.DOSSIER_HANDED, birth_date=BORN)
    applicant = order.application.applicant
    page = lookup(Client(), order.code).content.decode()
    assert order.code in page
    for secret in (applicant.nik, applicant.phone, applicant.address, applicant.full_name, "Sri Wahyuni"):
        assert secret not in page


def test_guessing_is_stopped_after_ten_failures(ref, settings):
    order = make_order(ref, S.BOOKED, birth_date=BORN)
    client = Client()
    for day in range(1, 11):
        response = lookup(client, order.code, born=dt.date(1990, 1, day))
        assert response.status_code == 404
        assert "Tidak ada pengiriman" in response.content.decode()

    blocked = lookup(client, order.code)  # even the right secret now has to wait
    assert blocked.status_code == 429
    assert "Terlalu banyak percobaan" in blocked.content.decode()
    assert 'class="timeline"' not in blocked.content.decode()

    # the code itself is locked too (core.lookups): ten guesses at its secret from anywhere
    other_client = Client(REMOTE_ADDR="10.9.8.7")
    assert lookup(other_client, order.code).status_code == 429
    other_order = make_order(ref, S.BOOKED, birth_date=BORN)
    assert lookup(other_client, other_order.code).status_code == 200


def test_a_malformed_date_is_a_clear_400(db):
    response = Client().post("/track/", {"code": "APDEMO01", "birth_date": "31-31-1990"}, follow=True)
    assert response.status_code == 400
    page = response.content.decode()
    assert '<ul class="errorlist" id="id_birth_date_error"><li>Masukkan tanggal yang valid.</li></ul>' in page
    # What was typed stays, and the field points to its message.
    assert (
        '<input type="date" name="birth_date" value="31-31-1990" aria-invalid="true" '
        'aria-describedby="id_birth_date_error" id="id_birth_date">'
    ) in page
    assert 'name="code" value="APDEMO01"' in page


def test_the_lookup_is_posted_and_answers_with_a_link_holding_no_personal_data(ref):
    order = make_order(ref, S.BOOKED, birth_date=BORN)
    client = Client()
    response = lookup(client, order.code)
    [(link, status)] = response.redirect_chain
    assert status == 303 and link.startswith("/track/r/")
    assert BORN.isoformat() not in link and "1990" not in link and "birth" not in link
    assert "Sudah dipesan dan dibayar" in response.content.decode()
    # The link opens the page again without the date of birth, in another browser too.
    assert "Sudah dipesan dan dibayar" in Client().get(link).content.decode()


def test_a_date_of_birth_in_the_address_is_not_read(ref):
    order = make_order(ref, S.BOOKED, birth_date=BORN)
    page = Client().get("/track/", {"code": order.code, "birth_date": BORN.isoformat()})
    assert page.status_code == 200
    text = page.content.decode()
    assert 'class="steps"' not in text and f"<h2>{order.code}" not in text  # no order page
    assert f'value="{order.code}"' in text  # the code alone (the messages' links) fills the form


def test_an_expired_or_altered_link_asks_for_the_lookup_again(ref, settings):
    order = make_order(ref, S.BOOKED, birth_date=BORN)
    link = lookup(Client(), order.code).redirect_chain[0][0]
    token = link.split("/")[3]
    altered = Client().get(f"/track/r/{token[:-2]}xx/")
    assert altered.status_code == 404 and "tidak berlaku" in altered.content.decode()
    _payload, stamp, signature = token.split(":")
    other = ":".join([signing.b64_encode(b'"APDEMO01"').decode(), stamp, signature])  # another code
    assert Client().get(f"/track/r/{other}/").status_code == 404
    settings.TRACKING_LINK_SECONDS = 0
    expired = Client().get(link)
    assert expired.status_code == 410 and "kedaluwarsa" in expired.content.decode()
    assert order.code not in expired.content.decode()
