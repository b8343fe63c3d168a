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

A replica that is down or lags is left alone: before the first read asked of it, and again every
``READ_REPLICA_CHECK_SECONDS``, the router asks it how far behind it is; unreachable, or more than
``READ_REPLICA_MAX_LAG_SECONDS`` behind, the reads go to the primary until the next check says it is
back. Should it fail in the middle of a report (a query on it raises), the report is read again from
the primary: a reader sees the figures, never an error page.

Migrations never run on the replica (a standby refuses writes anyway). Without the setting the alias
does not exist and ``reads_from_replica()`` changes nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Model
from django.http import HttpRequest

P = ParamSpec("P")
R = TypeVar("R")
Req = TypeVar("Req", bound=HttpRequest)
logger = logging.getLogger(__name__)

_replica_asked: ContextVar[bool] = ContextVar("replica_asked", default=False)
_wrote: ContextVar[bool] = ContextVar("wrote", default=False)


class reads_from_replica:  # noqa: N801 - reads as a function: ``with reads_from_replica():``
    """Let the reads inside go to the read replica, when there is one and nothing forbids it.

    Also a decorator, ``@reads_from_replica()``: should the replica fail under the function, the
    function runs again with every read on the primary (report reads only: nothing is written twice).
    """

    def __enter__(self) -> None:
        self._token = _replica_asked.set(True)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        _replica_asked.reset(self._token)

    def __call__(self, function: Callable[P, R]) -> Callable[P, R]:
        @wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                with reads_from_replica():
                    return function(*args, **kwargs)
            except DatabaseError:
                if not _replica_failed():
                    raise
            return function(*args, **kwargs)

        return wrapper


def replica_reads_on_get(view: Callable[Concatenate[Req, P], R]) -> Callable[Concatenate[Req, P], R]:
    """A page whose GET (and HEAD) reads from the replica; its POST reads what it changes from the
    primary. Put it below the decorators that check the user, so the session and the user are read
    from the primary."""
    on_replica = reads_from_replica()(view)

    @wraps(view)
    def wrapper(request: Req, *args: P.args, **kwargs: P.kwargs) -> R:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        return on_replica(request, *args, **kwargs)

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


# How far behind the primary the standby is, in seconds: none when it has replayed all it received
# (or is no standby), else the time since the last transaction it replayed was committed.
_LAG_SQL = """
SELECT CASE
  WHEN NOT pg_is_in_recovery() THEN 0
  WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
  ELSE COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 0)
END
"""


class _ReplicaState:
    """What the last check of the replica found, for this process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.checked_at = float("-inf")
        self.usable = True

    def forget(self) -> None:
        self.checked_at, self.usable = float("-inf"), True


_state = _ReplicaState()


def replica_state_forget() -> None:
    """Check the replica again before the next read asked of it."""
    _state.forget()


def _replica_lag(alias: str) -> float:
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(_LAG_SQL if connection.vendor == "postgresql" else "SELECT 0")
        (lag,) = cursor.fetchone()
    return float(lag)


def _close_quietly(alias: str) -> None:
    try:
        connections[alias].close()
    except DatabaseError:
        pass


def replica_usable(alias: str) -> bool:
    """Whether reads may go to the replica now: reachable and not too far behind, as found by a check
    at most ``READ_REPLICA_CHECK_SECONDS`` old."""
    if time.monotonic() - _state.checked_at < settings.READ_REPLICA_CHECK_SECONDS:
        return _state.usable
    with _state.lock:
        if time.monotonic() - _state.checked_at < settings.READ_REPLICA_CHECK_SECONDS:
            return _state.usable
        try:
            lag = _replica_lag(alias)
        except DatabaseError as error:
            _close_quietly(alias)
            logger.warning(
                "read replica unreachable, reports read from the primary: %s", type(error).__name__
            )
            usable = False
        else:
            usable = lag <= settings.READ_REPLICA_MAX_LAG_SECONDS
            if not usable:
                logger.warning("read replica %.0f s behind, reports read from the primary", lag)
        _state.usable, _state.checked_at = usable, time.monotonic()
        return usable


def _replica_failed() -> bool:
    """After a database error: whether it was the replica's. If so it is left alone until the next
    check, and its broken connection is closed."""
    alias = replica_alias()
    if alias == DEFAULT_DB_ALIAS or not connections[alias].errors_occurred:
        return False
    _close_quietly(alias)
    _state.usable, _state.checked_at = False, time.monotonic()
    logger.warning("read replica failed during a report, read again from the primary")
    return True


class ReplicaRouter:
    """``DATABASE_ROUTERS``: the primary for writes and, unless asked and safe, for reads."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        if not _replica_asked.get() or _wrote.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        alias = replica_alias()
        if alias == DEFAULT_DB_ALIAS or not replica_usable(alias):
            return DEFAULT_DB_ALIAS
        return alias

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        _wrote.set(True)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        # The replica holds the primary's rows: an object read from it may be tied to one from the primary.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
