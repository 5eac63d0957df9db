"""Settlement's home cards (core.home): the agency's months to settle, the advances being
offset, each counting the rows of the list it links to."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from core.home import CardQuery, register_card
from settlement.choices import AdvanceStatus, FundSettlementStatus
from settlement.selectors import advances, fund, ledger

AGENCY = {Role.AGENCY_FINANCE}


@register_card(
    key="fund_settlements_draft",
    title=_("Fund settlements to settle"),
    roles=AGENCY,
    order=520,
)
def fund_settlements_draft(actor) -> CardQuery:
    rows = fund.fund_settlement_list(actor=actor, status=FundSettlementStatus.DRAFT)
    return CardQuery(
        rows=rows,
        path=reverse("settlement:fund_settlement_list"),
        params={"status": FundSettlementStatus.DRAFT},
    )


@register_card(
    key="fund_settlements_settled",
    title=_("Fund settlements settled (paid to hospitals)"),
    roles={Role.HOSPITAL_FINANCE, Role.BUREAU_OFFICER, Role.AGENCY_FINANCE},
    order=521,
    amount_field="net_amount",
)
def fund_settlements_settled(actor) -> CardQuery:
    rows = fund.fund_settlement_list(actor=actor, status=FundSettlementStatus.SETTLED)
    return CardQuery(
        rows=rows,
        path=reverse("settlement:fund_settlement_list"),
        params={"status": FundSettlementStatus.SETTLED},
    )


@register_card(
    key="advances_offsetting",
    title=_("Advances being offset (amount advanced)"),
    roles={Role.HOSPITAL_FINANCE, Role.BUREAU_OFFICER, Role.AGENCY_FINANCE},
    order=522,
    amount_field="amount",
)
def advances_offsetting(actor) -> CardQuery:
    rows = advances.advance_list(actor=actor).filter(status=AdvanceStatus.OFFSETTING)
    return CardQuery(
        rows=rows,
        path=reverse("settlement:advance_list"),
        params={"status": AdvanceStatus.OFFSETTING},
    )


@register_card(
    key="ledger_checks_drift",
    title=_("Ledger checks that found drift"),
    roles={Role.BUREAU_OFFICER, Role.AGENCY_FINANCE, Role.PLATFORM_ADMIN},
    order=523,
)
def ledger_checks_drift(actor) -> CardQuery:
    rows = ledger.ledger_check_list(actor=actor, ok=False)
    return CardQuery(rows=rows, path=reverse("settlement:ledger_check_list"), params={"ok": "0"})
