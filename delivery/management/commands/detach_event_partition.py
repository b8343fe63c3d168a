import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from delivery.handoff.partitions import PartitionRefused, event_partition_detach, month_bounds


def _month(value: str) -> dt.date:
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError as error:
        raise CommandError(f"the month is written YYYY-MM, not {value!r}") from error


class Command(BaseCommand):
    help = (
        "Detach one closed month of the delivery events (YYYY-MM) from the event table, for the archive "
        "(PostgreSQL): the oldest attached month first, never the current or a future one, and only when "
        "every order with an event in it has ended and has no event in a later month. Prints how to dump "
        "the detached table."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("month", type=_month, help="the month to detach, YYYY-MM")

    def handle(self, *args: Any, month: dt.date, **options: Any) -> None:
        try:
            done = event_partition_detach(month=month)
        except PartitionRefused as refused:
            raise CommandError(f"Not detached: {refused.message}") from refused
        start, end = month_bounds(done.month)
        database = connection.settings_dict["NAME"]
        self.stdout.write(
            f"Detached {done.table}: {done.events} events of {done.month:%Y-%m} are out of the live table.\n"
            f"It still refuses UPDATE and DELETE. Keep it in the archive, then drop it:\n"
            f"  pg_dump --format=custom --table=public.{done.table} --file={done.table}.dump {database}\n"
            f"  pg_restore --list {done.table}.dump   # check the dump reads back\n"
            f"  psql {database} -c 'DROP TABLE {done.table}'\n"
            f"{done.notifications} notifications, {done.proofs} proofs of delivery and {done.personal_details} "
            "personal details still name these events by id; they stay in the live tables.\n"
            f"To bring the month back: pg_restore --dbname={database} {done.table}.dump, then\n"
            f"  ALTER TABLE delivery_deliveryevent ATTACH PARTITION {done.table} "
            f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}');"
        )
