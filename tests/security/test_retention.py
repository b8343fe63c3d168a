"""Closed orders lose their personal data after the retention period; the dashboard keeps its figures."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from delivery.choices import DeliveryStatus as S
from delivery.handoff.history import events_chain_verify
from delivery.models import DeliveryEvent, DeliveryEventPersonal, DeliveryOrder, ProofOfDelivery
from partners import selectors
from passports.models import Applicant
from tests.factories import make_order

pytestmark = pytest.mark.django_db(transaction=True)


def _figures():
    today = timezone.localdate()
    board = selectors.dashboard(
        period=selectors.Period(start=dt.date(today.year - 2, 1, 1), end=dt.date(today.year, today.month, 1))
    )
    return repr(dataclasses.asdict(board)) if dataclasses.is_dataclass(board) else repr(board)


def test_retention_anonymises_old_closed_orders_and_keeps_the_figures(
    tx_ref, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = settings.VAR_DIR / "media-retention"
    long_ago = timezone.now() - dt.timedelta(days=400)
    old = make_order(tx_ref, S.DELIVERED, at=long_ago)
    cancelled = make_order(tx_ref, S.CANCELLED, at=long_ago)
    recent = make_order(tx_ref, S.DELIVERED)
    still_open = make_order(tx_ref, S.OUT_FOR_DELIVERY, at=long_ago)
    DeliveryOrder.objects.filter(pk__in=[old.pk, cancelled.pk, still_open.pk]).update(
        status_changed_at=long_ago
    )
    delivered = DeliveryEvent.objects.get(order=old, to_status=S.DELIVERED)
    DeliveryEventPersonal.objects.create(
        event=delivered, location="-5.14,119.43", details={"receiver_name": "Andi Wijaya", "relation": "adik"}
    )
    history_before = list(DeliveryEvent.objects.filter(order=old).values())
    proof = ProofOfDelivery(
        order=old,
        event=delivered,
        receiver_kind="stand_in",
        receiver_name="Andi Wijaya",
        relation="adik",
        id_last_four="0001",
    )
    proof.signature.save("sig.png", ContentFile(b"\x89PNG fake"), save=False)
    proof.save()
    signature_path = proof.signature.path
    old_nik = old.application.applicant.nik
    before = _figures()

    call_command("personal_data_retention")

    after = _figures()
    assert after == before
    gone = Applicant.objects.get(pk=old.application.applicant_id)
    assert gone.anonymised_at and gone.nik == "" and gone.phone == "" and gone.email == ""
    assert gone.full_name != old.application.applicant.full_name and gone.address == ""
    assert not Applicant.objects.filter(nik=old_nik).exists()
    old.refresh_from_db()
    assert old.address == "" and old.recipient_phone == "" and old.status == S.DELIVERED
    proof.refresh_from_db()
    assert proof.receiver_name == "" and not proof.signature
    import os

    assert not os.path.exists(signature_path)
    # What was personal about the events is gone; the events themselves are as written.
    assert DeliveryEventPersonal.objects.get(event=delivered).details == {}
    assert DeliveryEventPersonal.objects.get(event=delivered).location == ""
    assert list(DeliveryEvent.objects.filter(order=old).values()) == history_before
    assert events_chain_verify().intact
    assert Applicant.objects.get(pk=cancelled.application.applicant_id).anonymised_at
    for kept in (recent, still_open):
        applicant = Applicant.objects.get(pk=kept.application.applicant_id)
        assert applicant.anonymised_at is None and applicant.nik

    assert DeliveryEvent.objects.filter(order=old).count() > 0  # the timeline stays
    # A second run finds nothing more to do.
    from delivery.privacy.services import personal_data_retention_run

    assert personal_data_retention_run() == 0
