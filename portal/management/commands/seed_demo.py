from django.core.management.base import BaseCommand

from portal.demo import DEMO_PASSWORD, USERS, seed_demo


class Command(BaseCommand):
    help = "Load the Makassar demo data (idempotent)."

    def handle(self, *args, **options):
        result = seed_demo()
        self.stdout.write(f"Demo orders: {result['orders']} (newly flagged late: {result['flagged']})")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, first, last, role, _office in USERS:
            self.stdout.write(f"  {role.label:<28} {username}")
