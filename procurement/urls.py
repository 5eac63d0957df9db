from django.urls import path  # noqa: F401  (pages arrive with their issue)

app_name = "procurement"

urlpatterns: list = []
