"""State machines by table: one ``Transition`` per allowed step, one function that makes it.

The handoff of delivery orders has its own richer table (``delivery.handoff.transitions.MOVES``:
batches of orders, deadlines, delivery codes, notifications). Every other object with a ``status``
(disputes, complaints, online bookings, release batches, problems) states its life in a
``StateTable`` next to its services and changes state only through ``transition_make``, which:

1. finds the step in the table (an unknown step is refused with ``InvalidTransition``);
2. checks the actor's role against the step's ``roles`` (``NotAllowed``) and the object's state, as
   the caller read it (preferably locked), against the step's ``sources`` (``InvalidTransition``,
   with the step's own ``refused`` message when it has one);
3. changes the state with one conditional UPDATE, ``filter(pk=..., status=<the state read>)``. The
   state read is one of ``sources``, so this is the ``status__in=sources`` condition narrowed to
   the row as the caller saw it: of two concurrent steps from the same state exactly one finds the
   row unchanged, the other changes nothing and gets ``ConcurrentChange``; and the event's
   ``from_status`` is always the state that was replaced;
4. writes one append-only event row (``core.models.StateEvent``: step, from, to, who, role, office,
   when, payload) in the same transaction.

``state_created`` writes the first event of a new object (from "" to its first state) through a
step of the table whose only source is ``CREATED``.

Events are written from the day this module came in; state changes made before have no event rows
(the objects keep their own dates: ``closed_at``, ``acknowledged_at``, ``notified_at`` ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Generic, Protocol, TypeVar

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.exceptions import ConcurrentChange, InvalidTransition, NotAllowed
from core.models import StateEvent

if TYPE_CHECKING:
    import datetime as dt

    from django.utils.functional import _StrOrPromise as StrOrPromise

# The role of the portal itself (a Celery task, a sweep), and the "state" before an object exists.
SYSTEM: Final = ""
CREATED: Final = ""

ModelT = TypeVar("ModelT", bound=models.Model)
EventT = TypeVar("EventT", bound=StateEvent)


class Actor(Protocol):
    """Who makes a step: a user of the portal (``accounts.models.User``), read, never imported."""

    @property
    def pk(self) -> Any: ...

    @property
    def role(self) -> str: ...

    @property
    def office_id(self) -> int | None: ...


@dataclass(frozen=True, kw_only=True)
class Transition:
    """One allowed step: from which states to which, by whom, and what is said when it is refused."""

    name: str
    sources: frozenset[str]
    target: str
    # The roles that may make it (``SYSTEM`` for the portal itself); None: anyone the service let
    # through (a public link, such as an online booking's), the service having checked who.
    roles: frozenset[str] | None
    label: StrOrPromise = ""
    # Shown when the object is in none of ``sources``; None: a message naming its current state.
    refused: StrOrPromise | None = None
    refused_code: str = "invalid_transition"

    @property
    def creates(self) -> bool:
        return self.sources == frozenset({CREATED})


_TABLES: list[StateTable[Any, Any]] = []


@dataclass(frozen=True)
class StateTable(Generic[ModelT, EventT]):
    """The table of one state machine: the model whose ``status_field`` moves, the event model (with
    a foreign key ``event_field`` to it) and the steps, each name once."""

    model: type[ModelT]
    event_model: type[EventT]
    event_field: str
    transitions: tuple[Transition, ...]
    status_field: str = "status"
    by_name: Mapping[str, Transition] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name = {transition.name: transition for transition in self.transitions}
        if len(by_name) != len(self.transitions):
            raise ValueError(f"{self.model.__name__}: two steps of the same name")
        object.__setattr__(self, "by_name", by_name)
        _TABLES.append(self)

    def states(self) -> frozenset[str]:
        """Every state the table names (``CREATED`` aside)."""
        named = {state for t in self.transitions for state in (*t.sources, t.target)}
        return frozenset(named - {CREATED})

    def choices(self) -> dict[str, str]:
        """The states the model's field allows, with their labels."""
        status = self.model._meta.get_field(self.status_field)
        assert isinstance(status, models.Field)
        return {str(value): str(label) for value, label in status.flatchoices}

    def state_label(self, state: str) -> str:
        return self.choices().get(state, state)


def state_tables() -> list[StateTable[Any, Any]]:
    """Every table defined so far (for the checks of the tests)."""
    return list(_TABLES)


def _step(table: StateTable[Any, Any], name: str) -> Transition:
    transition = table.by_name.get(name)
    if transition is None:
        raise InvalidTransition(_("There is no step “%(name)s” here.") % {"name": name}, code="unknown_step")
    return transition


