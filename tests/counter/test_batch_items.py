"""Step 5 passport by passport: the Pos officer acknowledges each passport of a batch (scanned or
ticked) or reports one missing or damaged; the batch is received once none is waiting."""

import pytest

from accounts.choices import Role
from core.exceptions import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from core.models import OutboxMessage
from delivery.choices import DeliveryStatus as S
from delivery.counter.batches import ItemReport, batch_acknowledge, batch_release
from delivery.counter.selectors import batches_awaiting_acknowledgement
from delivery.models import (
    BatchEvent,
    BatchItem,
    BatchItemEvent,
    BatchItemStatus,
    BatchStatus,
    DeliveryEvent,
    LostPassportCase,
    Problem,
    ProblemKind,
)
from organisations.models import Office
from tests.factories import UserFactory, make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(ref):
    orders = [make_order(ref, S.PASSPORT_READY) for _ in range(3)]
    batch = batch_release(actor=ref["users"]["imigrasi"], codes=[o.code for o in orders])
    return batch, orders


def _status(order):
    order.refresh_from_db()
    return order.status


def test_two_acknowledged_and_one_reported_missing_then_the_batch_is_received_with_exceptions(ref, three):
    batch, (a, b, c) = three
    officer = ref["users"]["pos.layanan"]

    acts = batch_acknowledge(actor=officer, batch_id=batch.pk, codes=[a.code.lower()])

    assert acts.received == [a.code] and acts.batch.status == BatchStatus.IN_HANDOVER
    assert (_status(a), _status(b), _status(c)) == (S.RECEIVED_BY_POS, S.PASSPORT_READY, S.PASSPORT_READY)
    assert batch_awaiting_counts(officer) == [(batch.number, 3, 2)]

    # the missing one: reported, the rest of the batch goes on
    acts = batch_acknowledge(
        actor=officer,
        batch_id=batch.pk,
        codes=[],
        reports=[ItemReport(code=c.code, kind="missing", report="Tidak ada dalam map kelompok")],
    )
    case = LostPassportCase.objects.get(order=c)
    assert acts.cases == [case.number] and acts.batch.status == BatchStatus.IN_HANDOVER
    assert case.status == "reported" and case.kind == "missing"
    # the last holder is the Imigrasi officer who marked it ready
    assert case.last_holder == ref["users"]["imigrasi"] and case.last_holder_role == Role.IMIGRASI_OFFICER
    problem = Problem.objects.get(order=c, kind=ProblemKind.LOST_PASSPORT)
    assert problem.key == case.number
    assert OutboxMessage.objects.filter(task_name="delivery.tasks.notify_lost_passport").count() == 1
    assert _status(c) == S.PASSPORT_READY  # never received by Pos

    acts = batch_acknowledge(actor=officer, batch_id=batch.pk, codes=[b.code])

    assert acts.batch.status == BatchStatus.RECEIVED_WITH_EXCEPTIONS
    assert acts.batch.acknowledged_by == officer
    assert (_status(a), _status(b)) == (S.RECEIVED_BY_POS, S.RECEIVED_BY_POS)
    items = {i.order_id: i for i in BatchItem.objects.filter(batch=batch)}
    assert items[a.pk].status == BatchItemStatus.RECEIVED and items[a.pk].acted_by == officer
    assert items[c.pk].status == BatchItemStatus.REPORTED_MISSING and items[c.pk].lost_case == case
    # one event per act, with who, role, office and when
    steps = list(
        BatchItemEvent.objects.filter(item__batch=batch)
        .exclude(transition="release")
        .values_list("item__order_id", "transition", "actor", "actor_role", "office")
    )
    pos = ref["offices"]["pos"].pk
    assert sorted(steps) == sorted(
        [
            (a.pk, "receive", officer.pk, Role.POS_SERVICE_OFFICER, pos),
            (c.pk, "report_missing", officer.pk, Role.POS_SERVICE_OFFICER, pos),
            (b.pk, "receive", officer.pk, Role.POS_SERVICE_OFFICER, pos),
        ]
    )
    assert list(BatchEvent.objects.filter(batch=batch).values_list("transition", flat=True)) == [
        "release",
        "acknowledge_with_exceptions",
    ]
    assert batch_awaiting_counts(officer) == []


def batch_awaiting_counts(officer):
    return [(b.number, b.total, b.waiting) for b in batches_awaiting_acknowledgement(officer)]


