from django.urls import path

from supervision.api import (
    alerts,
    credit,
    dashboard,
    five_rates,
    monitoring,
    notifications,
    price_index,
    quality,
)

urlpatterns = [
    path("dashboard/", dashboard.DashboardApi.as_view(), name="dashboard"),
    path("dashboard/own/", dashboard.DashboardOwnApi.as_view(), name="dashboard_own"),
    path("five-rates/", five_rates.FiveRatesApi.as_view(), name="five_rates"),
    path(
        "five-rates/months/", five_rates.FiveRatesMonthListApi.as_view(), name="five_rates_months"
    ),
    path("five-rates/report/", five_rates.FiveRatesReportApi.as_view(), name="five_rates_report"),
    path("price-index/", price_index.PriceIndexApi.as_view(), name="price_index"),
    path("monitoring/", monitoring.MonitoringApi.as_view(), name="monitoring"),
    path("retained-savings/", monitoring.RetainedSavingsApi.as_view(), name="retained_savings"),
    path("price-cuts/", monitoring.PriceCutListApi.as_view(), name="price_cuts"),
    path(
        "price-cuts/progress/",
        monitoring.PriceCutProgressApi.as_view(),
        name="price_cut_progress",
    ),
    path("credit/items/", credit.MisconductItemListApi.as_view(), name="misconduct_items"),
    path(
        "credit/items/<int:pk>/", credit.MisconductItemDetailApi.as_view(), name="misconduct_item"
    ),
    path("credit/events/", credit.CreditEventListCreateApi.as_view(), name="credit_events"),
    path("credit/events/<int:pk>/", credit.CreditEventDetailApi.as_view(), name="credit_event"),
    path(
        "credit/events/<int:pk>/actions/",
        credit.CreditEventActionsApi.as_view(),
        name="credit_event_actions",
    ),
    path(
        "credit/events/<int:pk>/repair/",
        credit.CreditRepairApplyApi.as_view(),
        name="credit_repair_apply",
    ),
    path("credit/repairs/", credit.CreditRepairListApi.as_view(), name="credit_repairs"),
    path(
        "credit/repairs/<int:pk>/actions/",
        credit.CreditRepairActionsApi.as_view(),
        name="credit_repair_actions",
    ),
    path(
        "credit/repairs/<int:pk>/approve/",
        credit.CreditRepairApproveApi.as_view(),
        name="credit_repair_approve",
    ),
    path(
        "credit/repairs/<int:pk>/reject/",
        credit.CreditRepairRejectApi.as_view(),
        name="credit_repair_reject",
    ),
    path("credit/sanctions/", credit.SanctionListApi.as_view(), name="sanctions"),
    path("credit/standing/", credit.CreditStandingApi.as_view(), name="credit_standing"),
    path(
        "public/credit-cases/",
        credit.PublicCreditCaseListApi.as_view(),
        name="public_credit_cases",
    ),
    path("notifications/", notifications.NotificationListApi.as_view(), name="notifications"),
    path(
        "notifications/unread-count/",
        notifications.NotificationUnreadCountApi.as_view(),
        name="notifications_unread_count",
    ),
    path(
        "notifications/<int:pk>/read/",
        notifications.NotificationReadApi.as_view(),
        name="notification_read",
    ),
    path(
        "notifications/read-all/",
        notifications.NotificationReadAllApi.as_view(),
        name="notifications_read_all",
    ),
    path("alerts/", alerts.AlertListApi.as_view(), name="alerts"),
    path("alerts/rules/", alerts.AlertRuleListApi.as_view(), name="alert_rules"),
    path("alerts/rules/<slug:code>/", alerts.AlertRuleDetailApi.as_view(), name="alert_rule"),
    path("alerts/<int:pk>/", alerts.AlertDetailApi.as_view(), name="alert"),
    path("alerts/<int:pk>/actions/", alerts.AlertActionsApi.as_view(), name="alert_actions"),
    path(
        "alerts/<int:pk>/acknowledge/",
        alerts.AlertAcknowledgeApi.as_view(),
        name="alert_acknowledge",
    ),
    path("alerts/<int:pk>/assign/", alerts.AlertAssignApi.as_view(), name="alert_assign"),
    path("alerts/<int:pk>/resolve/", alerts.AlertResolveApi.as_view(), name="alert_resolve"),
    path("alerts/<int:pk>/dismiss/", alerts.AlertDismissApi.as_view(), name="alert_dismiss"),
    path("quality/", quality.QualityReportListCreateApi.as_view(), name="quality_reports"),
    path("quality/counts/", quality.QualityReportCountsApi.as_view(), name="quality_report_counts"),
    path("quality/<int:pk>/", quality.QualityReportDetailApi.as_view(), name="quality_report"),
    path(
        "quality/<int:pk>/actions/",
        quality.QualityReportActionsApi.as_view(),
        name="quality_report_actions",
    ),
    path(
        "quality/<int:pk>/confirm/",
        quality.QualityReportConfirmApi.as_view(),
        name="quality_report_confirm",
    ),
    path(
        "quality/<int:pk>/dismiss/",
        quality.QualityReportDismissApi.as_view(),
        name="quality_report_dismiss",
    ),
    path("quality/notices/", quality.LotNoticeListApi.as_view(), name="lot_notices"),
    path("quality/notices/<int:pk>/", quality.LotNoticeDetailApi.as_view(), name="lot_notice"),
]
