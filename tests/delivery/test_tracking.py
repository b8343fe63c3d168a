import datetime as dt

from django.test import Client

from delivery.choices import DeliveryStatus as S
from delivery.handoff import transitions as t
from tests.factories import make_order

BORN = dt.date(1990, 5, 17)


def lookup(client, code, born=BORN):
    return client.get("/track/", {"code": code, "birth_date": born.isoformat()})


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
    response = Client().get("/track/", {"code": "APDEMO01", "birth_date": "31-31-1990"})
    assert response.status_code == 400
    page = response.content.decode()
    assert '<ul class="errorlist" id="id_birth_date_error"><li>Masukkan tanggal yang valid.</li></ul>' in page
    # What was typed stays, and the field points to its message.
    assert (
        '<input type="date" name="birth_date" value="31-31-1990" aria-invalid="true" '
        'aria-describedby="id_birth_date_error" id="id_birth_date">'
    ) in page
    assert 'name="code" value="APDEMO01"' in page
