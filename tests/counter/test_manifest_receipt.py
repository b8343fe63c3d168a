"""Step 4 signed on both sides: Imigrasi acknowledges a manifest's dossiers one by one (or refuses
one); until then they are "in handover" on both sides."""

import io

import pytest
from pypdf import PdfReader

from core.exceptions import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from delivery.choices import DeliveryStatus as S
from delivery.counter.documents import manifest_pdf
from delivery.counter.manifest import dossier_refuse, manifest_acknowledge, manifest_hand_over
from delivery.counter.selectors import manifests_in_handover
from delivery.models import Manifest, ManifestEvent, ManifestItem, ManifestStatus
from tests.factories import make_order, second_office_ref

pytestmark = pytest.mark.django_db


@pytest.fixture
def handed(ref):
    orders = [make_order(ref, S.BOOKED) for _ in range(3)]
    manifest = manifest_hand_over(actor=ref["users"]["pos.layanan"], order_ids=[o.pk for o in orders])
    return manifest, orders


def test_hand_over_puts_the_manifest_in_handover_with_one_event(ref, handed):
    manifest, orders = handed
    assert manifest.status == ManifestStatus.IN_HANDOVER
    event = ManifestEvent.objects.get(manifest=manifest)
    assert (event.transition, event.from_status, event.to_status) == ("hand_over", "", "in_handover")
    assert event.actor == ref["users"]["pos.layanan"] and event.office_id == ref["offices"]["pos"].pk
    listed = manifests_in_handover(ref["users"]["imigrasi"]).get()
    assert (listed.waiting_count, listed.dossier_count) == (3, 3)


def test_partial_acknowledgement_then_the_rest_receives_the_manifest(ref, handed):
    manifest, (a, b, c) = handed
    imigrasi = ref["users"]["imigrasi"]
    received = manifest_acknowledge(actor=imigrasi, manifest_id=manifest.pk, codes=[a.code.lower(), b.code])
    assert [item.order_id for item in received] == [a.pk, b.pk]
    manifest.refresh_from_db()
    assert manifest.status == ManifestStatus.IN_HANDOVER
    item = ManifestItem.objects.get(manifest=manifest, order=a)
    assert item.received_by == imigrasi and item.received_at is not None
    assert manifests_in_handover(ref["users"]["pos.layanan"]).get().waiting_count == 1

    manifest_acknowledge(actor=imigrasi, manifest_id=manifest.pk, codes=[c.code])
    manifest.refresh_from_db()
    assert manifest.status == ManifestStatus.RECEIVED
    assert not manifests_in_handover(imigrasi).exists()
    steps = list(ManifestEvent.objects.filter(manifest=manifest).values_list("transition", "actor_role"))
    assert steps == [
        ("hand_over", "pos_service_officer"),
        ("acknowledge", "imigrasi_officer"),
        ("acknowledge_last", "imigrasi_officer"),
    ]
    # the PDF names who received the dossiers at Imigrasi
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(manifest_pdf(manifest=manifest))).pages
    )
    assert "Yang menerima (Imigrasi)" in text and imigrasi.get_full_name() in text


def test_acknowledging_twice_changes_nothing(ref, handed):
    manifest, (a, _b, _c) = handed
    imigrasi = ref["users"]["imigrasi"]
    manifest_acknowledge(actor=imigrasi, manifest_id=manifest.pk, codes=[a.code])
    first = ManifestItem.objects.get(order=a).received_at
    assert manifest_acknowledge(actor=imigrasi, manifest_id=manifest.pk, codes=[a.code]) == []
    assert ManifestItem.objects.get(order=a).received_at == first
    assert ManifestEvent.objects.filter(manifest=manifest).count() == 2


