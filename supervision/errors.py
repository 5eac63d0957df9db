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
