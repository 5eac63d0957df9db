"""The left menu, by role: each entry names the action (core.permissions) that shows it."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.permissions import can


@dataclass(frozen=True)
class MenuItem:
    label: object
    url_name: str
    icon: str
    action: str | None = None


MENU: list[MenuItem] = [
    MenuItem(_("Home"), "core:home", "house"),
    MenuItem(_("Catalogue"), "catalog:consumable_list", "upc-scan", "catalog.view"),
    MenuItem(
        _("Reference price publicity"), "catalog:publicity", "megaphone", "reference_price.view"
    ),
    MenuItem(_("Price objections"), "catalog:objections", "chat-left-dots", "price_objection.view"),
    MenuItem(_("Lowest-price sync"), "catalog:sync_runs", "arrow-repeat", "sync_run.view"),
    MenuItem(_("Catalogue import"), "catalog:imports", "cloud-upload", "catalog.import"),
    MenuItem(_("Listings"), "procurement:listing_list", "shop", "listing.view"),
    MenuItem(
        _("Listing review queue"),
        "procurement:listing_review_queue",
        "clipboard-check",
        "listing.review",
    ),
    MenuItem(_("Purchase labels"), "procurement:listing_label_list", "tags", "listing.review"),
    MenuItem(_("Agreed prices"), "procurement:agreed_price_list", "cash-coin", "agreed_price.view"),
    MenuItem(_("Purchase plan"), "procurement:purchase_plan", "pie-chart", "purchase_plan.manage"),
    MenuItem(_("Emergency purchases"), "procurement:emergency_list", "lightning", "emergency.view"),
    MenuItem(
        _("Price negotiations"),
        "procurement:negotiation_list",
        "chat-square-dots",
        "negotiation.view",
    ),
    MenuItem(
        _("Hospital catalogue"), "procurement:catalogue_list", "journal-check", "catalogue.view"
    ),
    MenuItem(_("Tender rounds"), "procurement:round_list", "trophy", "round.manage"),
    MenuItem(_("Demand reports"), "procurement:demand_list", "clipboard-data", "demand.report"),
    MenuItem(
        _("Purchase contracts"), "procurement:contract_list", "file-earmark-check", "contract.view"
    ),
    MenuItem(_("Place an order"), "procurement:order_place", "cart-plus", "order.place"),
    MenuItem(_("Orders"), "procurement:order_list", "receipt", "order.view"),
    MenuItem(_("Delivery notes"), "procurement:delivery_list", "truck", "order.view"),
    MenuItem(_("Invoices"), "procurement:invoice_list", "file-earmark-text", "order.view"),
    MenuItem(
        _("Payment requests"),
        "settlement:payment_request_list",
        "wallet2",
        "payment_request.view",
    ),
    MenuItem(
        _("Settlement batches"),
        "settlement:settlement_batch_list",
        "bank",
        "settlement_batch.view",
    ),
    MenuItem(_("Usage records"), "procurement:usage_list", "clipboard2-pulse", "usage.view"),
    MenuItem(
        _("Fund settlements"), "settlement:fund_settlement_list", "bank", "fund_settlement.view"
    ),
    MenuItem(_("Advance fund"), "settlement:advance_list", "piggy-bank", "advance.view"),
    MenuItem(
        _("Ledger accounts"), "settlement:account_list", "journal-text", "fund_settlement.view"
    ),
    # [R-DIRECT] the fund's view with the direct-settlement ratio (the bureau, the agency).
    MenuItem(_("The fund"), "settlement:fund_view", "graph-up", "fund.view"),
    MenuItem(
        _("Bank statements"),
        "settlement:bank_statement_list",
        "file-earmark-spreadsheet",
        "bank_statement.view",
    ),
    # The bureau's dashboard (its home's panel, and this page with the charts).
    MenuItem(_("Dashboard"), "supervision:dashboard", "clipboard-data", "dashboard.view"),
    MenuItem(_("Five rates"), "supervision:five_rates", "speedometer2", "five_rates.view"),
    # [R-MONITOR] [R-RETAINED] [R-CUTS-1000]
    MenuItem(_("Monthly monitoring"), "supervision:monitoring", "activity", "monitoring.view"),
    MenuItem(
        _("Retained savings"), "supervision:retained_savings", "piggy-bank", "monitoring.view"
    ),
    MenuItem(
        _("Products cut in price"), "supervision:price_cut_list", "graph-down", "price_cuts.view"
    ),
    MenuItem(
        _("Price monitoring index"), "supervision:price_index", "bar-chart-line", "price_index.view"
    ),
    # supervision: credit [R-CREDIT] [R-MISCONDUCT]
    MenuItem(
        _("Credit events"), "supervision:credit_event_list", "shield-exclamation", "credit.view"
    ),
    MenuItem(_("Sanctions"), "supervision:sanction_list", "slash-circle", "credit.view"),
    MenuItem(
        _("Misconduct catalogue"),
        "supervision:misconduct_item_list",
        "list-check",
        "misconduct_item.manage",
    ),
    # supervision: quality reports [R-QUALITY]
    MenuItem(
        _("Quality reports"), "supervision:quality_report_list", "bandaid", "quality_report.view"
    ),
    MenuItem(_("Lot notices"), "supervision:lot_notice_list", "megaphone", "lot_notice.view"),
    # supervision: abnormal-use alerts [R-ALERT-USE] [R-MISCONDUCT]
    MenuItem(_("Alerts"), "supervision:alert_list", "exclamation-triangle", "alert.view"),
    MenuItem(_("Organisations"), "accounts:organization_list", "building", "organization.view"),
    MenuItem(_("API clients"), "accounts:api_client_list", "key", "api_client.view"),
    MenuItem(_("Region policy"), "core:region_policy", "sliders", "region_policy.view"),
    MenuItem(_("Working-day calendar"), "core:calendar", "calendar3", "calendar.manage"),
    MenuItem(_("Change history"), "core:history", "clock-history", "history.view"),
    MenuItem(
        _("Security log"), "accounts:security_event_list", "shield-lock", "security_event.view"
    ),
    # The exports the user asked for, being prepared or ready to download (core.export_jobs).
    MenuItem(_("My exports"), "core:export_jobs", "file-earmark-arrow-down", "order.view"),
    MenuItem(_("My notifications"), "supervision:notification_list", "bell", "notification.view"),
]


def menu_for(user) -> list[dict]:
    items = []
    for item in MENU:
        if item.action is None or can(user, item.action):
            items.append(
                {
                    "label": item.label,
                    "url": reverse(item.url_name),
                    "icon": item.icon,
                    "url_name": item.url_name,
                }
            )
    return items
