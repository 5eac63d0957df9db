from django.urls import path

from settlement.api import fund, payments, reconciliation, reports

urlpatterns = [
    path(
        "payment-requests/",
        payments.PaymentRequestListCreateApi.as_view(),
        name="payment_request_list",
    ),
    path(
        "payment-requests/<int:pk>/",
        payments.PaymentRequestDetailApi.as_view(),
        name="payment_request_detail",
    ),
    path(
        "payment-requests/<int:pk>/actions/",
        payments.PaymentRequestActionsApi.as_view(),
        name="payment_request_actions",
    ),
    path(
        "payment-requests/<int:pk>/approve/",
        payments.PaymentRequestApproveApi.as_view(),
        name="payment_request_approve",
    ),
    path(
        "payment-requests/<int:pk>/dispute/",
        payments.PaymentRequestDisputeApi.as_view(),
        name="payment_request_dispute",
    ),
    path(
        "payment-requests/<int:pk>/pay/",
        payments.PaymentRequestPayApi.as_view(),
        name="payment_request_pay",
    ),
    path(
        "payment-requests/<int:pk>/pay-direct/",
        payments.PaymentRequestPayDirectApi.as_view(),
        name="payment_request_pay_direct",
    ),
    path("payable-invoices/", payments.PayableInvoiceListApi.as_view(), name="payable_invoices"),
    path("payment-lines/", payments.PaymentLineListApi.as_view(), name="payment_line_list"),
    path(
        "payment-lines/statement/",
        reports.PaymentStatementApi.as_view(),
        name="payment_statement",
    ),
    path("fund-view/", reports.FundViewApi.as_view(), name="fund_view"),
    path("overdue-invoices/", payments.PaymentOverdueListApi.as_view(), name="overdue_invoices"),
    path(
        "direct-settlements/",
        payments.DirectSettlementListApi.as_view(),
        name="direct_settlement_list",
    ),
    path(
        "settlement-batches/",
        payments.SettlementBatchListCreateApi.as_view(),
        name="settlement_batch_list",
    ),
    path(
        "settlement-batches/<int:pk>/",
        payments.SettlementBatchDetailApi.as_view(),
        name="settlement_batch_detail",
    ),
    path(
        "settlement-batches/<int:pk>/bank-file/",
        payments.SettlementBatchBankFileApi.as_view(),
        name="settlement_batch_bank_file",
    ),
    path("ledger-checks/", reconciliation.LedgerCheckListApi.as_view(), name="ledger_check_list"),
    path(
        "ledger-checks/<int:pk>/",
        reconciliation.LedgerCheckDetailApi.as_view(),
        name="ledger_check_detail",
    ),
    path(
        "bank-statements/",
        reconciliation.BankStatementListCreateApi.as_view(),
        name="bank_statement_list",
    ),
    path(
        "bank-statements/unmatched-lines/",
        reconciliation.BankStatementUnmatchedLineListApi.as_view(),
        name="bank_statement_unmatched",
    ),
    path(
        "bank-statements/<int:pk>/",
        reconciliation.BankStatementDetailApi.as_view(),
        name="bank_statement_detail",
    ),
    path(
        "bank-statements/<int:pk>/match/",
        reconciliation.BankStatementMatchApi.as_view(),
        name="bank_statement_match",
    ),
    path("accounts/", fund.AccountListApi.as_view(), name="account_list"),
    path("accounts/<int:pk>/postings/", fund.AccountPostingsApi.as_view(), name="account_postings"),
    path("advances/", fund.AdvanceListApi.as_view(), name="advance_list"),
    path("advances/pay-due/", fund.AdvancePayDueApi.as_view(), name="advance_pay_due"),
    path("advances/<int:pk>/", fund.AdvanceDetailApi.as_view(), name="advance_detail"),
    path(
        "fund-settlements/",
        fund.FundSettlementListCreateApi.as_view(),
        name="fund_settlement_list",
    ),
    path(
        "fund-settlements/import/",
        fund.FundClaimsImportApi.as_view(),
        name="fund_claims_import",
    ),
    path(
        "fund-settlements/<int:pk>/",
        fund.FundSettlementDetailApi.as_view(),
        name="fund_settlement_detail",
    ),
    path(
        "fund-settlements/<int:pk>/actions/",
        fund.FundSettlementActionsApi.as_view(),
        name="fund_settlement_actions",
    ),
    path(
        "fund-settlements/<int:pk>/claims/",
        fund.FundClaimCreateApi.as_view(),
        name="fund_claim_create",
    ),
    path(
        "fund-settlements/<int:pk>/settle/",
        fund.FundSettlementSettleApi.as_view(),
        name="fund_settlement_settle",
    ),
]
