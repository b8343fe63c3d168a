"""The immigration offices of Indonesia from the repository's data file: each with its region and
the Pos branch that serves it, loaded again without doubling, the admin's edits kept."""

from __future__ import annotations

import csv

import pytest
from django.core.management import call_command

from organisations.choices import OrganisationKind
from organisations.models import Office
from organisations.offices import OFFICES_FILE, offices_load, pos_office_serving

pytestmark = pytest.mark.django_db


def test_every_office_of_the_file_is_loaded_with_its_pos_branch_and_region(ref):
    rows = list(csv.DictReader(open(OFFICES_FILE, encoding="utf-8")))
    assert len(rows) > 100 and len({row["region"] for row in rows}) >= 30

    call_command("load_offices", verbosity=0)

    imigrasi = Office.objects.filter(organisation__kind=OrganisationKind.IMIGRASI)
    assert imigrasi.count() >= len(rows)  # the file's, and the test's own
    for row in rows:
        office = Office.objects.get(name=row["imigrasi_office"])
        assert office.region == row["region"]
        branch = pos_office_serving(office.pk)
        assert branch is not None and branch.region == row["region"], row
    # Makassar is the demo's office: the file names it the same way, so it is not doubled
    makassar = Office.objects.filter(name__contains="Makassar", organisation__kind=OrganisationKind.IMIGRASI)
    assert makassar.count() == 1 and makassar.get().pk == ref["offices"]["imigrasi"].pk


def test_a_second_load_doubles_nothing_and_keeps_what_the_admin_set(ref):
    offices_load()
    jambi = Office.objects.get(name="Kantor Imigrasi Kelas I TPI Jambi")
    Office.objects.filter(pk=jambi.pk).update(phone="0741-123456", address="Jl. Gatot Subroto, Jambi")
    count = Office.objects.count()

    again = offices_load()

    assert (again.created, again.updated) == (0, 0)
    assert Office.objects.count() == count
    jambi.refresh_from_db()
    assert (jambi.phone, jambi.address) == ("0741-123456", "Jl. Gatot Subroto, Jambi")