def test_acknowledging_a_passport_twice_changes_nothing(ref, three):
    batch, (a, b, _c) = three
    officer = ref["users"]["pos.layanan"]
    batch_acknowledge(actor=officer, batch_id=batch.pk, codes=[a.code])
    events = DeliveryEvent.objects.count(), BatchItemEvent.objects.count()

    acts = batch_acknowledge(actor=officer, batch_id=batch.pk, codes=[a.code])

    assert (acts.received, acts.unchanged) == ([], [a.code])
    assert (DeliveryEvent.objects.count(), BatchItemEvent.objects.count()) == events
    assert a.events.filter(to_status=S.RECEIVED_BY_POS).count() == 1
    # and with another one: only the other one moves
    acts = batch_acknowledge(actor=officer, batch_id=batch.pk, codes=[a.code, b.code])
    assert (acts.received, acts.unchanged) == ([b.code], [a.code])


def test_a_code_not_in_the_batch_is_refused_by_name_and_nothing_is_written(ref, three):
    batch, (a, _b, _c) = three
    outside = make_order(ref, S.PASSPORT_READY)
    events = DeliveryEvent.objects.count(), BatchItemEvent.objects.count()

    with pytest.raises(NotFound, match=f"{outside.code} tidak ada dalam kelompok {batch.number}") as refused:
        batch_acknowledge(actor=ref["users"]["pos.layanan"], batch_id=batch.pk, codes=[a.code, outside.code])

    assert refused.value.code == "not_in_batch"
    assert (DeliveryEvent.objects.count(), BatchItemEvent.objects.count()) == events
    assert _status(a) == S.PASSPORT_READY
    with pytest.raises(ValidationFailed):  # nothing chosen
        batch_acknowledge(actor=ref["users"]["pos.layanan"], batch_id=batch.pk, codes=["  "])


def test_a_refused_report_leaves_nothing_half_written(ref, three):
    batch, (a, b, c) = three
    officer = ref["users"]["pos.layanan"]
    # a good acknowledgement and a report of a passport outside the batch: nothing of either
    outside = make_order(ref, S.PASSPORT_READY)
    with pytest.raises(NotFound):
        batch_acknowledge(
            actor=officer,
            batch_id=batch.pk,
            codes=[a.code],
            reports=[ItemReport(code=outside.code, kind="damaged", report="Sampul sobek")],
        )
    with pytest.raises(ValidationFailed):
        batch_acknowledge(
            actor=officer, batch_id=batch.pk, reports=[ItemReport(code=b.code, kind="stolen", report="x")]
        )
    with pytest.raises(ValidationFailed):
        batch_acknowledge(
            actor=officer, batch_id=batch.pk, reports=[ItemReport(code=b.code, kind="missing", report=" ")]
        )
    with pytest.raises(ValidationFailed):  # one passport both received and reported
        batch_acknowledge(
            actor=officer,
            batch_id=batch.pk,
            codes=[b.code],
            reports=[ItemReport(code=b.code, kind="missing", report="Tidak ada")],
        )
    assert not LostPassportCase.objects.exists() and not Problem.objects.exists()
    assert not OutboxMessage.objects.filter(task_name="delivery.tasks.notify_lost_passport").exists()
    assert _status(a) == S.PASSPORT_READY
    assert not BatchItem.objects.exclude(status=BatchItemStatus.IN_HANDOVER).exists()

    # a passport received cannot be reported here, a reported one cannot be received
    batch_acknowledge(actor=officer, batch_id=batch.pk, codes=[a.code])
    with pytest.raises(InvalidTransition) as received:
        batch_acknowledge(
            actor=officer, batch_id=batch.pk, reports=[ItemReport(code=a.code, kind="damaged", report="x")]
        )
    assert received.value.code == "already_received"
    batch_acknowledge(
        actor=officer, batch_id=batch.pk, reports=[ItemReport(code=c.code, kind="damaged", report="Basah")]
    )
    with pytest.raises(InvalidTransition, match="Dilaporkan rusak") as reported:
        batch_acknowledge(actor=officer, batch_id=batch.pk, codes=[b.code, c.code])
    assert reported.value.code == "already_reported"
    assert _status(b) == S.PASSPORT_READY
    assert LostPassportCase.objects.get().kind == "damaged"


def test_an_empty_acknowledgement_receives_every_passport_still_waiting(ref, three):
    batch, (a, b, c) = three
    officer = ref["users"]["pos.layanan"]
    batch_acknowledge(
        actor=officer, batch_id=batch.pk, reports=[ItemReport(code=a.code, kind="missing", report="Hilang")]
    )

    acts = batch_acknowledge(actor=officer, batch_id=batch.pk)

    assert sorted(acts.received) == sorted([b.code, c.code])
    assert acts.batch.status == BatchStatus.RECEIVED_WITH_EXCEPTIONS
    with pytest.raises(InvalidTransition) as again:
        batch_acknowledge(actor=officer, batch_id=batch.pk)
    assert again.value.code == "already_acknowledged"


