"""Reads that may come from the streaming read replica, and everything else from the primary.

With ``DATABASE_REPLICA_URL`` set, the settings add a ``replica`` database alias and name it in
``READ_REPLICA_ALIAS``. Nothing reads from it unless the code asks: the report selectors and views
(the partnership's dashboard and exports, the daily statements, the API's list reads) run their
queries inside ``reads_from_replica()``. Everything else reads and writes on the primary, as without
a replica.

A replica may lag behind the primary by a moment, so even an asked-for read goes to the primary when

- the primary has a transaction open (an ``atomic`` block): what it reads must see what it wrote;
- this unit of work has already written (``db_for_write`` was asked): the request that approves a
  statement and then shows it sees its approval. ``PrimaryAfterWriteMiddleware`` opens one unit per
  request, and pins the browser to the primary for ``READ_REPLICA_PIN_SECONDS`` after a request that
  wrote, so the page the form redirects to reads the write too.

Migrations never run on the replica (a standby refuses writes anyway). Without the setting the alias
does not exist and ``reads_from_replica()`` changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, Concatenate, ParamSpec, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.http import HttpRequest

P = ParamSpec("P")
R = TypeVar("R")
Req = TypeVar("Req", bound=HttpRequest)

_replica_asked: ContextVar[bool] = ContextVar("replica_asked", default=False)
_wrote: ContextVar[bool] = ContextVar("wrote", default=False)


@contextmanager
def reads_from_replica() -> Iterator[None]:
    """Let the reads inside go to the read replica, when there is one and nothing forbids it.
    Also a decorator: ``@reads_from_replica()``."""
    token = _replica_asked.set(True)
    try:
        yield
    finally:
        _replica_asked.reset(token)


def replica_reads_on_get(view: Callable[Concatenate[Req, P], R]) -> Callable[Concatenate[Req, P], R]:
    """A page whose GET (and HEAD) reads from the replica; its POST reads what it changes from the
    primary. Put it below the decorators that check the user, so the session and the user are read
    from the primary."""

    @wraps(view)
    def wrapper(request: Req, *args: P.args, **kwargs: P.kwargs) -> R:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        with reads_from_replica():
            return view(request, *args, **kwargs)

    return wrapper


@contextmanager
def unit_of_work(*, wrote: bool = False) -> Iterator[None]:
    """One request (or job): reads asked of the replica go to the primary once it has written, and
    from the start when ``wrote`` (a browser pinned after its last write)."""
    token = _wrote.set(wrote)
    try:
        yield
    finally:
        _wrote.reset(token)


def unit_wrote() -> bool:
    """Whether the current unit of work asked for a database to write to."""
    return _wrote.get()


def replica_alias() -> str:
    """The alias reads may go to: the replica's, or the primary's when there is none."""
    alias: str = getattr(settings, "READ_REPLICA_ALIAS", "")
    return alias if alias and alias in settings.DATABASES else DEFAULT_DB_ALIAS


class ReplicaRouter:
    """``DATABASE_ROUTERS``: the primary for writes and, unless asked and safe, for reads."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        if not _replica_asked.get() or _wrote.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return replica_alias()

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        _wrote.set(True)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        # The replica holds the primary's rows: an object read from it may be tied to one from the primary.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
