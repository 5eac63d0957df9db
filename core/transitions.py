"""State rules: the one check every status change makes, and the one refusal it gives.

Each app keeps its status tables as plain data in ``choices.py``: for every status field the
allowed ``{from_status: {to_statuses}}``, the actions that move it or need it, as a
``TextChoices`` whose value is the action's code and whose label names it in a sentence
(``OrderAction.CANCEL = "cancel", _("cancellation")``), and a :class:`StateMachine` tying
them together (``ORDER_STATES``). A service calls ``ORDER_STATES.check(order, action)``
before it writes; the allowed-actions selectors (``order_actions`` ...) ask the same machine
through ``allows``, so a page or an API client is never offered what the service would refuse.

A refusal is always :class:`core.errors.InvalidStateError`: code ``invalid_state``, HTTP 409,
and the same ``extra`` keys whatever the object, for API clients to branch on:

``object``
    what was refused, by kind: ``order``, ``order_line``, ``delivery``, ``invoice``,
    ``listing``, ``price_change``, ``agreed_price``, ``reference_price``, ...
``id``
    its id
``state``
    its status when refused (the status value, e.g. ``draft``)
``action``
    the action refused (its code, e.g. ``cancel``)
``target``
    the status the action would have led to, or ``""`` for an action that does not change
    the status (delivering, editing an application)

The message says the same in the request's language ("PO… is Draft: delivery is not allowed
now"); clients show it and never parse it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from core.errors import InvalidStateError

EXTRA_KEYS = ("object", "id", "state", "action", "target")


def _label_of(value: Any) -> str:
    """The translated label of a TextChoices member, else the text itself."""
    return str(getattr(value, "label", value))


def refusal(
    obj: Any,
    *,
    object: str,
    action: Any,
    target: str = "",
    label: Any = None,
    message: Any = None,
) -> InvalidStateError:
    """The refusal of ``action`` on ``obj`` in its current status. ``label`` names the object
    in the message (default: ``str(obj)``); ``message`` replaces the standard sentence when
    the state alone does not say why (e.g. an order some lines of which are answered)."""
    if message is None:
        message = _("%(object)s is %(state)s: %(action)s is not allowed now.") % {
            "object": label if label is not None else obj,
            "state": obj.get_status_display(),
            "action": _label_of(action),
        }
    # Already formatted: escape it, as DomainError formats its message with ``extra``.
    return InvalidStateError(
        str(message).replace("%", "%%"),
        object=object,
        id=obj.pk,
        state=str(obj.status),
        action=str(action),
        target=str(target),
    )


@dataclass(frozen=True)
class StateMachine:
    """One status field's rules: the transition table, where each action leads (``targets``)
    and, for an action that needs more than the table says, the statuses it starts from
    (``sources``: approving and reinstating a listing both lead to "listed", from different
    statuses; delivering on an order needs it confirmed and does not move it)."""

    object: str
    transitions: Mapping[str, Collection[str]]
    targets: Mapping[str, str] = field(default_factory=dict)
    sources: Mapping[str, Collection[str]] = field(default_factory=dict)
    label: Callable[[Any], Any] | None = None

    def refusal(self, obj: Any, action: Any, *, target: str = "", message: Any = None):
        label = self.label(obj) if self.label is not None else None
        return refusal(
            obj, object=self.object, action=action, target=target, label=label, message=message
        )

    def allows(self, state: str, action: Any, *, target: str | None = None) -> bool:
        """Whether ``action`` may start from ``state`` (``target``: where it leads, when the
        action decides that itself, as an answer that confirms or rejects)."""
        target = self.targets.get(action, "") if target is None else target
        sources = self.sources.get(action)
        if sources is not None and state not in sources:
            return False
        return not target or target in self.transitions.get(state, ())

    def check(self, obj: Any, action: Any, *, target: str | None = None) -> None:
        """Refuse ``action`` on ``obj`` unless its status allows it."""
        if not self.allows(obj.status, action, target=target):
            leads_to = self.targets.get(action, "") if target is None else target
            raise self.refusal(obj, action, target=leads_to)
