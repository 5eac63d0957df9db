from django.urls import path

from supervision import views

app_name = "supervision"

urlpatterns = [
    path("five-rates/", views.five_rates, name="five_rates"),
    path("five-rates/below/", views.five_rates_below, name="five_rates_below"),
    path("five-rates/report/", views.five_rates_report, name="five_rates_report"),
]
