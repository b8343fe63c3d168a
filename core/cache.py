"""A Redis cache that degrades to "always a miss" while Redis is unreachable.

The cache only holds things the portal can do without for a while (tracking pages, the tracking
lookup counter): during a Redis outage reads miss, writes and deletes are dropped, and after one
failure the process does not try again for ``PAUSE_SECONDS`` so that requests never queue behind
a dead Redis. Bookings and courier updates therefore keep working; tracking is simply not cached
and its guessing counter does not count until Redis is back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.client import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

PAUSE_SECONDS = 2.0
_FAILURES = (RedisConnectionError, RedisTimeoutError, OSError)
_T = TypeVar("_T")


class _SharedClients(RedisCacheClient):
    """Django builds a new ``redis.Redis`` for every cache call, copying its ~170 reply handlers each
    time (~0.3 ms); one client per connection pool is enough, since a client is safe to share
    between threads (each command takes its own connection from the pool)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Redis] = {}

    def get_client(self, key: str | bytes | memoryview | None = None, *, write: bool = False) -> Redis:
        # Django's private pool and client class are not in django-stubs.
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]  # private, not in stubs
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]  # private, not in stubs
        return client


class ForgivingRedisCache(RedisCache):
    _down_until = 0.0

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _SharedClients

    def _guard(self, operation: Callable[..., _T], fallback: _T, *args: Any, **kwargs: Any) -> _T:
        if time.monotonic() < ForgivingRedisCache._down_until:
            return fallback
        try:
            return operation(*args, **kwargs)
        except _FAILURES:
            ForgivingRedisCache._down_until = time.monotonic() + PAUSE_SECONDS
            logger.warning("cache.redis.unreachable")
            return fallback

    def get(self, key: Any, default: Any | None = None, version: int | None = None) -> Any:
        return self._guard(super().get, default, key, default, version)

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        return self._guard(super().get_many, {}, keys, version)

    def set(self, key: Any, value: Any, timeout: float | None = None, version: int | None = None) -> None:  # noqa: A003
        return self._guard(super().set, None, key, value, timeout, version)

    def set_many(
        self, data: dict[Any, Any], timeout: float | None = None, version: int | None = None
    ) -> list[Any]:
        return self._guard(super().set_many, list(data), data, timeout, version)

    def add(self, key: Any, value: Any, timeout: float | None = None, version: int | None = None) -> bool:
        return self._guard(super().add, False, key, value, timeout, version)

    def touch(self, key: Any, timeout: float | None = None, version: int | None = None) -> bool:
        return self._guard(super().touch, False, key, timeout, version)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._guard(super().delete, False, key, version)

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        return self._guard(super().delete_many, None, keys, version)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._guard(super().has_key, False, key, version)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        result: object = self._guard(super().incr, _MISSING, key, delta, version)
        if result is _MISSING:
            raise ValueError("cache unavailable")  # what callers already handle for a missing key
        return cast(int, result)

    def clear(self) -> None:
        return self._guard(super().clear, None)


_MISSING = object()
