import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from delivery.handoff.history import events_chain_verify


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--day takes a date as YYYY-MM-DD, not {value!r}") from error


class Command(BaseCommand):
    help = (
        "Recompute the chain of hashes over every order's delivery events (or the orders with an event "
        "on --day) and report the first break; also checks that the database still refuses changes to "
        "the event table. Exits with status 1 when something is wrong."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--day", type=_day, default=None, help="only orders with an event on this day (YYYY-MM-DD)"
        )

    def handle(self, *args: Any, day: dt.date | None = None, **options: Any) -> None:
        report = events_chain_verify(day=day)
        self.stdout.write(f"Orders checked: {report.orders}, events checked: {report.events}")
        if not report.triggers_present:
            self.stderr.write(
                "The database no longer refuses UPDATE and DELETE on delivery_deliveryevent: its triggers "
                "are missing or disabled (migration delivery.0017 creates them)."
            )
        if report.first_break is not None:
            self.stderr.write(f"First break: {report.first_break}")
        if not report.intact:
            raise SystemExit(1)
        self.stdout.write("Every chain is intact.")
