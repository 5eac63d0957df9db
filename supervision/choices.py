"""Choices of supervision: misconduct levels, sanctions, credit events, repairs, notifications
[R-CREDIT] [R-MISCONDUCT]."""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.transitions import StateMachine


class MisconductLevel(models.TextChoices):
    MINOR = "minor", _("general (一般)")
    MODERATE = "moderate", _("moderate (中等)")
    SERIOUS = "serious", _("serious (严重)")
    VERY_SERIOUS = "very_serious", _("very serious (特别严重)")


# [R-CREDIT] serious cases are disclosed to the public.
SERIOUS_LEVELS = frozenset({MisconductLevel.SERIOUS, MisconductLevel.VERY_SERIOUS})


class SanctionKind(models.TextChoices):
    """The graded sanctions (SZ 6.3: 书面提醒告诫、风险预警提示、暂停挂网、暂停配送资格、向社会公开
    披露失信信息; NJ 8.3: 暂停或取消挂网; joint punishment bars from tenders)."""

    WRITTEN_WARNING = "written_warning", _("written warning")
    RISK_NOTICE = "risk_notice", _("risk notice")
    SUSPEND_LISTING = "suspend_listing", _("listing suspended")
    SUSPEND_DELIVERY = "suspend_delivery", _("delivery right suspended")
    BAR_TENDERS = "bar_tenders", _("barred from tenders")
    PUBLIC_DISCLOSURE = "public_disclosure", _("public disclosure")


class CreditEventSource(models.TextChoices):
    RECORDED = "recorded", _("recorded by the bureau")
    EMERGENCY = "emergency", _("emergency purchase violation")


class CreditEventStatus(models.TextChoices):
    STANDING = "standing", _("Standing")
    REPAIRED = "repaired", _("Repaired")


class RepairStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the bureau")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class RepairAction(models.TextChoices):
    APPLY = "apply", _("applying for credit repair")
    APPROVE = "approve", _("approval of the repair")
    REJECT = "reject", _("rejection of the repair")


REPAIR_TRANSITIONS: dict[str, frozenset[str]] = {
    RepairStatus.PENDING: frozenset({RepairStatus.APPROVED, RepairStatus.REJECTED}),
    RepairStatus.APPROVED: frozenset(),
    RepairStatus.REJECTED: frozenset(),
}

REPAIR_STATES = StateMachine(
    object="credit_repair",
    transitions=REPAIR_TRANSITIONS,
    targets={
        RepairAction.APPROVE: RepairStatus.APPROVED,
        RepairAction.REJECT: RepairStatus.REJECTED,
    },
    label=lambda r: gettext("Credit repair application %(id)s") % {"id": r.pk},
)

CREDIT_EVENT_STATES = StateMachine(
    object="credit_event",
    transitions={CreditEventStatus.STANDING: frozenset({CreditEventStatus.REPAIRED})},
    targets={RepairAction.APPLY: "", RepairAction.APPROVE: CreditEventStatus.REPAIRED},
    sources={RepairAction.APPLY: frozenset({CreditEventStatus.STANDING})},
    label=lambda e: gettext("Credit event %(id)s") % {"id": e.pk},
)


class CreditRating(models.TextChoices):
    """[R-CREDIT] the rating from the score (100 less the standing events' deductions)."""

    A = "A", _("A (trustworthy)")
    B = "B", _("B (generally trustworthy)")
    C = "C", _("C (untrustworthy)")
    D = "D", _("D (seriously untrustworthy)")


class NotificationKind(models.TextChoices):
    SANCTION = "sanction", _("sanction")
    REPAIR_APPLIED = "repair_applied", _("credit repair applied for")
    REPAIR_DECIDED = "repair_decided", _("credit repair decided")
    NOTICE = "notice", _("notice")
