"""Step 4 manifests and step 5 batches: what is released, acknowledged, and what is refused."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from accounts.choices import Role
from core.exceptions import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from delivery.choices import DeliveryStatus as S
from delivery.counter.batches import batch_acknowledge, batch_release
from delivery.counter.documents import manifest_csv
from delivery.counter.manifest import manifest_hand_over
from delivery.models import Batch, BatchItem, BatchStatus, DeliveryEvent, Manifest
from organisations.models import Office
from tests.factories import UserFactory, make_order

pytestmark = pytest.mark.django_db


def test_a_manifest_hands_every_chosen_dossier_over_with_one_event_each(ref):
    # given two booked orders
    first, second = make_order(ref, S.BOOKED), make_order(ref, S.BOOKED)
    # when the Pos officer hands them over
    manifest = manifest_hand_over(actor=ref["users"]["pos.layanan"], order_ids=[first.pk, second.pk])
    # then both are with Imigrasi, each with one event naming the manifest
    for order in (first, second):
        order.refresh_from_db()
        assert order.status == S.DOSSIER_HANDED
        event = order.events.get(to_status=S.DOSSIER_HANDED)
        assert event.payload == {"manifest": manifest.number}
    lines = manifest_csv(manifest=manifest).splitlines()
    assert lines[0].startswith("no,kode_pelacakan,nama_pemohon")
    assert [line.split(",")[1] for line in lines[1:]] == [first.code, second.code]


def test_a_manifest_with_a_dossier_already_handed_over_changes_nothing(ref):
    booked, handed = make_order(ref, S.BOOKED), make_order(ref, S.DOSSIER_HANDED)
    with pytest.raises(InvalidTransition, match="sudah diserahkan"):
        manifest_hand_over(actor=ref["users"]["pos.layanan"], order_ids=[booked.pk, handed.pk])
    booked.refresh_from_db()
    assert booked.status == S.BOOKED
    assert not Manifest.objects.exists()


def test_release_puts_the_batch_in_handover_and_acknowledgement_receives_every_passport(ref):
    a, b = make_order(ref, S.PASSPORT_READY), make_order(ref, S.PASSPORT_READY)
    batch = batch_release(actor=ref["users"]["imigrasi"], codes=[a.code, b.code.lower()])
    assert batch.status == BatchStatus.IN_HANDOVER
    a.refresh_from_db()
    assert a.status == S.PASSPORT_READY  # nothing moves until Pos acknowledges

    batch = batch_acknowledge(actor=ref["users"]["pos.layanan"], batch_id=batch.pk).batch

    assert batch.status == BatchStatus.RECEIVED
    assert batch.acknowledged_by == ref["users"]["pos.layanan"]
    for order in (a, b):
        order.refresh_from_db()
        assert order.status == S.RECEIVED_BY_POS
        event = order.events.get(to_status=S.RECEIVED_BY_POS)
        assert event.payload == {"batch": batch.number}
        assert event.actor == ref["users"]["pos.layanan"]


def test_a_second_acknowledgement_changes_nothing_and_says_why(ref):
    order = make_order(ref, S.PASSPORT_READY)
    batch = batch_release(actor=ref["users"]["imigrasi"], codes=[order.code])
    batch_acknowledge(actor=ref["users"]["pos.layanan"], batch_id=batch.pk)
    events = DeliveryEvent.objects.count()
    with pytest.raises(InvalidTransition, match="sudah dikonfirmasi oleh Sri Wahyuni"):
        batch_acknowledge(actor=ref["users"]["pos.layanan"], batch_id=batch.pk)
    assert DeliveryEvent.objects.count() == events


def test_a_passport_already_released_cannot_go_in_a_second_batch(ref):
    order, other = make_order(ref, S.PASSPORT_READY), make_order(ref, S.PASSPORT_READY)
    first = batch_release(actor=ref["users"]["imigrasi"], codes=[order.code])
    with pytest.raises(InvalidTransition, match=f"sudah diserahkan dalam kelompok {first.number}"):
        batch_release(actor=ref["users"]["imigrasi"], codes=[other.code, order.code])
    assert Batch.objects.count() == 1
    assert not BatchItem.objects.filter(order=other).exists()


def test_a_passport_not_ready_or_unknown_is_refused(ref):
    ready, handed = make_order(ref, S.PASSPORT_READY), make_order(ref, S.DOSSIER_HANDED)
    with pytest.raises(InvalidTransition, match="belum siap diserahkan"):
        batch_release(actor=ref["users"]["imigrasi"], codes=[ready.code, handed.code])
    with pytest.raises(NotFound, match="APXXXXXXX"):
        batch_release(actor=ref["users"]["imigrasi"], codes=[ready.code, "APXXXXXXX"])
    with pytest.raises(ValidationFailed):
        batch_release(actor=ref["users"]["imigrasi"], codes=["  "])
    assert not Batch.objects.exists()


def test_an_order_not_in_the_batch_is_not_received_with_it(ref):
    inside, outside = make_order(ref, S.PASSPORT_READY), make_order(ref, S.PASSPORT_READY)
    batch = batch_release(actor=ref["users"]["imigrasi"], codes=[inside.code])
    batch_acknowledge(actor=ref["users"]["pos.layanan"], batch_id=batch.pk)
    outside.refresh_from_db()
    assert outside.status == S.PASSPORT_READY


def test_officers_of_another_office_or_role_are_refused(ref):
    order = make_order(ref, S.PASSPORT_READY)
    stranger_office = Office.objects.create(
        name="Kantor Imigrasi Lain", organisation=ref["offices"]["imigrasi"].organisation
    )
    stranger = UserFactory(role=Role.IMIGRASI_OFFICER, office=stranger_office)
    with pytest.raises(NotAllowed, match="kantor lain"):
        batch_release(actor=stranger, codes=[order.code])
    with pytest.raises(NotAllowed):
        batch_release(actor=ref["users"]["pos.layanan"], codes=[order.code])
    batch = batch_release(actor=ref["users"]["imigrasi"], codes=[order.code])
    other_pos = UserFactory(role=Role.POS_SERVICE_OFFICER, office=stranger_office)
    with pytest.raises(NotAllowed, match="kantor lain"):
        batch_acknowledge(actor=other_pos, batch_id=batch.pk)
    with pytest.raises(NotAllowed):
        batch_acknowledge(actor=ref["users"]["imigrasi"], batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.IN_HANDOVER


def test_a_released_passport_can_no_longer_be_cancelled_so_the_batch_stays_whole(ref):
    a, b = make_order(ref, S.PASSPORT_READY), make_order(ref, S.PASSPORT_READY)
    batch = batch_release(actor=ref["users"]["imigrasi"], codes=[a.code, b.code])
    from delivery.handoff.transitions import delivery_order_cancel

    with pytest.raises(InvalidTransition) as refused:
        delivery_order_cancel(order_id=b.pk, actor=b.application.applicant.user, at=timezone.now())
    assert refused.value.code == "already_released"
    batch_acknowledge(actor=ref["users"]["pos.layanan"], batch_id=batch.pk)
    for order in (a, b):
        order.refresh_from_db()
        assert order.status == S.RECEIVED_BY_POS


def test_dossier_refusal_sends_the_order_back_to_pos_with_the_missing_items(ref):
    from delivery.counter.manifest import dossier_refuse
    from delivery.models import DossierRefusal

    order = make_order(ref, S.DOSSIER_HANDED)
    with pytest.raises(ValidationFailed):
        dossier_refuse(actor=ref["users"]["imigrasi"], order_id=order.pk, missing_items=[])
    with pytest.raises(ValidationFailed):
        dossier_refuse(actor=ref["users"]["imigrasi"], order_id=order.pk, missing_items=["passport"])
    with pytest.raises(NotAllowed):
        dossier_refuse(actor=ref["users"]["pos.layanan"], order_id=order.pk, missing_items=["bpn"])

    refused = dossier_refuse(
        actor=ref["users"]["imigrasi"],
        order_id=order.pk,
        missing_items=["ktp_sim"],
        reason="buram",
        at=timezone.now() + dt.timedelta(minutes=5),
    )

    assert refused.status == S.BOOKED
    event = refused.events.get(from_status=S.DOSSIER_HANDED, to_status=S.BOOKED)
    assert event.payload["missing"] == ["ktp_sim"]
    assert "Fotokopi KTP/SIM" in event.payload["reason"] and "buram" in event.payload["reason"]
    assert DossierRefusal.objects.get(order=order).missing_items == ["ktp_sim"]
    # refusing again changes nothing
    with pytest.raises(InvalidTransition):
        dossier_refuse(actor=ref["users"]["imigrasi"], order_id=order.pk, missing_items=["bpn"])
    assert DossierRefusal.objects.count() == 1


def test_step_six_hands_every_chosen_passport_to_its_courier_at_once(ref):
    from delivery.counter.handover import delivery_section_hand_over, suggested_courier

    far = make_order(ref, S.RECEIVED_BY_POS, area="selayar")
    near = make_order(ref, S.RECEIVED_BY_POS, area="makassar")
    assert suggested_courier(far) == ref["couriers"]["kurir2"]
    assert suggested_courier(near) == ref["couriers"]["kurir"]
    count = delivery_section_hand_over(
        actor=ref["users"]["pos.layanan"],
        assignments={far.pk: ref["couriers"]["kurir2"].pk, near.pk: ref["couriers"]["kurir2"].pk},
    )
    assert count == 2
    for order in (far, near):
        order.refresh_from_db()
        assert order.status == S.WITH_DELIVERY_SECTION
        assert order.courier == ref["couriers"]["kurir2"]  # the dispatcher's change is kept
    with pytest.raises(InvalidTransition):  # the same form again
        delivery_section_hand_over(
            actor=ref["users"]["pos.layanan"], assignments={far.pk: ref["couriers"]["kurir"].pk}
        )
    far.refresh_from_db()
    assert far.courier == ref["couriers"]["kurir2"]


def test_letters_carry_the_ministry_set_for_imigrasi(ref, client, settings):
    order = make_order(ref, S.PASSPORT_READY)
    batch = batch_release(actor=ref["users"]["imigrasi"], codes=[order.code])
    client.force_login(ref["users"]["imigrasi"])

    def text(url: str) -> str:
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)

    letter = f"/counter/batches/{batch.pk}/surat-tugas.pdf"
    poa = f"/orders/{order.code}/documents/power-of-attorney.pdf"
    for url in (letter, poa):
        page = text(url)
        assert "KEMENTERIAN IMIGRASI DAN PEMASYARAKATAN RI" in page
        assert "HAK ASASI MANUSIA" not in page
    settings.IMIGRASI_MINISTRY_NAME = "KEMENTERIAN CONTOH RI"
    assert "KEMENTERIAN CONTOH RI" in text(letter)


def _letter_text(batch: Batch) -> str:
    from delivery.counter.documents import batch_letter_pdf

    pdf = PdfReader(io.BytesIO(batch_letter_pdf(batch=batch)))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)


def test_the_surat_tugas_lists_codes_and_passport_numbers_names_the_pos_officers_and_is_signed_for_the_head(
    ref,
):
    from delivery.models import DeliveryOrder

    orders = [make_order(ref, S.PASSPORT_READY) for _ in range(2)]
    for n, order in enumerate(orders):
        DeliveryOrder.objects.filter(pk=order.pk).update(passport_number=f"E765432{n}")
    pos = ref["offices"]["pos"]
    UserFactory(role=Role.POS_SERVICE_OFFICER, office=pos, first_name="Andi", last_name="Saputra")
    UserFactory(
        role=Role.POS_SERVICE_OFFICER, office=pos, first_name="Gone", last_name="Away", is_active=False
    )
    UserFactory(role=Role.POS_DISPATCHER, office=pos, first_name="Not", last_name="Counter")
    imigrasi = ref["users"]["imigrasi"]
    batch = batch_release(actor=imigrasi, codes=[o.code for o in orders])

    text = _letter_text(batch)
    for n, order in enumerate(orders):
        assert order.code in text and f"E765432{n}" in text
    assert "Sri Wahyuni" in text and "Andi Saputra" in text
    assert "Gone Away" not in text and "Not Counter" not in text
    office = batch.imigrasi_office.name
    assert f"a.n. Kepala {office}" in text
    assert f"a.n. Kepala {office} Petugas loket Imigrasi {imigrasi.get_full_name()}" in text


def test_without_pos_service_officers_the_surat_tugas_assigns_the_pos_office(ref):
    from accounts.models import User

    order = make_order(ref, S.PASSPORT_READY)
    batch = batch_release(actor=ref["users"]["imigrasi"], codes=[order.code])
    User.objects.filter(role=Role.POS_SERVICE_OFFICER).update(is_active=False)
    text = _letter_text(batch)
    assert f"menugaskan {batch.pos_office.name} untuk menerima" in text
    assert "Sri Wahyuni" not in text


def test_every_letter_prints_in_one_sans_serif_font_page_counter_included(ref):
    from delivery.counter.documents import batch_letter_pdf, power_of_attorney_pdf

    order = make_order(ref, S.PASSPORT_READY)
    batch = batch_release(actor=ref["users"]["imigrasi"], codes=[order.code])
    for pdf in (batch_letter_pdf(batch=batch), power_of_attorney_pdf(order=order)):
        reader = PdfReader(io.BytesIO(pdf))
        assert "Halaman 1 /" in reader.pages[0].extract_text()
        fonts = {
            str(font.get_object()["/BaseFont"])
            for page in reader.pages
            for font in page["/Resources"]["/Font"].values()
        }
        assert fonts and all("Sans" in name for name in fonts), fonts


def test_no_manifest_or_batch_page_ticks_anything_for_the_officer(ref, client):
    make_order(ref, S.BOOKED)
    make_order(ref, S.DOSSIER_HANDED)
    make_order(ref, S.PASSPORT_READY)
    for user, url in (
        ("pos.layanan", "/counter/manifests/new/"),
        ("imigrasi", "/counter/ready/"),
        ("imigrasi", "/counter/batches/new/"),
    ):
        client.force_login(ref["users"][user])
        page = client.get(url)
        assert page.status_code == 200
        boxes = [b for b in page.content.decode().split("<input") if 'type="checkbox"' in b]
        assert any('name="orders"' in b or 'name="codes"' in b for b in boxes), url
        assert not any(" checked" in b.split(">")[0] for b in boxes), url