def test_another_office_or_role_is_refused_and_nothing_is_written(ref, three):
    batch, (a, _b, _c) = three
    stranger_office = Office.objects.create(
        name="Kantor Pos Lain", organisation=ref["offices"]["pos"].organisation
    )
    stranger = UserFactory(role=Role.POS_SERVICE_OFFICER, office=stranger_office)
    with pytest.raises(NotAllowed, match="kantor lain"):
        batch_acknowledge(actor=stranger, batch_id=batch.pk, codes=[a.code])
    with pytest.raises(NotAllowed):
        batch_acknowledge(
            actor=stranger,
            batch_id=batch.pk,
            reports=[ItemReport(code=a.code, kind="missing", report="Tidak ada")],
        )
    for role in ("imigrasi", "pos.antaran"):
        with pytest.raises(NotAllowed):
            batch_acknowledge(actor=ref["users"][role], batch_id=batch.pk, codes=[a.code])
    assert batches_awaiting_acknowledgement(stranger).count() == 0
    assert batches_awaiting_acknowledgement(ref["users"]["imigrasi"]).count() == 0
    assert not LostPassportCase.objects.exists()
    assert not BatchItem.objects.exclude(status=BatchItemStatus.IN_HANDOVER).exists()


# The API twin: POST /api/v1/counter/batches/{id}/acknowledge/ with codes and reports.


