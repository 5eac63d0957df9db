from django.urls import path

from settlement.api import fund

urlpatterns = [
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
