"""``GET .../<id>/actions/``: what the caller may do with an object now (core.actions), for API
clients to show the same buttons the pages show.

Each answer lists every action of the object's kind, allowed or not; a refused one carries the
error code and message the operation itself would answer with (``permission_denied``,
``invalid_state``, ``nothing_to_deliver``...). The object's own documents stay as they are
(an order's is built in SQL for the HIS hot path): actions are asked for separately.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.actions import Actions


class ActionOutput(serializers.Serializer):
    action = serializers.CharField(help_text="The action's code.")
    allowed = serializers.BooleanField(help_text="Whether the caller may do it now.")
    code = serializers.CharField(
        allow_null=True, help_text="When not allowed: the error code doing it would answer."
    )
    reason = serializers.CharField(
        allow_null=True, help_text="When not allowed: why, in the request's language."
    )


def actions_output(name: str, choices: Any) -> type[serializers.Serializer]:
    """The ``{"actions": [...]}`` answer for one kind of object, its action codes an enum."""
    item = type(
        f"{name}ActionOutput",
        (ActionOutput,),
        {"action": serializers.ChoiceField(choices=choices, help_text="The action's code.")},
    )
    return type(f"{name}ActionsOutput", (serializers.Serializer,), {"actions": item(many=True)})


def actions_body(actions: Actions) -> dict[str, Any]:
    return {
        "actions": [
            {
                "action": code,
                "allowed": verdict.allowed,
                "code": verdict.code or None,
                "reason": verdict.reason or None,
            }
            for code, verdict in actions.items()
        ]
    }
