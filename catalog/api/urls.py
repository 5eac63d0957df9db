from django.urls import path

from catalog.api import views

urlpatterns = [
    path("consumables/", views.ConsumableListApi.as_view(), name="consumable_list"),
    path("consumables/<str:code>/", views.ConsumableDetailApi.as_view(), name="consumable_detail"),
    path("scan/", views.ScanApi.as_view(), name="scan"),
    path("reference-prices/", views.ReferencePriceListApi.as_view(), name="reference_price_list"),
    path("objections/", views.PriceObjectionListApi.as_view(), name="objection_list"),
    path("sync-runs/", views.SyncRunListApi.as_view(), name="sync_run_list"),
    path("imports/<int:pk>/", views.ImportJobDetailApi.as_view(), name="import_job_detail"),
    path(
        "crosswalk-conflicts/",
        views.CrosswalkConflictListApi.as_view(),
        name="crosswalk_conflict_list",
    ),
]
