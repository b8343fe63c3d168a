"""Dashboard plots drawn by matplotlib (Agg, no display) as SVG, sized to stay legible on a phone.

Every plot is shown next to a table with the same numbers, so none of it depends on seeing the image.
"""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")
from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from partners.selectors import Dashboard  # noqa: E402

BRAND = "#0b4f8a"
OK = "#1d6b2f"
BAD = "#a4161a"
plt.rcParams.update({"font.size": 11, "svg.fonttype": "none", "axes.spines.top": False,
                     "axes.spines.right": False})


def _data_uri(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def uptake_plot(board: Dashboard, *, title: str, ylabel: str) -> str | None:
    """Share delivered / issued per month, in percent."""
    labels, values = [], []
    for year in board.uptake:
        for row in year.rows:
            labels.append(f"{row.label}\n{row.year}" if row.month in (1, 7) else row.label)
            values.append(float(row.share) if row.share is not None else float("nan"))
    if not labels:
        return None
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.plot(range(len(values)), values, marker="o", color=BRAND, linewidth=2)
    step = max(1, len(labels) // 8)
    ax.set_xticks(range(0, len(labels), step), [labels[i] for i in range(0, len(labels), step)])
    ax.set_ylim(bottom=0)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
    return _data_uri(fig)


def compliance_plot(board: Dashboard, *, title: str, on_time: str, late: str) -> str | None:
    legs = [leg for leg in board.compliance]
    if not any(leg.done for leg in legs):
        return None
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    names = [str(leg.deadline) for leg in legs]
    ok = [leg.on_time for leg in legs]
    bad = [leg.late for leg in legs]
    ax.barh(names, ok, color=OK, label=on_time)
    ax.barh(names, bad, left=ok, color=BAD, label=late)
    ax.invert_yaxis()
    ax.legend(loc="lower right", frameon=False)
    ax.set_title(title)
    return _data_uri(fig)


def failed_plot(board: Dashboard, *, title: str) -> str | None:
    if not board.failed:
        return None
    fig, ax = plt.subplots(figsize=(6.4, 0.6 + 0.5 * len(board.failed)))
    ax.barh([str(label) for _r, label, _n in board.failed], [n for _r, _l, n in board.failed], color=BRAND)
    ax.invert_yaxis()
    ax.set_title(title)
    return _data_uri(fig)


def complaints_plot(board: Dashboard, *, title: str, answered_in_time: str, breached: str) -> str | None:
    """Complaints per category: answered within 24 hours and breaches, stacked."""
    rows = [c for c in board.complaints if c.category]
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(6.4, 0.8 + 0.5 * len(rows)))
    names = [str(c.label) for c in rows]
    bad = [c.breaches for c in rows]
    ok = [c.count - c.breaches for c in rows]
    ax.barh(names, ok, color=OK, label=answered_in_time)
    ax.barh(names, bad, left=ok, color=BAD, label=breached)
    ax.invert_yaxis()
    ax.legend(loc="lower right", frameon=False)
    ax.set_title(title)
    return _data_uri(fig)
