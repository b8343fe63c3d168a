"""Delivery events that cannot be rewritten quietly (``delivery.handoff.history``).

1. What is personal about an event (the courier's position, who received, the courier's note)
   moves to ``DeliveryEventPersonal``; the event keeps the office where the move was made.
2. Every existing event gets its chain hash, order by order in the order the rows were written.
3. Triggers make the database refuse UPDATE and DELETE on the event table, on PostgreSQL and
   SQLite. A later migration that rebuilds this table on SQLite (SQLite alters a table by copying
   it) must create the SQLite triggers again; ``manage.py verify_event_chains`` reports them missing.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


PERSONAL_KEYS = ("receiver_name", "relation", "note")
TRIGGERS = ("delivery_event_no_update", "delivery_event_no_delete")


def personal_apart_and_chains(apps, schema_editor):
    from delivery.handoff.history import event_digest

    DeliveryEvent = apps.get_model("delivery", "DeliveryEvent")
    DeliveryEventPersonal = apps.get_model("delivery", "DeliveryEventPersonal")
    Office = apps.get_model("organisations", "Office")
    office_names = dict(Office.objects.values_list("pk", "name"))
    previous_order, previous = None, ""
    personal_rows = []
    for event in DeliveryEvent.objects.order_by("order_id", "pk").iterator(chunk_size=2000):
        office_name = office_names.get(event.office_id, "")
        personal = {key: event.payload[key] for key in PERSONAL_KEYS if event.payload.get(key)}
        courier_location = event.location if event.location != office_name else ""
        if personal or courier_location:
            personal_rows.append(
                DeliveryEventPersonal(event_id=event.pk, location=courier_location, details=personal)
            )
        event.payload = {key: value for key, value in event.payload.items() if key not in PERSONAL_KEYS}
        event.location = office_name
        if event.order_id != previous_order:
            previous_order, previous = event.order_id, ""
        event.chain_hash = event_digest(event, previous)
        previous = event.chain_hash
        DeliveryEvent.objects.filter(pk=event.pk).update(
            payload=event.payload, location=event.location, chain_hash=event.chain_hash
        )
    DeliveryEventPersonal.objects.bulk_create(personal_rows, batch_size=2000)


def personal_back(apps, schema_editor):
    DeliveryEvent = apps.get_model("delivery", "DeliveryEvent")
    for personal in apps.get_model("delivery", "DeliveryEventPersonal").objects.select_related("event"):
        event = personal.event
        DeliveryEvent.objects.filter(pk=event.pk).update(
            payload={**event.payload, **personal.details}, location=personal.location or event.location
        )


def triggers_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            """
            CREATE OR REPLACE FUNCTION delivery_event_refuse_change() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'delivery events are append-only: % refused', TG_OP
                    USING HINT = 'A correction is a new event.';
            END
            $$
            """,
            params=None,  # the '%' above is PL/pgSQL's, not a query parameter
        )
        for name, operation in zip(TRIGGERS, ("UPDATE", "DELETE"), strict=True):
            schema_editor.execute(
                f"CREATE TRIGGER {name} BEFORE {operation} ON delivery_deliveryevent "
                "FOR EACH ROW EXECUTE FUNCTION delivery_event_refuse_change()"
            )
    else:
        for name, operation in zip(TRIGGERS, ("UPDATE", "DELETE"), strict=True):
            schema_editor.execute(
                f"CREATE TRIGGER {name} BEFORE {operation} ON delivery_deliveryevent "
                f"BEGIN SELECT RAISE(ABORT, 'delivery events are append-only: {operation} refused'); END"
            )


def triggers_drop(apps, schema_editor):
    for name in TRIGGERS:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON delivery_deliveryevent")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS delivery_event_refuse_change()")


class Migration(migrations.Migration):

    dependencies = [
        ('delivery', '0016_state_events_and_problem_status'),
        ('organisations', '0001_moved_models'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DeliveryEventPersonal',
            fields=[
                ('event', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, primary_key=True, related_name='personal', serialize=False, to='delivery.deliveryevent')),
                ('location', models.CharField(blank=True, max_length=200, verbose_name='where the courier was')),
                ('details', models.JSONField(blank=True, default=dict)),
            ],
            options={
                'verbose_name': 'personal details of a delivery event',
                'verbose_name_plural': 'personal details of delivery events',
            },
        ),
        migrations.AddField(
            model_name='deliveryevent',
            name='chain_hash',
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name='chain hash'),
        ),
        migrations.AlterField(
            model_name='deliveryevent',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(personal_apart_and_chains, personal_back),
        migrations.RunPython(triggers_create, triggers_drop),
    ]
