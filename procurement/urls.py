from django.urls import path

from procurement.views import (
    agreed_prices,
    cart,
    deliveries,
    invoices,
    listings,
    orders,
    purchase_plans,
    usage,
)

app_name = "procurement"

urlpatterns = [
    # Listings, review, labels, agreed prices, purchase plan.
    path("listings/", listings.listing_list, name="listing_list"),
    path("listings/new/", listings.listing_create, name="listing_create"),
    path("listings/review/", listings.listing_review_queue, name="listing_review_queue"),
    path("listings/labels/", listings.listing_label_list, name="listing_label_list"),
    path("listings/<int:pk>/", listings.listing_detail, name="listing_detail"),
    path("listings/<int:pk>/edit/", listings.listing_edit, name="listing_edit"),
    path("listings/<int:pk>/label/", listings.listing_label, name="listing_label"),
    path(
        "listings/<int:pk>/price-change/",
        listings.listing_price_change_request,
        name="listing_price_change_request",
    ),
    path(
        "listings/<int:pk>/distributors/add/",
        listings.listing_distributor_add,
        name="listing_distributor_add",
    ),
    path(
        "listings/<int:pk>/distributors/<int:row_id>/remove/",
        listings.listing_distributor_remove,
        name="listing_distributor_remove",
    ),
    path("listings/<int:pk>/<slug:action>/", listings.listing_action, name="listing_action"),
    path(
        "price-changes/<int:pk>/<slug:action>/",
        listings.price_change_decide,
        name="price_change_decide",
    ),
    path("agreed-prices/", agreed_prices.agreed_price_list, name="agreed_price_list"),
    path(
        "agreed-prices/<int:pk>/<slug:action>/",
        agreed_prices.agreed_price_action,
        name="agreed_price_action",
    ),
    path("purchase-plan/", purchase_plans.purchase_plan, name="purchase_plan"),
    path(
        "purchase-plans/<int:pk>/<slug:action>/",
        purchase_plans.purchase_plan_decide,
        name="purchase_plan_decide",
    ),
    # Orders, cart, delivery notes, acceptance, returns, invoices, usage.
    path("orders/", orders.order_list, name="order_list"),
    path("orders/new/", cart.order_place, name="order_place"),
    path("orders/cart/add/", cart.cart_add, name="cart_add"),
    path("orders/cart/scan/", cart.cart_scan, name="cart_scan"),
    path("orders/cart/", cart.cart_update, name="cart_update"),
    path("orders/<int:pk>/", orders.order_detail, name="order_detail"),
    path("orders/<int:pk>/submit/", orders.order_submit, name="order_submit"),
    path("orders/<int:pk>/cancel/", orders.order_cancel, name="order_cancel"),
    path("orders/<int:pk>/respond/", orders.order_respond, name="order_respond"),
    path("orders/<int:pk>/distributor/", orders.order_distributor, name="order_distributor"),
    path("orders/<int:pk>/deliver/", deliveries.delivery_create, name="delivery_create"),
    path("orders/<int:pk>/invoice/", invoices.invoice_register, name="invoice_register"),
    path("deliveries/", deliveries.delivery_list, name="delivery_list"),
    path("deliveries/<int:pk>/", deliveries.delivery_detail, name="delivery_detail"),
    path("deliveries/<int:pk>/scan/", deliveries.delivery_scan, name="delivery_scan"),
    path("deliveries/<int:pk>/accept/", deliveries.delivery_accept, name="delivery_accept"),
    path("deliveries/<int:pk>/print/", deliveries.delivery_print, name="delivery_print"),
    path(
        "deliveries/<int:pk>/lines/<int:line_id>/return/",
        deliveries.delivery_return,
        name="delivery_return",
    ),
    path("invoices/", invoices.invoice_list, name="invoice_list"),
    path("invoices/<int:pk>/", invoices.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/confirm/", invoices.invoice_confirm, name="invoice_confirm"),
    path("invoices/<int:pk>/reject/", invoices.invoice_reject, name="invoice_reject"),
    path("usage/", usage.usage_list, name="usage_list"),
]
