"""Reconciliation's pages [R-ESCROW]: a ledger check's findings; the escrow account's bank
statements (the agency imports them, the bureau reads them), each with its matched lines, its
unmatched lines and the recorded transfers missing from it; and, in the public section (no
login), each day's last ledger hash. The same services and selectors as
settlement/api/reconciliation.py (a refusal is shown as a message by core.middleware, an
import's problems on the page itself)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import NotFoundError
from core.permissions import can, require
from core.ratelimit import public_rate_limit
from core.web import paginate
from settlement.errors import BankStatementDuplicateError, BankStatementFileError
from settlement.selectors import ledger as ledger_selectors
from settlement.selectors import reconciliation as selectors
from settlement.services import reconciliation as services

T = "settlement/reconciliation/"


@login_required
def ledger_check_detail(request, pk: int):
    """One daily check: what it read and each finding with its figures."""
    check = ledger_selectors.ledger_check_list(actor=request.user).filter(pk=pk).first()
    if check is None:
        raise NotFoundError()
    findings = [
        {**finding, "label": selectors.finding_label(finding.get("check", ""))}
        for finding in check.findings
    ]
    return render(request, T + "check.html", {"check": check, "findings": findings})


def _statement_list(request, *, problems=None, error=None, status=200):
    user = request.user
    return render(
        request,
        T + "statements.html",
        {
            "page": paginate(request, selectors.bank_statement_list(actor=user)),
            "can_import": can(user, "bank_statement.import"),
            "unmatched": selectors.unmatched_line_list(actor=user).count(),
            "problems": problems,
            "error": error,
            "max_mb": services.MAX_STATEMENT_BYTES // (1024 * 1024),
        },
        status=status,
    )


@login_required
def bank_statement_list(request):
    require(request.user, "bank_statement.view")
    return _statement_list(request)


@login_required
@require_POST
def bank_statement_import(request):
    """The agency uploads the escrow account's statement (CSV): refused whole, every problem
    shown with its row and column."""
    user = request.user
    require(user, "bank_statement.import")
    upload = request.FILES.get("file")
    if upload is None:
        return _statement_list(request, error=_("Choose the statement's CSV file."), status=400)
    if upload.size > services.MAX_STATEMENT_BYTES:
        return _statement_list(request, error=_("The file is larger than 5 MB."), status=400)
    try:
        statement = services.bank_statement_import(
            actor=user, file_name=upload.name, data=upload.read()
        )
    except BankStatementFileError as refused:
        return _statement_list(
            request, error=refused.message, problems=refused.extra["problems"], status=400
        )
    except BankStatementDuplicateError as refused:
        return _statement_list(request, error=refused.message, status=409)
    messages.success(
        request,
        _("Statement imported: %(lines)s lines, %(matched)s matched.")
        % {
            "lines": statement.line_count,
            "matched": selectors.statement_summary(statement=statement)["matched"],
        },
    )
    return redirect("settlement:bank_statement_detail", pk=statement.pk)


@login_required
def bank_statement_detail(request, pk: int):
    user = request.user
    statement = selectors.bank_statement_get(actor=user, statement_id=pk)
    lines = list(selectors.statement_lines(statement=statement))
    return render(
        request,
        T + "statement.html",
        {
            "statement": statement,
            "matched": [line for line in lines if hasattr(line, "match")],
            "unmatched": [line for line in lines if not hasattr(line, "match")],
            "missing_payments": selectors.missing_payments(statement=statement),
            "missing_payouts": selectors.missing_payouts(statement=statement),
            "can_match": can(user, "bank_statement.import"),
        },
    )


@login_required
@require_POST
def bank_statement_match(request, pk: int):
    count = services.bank_statement_match(actor=request.user, statement_id=pk)
    messages.success(request, _("%(count)s more lines matched.") % {"count": count})
    return redirect("settlement:bank_statement_detail", pk=pk)


@login_required
def unmatched_line_list(request):
    """Every statement line no recorded transfer accounts for (the home card's list)."""
    rows = selectors.unmatched_line_list(actor=request.user)
    return render(request, T + "unmatched.html", {"page": paginate(request, rows)})


@require_GET
@public_rate_limit
def public_day_hashes(request: HttpRequest) -> HttpResponseBase:
    """[R-ESCROW] [R-DISCLOSE] each day's last ledger entry and its hash, no login: anyone can
    keep them and see that the books were not rewritten after."""
    return render(
        request,
        "public/ledger_hashes.html",
        {"page": paginate(request, selectors.day_hash_public_list())},
    )
