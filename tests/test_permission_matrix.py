"""The permission matrix: every route of the URL conf (pages, API, admin) and every operation
of the API schema, called as every role, against the outcome this table expects.

The table is explicit data for people to review: one row per route and the objects its path
names (``@name``: an object of tests/api_world.py), and per method the outcome for each role,
in this column order:

    pur  hospital purchaser             bur  bureau officer
    fin  hospital finance               agy  agency finance
    mfr  supplier sales, manufacturer   adm  platform administrator
    dst  supplier sales, distributor    his  HIS API key of the hospital
    ano  anonymous                      su   Django superuser (staff)

An outcome is the status code, ``302L`` for a redirect to the login page or ``302A`` to the
admin's login page. A route of the URL conf or an operation of the schema without a row fails
the test. Every page is called with GET and POST; every API route with GET and the methods the
schema gives it. Each call runs in a savepoint rolled back afterwards. A refused call (401, 403,
404, 405, 302L, 302A) must write nothing but the logs; a GET answered 200 by the API must match
the schema's response for that operation. POSTs carry a valid body where the row gives one, so
that the allowed role's outcome is the action's success (or the state's refusal: 409).
"""

import pytest
from schemathesis.core.failures import FailureGroup

from tests import matrix_support as m
from tests.api_world import ROLES
from tests.matrix_support import row

pytestmark = pytest.mark.django_db

QUALITY_FORM = {
    "consumable": "@quality_consumable",
    "lot": "@quality_lot",
    "severity": "general",
    "occurred_on": "@today",
    "description": "包装破损",
}
QUALITY_BODY = QUALITY_FORM
ROUND_FORM = {
    "name": "冠脉支架",
    "cycle_start": "@in_40_days",
    "cycle_end": "@in_400_days",
    "agreed_ratio": "0.8",
    "advance_ratio": "0.3",
    "demand_deadline": "@in_5_days_at",
    "bid_deadline": "@in_10_days_at",
    "opening_at": "@in_11_days_at",
    "publicity_end": "@in_18_days_at",
}
ROUND_BODY = {**ROUND_FORM, "agreed_ratio": "0.8000", "advance_ratio": "0.3000"}
GROUP_FORM = {
    "code": "G2",
    "name": "球囊",
    "code_prefixes": "C01",
    "max_valid_price": "80.00",
    "winning_rule": '{"condition": {"op": "n_lowest", "n": 1}}',
}

EMERGENCY_BODY = {
    "bought_on": "@today",
    "reason": "急诊手术，平台无货",
    "approver_name": "王主任",
    "approver_role": "分管副院长",
    "lines": [
        {
            "consumable_id": "@emergency_consumable",
            "supplier_name": "南京某医疗器械有限公司",
            "unit_price": "300.00",
            "quantity": 2,
        }
    ],
}

NEGOTIATION_BODY = {
    "title": "冠脉球囊价格谈判",
    "items": [{"listing_id": "@listing", "target_price": "80.00"}],
    "hospitals": ["@hospital"],
    "deadline": "@in_5_days",
    "effective_on": "@in_10_days",
    "valid_until": "@in_400_days",
}

NEGOTIATION_FORM = {
    "title": "冠脉球囊价格谈判",
    "kind": "products",
    "item1_code": "@consumable_code",
    "item1_target": "80.00",
    "hospitals": "@hospital",
    "outcome": "hospital_price",
    "deadline": "@in_5_days",
    "effective_on": "@in_10_days",
    "valid_until": "@in_400_days",
}

CREDIT_EVENT_FORM = {
    "subject": "@manufacturer",
    "item": "regional_price_gap",
    "occurred_on": "@today",
    "description": "区域间价格差异较大",
}
CREDIT_EVENT_BODY = {**CREDIT_EVENT_FORM}
MISCONDUCT_ITEM_FORM = {
    "name": "区域间价格差异较大",
    "level": "minor",
    "score_deduction": "5",
    "repairable": "on",
    "is_active": "on",
    "days_written_warning": "30",
}
MISCONDUCT_ITEM_BODY = {
    "name": "区域间价格差异较大",
    "level": "minor",
    "score_deduction": 5,
    "sanctions": {"written_warning": 30},
    "repairable": True,
    "is_active": True,
}

