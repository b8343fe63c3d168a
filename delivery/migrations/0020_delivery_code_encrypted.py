"""Delivery codes kept encrypted with the personal-data keys instead of derived from SECRET_KEY.

Each open code is recomputed once from the old HMAC(SECRET_KEY, nonce) and stored encrypted, so the
code already mailed to the applicant keeps working; those codes have no check digit
(``check_digit`` stays empty). The nonce and the salted hash the courier's phone used are dropped.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.db import migrations, models

from core.crypto import personal_encrypt


def _old_code(order_id: int, nonce: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"delivery-code:{order_id}:{nonce}".encode(), hashlib.sha256
    ).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10**6:06d}"


def encrypt_open_codes(apps: Any, schema_editor: Any) -> None:
    DeliveryCode = apps.get_model("delivery", "DeliveryCode")
    for row in DeliveryCode.objects.filter(used_at__isnull=True).only("pk", "order_id", "nonce").iterator():
        DeliveryCode.objects.filter(pk=row.pk).update(
            code_encrypted=personal_encrypt(_old_code(row.order_id, row.nonce)), check_digit=""
        )


class Migration(migrations.Migration):
    dependencies = [("delivery", "0019_passport_number")]

    operations = [
        migrations.AddField(
            model_name="deliverycode",
            name="code_encrypted",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.AddField(
            model_name="deliverycode",
            name="check_digit",
            field=models.CharField(blank=True, default="", max_length=8),
        ),
        migrations.RunPython(encrypt_open_codes, migrations.RunPython.noop, elidable=False),
        # Defaults only so that migrating back can add the old columns to existing rows (empty:
        # codes issued after this migration cannot be made into the old kind).
        migrations.AlterField(
            model_name="deliverycode", name="code_hash", field=models.CharField(max_length=64, default="")
        ),
        migrations.AlterField(
            model_name="deliverycode", name="iterations", field=models.PositiveIntegerField(default=0)
        ),
        migrations.AlterField(
            model_name="deliverycode", name="salt", field=models.CharField(max_length=32, default="")
        ),
        migrations.AlterField(
            model_name="deliverycode", name="nonce", field=models.CharField(max_length=32, default="")
        ),
        migrations.RemoveField(model_name="deliverycode", name="code_hash"),
        migrations.RemoveField(model_name="deliverycode", name="iterations"),
        migrations.RemoveField(model_name="deliverycode", name="salt"),
        migrations.RemoveField(model_name="deliverycode", name="nonce"),
        migrations.AlterField(
            model_name="problem",
            name="kind",
            field=models.CharField(
                choices=[
                    ("late", "Deadline breached"),
                    ("failed_attempt", "Failed delivery attempt"),
                    ("stalled", "No movement"),
                    ("complaint_unanswered", "Complaint without a first response in 24 hours"),
                    ("code_locked", "Delivery code locked after wrong codes"),
                    ("code_refused", "Wrong delivery code refused by the server"),
                ],
                max_length=20,
                verbose_name="kind",
            ),
        ),
    ]
