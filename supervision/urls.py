from django.urls import path

from supervision.views import price_index

app_name = "supervision"

urlpatterns = [
    path("price-index/", price_index.price_index_page, name="price_index"),
]
