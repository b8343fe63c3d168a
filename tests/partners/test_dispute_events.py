"""Every step of a dispute writes one event row (who, role, office, from, to); a refused step writes
none; of two managers settling the same dispute at once only one wins."""

import datetime as dt

import pytest

from accounts.choices import Role
from core.exceptions import ConcurrentChange, InvalidTransition
from core.states import transition_make
from partners import services
from partners.choices import DisputeStatus
from partners.models import Agreement, Dispute, DisputeEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispute(ref):
    agreement = Agreement.objects.create(
        title="Perjanjian kerja sama", signed_on=dt.date(2026, 1, 5), valid_from=dt.date(2026, 1, 5)
    )
    return services.dispute_open(
        agreement=agreement,
        subject="Tafsir pasal 12",
        description="Siapa menanggung biaya mobil layanan?",
        actor=ref["users"]["manajer.pos"],
    )


def steps(dispute):
    return list(
        DisputeEvent.objects.filter(dispute=dispute)
        .order_by("pk")
        .values_list("transition", "from_status", "to_status", "actor__username", "actor_role", "office_id")
    )


def test_each_step_writes_one_event_with_who_role_office_from_and_to(ref, dispute):
    pos, imigrasi = ref["users"]["manajer.pos"], ref["users"]["manajer.imigrasi"]
    services.dispute_add_note(dispute_id=dispute.pk, text="Musyawarah pertama", actor=imigrasi)
    services.dispute_add_note(dispute_id=dispute.pk, text="Musyawarah kedua", actor=pos)  # no step
    services.dispute_record_consensus(dispute_id=dispute.pk, consensus="Dibagi dua", actor=imigrasi)
    services.dispute_close(dispute_id=dispute.pk, actor=pos)

    manager = Role.AGENCY_MANAGER
    assert steps(dispute) == [
        ("open", "", "open", "manajer.pos", manager, ref["offices"]["pos"].pk),
        ("deliberate", "open", "deliberation", "manajer.imigrasi", manager, ref["offices"]["imigrasi"].pk),
        (
            "record_consensus",
            "deliberation",
            "consensus",
            "manajer.imigrasi",
            manager,
            ref["offices"]["imigrasi"].pk,
        ),
        ("close", "consensus", "closed", "manajer.pos", manager, ref["offices"]["pos"].pk),
    ]


def test_a_refused_step_says_why_and_writes_nothing(ref, dispute):
    with pytest.raises(InvalidTransition, match="Perselisihan baru dapat ditutup setelah mufakat dicatat"):
        services.dispute_close(dispute_id=dispute.pk, actor=ref["users"]["manajer.pos"])
    services.dispute_record_consensus(
        dispute_id=dispute.pk, consensus="Dibagi dua", actor=ref["users"]["admin"]
    )
    with pytest.raises(InvalidTransition, match="Mufakat sudah dicatat"):
        services.dispute_record_consensus(
            dispute_id=dispute.pk, consensus="Lain", actor=ref["users"]["admin"]
        )
    dispute.refresh_from_db()
    assert (dispute.status, dispute.consensus) == (DisputeStatus.CONSENSUS, "Dibagi dua")
    assert [step[0] for step in steps(dispute)] == ["open", "record_consensus"]
    assert steps(dispute)[1][4:] == (Role.ADMINISTRATOR, None)  # an administrator has no office


def test_of_two_managers_settling_at_once_only_one_wins(ref, dispute):
    # both read the dispute "open" before either wrote
    first, second = Dispute.objects.get(pk=dispute.pk), Dispute.objects.get(pk=dispute.pk)
    transition_make(
        services.DISPUTE_STATES,
        "record_consensus",
        obj=first,
        actor=ref["users"]["manajer.pos"],
        changes={"consensus": "Versi Pos"},
    )
    with pytest.raises(ConcurrentChange):
        transition_make(
            services.DISPUTE_STATES,
            "record_consensus",
            obj=second,
            actor=ref["users"]["manajer.imigrasi"],
            changes={"consensus": "Versi Imigrasi"},
        )
    dispute.refresh_from_db()
    assert dispute.consensus == "Versi Pos"
    assert [step[0] for step in steps(dispute)] == ["open", "record_consensus"]
