from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("history/", views.history, name="history"),
    path("region-policy/", views.region_policy, name="region_policy"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<int:pk>/delete/", views.calendar_day_delete, name="calendar_day_delete"),
    path("exports/", views.export_job_list, name="export_jobs"),
    path("exports/start/<slug:kind>/", views.export_start, name="export_start"),
    path("exports/<int:pk>/", views.export_job, name="export_job"),
    path("exports/<int:pk>/progress/", views.export_job_progress, name="export_job_progress"),
    path("exports/<int:pk>/download/", views.export_job_download, name="export_job_download"),
]
