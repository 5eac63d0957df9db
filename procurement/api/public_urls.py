"""/api/v1/public/: the read-only public API (procurement/api/public.py) [R-DISCLOSE]."""

from django.urls import path

from procurement.api import public

urlpatterns = [
    path(
        "reference-prices/",
        public.PublicReferencePriceListApi.as_view(),
        name="reference_prices",
    ),
    path("listings/", public.PublicListingListApi.as_view(), name="listings"),
    path(
        "negotiation-results/",
        public.PublicNegotiationResultListApi.as_view(),
        name="negotiation_results",
    ),
    path("tender-rounds/", public.PublicTenderRoundListApi.as_view(), name="tender_rounds"),
    path("tender-results/", public.PublicTenderResultListApi.as_view(), name="tender_results"),
]
