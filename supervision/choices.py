"""Choices of supervision: the five rates [R-FIVE-RATES] and the slices they are read by;
misconduct levels, sanctions, credit events, repairs, notifications [R-CREDIT] [R-MISCONDUCT]."""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.transitions import StateMachine


class Rate(models.TextChoices):
    """The five rates (五率), in the order the seeds name them (NJ 4.1)."""

    DELIVERY = "delivery", _("Delivery rate")
    PAYMENT_REQUEST = "payment_request", _("Payment-request rate")
    HOSPITAL_CONFIRMATION = "hospital_confirmation", _("Hospital confirmation rate")
    PAYMENT = "payment", _("Payment rate")
    AGENCY_SETTLEMENT = "agency_settlement", _("Agency settlement rate")


class SliceKind(models.TextChoices):
    """What the rates are grouped by: the hospital's city (region) or district (its own
    region code), the hospital, the supplier (the order's manufacturer), the product's level-1
    category."""

    REGION = "region", _("Region")
    DISTRICT = "district", _("District")
    HOSPITAL = "hospital", _("Hospital")
    SUPPLIER = "supplier", _("Supplier")
    CATEGORY = "category", _("Product category")


# The region policy's threshold field of each rate (core.policy.RegionPolicy).
THRESHOLD_FIELD: dict[str, str] = {
    Rate.DELIVERY: "delivery_rate_threshold",
    Rate.PAYMENT_REQUEST: "payment_request_rate_threshold",
    Rate.HOSPITAL_CONFIRMATION: "hospital_confirmation_rate_threshold",
    Rate.PAYMENT: "payment_rate_threshold",
    Rate.AGENCY_SETTLEMENT: "agency_settlement_rate_threshold",
}

# The slice kinds a month is frozen by: a region's figures are the sum of its districts'.
FROZEN_KINDS = (SliceKind.DISTRICT, SliceKind.HOSPITAL, SliceKind.SUPPLIER, SliceKind.CATEGORY)


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
    QUALITY = "quality", _("quality report")
    FIVE_RATES = "five_rates", _("late-delivery pattern (five rates)")
    CONTRACT = "contract", _("contract not supplied")
    ALERT = "alert", _("abnormal-use alert")


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
    FIVE_RATES = "five_rates", _("five rates below threshold")
    LOT_NOTICE = "lot_notice", _("lot notice")
    QUALITY_REPORT = "quality_report", _("quality report")
    ALERT = "alert", _("abnormal-use alert")


# [R-MISCONDUCT] the catalogue as the policy documents list it (NJ 8.3; SZ 6.3 for the graded
# sanctions): code, name, level, score deducted, {sanction: days}, repairable. Seeded by the
# migration 0001 (its own copy) and by ``misconduct_catalogue_seed`` (tests that flush the
# database, the demo); editable by the bureau afterwards.
MISCONDUCT_CATALOGUE = [
    (
        "false_documents",
        "提供虚假证明材料",
        "serious",
        20,
        {"suspend_listing": 180, "bar_tenders": 365, "public_disclosure": 365},
        False,
    ),
    (
        "untrue_price",
        "不如实申报价格",
        "moderate",
        10,
        {"risk_notice": 90, "suspend_listing": 90},
        True,
    ),
    (
        "collusive_bidding",
        "相互串通报价",
        "very_serious",
        30,
        {"suspend_listing": 365, "bar_tenders": 730, "public_disclosure": 730},
        False,
    ),
    ("abnormal_price_rise", "价格上涨幅度或频次异常", "moderate", 8, {"risk_notice": 90}, True),
    ("regional_price_gap", "区域间价格差异较大", "minor", 5, {"written_warning": 30}, True),
    (
        "quality_problem",
        "出现质量问题",
        "serious",
        20,
        {"suspend_listing": 180, "public_disclosure": 180},
        True,
    ),
    (
        "supply_failure",
        "未按合同约定供货",
        "moderate",
        10,
        {"risk_notice": 90, "suspend_listing": 30},
        True,
    ),
    ("delivery_failure", "未按合同约定配送", "moderate", 10, {"suspend_delivery": 60}, True),
    (
        "commercial_bribery",
        "发生商业贿赂",
        "very_serious",
        40,
        {"suspend_listing": 730, "bar_tenders": 730, "public_disclosure": 730},
        False,
    ),
    (
        "emergency_violation",
        "应急采购违规（逾期登记或超出限额）",
        "minor",
        5,
        {"written_warning": 30},
        False,
    ),
]


# --- Quality reports [R-QUALITY] ---------------------------------------------------------------


class QualitySeverity(models.TextChoices):
    GENERAL = "general", _("general (一般)")
    SERIOUS = "serious", _("serious (严重)")
    CRITICAL = "critical", _("death or life-threatening (死亡或危及生命)")


# [R-QUALITY] a report of these severities raises the credit event on the manufacturer at once
# (on filing); a general one only when the bureau confirms it.
QUALITY_SERIOUS = frozenset({QualitySeverity.SERIOUS, QualitySeverity.CRITICAL})


class QualityStatus(models.TextChoices):
    FILED = "filed", _("Awaiting the bureau")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")


class QualityAction(models.TextChoices):
    CONFIRM = "confirm", _("confirmation of the report")
    DISMISS = "dismiss", _("dismissal of the report")


QUALITY_STATES = StateMachine(
    object="quality_report",
    transitions={
        QualityStatus.FILED: frozenset({QualityStatus.CONFIRMED, QualityStatus.DISMISSED}),
        QualityStatus.CONFIRMED: frozenset(),
        QualityStatus.DISMISSED: frozenset(),
    },
    targets={
        QualityAction.CONFIRM: QualityStatus.CONFIRMED,
        QualityAction.DISMISS: QualityStatus.DISMISSED,
    },
    label=lambda r: gettext("Quality report %(id)s") % {"id": r.pk},
)


# --- Abnormal-use alerts [R-ALERT-USE] [R-MISCONDUCT] ------------------------------------------


class AlertSeverity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")
    DISMISSED = "dismissed", _("Dismissed")


# An alert in one of these is live: one per rule and subject at a time.
ALERT_LIVE = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


class AlertAction(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", _("acknowledgement of the alert")
    ASSIGN = "assign", _("assignment of the alert")
    RESOLVE = "resolve", _("resolution of the alert")
    DISMISS = "dismiss", _("dismissal of the alert")


ALERT_STATES = StateMachine(
    object="alert",
    transitions={
        AlertStatus.OPEN: frozenset(
            {AlertStatus.ACKNOWLEDGED, AlertStatus.RESOLVED, AlertStatus.DISMISSED}
        ),
        AlertStatus.ACKNOWLEDGED: frozenset({AlertStatus.RESOLVED, AlertStatus.DISMISSED}),
        AlertStatus.RESOLVED: frozenset(),
        AlertStatus.DISMISSED: frozenset(),
    },
    targets={
        AlertAction.ACKNOWLEDGE: AlertStatus.ACKNOWLEDGED,
        AlertAction.RESOLVE: AlertStatus.RESOLVED,
        AlertAction.DISMISS: AlertStatus.DISMISSED,
    },
    sources={AlertAction.ASSIGN: frozenset(ALERT_LIVE)},
    label=lambda a: gettext("Alert %(id)s") % {"id": a.pk},
)
