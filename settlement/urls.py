from django.urls import path

from settlement.views import payments

app_name = "settlement"

urlpatterns = [
    path("payments/", payments.payment_request_list, name="payment_request_list"),
    path("payments/new/", payments.payment_request_new, name="payment_request_new"),
    path("payments/invoices/", payments.payment_line_list, name="payment_line_list"),
    path("payments/overdue/", payments.payment_overdue_list, name="payment_overdue_list"),
    path("payments/direct/", payments.direct_settlement_list, name="direct_settlement_list"),
    path("payments/<int:pk>/", payments.payment_request_detail, name="payment_request_detail"),
    path(
        "payments/<int:pk>/<slug:action>/",
        payments.payment_request_act,
        name="payment_request_act",
    ),
    path("batches/", payments.settlement_batch_list, name="settlement_batch_list"),
    path("batches/run/", payments.settlement_batch_run, name="settlement_batch_run"),
    path("batches/<int:pk>/", payments.settlement_batch_detail, name="settlement_batch_detail"),
    path(
        "batches/<int:pk>/bank-file/",
        payments.settlement_batch_bank_file,
        name="settlement_batch_bank_file",
    ),
]
