"""core.transitions: one check, one refusal (invalid_state with fixed extra keys)."""

from dataclasses import dataclass

import pytest
from django.db import models
from django.utils import translation

from core.errors import InvalidStateError
from core.transitions import EXTRA_KEYS, StateMachine


class Status(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    GONE = "gone", "Gone"


class Action(models.TextChoices):
    FINISH = "finish", "finishing"
    REOPEN = "reopen", "reopening"
    NUDGE = "nudge", "nudging"


@dataclass
class Thing:
    pk: int
    status: str
    name: str = "Thing 7"

    def get_status_display(self) -> str:
        return Status(self.status).label

    def __str__(self) -> str:
        return self.name


MACHINE = StateMachine(
    object="thing",
    transitions={Status.OPEN: {Status.DONE, Status.GONE}, Status.DONE: set(), Status.GONE: set()},
    targets={Action.FINISH: Status.DONE},
    sources={Action.NUDGE: {Status.OPEN}},
)


@pytest.mark.parametrize(
    ("status", "action", "allowed"),
    [
        (Status.OPEN, Action.FINISH, True),
        (Status.DONE, Action.FINISH, False),  # the table: done leads nowhere
        (Status.OPEN, Action.NUDGE, True),
        (Status.DONE, Action.NUDGE, False),  # the action's sources
        (Status.DONE, Action.REOPEN, True),  # neither a target nor sources: no state rule
    ],
)
def test_allows_reads_the_table_and_the_actions_sources(status, action, allowed):
    assert MACHINE.allows(status, action) is allowed


def test_a_target_given_by_the_caller_is_checked_against_the_table():
    assert MACHINE.allows(Status.OPEN, Action.NUDGE, target=Status.GONE)
    assert not MACHINE.allows(Status.OPEN, Action.NUDGE, target=Status.OPEN)


def test_a_refusal_is_invalid_state_with_the_fixed_keys():
    with translation.override("en"), pytest.raises(InvalidStateError) as error:
        MACHINE.check(Thing(pk=7, status=Status.DONE), Action.FINISH)
    assert error.value.code == "invalid_state"
    assert error.value.http_status == 409
    assert tuple(error.value.extra) == EXTRA_KEYS
    assert error.value.extra == {
        "object": "thing",
        "id": 7,
        "state": "done",
        "action": "finish",
        "target": "done",
    }
    assert error.value.message == "Thing 7 is Done: finishing is not allowed now."


def test_an_action_that_keeps_the_status_has_an_empty_target():
    with pytest.raises(InvalidStateError) as error:
        MACHINE.check(Thing(pk=1, status=Status.GONE), Action.NUDGE)
    assert error.value.extra["target"] == ""


def test_a_name_with_a_percent_sign_survives_the_message():
    """The message is formatted once; a product called "50% glucose" must not be mangled
    (or lost) by DomainError formatting it again with ``extra``."""
    thing = Thing(pk=2, status=Status.DONE, name="50% 葡萄糖 %(id)s %%")
    with translation.override("en"), pytest.raises(InvalidStateError) as error:
        MACHINE.check(thing, Action.FINISH)
    assert error.value.message.startswith("50% 葡萄糖 %(id)s %% is Done")
    assert error.value.as_dict()["message"].startswith("50% 葡萄糖 %(id)s %%")
