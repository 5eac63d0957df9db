"""Credit [R-CREDIT] [R-MISCONDUCT]: the bureau keeps the misconduct catalogue and records
credit events; the platform raises them from its own sources (``credit_event_raise``, called by
``credit_sources_sweep`` for emergency purchase violations); each event imposes its item's
sanctions from the moment it is recorded; the organisation applies for credit repair and the
bureau decides.

    repair: (none) --apply (supplier, evidence; repairable, standing event)--> pending
            pending --approve (bureau, reason)--> approved  (event repaired, sanctions lifted)
            pending --reject (bureau, reason)---> rejected  (a new application may follow)

Sanctions are not switched on or off by a task: procurement asks core.restrictions, which asks
``sanction_refusals`` whether one is in force now. Every decision notifies the organisation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.choices import OrganizationKind
from accounts.models import Organization, User
from core import clock
from core.errors import NotFoundError, ValidationError
from core.permissions import require
from procurement.errors import EvidenceFileTooLargeError
from procurement.models import Contract, EmergencyViolation, Listing
from procurement.models.evidence import EVIDENCE_FILE_MAX_BYTES
from procurement.selectors.emergency import emergency_violations_unscoped
from procurement.services.listing_evidence import evidence_file_name, evidence_sniff
from supervision.choices import (
    CREDIT_EVENT_STATES,
    MISCONDUCT_CATALOGUE,
    REPAIR_STATES,
    CreditEventSource,
    CreditEventStatus,
    MisconductLevel,
    NotificationKind,
    RepairAction,
    SanctionKind,
)
from supervision.errors import (
    CreditSubjectInvalidError,
    MisconductItemUnknownError,
    SanctionDaysInvalidError,
)
from supervision.locks import (
    lock_credit_event,
    lock_credit_repair,
    lock_event_sanctions,
    lock_misconduct_item,
)
from supervision.models import CreditEvent, CreditRepair, MisconductItem, Sanction
from supervision.selectors.credit import (
    LATE_DELIVERY_MONTHS,
    LateDeliveryPattern,
    contracts_not_supplied_unscoped,
    last_day,
    late_delivery_patterns_unscoped,
    repair_apply_check,
    repair_party_check,
)
from supervision.services.notifications import notify

TEXT_MAX = 2000
REASON_MAX = 500
SANCTION_DAYS_MAX = 3650
EMERGENCY_ITEM = "emergency_violation"
LATE_DELIVERY_ITEM = "delivery_failure"
NOT_SUPPLIED_ITEM = "supply_failure"


def _text(value: object, field: str, *, required: bool = True, limit: int = TEXT_MAX) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError(fields={field: [_("This field is required.")]})
    return text[:limit]


def _evidence(file: tuple[str, bytes] | None) -> dict[str, object]:
    """An optional evidence file ``(name, content)``: PDF, PNG or JPEG by its bytes, 5 MB."""
    if file is None:
        return {}
    name, content = file
    if len(content) > EVIDENCE_FILE_MAX_BYTES:
        raise EvidenceFileTooLargeError(name=name, max_mb=EVIDENCE_FILE_MAX_BYTES // (1024 * 1024))
    kind = evidence_sniff(content, name=str(name))
    return {
        "evidence_name": evidence_file_name(name, kind),
        "evidence_type": kind,
        "evidence_content": content,
    }


def _in_platform_language(text_of: Callable[[], object]) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(text_of())


# --- The catalogue ---------------------------------------------------------------------------


def sanctions_clean(raw: object) -> dict[str, int]:
    """``{kind: days}`` with known kinds and 1 to 3650 days each."""
    if not isinstance(raw, dict):
        raise ValidationError(fields={"sanctions": [_("An object of sanction: days.")]})
    cleaned: dict[str, int] = {}
    for kind, days in raw.items():
        if kind not in SanctionKind.values:
            raise ValidationError(fields={"sanctions": [", ".join(SanctionKind.values)]})
        if (
            isinstance(days, bool)
            or not isinstance(days, int)
            or not 1 <= days <= SANCTION_DAYS_MAX
        ):
            raise SanctionDaysInvalidError(sanction=kind, days=days)
        cleaned[kind] = days
    return cleaned


@transaction.atomic
def misconduct_item_update(
    *,
    actor: User,
    item_id: int,
    name: str,
    level: str,
    score_deduction: int,
    sanctions: dict[str, int],
    repairable: bool,
    is_active: bool,
) -> MisconductItem:
    """[R-MISCONDUCT] the bureau edits an item of the catalogue. Events already recorded keep
    what the item said when they were (level, deduction, sanctions)."""
    item = lock_misconduct_item(actor=actor, item_id=item_id)
    if level not in MisconductLevel.values:
        raise ValidationError(fields={"level": [", ".join(MisconductLevel.values)]})
    if isinstance(score_deduction, bool) or not isinstance(score_deduction, int):
        raise ValidationError(fields={"score_deduction": ["0-100"]})
    if not 0 <= score_deduction <= 100:
        raise ValidationError(fields={"score_deduction": ["0-100"]})
    item.name = _text(name, "name", limit=200)
    item.level = level
    item.score_deduction = score_deduction
    item.sanctions = sanctions_clean(sanctions)
    item.repairable = bool(repairable)
    item.is_active = bool(is_active)
    item.save(
        update_fields=["name", "level", "score_deduction", "sanctions", "repairable", "is_active"]
    )
    return item


def misconduct_catalogue_seed() -> int:
    """[R-MISCONDUCT] add the catalogue's items that are missing (never changes one the bureau
    edited); how many were added."""
    added = 0
    for code, name, level, deduction, sanctions, repairable in MISCONDUCT_CATALOGUE:
        _item, created = MisconductItem.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "level": level,
                "score_deduction": deduction,
                "sanctions": sanctions,
                "repairable": repairable,
                "basis": "SZ 5.2.4, NJ 3.3" if code == EMERGENCY_ITEM else "SZ 6.3, NJ 8.3",
            },
        )
        added += created
    return added


# --- Events ------------------------------------------------------------------------------------


def _event_link(event: CreditEvent) -> str:
    return reverse("supervision:credit_event_detail", kwargs={"pk": event.pk})


def _sanctions_text(sanctions: list[Sanction]) -> str:
    return "、".join(
        _("%(sanction)s until %(until)s")
        % {"sanction": s.get_kind_display(), "until": last_day(s.ends_at).isoformat()}
        for s in sanctions
    )


def credit_event_raise(
    *,
    item_code: str,
    subject: Organization,
    source: str,
    description: str,
    occurred_on: dt.date,
    source_key: str = "",
    region_code: str = "",
    listing: Listing | None = None,
    evidence_text: str = "",
    evidence: tuple[str, bytes] | None = None,
    actor: User | None = None,
) -> CreditEvent:
    """Record a credit event against ``subject`` for the catalogue's ``item_code`` and impose
    its sanctions from now, each for its days [R-CREDIT]. Other code calls this for what it
    detects (``source``, and ``source_key``: one event per key, raising it again returns the
    first). The subject is told (a notification). Runs in the caller's transaction."""
    with transaction.atomic():
        if source_key:
            existing = CreditEvent.objects.filter(source_key=source_key).first()
            if existing is not None:
                return existing
        if subject.is_regulator:
            raise CreditSubjectInvalidError()
        item = MisconductItem.objects.filter(code=item_code, is_active=True).first()
        if item is None:
            raise MisconductItemUnknownError(item=item_code)
        if listing is not None and listing.manufacturer_id != subject.pk:
            raise ValidationError(fields={"listing": [_("Not a listing of this organisation.")]})
        now = clock.now()
        event = CreditEvent.objects.create(
            subject=subject,
            region_code=region_code or subject.region_code,
            item=item,
            level=item.level,
            score_deduction=item.score_deduction,
            repairable=item.repairable,
            listing=listing,
            occurred_on=occurred_on,
            description=description[:TEXT_MAX],
            evidence_text=evidence_text[:TEXT_MAX],
            source=source,
            source_key=source_key,
            recorded_by=actor,
            recorded_at=now,
            **_evidence(evidence),
        )
        sanctions = Sanction.objects.bulk_create(
            [
                Sanction(
                    event=event,
                    subject=subject,
                    region_code=event.region_code,
                    listing=listing,
                    kind=kind,
                    starts_at=now,
                    ends_at=now + dt.timedelta(days=days),
                )
                for kind, days in sorted(sanctions_clean(item.sanctions).items())
            ]
        )
        notify(
            organization_id=subject.pk,
            kind=NotificationKind.SANCTION,
            text=_in_platform_language(
                lambda: (
                    _("Credit event %(event)s recorded (%(misconduct)s): %(sanctions)s.")
                    % {
                        "event": event.pk,
                        "misconduct": item.name,
                        "sanctions": _sanctions_text(sanctions) or _("no sanction"),
                    }
                )
            ),
            link=_event_link(event),
        )
        return event


