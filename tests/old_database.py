"""A database of its own, built by the migrations from nothing up to an old state, for the tests of
a migration: rows are written in the old schema, then the rest of the migrations run.

Migrating the test database back to the old state and forward again computes Django's picture of
the models (the project state) for every migration twice, and backwards twice over: about 15 s for
a trip back to before the NIK encryption. Building the old state forwards on an empty database is
what a real installation went through, and the state built on the way up is the one the rest of the
migrations start from, so each migration's state is computed once: about 6 s.

Inside ``old_database(...)`` the default connection points at the new database (ORM queries and
raw SQL alike); it is dropped on the way out and the connection points at the test database again.
Only for tests marked ``django_db(transaction=True)``: the database is created outside any
transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.apps import apps as global_apps
from django.contrib.contenttypes.management import create_contenttypes
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import ProjectState

Target = tuple[str, str | None]


class OldDatabase:
    def __init__(self, executor: MigrationExecutor, state: ProjectState, applied: set) -> None:
        self._executor = executor
        self._applied = applied
        self.state = state

    @property
    def apps(self):
        """The models as the old state knew them."""
        return self.state.apps

    def migrate_to_the_end(self) -> None:
        """Run every migration not applied yet, as ``manage.py migrate`` would on this database."""
        executor = self._executor
        full_plan = executor.migration_plan(executor.loader.graph.leaf_nodes(), clean_start=True)
        rest = [(migration, False) for migration, _ in full_plan if migration not in self._applied]
        self.state = executor.migrate(None, plan=rest, state=self.state)
        self._applied |= {migration for migration, _ in rest}


@contextmanager
def old_database(targets: list[Target]) -> Iterator[OldDatabase]:
    """A new, empty database migrated up to ``targets`` (an app with ``None`` gets none of its
    migrations), with the content types that ``migrate`` would have created for the old models."""
    assert connection.vendor == "postgresql" and not connection.in_atomic_block
    test_name = connection.settings_dict["NAME"]
    name = connection.ops.quote_name(f"{test_name}_old")
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {name} TEMPLATE template0")
    connection.close()
    connection.settings_dict["NAME"] = f"{test_name}_old"
    try:
        executor = MigrationExecutor(connection)
        wanted = [target for target in targets if target[1] is not None]
        plan = executor.migration_plan(wanted, clean_start=True)
        state = executor.migrate(None, plan=plan)
        for app_config in global_apps.get_app_configs():
            create_contenttypes(app_config, verbosity=0, apps=state.apps)
        yield OldDatabase(executor, state, {migration for migration, _ in plan})
    finally:
        connection.close()
        connection.settings_dict["NAME"] = test_name
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
