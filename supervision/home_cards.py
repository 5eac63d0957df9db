"""Supervision's cards on the home page (core.home) [R-FIVE-RATES]: the five rates below their
thresholds in the last frozen month (regulators: their jurisdiction's hospitals and suppliers;
a hospital or supplier: its own), counted from the selector the linked list uses. Registered
from SupervisionConfig.ready."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from core.home import CardQuery, register_card
from supervision.selectors import five_rates


@register_card(
    key="five_rates_below",
    title=_("Five rates below threshold last month"),
    roles={
        Role.BUREAU_OFFICER,
        Role.AGENCY_FINANCE,
        Role.PLATFORM_ADMIN,
        Role.HOSPITAL_PURCHASER,
        Role.HOSPITAL_FINANCE,
        Role.SUPPLIER_SALES,
    },
    order=600,
)
def five_rates_below(actor) -> CardQuery:
    return CardQuery(
        rows=five_rates.five_rates_below_list(actor=actor),
        path=reverse("supervision:five_rates_below"),
        params={},
    )
