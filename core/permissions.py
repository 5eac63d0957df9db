"""The permission layer: may this user see or do this to this object?

One table maps each action to the roles that may do it; ``visible_to`` scoping (core.tenancy)
decides which objects they may do it to. Views and API classes ask here and nowhere else.
An object outside the actor's scope is reported as missing (404), never as forbidden, so its
existence does not leak; a visible object with the wrong role is forbidden (403).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from rest_framework.permissions import BasePermission

from core.errors import NotFoundError, PermissionDeniedError
from core.signals import security_event
from core.tenancy import AnyActor, is_active_actor

if TYPE_CHECKING:  # at run time rest_framework.views would load the authentication classes
    from django.db.models import QuerySet
    from rest_framework.request import Request
    from rest_framework.views import APIView

HOSPITAL_PURCHASER = "hospital_purchaser"
HOSPITAL_FINANCE = "hospital_finance"
SUPPLIER_SALES = "supplier_sales"
BUREAU_OFFICER = "bureau_officer"
AGENCY_FINANCE = "agency_finance"
PLATFORM_ADMIN = "platform_admin"

EVERYONE = frozenset(
    {
        HOSPITAL_PURCHASER,
        HOSPITAL_FINANCE,
        SUPPLIER_SALES,
        BUREAU_OFFICER,
        AGENCY_FINANCE,
        PLATFORM_ADMIN,
    }
)
HOSPITAL = frozenset({HOSPITAL_PURCHASER, HOSPITAL_FINANCE})
REGULATORS = frozenset({BUREAU_OFFICER, AGENCY_FINANCE})

# action -> roles allowed. Later issues add their actions here, so that the table-driven test
# in core/tests/test_permissions.py covers every action the platform has.
ACTIONS: dict[str, frozenset[str]] = {
    "organization.view": EVERYONE,
    "organization.manage": frozenset({PLATFORM_ADMIN}),
    "user.view": EVERYONE,
    "user.manage": frozenset({PLATFORM_ADMIN}),
    "api_client.view": frozenset({HOSPITAL_PURCHASER, HOSPITAL_FINANCE, PLATFORM_ADMIN}),
    "api_client.manage": frozenset({PLATFORM_ADMIN}),
    # Bureau staff read the history of their jurisdiction's objects (core.selectors.history_list).
    "history.view": frozenset({BUREAU_OFFICER, PLATFORM_ADMIN}),
    "security_event.view": frozenset({PLATFORM_ADMIN}),
    "region_policy.view": frozenset({BUREAU_OFFICER, AGENCY_FINANCE, PLATFORM_ADMIN}),
    "region_policy.edit": frozenset({BUREAU_OFFICER, PLATFORM_ADMIN}),
    "calendar.manage": frozenset({PLATFORM_ADMIN}),
    # catalog
    "catalog.view": EVERYONE,
    "catalog.import": frozenset({PLATFORM_ADMIN}),
    "reference_price.view": EVERYONE,
    "reference_price.manage": frozenset({BUREAU_OFFICER, PLATFORM_ADMIN}),
    "price_objection.raise": frozenset({SUPPLIER_SALES}),
    "price_objection.view": frozenset({SUPPLIER_SALES, BUREAU_OFFICER, PLATFORM_ADMIN}),
    "price_objection.resolve": frozenset({BUREAU_OFFICER, PLATFORM_ADMIN}),
    "sync_run.view": frozenset({BUREAU_OFFICER, PLATFORM_ADMIN}),
    "sync_run.start": frozenset({BUREAU_OFFICER, PLATFORM_ADMIN}),
    # procurement: listing
    "listing.view": EVERYONE,
    "listing.apply": frozenset({SUPPLIER_SALES}),
    "listing.review": frozenset({BUREAU_OFFICER, PLATFORM_ADMIN}),
    "agreed_price.view": frozenset(
        {
            HOSPITAL_PURCHASER,
            HOSPITAL_FINANCE,
            SUPPLIER_SALES,
            BUREAU_OFFICER,
            AGENCY_FINANCE,
            PLATFORM_ADMIN,
        }
    ),
    "agreed_price.negotiate": frozenset({HOSPITAL_PURCHASER, SUPPLIER_SALES}),
    # [R-LIST-ALT-CAP] finance proposes its hospital's annual purchase total; the bureau decides.
    "purchase_plan.propose": frozenset({HOSPITAL_FINANCE}),
    "purchase_plan.review": frozenset({BUREAU_OFFICER}),
    # Either of the two (the menu entry; hospital staff and overseers may read the page).
    "purchase_plan.manage": frozenset({HOSPITAL_FINANCE, BUREAU_OFFICER}),
    # procurement: orders to invoices
    "order.view": EVERYONE,
    "order.place": frozenset({HOSPITAL_PURCHASER}),
    # [R-HOSP-CATALOGUE] departments do not order on their own: the purchasers submit.
    "order.submit": frozenset({HOSPITAL_PURCHASER}),
    "order.respond": frozenset({SUPPLIER_SALES}),
    "delivery.create": frozenset({SUPPLIER_SALES}),
    "delivery.accept": frozenset({HOSPITAL_PURCHASER}),
    "invoice.register": frozenset({SUPPLIER_SALES}),
    "invoice.confirm": frozenset({HOSPITAL_FINANCE}),
    "usage.record": frozenset({HOSPITAL_PURCHASER}),
    "usage.view": frozenset(
        {HOSPITAL_PURCHASER, HOSPITAL_FINANCE, BUREAU_OFFICER, AGENCY_FINANCE, PLATFORM_ADMIN}
    ),
    "event.view": frozenset({HOSPITAL_PURCHASER, HOSPITAL_FINANCE, SUPPLIER_SALES}),
    # procurement: volume-based procurement rounds and demand (the bureau and the agency run
    # rounds; hospitals report demand; suppliers read published rounds)
    "round.view": EVERYONE,
    "round.manage": REGULATORS,
    "demand.view": frozenset(
        {HOSPITAL_PURCHASER, HOSPITAL_FINANCE, BUREAU_OFFICER, AGENCY_FINANCE, PLATFORM_ADMIN}
    ),
    "demand.report": frozenset({HOSPITAL_PURCHASER}),
    "demand.review": REGULATORS,
    # What follows a final round: the bureau applies the results, allocates the agreed volume
    # and decides renewals; hospitals choose among the winners; the three parties sign the
    # contracts [R-VBP-CONTRACT]; payment standards are public [R-PAY-STANDARD].
    # Sealed bids (docs/sealed-bids.md): suppliers bid; the bureau sees who bid and when,
    # never a price before the opening; custodians (bureau officers named on the round) hold
    # and enter the key shares; the bureau opens and finalises.
    "bid.view": frozenset({SUPPLIER_SALES, BUREAU_OFFICER, AGENCY_FINANCE, PLATFORM_ADMIN}),
    "bid.submit": frozenset({SUPPLIER_SALES}),
    "share.hold": frozenset({BUREAU_OFFICER, AGENCY_FINANCE}),
    "round.open": REGULATORS,
    "award.view": EVERYONE,
    "award.manage": REGULATORS,
    "allocation.choose": frozenset({HOSPITAL_PURCHASER}),
    "contract.view": EVERYONE,
    "contract.sign": frozenset({HOSPITAL_PURCHASER, SUPPLIER_SALES}),
    "payment_standard.view": EVERYONE,
    # [R-EMERG-CAP] [R-EMERG-DEADLINE] hospitals register their emergency purchases; the
    # bureau decides on the amounts over the cap.
    "emergency.view": frozenset(
        {HOSPITAL_PURCHASER, HOSPITAL_FINANCE, BUREAU_OFFICER, AGENCY_FINANCE, PLATFORM_ADMIN}
    ),
    "emergency.register": frozenset({HOSPITAL_PURCHASER}),
    "emergency.review": frozenset({BUREAU_OFFICER}),
    # settlement: the advance fund [R-ADVANCE] and the monthly fund settlement [R-FUND-MONTHLY],
    # run by the agency; hospitals and the bureau read them.
    "advance.view": frozenset({HOSPITAL_FINANCE, BUREAU_OFFICER, AGENCY_FINANCE, PLATFORM_ADMIN}),
    "advance.pay": frozenset({AGENCY_FINANCE}),
    "fund_settlement.view": frozenset(
        {HOSPITAL_FINANCE, BUREAU_OFFICER, AGENCY_FINANCE, PLATFORM_ADMIN}
    ),
    "fund_settlement.manage": frozenset({AGENCY_FINANCE}),
    # [R-ESCROW] the daily reconciliation of the books (platform-wide).
    "ledger_check.view": frozenset({BUREAU_OFFICER, AGENCY_FINANCE, PLATFORM_ADMIN}),
    # [R-ESCROW] the escrow account's bank statements: the agency imports them and has them
    # matched to the recorded transfers; the bureau reads them.
    "bank_statement.view": frozenset({BUREAU_OFFICER, AGENCY_FINANCE, PLATFORM_ADMIN}),
    "bank_statement.import": frozenset({AGENCY_FINANCE}),
    # [R-NEGOTIATION] the bureau and the agency negotiate; the manufacturers invited offer.
    "negotiation.view": frozenset({SUPPLIER_SALES, BUREAU_OFFICER, AGENCY_FINANCE, PLATFORM_ADMIN}),
    "negotiation.manage": REGULATORS,
    "negotiation.offer": frozenset({SUPPLIER_SALES}),
    # settlement: the payment flow [R-ESCROW] [R-PAY-30] [R-DIRECT]. Suppliers request payment
    # for confirmed invoices; hospital finance approves (or disputes a line) and pays into
    # escrow; the agency pays from the fund where the region settles directly, and runs the
    # settlement batches that pay suppliers out of escrow. All three parties see the overdue.
    "payment_request.view": frozenset(
        {HOSPITAL_FINANCE, SUPPLIER_SALES, BUREAU_OFFICER, AGENCY_FINANCE, PLATFORM_ADMIN}
    ),
    "payment_request.create": frozenset({SUPPLIER_SALES}),
    "payment_request.approve": frozenset({HOSPITAL_FINANCE}),
    "payment_request.pay": frozenset({HOSPITAL_FINANCE}),
    "payment_request.pay_direct": frozenset({AGENCY_FINANCE}),
    "settlement_batch.view": frozenset(
        {SUPPLIER_SALES, BUREAU_OFFICER, AGENCY_FINANCE, PLATFORM_ADMIN}
    ),
    "settlement_batch.run": frozenset({AGENCY_FINANCE}),
    # [R-DIRECT] the bureau's view of the fund: its accounts, the advances outstanding and the
    # share of supplier payments the fund made directly (the agency runs the fund).
    "fund.view": frozenset({BUREAU_OFFICER, AGENCY_FINANCE, PLATFORM_ADMIN}),
    # [R-HOSP-CATALOGUE] the hospital's own catalogue (院内目录): its purchasers record the
    # committee's admissions, stops and resumptions; the hospital and its overseers read it.
    "catalogue.view": frozenset(
        {HOSPITAL_PURCHASER, HOSPITAL_FINANCE, BUREAU_OFFICER, AGENCY_FINANCE, PLATFORM_ADMIN}
    ),
    "catalogue.manage": frozenset({HOSPITAL_PURCHASER}),
    # supervision: the quarterly price monitoring index of the jurisdiction's purchases
    # [R-PRICE-INDEX], read by the regulators.
    "price_index.view": frozenset({BUREAU_OFFICER, AGENCY_FINANCE, PLATFORM_ADMIN}),
    # supervision: the five rates [R-FIVE-RATES]. Everyone reads them, each within its own
    # slice (supervision.selectors.five_rates.five_rates_scope: hospitals and suppliers their
    # own, with their rank; regulators their jurisdiction); the frozen months' reports, which
    # name every party of the jurisdiction, are the regulators'.
    "five_rates.view": EVERYONE,
    # supervision: monthly monitoring [R-MONITOR] (payment timeliness, agreed-volume progress)
    # and retained savings [R-RETAINED]: regulators their jurisdiction's hospitals, a hospital
    # its own row (supervision.selectors.monitoring.monitoring_scope).
    "monitoring.view": HOSPITAL | REGULATORS | {PLATFORM_ADMIN},
    # [R-CUTS-1000] the products cut in price this year against the region's target.
    "price_cuts.view": frozenset({BUREAU_OFFICER, AGENCY_FINANCE, PLATFORM_ADMIN}),
    "five_rates.report": frozenset({BUREAU_OFFICER, AGENCY_FINANCE, PLATFORM_ADMIN}),
    # supervision: the bureau's dashboard (its home): the jurisdiction's purchase share, VBP
    # progress, five rates, savings and direct-settlement ratio. Hospitals and suppliers read
    # their own five rates and rank instead (five_rates.view).
    "dashboard.view": frozenset({BUREAU_OFFICER, AGENCY_FINANCE, PLATFORM_ADMIN}),
    # supervision: credit [R-CREDIT] [R-MISCONDUCT]. The bureau keeps the misconduct catalogue,
    # records credit events and decides on repairs; an organisation reads its own events and
    # sanctions, and a supplier applies for the repair of its own.
    "credit.view": EVERYONE,
    "credit.record": frozenset({BUREAU_OFFICER}),
    "credit.decide": frozenset({BUREAU_OFFICER}),
    "credit.repair_apply": frozenset({SUPPLIER_SALES}),
    "misconduct_item.view": EVERYONE,
    "misconduct_item.manage": frozenset({BUREAU_OFFICER}),
    # supervision: quality reports [R-QUALITY]. A hospital files reports on products it
    # accepted and reads the lot notices addressed to it; a supplier reads the reports on its
    # products; the bureau reads its region's and confirms or dismisses them.
    "quality_report.view": EVERYONE,
    "quality_report.file": HOSPITAL,
    "quality_report.decide": frozenset({BUREAU_OFFICER}),
    "lot_notice.view": frozenset({HOSPITAL_PURCHASER, HOSPITAL_FINANCE, PLATFORM_ADMIN}),
    # supervision: abnormal-use alerts [R-ALERT-USE] [R-MISCONDUCT]. Regulators of the
    # jurisdiction and platform admins read them; the bureau handles them and sets its rules.
    "alert.view": frozenset({BUREAU_OFFICER, AGENCY_FINANCE, PLATFORM_ADMIN}),
    "alert.handle": frozenset({BUREAU_OFFICER}),
    "alert_rule.view": frozenset({BUREAU_OFFICER, AGENCY_FINANCE, PLATFORM_ADMIN}),
    "alert_rule.manage": frozenset({BUREAU_OFFICER}),
    # supervision: in-app notifications, each person their organisation's.
    "notification.view": EVERYONE,
}


def can(actor: AnyActor, action: str) -> bool:
    if action not in ACTIONS:
        raise KeyError(f"unknown action {action!r}: add it to core.permissions.ACTIONS")
    return is_active_actor(actor) and bool(ACTIONS[action] & set(actor.roles))


def require(actor: AnyActor, action: str, *, request: Any = None, target: Any = None) -> None:
    """Raise PermissionDeniedError (and record the refusal, naming ``target``, the object
    concerned, when there is one) unless ``actor`` may do ``action``."""
    if not can(actor, action):
        meta = getattr(target, "_meta", None)
        security_event.send(
            sender=require,
            kind="permission_denied",
            user=actor,
            request=request,
            detail={"action": action},
            object_type=meta.label if meta is not None else "",
            object_id=getattr(target, "pk", None) or "",
            reason="role_not_allowed" if is_active_actor(actor) else "not_signed_in",
        )
        raise PermissionDeniedError(action=action)


class Scoped(Protocol):
    """A tenant queryset, or the manager made from one (``Model.objects``)."""

    def visible_to(self, actor: AnyActor) -> QuerySet[Any]: ...


def access(
    actor: AnyActor, queryset: Scoped, *, action: str, request: Any = None, **lookup: Any
) -> Any:
    """Fetch one object the actor may see, then check the role for ``action``.

    The scope is applied first: a row outside it is NotFoundError even when the role would be
    refused, so probing for ids reveals nothing.
    """
    obj = queryset.visible_to(actor).filter(**lookup).first()
    if obj is None:
        raise NotFoundError()
    require(actor, action, request=request, target=obj)
    return obj


class ActionPermission(BasePermission):
    """DRF permission: the view names ``required_action`` (or ``required_actions`` per method)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        actions = getattr(view, "required_actions", None)
        action = actions.get(request.method) if actions else getattr(view, "required_action", None)
        if action is None:
            return True
        require(request.user, action, request=request)
        return True