def credit_event_record(
    *,
    actor: User,
    subject_id: int,
    item_code: str,
    occurred_on: dt.date,
    description: str,
    evidence_text: str = "",
    evidence: tuple[str, bytes] | None = None,
    listing_id: int | None = None,
) -> CreditEvent:
    """[R-CREDIT] [R-MISCONDUCT] bureau staff record a misconduct against a supplier (or a
    hospital) of their region, with evidence (text, and optionally a file); the item's
    sanctions take effect at once."""
    require(actor, "credit.record")
    org = actor.organization
    if org is None or not org.is_regulator:
        raise NotFoundError()
    subject = Organization.objects.filter(pk=subject_id, is_active=True).first()
    if subject is None or subject.is_regulator:
        raise CreditSubjectInvalidError()
    if occurred_on > clock.local_today():
        raise ValidationError(fields={"occurred_on": [_("The date cannot be in the future.")]})
    listing = None
    if listing_id is not None:
        listing = Listing.objects.filter(pk=listing_id, manufacturer_id=subject.pk).first()
        if listing is None:
            raise ValidationError(fields={"listing": [_("Not a listing of this organisation.")]})
    return credit_event_raise(
        item_code=item_code,
        subject=subject,
        source=CreditEventSource.RECORDED,
        description=_text(description, "description"),
        occurred_on=occurred_on,
        region_code=org.region_code,
        listing=listing,
        evidence_text=_text(evidence_text, "evidence_text", required=False),
        evidence=evidence,
        actor=actor,
    )


