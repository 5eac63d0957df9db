from django.urls import path

from supervision.views import (
    credit,
    five_rates,
    monitoring,
    notifications,
    price_cuts,
    price_index,
    public,
    quality,
    retained_savings,
)

app_name = "supervision"

urlpatterns = [
    path("price-index/", price_index.price_index_page, name="price_index"),
    path("five-rates/", five_rates.five_rates, name="five_rates"),
    path("monitoring/", monitoring.monitoring, name="monitoring"),
    path("retained-savings/", retained_savings.retained_savings, name="retained_savings"),
    path("price-cuts/", price_cuts.price_cut_list, name="price_cut_list"),
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
    path("public/credit-cases/", public.public_credit_cases, name="public_credit_cases"),
]
