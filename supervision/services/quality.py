"""Quality reports [R-QUALITY]: a hospital (purchaser or finance) reports a defective product
or an adverse event on a product it accepted, with the UDI lot when known; every other
hospital that accepted goods of that lot gets a lot notice (an in-app notification linking to
a page with the product, the lot, the severity and the date: never who reported it nor what
they wrote), and the supplier is told. The bureau then confirms or dismisses the report:

    filed --confirm (bureau, reason)--> confirmed
    filed --dismiss (bureau, reason)--> dismissed

Credit [R-CREDIT]: a serious or life-threatening report raises the ``quality_problem`` credit
event on the supplier at once, when filed (a patient's safety does not wait for the bureau);
a general one only when the bureau confirms it. One event per report (its source key); a
dismissal does not withdraw an event already raised: the supplier applies for credit repair
like for any other event.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.choices import OrganizationKind
from accounts.models import Organization, User
from catalog.models import Consumable
from core import clock
from core.errors import ValidationError
from core.permissions import require
from supervision.choices import (
    QUALITY_STATES,
    CreditEventSource,
    NotificationKind,
    QualityAction,
    QualitySeverity,
)
from supervision.errors import QualityLotNotReceivedError, QualityProductNotReceivedError
from supervision.locks import lock_quality_report
from supervision.models import LotNotice, QualityReport
from supervision.selectors.quality import lot_receivers_unscoped, received_lines_unscoped
from supervision.services.credit import _in_platform_language, credit_event_raise
from supervision.services.notifications import notify

TEXT_MAX = 2000
REASON_MAX = 500
LOT_MAX = 40
QUALITY_ITEM = "quality_problem"


def _text(value: object, field: str, *, limit: int) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationError(fields={field: [_("This field is required.")]})
    return text[:limit]


def _source_key(report: QualityReport) -> str:
    return f"quality_report:{report.pk}"


def _raise_credit(report: QualityReport, actor: User | None) -> None:
    """[R-QUALITY] [R-CREDIT] the report's credit event on the supplier, once."""
    if report.credit_event_id is not None:
        return
    event = credit_event_raise(
        item_code=QUALITY_ITEM,
        subject=report.supplier,
        source=CreditEventSource.QUALITY,
        source_key=_source_key(report),
        description=_in_platform_language(
            lambda: (
                _("Quality report %(report)s: %(product)s, lot %(lot)s (%(severity)s).")
                % {
                    "report": report.pk,
                    "product": report.consumable.product_name,
                    "lot": report.lot or "—",
                    "severity": report.get_severity_display(),
                }
            )
        ),
        occurred_on=report.occurred_on,
        region_code=report.region_code,
        actor=actor,
    )
    report.credit_event = event
    report.save(update_fields=["credit_event"])


