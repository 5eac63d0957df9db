"""Supervision's cards on the home page (core.home): the five rates below their thresholds in
the last frozen month [R-FIVE-RATES] (regulators: their jurisdiction's hospitals and
suppliers; a hospital or supplier: its own); [R-CREDIT] the bureau's credit events of
the month, repair applications to decide and sanctions in force; an organisation's own
sanctions in force; everyone's unread notifications. Each counted from the selector (and
filters) its linked list uses. Registered from SupervisionConfig.ready."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from core import clock
from core.home import CardQuery, register_card, register_panel, watches_jurisdiction
from supervision.choices import AlertStatus, QualityStatus, RepairStatus
from supervision.selectors import alerts, credit, five_rates, notifications, quality

BUREAU = {Role.BUREAU_OFFICER}
SUPPLIER = {Role.SUPPLIER_SALES}
EVERYONE = {
    Role.HOSPITAL_PURCHASER,
    Role.HOSPITAL_FINANCE,
    Role.SUPPLIER_SALES,
    Role.BUREAU_OFFICER,
    Role.AGENCY_FINANCE,
    Role.PLATFORM_ADMIN,
}


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
    keep_for=watches_jurisdiction,  # the frozen month's figures over the whole jurisdiction
)
def five_rates_below(actor) -> CardQuery:
    return CardQuery(
        rows=five_rates.five_rates_below_list(actor=actor),
        path=reverse("supervision:five_rates_below"),
        params={},
    )


@register_card(
    key="credit_events_this_month",
    title=_("Credit events this month"),
    roles=BUREAU,
    order=700,
)
def events_this_month(actor) -> CardQuery:
    month = clock.local_today().replace(day=1)
    return CardQuery(
        rows=credit.credit_event_list(actor=actor, month=month),
        path=reverse("supervision:credit_event_list"),
        params={"month": f"{month:%Y-%m}"},
    )


@register_card(
    key="credit_repairs_to_decide",
    title=_("Credit repairs to decide"),
    roles=BUREAU,
    order=701,
)
def repairs_to_decide(actor) -> CardQuery:
    return CardQuery(
        rows=credit.repair_list(actor=actor, status=[RepairStatus.PENDING]),
        path=reverse("supervision:credit_repair_list"),
        params={"status": RepairStatus.PENDING},
    )


@register_card(
    key="sanctions_in_force",
    title=_("Sanctions in force"),
    roles=BUREAU,
    order=702,
)
def sanctions_in_force(actor) -> CardQuery:
    return CardQuery(
        rows=credit.sanction_list(actor=actor),
        path=reverse("supervision:sanction_list"),
        params={},
    )


@register_card(
    key="my_sanctions_in_force",
    title=_("Sanctions on us in force"),
    roles=SUPPLIER,
    order=703,
)
def my_sanctions(actor) -> CardQuery:
    return CardQuery(
        rows=credit.sanction_list(actor=actor),
        path=reverse("supervision:sanction_list"),
        params={},
    )


@register_card(
    key="notifications_unread",
    title=_("Unread notifications"),
    roles=EVERYONE,
    order=990,
)
def notifications_unread(actor) -> CardQuery:
    return CardQuery(
        rows=notifications.notification_list(actor=actor, unread=True),
        path=reverse("supervision:notification_list"),
        params={"unread": "1"},
    )


# --- Quality reports [R-QUALITY] ---------------------------------------------------------------


@register_card(
    key="quality_reports_to_review",
    title=_("Quality reports to review"),
    roles=BUREAU,
    order=710,
)
def quality_reports_to_review(actor) -> CardQuery:
    return CardQuery(
        rows=quality.quality_report_list(actor=actor, status=[QualityStatus.FILED]),
        path=reverse("supervision:quality_report_list"),
        params={"status": QualityStatus.FILED},
    )


@register_card(
    key="lot_notices",
    title=_("Lot notices for us"),
    roles={Role.HOSPITAL_PURCHASER, Role.HOSPITAL_FINANCE},
    order=711,
)
def lot_notices(actor) -> CardQuery:
    return CardQuery(
        rows=quality.lot_notice_list(actor=actor),
        path=reverse("supervision:lot_notice_list"),
        params={},
    )


@register_card(
    key="quality_reports_on_our_products",
    title=_("Open quality reports on our products"),
    roles=SUPPLIER,
    order=712,
)
def quality_reports_on_our_products(actor) -> CardQuery:
    return CardQuery(
        rows=quality.quality_report_list(actor=actor, status=[QualityStatus.FILED]),
        path=reverse("supervision:quality_report_list"),
        params={"status": QualityStatus.FILED},
    )


# --- Abnormal-use alerts [R-ALERT-USE] [R-MISCONDUCT] ------------------------------------------


@register_card(
    key="alerts_open",
    title=_("Open alerts"),
    roles=BUREAU,
    order=705,
)
def alerts_open(actor) -> CardQuery:
    return CardQuery(
        rows=alerts.alert_list(actor=actor, status=[AlertStatus.OPEN]),
        path=reverse("supervision:alert_list"),
        params={"status": AlertStatus.OPEN},
    )


# The bureau's dashboard is its home (supervision.views.dashboard); hospitals and suppliers get
# their own five rates and rank there instead.
register_panel(
    key="dashboard",
    title=_("Dashboard"),
    roles={Role.BUREAU_OFFICER, Role.AGENCY_FINANCE, Role.PLATFORM_ADMIN},
    url_name="supervision:dashboard_panel",
    order=10,
)
register_panel(
    key="own_rates",
    title=_("Your five rates and rank"),
    roles={Role.HOSPITAL_PURCHASER, Role.HOSPITAL_FINANCE, Role.SUPPLIER_SALES},
    url_name="supervision:dashboard_own",
    order=10,
)
