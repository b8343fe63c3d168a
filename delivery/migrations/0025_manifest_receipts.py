"""Imigrasi acknowledges a manifest's dossiers: each row of the manifest's list of orders (the
table it always had) becomes a ``ManifestItem`` with who received or refused it and when, the
manifest gets a state ("in handover", "received by Imigrasi") and its acts an event table.

Manifests handed over before this migration: those whose dossiers all went on (none still
"dossier handed") are taken as received, with no receipt recorded for their dossiers; the others
stay in handover for Imigrasi to acknowledge."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def settled_manifests_received(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Manifest = apps.get_model("delivery", "Manifest")
    Manifest.objects.exclude(orders__status="dossier_handed").update(status="received")


class Migration(migrations.Migration):
    dependencies = [
        ("delivery", "0024_proof_method"),
        ("organisations", "0001_moved_models"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="manifest",
            name="status",
            field=models.CharField(
                choices=[("in_handover", "In handover"), ("received", "Received by Imigrasi")],
                default="in_handover",
                max_length=12,
                verbose_name="status",
            ),
        ),
        migrations.CreateModel(
            name="ManifestEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("transition", models.CharField(max_length=40, verbose_name="step")),
                ("from_status", models.CharField(blank=True, max_length=32, verbose_name="from")),
                ("to_status", models.CharField(max_length=32, verbose_name="to")),
                ("actor_role", models.CharField(blank=True, max_length=32, verbose_name="role")),
                ("occurred_at", models.DateTimeField(db_index=True, verbose_name="when")),
                ("payload", models.JSONField(blank=True, default=dict)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "manifest",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="events", to="delivery.manifest"
                    ),
                ),
                (
                    "office",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="organisations.office",
                    ),
                ),
            ],
            options={
                "verbose_name": "manifest event",
                "verbose_name_plural": "manifest events",
                "ordering": ["occurred_at", "id"],
                "abstract": False,
            },
        ),
        # The list of orders keeps its table: the model is declared over it, nothing is moved.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ManifestItem",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "manifest",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="items",
                                to="delivery.manifest",
                            ),
                        ),
                        (
                            "order",
                            models.ForeignKey(
                                db_column="deliveryorder_id",
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="manifest_items",
                                to="delivery.deliveryorder",
                            ),
                        ),
                    ],
                    options={"db_table": "delivery_manifest_orders", "ordering": ["pk"]},
                ),
                migrations.AlterUniqueTogether(name="manifestitem", unique_together={("manifest", "order")}),
                migrations.AlterField(
                    model_name="manifest",
                    name="orders",
                    field=models.ManyToManyField(
                        related_name="manifests", through="delivery.ManifestItem", to="delivery.deliveryorder"
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="manifestitem",
            name="received_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="received at"),
        ),
        migrations.AddField(
            model_name="manifestitem",
            name="received_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="manifestitem",
            name="refused_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="refused at"),
        ),
        migrations.AddField(
            model_name="manifestitem",
            name="refused_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="manifestitem",
            constraint=models.CheckConstraint(
                condition=models.Q(("received_at__isnull", True), ("refused_at__isnull", True), _connector="OR"),
                name="manifest_item_received_or_refused",
            ),
        ),
        migrations.RunPython(settled_manifests_received, migrations.RunPython.noop),
]
