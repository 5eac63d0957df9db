"""Domain errors of supervision, each with a stable code."""

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class FiveRatesSliceRefusedError(DomainError):
    """[R-FIVE-RATES] a slice the actor may not read: hospitals and suppliers see only their
    own rates, regulators their jurisdiction."""

    code = "five_rates_slice_refused"
    http_status = 403
    message_template = _("You may not read the five rates by %(slice)s: %(reason)s")


class FiveRatesMonthInvalidError(DomainError):
    code = "five_rates_month_invalid"
    message_template = _(
        "%(value)s is not a month to read the five rates for: give YYYY-MM, from 2000-01 to the "
        "current month."
    )


class FiveRatesSnapshotMissingError(DomainError):
    code = "five_rates_snapshot_missing"
    http_status = 404
    message_template = _("The five rates of %(month)s have not been frozen yet.")


class CreditRepairNotAllowedError(DomainError):
    """[R-CREDIT] the misconduct item says its events cannot be repaired."""

    code = "credit_repair_not_allowed"
    message_template = _(
        "Credit event %(event)s (%(misconduct)s) cannot be repaired: this kind of misconduct "
        "is not repairable."
    )


class CreditRepairPendingError(DomainError):
    code = "credit_repair_pending"
    http_status = 409
    message_template = _(
        "Credit event %(event)s already has a repair application awaiting the bureau."
    )


class CreditSubjectInvalidError(DomainError):
    code = "credit_subject_invalid"
    message_template = _("A credit event is recorded against a supplier or a hospital.")


class MisconductItemUnknownError(DomainError):
    code = "misconduct_item_unknown"
    message_template = _("There is no active misconduct item %(item)s.")


class SanctionDaysInvalidError(DomainError):
    code = "sanction_days_invalid"
    message_template = _("A sanction lasts from 1 to 3650 days (%(sanction)s: %(days)s).")


class QualityProductNotReceivedError(DomainError):
    """[R-QUALITY] a hospital reports only on a product it accepted."""

    code = "quality_product_not_received"
    message_template = _("Product %(product)s is not one your hospital has accepted.")


class QualityLotNotReceivedError(DomainError):
    """[R-QUALITY] the lot named must be one the hospital accepted goods of."""

    code = "quality_lot_not_received"
    message_template = _("Your hospital has accepted no goods of lot %(lot)s of %(product)s.")


class AlertRuleUnknownError(DomainError):
    code = "alert_rule_unknown"
    http_status = 404
    message_template = _("There is no alert rule %(rule)s.")


class AlertRuleParamUnknownError(DomainError):
    code = "alert_rule_param_unknown"
    message_template = _("Alert rule %(rule)s has no parameter %(param)s.")


class AlertRuleParamOutOfRangeError(DomainError):
    """A rule parameter that is not a number within its range: nothing is changed."""

    code = "alert_rule_param_out_of_range"
    message_template = _(
        "%(label)s (%(param)s) must be a number from %(minimum)s to %(maximum)s; %(value)s is not."
    )


class AlertAssigneeInvalidError(DomainError):
    code = "alert_assignee_invalid"
    message_template = _(
        "An alert is assigned to an active bureau officer of its jurisdiction; user %(user)s "
        "is not one."
    )


class AlertMisconductNotApplicableError(DomainError):
    code = "alert_misconduct_not_applicable"
    message_template = _(
        "Only a price-rise or regional price-gap alert about a supplier is resolved as "
        "confirmed misconduct."
    )


class DashboardDistrictRefusedError(DomainError):
    """The bureau dashboard for a district outside the regulator's jurisdiction."""

    code = "dashboard_district_refused"
    http_status = 403
    message_template = _("District %(district)s is outside your jurisdiction.")


class MonitoringParameterInvalidError(DomainError):
    """[R-MONITOR] [R-RETAINED] [R-CUTS-1000] a month, year or district the monitoring pages
    cannot read; ``parameter`` names the query parameter."""

    code = "monitoring_parameter_invalid"
    message_template = _("%(parameter)s: %(value)s is not valid: %(reason)s")