def test_a_code_not_on_the_manifest_is_refused_by_name_and_nothing_is_written(ref, handed):
    manifest, (a, _b, _c) = handed
    stranger = make_order(ref, S.BOOKED)
    with pytest.raises(NotFound, match=stranger.code):
        manifest_acknowledge(
            actor=ref["users"]["imigrasi"], manifest_id=manifest.pk, codes=[a.code, stranger.code]
        )
    assert not ManifestItem.objects.filter(received_at__isnull=False).exists()
    assert ManifestEvent.objects.filter(manifest=manifest).count() == 1
    with pytest.raises(ValidationFailed):
        manifest_acknowledge(actor=ref["users"]["imigrasi"], manifest_id=manifest.pk, codes=[" "])


def test_a_refused_dossier_is_marked_and_cannot_be_acknowledged_and_the_last_refusal_settles(ref, handed):
    manifest, (a, b, c) = handed
    imigrasi = ref["users"]["imigrasi"]
    manifest_acknowledge(actor=imigrasi, manifest_id=manifest.pk, codes=[a.code, b.code])
    dossier_refuse(actor=imigrasi, order_id=c.pk, missing_items=["bpn"], reason="Tidak ada")
    c.refresh_from_db()
    assert c.status == S.BOOKED
    item = ManifestItem.objects.get(manifest=manifest, order=c)
    assert item.refused_by == imigrasi and item.received_at is None
    manifest.refresh_from_db()
    assert manifest.status == ManifestStatus.RECEIVED
    assert ManifestEvent.objects.filter(manifest=manifest).last().transition == "refuse_last_dossier"
    with pytest.raises(InvalidTransition, match=c.code):
        manifest_acknowledge(actor=imigrasi, manifest_id=manifest.pk, codes=[c.code])
    pdf = manifest_pdf(manifest=manifest)
    with open("/tmp/manifest-receipt.pdf", "wb") as out:  # kept to be looked at as a picture
        out.write(pdf)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "DITOLAK" in text and "1 berkas ditolak" in text


def test_a_received_dossier_can_no_longer_be_refused_and_nothing_is_half_written(ref, handed):
    manifest, (a, _b, _c) = handed
    imigrasi = ref["users"]["imigrasi"]
    manifest_acknowledge(actor=imigrasi, manifest_id=manifest.pk, codes=[a.code])
    with pytest.raises(InvalidTransition, match="tidak dapat ditolak lagi"):
        dossier_refuse(actor=imigrasi, order_id=a.pk, missing_items=["bpn"])
    a.refresh_from_db()
    assert a.status == S.DOSSIER_HANDED
    assert not a.dossier_refusals.exists()
    assert not a.events.filter(to_status=S.BOOKED).exclude(from_status="").exists()
    assert ManifestEvent.objects.filter(manifest=manifest).count() == 2


def test_pos_and_another_imigrasi_office_cannot_acknowledge(ref, handed):
    manifest, (a, _b, _c) = handed
    other = second_office_ref(ref)
    with pytest.raises(NotAllowed):
        manifest_acknowledge(actor=ref["users"]["pos.layanan"], manifest_id=manifest.pk, codes=[a.code])
    with pytest.raises(NotAllowed):
        manifest_acknowledge(actor=other["users"]["imigrasi"], manifest_id=manifest.pk, codes=[a.code])
    assert not manifests_in_handover(other["users"]["imigrasi"]).exists()
    assert not ManifestItem.objects.filter(received_at__isnull=False).exists()
    with pytest.raises(NotFound):
        manifest_acknowledge(actor=ref["users"]["imigrasi"], manifest_id=0, codes=[a.code])


def test_a_dossier_handed_again_after_a_refusal_goes_on_its_new_manifest(ref, handed):
    manifest, (a, _b, _c) = handed
    imigrasi = ref["users"]["imigrasi"]
    dossier_refuse(actor=imigrasi, order_id=a.pk, missing_items=["ktp_sim"])
    again = manifest_hand_over(actor=ref["users"]["pos.layanan"], order_ids=[a.pk])
    manifest_acknowledge(actor=imigrasi, manifest_id=again.pk, codes=[a.code])
    assert ManifestItem.objects.get(manifest=again, order=a).received_at is not None
    assert ManifestItem.objects.get(manifest=manifest, order=a).refused_at is not None
    assert Manifest.objects.get(pk=again.pk).status == ManifestStatus.RECEIVED
