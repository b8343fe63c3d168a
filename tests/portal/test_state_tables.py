"""The state machines by table (``core.states``): every table names only its model's states, and the
one function that moves refuses an unknown step, a wrong role and a wrong state, writing nothing."""

import datetime as dt

import pytest

from complaints.services import COMPLAINT_STATES
from core.exceptions import InvalidTransition, NotAllowed
from core.states import StateTable, Transition, state_tables, transition_make
from delivery.booking.online import ONLINE_BOOKING_STATES
from delivery.counter.batches import BATCH_ITEM_STATES, BATCH_STATES
from delivery.counter.manifest import MANIFEST_STATES
from delivery.custody.lost import LOST_PASSPORT_STATES
from delivery.problems.services import PROBLEM_STATES
from partners.models import Agreement, Dispute, DisputeEvent
from partners.services import DISPUTE_STATES

TABLES = [
    DISPUTE_STATES,
    COMPLAINT_STATES,
    ONLINE_BOOKING_STATES,
    BATCH_STATES,
    BATCH_ITEM_STATES,
    MANIFEST_STATES,
    LOST_PASSPORT_STATES,
    PROBLEM_STATES,
]


def test_the_five_machines_have_a_table():
    assert {table.model.__name__ for table in state_tables()} >= {
        "Dispute",
        "Complaint",
        "OnlineBooking",
        "Batch",
        "Problem",
        "Manifest",
        "LostPassportCase",
    }


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.model.__name__)
def test_every_table_names_only_states_of_its_model(table):
    assert table.states() <= set(table.choices()), table.states() - set(table.choices())
    # and the model's first state is the target of exactly one step from nothing
    default = table.model._meta.get_field(table.status_field).default
    assert [t.target for t in table.transitions if t.creates] == [default]


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.model.__name__)
def test_every_event_model_points_to_its_model_and_an_office(table):
    fk = table.event_model._meta.get_field(table.event_field)
    assert fk.related_model is table.model
    assert table.event_model._meta.get_field("office").related_model._meta.label == "organisations.Office"


def test_a_table_refuses_two_steps_of_the_same_name():
    step = Transition(name="close", sources=frozenset({"open"}), target="closed", roles=None)
    with pytest.raises(ValueError):
        StateTable(model=Dispute, event_model=DisputeEvent, event_field="dispute", transitions=(step, step))


@pytest.fixture
def dispute(ref):
    agreement = Agreement.objects.create(
        title="PKS", signed_on=dt.date(2026, 1, 5), valid_from=dt.date(2026, 1, 5)
    )
    return Dispute.objects.create(
        agreement=agreement, opened_by_party="pos", subject="Tafsir", description="Biaya mobil layanan"
    )


@pytest.mark.django_db
def test_an_unknown_step_a_creation_step_and_a_wrong_role_are_refused_and_nothing_is_written(ref, dispute):
    manager = ref["users"]["manajer.pos"]
    with pytest.raises(InvalidTransition, match="Tidak ada langkah “vanish” di sini."):
        transition_make(DISPUTE_STATES, "vanish", obj=dispute, actor=manager)
    with pytest.raises(InvalidTransition):
        transition_make(DISPUTE_STATES, "open", obj=dispute, actor=manager)
    with pytest.raises(NotAllowed, match="Peran Anda tidak dapat melakukan ini."):
        transition_make(DISPUTE_STATES, "deliberate", obj=dispute, actor=ref["users"]["kurir"])
    with pytest.raises(NotAllowed):
        transition_make(DISPUTE_STATES, "deliberate", obj=dispute, actor=None)  # not the portal's step
    dispute.refresh_from_db()
    assert dispute.status == "open"
    assert not DisputeEvent.objects.exists()


@pytest.mark.django_db
def test_a_step_from_a_state_it_does_not_leave_names_the_state(ref, dispute):
    transition_make(DISPUTE_STATES, "deliberate", obj=dispute, actor=ref["users"]["manajer.pos"])
    with pytest.raises(
        InvalidTransition, match="Ini tidak dapat dilakukan sekarang: statusnya “Dalam musyawarah”."
    ):
        transition_make(DISPUTE_STATES, "deliberate", obj=dispute, actor=ref["users"]["manajer.pos"])
    assert DisputeEvent.objects.count() == 1


@pytest.mark.django_db
def test_the_update_changes_the_other_fields_and_updated_at_in_the_same_row(ref, dispute):
    before = dispute.updated_at
    at = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    event = transition_make(
        DISPUTE_STATES,
        "record_consensus",
        obj=dispute,
        actor=ref["users"]["manajer.imigrasi"],
        at=at,
        changes={"consensus": "Dibagi dua"},
        payload={"note": 1},
    )
    stored = Dispute.objects.get(pk=dispute.pk)
    assert (stored.status, stored.consensus) == ("consensus", "Dibagi dua")
    assert stored.updated_at > before and dispute.updated_at == stored.updated_at
    assert (event.transition, event.occurred_at, event.payload) == ("record_consensus", at, {"note": 1})
