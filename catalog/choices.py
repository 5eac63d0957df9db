from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.transitions import StateMachine


class ConsumableStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class IssuingAgency(models.TextChoices):
    GS1 = "gs1", _("GS1 China")
    MA = "ma", _("MA (IDcode)")
    AHM = "ahm", _("AHM")


class ReferencePriceStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    # A proposed increase: never applied automatically, the bureau decides.
    FLAGGED = "flagged", _("Increase flagged for the bureau")
    PUBLICITY = "publicity", _("In publicity")
    CONFIRMED = "confirmed", _("Confirmed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SUPERSEDED = "superseded", _("Superseded")


OPEN_REFERENCE_STATUSES = (
    ReferencePriceStatus.PROPOSED,
    ReferencePriceStatus.FLAGGED,
    ReferencePriceStatus.PUBLICITY,
)

# [R-LIST-CATALOGUES] lowest-price tracking: proposed -> publicity -> confirmed (locked).
# An open price goes to SUPERSEDED (not WITHDRAWN) when the sync replaces it with a newer, lower
# national lowest price: WITHDRAWN stays reserved for the bureau's decisions, which the sync must
# not undo by proposing the same price again.
REFERENCE_PRICE_TRANSITIONS: dict[str, frozenset[str]] = {
    ReferencePriceStatus.PROPOSED: frozenset(
        {
            ReferencePriceStatus.PUBLICITY,
            ReferencePriceStatus.WITHDRAWN,
            ReferencePriceStatus.SUPERSEDED,
        }
    ),
    ReferencePriceStatus.FLAGGED: frozenset(
        {
            ReferencePriceStatus.PUBLICITY,
            ReferencePriceStatus.WITHDRAWN,
            ReferencePriceStatus.SUPERSEDED,
        }
    ),
    ReferencePriceStatus.PUBLICITY: frozenset(
        {
            ReferencePriceStatus.CONFIRMED,
            ReferencePriceStatus.WITHDRAWN,
            ReferencePriceStatus.SUPERSEDED,
        }
    ),
    ReferencePriceStatus.CONFIRMED: frozenset({ReferencePriceStatus.SUPERSEDED}),
    ReferencePriceStatus.WITHDRAWN: frozenset(),
    ReferencePriceStatus.SUPERSEDED: frozenset(),
}


class ReferencePriceAction(models.TextChoices):
    START_PUBLICITY = "start_publicity", _("starting publicity")
    CONFIRM = "confirm", _("confirmation")
    WITHDRAW = "withdraw", _("withdrawal")
    SUPERSEDE = "supersede", _("superseding")
    OBJECT = "object", _("an objection")


REFERENCE_PRICE_STATES = StateMachine(
    object="reference_price",
    transitions=REFERENCE_PRICE_TRANSITIONS,
    targets={
        ReferencePriceAction.START_PUBLICITY: ReferencePriceStatus.PUBLICITY,
        ReferencePriceAction.CONFIRM: ReferencePriceStatus.CONFIRMED,
        ReferencePriceAction.WITHDRAW: ReferencePriceStatus.WITHDRAWN,
        ReferencePriceAction.SUPERSEDE: ReferencePriceStatus.SUPERSEDED,
    },
    label=lambda rp: gettext("Reference price %(id)s") % {"id": rp.pk},
)


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class SyncRunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped (another run holds the lock)")


class ImportKind(models.TextChoices):
    CATALOG = "catalog", _("National code database")
    UDI = "udi", _("UDI database (crosswalk)")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
