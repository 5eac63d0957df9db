"""Domain errors: one base class with a stable code, rendered the same way everywhere.

Services raise these; the API exception handler and the page middleware render them, so no
view ever builds an error response by hand. Clients branch on ``code``; ``message`` is
translated into the request's language and may change wording at any time.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code: ClassVar[str] = "domain_error"
    http_status: ClassVar[int] = 400
    # A translatable template with named placeholders, filled from ``extra``.
    message_template: ClassVar[Any] = _("The request could not be carried out.")

    def __init__(self, message: Any = None, /, **extra: Any) -> None:
        self.extra = extra
        self._message = message
        super().__init__(self.message)

    @property
    def message(self) -> str:
        template = self._message if self._message is not None else self.message_template
        try:
            return str(template) % self.extra if self.extra else str(template)
        except (KeyError, TypeError, ValueError):
            return str(template)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "extra": _jsonable(self.extra)}


class NotFoundError(DomainError):
    """Missing, or belonging to another organisation: the two are indistinguishable on purpose."""

    code = "not_found"
    http_status = 404
    message_template = _("Not found.")


class PermissionDeniedError(DomainError):
    code = "permission_denied"
    http_status = 403
    message_template = _("You do not have permission to do this.")


class InvalidStateError(DomainError):
    code = "invalid_state"
    http_status = 409
    message_template = _("This action is not allowed in the current state (%(state)s).")


class ValidationError(DomainError):
    """Bad input at the edge. ``fields`` maps a field name to a list of messages."""

    code = "invalid"
    message_template = _("The input is invalid.")


class LinesRefusedError(ValidationError):
    """Several lines of one request refused at once, so the caller fixes them all in one go:
    ``errors`` maps each 1-based line to its own refusal; ``extra["lines"]`` carries each as
    ``{line, code, message, extra}``. A single refused line raises its own error instead."""

    code = "lines_refused"
    message_template = _("%(count)s lines cannot be taken as given: %(reasons)s")

    def __init__(self, errors: dict[int, DomainError]) -> None:
        self.errors = dict(sorted(errors.items()))
        super().__init__(
            count=len(self.errors),
            reasons="; ".join(str(error.message) for error in self.errors.values()),
            lines=[{"line": line, **error.as_dict()} for line, error in self.errors.items()],
        )

    @classmethod
    def of(cls, errors: dict[int, DomainError]) -> DomainError:
        """The error to raise for ``errors`` (at least one): the only one, or all together."""
        if len(errors) == 1:
            return next(iter(errors.values()))
        return cls(errors)


# --- Requests the platform cannot take, refused before any view (core.middleware.RequestGuard,
# core.api.parsers). Each names what was wrong; none of them reached the database.


class NulCharacterError(DomainError):
    """PostgreSQL refuses NUL (U+0000) in text and jsonb, so no value may carry one."""

    code = "nul_character"
    message_template = _("The request contains a NUL character (U+0000), which no field accepts.")


class NumberOutOfRangeError(DomainError):
    code = "number_out_of_range"
    message_template = _(
        "The request contains a number that cannot be stored (%(value)s): numbers must be "
        "finite and integers at most 19 digits; send amounts as strings."
    )


class BodyTooDeepError(DomainError):
    code = "body_too_deep"
    message_template = _("The request body is nested more than %(limit)s levels deep.")


class RequestTooLargeError(DomainError):
    code = "request_too_large"
    http_status = 413
    message_template = _("The request body is larger than %(limit)s bytes.")


class DatabaseUnavailableError(DomainError):
    """The database connection failed mid-request (restarted server, terminated backend).
    Nothing was committed; the same request with the same Idempotency-Key may be retried."""

    code = "database_unavailable"
    http_status = 503
    message_template = _("The service is briefly unavailable; retry the request.")


# --- Restrictions on trading (core.restrictions): a sanction in force [R-CREDIT]


class SanctionInForceError(DomainError):
    """A sanction in force refuses the action (supervision's credit sanctions): ``sanction``
    is its kind, ``until`` its last day (Asia/Shanghai), ``event`` the credit event's id."""

    code = "sanction_in_force"
    http_status = 409
    message_template = _(
        "%(who)s is under a sanction (%(sanction_label)s) until %(until)s for %(misconduct)s: "
        "%(action_label)s is not allowed."
    )


# --- The platform's working-day calendar (core.workcalendar)


class CalendarDayExistsError(DomainError):
    code = "calendar_day_exists"
    http_status = 409
    message_template = _(
        "%(date)s is already in the calendar; remove it first to enter it differently."
    )


class CalendarWorkdayNotWeekendError(DomainError):
    code = "calendar_workday_not_weekend"
    message_template = _(
        "%(date)s is a weekday, a working day anyway: a make-up working day is a Saturday or a "
        "Sunday worked in exchange for a holiday."
    )


class CalendarYearOutOfRangeError(DomainError):
    code = "calendar_year_out_of_range"
    message_template = _("The calendar takes years from %(first)s to %(last)s, not %(year)s.")


def _jsonable(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # strict JSON has no inf or NaN: echo them as text
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
