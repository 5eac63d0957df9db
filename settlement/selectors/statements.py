"""The supplier's payment statement (XLSX) [R-PAY-30]: per invoice it requested payment for,
the hospital, the request, the amount, whether it was disputed (and why) or paid, when, and by
which settlement batch or directly by the fund [R-DIRECT]. The same rows as the payments by
invoice page (settlement.selectors.payments.payment_line_list), whatever the page shows."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet

from core import clock
from core.exports import xlsx_response
from settlement.choices import PaymentMethod
from settlement.models import PaymentRequestLine


def payment_statement_headers() -> list[str]:
    from django.utils.translation import gettext as _

    return [
        _("Invoice number"),
        _("Hospital"),
        _("Supplier"),
        _("Payment request"),
        _("Requested at"),
        _("Amount (CNY)"),
        _("Status"),
        _("Dispute reason"),
        _("Paid to the supplier at"),
        _("Paid by"),
    ]


def _paid_by(line: PaymentRequestLine) -> str:
    from django.utils.translation import gettext as _

    request = line.request
    if request.method == PaymentMethod.DIRECT:
        return _("directly by the fund")
    return request.batch.number if request.batch is not None else ""


def _local(value) -> str:
    return clock.to_local(value).strftime("%Y-%m-%d %H:%M") if value else ""


def payment_statement_rows(lines: QuerySet[PaymentRequestLine]) -> Iterator[list]:
    """One row per line, streamed (core.exports.xlsx_response caps the count, a clear 400)."""
    return (
        [
            line.invoice.number,
            line.request.hospital.name,
            line.request.supplier.name,
            line.request.number,
            _local(line.request.requested_at),
            line.amount,
            line.get_status_display(),
            line.dispute_reason,
            _local(line.paid_at),
            _paid_by(line),
        ]
        for line in lines.iterator(chunk_size=2000)
    )


def payment_statement_name() -> str:
    return f"payment-statement-{clock.local_today():%Y%m%d}.xlsx"


def payment_statement_response(lines: QuerySet[PaymentRequestLine]):
    """The statement as an XLSX download (the page's and the API's)."""
    from django.utils.translation import gettext as _

    return xlsx_response(
        payment_statement_name(),
        payment_statement_headers(),
        payment_statement_rows(lines),
        sheet=_("Payment statement"),
    )
