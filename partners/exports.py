"""The dashboard's figures as CSV (the uptake table; the complaints, conversion and satisfaction tables
each on their own) and XLSX (one sheet per section, and the latest comments of the applicants)."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from partners.selectors import Dashboard

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

# A cell of an exported table.
Cell = int | float | str | None


def _uptake_rows(board: Dashboard) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for year in board.uptake:
        for row in year.rows:
            rows.append(
                [
                    year.year,
                    row.month,
                    row.issued,
                    row.booked,
                    row.delivered,
                    None if row.share is None else float(row.share),
                ]
            )
        rows.append(
            [
                year.year,
                _("year"),
                year.issued,
                year.booked,
                year.delivered,
                None if year.share is None else float(year.share),
            ]
        )
    return rows


def uptake_header() -> list[str]:
    return [
        _("year"),
        _("month"),
        _("passports issued"),
        _("deliveries booked"),
        _("delivered"),
        _("share (%)"),
    ]


def dashboard_csv(board: Dashboard) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(uptake_header())
    for row in _uptake_rows(board):
        writer.writerow(["" if v is None else (f"{v:.2f}" if isinstance(v, float) else v) for v in row])
    return out.getvalue()


def complaints_header() -> list[str]:
    return [
        _("category"),
        _("complaints"),
        _("answered"),
        _("median hours to first response"),
        _("mean hours to first response"),
        _("over 24 hours"),
    ]


def _complaint_rows(board: Dashboard) -> list[list[Cell]]:
    return [
        [str(c.label), c.count, c.answered, c.median_hours, c.mean_hours, c.breaches]
        for c in board.complaints
    ]


def complaints_csv(board: Dashboard) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(complaints_header())
    for row in _complaint_rows(board):
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


def conversion_header() -> list[str]:
    return [
        _("by"),
        _("office, officer or day"),
        _("billing codes issued"),
        _("deliveries booked"),
        _("conversion (%)"),
    ]


CONVERSION_KINDS = {
    "conversion-offices": "office",
    "conversion-officers": "officer",
    "conversion-days": "day",
}


def _conversion_rows(board: Dashboard) -> list[list[Cell]]:
    """One row per office, officer and day, then the total (the same rows as the page's tables)."""
    conversion = board.conversion
    if conversion is None:
        return []
    rows: list[list[Cell]] = []
    for table_rows, table_id, _caption, _heading in conversion.tables():
        kind = CONVERSION_KINDS[table_id]
        for row in table_rows:
            label = row.key if kind == "day" else row.label
            rows.append(
                [kind, label, row.issued, row.booked, None if row.percent is None else float(row.percent)]
            )
    total = conversion.total
    rows.append(
        ["total", "", total.issued, total.booked, None if total.percent is None else float(total.percent)]
    )
    return rows


def conversion_csv(board: Dashboard) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(conversion_header())
    for row in _conversion_rows(board):
        writer.writerow(["" if v is None else (f"{v:.2f}" if isinstance(v, float) else v) for v in row])
    return out.getvalue()


def satisfaction_header() -> list[str]:
    return [_("month"), _("ratings"), _("average score (1-5)"), _("rated 4 or 5 (%)")]


def _satisfaction_rows(board: Dashboard) -> list[list[Cell]]:
    """One row per month with ratings (YYYY-MM), then the total (the page's table)."""
    figures = board.satisfaction
    if figures is None:
        return []
    return [
        [
            row.key or "total",
            row.ratings,
            None if row.average is None else float(row.average),
            None if row.good_percent is None else float(row.good_percent),
        ]
        for row in [*figures.months, figures.total]
    ]


def _satisfaction_comment_rows(board: Dashboard) -> list[list[Cell]]:
    figures = board.satisfaction
    return [[c.month, c.text] for c in figures.comments] if figures is not None else []


def satisfaction_csv(board: Dashboard) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(satisfaction_header())
    for row in _satisfaction_rows(board):
        writer.writerow(["" if v is None else (f"{v:.2f}" if isinstance(v, float) else v) for v in row])
    return out.getvalue()


def money_header() -> list[str]:
    return [
        _("month"),
        _("state fees (Rp)"),
        _("delivery fees (Rp)"),
        _("refunds (Rp)"),
        _("open NTPN differences"),
        _("days not approved by both"),
    ]


def _money_rows(board: Dashboard) -> list[list[Cell]]:
    money = board.money
    if money is None:
        return []
    return [
        [m.key or m.label, m.state_fees, m.delivery_fees, m.refunds, m.open_differences, m.days_not_approved]
        for m in [*money.months, money.total]
    ]


def money_csv(board: Dashboard) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(money_header())
    for row in _money_rows(board):
        writer.writerow(row)
    return out.getvalue()


def dashboard_xlsx(board: Dashboard) -> bytes:
    from openpyxl import Workbook  # imported by the first export, not by every web process
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Uptake")[:31]
    sheets: list[tuple[Worksheet, list[str], list[list[Cell]]]] = [
        (sheet, uptake_header(), _uptake_rows(board)),
        (
            book.create_sheet(_("Deadlines")[:31]),
            [_("leg"), _("deadline"), _("done"), _("on time"), _("late"), _("on time (%)")],
            [
                [
                    str(c.label),
                    str(c.deadline),
                    c.done,
                    c.on_time,
                    c.late,
                    None if c.percent is None else float(c.percent),
                ]
                for c in board.compliance
            ],
        ),
        (
            book.create_sheet(_("Failed attempts")[:31]),
            [_("reason"), _("attempts")],
            [[str(label), n] for _r, label, n in board.failed],
        ),
        (
            book.create_sheet(_("Couriers")[:31]),
            [_("courier"), _("delivered"), _("failed attempts")],
            [[c.name, c.delivered, c.failed] for c in board.couriers],
        ),
        (book.create_sheet(_("Complaints")[:31]), complaints_header(), _complaint_rows(board)),
        (book.create_sheet(_("Conversion")[:31]), conversion_header(), _conversion_rows(board)),
        (book.create_sheet(_("Satisfaction")[:31]), satisfaction_header(), _satisfaction_rows(board)),
        (
            book.create_sheet(_("Comments")[:31]),
            [_("month"), _("comment")],
            _satisfaction_comment_rows(board),
        ),
        (book.create_sheet(_("Money")[:31]), money_header(), _money_rows(board)),
    ]
    for ws, header, rows in sheets:
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
