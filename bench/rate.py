"""Load at a fixed arrival rate (open loop), for latency as a user sees it below saturation.

wrk is closed loop: each connection sends its next request when the last one has answered, so a
slow answer also delays the requests that would have come meanwhile, and those never show in the
percentiles (coordinated omission). Here request ``n`` is due at ``start + n / rate`` whatever
happened before it; a pool of connections sends each as soon as one is free, and its latency is
counted from the moment it was due, not from when it was sent. A server that falls behind shows
as growing latency, as wrk2 reports it.

The standard library only (threads and ``http.client``): a few hundred requests a second is all
the figures ask of it, and wrk2 is not packaged for the machine.
"""

from __future__ import annotations

import http.client
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None


def _percentile(sorted_values: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in 0..1) of values sorted ascending."""
    if not sorted_values:
        return 0.0
    rank = max(int(share * len(sorted_values) + 0.999999) - 1, 0)
    return sorted_values[min(rank, len(sorted_values) - 1)]


def at_rate(
    base_url: str,
    make: Callable[[int], Request],
    *,
    rate: float,
    seconds: float,
    connections: int = 16,
    timeout: float = 10.0,
) -> dict[str, float | int]:
    """Send ``make(n)`` for n = 0, 1, ... at ``rate`` a second for ``seconds``; every response's
    latency from the moment its request was due. An answer other than 2xx or 3xx, or none within
    ``timeout``, is an error (its latency still counts)."""
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    due: queue.Queue[tuple[float, Request] | None] = queue.Queue()
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def send() -> None:
        nonlocal errors
        conn: http.client.HTTPConnection | None = None
        while (item := due.get()) is not None:
            scheduled, request = item
            failed = True
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(host, port, timeout=timeout)
                conn.request(request.method, request.path, body=request.body, headers=request.headers)
                response = conn.getresponse()
                response.read()
                failed = not 200 <= response.status < 400
                if response.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                if conn is not None:
                    conn.close()
                conn = None
            elapsed = time.perf_counter() - scheduled
            with lock:
                latencies.append(elapsed)
                errors += failed
        if conn is not None:
            conn.close()

    senders = [threading.Thread(target=send, daemon=True) for _ in range(connections)]
    for sender in senders:
        sender.start()
    total = max(int(rate * seconds), 1)
    start = time.perf_counter() + 0.05
    for n in range(total):
        request = make(n)  # made before its moment, so making it never delays it
        scheduled = start + n / rate
        if (wait := scheduled - time.perf_counter()) > 0:
            time.sleep(wait)
        due.put((scheduled, request))
    for _ in senders:
        due.put(None)
    for sender in senders:
        sender.join()
    took = time.perf_counter() - start
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "errors": errors,
        "seconds": round(took, 2),
        "rate": rate,
        "rps": (len(ordered) - errors) / took if took else 0.0,
        "p50_ms": _percentile(ordered, 0.50) * 1000,
        "p99_ms": _percentile(ordered, 0.99) * 1000,
        "max_ms": (ordered[-1] if ordered else 0.0) * 1000,
    }
