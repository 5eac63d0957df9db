from django.urls import path

from settlement.views import fund, payments, reconciliation, reports

app_name = "settlement"

urlpatterns = [
    path("fund/", fund.fund_settlement_list, name="fund_settlement_list"),
    path("fund/view/", reports.fund_view, name="fund_view"),
    path("fund/open/", fund.fund_settlement_open, name="fund_settlement_open"),
    path("fund/import/", fund.fund_claims_import, name="fund_claims_import"),
    path("fund/<int:pk>/", fund.fund_settlement_detail, name="fund_settlement_detail"),
    path("fund/<int:pk>/settle/", fund.fund_settlement_settle, name="fund_settlement_settle"),
    path("advances/", fund.advance_list, name="advance_list"),
    path("advances/pay-due/", fund.advance_pay_due, name="advance_pay_due"),
    path("advances/<int:pk>/", fund.advance_detail, name="advance_detail"),
    path("accounts/", fund.account_list, name="account_list"),
    path("accounts/<int:pk>/", fund.account_detail, name="account_detail"),
    path("ledger-checks/", fund.ledger_check_list, name="ledger_check_list"),
    path(
        "ledger-checks/<int:pk>/",
        reconciliation.ledger_check_detail,
        name="ledger_check_detail",
    ),
    path("bank-statements/", reconciliation.bank_statement_list, name="bank_statement_list"),
    path(
        "bank-statements/import/",
        reconciliation.bank_statement_import,
        name="bank_statement_import",
    ),
    path(
        "bank-statements/unmatched/",
        reconciliation.unmatched_line_list,
        name="bank_statement_unmatched",
    ),
    path(
        "bank-statements/<int:pk>/",
        reconciliation.bank_statement_detail,
        name="bank_statement_detail",
    ),
    path(
        "bank-statements/<int:pk>/match/",
        reconciliation.bank_statement_match,
        name="bank_statement_match",
    ),
    path("payments/", payments.payment_request_list, name="payment_request_list"),
    path("payments/new/", payments.payment_request_new, name="payment_request_new"),
    path("payments/invoices/", payments.payment_line_list, name="payment_line_list"),
    path("payments/statement/", reports.payment_statement, name="payment_statement"),
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
