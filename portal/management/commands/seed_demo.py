from django.core.management.base import BaseCommand

from portal.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, USERS, seed_demo


class Command(BaseCommand):
    help = "Load the Makassar demo data (idempotent)."

    def handle(self, *args, **options):
        result = seed_demo()
        self.stdout.write(f"Demo orders: {result['orders']} (newly flagged late: {result['flagged']})")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, first, last, role, _office in USERS:
            self.stdout.write(f"  {role.label:<28} {username}")
        self.stdout.write(
            "Staff accounts (all but applicant and travel agency) then ask for a two-step login code.\n"
            f"  Demo TOTP secret (every demo staff account, demo data only): {DEMO_TOTP_SECRET}\n"
            "  Add it to any authenticator app as a time-based key, or print a current code with\n"
            "  .venv/bin/python manage.py demo_totp_code"
        )
        # The applicant gets the one-time delivery code by email; the demo shows it here too so that
        # delivery by code can be tried from the courier login.
        from delivery.models import DeliveryCode
        from delivery.proof import delivery_code_reveal

        codes = DeliveryCode.objects.filter(
            order__code__startswith="APDEMO", used_at__isnull=True,
            order__status__in=["with_delivery_section", "out_for_delivery", "failed_attempt"],
        ).select_related("order__courier__user").order_by("order__code")
        if codes:
            self.stdout.write("Delivery codes of the couriers' runs (also mailed to the applicants):")
        for row in codes:
            courier = row.order.courier.user.username if row.order.courier else "-"
            self.stdout.write(f"  {row.order.code}  {delivery_code_reveal(order_id=row.order_id)}  ({courier})")
