"""The usage records page: consumables used in operations, as the hospitals' HIS reported them
(procurement/api/usage.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exports import xlsx_response
from core.permissions import require
from core.web import local_time, paginate, wants_xlsx
from procurement.forms.usage import UsageSearchForm
from procurement.selectors import usage as usage_selectors
from procurement.views.common import is_hospital

T = "procurement/orders/"


USAGE_EXPORT_HEADERS = (
    gettext_lazy("Used at"),
    gettext_lazy("Hospital"),
    gettext_lazy("National code"),
    gettext_lazy("Product"),
    gettext_lazy("Brand (manufacturer)"),
    gettext_lazy("UDI-DI"),
    gettext_lazy("Lot"),
    gettext_lazy("Serial"),
    gettext_lazy("Quantity"),
    gettext_lazy("Operation id"),
    gettext_lazy("Doctor's staff code"),
    gettext_lazy("Department"),
    gettext_lazy("Price charged to the patient"),
)


@login_required
def usage_list(request):
    """Consumables used in operations, as the hospitals' HIS reported them."""
    user = request.user
    require(user, "usage.view")
    form = UsageSearchForm(request.GET if request.GET else None)
    filters = form.filters()
    rows = usage_selectors.usage_list(
        actor=user,
        doctor_code=filters.get("doctor_code", ""),
        department=filters.get("department", ""),
        operation_id=filters.get("operation_id", ""),
        used_from=filters.get("date_from"),
        used_to=filters.get("date_to"),
    )
    if wants_xlsx(request):
        return xlsx_response(
            "usage-records.xlsx",
            USAGE_EXPORT_HEADERS,
            (
                [
                    local_time(u.used_at),
                    u.hospital.name,
                    u.consumable.code,
                    u.consumable.product_name,
                    u.manufacturer.name if u.manufacturer else "",
                    u.udi_di,
                    u.lot,
                    u.serial,
                    u.quantity,
                    u.operation_id,
                    u.doctor_code,
                    u.department,
                    u.charged_price,
                ]
                for u in rows.iterator(chunk_size=1000)
            ),
            sheet=_("Usage records"),
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
