"""The ledger of a database that had payments before it: one row per confirmed state payment (by its
NTPN) and per delivery fee receipt, at their own times, so every rupiah already taken is in it."""

from zoneinfo import ZoneInfo

from django.db import migrations

WITA = ZoneInfo("Asia/Makassar")


def rows_from_receipts(apps, schema_editor):
    Movement = apps.get_model("ledger", "Movement")
    Payment = apps.get_model("passports", "Payment")
    DeliveryFeePayment = apps.get_model("delivery", "DeliveryFeePayment")
    have_state = set(Movement.objects.filter(kind="state_fee").values_list("billing_code_id", flat=True))
    have_fee = set(Movement.objects.filter(kind="delivery_fee").values_list("order_id", flat=True))
    rows = []
    for payment in Payment.objects.select_related("billing_code__application").iterator(chunk_size=2000):
        if payment.billing_code_id in have_state:
            continue
        rows.append(
            Movement(
                kind="state_fee",
                revenue="state",
                amount=payment.amount,
                billing_code_id=payment.billing_code_id,
                office_id=payment.billing_code.application.office_id,
                channel="bank" if payment.payment_point == "bank" else "pos_counter",
                reference=payment.ntpn,
                occurred_at=payment.paid_at,
                business_day=payment.paid_at.astimezone(WITA).date(),
            )
        )
    for fee in DeliveryFeePayment.objects.select_related("order").iterator(chunk_size=2000):
        if fee.order_id in have_fee:
            continue
        rows.append(
            Movement(
                kind="delivery_fee",
                revenue="pos",
                amount=fee.amount,
                order_id=fee.order_id,
                office_id=fee.order.pos_office_id,
                channel="pos_counter" if fee.received_by_id else "online",
                reference=fee.receipt_number,
                actor_id=fee.received_by_id,
                occurred_at=fee.received_at,
                business_day=fee.received_at.astimezone(WITA).date(),
            )
        )
    Movement.objects.bulk_create(rows, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0001_ledger"),
        ("delivery", "0029_refund_rules"),
    ]

    operations = [migrations.RunPython(rows_from_receipts, migrations.RunPython.noop)]
