"""Agreements (article 7 consent, amendments, attachments, expiry reminders), evaluation meetings
(article 12) and disputes (article 14)."""

import datetime as dt

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.choices import Role
from core.exceptions import InvalidTransition, NotAllowed, ValidationFailed
from delivery.choices import DeliveryStatus as S
from delivery.courier.dispatch import delivery_order_assign_courier
from delivery.models import Courier, DeliveryOrder
from demo.partnership import partnership_demo_load
from partners import selectors, services
from partners.choices import DisputeStatus, Indicator, MeetingStatus, Party
from partners.models import (
    Agreement,
    AgreementAttachment,
    AgreementReminder,
    EvaluationMeeting,
    IndicatorScore,
)
from tests.factories import UserFactory, make_order

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def agreement(ref):
    return partnership_demo_load(today=dt.date(2026, 11, 22))


@pytest.fixture
def third_party_courier(ref):
    user = UserFactory(username="kurir.mitra", role=Role.COURIER, office=ref["offices"]["pos"])
    courier = Courier.objects.create(
        user=user, name="Kurir Mitra", nippos="995199999", office=ref["offices"]["pos"], is_third_party=True
    )
    courier.areas.set([ref["areas"]["makassar"]])
    return courier


def test_article_7_refuses_a_third_party_courier_without_written_consent(ref, agreement, third_party_courier):
    order = make_order(ref, S.WITH_DELIVERY_SECTION)

    with pytest.raises(NotAllowed) as refused:
        delivery_order_assign_courier(
            order_id=order.pk, courier=third_party_courier, actor=ref["users"]["pos.antaran"]
        )

    assert refused.value.code == "article_7_consent_missing"
    assert "Article 7" in str(refused.value.message) or "Pasal 7" in str(refused.value.message)
    assert DeliveryOrder.objects.get(pk=order.pk).courier == ref["couriers"]["kurir"]


def test_article_7_allows_it_once_a_written_consent_is_recorded(ref, agreement, third_party_courier):
    order = make_order(ref, S.WITH_DELIVERY_SECTION)
    services.transfer_consent_record(
        agreement=agreement,
        given_by=Party.IMIGRASI,
        third_party="CV Kurir Mitra",
        scope="Pengantaran paspor ke Selayar",
        letter_reference="W.23.IMI/2026/001",
        given_on=dt.date(2026, 1, 5),
        actor=ref["users"]["manajer.imigrasi"],
    )

    delivery_order_assign_courier(
        order_id=order.pk, courier=third_party_courier, actor=ref["users"]["pos.antaran"]
    )

    assert DeliveryOrder.objects.get(pk=order.pk).courier == third_party_courier


def test_an_own_courier_needs_no_consent(ref, agreement):
    order = make_order(ref, S.WITH_DELIVERY_SECTION, courier="kurir2")
    delivery_order_assign_courier(
        order_id=order.pk, courier=ref["couriers"]["kurir"], actor=ref["users"]["pos.antaran"]
    )
    assert DeliveryOrder.objects.get(pk=order.pk).courier == ref["couriers"]["kurir"]


def test_overlapping_validity_is_refused(ref, agreement):
    with pytest.raises(ValidationFailed) as refused:
        services.agreement_create(
            title="Perjanjian baru",
            signed_on=dt.date(2026, 1, 1),
            valid_from=dt.date(2026, 1, 1),
            valid_until=dt.date(2028, 12, 31),
            actor=ref["users"]["manajer.pos"],
        )
    assert "valid_from" in refused.value.fields
    assert Agreement.objects.count() == 1


def test_an_amendment_keeps_the_values_it_replaced(ref, agreement):
    services.agreement_amend(
        agreement_id=agreement.pk,
        signed_on=dt.date(2026, 6, 1),
        summary="Masa berlaku ditetapkan",
        changes={"valid_until": dt.date(2027, 12, 31)},
        actor=ref["users"]["manajer.pos"],
    )
    agreement.refresh_from_db()
    amendment = agreement.amendments.get()
    assert agreement.valid_until == dt.date(2027, 12, 31)
    assert amendment.before == {"valid_until": None}
    assert amendment.after == {"valid_until": "2027-12-31"}


