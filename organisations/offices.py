"""Offices of both agencies and which Pos office serves which Imigrasi office."""

from __future__ import annotations

from organisations.choices import OrganisationKind
from organisations.models import Office


def pos_office_serving(imigrasi_office_id: int | None) -> Office | None:
    """The Pos office that books and delivers for the applicants of this Imigrasi office."""
    if imigrasi_office_id is None:
        return None
    return (
        Office.objects.filter(organisation__kind=OrganisationKind.POS, serves_id=imigrasi_office_id)
        .order_by("pk")
        .first()
    )