def _role_check(transition: Transition, role: str) -> None:
    if transition.roles is not None and role not in transition.roles:
        raise NotAllowed(_("Your role may not do this."), code="wrong_role")


def _who(actor: Actor | None, role: str | None, office_id: int | None) -> tuple[str, int | None]:
    return (
        role if role is not None else (actor.role if actor is not None else SYSTEM),
        office_id if office_id is not None else (actor.office_id if actor is not None else None),
    )


def transition_make(
    table: StateTable[ModelT, EventT],
    name: str,
    *,
    obj: ModelT,
    actor: Actor | None,
    role: str | None = None,
    office_id: int | None = None,
    at: dt.datetime | None = None,
    changes: Mapping[str, Any] | None = None,
    payload: Mapping[str, Any] | None = None,
) -> EventT:
    """Make step ``name`` of ``table`` on ``obj``: one conditional UPDATE of its state (with
    ``changes`` to other fields of the row in the same UPDATE) and one event row, in one transaction.

    ``actor`` is None for the portal itself; ``role`` and ``office_id`` default to the actor's (to
    ``SYSTEM`` and None without one). ``obj`` is updated in memory as written. Raises
    ``InvalidTransition`` (unknown step, or not from this state), ``NotAllowed`` (role) or
    ``ConcurrentChange`` (someone moved it first); nothing is written then."""
    transition = _step(table, name)
    if transition.creates:
        raise InvalidTransition(_("There is no step “%(name)s” here.") % {"name": name}, code="unknown_step")
    role, office_id = _who(actor, role, office_id)
    _role_check(transition, role)
    current = str(getattr(obj, table.status_field))
    if current not in transition.sources:
        raise InvalidTransition(
            transition.refused
            if transition.refused is not None
            else _("This cannot be done now: it is “%(state)s”.") % {"state": table.state_label(current)},
            code=transition.refused_code,
        )
    now = timezone.now()
    values: dict[str, Any] = {
        f.attname: now
        for f in table.model._meta.concrete_fields
        if isinstance(f, models.DateTimeField) and f.auto_now
    }
    values.update(changes or {})
    values[table.status_field] = transition.target
    with transaction.atomic():
        changed = table.model._default_manager.filter(pk=obj.pk, **{table.status_field: current}).update(
            **values
        )
        if changed != 1:
            raise ConcurrentChange(
                _("Someone else changed this at the same moment. Reload the page and try again.")
            )
        for attname, value in values.items():  # the row as written, without reading it back
            setattr(obj, attname, value)
        return _event_write(
            table,
            transition,
            obj=obj,
            from_status=current,
            actor=actor,
            role=role,
            office_id=office_id,
            at=at or now,
            payload=payload,
        )


def state_created(
    table: StateTable[ModelT, EventT],
    name: str,
    *,
    obj: ModelT,
    actor: Actor | None,
    role: str | None = None,
    office_id: int | None = None,
    at: dt.datetime | None = None,
    payload: Mapping[str, Any] | None = None,
) -> EventT:
    """The first event of ``obj``, just created by the caller in its transaction: step ``name`` of
    the table, whose only source is ``CREATED`` and whose target is the object's first state."""
    transition = _step(table, name)
    if not transition.creates:
        raise InvalidTransition(_("There is no step “%(name)s” here.") % {"name": name}, code="unknown_step")
    role, office_id = _who(actor, role, office_id)
    _role_check(transition, role)
    current = str(getattr(obj, table.status_field))
    if current != transition.target:
        raise InvalidTransition(
            _("This cannot be done now: it is “%(state)s”.") % {"state": table.state_label(current)},
            code=transition.refused_code,
        )
    return _event_write(
        table,
        transition,
        obj=obj,
        from_status=CREATED,
        actor=actor,
        role=role,
        office_id=office_id,
        at=at or timezone.now(),
        payload=payload,
    )


def _event_write(
    table: StateTable[ModelT, EventT],
    transition: Transition,
    *,
    obj: ModelT,
    from_status: str,
    actor: Actor | None,
    role: str,
    office_id: int | None,
    at: dt.datetime,
    payload: Mapping[str, Any] | None,
) -> EventT:
    return table.event_model._default_manager.create(
        transition=transition.name,
        from_status=from_status,
        to_status=transition.target,
        actor_id=actor.pk if actor is not None else None,
        actor_role=role,
        office_id=office_id,
        occurred_at=at,
        payload=dict(payload or {}),
        **{table.event_field: obj},
    )
