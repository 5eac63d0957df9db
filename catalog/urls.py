from django.urls import path

from catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.consumable_list, name="consumable_list"),
    path("scan/", views.scan, name="scan"),
    path("products/<str:code>/", views.consumable_detail, name="consumable_detail"),
]
