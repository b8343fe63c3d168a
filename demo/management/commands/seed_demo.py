from django.core.management.base import BaseCommand

from complaints.models import Complaint
from complaints.services import complaint_link
from delivery.handoff.codes import delivery_code_reveal
from delivery.models import DeliveryCode
from demo.seed import DEMO_PASSWORD, DEMO_TOTP_SECRET, USERS, seed_demo


class Command(BaseCommand):
    help = "Load the Makassar demo data (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        result = seed_demo()
        self.stdout.write(f"Demo orders: {result['orders']} (newly flagged late: {result['flagged']})")
        if result.get("online"):
            self.stdout.write("Book delivery online at /book/ with a billing code and date of birth:")
        for row in result.get("online", []):
            account = f", or from the account '{row['account']}'" if row["account"] else ""
            paid = "passport fee paid" if row["paid"] else "passport fee not paid yet"
            self.stdout.write(
                f"  {row['billing_code']}  born {row['birth_date'].isoformat()}  "
                f"({row['name']}; {paid}{account})"
            )
        manage = result["manage"]
        self.stdout.write(
            "Manage a delivery without an account, as an applicant booked at the counter would:\n"
            f"  {manage['name']}'s personal link (also in the SMS in var/sms.log): {manage['link']}\n"
            "  Ask for a one-time code there; it arrives in var/sms.log and var/mail/."
        )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, _first, _last, role, _office in USERS:
            self.stdout.write(f"  {role.label:<28} {username}")
        self.stdout.write(
            "Staff accounts (all but applicant and travel agency) then ask for a two-step login code.\n"
            f"  Demo TOTP secret (every demo staff account, demo data only): {DEMO_TOTP_SECRET}\n"
            "  Add it to any authenticator app as a time-based key, or print a current code with\n"
            "  .venv/bin/python manage.py demo_totp_code"
        )
        # The applicant gets the one-time delivery code by email; the demo shows it here too so that
        # delivery by code can be tried from the courier login.

        codes = (
            DeliveryCode.objects.filter(
                order__code__startswith="APDEMO",
                used_at__isnull=True,
                order__status__in=["with_delivery_section", "out_for_delivery", "failed_attempt"],
            )
            .select_related("order__courier__user")
            .order_by("order__code")
        )
        if codes:
            self.stdout.write("Delivery codes of the couriers' runs (also mailed to the applicants):")
        for delivery_code in codes:
            order = delivery_code.order
            courier = order.courier.user.username if order.courier else "-"
            self.stdout.write(
                f"  {order.code}  {delivery_code_reveal(order_id=delivery_code.order_id)}  ({courier})"
            )

        complaints = Complaint.objects.filter(ticket__startswith="KPDEMO").order_by("ticket")
        if complaints:
            self.stdout.write("Demo complaints (the complainant's private links):")
        for complaint in complaints:
            self.stdout.write(
                f"  {complaint.ticket}  {complaint.get_status_display():<28} {complaint_link(complaint)}"
            )
