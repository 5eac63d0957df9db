"""The public page of serious credit cases (阳光公开, no login) [R-CREDIT] [R-DISCLOSE]:
organisations whose serious (严重 / 特别严重) misconduct carries a public-disclosure sanction in
force. It shows the organisation (name, unified social credit code), the misconduct, its level
and dates, and never a person (who recorded it) or the evidence."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.ratelimit import public_rate_limit
from core.web import paginate
from supervision.selectors.credit import credit_public_cases


@require_GET
@public_rate_limit
def public_credit_cases(request):
    return render(
        request,
        "public/credit_cases.html",
        {"page": paginate(request, credit_public_cases())},
    )
