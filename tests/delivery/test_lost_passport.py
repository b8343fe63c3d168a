"""A passport lost or damaged in transit: reported by whoever handles it, on both agencies' problems
queue, the police report attached, decided by Imigrasi, the applicant told at every step."""

import io
import json
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from core.exceptions import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from core.models import OutboxMessage
from delivery.choices import DeliveryStatus as S
from delivery.custody import lost
from delivery.models import (
    DeliveryEvent,
    LostPassportCase,
    LostPassportEvent,
    LostPassportStatus,
    Problem,
    ProblemKind,
)
from tests.factories import make_order, second_office_ref

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def sms_log(settings, tmp_path):
    settings.SMS_BACKEND = "delivery.notifications.sms.LogFileSmsBackend"
    settings.SMS_LOG_FILE = str(tmp_path / "sms.log")
    return Path(settings.SMS_LOG_FILE)


def _sms(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _notify_all() -> None:
    """What the worker does with the outbox rows of the lost passport notices."""
    for message in OutboxMessage.objects.filter(task_name="delivery.tasks.notify_lost_passport"):
        lost.lost_case_applicant_notify(event_id=message.args[0])


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "PNG")
    return out.getvalue()


def test_a_missing_passport_from_report_to_reissue(ref, sms_log):
    users = ref["users"]
    order = make_order(ref, S.RECEIVED_BY_POS)
    received = order.events.get(to_status=S.RECEIVED_BY_POS)

    case = lost.lost_case_open(
        actor=users["pos.layanan"],
        order_code=order.code.lower(),
        kind="missing",
        report="Tidak ada di lemari",
    )

    assert case.status == LostPassportStatus.REPORTED and case.number.startswith("KHL-")
    # who had it last comes from the order's events
    assert (case.last_holder, case.last_holder_role, case.last_holder_office, case.last_moved_at) == (
        users["pos.layanan"],
        "pos_service_officer",
        ref["offices"]["pos"],
        received.occurred_at,
    )
    problem = Problem.objects.get(order=order, kind=ProblemKind.LOST_PASSPORT)
    assert problem.key == case.number
    with pytest.raises(InvalidTransition) as again:
        lost.lost_case_open(actor=users["imigrasi"], order_code=order.code, kind="missing", report="x")
    assert again.value.code == "case_open"

    with pytest.raises(InvalidTransition) as early:
        lost.lost_case_decide(actor=users["imigrasi"], number=case.number, decision="reissue", note="Diganti")
    assert early.value.code == "police_report_missing"

    lost.lost_case_police_report(
        actor=users["pos.layanan"],
        number=case.number,
        report_number="LP/123/XII/2026/Polrestabes",
        upload=SimpleUploadedFile("laporan.pdf", PDF),
    )
    case.refresh_from_db()
    assert case.status == LostPassportStatus.POLICE_REPORT and case.police_report.read() == PDF

    with pytest.raises(NotAllowed):
        lost.lost_case_decide(actor=users["pos.layanan"], number=case.number, decision="reissue", note="x")
    with pytest.raises(ValidationFailed):
        lost.lost_case_decide(actor=users["imigrasi"], number=case.number, decision="reissue", note=" ")
    lost.lost_case_decide(
        actor=users["imigrasi"],
        number=case.number,
        decision="reissue",
        note="Datang ke kantor untuk foto ulang.",
    )

    case.refresh_from_db()
    order.refresh_from_db()
    assert case.status == LostPassportStatus.REISSUED and case.decided_at is not None
    assert order.status == S.CANCELLED
    cancelled = order.events.get(to_status=S.CANCELLED)
    assert (cancelled.actor, cancelled.payload) == (users["imigrasi"], {"reason": "lost_in_transit"})
    steps = list(
        LostPassportEvent.objects.filter(case=case).values_list("transition", "actor_role", "office")
    )
    assert steps == [
        ("report", "pos_service_officer", ref["offices"]["pos"].pk),
        ("police_report", "pos_service_officer", ref["offices"]["pos"].pk),
        ("reissue", "imigrasi_officer", ref["offices"]["imigrasi"].pk),
    ]

    # the applicant is told at every step, once, by mail and by one-part SMS
    mail.outbox.clear()
    _notify_all()
    _notify_all()  # a redelivered task sends nothing twice
    assert len(mail.outbox) == 3
    assert all(case.number in m.subject for m in mail.outbox)
    assert "Datang ke kantor untuk foto ulang." in mail.outbox[2].body
    texts = [row["text"] for row in _sms(sms_log)]
    assert len(texts) == 3 and all(len(text) <= 160 for text in texts)
    assert texts[0].startswith(f"antar-paspor {order.code}: ")


