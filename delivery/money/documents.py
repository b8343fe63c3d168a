"""The daily statement as a PDF (the portal's printed documents: HTML by WeasyPrint, in Indonesian)
and as an XLSX workbook (lines, totals by channel, NTPN differences)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ledger.choices import Channel, StatementSection

if TYPE_CHECKING:
    from ledger.models import Statement


def statement_context(statement: Statement) -> dict[str, object]:
    lines = list(statement.lines.all())
    sections = [
        (label, [line for line in lines if line.section == value], getattr(statement, field))
        for value, label, field in (
            (StatementSection.STATE_FEE, StatementSection.STATE_FEE.label, "state_fees"),
            (StatementSection.DELIVERY_FEE, StatementSection.DELIVERY_FEE.label, "delivery_fees"),
            (StatementSection.DOOR_COLLECTION, StatementSection.DOOR_COLLECTION.label, "door_collections"),
            (StatementSection.REFUND, StatementSection.REFUND.label, "refunds"),
            (StatementSection.CORRECTION, StatementSection.CORRECTION.label, "corrections"),
        )
    ]
    channels = [
        (Channel(key).label if key in Channel.values else key, value)
        for key, value in statement.by_channel.items()
    ]
    return {
        "statement": statement,
        "sections": sections,
        "channels": channels,
        "differences": list(statement.differences.all()),
    }


def statement_pdf(*, statement: Statement) -> bytes:
    from weasyprint import HTML  # heavy: loaded only when a document is printed

    with translation.override("id"):
        html = render_to_string(
            "documents/statement.html", {**statement_context(statement), "printed_at": timezone.now()}
        )
    return HTML(string=html).write_pdf()


def statement_xlsx(*, statement: Statement) -> bytes:
    from openpyxl import Workbook  # imported by the first export, not by every web process
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Lines")[:31]
    sheets = [
        (
            sheet,
            [
                _("section"),
                _("kind"),
                _("reference"),
                _("order"),
                _("billing code"),
                _("channel"),
                _("time"),
                _("amount (Rp)"),
            ],
            [
                [
                    line.get_section_display(),
                    line.get_kind_display(),
                    line.reference,
                    line.order_code,
                    line.billing_code,
                    line.get_channel_display(),
                    timezone.localtime(line.occurred_at).strftime("%Y-%m-%d %H:%M"),
                    line.amount,
                ]
                for line in statement.lines.all()
            ],
        ),
        (
            book.create_sheet(_("Totals")[:31]),
            [_("figure"), _("amount (Rp)")],
            [
                [_("State fees (by NTPN)"), statement.state_fees],
                [_("Delivery fees"), statement.delivery_fees],
                [_("Collected at the door"), statement.door_collections],
                [_("Refunds"), statement.refunds],
                [_("Corrections (reversals)"), statement.corrections],
                [_("Total"), statement.total],
                *[[str(label), value] for label, value in statement_context(statement)["channels"]],  # type: ignore[attr-defined]
            ],
        ),
        (
            book.create_sheet(_("NTPN differences")[:31]),
            [_("difference"), _("NTPN"), _("billing code"), _("in the ledger (Rp)"), _("in the report (Rp)")],
            [
                [d.get_kind_display(), d.ntpn, d.billing_code, d.ledger_amount, d.report_amount]
                for d in statement.differences.all()
            ],
        ),
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
