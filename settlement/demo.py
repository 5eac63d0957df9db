"""The demo's money [R-ADVANCE] [R-ADVANCE-OFFSET] [R-FUND-MONTHLY] [R-EMERG-DEDUCT]: the
finished VBP round's advances paid when its cycle began, h01's purchases of its contract month
by month, each month's fund settlement of h01 offsetting its advance (December's deducting the
late emergency registration), and h03's December open for the agency to settle; then the
payment flow (settlement.demo_payments): suppliers' requests at every step, one settled by a
batch, and one direct settlement by the fund that h03's open month recovers [R-DIRECT]."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from accounts.models import User
from core import clock
from procurement import demo as procurement_demo
from procurement.models import Contract, TenderRound
from settlement import demo_payments
from settlement.models import FundSettlement
from settlement.selectors.fund import month_end
from settlement.services import advances, fund

# h01's extra orders of its contract (units, days ago), on top of procurement's demo order
# three weeks ago: purchases that grow month by month, so each month offsets a little more.
H01_ORDERS = [(15, 100), (15, 70), (15, 40)]
# The month's claims of a hospital: outpatient and inpatient (CNY), by month index.
CLAIMS = [("门诊统筹", Decimal("1183420.50")), ("住院统筹", Decimal("3276905.80"))]


def _months(start: dt.date, today: dt.date) -> list[dt.date]:
    months, month = [], start.replace(day=1)
    while month <= today.replace(day=1):
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def _settle(agency: User, hospital_id: int, month: dt.date, index: int, *, close: bool) -> None:
    settle_at = procurement_demo._moment(month_end(month) + dt.timedelta(days=5), 10)
    with procurement_demo._at(settle_at, agency, clamp=True):
        settlement = fund.fund_settlement_open(actor=agency, hospital_id=hospital_id, month=month)
        for n, (kind, amount) in enumerate(CLAIMS, start=1):
            fund.fund_claim_add(
                actor=agency,
                settlement_id=settlement.pk,
                reference=f"JS{month:%Y%m}-{hospital_id:03d}-{n}",
                amount=amount + Decimal(index * 1000),
                description=f"{month:%Y年%m月}{kind}",
            )
        if close:
            fund.fund_settlement_settle(actor=agency, settlement_id=settlement.pk)


@transaction.atomic
def seed() -> dict[str, int]:
    counts = _seed_fund()
    users = procurement_demo._users()
    agency = User.objects.filter(username="agency").first()
    if counts and agency is not None and "bureau" in users:
        demo_payments.seed(users, agency, users["bureau"])
    return counts


def _seed_fund() -> dict[str, int]:
    users = procurement_demo._users()
    agency = User.objects.filter(username="agency").first()
    h01, h03 = users.get("h01_purchaser"), users.get("h03_purchaser")
    tender = TenderRound.objects.filter(name=procurement_demo.DEMO_FINISHED_ROUND_NAME).first()
    if agency is None or h01 is None or h03 is None or tender is None:
        return {}
    first, third = h01.organization_id, h03.organization_id
    if first is None or third is None:
        return {}
    if FundSettlement.objects.filter(hospital=h01.organization).exists():
        return {"fund_settlements": FundSettlement.objects.count()}
    today = clock.local_today()
    contract = (
        Contract.objects.filter(round=tender, hospital=h01.organization).order_by("pk").first()
    )
    if contract is None:
        return {}
    sales_of = {u.organization_id: u for n, u in users.items() if n.endswith("_sales")}
    for quantity, days_ago in H01_ORDERS:
        procurement_demo.demo_contract_order(
            contract, h01, sales_of, quantity, today, days_ago=days_ago
        )
    with procurement_demo._at(procurement_demo._moment(contract.cycle_start, 9), clamp=True):
        advances.advances_pay_due()
    months = _months(contract.cycle_start, today)
    for index, month in enumerate(months):
        _settle(agency, first, month, index, close=True)
    _settle(agency, third, months[-1], 0, close=False)
    return {"fund_settlements": FundSettlement.objects.count()}
