from django.urls import path

from settlement.views import fund

app_name = "settlement"

urlpatterns = [
    path("fund/", fund.fund_settlement_list, name="fund_settlement_list"),
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
]