def _violation_text(violation: EmergencyViolation) -> str:
    return _("Emergency purchase %(purchase)s: %(violation)s.") % {
        "purchase": violation.purchase_id,
        "violation": violation.get_kind_display(),
    }


def credit_sources_sweep() -> int:
    """Raise the credit events of the platform's sources not raised yet [R-CREDIT]
    [R-MISCONDUCT]: the standing emergency purchase violations [R-EMERG-DEADLINE]
    [R-EMERG-CAP] of this year and the last (an over-cap one once the bureau has decided not to
    approve it); the late-delivery patterns of the frozen five rates (a supplier below its
    delivery-rate threshold LATE_DELIVERY_MONTHS months in a row, one event per run); the
    purchase contracts whose cycle ended far below the agreed quantity (one event per
    contract). Idempotent (each event has its source key); how many were raised."""
    year = clock.local_today().year
    raised = 0
    for y in (year - 1, year):
        for violation in emergency_violations_unscoped(year=y).exclude(purchase__status="pending"):
            key = f"emergency_violation:{violation.pk}"
            if CreditEvent.objects.filter(source_key=key).exists():
                continue
            credit_event_raise(
                item_code=EMERGENCY_ITEM,
                subject=violation.hospital,
                source=CreditEventSource.EMERGENCY,
                source_key=key,
                description=_in_platform_language(partial(_violation_text, violation)),
                occurred_on=clock.to_local(violation.recorded_at).date(),
            )
            raised += 1
    raised += _late_delivery_sweep()
    raised += _not_supplied_sweep()
    return raised


def _late_delivery_sweep() -> int:
    """[R-CREDIT] [R-FIVE-RATES] one ``delivery_failure`` event per late-delivery pattern."""
    raised = 0
    for pattern in late_delivery_patterns_unscoped():
        key = f"late_delivery:{pattern.supplier_id}:{pattern.first_month:%Y-%m}"
        if CreditEvent.objects.filter(source_key=key).exists():
            continue
        supplier = Organization.objects.filter(pk=pattern.supplier_id).first()
        if supplier is None or supplier.is_regulator:
            continue
        credit_event_raise(
            item_code=LATE_DELIVERY_ITEM,
            subject=supplier,
            source=CreditEventSource.FIVE_RATES,
            source_key=key,
            description=_in_platform_language(partial(_late_text, pattern)),
            occurred_on=_month_end(pattern.months[-1]),
        )
        raised += 1
    return raised


def _late_text(pattern: LateDeliveryPattern) -> str:
    return _(
        "Delivery rate below its threshold %(months)s months in a row (%(first)s to %(last)s)."
    ) % {
        "months": LATE_DELIVERY_MONTHS,
        "first": f"{pattern.first_month:%Y-%m}",
        "last": f"{pattern.months[-1]:%Y-%m}",
    }


def _contract_text(contract: Contract) -> str:
    return _(
        "Contract %(contract)s with %(hospital)s: %(done)s of %(agreed)s units supplied by "
        "the end of its cycle (%(end)s)."
    ) % {
        "contract": contract.number,
        "hospital": contract.hospital.name,
        "done": contract.done,  # type: ignore[attr-defined]
        "agreed": contract.agreed_quantity,
        "end": contract.cycle_end.isoformat(),
    }