def test_only_real_pdfs_are_attached(ref, agreement, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    manager = ref["users"]["manajer.pos"]
    with pytest.raises(ValidationFailed):
        services.agreement_attachment_add(
            agreement=agreement,
            title="Naskah",
            actor=manager,
            upload=SimpleUploadedFile("naskah.pdf", b"MZ not a pdf", content_type="application/pdf"),
        )
    services.agreement_attachment_add(
        agreement=agreement,
        title="Naskah",
        actor=manager,
        upload=SimpleUploadedFile("naskah.pdf", MINIMAL_PDF, content_type="application/pdf"),
    )
    assert list(AgreementAttachment.objects.values_list("title", "size")) == [("Naskah", len(MINIMAL_PDF))]


def test_the_expiry_reminder_goes_out_once_per_step(ref, agreement):
    agreement.valid_until = dt.date(2027, 1, 31)
    agreement.save()

    assert services.agreement_expiry_remind(today=dt.date(2026, 10, 1)) == 0  # 122 days left
    assert services.agreement_expiry_remind(today=dt.date(2026, 11, 5)) == 1  # 87 days left
    assert services.agreement_expiry_remind(today=dt.date(2026, 11, 6)) == 0  # same step again
    assert services.agreement_expiry_remind(today=dt.date(2027, 1, 2)) == 1  # 29 days left

    assert list(AgreementReminder.objects.order_by("pk").values_list("days_before", flat=True)) == [90, 30]
    assert len(mail.outbox) == 2
    assert "manajer.imigrasi@demo.antar-paspor.local" in mail.outbox[0].to
    assert "31-01-2027" in mail.outbox[0].subject


def test_twice_a_year_warning_with_frozen_time(ref, agreement):
    manager = ref["users"]["manajer.imigrasi"]
    kwargs = {
        "participants_imigrasi": "Kasi Lantaskim",
        "participants_pos": "Manajer layanan",
        "actor": manager,
    }
    # given: on 1 March 2026, nothing on the calendar for the year
    pace = selectors.meeting_pace(today=dt.date(2026, 3, 1))
    assert pace.warning and (pace.held, pace.planned) == (0, 0)

    # one meeting held, one planned for later in the year: the year is on track
    services.evaluation_meeting_save(
        held_on=dt.date(2026, 2, 20), status=MeetingStatus.HELD, today=dt.date(2026, 3, 1), **kwargs
    )
    services.evaluation_meeting_save(
        held_on=dt.date(2026, 9, 15), status=MeetingStatus.PLANNED, today=dt.date(2026, 3, 1), **kwargs
    )
    assert not selectors.meeting_pace(today=dt.date(2026, 3, 1)).warning

    # on 1 October the September meeting never took place: fewer than two this year
    pace = selectors.meeting_pace(today=dt.date(2026, 10, 1))
    assert pace.warning and (pace.held, pace.planned) == (1, 0)


def test_a_future_meeting_cannot_be_marked_held(ref, agreement):
    with pytest.raises(ValidationFailed) as refused:
        services.evaluation_meeting_save(
            held_on=dt.date(2026, 12, 1),
            status=MeetingStatus.HELD,
            participants_imigrasi="A",
            participants_pos="B",
            actor=ref["users"]["manajer.pos"],
            today=dt.date(2026, 11, 22),
        )
    assert "status" in refused.value.fields
    assert EvaluationMeeting.objects.count() == 1  # the demo's


def test_a_score_out_of_range_refuses_the_whole_card(ref, agreement):
    meeting = EvaluationMeeting.objects.get()
    before = list(IndicatorScore.objects.order_by("pk").values_list("score", flat=True))
    scores = {i: (4, "") for i in Indicator.values}
    scores[Indicator.FLEXIBILITY] = (6, "")
    with pytest.raises(ValidationFailed) as refused:
        services.scorecard_save(meeting=meeting, scores=scores, actor=ref["users"]["manajer.pos"])
    assert list(refused.value.fields) == [Indicator.FLEXIBILITY]
    assert list(IndicatorScore.objects.order_by("pk").values_list("score", flat=True)) == before


def test_overdue_action_items_are_listed(ref, agreement):
    overdue = selectors.overdue_action_items(today=dt.date(2026, 1, 1))
    assert [a.description for a in overdue] == ["Jadwal siaga mobil layanan setiap hari kerja 07.30"]


def test_a_dispute_goes_from_deliberation_to_consensus_to_closed(ref, agreement):
    pos, imigrasi = ref["users"]["manajer.pos"], ref["users"]["manajer.imigrasi"]
    dispute = services.dispute_open(
        agreement=agreement,
        subject="Tafsir pasal 12",
        description="Siapa menanggung biaya mobil layanan?",
        actor=pos,
    )
    assert dispute.opened_by_party == Party.POS
    with pytest.raises(InvalidTransition):
        services.dispute_close(dispute_id=dispute.pk, actor=imigrasi)
    services.dispute_add_note(dispute_id=dispute.pk, text="Musyawarah pertama", actor=imigrasi)
    services.dispute_record_consensus(
        dispute_id=dispute.pk, consensus="Masing-masing menanggung biayanya", actor=imigrasi
    )
    dispute = services.dispute_close(dispute_id=dispute.pk, actor=pos)
    assert dispute.status == DisputeStatus.CLOSED
    assert [n.text for n in dispute.notes.all()] == ["Musyawarah pertama"]
    with pytest.raises(InvalidTransition):
        services.dispute_add_note(dispute_id=dispute.pk, text="lagi", actor=pos)


def test_other_roles_may_not_open_disputes(ref, agreement):
    with pytest.raises(NotAllowed):
        services.dispute_open(agreement=agreement, subject="x", description="y", actor=ref["users"]["kurir"])
