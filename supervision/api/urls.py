from django.urls import path

from supervision.api import five_rates, price_index

urlpatterns = [
    path("five-rates/", five_rates.FiveRatesApi.as_view(), name="five_rates"),
    path(
        "five-rates/months/", five_rates.FiveRatesMonthListApi.as_view(), name="five_rates_months"
    ),
    path("five-rates/report/", five_rates.FiveRatesReportApi.as_view(), name="five_rates_report"),
    path("price-index/", price_index.PriceIndexApi.as_view(), name="price_index"),
]
