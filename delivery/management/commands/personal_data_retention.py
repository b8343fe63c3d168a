from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from delivery.privacy.services import personal_data_retention_run


class Command(BaseCommand):
    help = "Anonymise applicants whose orders all closed more than PERSONAL_DATA_RETENTION_DAYS ago."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="override PERSONAL_DATA_RETENTION_DAYS")

    def handle(self, *args: Any, days: int | None = None, **options: Any) -> None:
        count = personal_data_retention_run(days=days)
        self.stdout.write(f"Applicants anonymised: {count}")
