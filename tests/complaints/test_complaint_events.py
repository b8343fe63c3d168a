"""Every step of a complaint writes one event row (who, role, office, from, to); a refused step writes
none; of two staff closing the same complaint at once only one wins."""

import pytest

from accounts.choices import Role
from complaints import services as svc
from complaints.choices import ComplaintStatus
from complaints.models import Complaint, ComplaintEvent
from core.exceptions import ConcurrentChange, InvalidTransition, NotAllowed
from core.states import transition_make
from tests.factories import make_applicant_user

pytestmark = pytest.mark.django_db


def steps(complaint):
    return list(
        ComplaintEvent.objects.filter(complaint=complaint)
        .order_by("pk")
        .values_list("transition", "from_status", "to_status", "actor__username", "actor_role", "office_id")
    )


def file(**extra):
    return svc.complaint_open(
        client="192.0.2.1",
        category="late",
        text="Paspor saya belum sampai.",
        contact_phone="081234567890",
        **extra,
    ).complaint


def test_filing_answering_and_closing_each_write_one_event(ref):
    complaint = file()
    pos_office = ref["offices"]["pos"].pk
    service, manager = ref["users"]["pos.layanan"], ref["users"]["manajer.pos"]
    svc.complaint_reply_by_staff(complaint_id=complaint.pk, actor=service, text="Kurir kami antar besok.")
    svc.complaint_reply_by_staff(complaint_id=complaint.pk, actor=manager, text="Mohon maaf.")  # no step
    svc.complaint_close(complaint_id=complaint.pk, actor=manager)

    assert steps(complaint) == [
        ("file", "", "open", None, Role.APPLICANT, None),  # anyone, without an account
        ("answer", "open", "answered", "pos.layanan", Role.POS_SERVICE_OFFICER, pos_office),
        ("close", "answered", "closed", "manajer.pos", Role.AGENCY_MANAGER, pos_office),
    ]


def test_a_complaint_filed_from_an_account_names_its_author(ref):
    user = make_applicant_user()
    complaint = file(filed_by=user)
    assert steps(complaint) == [("file", "", "open", user.username, Role.APPLICANT, None)]


def test_a_refused_step_writes_nothing(ref):
    complaint = file()
    with pytest.raises(NotAllowed):
        svc.complaint_close(complaint_id=complaint.pk, actor=ref["users"]["imigrasi"])  # another agency
    svc.complaint_close(complaint_id=complaint.pk, actor=ref["users"]["pos.antaran"])
    with pytest.raises(InvalidTransition, match="Pengaduan ini sudah ditutup."):
        svc.complaint_close(complaint_id=complaint.pk, actor=ref["users"]["pos.layanan"])
    with pytest.raises(InvalidTransition):
        svc.complaint_reply_by_staff(
            complaint_id=complaint.pk, actor=ref["users"]["pos.layanan"], text="Lagi ya."
        )
    assert [step[:3] for step in steps(complaint)] == [("file", "", "open"), ("close", "open", "closed")]


def test_of_two_staff_closing_at_once_only_one_wins(ref):
    complaint = file()
    first, second = Complaint.objects.get(pk=complaint.pk), Complaint.objects.get(pk=complaint.pk)
    transition_make(svc.COMPLAINT_STATES, "close", obj=first, actor=ref["users"]["pos.layanan"])
    with pytest.raises(ConcurrentChange):
        transition_make(svc.COMPLAINT_STATES, "close", obj=second, actor=ref["users"]["manajer.pos"])
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.CLOSED
    assert [step[0] for step in steps(complaint)] == ["file", "close"]


def test_a_complaint_without_a_first_response_puts_a_problem_on_the_queue_with_its_first_event(ref):
    import datetime as dt

    from delivery.models import ProblemEvent

    complaint = file()
    assert svc.complaint_problems_sweep(now=complaint.first_response_due_at + dt.timedelta(minutes=1)) == 1
    event = ProblemEvent.objects.get(problem__complaint=complaint)
    assert (event.transition, event.from_status, event.to_status, event.actor, event.actor_role) == (
        "flag",
        "",
        "flagged",
        None,
        "",
    )
