"""Offices of both agencies and which Pos office serves which Imigrasi office."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from organisations.choices import OrganisationKind
from organisations.models import Office, Organisation


def pos_office_serving(imigrasi_office_id: int | None) -> Office | None:
    """The Pos office that books and delivers for the applicants of this Imigrasi office."""
    if imigrasi_office_id is None:
        return None
    return (
        Office.objects.filter(organisation__kind=OrganisationKind.POS, serves_id=imigrasi_office_id)
        .order_by("pk")
        .first()
    )


# The immigration offices of Indonesia, each with its region and the PT Pos branch that serves it.
OFFICES_FILE = Path(__file__).resolve().parent / "data" / "offices.csv"
IMIGRASI_ORGANISATION = "Direktorat Jenderal Imigrasi"
POS_ORGANISATION = "PT Pos Indonesia (Persero)"


@dataclass(frozen=True)
class OfficesLoaded:
    created: int
    updated: int


def offices_load(path: Path | None = None) -> OfficesLoaded:
    """Every immigration office of the file and the Pos branch serving it (by name; a second load
    changes only what the file changed: region and which office a branch serves). Addresses,
    phones and mail set in the admin are kept."""
    with open(path or OFFICES_FILE, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    created = updated = 0
    with transaction.atomic():
        imigrasi, _ = Organisation.objects.get_or_create(
            name=IMIGRASI_ORGANISATION, defaults={"kind": OrganisationKind.IMIGRASI}
        )
        pos, _ = Organisation.objects.get_or_create(
            name=POS_ORGANISATION, defaults={"kind": OrganisationKind.POS}
        )
        for row in rows:
            region = row["region"].strip()
            office, made = Office.objects.get_or_create(
                name=row["imigrasi_office"].strip(), defaults={"organisation": imigrasi, "region": region}
            )
            if not made and office.region != region:
                Office.objects.filter(pk=office.pk).update(region=region)
                updated += 1
            branch, branch_made = Office.objects.get_or_create(
                name=row["pos_office"].strip(),
                defaults={"organisation": pos, "region": region, "serves": office},
            )
            if not branch_made and (branch.region, branch.serves_id) != (region, office.pk):
                Office.objects.filter(pk=branch.pk).update(region=region, serves=office)
                updated += 1
            created += made + branch_made
    return OfficesLoaded(created=created, updated=updated)
