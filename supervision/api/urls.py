from django.urls import path

from supervision.api import price_index

urlpatterns = [
    path("price-index/", price_index.PriceIndexApi.as_view(), name="price_index"),
]
