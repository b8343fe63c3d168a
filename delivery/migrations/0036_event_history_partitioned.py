"""The delivery events, on PostgreSQL, in one partition per month of ``occurred_at``.

``delivery_deliveryevent`` grows by about seven rows per passport. On PostgreSQL this migration
rebuilds it as a table partitioned by range on ``occurred_at``, one partition per month (months of
the portal's time zone, ``TIME_ZONE``) and a DEFAULT partition, so no insert fails on a missing
month. Beat creates the coming months ahead (``delivery.handoff.partitions``); a closed month can be
detached for the archive (``manage.py detach_event_partition``).

In one transaction: the plain table is renamed aside; the partitioned table is created with the same
columns, one partition for every month from the first event to three months ahead and the DEFAULT
one; the rows are copied with their ids; the plain table is dropped; the identity sequence continues
after the highest id; the indexes, the foreign keys to orders, users and offices, and the triggers
that refuse UPDATE and DELETE are created again, on the parent: PostgreSQL 13 and later apply them
to every partition, present and future.

Keys. PostgreSQL wants the partition key in every unique constraint, so the database's primary key
is (id, occurred_at). Django keeps ``id`` as the model's primary key: ids come from one identity
sequence, and the table refuses UPDATE, so no two rows ever share an id.

References. A foreign key may point at a partitioned table only through a unique constraint that
holds the partition key. Rather than copy ``occurred_at`` into every table that refers to an event
(notifications, proofs of delivery, an event's personal details) and into every service that writes
them, those three keep ``event_id`` alone, without a database foreign key (``db_constraint=False``),
and a constraint trigger on each, deferred to the commit as the foreign keys were, refuses an
``event_id`` that names no event. Events cannot be deleted (the append-only triggers), so a reference,
once checked, stays good while its month is attached; ``detach_event_partition`` detaches only
months whose orders have all ended and have no event in a later month.

SQLite (``make run``) keeps the plain table, its foreign keys and its triggers: on SQLite the
migration changes only Django's picture of the three references.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion

PARENT = "delivery_deliveryevent"
ASIDE = "delivery_deliveryevent_plain"
DEFAULT_PARTITION = "delivery_deliveryevent_default"
APPEND_ONLY_TRIGGERS = (("delivery_event_no_update", "UPDATE"), ("delivery_event_no_delete", "DELETE"))
REFERENCE_TRIGGER = "delivery_event_reference"
MONTHS_AHEAD = 3


def _month_add(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def _month_start(month: dt.date) -> str:
    zone = ZoneInfo(settings.TIME_ZONE)
    return dt.datetime(month.year, month.month, 1, tzinfo=zone).isoformat()


def _partition_name(month: dt.date) -> str:
    return f"{PARENT}_y{month.year:04d}m{month.month:02d}"


def _fetch(cursor, sql, params=None):
    cursor.execute(sql, params)
    return cursor.fetchall()


def _table_rebuild(schema_editor, *, partitioned: bool) -> None:
    """Rebuild the event table, partitioned or plain, with its rows, ids, indexes, keys, triggers."""
    with schema_editor.connection.cursor() as cursor:
        indexes = _fetch(
            cursor,
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = %s::regclass "
            "AND NOT indisprimary ORDER BY indexrelid",
            [PARENT],
        )
        own_keys = _fetch(
            cursor,
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
            "AND contype = 'f' ORDER BY conname",
            [PARENT],
        )
        sequence = _serial_sequence(cursor)
        (last_id,) = _fetch(
            cursor,
            f"SELECT GREATEST((SELECT max(id) FROM {PARENT}), "
            f"(SELECT CASE WHEN is_called THEN last_value END FROM {sequence}))",
        )[0]
        (first,) = _fetch(cursor, "SELECT min(occurred_at) FROM delivery_deliveryevent")[0]

    schema_editor.execute(f"ALTER TABLE {PARENT} RENAME TO {ASIDE}")
    schema_editor.execute(
        f"CREATE TABLE {PARENT} (LIKE {ASIDE} INCLUDING DEFAULTS INCLUDING IDENTITY)"
        + (" PARTITION BY RANGE (occurred_at)" if partitioned else "")
    )
    if partitioned:
        zone = ZoneInfo(settings.TIME_ZONE)
        today = dt.datetime.now(tz=zone).date().replace(day=1)
        month = first.astimezone(zone).date().replace(day=1) if first is not None else today
        while month <= _month_add(today, MONTHS_AHEAD):
            schema_editor.execute(
                f"CREATE TABLE {_partition_name(month)} PARTITION OF {PARENT} FOR VALUES "
                f"FROM ('{_month_start(month)}') TO ('{_month_start(_month_add(month, 1))}')"
            )
            month = _month_add(month, 1)
        schema_editor.execute(f"CREATE TABLE {DEFAULT_PARTITION} PARTITION OF {PARENT} DEFAULT")
    schema_editor.execute(f"INSERT INTO {PARENT} SELECT * FROM {ASIDE}")
    schema_editor.execute(f"DROP TABLE {ASIDE}")

    with schema_editor.connection.cursor() as cursor:
        sequence = _serial_sequence(cursor)
    if sequence.rpartition(".")[2] != f"{PARENT}_id_seq":
        schema_editor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {PARENT}_id_seq")
    if last_id is not None:
        schema_editor.execute(f"SELECT setval('{PARENT}_id_seq', {int(last_id)})")
    key = "id, occurred_at" if partitioned else "id"
    schema_editor.execute(f"ALTER TABLE {PARENT} ADD CONSTRAINT {PARENT}_pkey PRIMARY KEY ({key})")
    for (definition,) in indexes:
        schema_editor.execute(definition)
    for name, definition in own_keys:
        schema_editor.execute(f"ALTER TABLE {PARENT} ADD CONSTRAINT {name} {definition}")
    for name, operation in APPEND_ONLY_TRIGGERS:
        schema_editor.execute(
            f"CREATE TRIGGER {name} BEFORE {operation} ON {PARENT} "
            "FOR EACH ROW EXECUTE FUNCTION delivery_event_refuse_change()"
        )


def _serial_sequence(cursor) -> str:
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [PARENT])
    return cursor.fetchone()[0]


def _referring(apps):
    """(model, field) of every reference to an event: notifications, proofs, personal details."""
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is not None
        and field.related_model._meta.db_table == PARENT
    ]


def partitioned(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        references = _fetch(
            cursor,
            "SELECT conrelid::regclass::text, conname FROM pg_constraint "
            "WHERE confrelid = %s::regclass AND contype = 'f' ORDER BY 1",
            [PARENT],
        )
    for table, name in references:
        schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    _table_rebuild(schema_editor, partitioned=True)
    schema_editor.execute(
        """
        CREATE OR REPLACE FUNCTION delivery_event_reference_check() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND NEW.event_id IS NOT DISTINCT FROM OLD.event_id THEN
                RETURN NULL;
            END IF;
            IF NEW.event_id IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM delivery_deliveryevent WHERE id = NEW.event_id
            ) THEN
                RAISE EXCEPTION 'insert or update on table "%" violates its reference to a delivery event',
                    TG_TABLE_NAME
                    USING ERRCODE = 'foreign_key_violation',
                    DETAIL = format('Key (event_id)=(%s) is not present in delivery_deliveryevent.', NEW.event_id);
            END IF;
            RETURN NULL;
        END
        $$
        """,
        params=None,  # the '%' above are PL/pgSQL's, not query parameters
    )
    for model, field in _referring(apps):
        schema_editor.execute(
            f"CREATE CONSTRAINT TRIGGER {REFERENCE_TRIGGER} AFTER INSERT OR UPDATE OF {field.column} "
            f"ON {model._meta.db_table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
            "EXECUTE FUNCTION delivery_event_reference_check()"
        )


def plain(apps, schema_editor):
    """Back to one plain table (months already detached stay out of it) with real foreign keys."""
    if schema_editor.connection.vendor != "postgresql":
        return
    references = _referring(apps)
    for model, _field in references:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {REFERENCE_TRIGGER} ON {model._meta.db_table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS delivery_event_reference_check()")
    _table_rebuild(schema_editor, partitioned=False)
    for model, field in references:
        schema_editor.execute(
            schema_editor._create_fk_sql(model, field, "_fk_%(to_table)s_%(to_column)s")
        )


class Migration(migrations.Migration):
    # One transaction: the table is either converted with every row or not at all.
    atomic = True

    dependencies = [
        ('delivery', '0035_pickup_branches'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='deliveryeventpersonal',
                    name='event',
                    field=models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, primary_key=True, related_name='personal', serialize=False, to='delivery.deliveryevent'),
                ),
                migrations.AlterField(
                    model_name='notification',
                    name='event',
                    field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='notifications', to='delivery.deliveryevent'),
                ),
                migrations.AlterField(
                    model_name='proofofdelivery',
                    name='event',
                    field=models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='proof', to='delivery.deliveryevent'),
                ),
            ],
            database_operations=[migrations.RunPython(partitioned, plain)],
        ),
    ]