def _api(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(user)
    return client


def test_the_api_acknowledges_codes_reports_one_and_refuses_by_name(ref, three):
    batch, (a, b, c) = three
    pos = _api(ref["users"]["pos.layanan"])
    url = f"/api/v1/counter/batches/{batch.pk}/acknowledge/"

    unknown = pos.post(url, {"codes": [a.code, "APXXXXXXX"]}, format="json")
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_in_batch"
    assert "APXXXXXXX" in unknown.json()["message"] and _status(a) == S.PASSPORT_READY
    empty = pos.post(url, {"codes": []}, format="json")
    assert empty.status_code == 400 and "codes" in empty.json()["fields"]
    bad_kind = pos.post(url, {"reports": [{"code": c.code, "kind": "stolen", "report": "x"}]}, format="json")
    assert bad_kind.status_code == 400

    done = pos.post(
        url,
        {"codes": [a.code], "reports": [{"code": c.code, "kind": "damaged", "report": "Sampul basah"}]},
        format="json",
    )
    assert done.status_code == 200, done.json()
    body = done.json()
    case = LostPassportCase.objects.get(order=c)
    assert (body["received"], body["unchanged"], body["cases"]) == ([a.code], [], [case.number])
    assert body["status"] == "in_handover"
    states = {item["code"]: (item["status"], item["lost_case"]) for item in body["items"]}
    assert states == {
        a.code: ("received", None),
        b.code: ("in_handover", None),
        c.code: ("reported_damaged", case.number),
    }
    twice = pos.post(url, {"codes": [a.code]}, format="json")
    assert twice.status_code == 200 and twice.json()["unchanged"] == [a.code]
    assert a.events.filter(to_status=S.RECEIVED_BY_POS).count() == 1

    rest = pos.post(url)  # an empty body: every passport still waiting
    assert rest.status_code == 200 and rest.json()["received"] == [b.code]
    assert rest.json()["status"] == "received_with_exceptions"
    again = pos.post(url)
    assert again.status_code == 409 and again.json()["code"] == "already_acknowledged"
    imigrasi = _api(ref["users"]["imigrasi"]).post(url, {"codes": [b.code]}, format="json")
    assert imigrasi.status_code == 403


def test_the_schema_describes_codes_reports_and_every_refusal(ref):
    import yaml

    schema = yaml.safe_load(_api(ref["users"]["admin"]).get("/api/schema/").content)
    ack = schema["paths"]["/api/v1/counter/batches/{id}/acknowledge/"]["post"]
    assert set(ack["responses"]) >= {"200", "400", "401", "403", "404", "409"}
    body = ack["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][body]["properties"]) == {"codes", "reports"}


# The page: ticked or scanned, a confirmation first, the states for both agencies.


def test_the_page_acknowledges_what_is_ticked_or_scanned_after_the_confirmation(ref, client, three):
    batch, (a, b, c) = three
    client.force_login(ref["users"]["pos.layanan"])
    url = f"/counter/batches/{batch.pk}/"

    page = client.get(url).content.decode()
    boxes = [box for box in page.split("<input") if 'name="codes"' in box]
    assert len(boxes) == 3 and not any(" checked" in box.split(">")[0] for box in boxes)

    # without the confirmation: the choice is shown back, nothing moves
    unconfirmed = client.post(url, {"action": "acknowledge", "codes": [a.code], "scan": b.code.lower()})
    assert unconfirmed.status_code == 200
    assert "2 dipilih: " + ", ".join(sorted([a.code, b.code])) in unconfirmed.content.decode()
    assert _status(a) == S.PASSPORT_READY

    wrong = client.post(url, {"action": "acknowledge", "scan": "APXXXXXXX", "confirm": "on"})
    assert f"APXXXXXXX tidak ada dalam kelompok {batch.number}" in wrong.content.decode()

    done = client.post(
        url, {"action": "acknowledge", "codes": [a.code], "scan": b.code, "confirm": "on"}, follow=True
    )
    assert (
        "Diterima oleh bagian pelayanan Pos: " + ", ".join(sorted([a.code, b.code])) in done.content.decode()
    )
    assert (_status(a), _status(b), _status(c)) == (S.RECEIVED_BY_POS, S.RECEIVED_BY_POS, S.PASSPORT_READY)

    reported = client.post(
        url,
        {
            "action": "report",
            "report-code": c.code,
            "report-kind": "missing",
            "report-report": "Tidak ada dalam map",
            "report-confirm": "on",
        },
        follow=True,
    )
    text = reported.content.decode()
    case = LostPassportCase.objects.get(order=c)
    assert f"kasus paspor hilang {case.number} dibuka" in text
    assert "Diterima oleh Pos, dengan paspor dilaporkan" in text

    # Imigrasi sees each passport's state
    client.force_login(ref["users"]["imigrasi"])
    text = client.get(url).content.decode()
    assert text.count("Dilaporkan hilang") == 1 and f"Kasus {case.number}" in text
    assert 'name="codes"' not in text


def test_the_pos_home_lists_the_batches_waiting_for_its_office(ref, client, three):
    batch, (a, _b, _c) = three
    batch_acknowledge(actor=ref["users"]["pos.layanan"], batch_id=batch.pk, codes=[a.code])
    client.force_login(ref["users"]["pos.layanan"])
    text = client.get("/counter/").content.decode()
    assert f'href="/counter/batches/{batch.pk}/">{batch.number}</a>' in text
    assert "2 dari 3 paspor menunggu" in text
    stranger_office = Office.objects.create(
        name="Kantor Pos Lain", organisation=ref["offices"]["pos"].organisation
    )
    client.force_login(UserFactory(role=Role.POS_SERVICE_OFFICER, office=stranger_office))
    text = client.get("/counter/").content.decode()
    assert batch.number not in text and "Tidak ada kelompok yang menunggu Anda." in text


def test_a_passport_reported_from_a_batch_and_found_waits_in_its_batch_again(ref, three):
    from delivery.custody.lost import lost_case_decide

    batch, (a, b, c) = three
    officer, imigrasi = ref["users"]["pos.layanan"], ref["users"]["imigrasi"]
    batch_acknowledge(
        actor=officer,
        batch_id=batch.pk,
        codes=[a.code, b.code],
        reports=[ItemReport(code=c.code, kind="missing", report="Tidak ada dalam map kelompok")],
    )
    case = LostPassportCase.objects.get(order=c)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.RECEIVED_WITH_EXCEPTIONS

    lost_case_decide(actor=imigrasi, number=case.number, decision="found", note="Terselip di meja.")

    item = BatchItem.objects.get(order=c)
    batch.refresh_from_db()
    assert item.status == BatchItemStatus.IN_HANDOVER and batch.status == BatchStatus.IN_HANDOVER
    assert batch_awaiting_counts(officer) == [(batch.number, 3, 1)]  # on the Pos home again
    assert (
        list(BatchEvent.objects.filter(batch=batch).values_list("transition", flat=True))[-1]
        == "reopen_found"
    )
    found = BatchItemEvent.objects.filter(item=item).latest("pk")
    assert (found.transition, found.actor, found.actor_role) == ("found", imigrasi, Role.IMIGRASI_OFFICER)

    # the Pos officer now acknowledges it like any passport of the batch
    acts = batch_acknowledge(actor=officer, batch_id=batch.pk, codes=[c.code])
    assert acts.received == [c.code] and acts.batch.status == BatchStatus.RECEIVED
    assert _status(c) == S.RECEIVED_BY_POS


def test_a_case_decided_found_elsewhere_leaves_batches_alone(ref):
    from delivery.custody.lost import lost_case_decide
    from tests.factories import make_lost_case

    case = make_lost_case(ref)  # reported at the Pos counter, not from a batch acknowledgement
    lost_case_decide(actor=ref["users"]["imigrasi"], number=case.number, decision="found", note="")
    assert not BatchItemEvent.objects.filter(transition="found").exists()
