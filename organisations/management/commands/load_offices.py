"""``manage.py load_offices [--file offices.csv]``: the immigration offices of Indonesia and their Pos
branches, from the file in the repository (or another with the same columns)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from organisations.offices import OFFICES_FILE, offices_load


class Command(BaseCommand):
    help = "Load the immigration offices and the Pos branches serving them (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--file", type=Path, default=OFFICES_FILE, help="region,imigrasi_office,city,pos_office"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        loaded = offices_load(options["file"])
        self.stdout.write(f"Offices: {loaded.created} new, {loaded.updated} updated.")
