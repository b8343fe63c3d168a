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

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

PAUSE_SECONDS = 2.0
_FAILURES = (RedisConnectionError, RedisTimeoutError, OSError)


class _SharedClients(RedisCacheClient):
    """Django builds a new ``redis.Redis`` for every cache call, copying its ~170 reply handlers each
    time (~0.3 ms); one client per connection pool is enough, since a client is safe to share
    between threads (each command takes its own connection from the pool)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ForgivingRedisCache(RedisCache):
    _down_until = 0.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _SharedClients

    def _guard(self, operation, fallback, *args, **kwargs):
        if time.monotonic() < ForgivingRedisCache._down_until:
            return fallback
        try:
            return operation(*args, **kwargs)
        except _FAILURES:
            ForgivingRedisCache._down_until = time.monotonic() + PAUSE_SECONDS
            logger.warning("cache.redis.unreachable")
            return fallback

    def get(self, key, default=None, version=None):
        return self._guard(super().get, default, key, default, version)

    def get_many(self, keys, version=None):
        return self._guard(super().get_many, {}, keys, version)

    def set(self, key, value, timeout=None, version=None):  # noqa: A003
        return self._guard(super().set, None, key, value, timeout, version)

    def set_many(self, data, timeout=None, version=None):
        return self._guard(super().set_many, list(data), data, timeout, version)

    def add(self, key, value, timeout=None, version=None):
        return self._guard(super().add, False, key, value, timeout, version)

    def touch(self, key, timeout=None, version=None):
        return self._guard(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._guard(super().delete, False, key, version)

    def delete_many(self, keys, version=None):
        return self._guard(super().delete_many, None, keys, version)

    def has_key(self, key, version=None):
        return self._guard(super().has_key, False, key, version)

    def incr(self, key, delta=1, version=None):
        result = self._guard(super().incr, _MISSING, key, delta, version)
        if result is _MISSING:
            raise ValueError("cache unavailable")  # what callers already handle for a missing key
        return result

    def clear(self):
        return self._guard(super().clear, None)


_MISSING = object()
