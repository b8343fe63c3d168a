"""Test data built once per test process and copied back for every test that asks for it.

The Makassar demo (``seed_demo``) takes seconds of ORM work and the reference data a good part of a
second; most tests only need the rows to be there. ``Snapshot.load()`` builds them the first time,
as before, and keeps the rows of every table the build filled in memory (PostgreSQL ``COPY ... TO
STDOUT``). Every later test gets the same rows back with ``COPY ... FROM STDIN``, ids included, in
one transaction (foreign keys are checked at its end), and the same Python objects the build
returned (a deep copy). So a test that changes or deletes demo rows changes only its own copy: the
flush after a transactional test, or the rollback after any other, removes it as before.

Sequences move forward past the ids restored and never back, as with the flush between
transactional tests: a row a test creates never takes an id that an earlier test used, so a task of
that earlier test that a Celery worker runs late finds nothing instead of this test's row.

The copy is built again when it is older than ``max_age`` seconds or from another day, for data
written relative to now (the demo's orders are hours or days old when the demo is made); when the
tables it fills are not empty (the test made rows of its own first) ``load()`` runs the build
instead, with the build's own semantics. Anything but PostgreSQL also runs the build every time.
"""

from __future__ import annotations

import copy
import io
import time
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.utils import timezone


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _row_counts(tables: list[str]) -> dict[str, int]:
    if not tables:
        return {}
    sql = " UNION ALL ".join(f"SELECT %s, COUNT(*) FROM {_quote(table)}" for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql, tables)
        return dict(cursor.fetchall())


def _sequences() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sequencename, last_value FROM pg_sequences "
            "WHERE schemaname = current_schema() AND last_value IS NOT NULL"
        )
        return dict(cursor.fetchall())


class Snapshot:
    def __init__(self, build: Callable[[], Any], *, max_age: float | None = None) -> None:
        self.build = build
        self.max_age = max_age
        self._rows: dict[str, bytes] | None = None
        self._sequences: dict[str, int] = {}
        self._value: Any = None
        self._built_at = 0.0
        self._built_on: Any = None

    def load(self) -> Any:
        """The build's rows in the database and its return value, as if ``build()`` had just run."""
        if connection.vendor != "postgresql":
            return self.build()
        if not self._fresh():
            return self._build()
        if any(_row_counts(list(self._rows or {})).values()):
            return self.build()
        self._restore()
        return copy.deepcopy(self._value)

    def _fresh(self) -> bool:
        if self._rows is None or self._built_on != timezone.localdate():
            return False
        return self.max_age is None or time.monotonic() - self._built_at < self.max_age

    def _build(self) -> Any:
        tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
        before = _row_counts(tables)
        built_on = timezone.localdate()
        value = self.build()
        after = _row_counts(tables)
        if any(after[table] != count for table, count in before.items() if count):
            # The build also wrote to tables that held rows already: copying only the tables it
            # filled would lose that, so no copy; every load runs the build.
            self._rows = None
            return value
        rows = {}
        with connection.cursor() as cursor:
            for table in tables:
                if before[table] == 0 and after[table]:
                    out = io.BytesIO()
                    # a query, not the table: PostgreSQL copies a partitioned table (the event
                    # history) only that way
                    cursor.copy_expert(f"COPY (SELECT * FROM {_quote(table)}) TO STDOUT", out)
                    rows[table] = out.getvalue()
        self._rows = rows
        self._sequences = _sequences()
        self._value = copy.deepcopy(value)
        self._built_at = time.monotonic()
        self._built_on = built_on
        return value

    def _restore(self) -> None:
        assert self._rows is not None
        with transaction.atomic(), connection.cursor() as cursor:
            for table, data in self._rows.items():
                cursor.copy_expert(f"COPY {_quote(table)} FROM STDIN", io.BytesIO(data))
            if self._sequences:
                values = ", ".join(["(%s, %s::bigint)"] * len(self._sequences))
                cursor.execute(
                    "SELECT setval(format('%%I.%%I', s.schemaname, s.sequencename)::regclass, v.value) "
                    f"FROM pg_sequences s JOIN (VALUES {values}) AS v(name, value) "
                    "ON v.name = s.sequencename WHERE s.schemaname = current_schema() "
                    "AND (s.last_value IS NULL OR s.last_value < v.value)",
                    [item for pair in self._sequences.items() for item in pair],
                )
