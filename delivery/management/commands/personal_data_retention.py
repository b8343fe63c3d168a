from django.core.management.base import BaseCommand

from delivery.privacy.services import personal_data_retention_run


class Command(BaseCommand):
    help = "Anonymise applicants whose orders all closed more than PERSONAL_DATA_RETENTION_DAYS ago."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="override PERSONAL_DATA_RETENTION_DAYS")

    def handle(self, *args, days=None, **options):
        count = personal_data_retention_run(days=days)
        self.stdout.write(f"Applicants anonymised: {count}")
