from django.urls import path

from procurement.api import (
    agreed_prices,
    awards,
    bids,
    cart,
    catalogue,
    deliveries,
    emergency,
    invoices,
    listings,
    negotiations,
    orders,
    purchase_plans,
    rounds,
    usage,
)

urlpatterns = [
    # What follows a final round: award, choices, allocation, renewal, contracts, standards.
    path("rounds/<int:pk>/awards/", awards.RoundAwardApi.as_view(), name="round_awards"),
    path(
        "rounds/<int:pk>/awards/actions/",
        awards.RoundAwardActionsApi.as_view(),
        name="round_award_actions",
    ),
    path(
        "rounds/<int:pk>/apply-results/",
        awards.RoundApplyResultsApi.as_view(),
        name="round_apply_results",
    ),
    path("rounds/<int:pk>/choices/", awards.RoundChoicesApi.as_view(), name="round_choices"),
    path("rounds/<int:pk>/allocate/", awards.RoundAllocateApi.as_view(), name="round_allocate"),
    path(
        "rounds/<int:pk>/groups/<int:group>/renewal/",
        awards.GroupRenewalApi.as_view(),
        name="group_renewal",
    ),
    path("contracts/", awards.ContractListApi.as_view(), name="contract_list"),
    path("contracts/<int:pk>/", awards.ContractDetailApi.as_view(), name="contract_detail"),
    path(
        "contracts/<int:pk>/actions/", awards.ContractActionsApi.as_view(), name="contract_actions"
    ),
    path("contracts/<int:pk>/sign/", awards.ContractSignApi.as_view(), name="contract_sign"),
    path("payment-standards/", awards.PaymentStandardApi.as_view(), name="payment_standard"),
    # Sealed bids: custodians, shares, bids, withdrawals, refusals, opening, public results.
    path("rounds/<int:pk>/custodians/", bids.RoundCustodiansApi.as_view(), name="round_custodians"),
    path("rounds/<int:pk>/share/collect/", bids.ShareCollectApi.as_view(), name="share_collect"),
    path("rounds/<int:pk>/share/enter/", bids.ShareEnterApi.as_view(), name="share_enter"),
    path("rounds/<int:pk>/open/", bids.RoundOpenApi.as_view(), name="round_open"),
    path("rounds/<int:pk>/finalise/", bids.RoundFinaliseApi.as_view(), name="round_finalise"),
    path("rounds/<int:pk>/bids/", bids.RoundBidListApi.as_view(), name="round_bids"),
    path(
        "rounds/<int:pk>/bids/<int:bid>/withdraw/",
        bids.BidWithdrawApi.as_view(),
        name="bid_withdraw",
    ),
    path(
        "rounds/<int:pk>/bid-refusals/",
        bids.RoundBidRefusalListApi.as_view(),
        name="round_bid_refusals",
    ),
    path(
        "rounds/<int:pk>/results/",
        bids.RoundPublicResultsApi.as_view(),
        name="round_public_results",
    ),
    # Volume-based procurement: rounds, groups, amendments, dry run, demand.
    path("rounds/", rounds.RoundListApi.as_view(), name="round_list"),
    path("rounds/<int:pk>/", rounds.RoundDetailApi.as_view(), name="round_detail"),
    path("rounds/<int:pk>/actions/", rounds.RoundActionsApi.as_view(), name="round_actions"),
    path("rounds/<int:pk>/publish/", rounds.RoundPublishApi.as_view(), name="round_publish"),
    path("rounds/<int:pk>/amend/", rounds.RoundAmendApi.as_view(), name="round_amend"),
    path("rounds/<int:pk>/groups/", rounds.RoundGroupListApi.as_view(), name="round_groups"),
    path(
        "rounds/<int:pk>/groups/<int:group>/",
        rounds.RoundGroupDetailApi.as_view(),
        name="round_group_detail",
    ),
    path("rounds/<int:pk>/dry-run/", rounds.RoundDryRunApi.as_view(), name="round_dry_run"),
    path("rounds/<int:pk>/demand/", rounds.RoundDemandApi.as_view(), name="round_demand"),
    path("demand/<int:pk>/review/", rounds.DemandReviewApi.as_view(), name="demand_review"),
    # Listings, labels, price changes, agreed prices, purchase plan and cap.
    path("listings/", listings.ListingListApi.as_view(), name="listing_list"),
    path(
        "listings/available/",
        listings.ListingAvailableListApi.as_view(),
        name="listing_available",
    ),
    path("listings/<int:pk>/", listings.ListingDetailApi.as_view(), name="listing_detail"),
    path(
        "listings/<int:pk>/actions/", listings.ListingActionsApi.as_view(), name="listing_actions"
    ),
    path("listings/<int:pk>/submit/", listings.ListingSubmitApi.as_view(), name="listing_submit"),
    path(
        "listings/<int:pk>/evidence/",
        listings.ListingEvidenceApi.as_view(),
        name="listing_evidence",
    ),
    path(
        "listings/<int:pk>/evidence/<int:evidence_id>/",
        listings.ListingEvidenceDownloadApi.as_view(),
        name="listing_evidence_download",
    ),
    path(
        "listings/<int:pk>/approve/", listings.ListingApproveApi.as_view(), name="listing_approve"
    ),
    path("listings/<int:pk>/reject/", listings.ListingRejectApi.as_view(), name="listing_reject"),
    path(
        "listings/<int:pk>/suspend/", listings.ListingSuspendApi.as_view(), name="listing_suspend"
    ),
    path(
        "listings/<int:pk>/reinstate/",
        listings.ListingReinstateApi.as_view(),
        name="listing_reinstate",
    ),
    path("listings/<int:pk>/delist/", listings.ListingDelistApi.as_view(), name="listing_delist"),
    path("listings/<int:pk>/label/", listings.ListingLabelApi.as_view(), name="listing_label"),
    path(
        "listings/<int:pk>/distributors/",
        listings.ListingDistributorsApi.as_view(),
        name="listing_distributors",
    ),
    path(
        "listings/<int:pk>/price-changes/",
        listings.ListingPriceChangeRequestApi.as_view(),
        name="listing_price_change_request",
    ),
    path("price-changes/", listings.PriceChangeListApi.as_view(), name="price_change_list"),
    path(
        "price-changes/<int:pk>/actions/",
        listings.PriceChangeActionsApi.as_view(),
        name="price_change_actions",
    ),
    path(
        "price-changes/<int:pk>/approve/",
        listings.PriceChangeApproveApi.as_view(),
        name="price_change_approve",
    ),
    path(
        "price-changes/<int:pk>/reject/",
        listings.PriceChangeRejectApi.as_view(),
        name="price_change_reject",
    ),
    path("agreed-prices/", agreed_prices.AgreedPriceListApi.as_view(), name="agreed_price_list"),
    path(
        "agreed-prices/<int:pk>/actions/",
        agreed_prices.AgreedPriceActionsApi.as_view(),
        name="agreed_price_actions",
    ),
    path(
        "agreed-prices/<int:pk>/accept/",
        agreed_prices.AgreedPriceAcceptApi.as_view(),
        name="agreed_price_accept",
    ),
    path(
        "agreed-prices/<int:pk>/decline/",
        agreed_prices.AgreedPriceDeclineApi.as_view(),
        name="agreed_price_decline",
    ),
    path(
        "agreed-prices/<int:pk>/end/",
        agreed_prices.AgreedPriceEndApi.as_view(),
        name="agreed_price_end",
    ),
    path("purchase-plan/", purchase_plans.PurchasePlanApi.as_view(), name="purchase_plan"),
    path(
        "purchase-plans/", purchase_plans.PurchasePlanListApi.as_view(), name="purchase_plan_list"
    ),
    path(
        "purchase-plans/<int:pk>/actions/",
        purchase_plans.PurchasePlanActionsApi.as_view(),
        name="purchase_plan_actions",
    ),
    path(
        "purchase-plans/<int:pk>/approve/",
        purchase_plans.PurchasePlanApproveApi.as_view(),
        name="purchase_plan_approve",
    ),
    path(
        "purchase-plans/<int:pk>/reject/",
        purchase_plans.PurchasePlanRejectApi.as_view(),
        name="purchase_plan_reject",
    ),
    path("cap/", purchase_plans.CapStatusApi.as_view(), name="cap_status"),
    # Emergency purchases [R-EMERG-DEADLINE] [R-EMERG-CAP].
    path(
        "emergency-purchases/",
        emergency.EmergencyPurchaseListCreateApi.as_view(),
        name="emergency_list",
    ),
    path("emergency-purchases/cap/", emergency.EmergencyCapApi.as_view(), name="emergency_cap"),
    path(
        "emergency-purchases/<int:pk>/",
        emergency.EmergencyPurchaseDetailApi.as_view(),
        name="emergency_detail",
    ),
    path(
        "emergency-purchases/<int:pk>/actions/",
        emergency.EmergencyPurchaseActionsApi.as_view(),
        name="emergency_actions",
    ),
    path(
        "emergency-purchases/<int:pk>/approve/",
        emergency.EmergencyPurchaseApproveApi.as_view(),
        name="emergency_approve",
    ),
    path(
        "emergency-purchases/<int:pk>/reject/",
        emergency.EmergencyPurchaseRejectApi.as_view(),
        name="emergency_reject",
    ),
    path(
        "emergency-violations/",
        emergency.EmergencyViolationListApi.as_view(),
        name="emergency_violation_list",
    ),
    # Negotiations [R-NEGOTIATION].
    path("negotiations/", negotiations.NegotiationListOpenApi.as_view(), name="negotiation_list"),
    path(
        "negotiations/linked-import/",
        negotiations.NegotiationLinkedImportApi.as_view(),
        name="negotiation_linked_import",
    ),
    path(
        "negotiations/<int:pk>/",
        negotiations.NegotiationDetailApi.as_view(),
        name="negotiation_detail",
    ),
    path(
        "negotiations/<int:pk>/actions/",
        negotiations.NegotiationActionsApi.as_view(),
        name="negotiation_actions",
    ),
    path(
        "negotiations/<int:pk>/invite/",
        negotiations.NegotiationInviteApi.as_view(),
        name="negotiation_invite",
    ),
    path(
        "negotiations/<int:pk>/counter/",
        negotiations.NegotiationCounterApi.as_view(),
        name="negotiation_counter",
    ),
    path(
        "negotiations/<int:pk>/conclude/",
        negotiations.NegotiationConcludeApi.as_view(),
        name="negotiation_conclude",
    ),
    path(
        "negotiations/<int:pk>/cancel/",
        negotiations.NegotiationCancelApi.as_view(),
        name="negotiation_cancel",
    ),
    path(
        "negotiations/<int:pk>/items/<int:item>/offer/",
        negotiations.NegotiationOfferApi.as_view(),
        name="negotiation_offer",
    ),
    path(
        "negotiations/<int:pk>/items/<int:item>/accept-target/",
        negotiations.NegotiationAcceptCounterApi.as_view(),
        name="negotiation_accept_counter",
    ),
    path(
        "negotiations/<int:pk>/items/<int:item>/accept-offer/",
        negotiations.NegotiationAcceptOfferApi.as_view(),
        name="negotiation_accept_offer",
    ),
    # Orders, the cart quote, deliveries, returns, invoices, usage records.
    # The hospital's own catalogue [R-HOSP-CATALOGUE]
    path("catalogue/", catalogue.CatalogueListCreateApi.as_view(), name="catalogue_list"),
    path(
        "catalogue/admissible/",
        catalogue.CatalogueAdmissibleApi.as_view(),
        name="catalogue_admissible",
    ),
    path(
        "catalogue/<int:pk>/", catalogue.CatalogueEntryDetailApi.as_view(), name="catalogue_entry"
    ),
    path(
        "catalogue/<int:pk>/actions/",
        catalogue.CatalogueEntryActionsApi.as_view(),
        name="catalogue_actions",
    ),
    path(
        "catalogue/<int:pk>/stop/",
        catalogue.CatalogueEntryStopApi.as_view(),
        name="catalogue_stop",
    ),
    path(
        "catalogue/<int:pk>/resume/",
        catalogue.CatalogueEntryResumeApi.as_view(),
        name="catalogue_resume",
    ),
    path("orders/", orders.OrderListCreateApi.as_view(), name="order_list"),
    path("orders/quote/", cart.OrderQuoteApi.as_view(), name="order_quote"),
    path("orders/<int:pk>/", orders.OrderDetailApi.as_view(), name="order_detail"),
    path("orders/<int:pk>/actions/", orders.OrderActionsApi.as_view(), name="order_actions"),
    path("orders/<int:pk>/submit/", orders.OrderSubmitApi.as_view(), name="order_submit"),
    path("orders/<int:pk>/cancel/", orders.OrderCancelApi.as_view(), name="order_cancel"),
    path("orders/<int:pk>/respond/", orders.OrderRespondApi.as_view(), name="order_respond"),
    path(
        "orders/<int:pk>/distributor/",
        orders.OrderDistributorApi.as_view(),
        name="order_distributor",
    ),
    path(
        "orders/<int:pk>/lines/<int:line_id>/confirm/",
        orders.OrderLineConfirmApi.as_view(),
        name="order_line_confirm",
    ),
    path(
        "orders/<int:pk>/lines/<int:line_id>/reject/",
        orders.OrderLineRejectApi.as_view(),
        name="order_line_reject",
    ),
    path("deliveries/", deliveries.DeliveryListCreateApi.as_view(), name="delivery_list"),
    path("deliveries/<int:pk>/", deliveries.DeliveryDetailApi.as_view(), name="delivery_detail"),
    path(
        "deliveries/<int:pk>/actions/",
        deliveries.DeliveryActionsApi.as_view(),
        name="delivery_actions",
    ),
    path(
        "deliveries/<int:pk>/accept/",
        deliveries.DeliveryAcceptApi.as_view(),
        name="delivery_accept",
    ),
    path("returns/", deliveries.ReturnCreateApi.as_view(), name="return_create"),
    path("invoices/", invoices.InvoiceListCreateApi.as_view(), name="invoice_list"),
    path("invoices/<int:pk>/", invoices.InvoiceDetailApi.as_view(), name="invoice_detail"),
    path(
        "invoices/<int:pk>/actions/", invoices.InvoiceActionsApi.as_view(), name="invoice_actions"
    ),
    path(
        "invoices/<int:pk>/confirm/", invoices.InvoiceConfirmApi.as_view(), name="invoice_confirm"
    ),
    path("invoices/<int:pk>/reject/", invoices.InvoiceRejectApi.as_view(), name="invoice_reject"),
    path("usage-records/", usage.UsageRecordListCreateApi.as_view(), name="usage_list"),
]
