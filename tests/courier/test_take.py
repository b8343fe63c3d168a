"""Step 6 → 7 signed by the courier: the courier takes the passports waiting on their run from the
delivery section (scanned or ticked), all or none, and prints the day's run sheet to sign."""

from __future__ import annotations

import io
import uuid

import pytest
from django.test import Client
from pypdf import PdfReader

from core.exceptions import NotAllowed, ValidationFailed
from delivery.choices import DeliveryStatus as S
from delivery.courier import dispatch
from delivery.courier.take import courier_passports_take
from delivery.models import DeliveryEvent, DeliveryOrder
from tests.courier.helpers import courier_client
from tests.factories import make_order, second_office_ref

pytestmark = pytest.mark.django_db


def _events(*orders: DeliveryOrder) -> int:
    return DeliveryEvent.objects.filter(order__in=orders).count()


def _status(order: DeliveryOrder) -> str:
    order.refresh_from_db()
    return order.status


def _pdf_text(data: bytes) -> str:
    """The PDF's text, words joined by single spaces (a table cell wraps where it must)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


# The service.


def test_scanned_passports_are_taken_each_by_one_event_signed_by_the_courier(ref):
    first = make_order(ref, S.WITH_DELIVERY_SECTION)
    second = make_order(ref, S.WITH_DELIVERY_SECTION)
    kurir = ref["users"]["kurir"]
    # As a scanner types them (any case, spaces), and the QR code of the public tracking page.
    result = courier_passports_take(
        actor=kurir, codes=[f" {first.code.lower()} ", f"https://antar.example/track/?code={second.code}"]
    )
    assert result.taken == [first.code, second.code] and result.already == []
    for order in (first, second):
        assert _status(order) == S.OUT_FOR_DELIVERY
        event = order.events.order_by("-occurred_at", "-pk").first()
        assert (event.from_status, event.to_status) == (S.WITH_DELIVERY_SECTION, S.OUT_FOR_DELIVERY)
        assert event.actor == kurir and event.actor_role == "courier"
        assert event.office == kurir.office


def test_a_passport_back_from_a_failed_attempt_is_taken_again(ref):
    failed = make_order(ref, S.FAILED_ATTEMPT)
    courier_passports_take(actor=ref["users"]["kurir"], codes=[failed.code])
    assert _status(failed) == S.OUT_FOR_DELIVERY


def test_a_code_not_on_the_run_is_refused_by_name_and_nothing_is_taken(ref):
    mine = make_order(ref, S.WITH_DELIVERY_SECTION)
    before = _events(mine)
    with pytest.raises(ValidationFailed) as refused:
        courier_passports_take(actor=ref["users"]["kurir"], codes=[mine.code, "APNOSUCH9"])
    assert refused.value.fields["codes"] == ["APNOSUCH9 tidak ada di rute Anda."]
    assert "APNOSUCH9" in str(refused.value.message)
    assert _status(mine) == S.WITH_DELIVERY_SECTION and _events(mine) == before


def test_a_passport_not_waiting_in_the_delivery_section_is_refused_by_name(ref):
    mine = make_order(ref, S.WITH_DELIVERY_SECTION)
    still_at_the_counter = make_order(ref, S.RECEIVED_BY_POS)
    dispatch.delivery_order_assign_courier(
        order_id=still_at_the_counter.pk, courier=ref["couriers"]["kurir"], actor=ref["users"]["pos.antaran"]
    )
    before = _events(mine, still_at_the_counter)
    with pytest.raises(ValidationFailed) as refused:
        courier_passports_take(actor=ref["users"]["kurir"], codes=[mine.code, still_at_the_counter.code])
    assert refused.value.fields["codes"] == [
        f"{still_at_the_counter.code} tidak sedang menunggu di bagian antaran: statusnya “Diterima oleh bagian layanan PT Pos”."
    ]
    assert _status(mine) == S.WITH_DELIVERY_SECTION
    assert _events(mine, still_at_the_counter) == before


def test_taking_twice_changes_nothing(ref):
    order = make_order(ref, S.WITH_DELIVERY_SECTION)
    kurir = ref["users"]["kurir"]
    courier_passports_take(actor=kurir, codes=[order.code])
    after_first = _events(order)
    again = courier_passports_take(actor=kurir, codes=[order.code, order.code])
    assert again.taken == [] and again.already == [order.code]
    assert _events(order) == after_first and _status(order) == S.OUT_FOR_DELIVERY


def test_a_courier_cannot_take_passports_on_another_couriers_run(ref):
    theirs = make_order(ref, S.WITH_DELIVERY_SECTION, courier="kurir2")
    before = _events(theirs)
    with pytest.raises(ValidationFailed) as refused:
        courier_passports_take(actor=ref["users"]["kurir"], codes=[theirs.code])
    assert refused.value.fields["codes"] == [f"{theirs.code} tidak ada di rute Anda."]
    assert _status(theirs) == S.WITH_DELIVERY_SECTION and _events(theirs) == before


def test_a_courier_of_another_office_takes_nothing_of_this_office(ref):
    order = make_order(ref, S.WITH_DELIVERY_SECTION)
    parepare = second_office_ref(ref)
    before = _events(order)
    with pytest.raises(ValidationFailed) as refused:
        courier_passports_take(actor=parepare["users"]["kurir"], codes=[order.code])
    assert refused.value.fields["codes"] == [f"{order.code} tidak ada di rute Anda."]
    assert _status(order) == S.WITH_DELIVERY_SECTION and _events(order) == before


def test_other_roles_and_an_empty_list_are_refused(ref):
    order = make_order(ref, S.WITH_DELIVERY_SECTION)
    with pytest.raises(NotAllowed):
        courier_passports_take(actor=ref["users"]["pos.layanan"], codes=[order.code])
    with pytest.raises(ValidationFailed):
        courier_passports_take(actor=ref["users"]["kurir"], codes=["  ", ""])
    assert _status(order) == S.WITH_DELIVERY_SECTION


# The page, with and without JavaScript (the no-JS path is the server's confirmation page).


def test_the_run_page_offers_the_waiting_passports_to_take(client, ref):
    waiting = make_order(ref, S.WITH_DELIVERY_SECTION)
    out = make_order(ref, S.OUT_FOR_DELIVERY)
    client.force_login(ref["users"]["kurir"])
    page = client.get("/courier/").content.decode()
    assert "Ambil paspor dari bagian antaran" in page
    assert f'name="codes" value="{waiting.code}"' in page
    assert f'name="codes" value="{out.code}"' not in page
    assert "Mengambil paspor memerlukan jaringan" in page  # shown when the phone is offline


def test_without_javascript_the_list_is_confirmed_on_a_page_of_its_own(client, ref):
    ticked = make_order(ref, S.WITH_DELIVERY_SECTION)
    typed = make_order(ref, S.WITH_DELIVERY_SECTION)
    client.force_login(ref["users"]["kurir"])
    asked = client.post("/courier/take/", {"codes": [ticked.code], "scanned": typed.code.lower()})
    assert asked.status_code == 200
    page = asked.content.decode()
    assert "Anda mengambil 2 paspor" in page and ticked.code in page and typed.code in page
    assert _status(ticked) == S.WITH_DELIVERY_SECTION  # nothing before the confirmation

    done = client.post("/courier/take/", {"codes": [ticked.code, typed.code], "confirm": "1"}, follow=True)
    assert done.redirect_chain[-1][0] == "/courier/"
    page = done.content.decode()
    assert "Anda mengambil 2 paspor dari bagian antaran." in page
    assert 'href="/courier/run-sheet.pdf"' in page
    assert _status(ticked) == _status(typed) == S.OUT_FOR_DELIVERY


def test_a_refused_code_on_the_page_is_named_and_nothing_is_taken(client, ref):
    mine = make_order(ref, S.WITH_DELIVERY_SECTION)
    theirs = make_order(ref, S.WITH_DELIVERY_SECTION, courier="kurir2")
    client.force_login(ref["users"]["kurir"])
    refused = client.post("/courier/take/", {"codes": [mine.code, theirs.code], "confirm": "1"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert f"{theirs.code} tidak ada di rute Anda." in page
    assert "Tidak ada paspor yang diambil" in page
    assert _status(mine) == S.WITH_DELIVERY_SECTION and _status(theirs) == S.WITH_DELIVERY_SECTION


# The run sheet.


def test_the_run_sheet_lists_the_passports_taken_today_with_what_a_courier_needs_only(client, ref):
    order = make_order(ref, S.WITH_DELIVERY_SECTION)
    DeliveryOrder.objects.filter(pk=order.pk).update(passport_number="X1234567")
    not_taken = make_order(ref, S.WITH_DELIVERY_SECTION)
    courier_passports_take(actor=ref["users"]["kurir"], codes=[order.code])
    client.force_login(ref["users"]["kurir"])
    response = client.get("/courier/run-sheet.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    applicant = order.application.applicant
    assert "LEMBAR JALAN KURIR" in text
    assert order.code in text and "X1234567" in text and order.area.name in text
    assert applicant.full_name in text and "7890" in text
    assert not_taken.code not in text
    # No NIK, no full phone number.
    assert applicant.nik not in text and "081234567890" not in text
    assert ref["couriers"]["kurir"].name in text and ref["couriers"]["kurir"].nippos in text
    assert "Yang menyerahkan" in text and "Yang menerima" in text
    assert ref["offices"]["pos"].name in text


def test_the_run_sheet_groups_the_passports_by_delivery_window_as_the_run_does(client, ref):
    from delivery.booking import windows
    from tests.delivery.test_delivery_windows import _with_window

    day = windows.delivery_days(ref["areas"]["makassar"])[0]
    plain, afternoon, morning, afternoon2 = (make_order(ref, S.WITH_DELIVERY_SECTION) for _ in range(4))
    _with_window(afternoon, day, 13)
    _with_window(morning, day, 8)
    _with_window(afternoon2, day, 13)
    # taken in an order of their own: the sheet follows the windows, then the order taken
    courier_passports_take(
        actor=ref["users"]["kurir"], codes=[plain.code, afternoon.code, morning.code, afternoon2.code]
    )
    client.force_login(ref["users"]["kurir"])
    text = _pdf_text(client.get("/courier/run-sheet.pdf").content)

    heading = f"Jendela waktu antar {day:%d-%m-%Y}, {{}} WITA"
    places = [
        text.index(heading.format("08.00\u201312.00") + " (1 paspor)"),
        text.index(f"1 {morning.code}"),
        text.index(heading.format("13.00\u201317.00") + " (2 paspor)"),
        text.index(f"2 {afternoon.code}"),
        text.index(f"3 {afternoon2.code}"),
        text.index("Tanpa jendela waktu antar (1 paspor)"),
        text.index(f"4 {plain.code}"),
    ]
    assert places == sorted(places)
    assert "Jumlah paspor 4" in text


def test_the_dispatcher_prints_the_run_sheet_of_a_courier_of_the_office_only(client, ref):
    order = make_order(ref, S.WITH_DELIVERY_SECTION)
    courier_passports_take(actor=ref["users"]["kurir"], codes=[order.code])
    client.force_login(ref["users"]["pos.antaran"])
    board = client.get("/courier/dispatcher/").content.decode()
    kurir = ref["couriers"]["kurir"]
    assert f"/courier/dispatcher/couriers/{kurir.pk}/run-sheet.pdf" in board
    sheet = client.get(f"/courier/dispatcher/couriers/{kurir.pk}/run-sheet.pdf")
    assert sheet.status_code == 200 and order.code in _pdf_text(sheet.content)
    other = second_office_ref(ref)["couriers"]["kurir"]
    assert client.get(f"/courier/dispatcher/couriers/{other.pk}/run-sheet.pdf").status_code == 404


# The API twin.


def test_the_api_takes_passports_and_taking_twice_changes_nothing(ref):
    order = make_order(ref, S.WITH_DELIVERY_SECTION)
    api = courier_client(ref["users"]["kurir"])
    first = api.post("/api/v1/courier/take/", {"codes": [order.code]}, format="json")
    assert first.status_code == 200
    assert first.json() == {
        "taken": [order.code],
        "already": [],
        "run_sheet_url": "/api/v1/courier/run-sheet/",
    }
    after = _events(order)
    again = api.post(
        "/api/v1/courier/take/",
        {"codes": [order.code]},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert again.status_code == 200 and again.json()["already"] == [order.code]
    assert _events(order) == after


def test_the_api_refuses_by_name_and_takes_nothing(ref):
    mine = make_order(ref, S.WITH_DELIVERY_SECTION)
    theirs = make_order(ref, S.WITH_DELIVERY_SECTION, courier="kurir2")
    api = courier_client(ref["users"]["kurir"])
    refused = api.post("/api/v1/courier/take/", {"codes": [mine.code, theirs.code]}, format="json")
    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "not_taken" and body["fields"]["codes"] == [
        f"{theirs.code} tidak ada di rute Anda."
    ]
    assert _status(mine) == S.WITH_DELIVERY_SECTION
    assert api.post("/api/v1/courier/take/", {"codes": []}, format="json").status_code == 400
    officer = courier_client(ref["users"]["pos.layanan"])
    assert officer.post("/api/v1/courier/take/", {"codes": [mine.code]}, format="json").status_code == 403


def test_the_api_run_sheet_is_a_pdf_for_the_courier_and_the_dispatcher(ref):
    order = make_order(ref, S.WITH_DELIVERY_SECTION)
    courier_passports_take(actor=ref["users"]["kurir"], codes=[order.code])
    mine = courier_client(ref["users"]["kurir"]).get("/api/v1/courier/run-sheet/")
    assert mine.status_code == 200 and mine["Content-Type"] == "application/pdf"
    assert order.code in _pdf_text(mine.content)
    assert (
        courier_client(ref["users"]["kurir"]).get("/api/v1/courier/run-sheet/?day=kemarin").status_code == 400
    )
    dispatcher = courier_client(ref["users"]["pos.antaran"])
    kurir = ref["couriers"]["kurir"]
    assert dispatcher.get(f"/api/v1/courier/run-sheet/?courier={kurir.pk}").status_code == 200
    assert dispatcher.get("/api/v1/courier/run-sheet/").json()["fields"] == {"courier": ["Wajib diisi."]}
    assert (
        courier_client(ref["users"]["kurir2"])
        .get(f"/api/v1/courier/run-sheet/?courier={kurir.pk}")
        .status_code
        == 404
    )
    assert courier_client(ref["users"]["imigrasi"]).get("/api/v1/courier/run-sheet/").status_code == 403


# Landing after login.


def _password_login(client: Client, username: str):
    from demo.seed import DEMO_PASSWORD

    return client.post("/login/", {"username": username, "password": DEMO_PASSWORD}, REMOTE_ADDR="10.0.0.8")


def test_a_courier_lands_on_the_courier_app_after_both_login_steps(ref):
    from tests.conftest import totp_code_for

    client = Client()
    after_password = _password_login(client, "kurir")
    assert after_password["Location"] == "/courier/"
    to_code = client.get("/courier/")
    assert to_code["Location"] == "/login/two-step/?next=%2Fcourier%2F"
    after_code = client.post("/login/two-step/", {"code": totp_code_for("kurir"), "next": "/courier/"})
    assert after_code["Location"] == "/courier/"
    assert client.get("/courier/").status_code == 200


def test_a_courier_without_a_page_to_return_to_still_lands_on_the_courier_app(ref):
    from tests.conftest import totp_code_for

    client = Client()
    _password_login(client, "kurir")
    assert client.post("/login/two-step/", {"code": totp_code_for("kurir")})["Location"] == "/courier/"


def test_other_roles_land_where_they_did(ref):
    client = Client()
    assert _password_login(client, "pos.layanan")["Location"] == "/"
    applicant = Client()
    assert _password_login(applicant, "pemohon")["Location"] == "/"