ROWS = [
    # --- Pages: home, history, policy, health -------------------------------------------------
    row(
        "",
        GET="200   200   200   200   200   200   200   302L  302L  200",
        POST="200   200   200   200   200   200   200   302L  302L  200",
    ),
    # Bureau staff read the history of their jurisdiction's objects (issue 11), was 403.
    row(
        "history/",
        GET="403   403   403   403   200   403   200   302L  302L  200",
        POST="403   403   403   403   200   403   200   302L  302L  200",
    ),
    row(
        "region-policy/",
        GET="403   403   403   403   200   200   200   302L  302L  200",
        POST="403   403   403   403   200   403   200   302L  302L  200",
    ),
    row(
        "calendar/",
        body={"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
        GET="403   403   403   403   403   403   200   302L  302L  200",
        POST="403   403   403   403   403   403   302   302L  302L  302",
    ),
    row(
        "calendar/<int:pk>/delete/",
        pk="@calendar_day",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   403   403   403   302   302L  302L  302",
    ),
    row(
        "healthz",
        GET="200   200   200   200   200   200   200   200   200   200",
        POST="405   405   405   405   405   405   405   405   405   405",
    ),
    row(
        "favicon.ico",
        GET="200   200   200   200   200   200   200   200   200   200",
        POST="405   405   405   405   405   405   405   405   405   405",
    ),
    # --- Pages: accounts
    row(
        "accounts/login/",
        GET="302   302   302   302   302   302   302   200   200   302",
        POST="302   302   302   302   302   302   302   200   200   302",
    ),
    row(
        "accounts/logout/",
        GET="405   405   405   405   405   405   405   405   405   405",
        POST="302L  302L  302L  302L  302L  302L  302L  302L  302L  302L",
    ),
    row(
        "accounts/password/",
        GET="200   200   200   200   200   200   200   302L  302L  200",
        POST="200   200   200   200   200   200   200   302L  302L  200",
    ),
    row(
        "accounts/organizations/",
        GET="200   200   200   200   200   200   200   302L  302L  200",
        POST="200   200   200   200   200   200   200   302L  302L  200",
    ),
    row(
        "accounts/organizations/<int:pk>/",
        pk="@organization",
        GET="200   200   404   404   200   200   200   302L  302L  200",
        POST="200   200   404   404   200   200   200   302L  302L  200",
    ),
    row(
        "accounts/api-clients/",
        body={"name": "HIS 2", "organization": "@organization"},
        GET="200   200   403   403   403   403   200   302L  302L  200",
        POST="403   403   403   403   403   403   302   302L  302L  302",
    ),
    row(
        "accounts/api-clients/<int:pk>/revoke/",
        pk="@api_client",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   404   404   403   403   302   302L  302L  302",
    ),
    row(
        "accounts/security-events/",
        GET="403   403   403   403   403   403   200   302L  302L  200",
        POST="403   403   403   403   403   403   200   302L  302L  200",
    ),
    # --- Pages: catalogue
    row(
        "catalog/",
        GET="200   200   200   200   200   200   200   302L  302L  200",
        POST="200   200   200   200   200   200   200   302L  302L  200",
    ),
    row(
        "catalog/scan/",
        body={"barcode": "@udi"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="200   200   200   200   200   200   200   302L  302L  200",
    ),
    row(
        "catalog/products/<str:code>/",
        code="@consumable_code",
        GET="200   200   200   200   200   200   200   302L  302L  200",
        POST="200   200   200   200   200   200   200   302L  302L  200",
    ),
    row(
        "catalog/publicity/",
        GET="200   200   200   200   200   200   200   302L  302L  200",
        POST="200   200   200   200   200   200   200   302L  302L  200",
    ),
    row(
        "catalog/reference-prices/<int:pk>/<str:action>/",
        pk="@proposed_price",
        action="publicity",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   403   302   403   302   302L  302L  302",
    ),
    row(
        "catalog/reference-prices/<int:pk>/<str:action>/",
        pk="@publicity_price",
        action="confirm",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   403   409   403   409   302L  302L  409",
    ),
    row(
        "catalog/reference-prices/<int:pk>/<str:action>/",
        pk="@publicity_price",
        action="withdraw",
        body={"reason": "数据有误"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   403   302   403   302   302L  302L  302",
    ),
    row(
        "catalog/reference-prices/<int:pk>/<str:action>/",
        pk="@publicity_price",
        action="object",
        body={"reason": "参考价有误"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   409   302   403   403   403   302L  302L  403",
    ),
    row(
        "catalog/objections/",
        GET="403   403   200   200   200   403   200   302L  302L  200",
        POST="403   403   200   200   200   403   200   302L  302L  200",
    ),
    row(
        "catalog/objections/<int:pk>/resolve/",
        pk="@objection",
        body={"outcome": "dismissed", "resolution": "维持原价"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   403   302   403   302   302L  302L  302",
    ),
    row(
        "catalog/sync-runs/",
        GET="403   403   403   403   200   403   200   302L  302L  200",
        POST="403   403   403   403   302   403   302   302L  302L  302",
    ),
    row(
        "catalog/imports/",
        GET="403   403   403   403   403   403   200   302L  302L  200",
        POST="403   403   403   403   403   403   302   302L  302L  302",
    ),
    row(
        "catalog/imports/<int:pk>/progress/",
        pk="@import_job",
        GET="403   403   403   403   403   403   200   302L  302L  200",
        POST="403   403   403   403   403   403   200   302L  302L  200",
    ),
    row(
        "catalog/imports/<int:pk>/retry/",
        pk="@import_job",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   403   403   403   409   302L  302L  409",
    ),
    # --- Pages: exports prepared in the background (only the requester sees a job)
    row(
        "exports/",
        GET="200   200   200   200   200   200   200   302L  302L  200",
        POST="405   405   405   405   405   405   405   302L  302L  405",
    ),
    row(
        "exports/start/<slug:kind>/",
        kind="orders",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="302   302   302   302   302   302   302   302L  302L  302",
    ),
    row(
        "exports/<int:pk>/",
        pk="@export_job",
        GET="200   404   404   404   404   404   404   302L  302L  404",
        POST="405   405   405   405   405   405   405   302L  302L  405",
    ),
    row(
        "exports/<int:pk>/progress/",
        pk="@export_job",
        GET="200   404   404   404   404   404   404   302L  302L  404",
        POST="405   405   405   405   405   405   405   302L  302L  405",
    ),
    row(
        "exports/<int:pk>/download/",
        pk="@export_job",
        GET="409   404   404   404   404   404   404   302L  302L  404",
        POST="405   405   405   405   405   405   405   302L  302L  405",
    ),
    # --- Pages: listings, labels, agreed prices, purchase plan
    row(
        "procurement/listings/",
        GET="200   200   200   200   200   200   200   302L  302L  200",
        POST="200   200   200   200   200   200   200   302L  302L  200",
    ),
    row(
        "procurement/listings/new/",
        GET="403   403   200   403   403   403   403   302L  302L  403",
        POST="403   403   200   403   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/listings/review/",
        GET="403   403   403   403   200   403   200   302L  302L  200",
        POST="403   403   403   403   200   403   200   302L  302L  200",
    ),
    row(
        "procurement/listings/labels/",
        GET="403   403   403   403   200   403   200   302L  302L  200",
        POST="403   403   403   403   200   403   200   302L  302L  200",
    ),
    row(
        "procurement/listings/<int:pk>/",
        pk="@listing",
        GET="200   200   200   200   200   200   200   302L  302L  200",
        POST="200   200   200   200   200   200   200   302L  302L  200",
    ),
    row(
        "procurement/listings/<int:pk>/edit/",
        pk="@draft_listing",
        GET="404   404   200   404   403   403   403   302L  302L  403",
        POST="404   404   200   404   403   403   403   302L  302L  403",
    ),
    # [R-LIST-OTHER] evidence files: the supplier attaches (a POST without a file is refused
    # with a message: 302 back to the page), the supplier and the regulators download.
    row(
        "procurement/listings/<int:pk>/evidence/",
        pk="@draft_listing",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   302   404   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/listings/<int:pk>/evidence/<int:evidence_id>/",
        pk="@draft_listing",
        evidence_id="@evidence_file",
        GET="404   404   200   404   200   200   200   302L  302L  200",
        POST="405   405   405   405   405   405   405   302L  302L  405",
    ),
    row(
        "procurement/listings/<int:pk>/label/",
        pk="@listing",
        body={"label": "restricted", "reason": "价格偏高"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   403   302   403   302   302L  302L  302",
    ),
    row(
        "procurement/listings/<int:pk>/price-change/",
        pk="@listing",
        body={"new_price": "96.00", "reason": "原材料降价"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   409   403   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/listings/<int:pk>/distributors/add/",
        pk="@listing",
        body={"distributor": "@distributor", "region_code": "320100"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   302   403   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/listings/<int:pk>/distributors/<int:row_id>/remove/",
        pk="@listing",
        row_id="@listing_distributor",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   302   403   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/listings/<int:pk>/<slug:action>/",
        pk="@draft_listing",
        action="submit",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="404   404   302   404   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/listings/<int:pk>/<slug:action>/",
        pk="@draft_listing",
        action="approve",
        body={"reason": "复核"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="404   404   403   404   409   403   409   302L  302L  409",
    ),
    row(
        "procurement/listings/<int:pk>/<slug:action>/",
        pk="@draft_listing",
        action="reject",
        body={"reason": "复核"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="404   404   403   404   409   403   409   302L  302L  409",
    ),
    row(
        "procurement/listings/<int:pk>/<slug:action>/",
        pk="@listing",
        action="suspend",
        body={"reason": "复核"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   403   302   403   302   302L  302L  302",
    ),
    row(
        "procurement/listings/<int:pk>/<slug:action>/",
        pk="@listing",
        action="reinstate",
        body={"reason": "复核"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   403   409   403   409   302L  302L  409",
    ),
    row(
        "procurement/listings/<int:pk>/<slug:action>/",
        pk="@listing",
        action="delist",
        body={"reason": "复核"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   403   302   403   302   302L  302L  302",
    ),
    row(
        "procurement/price-changes/<int:pk>/<slug:action>/",
        pk="@price_change",
        action="approve",
        body={"reason": "同意"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   403   302   403   302   302L  302L  302",
    ),
    row(
        "procurement/price-changes/<int:pk>/<slug:action>/",
        pk="@price_change",
        action="reject",
        body={"reason": "不同意"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   403   302   403   302   302L  302L  302",
    ),
    row(
        "procurement/agreed-prices/",
        body={
            "listing": "@listing",
            "hospital": "@organization",
            "price": "85.00",
            "annual_volume": "100",
            "valid_from": "@today",
            "valid_until": "@next_year",
        },
        GET="200   200   200   200   200   200   200   302L  302L  200",
        POST="200   403   200   200   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/agreed-prices/<int:pk>/<slug:action>/",
        pk="@agreed_price",
        action="accept",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="302   403   403   404   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/agreed-prices/<int:pk>/<slug:action>/",
        pk="@agreed_price",
        action="decline",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="302   403   403   404   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/agreed-prices/<int:pk>/<slug:action>/",
        pk="@agreed_price",
        action="end",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="409   403   302   404   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/purchase-plan/",
        body={"year": "@year", "total": "2000000.00", "reason": "新院区开业"},
        GET="200   200   403   403   200   200   200   302L  302L  200",
        POST="403   302   403   403   403   403   403   302L  302L  403",
    ),
    # Settlement, the fund's half [R-ADVANCE] [R-FUND-MONTHLY] [R-ESCROW]
    row(
        "settlement/fund/",
        GET="403   200   403   403   200   200   200   302L  302L  200",
        POST="403   200   403   403   200   200   200   302L  302L  200",
    ),
    row(
        "settlement/fund/open/",
        body={"hospital": "@organization", "month": "@first_of_last_month"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   403   403   302   403   302L  302L  403",
    ),
    row(
        "settlement/fund/import/",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   403   403   302   403   302L  302L  403",
    ),
    row(
        "settlement/fund/<int:pk>/",
        pk="@fund_settlement",
        body={"reference": "JS-0003", "amount": "10.00"},
        GET="403   200   403   403   200   200   200   302L  302L  200",
        POST="403   200   403   403   200   302   200   302L  302L  200",
    ),
    row(
        "settlement/fund/<int:pk>/settle/",
        pk="@fund_settlement",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   404   404   403   302   403   302L  302L  403",
    ),
    row(
        "settlement/advances/",
        GET="403   200   403   403   200   200   200   302L  302L  200",
        POST="403   200   403   403   200   200   200   302L  302L  200",
    ),
    row(
        "settlement/advances/pay-due/",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   403   403   302   403   302L  302L  403",
    ),
    row(
        "settlement/advances/<int:pk>/",
        pk="@advance",
        GET="403   200   403   403   200   200   200   302L  302L  200",
        POST="403   200   403   403   200   200   200   302L  302L  200",
    ),
    row(
        "settlement/accounts/",
        GET="403   200   403   403   200   200   200   302L  302L  200",
        POST="403   200   403   403   200   200   200   302L  302L  200",
    ),
    row(
        "settlement/accounts/<int:pk>/",
        pk="@ledger_account",
        GET="403   200   403   403   200   200   200   302L  302L  200",
        POST="403   200   403   403   200   200   200   302L  302L  200",
    ),
    row(
        "settlement/ledger-checks/",
        GET="403   403   403   403   200   200   200   302L  302L  200",
        POST="403   403   403   403   200   200   200   302L  302L  200",
    ),
    # The price monitoring index [R-PRICE-INDEX]: the regulators'.
    row(
        "supervision/price-index/",
        GET="403   403   403   403   200   200   200   302L  302L  200",
        POST="403   403   403   403   200   200   200   302L  302L  200",
    ),
    # Reconciliation [R-ESCROW]: a check's findings; the escrow account's bank statements (the
    # agency imports them, the bureau reads them).
    row(
        "settlement/ledger-checks/<int:pk>/",
        pk="@ledger_check",
        GET="403   403   403   403   200   200   200   302L  302L  200",
        POST="403   403   403   403   200   200   200   302L  302L  200",
    ),
    row(
        "settlement/bank-statements/",
        GET="403   403   403   403   200   200   200   302L  302L  200",
        POST="403   403   403   403   200   200   200   302L  302L  200",
    ),
    row(
        "settlement/bank-statements/import/",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   403   403   400   403   302L  302L  403",
    ),
    row(
        "settlement/bank-statements/unmatched/",
        GET="403   403   403   403   200   200   200   302L  302L  200",
        POST="403   403   403   403   200   200   200   302L  302L  200",
    ),
    row(
        "settlement/bank-statements/<int:pk>/",
        pk="@bank_statement",
        GET="403   403   403   403   200   200   200   302L  302L  200",
        POST="403   403   403   403   200   200   200   302L  302L  200",
    ),
    row(
        "settlement/bank-statements/<int:pk>/match/",
        pk="@bank_statement",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   403   403   302   403   302L  302L  403",
    ),
    # The hospital's own catalogue [R-HOSP-CATALOGUE]
    row(
        "procurement/catalogue/",
        GET="200   200   403   403   200   200   200   302L  302L  200",
        POST="200   200   403   403   200   200   200   302L  302L  200",
    ),
    row(
        "procurement/catalogue/admit/",
        body={
            "listing": "@admissible_listing",
            "decision_date": "@today",
            "decision_reference": "药事会〔2026〕3号",
        },
        GET="200   403   403   403   403   403   403   302L  302L  403",
        POST="302   403   403   403   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/catalogue/<int:pk>/",
        pk="@catalogue_entry",
        GET="200   200   403   403   200   200   200   302L  302L  200",
        POST="200   200   403   403   200   200   200   302L  302L  200",
    ),
    row(
        "procurement/catalogue/<int:pk>/<slug:action>/",
        pk="@catalogue_entry",
        action="stop",
        body={"reason": "抽检不合格"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="302   403   403   403   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/catalogue/<int:pk>/<slug:action>/",
        pk="@catalogue_entry",
        action="resume",
        body={"reason": "复检合格"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="409   403   403   403   403   403   403   302L  302L  403",
    ),
    # Emergency purchases [R-EMERG-DEADLINE] [R-EMERG-CAP]
    # Negotiations [R-NEGOTIATION]
    row(
        "procurement/negotiations/",
        GET="403   403   200   200   200   200   200   302L  302L  200",
        POST="403   403   200   200   200   200   200   302L  302L  200",
    ),
    row(
        "procurement/negotiations/new/",
        body=NEGOTIATION_FORM,
        GET="403   403   403   403   200   200   403   302L  302L  403",
        POST="403   403   403   403   302   302   403   302L  302L  403",
    ),
    row(
        "procurement/negotiations/linked-import/",
        GET="403   403   403   403   200   200   403   302L  302L  403",
        POST="403   403   403   403   200   200   403   302L  302L  403",
    ),
    row(
        "procurement/negotiations/<int:pk>/",
        pk="@negotiation_open",
        GET="403   403   200   404   200   200   200   302L  302L  200",
        POST="403   403   200   404   200   200   200   302L  302L  200",
    ),
    row(
        "procurement/negotiations/<int:pk>/<slug:action>/",
        pk="@negotiation_draft",
        action="invite",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   403   302   302   403   302L  302L  403",
    ),
    row(
        "procurement/negotiations/<int:pk>/<slug:action>/",
        pk="@negotiation_open",
        action="counter",
        body={"deadline": "@in_5_days", "note": "请进一步让利"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   403   302   302   403   302L  302L  403",
    ),
    row(
        "procurement/negotiations/<int:pk>/<slug:action>/",
        pk="@negotiation_agreed",
        action="conclude",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   403   302   302   403   302L  302L  403",
    ),
    row(
        "procurement/negotiations/<int:pk>/<slug:action>/",
        pk="@negotiation_open",
        action="cancel",
        body={"reason": "无需谈判"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   403   302   302   403   302L  302L  403",
    ),
    row(
        "procurement/negotiations/<int:pk>/items/<int:item>/<slug:action>/",
        pk="@negotiation_open",
        item="@negotiation_open_item",
        action="offer",
        body={"price": "90.00"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   302   404   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/negotiations/<int:pk>/items/<int:item>/<slug:action>/",
        pk="@negotiation_open",
        item="@negotiation_open_item",
        action="accept-target",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   302   404   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/negotiations/<int:pk>/items/<int:item>/<slug:action>/",
        pk="@negotiation_offered",
        item="@negotiation_offered_item",
        action="accept-offer",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   403   302   302   403   302L  302L  403",
    ),
    row(
        "procurement/emergency/",
        GET="200   200   403   403   200   200   200   302L  302L  200",
        POST="200   200   403   403   200   200   200   302L  302L  200",
    ),
    row(
        "procurement/emergency/new/",
        body={
            "bought_on": "@today",
            "reason": "急诊手术，平台无货",
            "approver_name": "王主任",
            "approver_role": "分管副院长",
            "line1_code": "@emergency_consumable_code",
            "line1_supplier": "南京某医疗器械有限公司",
            "line1_price": "300.00",
            "line1_quantity": "2",
        },
        GET="200   403   403   403   403   403   403   302L  302L  403",
        POST="302   403   403   403   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/emergency/cap/",
        GET="200   403   403   403   403   403   403   302L  302L  403",
        POST="200   403   403   403   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/emergency/violations/",
        GET="200   200   403   403   200   200   200   302L  302L  200",
        POST="200   200   403   403   200   200   200   302L  302L  200",
    ),
    row(
        "procurement/emergency/<int:pk>/",
        pk="@emergency_purchase",
        GET="200   200   403   403   200   200   200   302L  302L  200",
        POST="200   200   403   403   200   200   200   302L  302L  200",
    ),
    row(
        "procurement/emergency/<int:pk>/<slug:action>/",
        pk="@emergency_purchase",
        action="approve",
        body={"reason": "疫情应急，准予超额"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   403   302   403   403   302L  302L  403",
    ),
    row(
        "procurement/emergency/<int:pk>/<slug:action>/",
        pk="@emergency_purchase",
        action="reject",
        body={"reason": "不符合应急条件"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   403   302   403   403   302L  302L  403",
    ),
    # --- Pages: supervision, credit [R-CREDIT] [R-MISCONDUCT] and notifications
    row(
        "supervision/credit/events/",
        GET="200   200   200   200   200   200   200   302L  302L  200",
        POST="200   200   200   200   200   200   200   302L  302L  200",
    ),
    row(
        "supervision/credit/events/new/",
        body=CREDIT_EVENT_FORM,
        GET="403   403   403   403   200   403   403   302L  302L  403",
        POST="403   403   403   403   302   403   403   302L  302L  403",
    ),
    row(
        "supervision/credit/events/<int:pk>/",
        pk="@credit_event",
        GET="404   404   200   404   200   200   200   302L  302L  200",
        POST="404   404   200   404   200   200   200   302L  302L  200",
    ),
    row(
        "supervision/credit/events/<int:pk>/evidence/",
        pk="@credit_event",
        GET="404   404   404   404   404   404   404   302L  302L  404",
        POST="404   404   404   404   404   404   404   302L  302L  404",
    ),
    row(
        "supervision/credit/events/<int:pk>/repair/",
        pk="@credit_event",
        body={"statement": "已整改"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="404   404   302   404   403   403   403   302L  302L  403",
    ),
    row(
        "supervision/credit/repairs/",
        GET="200   200   200   200   200   200   200   302L  302L  200",
        POST="200   200   200   200   200   200   200   302L  302L  200",
    ),
    row(
        "supervision/credit/repairs/<int:pk>/evidence/",
        pk="@credit_repair",
        GET="404   404   404   404   404   404   404   302L  302L  404",
        POST="404   404   404   404   404   404   404   302L  302L  404",
    ),
    row(
        "supervision/credit/repairs/<int:pk>/<slug:action>/",
        pk="@credit_repair",
        action="approve",
        body={"reason": "整改到位"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="404   404   403   404   302   403   403   302L  302L  403",
    ),
    row(
        "supervision/credit/repairs/<int:pk>/<slug:action>/",
        pk="@credit_repair",
        action="reject",
        body={"reason": "证据不足"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="404   404   403   404   302   403   403   302L  302L  403",
    ),
    row(
        "supervision/credit/sanctions/",
        GET="200   200   200   200   200   200   200   302L  302L  200",
        POST="200   200   200   200   200   200   200   302L  302L  200",
    ),
    row(
        "supervision/credit/items/",
        GET="200   200   200   200   200   200   200   302L  302L  200",
        POST="200   200   200   200   200   200   200   302L  302L  200",
    ),
    row(
        "supervision/credit/items/<int:pk>/",
        pk="@misconduct_item",
        body=MISCONDUCT_ITEM_FORM,
        GET="403   403   403   403   200   403   403   302L  302L  403",
        POST="403   403   403   403   302   403   403   302L  302L  403",
    ),
    row(
        "supervision/notifications/",
        GET="200   200   200   200   200   200   200   302L  302L  200",
        POST="200   200   200   200   200   200   200   302L  302L  200",
    ),
    row(
        "supervision/notifications/<int:pk>/read/",
        pk="@notification",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="404   404   302   404   404   404   404   302L  302L  404",
    ),
    row(
        "supervision/notifications/read-all/",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="302   302   302   302   302   302   302   302L  302L  302",
    ),
    row(
        "supervision/public/credit-cases/",
        GET="200   200   200   200   200   200   200   200   200   200",
        POST="405   405   405   405   405   405   405   405   405   405",
    ),
    # --- Pages: supervision, quality reports [R-QUALITY]
    row(
        "supervision/quality/",
        GET="200   200   200   200   200   200   200   302L  302L  200",
        POST="200   200   200   200   200   200   200   302L  302L  200",
    ),
    row(
        "supervision/quality/new/",
        body=QUALITY_FORM,
        GET="200   200   403   403   403   403   403   302L  302L  403",
        POST="302   302   403   403   403   403   403   302L  302L  403",
    ),
    row(
        "supervision/quality/<int:pk>/",
        pk="@quality_report",
        GET="200   200   200   404   200   200   200   302L  302L  200",
        POST="200   200   200   404   200   200   200   302L  302L  200",
    ),
    row(
        "supervision/quality/<int:pk>/<slug:action>/",
        pk="@quality_report",
        action="confirm",
        body={"reason": "经核实"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   404   302   403   403   302L  302L  403",
    ),
    row(
        "supervision/quality/<int:pk>/<slug:action>/",
        pk="@quality_report",
        action="dismiss",
        body={"reason": "非产品问题"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   404   302   403   403   302L  302L  403",
    ),
    row(
        "supervision/quality/notices/",
        GET="200   200   403   403   403   403   200   302L  302L  200",
        POST="200   200   403   403   403   403   200   302L  302L  200",
    ),
    row(
        "supervision/quality/notices/<int:pk>/",
        pk="@lot_notice",
        GET="200   200   403   403   403   403   200   302L  302L  200",
        POST="200   200   403   403   403   403   200   302L  302L  200",
    ),
    # --- Pages: abnormal-use alerts [R-ALERT-USE] [R-MISCONDUCT] (regulators only: lists 403,
    # alerts 404 to others)
    row(
        "supervision/alerts/",
        GET="403   403   403   403   200   200   200   302L  302L  200",
        POST="403   403   403   403   200   200   200   302L  302L  200",
    ),
    row(
        "supervision/alerts/rules/",
        GET="403   403   403   403   200   200   200   302L  302L  200",
        POST="403   403   403   403   200   200   200   302L  302L  200",
    ),
    row(
        "supervision/alerts/rules/<slug:code>/",
        code="price_rise",
        body={"rise_pct": "15", "max_rises": "2", "enabled": "1"},
        GET="403   403   403   403   200   200   200   302L  302L  200",
        POST="403   403   403   403   302   403   403   302L  302L  403",
    ),
    row(
        "supervision/alerts/<int:pk>/",
        pk="@alert",
        GET="404   404   404   404   200   200   200   302L  302L  200",
        POST="404   404   404   404   200   200   200   302L  302L  200",
    ),
    row(
        "supervision/alerts/<int:pk>/<slug:action>/",
        pk="@alert",
        action="acknowledge",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="404   404   404   404   302   403   403   302L  302L  403",
    ),
    # --- Pages: settlement, the payment flow [R-ESCROW] [R-PAY-30] [R-DIRECT]
    row(
        "settlement/payments/",
        GET="403   200   200   200   200   200   200   302L  302L  200",
        POST="403   200   200   200   200   200   200   302L  302L  200",
    ),
    row(
        "settlement/payments/new/",
        body={"invoice": "@payable_invoice"},
        GET="403   403   200   200   403   403   403   302L  302L  403",
        POST="403   403   302   409   403   403   403   302L  302L  403",
    ),
    row(
        "settlement/payments/invoices/",
        GET="403   200   200   200   200   200   200   302L  302L  200",
        POST="403   200   200   200   200   200   200   302L  302L  200",
    ),
    row(
        "settlement/payments/overdue/",
        GET="403   200   200   200   200   200   200   302L  302L  200",
        POST="403   200   200   200   200   200   200   302L  302L  200",
    ),
    row(
        "settlement/payments/direct/",
        GET="403   200   200   200   200   200   200   302L  302L  200",
        POST="403   200   200   200   200   200   200   302L  302L  200",
    ),
    row(
        "settlement/payments/<int:pk>/",
        pk="@payment_request",
        GET="403   200   200   404   200   200   200   302L  302L  200",
        POST="403   200   200   404   200   200   200   302L  302L  200",
    ),
    row(
        "settlement/payments/<int:pk>/<slug:action>/",
        pk="@payment_request",
        action="approve",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   302   403   404   403   403   403   302L  302L  403",
    ),
    row(
        "settlement/payments/<int:pk>/<slug:action>/",
        pk="@payment_request",
        action="dispute",
        body={"line": "@payment_line", "reason": "数量不符"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   302   403   404   403   403   403   302L  302L  403",
    ),
    row(
        "settlement/payments/<int:pk>/<slug:action>/",
        pk="@approved_payment_request",
        action="pay",
        body={"transfer_reference": "BOC-PAGE-1"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   302   403   404   403   403   403   302L  302L  403",
    ),
    row(
        "settlement/payments/<int:pk>/<slug:action>/",
        pk="@approved_payment_request",
        action="pay_direct",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   404   403   409   403   302L  302L  403",
    ),
    row(
        "settlement/payments/statement/",
        GET="403   200   200   200   200   200   200   302L  302L  200",
        POST="403   200   200   200   200   200   200   302L  302L  200",
    ),
    row(
        "settlement/fund/view/",
        GET="403   403   403   403   200   200   200   302L  302L  200",
        POST="403   403   403   403   200   200   200   302L  302L  200",
    ),
    row(
        "settlement/batches/",
        GET="403   403   200   200   200   200   200   302L  302L  200",
        POST="403   403   200   200   200   200   200   302L  302L  200",
    ),
    row(
        "settlement/batches/run/",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   403   403   302   403   302L  302L  403",
    ),
    row(
        "settlement/batches/<int:pk>/",
        pk="@settlement_batch",
        GET="403   403   200   404   200   200   200   302L  302L  200",
        POST="403   403   200   404   200   200   200   302L  302L  200",
    ),
    row(
        "settlement/batches/<int:pk>/bank-file/",
        pk="@settlement_batch",
        GET="403   403   403   404   403   200   403   302L  302L  403",
        POST="403   403   403   404   403   200   403   302L  302L  403",
    ),
    # [R-FIVE-RATES] everyone reads the five rates within its own slice; the frozen months'
    # reports are the regulators' (none is frozen in this world: 404 for them).
    row(
        "supervision/five-rates/",
        GET="200   200   200   200   200   200   200   302L  302L  200",
        POST="200   200   200   200   200   200   200   302L  302L  200",
    ),
    # [R-MONITOR] [R-RETAINED] hospitals their own row, regulators their jurisdiction;
    # [R-CUTS-1000] the regulators'.
    row(
        "supervision/monitoring/",
        GET="200   200   403   403   200   200   200   302L  302L  200",
        POST="200   200   403   403   200   200   200   302L  302L  200",
    ),
    row(
        "supervision/retained-savings/",
        GET="200   200   403   403   200   200   200   302L  302L  200",
        POST="200   200   403   403   200   200   200   302L  302L  200",
    ),
    row(
        "supervision/price-cuts/",
        GET="403   403   403   403   200   200   200   302L  302L  200",
        POST="403   403   403   403   200   200   200   302L  302L  200",
    ),
    row(
        "supervision/five-rates/below/",
        GET="200   200   200   200   200   200   200   302L  302L  200",
        POST="200   200   200   200   200   200   200   302L  302L  200",
    ),
    row(
        "supervision/five-rates/report/",
        GET="403   403   403   403   404   404   404   302L  302L  404",
        POST="403   403   403   403   404   404   404   302L  302L  404",
    ),
    # The bureau's dashboard: the regulators'; hospitals and suppliers read their own rates.
    row(
        "supervision/dashboard/",
        GET="403   403   403   403   200   200   200   302L  302L  200",
        POST="403   403   403   403   200   200   200   302L  302L  200",
    ),
    row(
        "supervision/dashboard/panel/",
        GET="403   403   403   403   200   200   200   302L  302L  200",
        POST="403   403   403   403   200   200   200   302L  302L  200",
    ),
    row(
        "supervision/dashboard/own/",
        GET="200   200   200   200   200   200   200   302L  302L  200",
        POST="200   200   200   200   200   200   200   302L  302L  200",
    ),
    row(
        "procurement/purchase-plans/<int:pk>/<slug:action>/",
        pk="@purchase_plan",
        action="approve",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   403   302   403   403   302L  302L  403",
    ),
    row(
        "procurement/purchase-plans/<int:pk>/<slug:action>/",
        pk="@purchase_plan",
        action="reject",
        body={"reason": "无依据"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   403   302   403   403   302L  302L  403",
    ),
    # --- Pages: volume-based procurement rounds and demand
    row(
        "procurement/rounds/",
        GET="200   200   200   200   200   200   200   302L  302L  200",
        POST="200   200   200   200   200   200   200   302L  302L  200",
    ),
    row(
        "procurement/rounds/new/",
        body=ROUND_FORM,
        GET="403   403   403   403   200   200   403   302L  302L  403",
        POST="403   403   403   403   302   302   403   302L  302L  403",
    ),
    row(
        "procurement/rounds/<int:pk>/",
        pk="@draft_round",
        GET="404   404   404   404   200   200   200   302L  302L  200",
        POST="404   404   404   404   200   200   200   302L  302L  200",
    ),
    row(
        "procurement/rounds/<int:pk>/edit/",
        pk="@draft_round",
        body=ROUND_FORM,
        GET="404   404   404   404   200   200   403   302L  302L  403",
        POST="404   404   404   404   302   302   403   302L  302L  403",
    ),
    row(
        "procurement/rounds/<int:pk>/groups/new/",
        pk="@draft_round",
        body=GROUP_FORM,
        GET="404   404   404   404   200   200   403   302L  302L  403",
        POST="404   404   404   404   302   302   403   302L  302L  403",
    ),
    row(
        "procurement/rounds/<int:pk>/groups/<int:group_id>/edit/",
        pk="@draft_round",
        group_id="@draft_group",
        body=GROUP_FORM,
        GET="404   404   404   404   200   200   403   302L  302L  403",
        POST="404   404   404   404   302   302   403   302L  302L  403",
    ),
    row(
        "procurement/rounds/<int:pk>/publish/",
        pk="@draft_round",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="404   404   404   404   302   302   403   302L  302L  403",
    ),
    row(
        "procurement/rounds/<int:pk>/amend/",
        pk="@open_round",
        body={**ROUND_FORM, "reason": "延期"},
        GET="403   403   403   403   200   200   403   302L  302L  403",
        POST="403   403   403   403   302   302   403   302L  302L  403",
    ),
    row(
        "procurement/rounds/<int:pk>/dry-run/",
        pk="@draft_round",
        body={"group": "@draft_group", "bids": "甲, 50\n乙, 60"},
        GET="404   404   404   404   200   200   403   302L  302L  403",
        POST="404   404   404   404   200   200   403   302L  302L  403",
    ),
    row(
        "procurement/rounds/<int:pk>/demand/",
        pk="@open_round",
        body={"volume_{open_group}": "12"},
        GET="200   200   403   403   200   200   200   302L  302L  200",
        POST="302   403   403   403   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/demand/",
        GET="200   200   403   403   200   200   200   302L  302L  200",
        POST="200   200   403   403   200   200   200   302L  302L  200",
    ),
    row(
        "procurement/demand/<int:pk>/review/",
        pk="@demand",
        body={"volume": "9", "reason": "核减"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   404   404   302   302   403   302L  302L  403",
    ),
    # --- Pages: sealed bids (the supplier's bid page, custodians' shares, the opening, the
    # public results without login)
    row(
        "procurement/rounds/<int:pk>/bids/",
        pk="@sealed_round",
        GET="403   403   200   200   200   200   200   302L  302L  200",
        POST="403   403   200   200   200   200   200   302L  302L  200",
    ),
    # The distributor makes no product of the group: refused (a message, recorded).
    row(
        "procurement/rounds/<int:pk>/bids/submit/",
        pk="@sealed_round",
        body={
            "group": "@sealed_group",
            "product": "@sealed_product",
            "envelope": "@sealed_envelope",
        },
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   302   302   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/rounds/<int:pk>/bids/<int:bid_id>/withdraw/",
        pk="@sealed_round",
        bid_id="@sealed_bid",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   302   404   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/rounds/<int:pk>/custody/",
        pk="@sealed_round",
        GET="403   403   403   403   200   200   403   302L  302L  403",
        POST="403   403   403   403   200   200   403   302L  302L  403",
    ),
    row(
        "procurement/custody/",
        GET="403   403   403   403   200   200   403   302L  302L  403",
        POST="403   403   403   403   200   200   403   302L  302L  403",
    ),
    # Before the opening time: the bureau is told so (a message).
    row(
        "procurement/rounds/<int:pk>/open/",
        pk="@sealed_round",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   403   302   302   403   302L  302L  403",
    ),
    # The old addresses of the public results: moved into the public section.
    row(
        "procurement/results/",
        GET="301   301   301   301   301   301   301   301   301   301",
        POST="301   301   301   301   301   301   301   301   301   301",
    ),
    row(
        "procurement/results/<int:pk>/",
        pk="@final_round",
        GET="301   301   301   301   301   301   301   301   301   301",
        POST="301   301   301   301   301   301   301   301   301   301",
    ),
    # --- Pages: the public section (阳光公开), no login, GET only [R-DISCLOSE]
    row(
        "public/",
        GET="200   200   200   200   200   200   200   200   200   200",
        POST="405   405   405   405   405   405   405   405   405   405",
    ),
    # [R-ESCROW] each day's last ledger hash (settlement's part of the public section).
    row(
        "public/ledger-hashes/",
        GET="200   200   200   200   200   200   200   200   200   200",
        POST="405   405   405   405   405   405   405   405   405   405",
    ),
    row(
        "public/reference-prices/",
        GET="200   200   200   200   200   200   200   200   200   200",
        POST="405   405   405   405   405   405   405   405   405   405",
    ),
    row(
        "public/listings/",
        GET="200   200   200   200   200   200   200   200   200   200",
        POST="405   405   405   405   405   405   405   405   405   405",
    ),
    row(
        "public/negotiation-results/",
        GET="200   200   200   200   200   200   200   200   200   200",
        POST="405   405   405   405   405   405   405   405   405   405",
    ),
    row(
        "public/tender-results/",
        GET="200   200   200   200   200   200   200   200   200   200",
        POST="405   405   405   405   405   405   405   405   405   405",
    ),
    row(
        "public/tender-results/<int:pk>/",
        pk="@final_round",
        GET="200   200   200   200   200   200   200   200   200   200",
        POST="405   405   405   405   405   405   405   405   405   405",
    ),
    # --- Pages: what follows a final round (award, choices, allocation, renewal, contracts)
    row(
        "procurement/rounds/<int:pk>/awards/",
        pk="@final_round",
        GET="200   200   200   200   200   200   200   302L  302L  200",
        POST="200   200   200   200   200   200   200   302L  302L  200",
    ),
    # Applied already: the bureau is told so (a message), the others may not.
    row(
        "procurement/rounds/<int:pk>/apply-results/",
        pk="@final_round",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   403   302   302   403   302L  302L  403",
    ),
    # The hospitals' choice window is open: the bureau is told to wait.
    row(
        "procurement/rounds/<int:pk>/allocate/",
        pk="@final_round",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   403   302   302   403   302L  302L  403",
    ),
    row(
        "procurement/rounds/<int:pk>/choices/",
        pk="@final_round",
        body={"qty_{winner}": "5"},
        GET="200   403   403   403   403   403   403   302L  302L  403",
        POST="302   403   403   403   403   403   403   302L  302L  403",
    ),
    # Its contract still awaits signatures: nothing in force to renew (409).
    row(
        "procurement/rounds/<int:pk>/groups/<int:group_id>/renewal/",
        pk="@contract_round",
        group_id="@contract_group",
        body={"decision": "renew", "price_cut": "", "reason": "续约"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   403   403   409   409   403   302L  302L  403",
    ),
    row(
        "procurement/contracts/",
        GET="200   200   200   200   200   200   200   302L  302L  200",
        POST="200   200   200   200   200   200   200   302L  302L  200",
    ),
    row(
        "procurement/contracts/<int:pk>/",
        pk="@contract",
        GET="200   200   200   200   200   200   200   302L  302L  200",
        POST="200   200   200   200   200   200   200   302L  302L  200",
    ),
    row(
        "procurement/contracts/<int:pk>/sign/",
        pk="@contract",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="302   403   302   302   403   403   403   302L  302L  403",
    ),
    # --- Pages: orders, cart, deliveries, invoices, usage
    row(
        "procurement/orders/",
        GET="200   200   200   200   200   200   200   302L  302L  200",
        POST="200   200   200   200   200   200   200   302L  302L  200",
    ),
    row(
        "procurement/orders/new/",
        GET="200   403   403   403   403   403   403   302L  302L  403",
        POST="200   403   403   403   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/orders/cart/add/",
        body={"listing": "@listing", "quantity": "2"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="302   403   403   403   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/orders/cart/scan/",
        body={"barcode": "@udi"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="302   403   403   403   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/orders/cart/",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="302   403   403   403   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/orders/<int:pk>/",
        pk="@submitted_order",
        GET="200   200   200   404   200   200   200   302L  302L  200",
        POST="200   200   200   404   200   200   200   302L  302L  200",
    ),
    row(
        "procurement/orders/<int:pk>/submit/",
        pk="@draft_order",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="302   403   404   404   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/orders/<int:pk>/cancel/",
        pk="@draft_order",
        body={"reason": "不再需要"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="302   403   404   404   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/orders/<int:pk>/respond/",
        pk="@submitted_order",
        body={"decision_{submitted_line}": "confirm", "promised_on_{submitted_line}": "@promised"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   302   404   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/orders/<int:pk>/distributor/",
        pk="@confirmed_order",
        body={"distributor": "@distributor"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   403   302   404   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/orders/<int:pk>/deliver/",
        pk="@confirmed_order",
        body={"quantity_{confirmed_line}": "10", "barcode_{confirmed_line}": "@udi"},
        GET="403   403   200   404   403   403   403   302L  302L  403",
        POST="403   403   302   404   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/orders/<int:pk>/invoice/",
        pk="@accepted_order",
        body={
            "number": "26322000000000000041",
            "issued_on": "@today",
            "issuer": "@manufacturer",
            "quantity_{accepted_line}": "10",
        },
        GET="403   403   200   404   403   403   403   302L  302L  403",
        POST="403   403   302   404   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/deliveries/",
        GET="200   200   200   200   200   200   200   302L  302L  200",
        POST="200   200   200   200   200   200   200   302L  302L  200",
    ),
    row(
        "procurement/deliveries/<int:pk>/",
        pk="@delivery",
        GET="200   200   200   404   200   200   200   302L  302L  200",
        POST="200   200   200   404   200   200   200   302L  302L  200",
    ),
    row(
        "procurement/deliveries/<int:pk>/scan/",
        pk="@delivery",
        body={"barcode": "@udi"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="302   403   403   404   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/deliveries/<int:pk>/accept/",
        pk="@delivery",
        body={"accepted_{delivery_line}": "10", "refused_{delivery_line}": "0"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="302   403   403   404   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/deliveries/<int:pk>/print/",
        pk="@delivery",
        GET="200   200   200   404   200   200   200   302L  302L  200",
        POST="200   200   200   404   200   200   200   302L  302L  200",
    ),
    row(
        "procurement/deliveries/<int:pk>/lines/<int:line_id>/return/",
        pk="@accepted_delivery",
        line_id="@accepted_delivery_line",
        body={"quantity": "1", "reason": "包装破损"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="302   403   403   404   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/invoices/",
        GET="200   200   200   200   200   200   200   302L  302L  200",
        POST="200   200   200   200   200   200   200   302L  302L  200",
    ),
    row(
        "procurement/invoices/<int:pk>/",
        pk="@invoice",
        GET="200   200   200   404   200   200   200   302L  302L  200",
        POST="200   200   200   404   200   200   200   302L  302L  200",
    ),
    row(
        "procurement/invoices/<int:pk>/confirm/",
        pk="@invoice",
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   302   403   404   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/invoices/<int:pk>/reject/",
        pk="@invoice",
        body={"reason": "金额不符"},
        GET="405   405   405   405   405   405   405   302L  302L  405",
        POST="403   302   403   404   403   403   403   302L  302L  403",
    ),
    row(
        "procurement/usage/",
        GET="200   200   403   403   200   200   200   302L  302L  200",
        POST="200   200   403   403   200   200   200   302L  302L  200",
    ),
    # --- Pages: language, translations
    row(
        "i18n/setlang/",
        body={"language": "en"},
        GET="302   302   302   302   302   302   302   302   302   302",
        POST="302   302   302   302   302   302   302   302   302   302",
    ),
    row(
        "jsi18n/",
        GET="200   200   200   200   200   200   200   200   200   200",
        POST="405   405   405   405   405   405   405   405   405   405",
    ),
    # --- Django admin: only staff accounts (createsuperuser) get in; no role makes one.
    row(
        "admin/",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/login/",
        GET="200   200   200   200   200   200   200   200   200   302",
        POST="200   200   200   200   200   200   200   200   200   200",
    ),
    row(
        "admin/logout/",
        GET="302   302   302   302   302   302   302   302   302   405",
        POST="302   302   302   302   302   302   302   302   302   302L",
    ),
    row(
        "admin/password_change/",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/password_change/done/",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  405",
    ),
    row(
        "admin/autocomplete/",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  403",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  405",
    ),
    row(
        "admin/jsi18n/",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  405",
    ),
    row(
        "admin/r/<path:content_type_id>/<path:object_id>/",
        content_type_id="@organization_type",
        object_id="@organization",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  404",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  404",
    ),
    row(
        "admin/auth/group/",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/auth/group/add/",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/auth/group/<path:object_id>/history/",
        object_id="@group",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/auth/group/<path:object_id>/delete/",
        object_id="@group",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/auth/group/<path:object_id>/change/",
        object_id="@group",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/auth/group/<path:object_id>/",
        object_id="@group",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  302",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  302",
    ),
    row(
        "admin/axes/accessattempt/",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/axes/accessattempt/add/",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  403",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  403",
    ),
    row(
        "admin/axes/accessattempt/<path:object_id>/history/",
        object_id="@access_attempt",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/axes/accessattempt/<path:object_id>/delete/",
        object_id="@access_attempt",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/axes/accessattempt/<path:object_id>/change/",
        object_id="@access_attempt",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  302",
    ),
    row(
        "admin/axes/accessattempt/<path:object_id>/",
        object_id="@access_attempt",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  302",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  302",
    ),
    row(
        "admin/axes/accesslog/",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/axes/accesslog/add/",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  403",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  403",
    ),
    row(
        "admin/axes/accesslog/<path:object_id>/history/",
        object_id="@access_log",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/axes/accesslog/<path:object_id>/delete/",
        object_id="@access_log",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/axes/accesslog/<path:object_id>/change/",
        object_id="@access_log",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  302",
    ),
    row(
        "admin/axes/accesslog/<path:object_id>/",
        object_id="@access_log",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  302",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  302",
    ),
    row(
        "admin/axes/accessfailurelog/",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/axes/accessfailurelog/add/",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  403",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  403",
    ),
    row(
        "admin/axes/accessfailurelog/<path:object_id>/history/",
        object_id="@access_failure",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/axes/accessfailurelog/<path:object_id>/delete/",
        object_id="@access_failure",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/axes/accessfailurelog/<path:object_id>/change/",
        object_id="@access_failure",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  302",
    ),
    row(
        "admin/axes/accessfailurelog/<path:object_id>/",
        object_id="@access_failure",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  302",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  302",
    ),
    row(
        "admin/accounts/organization/",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/accounts/organization/add/",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/accounts/organization/<path:object_id>/history/",
        object_id="@organization",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/accounts/organization/<path:object_id>/delete/",
        object_id="@organization",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/accounts/organization/<path:object_id>/change/",
        object_id="@organization",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/accounts/organization/<path:object_id>/",
        object_id="@organization",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  302",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  302",
    ),
    row(
        "admin/accounts/user/",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/accounts/user/add/",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/accounts/user/<path:object_id>/history/",
        object_id="@user",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/accounts/user/<path:object_id>/delete/",
        object_id="@user",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/accounts/user/<path:object_id>/change/",
        object_id="@user",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/accounts/user/<path:object_id>/",
        object_id="@user",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  302",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  302",
    ),
    row(
        "admin/accounts/apiclient/",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/accounts/apiclient/add/",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  403",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  403",
    ),
    row(
        "admin/accounts/apiclient/<path:object_id>/history/",
        object_id="@api_client",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/accounts/apiclient/<path:object_id>/delete/",
        object_id="@api_client",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  403",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  403",
    ),
    row(
        "admin/accounts/apiclient/<path:object_id>/change/",
        object_id="@api_client",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  403",
    ),
    row(
        "admin/accounts/apiclient/<path:object_id>/",
        object_id="@api_client",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  302",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  302",
    ),
    row(
        "admin/accounts/securityevent/",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/accounts/securityevent/add/",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  403",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  403",
    ),
    row(
        "admin/accounts/securityevent/<path:object_id>/history/",
        object_id="@security_event",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/accounts/securityevent/<path:object_id>/delete/",
        object_id="@security_event",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  403",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  403",
    ),
    row(
        "admin/accounts/securityevent/<path:object_id>/change/",
        object_id="@security_event",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  403",
    ),
    row(
        "admin/accounts/securityevent/<path:object_id>/",
        object_id="@security_event",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  302",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  302",
    ),
    row(
        "admin/pghistory/events/",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/pghistory/events/add/",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  403",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  403",
    ),
    row(
        "admin/pghistory/events/<path:object_id>/history/",
        object_id="@history_event",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/pghistory/events/<path:object_id>/delete/",
        object_id="@history_event",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  403",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  403",
    ),
    row(
        "admin/pghistory/events/<path:object_id>/change/",
        object_id="@history_event",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  403",
    ),
    row(
        "admin/pghistory/events/<path:object_id>/",
        object_id="@history_event",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  302",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  302",
    ),
    row(
        "admin/accounts/user/<id>/password/",
        id="@user",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/^(?P<app_label>auth|axes|accounts|pghistory)/$",
        app_label="accounts",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  200",
    ),
    row(
        "admin/(?P<url>.*)$",
        url="nowhere/",
        GET="302A  302A  302A  302A  302A  302A  302A  302A  302A  404",
        POST="302A  302A  302A  302A  302A  302A  302A  302A  302A  404",
    ),
    # --- API: accounts
    row("api/v1/accounts/me/", GET="200   200   200   200   200   200   200   200   401   200"),
    row(
        "api/v1/accounts/organizations/",
        GET="200   200   200   200   200   200   200   200   401   200",
    ),
    row(
        "api/v1/accounts/organizations/<int:pk>/",
        pk="@organization",
        GET="200   200   404   404   200   200   200   200   401   200",
    ),
    row(
        "api/v1/accounts/api-clients/",
        body={"name": "HIS 2", "organization": "@organization"},
        GET="200   200   403   403   403   403   200   200   401   200",
        POST="403   403   403   403   403   403   201   403   401   201",
    ),
    row(
        "api/v1/accounts/api-clients/<int:pk>/revoke/",
        pk="@api_client",
        GET="403   403   403   403   403   403   405   403   401   405",
        POST="403   403   403   403   403   403   200   403   401   200",
    ),
    row(
        "api/v1/accounts/security-events/",
        GET="403   403   403   403   403   403   200   403   401   200",
    ),
    # --- API: catalogue
    row(
        "api/v1/catalog/consumables/",
        GET="200   200   200   200   200   200   200   200   401   200",
    ),
    row(
        "api/v1/catalog/consumables/<str:code>/",
        code="@consumable_code",
        GET="200   200   200   200   200   200   200   200   401   200",
    ),
    row(
        "api/v1/catalog/scan/",
        body={"barcode": "@udi"},
        GET="405   405   405   405   405   405   405   405   401   405",
        POST="200   200   200   200   200   200   200   200   401   200",
    ),
    row(
        "api/v1/catalog/reference-prices/",
        GET="200   200   200   200   200   200   200   200   401   200",
    ),
    row(
        "api/v1/catalog/reference-prices/<int:pk>/actions/",
        pk="@proposed_price",
        GET="200   200   200   200   200   200   200   200   401   200",
    ),
    row(
        "api/v1/catalog/reference-prices/<int:pk>/publicity/",
        pk="@proposed_price",
        GET="403   403   403   403   405   403   405   403   401   405",
        POST="403   403   403   403   200   403   200   403   401   200",
    ),
    row(
        "api/v1/catalog/reference-prices/<int:pk>/confirm/",
        pk="@publicity_price",
        GET="403   403   403   403   405   403   405   403   401   405",
        POST="403   403   403   403   409   403   409   403   401   409",
    ),
    row(
        "api/v1/catalog/reference-prices/<int:pk>/withdraw/",
        pk="@publicity_price",
        body={"reason": "数据有误"},
        GET="403   403   403   403   405   403   405   403   401   405",
        POST="403   403   403   403   200   403   200   403   401   200",
    ),
    row(
        "api/v1/catalog/reference-prices/<int:pk>/objections/",
        pk="@publicity_price",
        body={"reason": "参考价有误"},
        GET="403   403   405   405   403   403   403   403   401   403",
        POST="403   403   409   201   403   403   403   403   401   403",
    ),
    row(
        "api/v1/catalog/objections/",
        GET="403   403   200   200   200   403   200   403   401   200",
    ),
    row(
        "api/v1/catalog/objections/<int:pk>/resolve/",
        pk="@objection",
        body={"outcome": "dismissed", "resolution": "维持原价"},
        GET="403   403   403   403   405   403   405   403   401   405",
        POST="403   403   403   403   200   403   200   403   401   200",
    ),
    row(
        "api/v1/catalog/sync-runs/", GET="403   403   403   403   200   403   200   403   401   200"
    ),
    row(
        "api/v1/catalog/sync-runs/start/",
        GET="403   403   403   403   405   403   405   403   401   405",
        POST="403   403   403   403   202   403   202   403   401   202",
    ),
    row(
        "api/v1/catalog/imports/",
        GET="403   403   403   403   403   403   405   403   401   405",
        POST="403   403   403   403   403   403   415   403   401   415",
    ),
    row(
        "api/v1/catalog/imports/<int:pk>/",
        pk="@import_job",
        GET="403   403   403   403   403   403   200   403   401   200",
    ),
    row(
        "api/v1/catalog/imports/<int:pk>/retry/",
        pk="@import_job",
        GET="403   403   403   403   403   403   405   403   401   405",
        POST="403   403   403   403   403   403   409   403   401   409",
    ),
    row(
        "api/v1/catalog/categories/",
        GET="200   200   200   200   200   200   200   200   401   200",
    ),
    row(
        "api/v1/catalog/crosswalk-conflicts/",
        GET="403   403   403   403   403   403   200   403   401   200",
    ),
    # --- API: listings, price changes, agreed prices, purchase plan
    row(
        "api/v1/procurement/listings/",
        body={
            "consumable_code": "@unlisted_code",
            "price": "80.00",
            "registration_number": "国械注准20153460789",
        },
        GET="200   200   200   200   200   200   200   200   401   200",
        POST="403   403   201   403   403   403   403   403   401   403",
    ),
    row(
        "api/v1/procurement/listings/available/",
        GET="200   200   403   403   403   403   403   200   401   403",
    ),
    row(
        "api/v1/procurement/listings/<int:pk>/",
        pk="@listing",
        body={"price": "99.00"},
        GET="200   200   200   200   200   200   200   200   401   200",
        PATCH="403   403   409   403   403   403   403   403   401   403",
    ),
    row(
        "api/v1/procurement/listings/<int:pk>/",
        pk="@draft_listing",
        body={"price": "99.00"},
        GET="404   404   200   404   200   200   200   404   401   200",
        PATCH="403   403   200   404   403   403   403   403   401   403",
    ),
    row(
        "api/v1/procurement/listings/<int:pk>/evidence/",
        pk="@draft_listing",
        GET="404   404   200   404   200   200   200   404   401   200",
        POST="403   403   415   415   403   403   403   403   401   403",
    ),
    row(
        "api/v1/procurement/listings/<int:pk>/evidence/<int:evidence_id>/",
        pk="@draft_listing",
        evidence_id="@evidence_file",
        GET="404   404   200   404   200   200   200   404   401   200",
    ),
    row(
        "api/v1/procurement/listings/<int:pk>/actions/",
        pk="@listing",
        GET="200   200   200   200   200   200   200   200   401   200",
    ),
    row(
        "api/v1/procurement/listings/<int:pk>/submit/",
        pk="@draft_listing",
        GET="403   403   405   405   403   403   403   403   401   403",
        POST="403   403   200   404   403   403   403   403   401   403",
    ),
    row(
        "api/v1/procurement/listings/<int:pk>/approve/",
        pk="@listing",
        body={"reason": "复核"},
        GET="403   403   403   403   405   403   405   403   401   405",
        POST="403   403   403   403   409   403   409   403   401   409",
    ),
    row(
        "api/v1/procurement/listings/<int:pk>/reject/",
        pk="@listing",
        body={"reason": "复核"},
        GET="403   403   403   403   405   403   405   403   401   405",
        POST="403   403   403   403   409   403   409   403   401   409",
    ),
    row(
        "api/v1/procurement/listings/<int:pk>/suspend/",
        pk="@listing",
        body={"reason": "复核"},
        GET="403   403   403   403   405   403   405   403   401   405",
        POST="403   403   403   403   200   403   200   403   401   200",
    ),
    row(
        "api/v1/procurement/listings/<int:pk>/reinstate/",
        pk="@listing",
        body={"reason": "复核"},
        GET="403   403   403   403   405   403   405   403   401   405",
        POST="403   403   403   403   409   403   409   403   401   409",
    ),
    row(
        "api/v1/procurement/listings/<int:pk>/delist/",
        pk="@listing",
        body={"reason": "复核"},
        GET="405   405   405   405   405   405   405   405   401   405",
        POST="403   403   403   403   200   403   200   403   401   200",
    ),
    row(
        "api/v1/procurement/listings/<int:pk>/label/",
        pk="@listing",
        body={"label": "restricted", "reason": "价格偏高"},
        GET="403   403   403   403   405   403   405   403   401   405",
        POST="403   403   403   403   200   403   200   403   401   200",
    ),
    row(
        "api/v1/procurement/listings/<int:pk>/distributors/",
        pk="@listing",
        body={"distributors": [{"distributor": "@distributor", "region_code": "320100"}]},
        GET="200   200   200   200   200   200   200   200   401   200",
        POST="403   403   200   403   403   403   403   403   401   403",
    ),
    row(
        "api/v1/procurement/listings/<int:pk>/price-changes/",
        pk="@listing",
        body={"new_price": "96.00"},
        GET="403   403   405   405   403   403   403   403   401   403",
        POST="403   403   409   403   403   403   403   403   401   403",
    ),
    row(
        "api/v1/procurement/price-changes/",
        GET="200   200   200   200   200   200   200   200   401   200",
    ),
    row(
        "api/v1/procurement/price-changes/<int:pk>/actions/",
        pk="@price_change",
        GET="200   200   200   200   200   200   200   200   401   200",
    ),
    row(
        "api/v1/procurement/price-changes/<int:pk>/approve/",
        pk="@price_change",
        GET="403   403   403   403   405   403   405   403   401   405",
        POST="403   403   403   403   200   403   200   403   401   200",
    ),
    row(
        "api/v1/procurement/price-changes/<int:pk>/reject/",
        pk="@price_change",
        body={"reason": "不同意"},
        GET="403   403   403   403   405   403   405   403   401   405",
        POST="403   403   403   403   200   403   200   403   401   200",
    ),
    row(
        "api/v1/procurement/agreed-prices/",
        body={
            "listing": "@listing",
            "hospital": "@organization",
            "price": "85.00",
            "valid_from": "@today",
            "valid_until": "@next_year",
        },
        GET="200   200   200   200   200   200   200   200   401   200",
        POST="409   403   409   403   403   403   403   409   401   403",
    ),
    row(
        "api/v1/procurement/agreed-prices/<int:pk>/actions/",
        pk="@agreed_price",
        GET="200   200   200   404   200   200   200   200   401   200",
    ),
    row(
        "api/v1/procurement/agreed-prices/<int:pk>/accept/",
        pk="@agreed_price",
        GET="405   403   405   405   403   403   403   405   401   403",
        POST="200   403   403   404   403   403   403   200   401   403",
    ),
    row(
        "api/v1/procurement/agreed-prices/<int:pk>/decline/",
        pk="@agreed_price",
        GET="405   403   405   405   403   403   403   405   401   403",
        POST="200   403   403   404   403   403   403   200   401   403",
    ),
    row(
        "api/v1/procurement/agreed-prices/<int:pk>/end/",
        pk="@agreed_price",
        GET="405   403   405   405   403   403   403   405   401   403",
        POST="409   403   200   404   403   403   403   409   401   403",
    ),
    row(
        "api/v1/procurement/purchase-plan/",
        body={"year": "@year", "total": "2000000.00", "reason": "新院区开业"},
        GET="200   200   403   403   400   400   400   200   401   400",
        POST="403   200   403   403   403   403   403   403   401   403",
    ),
    row(
        "api/v1/procurement/purchase-plans/",
        GET="200   200   403   403   200   200   200   200   401   200",
    ),
    row(
        "api/v1/procurement/purchase-plans/<int:pk>/actions/",
        pk="@purchase_plan",
        GET="200   200   404   404   200   200   200   200   401   200",
    ),
    row(
        "api/v1/procurement/purchase-plans/<int:pk>/approve/",
        pk="@purchase_plan",
        body={},
        GET="403   403   403   403   405   403   403   403   401   403",
        POST="403   403   403   403   200   403   403   403   401   403",
    ),
    row(
        "api/v1/procurement/purchase-plans/<int:pk>/reject/",
        pk="@purchase_plan",
        body={"reason": "无依据"},
        GET="403   403   403   403   405   403   403   403   401   403",
        POST="403   403   403   403   200   403   403   403   401   403",
    ),
    row("api/v1/procurement/cap/", GET="200   200   403   403   400   400   400   200   401   400"),
    # --- API: the hospital's own catalogue [R-HOSP-CATALOGUE]
    row(
        "api/v1/procurement/catalogue/",
        body={
            "listings": ["@admissible_listing"],
            "decision_date": "@today",
            "decision_reference": "药事会〔2026〕3号",
        },
        GET="200   200   403   403   200   200   200   200   401   200",
        POST="201   403   403   403   403   403   403   201   401   403",
    ),
    row(
        "api/v1/procurement/catalogue/admissible/",
        GET="200   403   403   403   403   403   403   200   401   403",
    ),
    row(
        "api/v1/procurement/catalogue/<int:pk>/",
        pk="@catalogue_entry",
        GET="200   200   403   403   200   200   200   200   401   200",
    ),
    row(
        "api/v1/procurement/catalogue/<int:pk>/actions/",
        pk="@catalogue_entry",
        GET="200   200   403   403   200   200   200   200   401   200",
    ),
    row(
        "api/v1/procurement/catalogue/<int:pk>/stop/",
        pk="@catalogue_entry",
        body={"reason": "抽检不合格"},
        GET="405   403   403   403   403   403   403   405   401   403",
        POST="200   403   403   403   403   403   403   200   401   403",
    ),
    row(
        "api/v1/procurement/catalogue/<int:pk>/resume/",
        pk="@catalogue_entry",
        body={"reason": "复检合格"},
        GET="405   403   403   403   403   403   403   405   401   403",
        POST="409   403   403   403   403   403   403   409   401   403",
    ),
    # --- API: emergency purchases [R-EMERG-DEADLINE] [R-EMERG-CAP]
    # --- API: supervision, credit [R-CREDIT] [R-MISCONDUCT] and notifications
    row(
        "api/v1/supervision/credit/items/",
        GET="200   200   200   200   200   200   200   200   401   200",
    ),
    row(
        "api/v1/supervision/credit/items/<int:pk>/",
        pk="@misconduct_item",
        body=MISCONDUCT_ITEM_BODY,
        GET="200   200   200   200   200   200   200   200   401   200",
        PUT="403   403   403   403   200   403   403   403   401   403",
    ),
    row(
        "api/v1/supervision/credit/events/",
        body=CREDIT_EVENT_BODY,
        GET="200   200   200   200   200   200   200   200   401   200",
        POST="403   403   403   403   201   403   403   403   401   403",
    ),
    row(
        "api/v1/supervision/credit/events/<int:pk>/",
        pk="@credit_event",
        GET="404   404   200   404   200   200   200   404   401   200",
    ),
    row(
        "api/v1/supervision/credit/events/<int:pk>/actions/",
        pk="@credit_event",
        GET="404   404   200   404   200   200   200   404   401   200",
    ),
    row(
        "api/v1/supervision/credit/events/<int:pk>/repair/",
        pk="@credit_event",
        body={"statement": "已整改"},
        GET="403   403   405   405   403   403   403   403   401   403",
        POST="403   403   201   404   403   403   403   403   401   403",
    ),
    row(
        "api/v1/supervision/credit/repairs/",
        GET="200   200   200   200   200   200   200   200   401   200",
    ),
    row(
        "api/v1/supervision/credit/repairs/<int:pk>/actions/",
        pk="@credit_repair",
        GET="404   404   200   404   200   200   200   404   401   200",
    ),
    row(
        "api/v1/supervision/credit/repairs/<int:pk>/approve/",
        pk="@credit_repair",
        body={"reason": "整改到位"},
        GET="403   403   403   403   405   403   403   403   401   403",
        POST="403   403   403   403   200   403   403   403   401   403",
    ),
    row(
        "api/v1/supervision/credit/repairs/<int:pk>/reject/",
        pk="@credit_repair",
        body={"reason": "证据不足"},
        GET="403   403   403   403   405   403   403   403   401   403",
        POST="403   403   403   403   200   403   403   403   401   403",
    ),
    row(
        "api/v1/supervision/credit/sanctions/",
        GET="200   200   200   200   200   200   200   200   401   200",
    ),
    row(
        "api/v1/supervision/credit/standing/",
        GET="200   200   200   200   200   200   200   200   401   200",
    ),
    row(
        "api/v1/supervision/public/credit-cases/",
        GET="200   200   200   200   200   200   200   200   200   200",
    ),
    row(
        "api/v1/supervision/notifications/",
        GET="200   200   200   200   200   200   200   200   401   200",
    ),
    row(
        "api/v1/supervision/notifications/unread-count/",
        GET="200   200   200   200   200   200   200   200   401   200",
    ),
    row(
        "api/v1/supervision/notifications/<int:pk>/read/",
        pk="@notification",
        GET="405   405   405   405   405   405   405   405   401   405",
        POST="404   404   200   404   404   404   404   404   401   404",
    ),
    row(
        "api/v1/supervision/notifications/read-all/",
        GET="405   405   405   405   405   405   405   405   401   405",
        POST="200   200   200   200   200   200   200   200   401   200",
    ),
    # --- API: supervision, quality reports [R-QUALITY]
    row(
        "api/v1/supervision/quality/",
        body=QUALITY_BODY,
        GET="200   200   200   200   200   200   200   200   401   200",
        POST="201   201   403   403   403   403   403   201   401   403",
    ),
    row(
        "api/v1/supervision/quality/counts/",
        GET="200   200   200   200   200   200   200   200   401   200",
    ),
    row(
        "api/v1/supervision/quality/<int:pk>/",
        pk="@quality_report",
        GET="200   200   200   404   200   200   200   200   401   200",
    ),
    row(
        "api/v1/supervision/quality/<int:pk>/actions/",
        pk="@quality_report",
        GET="200   200   200   404   200   200   200   200   401   200",
    ),
    row(
        "api/v1/supervision/quality/<int:pk>/confirm/",
        pk="@quality_report",
        body={"reason": "经核实"},
        GET="403   403   403   403   405   403   403   403   401   403",
        POST="403   403   403   403   200   403   403   403   401   403",
    ),
    row(
        "api/v1/supervision/quality/<int:pk>/dismiss/",
        pk="@quality_report",
        body={"reason": "非产品问题"},
        GET="403   403   403   403   405   403   403   403   401   403",
        POST="403   403   403   403   200   403   403   403   401   403",
    ),
    row(
        "api/v1/supervision/quality/notices/",
        GET="200   200   403   403   403   403   200   200   401   200",
    ),
    row(
        "api/v1/supervision/quality/notices/<int:pk>/",
        pk="@lot_notice",
        GET="200   200   403   403   403   403   200   200   401   200",
    ),
    # --- API: abnormal-use alerts [R-ALERT-USE] [R-MISCONDUCT]
    row(
        "api/v1/supervision/alerts/",
        GET="403   403   403   403   200   200   200   403   401   200",
    ),
    row(
        "api/v1/supervision/alerts/rules/",
        GET="403   403   403   403   200   200   200   403   401   200",
    ),
    row(
        "api/v1/supervision/alerts/rules/<slug:code>/",
        code="price_rise",
        body={"params": {"rise_pct": "15"}},
        GET="403   403   403   403   200   200   200   403   401   200",
        PATCH="403   403   403   403   200   403   403   403   401   403",
    ),
    row(
        "api/v1/supervision/alerts/<int:pk>/",
        pk="@alert",
        GET="404   404   404   404   200   200   200   404   401   200",
    ),
    row(
        "api/v1/supervision/alerts/<int:pk>/actions/",
        pk="@alert",
        GET="404   404   404   404   200   200   200   404   401   200",
    ),
    row(
        "api/v1/supervision/alerts/<int:pk>/acknowledge/",
        pk="@alert",
        body={},
        GET="405   405   405   405   405   405   405   405   401   405",
        POST="404   404   404   404   200   403   403   404   401   403",
    ),
    row(
        "api/v1/supervision/alerts/<int:pk>/assign/",
        pk="@alert",
        body={"assignee": "@alert_assignee"},
        GET="405   405   405   405   405   405   405   405   401   405",
        POST="404   404   404   404   200   403   403   404   401   403",
    ),
    row(
        "api/v1/supervision/alerts/<int:pk>/resolve/",
        pk="@alert",
        body={"note": "已约谈企业"},
        GET="405   405   405   405   405   405   405   405   401   405",
        POST="404   404   404   404   200   403   403   404   401   403",
    ),
    row(
        "api/v1/supervision/alerts/<int:pk>/dismiss/",
        pk="@alert",
        body={"reason": "合理涨价"},
        GET="405   405   405   405   405   405   405   405   401   405",
        POST="404   404   404   404   200   403   403   404   401   403",
    ),
    # --- API: settlement, the payment flow [R-ESCROW] [R-PAY-30] [R-DIRECT]
    row(
        "api/v1/settlement/payment-requests/",
        body={"invoices": ["@payable_invoice"]},
        GET="403   200   200   200   200   200   200   403   401   200",
        POST="403   403   201   409   403   403   403   403   401   403",
    ),
    row(
        "api/v1/settlement/payment-requests/<int:pk>/",
        pk="@payment_request",
        GET="403   200   200   404   200   200   200   403   401   200",
    ),
    row(
        "api/v1/settlement/payment-requests/<int:pk>/actions/",
        pk="@payment_request",
        GET="403   200   200   404   200   200   200   403   401   200",
    ),
    row(
        "api/v1/settlement/payment-requests/<int:pk>/approve/",
        pk="@payment_request",
        GET="403   405   403   403   403   403   403   403   401   403",
        POST="403   200   403   403   403   403   403   403   401   403",
    ),
    row(
        "api/v1/settlement/payment-requests/<int:pk>/dispute/",
        pk="@payment_request",
        body={"line": "@payment_line", "reason": "数量不符"},
        GET="403   405   403   403   403   403   403   403   401   403",
        POST="403   200   403   403   403   403   403   403   401   403",
    ),
    row(
        "api/v1/settlement/payment-requests/<int:pk>/pay/",
        pk="@approved_payment_request",
        body={"transfer_reference": "BOC-API-1"},
        GET="403   405   403   403   403   403   403   403   401   403",
        POST="403   200   403   403   403   403   403   403   401   403",
    ),
    row(
        "api/v1/settlement/payment-requests/<int:pk>/pay-direct/",
        pk="@approved_payment_request",
        GET="403   403   403   403   403   405   403   403   401   403",
        POST="403   403   403   403   403   409   403   403   401   403",
    ),
    row(
        "api/v1/settlement/payable-invoices/",
        GET="403   403   200   200   403   403   403   403   401   403",
    ),
    row(
        "api/v1/settlement/payment-lines/",
        GET="403   200   200   200   200   200   200   403   401   200",
    ),
    # The HIS key acts as its hospital's purchaser: it reads the hospital's own five rates.
    row(
        "api/v1/supervision/five-rates/",
        GET="200   200   200   200   200   200   200   200   401   200",
    ),
    row(
        "api/v1/supervision/five-rates/months/",
        GET="200   200   200   200   200   200   200   200   401   200",
    ),
    row(
        "api/v1/supervision/five-rates/report/",
        GET="403   403   403   403   404   404   404   403   401   404",
    ),
    row(
        "api/v1/supervision/dashboard/",
        GET="403   403   403   403   200   200   200   403   401   200",
    ),
    row(
        "api/v1/supervision/dashboard/own/",
        GET="200   200   200   200   200   200   200   200   401   200",
    ),
    row(
        "api/v1/settlement/payment-lines/statement/",
        GET="403   200   200   200   200   200   200   403   401   200",
    ),
    row(
        "api/v1/settlement/fund-view/",
        GET="403   403   403   403   200   200   200   403   401   200",
    ),
    row(
        "api/v1/settlement/overdue-invoices/",
        GET="403   200   200   200   200   200   200   403   401   200",
    ),
    row(
        "api/v1/settlement/direct-settlements/",
        GET="403   200   200   200   200   200   200   403   401   200",
    ),
    row(
        "api/v1/settlement/settlement-batches/",
        GET="403   403   200   200   200   200   200   403   401   200",
        POST="403   403   403   403   403   201   403   403   401   403",
    ),
    row(
        "api/v1/settlement/settlement-batches/<int:pk>/",
        pk="@settlement_batch",
        GET="403   403   200   404   200   200   200   403   401   200",
    ),
    row(
        "api/v1/settlement/settlement-batches/<int:pk>/bank-file/",
        pk="@settlement_batch",
        GET="403   403   403   403   403   200   403   403   401   403",
    ),
    row(
        "api/v1/procurement/emergency-purchases/",
        body=EMERGENCY_BODY,
        GET="200   200   403   403   200   200   200   200   401   200",
        POST="201   403   403   403   403   403   403   201   401   403",
    ),
    row(
        "api/v1/procurement/emergency-purchases/cap/",
        GET="200   403   403   403   403   403   403   200   401   403",
    ),
    row(
        "api/v1/procurement/emergency-purchases/<int:pk>/",
        pk="@emergency_purchase",
        GET="200   200   403   403   200   200   200   200   401   200",
    ),
    row(
        "api/v1/procurement/emergency-purchases/<int:pk>/actions/",
        pk="@emergency_purchase",
        GET="200   200   403   403   200   200   200   200   401   200",
    ),
    row(
        "api/v1/procurement/emergency-purchases/<int:pk>/approve/",
        pk="@emergency_purchase",
        body={"reason": "疫情应急，准予超额"},
        GET="403   403   403   403   405   403   403   403   401   403",
        POST="403   403   403   403   200   403   403   403   401   403",
    ),
    row(
        "api/v1/procurement/emergency-purchases/<int:pk>/reject/",
        pk="@emergency_purchase",
        body={"reason": "不符合应急条件"},
        GET="403   403   403   403   405   403   403   403   401   403",
        POST="403   403   403   403   200   403   403   403   401   403",
    ),
    row(
        "api/v1/procurement/emergency-violations/",
        GET="200   200   403   403   200   200   200   200   401   200",
    ),
    # --- API: reconciliation [R-ESCROW]
    row(
        "api/v1/settlement/ledger-checks/",
        GET="403   403   403   403   200   200   200   403   401   200",
    ),
    row(
        "api/v1/settlement/ledger-checks/<int:pk>/",
        pk="@ledger_check",
        GET="403   403   403   403   200   200   200   403   401   200",
    ),
    row(
        "api/v1/settlement/bank-statements/",
        GET="403   403   403   403   200   200   200   403   401   200",
        POST="403   403   403   403   403   415   403   403   401   403",
    ),
    row(
        "api/v1/settlement/bank-statements/unmatched-lines/",
        GET="403   403   403   403   200   200   200   403   401   200",
    ),
    row(
        "api/v1/settlement/bank-statements/<int:pk>/",
        pk="@bank_statement",
        GET="403   403   403   403   200   200   200   403   401   200",
    ),
    row(
        "api/v1/settlement/bank-statements/<int:pk>/match/",
        pk="@bank_statement",
        GET="403   403   403   403   403   405   403   403   401   403",
        POST="403   403   403   403   403   200   403   403   401   403",
    ),
    # --- API: settlement, the fund's half [R-ADVANCE] [R-FUND-MONTHLY]
    row(
        "api/v1/settlement/accounts/",
        GET="403   200   403   403   200   200   200   403   401   200",
    ),
    row(
        "api/v1/settlement/accounts/<int:pk>/postings/",
        pk="@ledger_account",
        GET="403   200   403   403   200   200   200   403   401   200",
    ),
    row(
        "api/v1/settlement/advances/",
        GET="403   200   403   403   200   200   200   403   401   200",
    ),
    row(
        "api/v1/supervision/monitoring/",
        GET="200   200   403   403   200   200   200   200   401   200",
    ),
    row(
        "api/v1/supervision/retained-savings/",
        GET="200   200   403   403   200   200   200   200   401   200",
    ),
    row(
        "api/v1/supervision/price-cuts/",
        GET="403   403   403   403   200   200   200   403   401   200",
    ),
    row(
        "api/v1/supervision/price-cuts/progress/",
        GET="403   403   403   403   200   200   200   403   401   200",
    ),
    row(
        "api/v1/supervision/price-index/",
        GET="403   403   403   403   200   200   200   403   401   200",
    ),
    row(
        "api/v1/settlement/advances/pay-due/",
        GET="403   403   403   403   403   405   403   403   401   403",
        POST="403   403   403   403   403   200   403   403   401   403",
    ),
    row(
        "api/v1/settlement/advances/<int:pk>/",
        pk="@advance",
        GET="403   200   403   403   200   200   200   403   401   200",
    ),
    row(
        "api/v1/settlement/fund-settlements/",
        body={"hospital": "@organization", "month": "@first_of_last_month"},
        GET="403   200   403   403   200   200   200   403   401   200",
        POST="403   403   403   403   403   201   403   403   401   403",
    ),
    row(
        "api/v1/settlement/fund-settlements/import/",
        GET="403   403   403   403   403   405   403   403   401   403",
        POST="403   403   403   403   403   415   403   403   401   403",
    ),
    row(
        "api/v1/settlement/fund-settlements/<int:pk>/",
        pk="@fund_settlement",
        GET="403   200   403   403   200   200   200   403   401   200",
    ),
    row(
        "api/v1/settlement/fund-settlements/<int:pk>/actions/",
        pk="@fund_settlement",
        GET="403   200   403   403   200   200   200   403   401   200",
    ),
    row(
        "api/v1/settlement/fund-settlements/<int:pk>/claims/",
        pk="@fund_settlement",
        body={"reference": "JS-0002", "amount": "500.00"},
        GET="403   403   403   403   403   405   403   403   401   403",
        POST="403   403   403   403   403   201   403   403   401   403",
    ),
    row(
        "api/v1/settlement/fund-settlements/<int:pk>/settle/",
        pk="@fund_settlement",
        GET="403   403   403   403   403   405   403   403   401   403",
        POST="403   403   403   403   403   200   403   403   401   403",
    ),
    # --- API: negotiations [R-NEGOTIATION]
    row(
        "api/v1/procurement/negotiations/",
        body=NEGOTIATION_BODY,
        GET="403   403   200   200   200   200   200   403   401   200",
        POST="403   403   403   403   201   201   403   403   401   403",
    ),
    # NJ 2.3 linked price cuts: a multipart upload (a JSON body is 415 for those allowed).
    row(
        "api/v1/procurement/negotiations/linked-import/",
        GET="403   403   403   403   405   405   403   403   401   403",
        POST="403   403   403   403   415   415   403   403   401   403",
    ),
    row(
        "api/v1/procurement/negotiations/<int:pk>/",
        pk="@negotiation_open",
        GET="403   403   200   404   200   200   200   403   401   200",
    ),
    row(
        "api/v1/procurement/negotiations/<int:pk>/actions/",
        pk="@negotiation_open",
        GET="403   403   200   404   200   200   200   403   401   200",
    ),
    row(
        "api/v1/procurement/negotiations/<int:pk>/invite/",
        pk="@negotiation_draft",
        GET="403   403   403   403   405   405   403   403   401   403",
        POST="403   403   403   403   200   200   403   403   401   403",
    ),
    row(
        "api/v1/procurement/negotiations/<int:pk>/counter/",
        pk="@negotiation_open",
        body={"deadline": "@in_5_days", "note": "请进一步让利"},
        GET="403   403   403   403   405   405   403   403   401   403",
        POST="403   403   403   403   200   200   403   403   401   403",
    ),
    row(
        "api/v1/procurement/negotiations/<int:pk>/conclude/",
        pk="@negotiation_agreed",
        GET="403   403   403   403   405   405   403   403   401   403",
        POST="403   403   403   403   200   200   403   403   401   403",
    ),
    row(
        "api/v1/procurement/negotiations/<int:pk>/cancel/",
        pk="@negotiation_open",
        body={"reason": "无需谈判"},
        GET="403   403   403   403   405   405   403   403   401   403",
        POST="403   403   403   403   200   200   403   403   401   403",
    ),
    row(
        "api/v1/procurement/negotiations/<int:pk>/items/<int:item>/offer/",
        pk="@negotiation_open",
        item="@negotiation_open_item",
        body={"price": "90.00"},
        GET="403   403   405   405   403   403   403   403   401   403",
        POST="403   403   200   404   403   403   403   403   401   403",
    ),
    row(
        "api/v1/procurement/negotiations/<int:pk>/items/<int:item>/accept-target/",
        pk="@negotiation_open",
        item="@negotiation_open_item",
        GET="403   403   405   405   403   403   403   403   401   403",
        POST="403   403   200   404   403   403   403   403   401   403",
    ),
    row(
        "api/v1/procurement/negotiations/<int:pk>/items/<int:item>/accept-offer/",
        pk="@negotiation_offered",
        item="@negotiation_offered_item",
        GET="403   403   403   403   405   405   403   403   401   403",
        POST="403   403   403   403   200   200   403   403   401   403",
    ),
    # --- API: volume-based procurement rounds and demand
    row(
        "api/v1/procurement/rounds/",
        body=ROUND_BODY,
        GET="200   200   200   200   200   200   200   200   401   200",
        POST="403   403   403   403   201   201   403   403   401   403",
    ),
    row(
        "api/v1/procurement/rounds/<int:pk>/",
        pk="@draft_round",
        body={"name": "改名"},
        GET="404   404   404   404   200   200   200   404   401   200",
        PATCH="403   403   403   403   200   200   403   403   401   403",
    ),
    row(
        "api/v1/procurement/rounds/<int:pk>/actions/",
        pk="@draft_round",
        GET="404   404   404   404   200   200   200   404   401   200",
    ),
    row(
        "api/v1/procurement/rounds/<int:pk>/publish/",
        pk="@draft_round",
        GET="403   403   403   403   405   405   403   403   401   403",
        POST="403   403   403   403   200   200   403   403   401   403",
    ),
    row(
        "api/v1/procurement/rounds/<int:pk>/amend/",
        pk="@open_round",
        body={"reason": "延期", "changes": {"note": "补充说明"}},
        GET="403   403   403   403   405   405   403   403   401   403",
        POST="403   403   403   403   200   200   403   403   401   403",
    ),
    row(
        "api/v1/procurement/rounds/<int:pk>/groups/",
        pk="@draft_round",
        body={
            "code": "G2",
            "name": "球囊",
            "code_prefixes": ["C01"],
            "max_valid_price": "80.00",
            "winning_rule": {"condition": {"op": "n_lowest", "n": 1}},
        },
        GET="404   404   404   404   200   200   200   404   401   200",
        POST="403   403   403   403   201   201   403   403   401   403",
    ),
    row(
        "api/v1/procurement/rounds/<int:pk>/groups/<int:group>/",
        pk="@draft_round",
        group="@draft_group",
        body={"max_valid_price": "90.00"},
        GET="404   404   404   404   200   200   200   404   401   200",
        PATCH="403   403   403   403   200   200   403   403   401   403",
    ),
    row(
        "api/v1/procurement/rounds/<int:pk>/dry-run/",
        pk="@draft_round",
        body={"group": "@draft_group", "bids": [{"label": "甲", "price": "50.00"}]},
        GET="403   403   403   403   405   405   403   403   401   403",
        POST="403   403   403   403   200   200   403   403   401   403",
    ),
    row(
        "api/v1/procurement/rounds/<int:pk>/demand/",
        pk="@open_round",
        body={"lines": [{"group": "@open_group", "volume": 12}]},
        GET="200   200   403   403   200   200   200   200   401   200",
        POST="200   403   403   403   403   403   403   200   401   403",
    ),
    row(
        "api/v1/procurement/demand/<int:pk>/review/",
        pk="@demand",
        body={"volume": 9, "reason": "核减"},
        GET="403   403   403   403   405   405   403   403   401   403",
        POST="403   403   403   403   200   200   403   403   401   403",
    ),
    # --- API: what follows a final round
    row(
        "api/v1/procurement/rounds/<int:pk>/awards/",
        pk="@final_round",
        GET="200   200   200   200   200   200   200   200   401   200",
    ),
    row(
        "api/v1/procurement/rounds/<int:pk>/awards/actions/",
        pk="@final_round",
        GET="200   200   200   200   200   200   200   200   401   200",
    ),
    row(
        "api/v1/procurement/rounds/<int:pk>/apply-results/",
        pk="@final_round",
        GET="403   403   403   403   405   405   403   403   401   403",
        POST="403   403   403   403   200   200   403   403   401   403",
    ),
    row(
        "api/v1/procurement/rounds/<int:pk>/choices/",
        pk="@final_round",
        body={"lines": [{"result": "@winner", "quantity": 5}]},
        GET="200   403   403   403   403   403   403   200   401   403",
        POST="200   403   403   403   403   403   403   200   401   403",
    ),
    row(
        "api/v1/procurement/rounds/<int:pk>/allocate/",
        pk="@final_round",
        GET="403   403   403   403   405   405   403   403   401   403",
        POST="403   403   403   403   409   409   403   403   401   403",
    ),
    row(
        "api/v1/procurement/rounds/<int:pk>/groups/<int:group>/renewal/",
        pk="@contract_round",
        group="@contract_group",
        body={"decision": "renew", "reason": "续约"},
        GET="403   403   403   403   405   405   403   403   401   403",
        POST="403   403   403   403   409   409   403   403   401   403",
    ),
    # Sealed bids: custodians (the round's regulators), shares (custodians: the bureau
    # officer is one, who collected already), bids (suppliers; the bureau sees who bid, never
    # a price), the opening (the bureau, from the opening time), public results (no login).
    row(
        "api/v1/procurement/rounds/<int:pk>/custodians/",
        pk="@sealed_round",
        body={"threshold": 2, "custodians": [{"user": "@custodian_user"}]},
        GET="403   403   403   403   200   200   403   403   401   403",
        POST="403   403   403   403   409   409   403   403   401   403",
    ),
    row(
        "api/v1/procurement/rounds/<int:pk>/share/collect/",
        pk="@sealed_round",
        GET="403   403   403   403   405   405   403   403   401   403",
        POST="403   403   403   403   409   403   403   403   401   403",
    ),
    row(
        "api/v1/procurement/rounds/<int:pk>/share/enter/",
        pk="@sealed_round",
        body={"share": "YGS-AAAA"},
        GET="403   403   403   403   405   405   403   403   401   403",
        POST="403   403   403   403   409   403   403   403   401   403",
    ),
    row(
        "api/v1/procurement/rounds/<int:pk>/open/",
        pk="@sealed_round",
        GET="403   403   403   403   405   405   403   403   401   403",
        POST="403   403   403   403   409   409   403   403   401   403",
    ),
    row(
        "api/v1/procurement/rounds/<int:pk>/finalise/",
        pk="@sealed_round",
        GET="403   403   403   403   405   405   403   403   401   403",
        POST="403   403   403   403   409   409   403   403   401   403",
    ),
    row(
        "api/v1/procurement/rounds/<int:pk>/bids/",
        pk="@sealed_round",
        body={
            "group": "@sealed_group",
            "product": "@sealed_product",
            "envelope": "@sealed_envelope",
        },
        GET="403   403   200   200   200   200   200   403   401   200",
        POST="403   403   201   400   403   403   403   403   401   403",
    ),
    row(
        "api/v1/procurement/rounds/<int:pk>/bids/<int:bid>/withdraw/",
        pk="@sealed_round",
        bid="@sealed_bid",
        GET="403   403   405   405   403   403   403   403   401   403",
        POST="403   403   200   404   403   403   403   403   401   403",
    ),
    row(
        "api/v1/procurement/rounds/<int:pk>/bid-refusals/",
        pk="@sealed_round",
        GET="403   403   200   200   200   200   200   403   401   200",
    ),
    row(
        "api/v1/procurement/rounds/<int:pk>/results/",
        pk="@final_round",
        GET="200   200   200   200   200   200   200   200   200   200",
    ),
    # The public API: no login, GET only, throttled per address [R-DISCLOSE].
    row(
        "api/v1/public/reference-prices/",
        GET="200   200   200   200   200   200   200   200   200   200",
    ),
    row("api/v1/public/listings/", GET="200   200   200   200   200   200   200   200   200   200"),
    row(
        "api/v1/public/ledger-hashes/",
        GET="200   200   200   200   200   200   200   200   200   200",
    ),
    row(
        "api/v1/public/negotiation-results/",
        GET="200   200   200   200   200   200   200   200   200   200",
    ),
    row(
        "api/v1/public/tender-rounds/",
        GET="200   200   200   200   200   200   200   200   200   200",
    ),
    row(
        "api/v1/public/tender-results/",
        GET="200   200   200   200   200   200   200   200   200   200",
    ),
    row(
        "api/v1/procurement/contracts/",
        GET="200   200   200   200   200   200   200   200   401   200",
    ),
    row(
        "api/v1/procurement/contracts/<int:pk>/",
        pk="@contract",
        GET="200   200   200   200   200   200   200   200   401   200",
    ),
    row(
        "api/v1/procurement/contracts/<int:pk>/actions/",
        pk="@contract",
        GET="200   200   200   200   200   200   200   200   401   200",
    ),
    row(
        "api/v1/procurement/contracts/<int:pk>/sign/",
        pk="@contract",
        GET="405   403   405   405   403   403   403   405   401   403",
        POST="200   403   200   200   403   403   403   200   401   403",
    ),
    # Without ?consumable= the standard cannot be answered (400).
    row(
        "api/v1/procurement/payment-standards/",
        GET="400   400   400   400   400   400   400   400   401   400",
    ),
    # --- API: orders, deliveries, returns, invoices, usage, feed
    row(
        "api/v1/procurement/orders/",
        body={"lines": [{"listing": "@listing", "quantity": 1}], "department": "骨科"},
        GET="200   200   200   200   200   200   200   200   401   200",
        POST="201   403   403   403   403   403   403   201   401   403",
    ),
    row(
        "api/v1/procurement/orders/quote/",
        body={"lines": [{"listing": "@listing", "quantity": 1}]},
        GET="405   403   403   403   403   403   403   405   401   403",
        POST="200   403   403   403   403   403   403   200   401   403",
    ),
    row(
        "api/v1/procurement/orders/<int:pk>/",
        pk="@submitted_order",
        GET="200   200   200   404   200   200   200   200   401   200",
    ),
    row(
        "api/v1/procurement/orders/<int:pk>/actions/",
        pk="@submitted_order",
        GET="200   200   200   404   200   200   200   200   401   200",
    ),
    row(
        "api/v1/procurement/orders/<int:pk>/submit/",
        pk="@draft_order",
        GET="405   403   403   403   403   403   403   405   401   403",
        POST="200   403   403   403   403   403   403   200   401   403",
    ),
    row(
        "api/v1/procurement/orders/<int:pk>/cancel/",
        pk="@draft_order",
        body={"reason": "不再需要"},
        GET="405   403   403   403   403   403   403   405   401   403",
        POST="200   403   403   403   403   403   403   200   401   403",
    ),
    row(
        "api/v1/procurement/orders/<int:pk>/respond/",
        pk="@submitted_order",
        body={
            "lines": [
                {"line": "@submitted_line", "decision": "confirm", "promised_on": "@promised"}
            ]
        },
        GET="403   403   405   405   403   403   403   403   401   403",
        POST="403   403   200   404   403   403   403   403   401   403",
    ),
    row(
        "api/v1/procurement/orders/<int:pk>/distributor/",
        pk="@confirmed_order",
        body={"distributor": "@distributor"},
        GET="403   403   405   405   403   403   403   403   401   403",
        POST="403   403   200   404   403   403   403   403   401   403",
    ),
    row(
        "api/v1/procurement/orders/<int:pk>/lines/<int:line_id>/confirm/",
        pk="@submitted_order",
        line_id="@submitted_line",
        body={"promised_on": "@promised"},
        GET="403   403   405   405   403   403   403   403   401   403",
        POST="403   403   200   404   403   403   403   403   401   403",
    ),
    row(
        "api/v1/procurement/orders/<int:pk>/lines/<int:line_id>/reject/",
        pk="@submitted_order",
        line_id="@submitted_line",
        body={"reason": "缺货"},
        GET="403   403   405   405   403   403   403   403   401   403",
        POST="403   403   200   404   403   403   403   403   401   403",
    ),
    row(
        "api/v1/procurement/deliveries/",
        body={
            "order": "@confirmed_order",
            "lines": [{"order_line": "@confirmed_line", "quantity": 10, "barcode": "@udi"}],
        },
        GET="200   200   200   200   200   200   200   200   401   200",
        POST="403   403   201   404   403   403   403   403   401   403",
    ),
    row(
        "api/v1/procurement/deliveries/<int:pk>/",
        pk="@delivery",
        GET="200   200   200   404   200   200   200   200   401   200",
    ),
    row(
        "api/v1/procurement/deliveries/<int:pk>/actions/",
        pk="@delivery",
        GET="200   200   200   404   200   200   200   200   401   200",
    ),
    row(
        "api/v1/procurement/deliveries/<int:pk>/accept/",
        pk="@delivery",
        body={"lines": [{"delivery_line": "@delivery_line", "accepted_quantity": 10}]},
        GET="405   403   403   403   403   403   403   405   401   403",
        POST="200   403   403   403   403   403   403   200   401   403",
    ),
    row(
        "api/v1/procurement/returns/",
        body={"delivery_line": "@accepted_delivery_line", "quantity": 1, "reason": "包装破损"},
        GET="405   403   403   403   403   403   403   405   401   403",
        POST="201   403   403   403   403   403   403   201   401   403",
    ),
    row(
        "api/v1/procurement/invoices/",
        body={
            "order": "@accepted_order",
            "number": "26322000000000000042",
            "issued_on": "@today",
            "amount": "1000.00",
            "lines": [{"order_line": "@accepted_line", "quantity": 10, "amount": "1000.00"}],
        },
        GET="200   200   200   200   200   200   200   200   401   200",
        POST="403   403   201   404   403   403   403   403   401   403",
    ),
    row(
        "api/v1/procurement/invoices/<int:pk>/",
        pk="@invoice",
        GET="200   200   200   404   200   200   200   200   401   200",
    ),
    row(
        "api/v1/procurement/invoices/<int:pk>/actions/",
        pk="@invoice",
        GET="200   200   200   404   200   200   200   200   401   200",
    ),
    row(
        "api/v1/procurement/invoices/<int:pk>/confirm/",
        pk="@invoice",
        GET="403   405   403   403   403   403   403   403   401   403",
        POST="403   200   403   403   403   403   403   403   401   403",
    ),
    row(
        "api/v1/procurement/invoices/<int:pk>/reject/",
        pk="@invoice",
        body={"reason": "金额不符"},
        GET="403   405   403   403   403   403   403   403   401   403",
        POST="403   200   403   403   403   403   403   403   401   403",
    ),
    row(
        "api/v1/procurement/usage-records/",
        body={
            "records": [
                {
                    "barcode": "@udi_serial",
                    "operation_id": "OP-0002",
                    "doctor_code": "D001",
                    "department": "心内科",
                    "patient_hash": "@patient_hash",
                    "used_at": "@an_hour_ago",
                }
            ]
        },
        GET="200   200   403   403   200   200   200   200   401   200",
        POST="201   403   403   403   403   403   403   201   401   403",
    ),
    row(
        "api/v1/region-policy/",
        GET="403   403   403   403   200   200   200   403   401   200",
        PATCH="403   403   403   403   200   403   200   403   401   200",
    ),
    # As the page: bureau staff read their jurisdiction's history (issue 11), was 403.
    row(
        "api/v1/exports/",
        body={"kind": "orders", "filters": {"status": "submitted"}},
        GET="405   405   405   405   405   405   405   405   401   405",
        POST="202   202   202   202   202   202   202   202   401   202",
    ),
    row(
        "api/v1/exports/<int:pk>/",
        pk="@export_job",
        GET="200   404   404   404   404   404   404   404   401   404",
    ),
    row(
        "api/v1/exports/<int:pk>/download/",
        pk="@export_job",
        GET="409   404   404   404   404   404   404   404   401   404",
    ),
    row("api/v1/history/", GET="403   403   403   403   200   403   200   403   401   200"),
    row("api/v1/home/", GET="200   200   200   200   200   200   200   200   401   200"),
    row("api/v1/calendar/years/", GET="403   403   403   403   403   403   200   403   401   200"),
    row(
        "api/v1/calendar/days/",
        body={"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
        GET="403   403   403   403   403   403   200   403   401   200",
        POST="403   403   403   403   403   403   201   403   401   201",
    ),
    row(
        "api/v1/calendar/days/<int:pk>/",
        pk="@calendar_day",
        GET="403   403   403   403   403   403   405   403   401   405",
        DELETE="403   403   403   403   403   403   204   403   401   204",
    ),
    row("api/v1/events/", GET="200   200   200   200   403   403   403   200   401   403"),
    # --- The API document and its viewers
    row(
        "api/schema/",
        GET="200   200   200   200   200   200   200   200   200   200",
        POST="405   405   405   405   405   405   405   405   405   405",
    ),
    row(
        "api/docs/",
        GET="200   200   200   200   200   200   200   200   200   200",
        POST="405   405   405   405   405   405   405   405   405   405",
    ),
    row(
        "api/redoc/",
        GET="200   200   200   200   200   200   200   200   200   200",
        POST="405   405   405   405   405   405   405   405   405   405",
    ),
]


@pytest.fixture(scope="module")
def clients(api_world):
    return m.clients(api_world)


def test_every_route_of_the_url_conf_has_a_row():
    assert sorted(set(m.routes()) - {r.route for r in ROWS}) == []
    assert sorted({r.route for r in ROWS} - set(m.routes())) == []


def test_every_operation_of_the_schema_has_a_row():
    in_table = {
        (m.schema_path(r.route), method) for r in ROWS if m.is_api(r.route) for method in r.outcomes
    }
    in_schema = {
        (path, method.upper())
        for path, item in m.openapi()["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert sorted(in_schema - in_table) == []


def test_every_row_calls_the_methods_its_route_has():
    """Pages: GET and POST. API routes: GET and exactly the schema's methods for the path."""
    for r in ROWS:
        api = m.is_api(r.route)
        expected = m.schema_methods(r.route) | {"GET"} if api else {"GET", "POST"}
        assert set(r.outcomes) == expected, r.id


@pytest.mark.parametrize("r", ROWS, ids=lambda r: r.id)
def test_outcome_for_every_role(r, api_world, clients):
    api = m.is_api(r.route)
    for method, expected in r.outcomes.items():
        actual, wrote = [], {}
        for role in ROLES:
            outcome, response, written = m.call(r, method, clients[role], api_world)
            actual.append(outcome)
            if outcome in m.REFUSALS and written:
                wrote[role] = written
            if api and method in m.schema_methods(r.route) and outcome[0] in "24":
                m.assert_conforms(r.route, method, m.url_for(r, api_world), response)
        assert dict(zip(ROLES, actual, strict=True)) == dict(
            zip(ROLES, expected.split(), strict=True)
        ), method
        assert wrote == {}, f"{method}: refused, yet wrote"


def test_the_conformance_check_sees_a_body_that_breaks_the_schema():
    """The matrix's schema check can fail: an organisation whose id is a string does not pass."""
    from django.http import JsonResponse

    bad = JsonResponse({"id": "one", "username": "x", "roles": [], "organization": None})
    with pytest.raises(FailureGroup) as error:
        m.assert_conforms("api/v1/accounts/me/", "GET", "/api/v1/accounts/me/", bad)
    assert any('"one" is not of type "integer"' in str(e) for e in error.value.exceptions)
    undocumented = JsonResponse({}, status=418)
    with pytest.raises(AssertionError, match="418 is not documented"):
        m.assert_conforms("api/v1/accounts/me/", "GET", "/api/v1/accounts/me/", undocumented)


def test_the_write_check_sees_a_row_written():
    from django.contrib.auth.models import Group

    before = m.writes()
    Group.objects.create(name="写入")
    assert m.writes().get("auth_group", 0) == before.get("auth_group", 0) + 1
