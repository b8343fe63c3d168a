"""Whose figures the dashboard shows: one Imigrasi office (with the Pos office serving it), the
offices of one region, or all of Indonesia (the default). The figures are aggregates of the two
agencies' partnership, which every reader of the dashboard sees nationally; the figures' own
filters take the scope's set of Imigrasi office ids (None: every office). A manager's own office
is offered first after the nation."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.exceptions import ValidationFailed
from organisations.choices import OrganisationKind
from organisations.models import Office

NATIONAL = "national"


@dataclass(frozen=True)
class Scope:
    key: str  # "national", "region:<name>" or "office:<id>": the dashboard's `scope` parameter
    label: str
    offices: frozenset[int] | None  # Imigrasi office ids; None: every office

    @property
    def kind(self) -> str:
        return self.key.partition(":")[0]


def own_office(user: User) -> Office | None:
    """The Imigrasi office whose figures are the user's own."""
    office = user.office
    if office is None:
        return None
    if office.kind == OrganisationKind.POS:
        return office.serves
    return office if office.kind == OrganisationKind.IMIGRASI else None


def _imigrasi() -> list[Office]:
    return list(
        Office.objects.filter(organisation__kind=OrganisationKind.IMIGRASI).order_by("region", "name")
    )


def scopes_for(user: User) -> list[Scope]:
    """The scopes ``user`` may choose: the nation, their own office, every region, every office."""
    offices = _imigrasi()
    regions = sorted({office.region for office in offices if office.region})
    own = own_office(user)
    ordered = ([own] if own is not None else []) + [o for o in offices if own is None or o.pk != own.pk]
    return [
        Scope(NATIONAL, str(_("All of Indonesia")), None),
        *(Scope(f"office:{o.pk}", o.name, frozenset({o.pk})) for o in ordered[:1] if own is not None),
        *(
            Scope(
                f"region:{region}",
                str(_("Region %(region)s") % {"region": region}),
                frozenset(o.pk for o in offices if o.region == region),
            )
            for region in regions
        ),
        *(Scope(f"office:{o.pk}", o.name, frozenset({o.pk})) for o in ordered[1 if own is not None else 0 :]),
    ]


def scope_resolve(user: User, key: str = "", allowed: list[Scope] | None = None) -> Scope:
    """The scope ``key`` (empty: all of Indonesia); an unknown one is refused (400). ``allowed``: the user's
    scopes when the caller has read them already."""
    allowed = allowed if allowed is not None else scopes_for(user)
    if not key:
        return allowed[0]
    for scope in allowed:
        if scope.key == key:
            return scope
    message = _("Choose all of Indonesia, a region or an office from the list.")
    raise ValidationFailed(message, code="unknown_scope", fields={"scope": [message]})
