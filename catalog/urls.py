from django.urls import path

from catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.consumable_list, name="consumable_list"),
    path("scan/", views.scan, name="scan"),
    path("products/<str:code>/", views.consumable_detail, name="consumable_detail"),
    path("publicity/", views.publicity, name="publicity"),
    path(
        "reference-prices/<int:pk>/<str:action>/",
        views.reference_price_action,
        name="reference_price_action",
    ),
    path("objections/", views.objections, name="objections"),
    path("objections/<int:pk>/resolve/", views.objection_resolve, name="objection_resolve"),
    path("sync-runs/", views.sync_runs, name="sync_runs"),
    path("imports/", views.imports, name="imports"),
    path("imports/<int:pk>/progress/", views.import_job_progress, name="import_job_progress"),
    path("imports/<int:pk>/retry/", views.import_job_retry, name="import_job_retry"),
]