def _month_end(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def _not_supplied_sweep() -> int:
    """[R-MISCONDUCT] one ``supply_failure`` event on the manufacturer per contract whose cycle
    ended far below the agreed quantity."""
    raised = 0
    for contract in contracts_not_supplied_unscoped():
        key = f"contract_not_supplied:{contract.pk}"
        if CreditEvent.objects.filter(source_key=key).exists():
            continue
        credit_event_raise(
            item_code=NOT_SUPPLIED_ITEM,
            subject=contract.manufacturer,
            source=CreditEventSource.CONTRACT,
            source_key=key,
            region_code=contract.hospital.region_code,
            listing=contract.listing,
            description=_in_platform_language(partial(_contract_text, contract)),
            occurred_on=contract.cycle_end,
        )
        raised += 1
    return raised


# --- Repair ------------------------------------------------------------------------------------


@transaction.atomic
def credit_repair_apply(
    *,
    actor: User,
    event_id: int,
    statement: str,
    evidence: tuple[str, bytes] | None = None,
) -> CreditRepair:
    """[R-CREDIT] the organisation applies to repair its credit for a standing event, stating
    what it corrected, with evidence. Refused for an event whose misconduct is not repairable,
    and while another application awaits the bureau."""
    event = lock_credit_event(actor=actor, event_id=event_id, action="credit.repair_apply")
    repair_party_check(actor=actor, event=event)
    repair_apply_check(event=event)
    repair = CreditRepair.objects.create(
        event=event,
        subject=event.subject,
        region_code=event.region_code,
        statement=_text(statement, "statement"),
        applied_by=actor,
        applied_at=clock.now(),
        **_evidence(evidence),
    )
    for bureau in Organization.objects.filter(kind=OrganizationKind.BUREAU, is_active=True):
        if event.region_code.startswith(bureau.jurisdiction):
            notify(
                organization_id=bureau.pk,
                kind=NotificationKind.REPAIR_APPLIED,
                text=_in_platform_language(
                    lambda: (
                        _("%(subject)s applies for the credit repair of event %(event)s.")
                        % {"subject": event.subject.name, "event": event.pk}
                    )
                ),
                link=_event_link(event),
            )
    return repair


def _decide(*, actor: User, repair_id: int, action: str, reason: str) -> CreditRepair:
    reason = _text(reason, "reason", limit=REASON_MAX)
    found = CreditRepair.objects.visible_to(actor).filter(pk=repair_id).values("event_id").first()
    if found is None:
        raise NotFoundError()
    # Lock order: the event, then the application (as applying does).
    event = lock_credit_event(actor=actor, event_id=found["event_id"], action="credit.decide")
    repair = lock_credit_repair(actor=actor, repair_id=repair_id, action="credit.decide")
    REPAIR_STATES.check(repair, action)
    now = clock.now()
    repair.status = REPAIR_STATES.targets[action]
    repair.decided_by = actor
    repair.decided_at = now
    repair.decision_reason = reason
    repair.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    if action == RepairAction.APPROVE:
        CREDIT_EVENT_STATES.check(event, RepairAction.APPROVE)
        event.status = CreditEventStatus.REPAIRED
        event.repaired_at = now
        event.save(update_fields=["status", "repaired_at"])
        for sanction in lock_event_sanctions(event=event):
            if sanction.lifted_at is None and sanction.ends_at > now:
                sanction.lifted_at = now
                sanction.save(update_fields=["lifted_at"])
    notify(
        organization_id=event.subject_id,
        kind=NotificationKind.REPAIR_DECIDED,
        text=_in_platform_language(
            lambda: (
                _("Credit repair of event %(event)s: %(status)s (%(reason)s).")
                % {"event": event.pk, "status": repair.get_status_display(), "reason": reason}
            )
        ),
        link=_event_link(event),
    )
    return repair


@transaction.atomic
def credit_repair_approve(*, actor: User, repair_id: int, reason: str) -> CreditRepair:
    """[R-CREDIT] the bureau approves: the event is repaired (its deduction no longer counts)
    and its sanctions still in force are lifted now."""
    return _decide(actor=actor, repair_id=repair_id, action=RepairAction.APPROVE, reason=reason)


@transaction.atomic
def credit_repair_reject(*, actor: User, repair_id: int, reason: str) -> CreditRepair:
    """[R-CREDIT] the bureau rejects, with a reason; the event and its sanctions stand."""
    return _decide(actor=actor, repair_id=repair_id, action=RepairAction.REJECT, reason=reason)
