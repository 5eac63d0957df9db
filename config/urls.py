from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from core import views as core_views
from core.api.calendar import CalendarDayDeleteApi, CalendarDayListCreateApi, CalendarYearListApi
from core.api.exports import ExportJobApi, ExportJobDownloadApi, ExportJobStartApi
from core.api.history import HistoryListApi
from core.api.home import HomeCardListApi
from core.api.policy import RegionPolicyApi
from procurement.api.events import EventFeedApi
from settlement.api.reconciliation import PublicDayHashListApi
from settlement.views.reconciliation import public_day_hashes

api_v1: list[URLPattern | URLResolver] = [
    path("accounts/", include(("accounts.api.urls", "accounts"), namespace="accounts")),
    path("catalog/", include(("catalog.api.urls", "catalog"), namespace="catalog")),
    path("procurement/", include(("procurement.api.urls", "procurement"), namespace="procurement")),
    path("settlement/", include(("settlement.api.urls", "settlement"), namespace="settlement")),
    path("supervision/", include(("supervision.api.urls", "supervision"), namespace="supervision")),
    path("region-policy/", RegionPolicyApi.as_view(), name="region_policy"),
    path("history/", HistoryListApi.as_view(), name="history"),
    path("home/", HomeCardListApi.as_view(), name="home"),
    path("calendar/years/", CalendarYearListApi.as_view(), name="calendar_years"),
    path("calendar/days/", CalendarDayListCreateApi.as_view(), name="calendar_days"),
    path("calendar/days/<int:pk>/", CalendarDayDeleteApi.as_view(), name="calendar_day"),
    path("exports/", ExportJobStartApi.as_view(), name="export_job_start"),
    path("exports/<int:pk>/", ExportJobApi.as_view(), name="export_job"),
    path(
        "exports/<int:pk>/download/",
        ExportJobDownloadApi.as_view(),
        name="export_job_download",
    ),
    # The HIS change feed of orders, deliveries and invoices, at the address HIS vendors are
    # given: /api/v1/events/?after=<cursor>.
    path("events/", EventFeedApi.as_view(), name="event_feed"),
    # The public API (no login, GET only, throttled per address) [R-DISCLOSE]; the ledger's
    # daily hashes are settlement's (procurement may not import it).
    path("public/ledger-hashes/", PublicDayHashListApi.as_view(), name="public_ledger_hashes"),
    path("public/", include(("procurement.api.public_urls", "public"), namespace="public")),
]

urlpatterns = [
    path("", include("core.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("accounts/", include("accounts.urls")),
    path("catalog/", include("catalog.urls")),
    path("procurement/", include("procurement.urls")),
    path("public/ledger-hashes/", public_day_hashes, name="public_ledger_hashes"),
    path("public/", include("procurement.public_urls")),
    path("settlement/", include("settlement.urls")),
    path("supervision/", include("supervision.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
]

handler404 = "core.views.not_found"

if settings.BENCH_ENDPOINTS:  # pragma: no cover  (make bench only, never in production)
    urlpatterns += [
        path("api/bench/", include("bench.urls")),
        path("bench/", include("bench.ui_urls")),
    ]
