import time

from django.core.management.base import BaseCommand

from demo.seed import demo_totp_code


class Command(BaseCommand):
    help = "Print the current two-step login code of the demo staff accounts (the demo secret only)."

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(f"{demo_totp_code()}  (valid for about {30 - int(time.time()) % 30} more seconds)")
