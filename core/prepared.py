"""Reads that PostgreSQL plans once per connection instead of once per request.

The public tracking page is one read joining nine tables; PostgreSQL spent ~4 ms planning it and
~0.3 ms running it, and Django ~2 ms writing its SQL. A ``PreparedRead`` lets the ORM write the
statement once per process (so it follows the models), sends it to each database connection once
as ``PREPARE``, and from then on only ``EXECUTE``\\s it with the request's values.

Rows come back as the query set's ``values_list`` gives them (the fields' converters run, so an
encrypted column is read in plain). On any database other than PostgreSQL (SQLite under
``make run``), the query set runs as usual.

Prepared statements belong to a connection's session: the names prepared are forgotten whenever
Django opens a new connection. A pooler in transaction mode (PgBouncer) would break this; the
portal connects to PostgreSQL directly (docs/SCALING.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.db.models import QuerySet
from django.dispatch import receiver

_PLACEHOLDER = re.compile(r"%(%|s)")
# The statement, its parameters, the argument at each parameter place, the fields' converters.
_Compiled = tuple[str, list[Any], dict[int, str], dict[int, tuple[list[Callable[..., Any]], Any]]]


@receiver(connection_created)
def _forget_prepared(
    sender: type[BaseDatabaseWrapper], connection: BaseDatabaseWrapper, **kwargs: Any
) -> None:
    connection.portal_prepared = set()  # type: ignore[attr-defined]  # the portal's own attribute on the connection


class PreparedRead:
    """``build(**values)`` is the query set; ``samples`` holds one distinctive value per argument,
    used to find where each argument sits among the compiled statement's parameters."""

    def __init__(self, name: str, build: Callable[..., QuerySet[Any, Any]], samples: dict[str, Any]) -> None:
        self.name = name
        self.build = build
        self.samples = samples
        self._compiled: _Compiled | None = None

    def _compile(self) -> _Compiled:
        if self._compiled is None:
            compiler = self.build(**self.samples).query.get_compiler(DEFAULT_DB_ALIAS)
            sql, params = compiler.as_sql()
            converters = compiler.get_converters(
                [column[0] for column in compiler.select[: compiler.col_count]]
            )
            where: dict[int, str] = {}
            for argument, sample in self.samples.items():
                places = [i for i, param in enumerate(params) if param == sample]
                if len(places) != 1:
                    raise ValueError(f"{self.name}: argument {argument} must appear exactly once")
                where[places[0]] = argument
            numbers = iter(range(1, len(params) + 1))
            statement = _PLACEHOLDER.sub(lambda m: "%" if m.group(1) == "%" else f"${next(numbers)}", sql)
            self._compiled = (statement, list(params), where, converters)
        return self._compiled

    def rows(self, **values: Any) -> list[tuple[Any, ...]]:
        if connection.vendor != "postgresql":
            return list(self.build(**values))
        statement, params, where, converters = self._compile()
        arguments = [values[where[i]] if i in where else param for i, param in enumerate(params)]
        with connection.cursor() as cursor:
            prepared = getattr(connection, "portal_prepared", None)
            if prepared is None or self.name not in prepared:
                cursor.execute(f"PREPARE {self.name} AS {statement}")
                connection.portal_prepared = (prepared or set()) | {self.name}  # type: ignore[attr-defined]  # the portal's own attribute
            cursor.execute(f"EXECUTE {self.name} ({', '.join(['%s'] * len(arguments))})", arguments)
            rows: list[tuple[Any, ...]] = cursor.fetchall()
        if not converters:
            return rows
        converted = []
        for row in rows:
            cells = list(row)
            for i, (functions, expression) in converters.items():
                for function in functions:
                    cells[i] = function(cells[i], expression, connection)
            converted.append(tuple(cells))
        return converted
