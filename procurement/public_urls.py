"""The public section's pages (/public/, no login) [R-DISCLOSE]: procurement/views/public.py."""

from django.urls import path

from procurement.views import public

app_name = "public"

urlpatterns = [
    path("", public.index, name="index"),
    path("reference-prices/", public.reference_prices, name="reference_prices"),
    path("listings/", public.listings, name="listings"),
    path("negotiation-results/", public.negotiation_results, name="negotiation_results"),
    path("tender-results/", public.tender_results, name="tender_results"),
    path("tender-results/<int:pk>/", public.tender_round, name="tender_round"),
]