@transaction.atomic
def quality_report_file(
    *,
    actor: User,
    consumable_id: int,
    description: str,
    severity: str,
    occurred_on: dt.date,
    lot: str = "",
) -> QualityReport:
    """[R-QUALITY] a hospital reports a defect or an adverse event on a product it accepted
    (of ``lot``, when given: one it accepted goods of). The other hospitals that accepted that
    lot get a lot notice, the supplier a notification; a serious report raises its credit
    event on the supplier now."""
    require(actor, "quality_report.file")
    hospital = actor.organization
    if hospital is None or not hospital.is_hospital:
        raise ValidationError(fields={"hospital": [_("Only a hospital files quality reports.")]})
    if severity not in QualitySeverity.values:
        raise ValidationError(fields={"severity": [", ".join(QualitySeverity.values)]})
    description = _text(description, "description", limit=TEXT_MAX)
    if occurred_on > clock.local_today():
        raise ValidationError(fields={"occurred_on": [_("The date cannot be in the future.")]})
    lot = str(lot or "").strip()
    if len(lot) > LOT_MAX:
        raise ValidationError(fields={"lot": [f"≤ {LOT_MAX}"]})
    consumable = Consumable.objects.filter(pk=consumable_id).first()
    received = received_lines_unscoped(consumable_id=consumable_id, hospital_id=hospital.pk)
    line = received.select_related("delivery__order__supplier").order_by("-pk").first()
    if consumable is None or line is None:
        raise QualityProductNotReceivedError(product=consumable_id)
    if lot:
        line = received.filter(lot=lot).select_related("delivery__order__supplier").first()
        if line is None:
            raise QualityLotNotReceivedError(lot=lot, product=consumable.product_name)
    supplier = line.delivery.order.supplier
    now = clock.now()
    report = QualityReport.objects.create(
        hospital=hospital,
        region_code=hospital.region_code,
        consumable=consumable,
        supplier=supplier,
        lot=lot,
        description=description,
        severity=severity,
        occurred_on=occurred_on,
        filed_by=actor,
        filed_at=now,
    )
    if lot:
        others = [
            pk
            for pk in lot_receivers_unscoped(consumable_id=consumable.pk, lot=lot)
            if pk != hospital.pk
        ]
        notices = LotNotice.objects.bulk_create(
            [LotNotice(report=report, organization_id=pk, created_at=now) for pk in others]
        )
        for notice in notices:
            notify(
                organization_id=notice.organization_id,
                kind=NotificationKind.LOT_NOTICE,
                text=_in_platform_language(
                    lambda: (
                        _(
                            "Quality notice: %(product)s, lot %(lot)s, which your hospital "
                            "received, was reported (%(severity)s)."
                        )
                        % {
                            "product": consumable.product_name,
                            "lot": lot,
                            "severity": report.get_severity_display(),
                        }
                    )
                ),
                link=reverse("supervision:lot_notice_detail", kwargs={"pk": notice.pk}),
            )
    notify(
        organization_id=supplier.pk,
        kind=NotificationKind.QUALITY_REPORT,
        text=_in_platform_language(
            lambda: (
                _(
                    "Quality report %(report)s on your product %(product)s, lot %(lot)s (%(severity)s)."
                )
                % {
                    "report": report.pk,
                    "product": consumable.product_name,
                    "lot": lot or "—",
                    "severity": report.get_severity_display(),
                }
            )
        ),
        link=_report_link(report),
    )
    for bureau in Organization.objects.filter(kind=OrganizationKind.BUREAU, is_active=True):
        if report.region_code.startswith(bureau.jurisdiction):
            notify(
                organization_id=bureau.pk,
                kind=NotificationKind.QUALITY_REPORT,
                text=_in_platform_language(
                    lambda: (
                        _("Quality report %(report)s filed by %(hospital)s (%(severity)s).")
                        % {
                            "report": report.pk,
                            "hospital": hospital.name,
                            "severity": report.get_severity_display(),
                        }
                    )
                ),
                link=_report_link(report),
            )
    if report.is_serious:
        _raise_credit(report, actor=None)
    return report


def _report_link(report: QualityReport) -> str:
    return reverse("supervision:quality_report_detail", kwargs={"pk": report.pk})


def _decide(*, actor: User, report_id: int, action: str, reason: str) -> QualityReport:
    reason = _text(reason, "reason", limit=REASON_MAX)
    report = lock_quality_report(actor=actor, report_id=report_id, action="quality_report.decide")
    QUALITY_STATES.check(report, action)
    report.status = QUALITY_STATES.targets[action]
    report.decided_by = actor
    report.decided_at = clock.now()
    report.decision_reason = reason
    report.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    if action == QualityAction.CONFIRM:
        _raise_credit(report, actor=actor)
    for organization_id in (report.hospital_id, report.supplier_id):
        notify(
            organization_id=organization_id,
            kind=NotificationKind.QUALITY_REPORT,
            text=_in_platform_language(
                lambda: (
                    _("Quality report %(report)s: %(status)s (%(reason)s).")
                    % {
                        "report": report.pk,
                        "status": report.get_status_display(),
                        "reason": reason,
                    }
                )
            ),
            link=_report_link(report),
        )
    return report


@transaction.atomic
def quality_report_confirm(*, actor: User, report_id: int, reason: str) -> QualityReport:
    """[R-QUALITY] the bureau confirms the report; a general one now raises its credit event
    on the supplier (a serious one raised it when filed)."""
    return _decide(actor=actor, report_id=report_id, action=QualityAction.CONFIRM, reason=reason)


@transaction.atomic
def quality_report_dismiss(*, actor: User, report_id: int, reason: str) -> QualityReport:
    """[R-QUALITY] the bureau dismisses the report, with a reason."""
    return _decide(actor=actor, report_id=report_id, action=QualityAction.DISMISS, reason=reason)
