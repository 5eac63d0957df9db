"""What an actor may do with an object now, with the reason when not.

Each aggregate has an allowed-actions selector (``order_actions(actor=..., order=...)``,
``listing_actions``, ``reference_price_actions`` ...). It runs, for each action, the same checks
its service runs before writing (the role, the party, the state machine, the action's own
rule), in the same order, and keeps the first refusal: so a page shows a button exactly when
the service would accept the click (as far as the state goes: a submission may still be
refused for its prices or the cap, which only doing it decides), the API tells clients the
same (``GET .../actions/``), and tests compare both with the services.

Checks here never write: the role check uses ``can`` (no security-log row for a button not
shown), where the services' ``require`` logs a refused request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from core.errors import DomainError, PermissionDeniedError
from core.permissions import can
from core.tenancy import AnyActor

Check = Callable[[], object]  # raises a DomainError to refuse; what it returns is ignored


@dataclass(frozen=True)
class Allowed:
    """One action: allowed, or the refusal the service would give (``error``)."""

    action: str
    error: DomainError | None = None

    @property
    def allowed(self) -> bool:
        return self.error is None

    def __bool__(self) -> bool:  # {% if actions.cancel %} in a template
        return self.allowed

    @property
    def code(self) -> str:
        return self.error.code if self.error is not None else ""

    @property
    def reason(self) -> str:
        return self.error.message if self.error is not None else ""


class Actions(dict):
    """Allowed-or-not per action code, in the order the selector lists them."""

    def __init__(self, verdicts: Iterable[Allowed]) -> None:
        super().__init__((str(verdict.action), verdict) for verdict in verdicts)

    def allowed(self) -> list[str]:
        return [code for code, verdict in self.items() if verdict]


def verdict(action: Any, *checks: Check) -> Allowed:
    """Run ``checks`` in order; the first refusal is the reason."""
    try:
        for check in checks:
            check()
    except DomainError as error:
        return Allowed(str(action), error)
    return Allowed(str(action))


def role_check(actor: AnyActor, permission: str) -> Check:
    """The role table (core.permissions.ACTIONS), without recording a refusal."""

    def check() -> None:
        if not can(actor, permission):
            raise PermissionDeniedError(action=permission)

    return check
