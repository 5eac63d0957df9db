from django.urls import path

from supervision.views import (
    alerts,
    credit,
    dashboard,
    five_rates,
    notifications,
    price_index,
    public,
    quality,
)

app_name = "supervision"

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/panel/", dashboard.dashboard_panel, name="dashboard_panel"),
    path("dashboard/own/", dashboard.dashboard_own, name="dashboard_own"),
    path("price-index/", price_index.price_index_page, name="price_index"),
    path("five-rates/", five_rates.five_rates, name="five_rates"),
    path("five-rates/below/", five_rates.five_rates_below, name="five_rates_below"),
    path("five-rates/report/", five_rates.five_rates_report, name="five_rates_report"),
    path("credit/events/", credit.credit_event_list, name="credit_event_list"),
    path("credit/events/new/", credit.credit_event_new, name="credit_event_new"),
    path("credit/events/<int:pk>/", credit.credit_event_detail, name="credit_event_detail"),
    path(
        "credit/events/<int:pk>/evidence/",
        credit.credit_event_evidence,
        name="credit_event_evidence",
    ),
    path("credit/events/<int:pk>/repair/", credit.credit_repair_apply, name="credit_repair_apply"),
    path("credit/repairs/", credit.credit_repair_list, name="credit_repair_list"),
    path(
        "credit/repairs/<int:pk>/evidence/",
        credit.credit_repair_evidence,
        name="credit_repair_evidence",
    ),
    path(
        "credit/repairs/<int:pk>/<slug:action>/",
        credit.credit_repair_decide,
        name="credit_repair_decide",
    ),
    path("credit/sanctions/", credit.sanction_list, name="sanction_list"),
    path("credit/items/", credit.misconduct_item_list, name="misconduct_item_list"),
    path("credit/items/<int:pk>/", credit.misconduct_item_edit, name="misconduct_item_edit"),
    path("notifications/", notifications.notification_list, name="notification_list"),
    path("notifications/<int:pk>/read/", notifications.notification_read, name="notification_read"),
    path(
        "notifications/read-all/",
        notifications.notifications_read_all,
        name="notifications_read_all",
    ),
    path("quality/", quality.quality_report_list, name="quality_report_list"),
    path("quality/new/", quality.quality_report_new, name="quality_report_new"),
    path("quality/<int:pk>/", quality.quality_report_detail, name="quality_report_detail"),
    path(
        "quality/<int:pk>/<slug:action>/",
        quality.quality_report_decide,
        name="quality_report_decide",
    ),
    path("quality/notices/", quality.lot_notice_list, name="lot_notice_list"),
    path("quality/notices/<int:pk>/", quality.lot_notice_detail, name="lot_notice_detail"),
    path("alerts/", alerts.alert_list, name="alert_list"),
    path("alerts/rules/", alerts.alert_rule_list, name="alert_rule_list"),
    path("alerts/rules/<slug:code>/", alerts.alert_rule_edit, name="alert_rule_edit"),
    path("alerts/<int:pk>/", alerts.alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/<slug:action>/", alerts.alert_act, name="alert_act"),
    path("public/credit-cases/", public.public_credit_cases, name="public_credit_cases"),
]
