from django.core.management.base import BaseCommand
from django_otp.oath import TOTP

from portal.demo import DEMO_TOTP_KEY


class Command(BaseCommand):
    help = "Print the current two-step login code of the demo staff accounts (the demo secret only)."

    def handle(self, *args, **options):
        totp = TOTP(bytes.fromhex(DEMO_TOTP_KEY))
        self.stdout.write(f"{totp.token():06d}  (valid for about {30 - int(totp.time) % 30} more seconds)")