def test_a_passport_found_goes_on_its_way(ref):
    order = make_order(ref, S.OUT_FOR_DELIVERY)
    courier = order.courier.user
    case = lost.lost_case_open(
        actor=courier, order_code=order.code, kind="damaged", report="Basah kena hujan"
    )
    assert case.last_holder == courier

    lost.lost_case_decide(actor=ref["users"]["imigrasi"], number=case.number, decision="found", note="")

    case.refresh_from_db()
    order.refresh_from_db()
    assert case.status == LostPassportStatus.FOUND and order.status == S.OUT_FOR_DELIVERY
    with pytest.raises(InvalidTransition) as decided:
        lost.lost_case_decide(actor=ref["users"]["imigrasi"], number=case.number, decision="found", note="")
    assert decided.value.code == "case_decided"
    # a new case may be opened once the earlier one is decided
    assert lost.lost_case_open(
        actor=courier, order_code=order.code, kind="missing", report="Hilang lagi"
    ).is_open


def test_who_may_report_and_what_is_refused_leaves_nothing_written(ref):
    users = ref["users"]
    on_run = make_order(ref, S.OUT_FOR_DELIVERY)
    other_courier = ref["couriers"]["kurir2"].user
    with pytest.raises(NotFound):  # another courier's run is not theirs to see
        lost.lost_case_open(actor=other_courier, order_code=on_run.code, kind="missing", report="x")
    with pytest.raises(NotAllowed):
        lost.lost_case_open(
            actor=on_run.application.applicant.user, order_code=on_run.code, kind="missing", report="x"
        )
    delivered = make_order(ref, S.DELIVERED)
    with pytest.raises(InvalidTransition) as closed:
        lost.lost_case_open(actor=users["pos.layanan"], order_code=delivered.code, kind="missing", report="x")
    assert closed.value.code == "order_closed"
    with pytest.raises(ValidationFailed):
        lost.lost_case_open(actor=users["pos.layanan"], order_code=on_run.code, kind="burnt", report="x")
    with pytest.raises(ValidationFailed):
        lost.lost_case_open(actor=users["pos.layanan"], order_code=on_run.code, kind="missing", report="  ")
    stranger = second_office_ref(ref)["users"]["pos.layanan"]
    with pytest.raises(NotFound):
        lost.lost_case_open(actor=stranger, order_code=on_run.code, kind="missing", report="x")
    assert not LostPassportCase.objects.exists() and not Problem.objects.exists()

    case = lost.lost_case_open(actor=users["pos.layanan"], order_code=on_run.code, kind="missing", report="x")
    for upload in (SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a report"), None):
        with pytest.raises(ValidationFailed):
            lost.lost_case_police_report(
                actor=users["pos.layanan"], number=case.number, report_number="LP/1", upload=upload
            )
    with pytest.raises(ValidationFailed):
        lost.lost_case_police_report(
            actor=users["pos.layanan"],
            number=case.number,
            report_number=" ",
            upload=SimpleUploadedFile("a.pdf", PDF),
        )
    case.refresh_from_db()
    assert case.status == LostPassportStatus.REPORTED and not case.police_report
    # a photo of the report is taken as well as a PDF
    lost.lost_case_police_report(
        actor=users["pos.layanan"],
        number=case.number,
        report_number="LP/1",
        upload=SimpleUploadedFile("a", _png()),
    )
    case.refresh_from_db()
    assert case.police_report.name.endswith(".png")
    assert DeliveryEvent.objects.filter(order=on_run, to_status=S.CANCELLED).count() == 0


def test_the_api_reports_attaches_and_decides_with_json_errors(ref):
    users = ref["users"]
    order = make_order(ref, S.WITH_DELIVERY_SECTION)
    pos, imigrasi = Client(), Client()
    pos.force_login(users["pos.layanan"])
    imigrasi.force_login(users["imigrasi"])

    bad = pos.post(
        f"/api/v1/orders/{order.code}/lost-cases/", {"kind": "burnt"}, content_type="application/json"
    )
    assert bad.status_code == 400 and set(bad.json()["fields"]) == {"kind", "report"}
    opened = pos.post(
        f"/api/v1/orders/{order.code}/lost-cases/",
        {"kind": "missing", "report": "Tidak ada di rak antaran"},
        content_type="application/json",
    )
    assert opened.status_code == 201
    number = opened.json()["number"]
    assert (
        opened.json()["last_holder_role"] == "pos_service_officer"
        and opened.json()["steps"][0]["transition"] == "report"
    )

    import base64

    not_base64 = pos.post(
        f"/api/v1/lost-cases/{number}/police-report/",
        {"police_report_number": "LP/9", "police_report": "%%%"},
        content_type="application/json",
    )
    assert not_base64.status_code == 400 and "police_report" in not_base64.json()["fields"]
    attached = pos.post(
        f"/api/v1/lost-cases/{number}/police-report/",
        {
            "police_report_number": "LP/9",
            "police_report": "data:application/pdf;base64," + base64.b64encode(PDF).decode(),
        },
        content_type="application/json",
    )
    assert attached.status_code == 200 and attached.json()["police_report_attached"] is True

    refused = pos.post(
        f"/api/v1/lost-cases/{number}/decision/", {"decision": "found"}, content_type="application/json"
    )
    assert refused.status_code == 403 and refused.json()["code"] == "wrong_role"
    decided = imigrasi.post(
        f"/api/v1/lost-cases/{number}/decision/",
        {"decision": "reissue", "note": "Paspor baru diterbitkan"},
        content_type="application/json",
    )
    assert decided.status_code == 200 and decided.json()["status"] == "reissued"
    again = imigrasi.post(
        f"/api/v1/lost-cases/{number}/decision/", {"decision": "found"}, content_type="application/json"
    )
    assert again.status_code == 409 and again.json()["code"] == "case_decided"

    listed = imigrasi.get("/api/v1/lost-cases/").json()
    assert [row["number"] for row in listed] == [number]
    stranger = Client()
    stranger.force_login(second_office_ref(ref)["users"]["imigrasi"])
    assert stranger.get(f"/api/v1/lost-cases/{number}/").status_code == 404
    assert stranger.get("/api/v1/lost-cases/").json() == []


def test_the_pages_report_and_decide_and_the_list_shows_the_age(ref):
    users = ref["users"]
    order = make_order(ref, S.RECEIVED_BY_POS)
    pos = Client()
    pos.force_login(users["pos.layanan"])

    page = pos.get(f"/orders/{order.code}/").content.decode()
    assert f"/orders/{order.code}/lost/" in page
    form = pos.get(f"/orders/{order.code}/lost/")
    assert "Laporkan paspor hilang atau rusak" in form.content.decode()
    unconfirmed = pos.post(
        f"/orders/{order.code}/lost/", {"action": "open", "kind": "missing", "report": "Tidak ada"}
    )
    assert unconfirmed.status_code == 200 and not LostPassportCase.objects.exists()
    done = pos.post(
        f"/orders/{order.code}/lost/",
        {"action": "open", "kind": "missing", "report": "Tidak ada", "confirm": "on"},
    )
    assert done.status_code == 302
    case = LostPassportCase.objects.get(order=order)
    upload = pos.post(
        f"/orders/{order.code}/lost/",
        {
            "action": "police_report",
            "police_report_number": "LP/77",
            "police_report": SimpleUploadedFile("lp.pdf", PDF),
        },
    )
    assert upload.status_code == 302
    report = pos.get(f"/custody/lost/{case.number}/police-report")
    assert report.status_code == 200 and b"".join(report.streaming_content) == PDF

    imigrasi = Client()
    imigrasi.force_login(users["imigrasi"])
    listed = imigrasi.get("/custody/lost/").content.decode()
    assert case.number in listed and order.code in listed
    decided = imigrasi.post(
        f"/orders/{order.code}/lost/",
        {"action": "decide", "decision": "reissue", "note": "Silakan ke kantor", "confirm": "on"},
    )
    assert decided.status_code == 302
    order.refresh_from_db()
    assert order.status == S.CANCELLED
    assert "Dibatalkan dan diterbitkan ulang" in imigrasi.get(f"/orders/{order.code}/lost/").content.decode()
    # the applicant reaches none of it
    applicant = Client()
    applicant.force_login(order.application.applicant.user)
    assert applicant.get(f"/orders/{order.code}/lost/").status_code == 302
