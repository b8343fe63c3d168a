"""The 24-hour first response: a complaint without one goes on the problems queue once, its office's
managers are told once, and an answer in time keeps it off. Times are set, not waited for."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from complaints import services as svc
from delivery.handoff.deadlines import WITA
from delivery.models import Problem, ProblemKind
from delivery.problems.selectors import problems_visible_to
from delivery.problems.services import deadline_sweep, problem_notify

pytestmark = pytest.mark.django_db
FILED = dt.datetime(2026, 11, 20, 22, 15, tzinfo=WITA)  # a Friday night: complaints come at any hour


def test_no_first_response_in_24_hours_goes_on_the_problems_queue_once(ref, client):
    complaint = svc.complaint_open(
        client="192.0.2.1",
        category="passport_data",
        text="Tanggal lahir salah.",
        contact_phone="081234567890",
        now=FILED,
    ).complaint

    assert deadline_sweep(now=FILED + dt.timedelta(hours=23, minutes=59)) == 0
    deadline_sweep(now=FILED + dt.timedelta(hours=24, minutes=1))
    deadline_sweep(now=FILED + dt.timedelta(hours=30))

    problem = Problem.objects.get(complaint=complaint)
    assert problem.kind == ProblemKind.COMPLAINT_UNANSWERED and problem.order is None
    assert problem.responsible_office == ref["offices"]["imigrasi"]
    assert list(problems_visible_to(ref["users"]["manajer.imigrasi"])) == [problem]
    assert list(problems_visible_to(ref["users"]["manajer.pos"])) == []

    mail.outbox.clear()
    assert problem_notify(problem_id=problem.pk) == "sent"
    assert problem_notify(problem_id=problem.pk) == "already_notified"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [ref["users"]["manajer.imigrasi"].email]
    assert complaint.ticket in mail.outbox[0].subject

    client.force_login(ref["users"]["manajer.imigrasi"])
    page = client.get(reverse("problems")).content.decode()
    assert complaint.ticket in page
    queue = client.get(reverse("complaint-queue")).content.decode()
    assert "1 pengaduan belum mendapat tanggapan pertama selama 24 jam." in queue
    api = client.get(reverse("api-problems")).json()
    assert api[0]["complaint"] == complaint.ticket and api[0]["order"] is None


def test_a_first_response_in_time_keeps_the_complaint_off_the_queue(ref):
    complaint = svc.complaint_open(
        client="192.0.2.1", category="late", text="Belum sampai.", contact_phone="081234567890", now=FILED
    ).complaint
    svc.complaint_reply_by_staff(
        complaint_id=complaint.pk,
        actor=ref["users"]["pos.antaran"],
        text="Kami antar besok.",
        now=FILED + dt.timedelta(hours=23),
    )

    deadline_sweep(now=FILED + dt.timedelta(hours=48))

    assert not Problem.objects.filter(complaint=complaint).exists()


def test_the_demo_has_complaints_one_overdue_and_stays_idempotent(db, capsys):
    from django.core.management import call_command

    from complaints.models import Complaint

    call_command("seed_demo")
    call_command("seed_demo")
    out = capsys.readouterr().out
    demo = Complaint.objects.filter(ticket__startswith="KPDEMO")
    assert demo.count() == 3
    assert set(demo.values_list("status", flat=True)) == {"open", "answered", "closed"}
    assert list(
        Problem.objects.filter(kind=ProblemKind.COMPLAINT_UNANSWERED).values_list(
            "complaint__ticket", flat=True
        )
    ) == ["KPDEMO0002"]
    assert "/complaints/t/KPDEMO0001/" in out
