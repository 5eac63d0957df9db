from django.urls import path

from supervision.views import five_rates, price_index

app_name = "supervision"

urlpatterns = [
    path("price-index/", price_index.price_index_page, name="price_index"),
    path("five-rates/", five_rates.five_rates, name="five_rates"),
    path("five-rates/below/", five_rates.five_rates_below, name="five_rates_below"),
    path("five-rates/report/", five_rates.five_rates_report, name="five_rates_report"),
]
