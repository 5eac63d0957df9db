"""What the procurement pages share: who the viewer is to an order, and the figures the order
pages show per line. Page helpers every app shares are in core.web."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.choices import OrganizationKind
from procurement.choices import LineStatus, OrderStatus

# Refusals a form shows next to its fields; anything else (403, 404, a wrong state) is left
# to DomainErrorMiddleware.
FIELD_ERROR_STATUS = 400


def org_id(user) -> int | None:
    return getattr(user, "organization_id", None)


def is_hospital(user) -> bool:
    org = getattr(user, "organization", None)
    return org is not None and org.is_hospital


@dataclass
class Party:
    """What the viewer is to an order: which actions the page offers (the services decide)."""

    hospital: bool
    supplier: bool
    distributor: bool

    @classmethod
    def of(cls, user, order) -> Party:
        viewer = org_id(user)
        return cls(
            hospital=viewer == order.hospital_id,
            supplier=viewer == order.supplier_id,
            distributor=order.distributor_id is not None and viewer == order.distributor_id,
        )

    @property
    def carrier(self) -> bool:
        return self.supplier or self.distributor


def annotate_lines(order) -> list:
    """The figures the order page shows per line (the services keep the counters)."""
    lines = list(order.lines.all())
    live = order.status == OrderStatus.CONFIRMED
    for line in lines:
        confirmed = line.status == LineStatus.CONFIRMED
        line.confirmed_quantity = line.quantity if confirmed else 0
        line.outstanding = line.quantity - line.delivered_quantity if confirmed and live else 0
        line.kept = line.accepted_quantity - line.returned_quantity
        line.invoicable = line.kept - line.invoiced_quantity if confirmed and live else 0
    return lines


def is_manufacturer(user) -> bool:
    org = getattr(user, "organization", None)
    return org is not None and org.kind == OrganizationKind.MANUFACTURER
