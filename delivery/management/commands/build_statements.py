import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.exceptions import DomainError
from delivery.money.statements import statement_build, statements_build_day, today


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--day takes a date as YYYY-MM-DD, not {value!r}") from error


class Command(BaseCommand):
    help = (
        "Build the daily statements of --day (today, WITA) from the ledger, as the end-of-day task does: "
        "every Pos office's, or --office's only. A statement approved by either agency is kept as it is."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--day", type=_day, default=None, help="the working day (YYYY-MM-DD)")
        parser.add_argument("--office", type=int, default=None, help="only this Pos office (its number)")

    def handle(
        self, *args: Any, day: dt.date | None = None, office: int | None = None, **options: Any
    ) -> None:
        day = day or today()
        if office is not None:
            try:
                statement = statement_build(pos_office_id=office, day=day)
            except DomainError as error:
                raise CommandError(str(error.message)) from error
            self.stdout.write(f"Built statement {statement.pk} of {day}: {statement.get_status_display()}")
            return
        run = statements_build_day(day=day)
        self.stdout.write(f"{day}: {run.built} built, {run.kept} kept as approved")
