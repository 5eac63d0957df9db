from django.urls import path

from catalog.api import actions, views

urlpatterns = [
    path("categories/", views.CategoryListApi.as_view(), name="category_list"),
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
    path(
        "reference-prices/<int:pk>/actions/",
        views.ReferencePriceActionsApi.as_view(),
        name="reference_price_actions",
    ),
    path(
        "reference-prices/<int:pk>/publicity/",
        actions.ReferencePricePublicityStartApi.as_view(),
        name="reference_price_publicity",
    ),
    path(
        "reference-prices/<int:pk>/confirm/",
        actions.ReferencePriceConfirmApi.as_view(),
        name="reference_price_confirm",
    ),
    path(
        "reference-prices/<int:pk>/withdraw/",
        actions.ReferencePriceWithdrawApi.as_view(),
        name="reference_price_withdraw",
    ),
    path(
        "reference-prices/<int:pk>/objections/",
        actions.PriceObjectionRaiseApi.as_view(),
        name="objection_raise",
    ),
    path(
        "objections/<int:pk>/resolve/",
        actions.PriceObjectionResolveApi.as_view(),
        name="objection_resolve",
    ),
    path("sync-runs/start/", actions.SyncRunStartApi.as_view(), name="sync_run_start"),
    path("imports/", actions.ImportJobCreateApi.as_view(), name="import_job_create"),
    path("imports/<int:pk>/retry/", actions.ImportJobRetryApi.as_view(), name="import_job_retry"),
]
