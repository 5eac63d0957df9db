"""The usage records page: consumables used in operations, as the hospitals' HIS reported them
(procurement/api/usage.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from core.exports import export_response
from core.permissions import require
from core.web import paginate, wants_xlsx
from procurement import exports
from procurement.forms.usage import UsageSearchForm
from procurement.selectors import usage as usage_selectors
from procurement.views.common import is_hospital

T = "procurement/orders/"


@login_required
def usage_list(request):
    """Consumables used in operations, as the hospitals' HIS reported them."""
    user = request.user
    require(user, "usage.view")
    if wants_xlsx(request):
        return export_response(user, exports.USAGE_RECORDS, request.GET)
    form = UsageSearchForm(request.GET if request.GET else None)
    filters = form.filters()
    rows = usage_selectors.usage_list(
        actor=user,
        doctor_code=filters.get("doctor_code", ""),
        department=filters.get("department", ""),
        operation_id=filters.get("operation_id", ""),
        used_from=filters.get("date_from"),
        used_to=filters.get("date_to"),
        flagged=filters.get("flagged", ""),
    )
    return render(
        request,
        T + "usage_list.html",
        {
            "page": paginate(request, rows),
            "form": form,
            "params": request.GET,
            "many_hospitals": not is_hospital(user),
        },
    )
