"""Dashboard plots drawn by matplotlib (Agg, no display) as SVG, sized to stay legible on a phone.

Every plot is shown next to a table with the same numbers, so none of it depends on seeing the image.
Drawing a plot costs far more than reading its numbers, so each drawing is cached under a hash of
exactly what it shows (numbers, labels, language): the same figures are drawn once.
"""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Callable

import matplotlib

matplotlib.use("Agg")
from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from partners.selectors import Dashboard  # noqa: E402

BRAND = "#0b4f8a"
OK = "#1d6b2f"
BAD = "#a4161a"
plt.rcParams.update(
    {"font.size": 11, "svg.fonttype": "none", "axes.spines.top": False, "axes.spines.right": False}
)


def _data_uri(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _cached(kind: str, shown: tuple[object, ...], draw: Callable[[], str]) -> str:
    key = f"plot:{kind}:" + hashlib.sha256(repr(shown).encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = draw()
        cache.set(key, svg, timeout=settings.DASHBOARD_PLOT_CACHE_SECONDS)
    return svg


def uptake_plot(board: Dashboard, *, title: str, ylabel: str) -> str | None:
    """Share delivered / issued per month, in percent."""
    rows = [row for year in board.uptake for row in year.rows]
    values = [float(row.share) if row.share is not None else float("nan") for row in rows]
    if not rows:
        return None
    # At most about eight ticks. Up to two years every month may be named ("Jan" and "Jul" with their
    # year); over longer periods a tick every month or two would read as the months of one year, so
    # the ticks stand on the Januaries, a year or more apart, and are named by the year alone.
    if len(rows) <= 24:
        step = max(1, len(rows) // 8)
        ticks = list(range(0, len(rows), step))
        labels = [
            f"{rows[i].label}\n{rows[i].year}" if rows[i].month in (1, 7) else rows[i].label for i in ticks
        ]
    else:
        every = -(-len(rows) // (12 * 8))  # years between ticks
        ticks = [i for i, row in enumerate(rows) if row.month == 1 and (row.year - rows[0].year) % every == 0]
        labels = [str(rows[i].year) for i in ticks]

    def draw() -> str:
        fig, ax = plt.subplots(figsize=(6.4, 3.6))
        ax.plot(range(len(values)), values, marker="o", color=BRAND, linewidth=2)
        ax.set_xticks(ticks, labels)
        ax.set_ylim(bottom=0)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(axis="y", alpha=0.3)
        return _data_uri(fig)

    return _cached("uptake", (ticks, labels, values, str(title), str(ylabel)), draw)


def compliance_plot(board: Dashboard, *, title: str, on_time: str, late: str) -> str | None:
    legs = [leg for leg in board.compliance]
    if not any(leg.done for leg in legs):
        return None
    names = [str(leg.deadline) for leg in legs]
    ok = [leg.on_time for leg in legs]
    bad = [leg.late for leg in legs]

    def draw() -> str:
        fig, ax = plt.subplots(figsize=(6.4, 3.2))
        ax.barh(names, ok, color=OK, label=on_time)
        ax.barh(names, bad, left=ok, color=BAD, label=late)
        ax.invert_yaxis()
        ax.legend(loc="lower right", frameon=False)
        ax.set_title(title)
        return _data_uri(fig)

    return _cached("compliance", (names, ok, bad, str(title), str(on_time), str(late)), draw)


def failed_plot(board: Dashboard, *, title: str) -> str | None:
    if not board.failed:
        return None
    labels = [str(label) for _r, label, _n in board.failed]
    counts = [n for _r, _l, n in board.failed]

    def draw() -> str:
        fig, ax = plt.subplots(figsize=(6.4, 0.6 + 0.5 * len(labels)))
        ax.barh(labels, counts, color=BRAND)
        ax.invert_yaxis()
        ax.set_title(title)
        return _data_uri(fig)

    return _cached("failed", (labels, counts, str(title)), draw)


def complaints_plot(board: Dashboard, *, title: str, answered_in_time: str, breached: str) -> str | None:
    """Complaints per category: answered within 24 hours and breaches, stacked."""
    rows = [c for c in board.complaints if c.category]
    if not rows:
        return None
    names = [str(c.label) for c in rows]
    bad = [c.breaches for c in rows]
    ok = [c.count - c.breaches for c in rows]

    def draw() -> str:
        fig, ax = plt.subplots(figsize=(6.4, 0.8 + 0.5 * len(rows)))
        ax.barh(names, ok, color=OK, label=answered_in_time)
        ax.barh(names, bad, left=ok, color=BAD, label=breached)
        ax.invert_yaxis()
        ax.legend(loc="lower right", frameon=False)
        ax.set_title(title)
        return _data_uri(fig)

    return _cached("complaints", (names, ok, bad, str(title), str(answered_in_time), str(breached)), draw)
