"""Volume-based procurement rounds (带量采购): set-up by the bureau, publication, amendments.

[R-VBP-VOLUME] a round publishes its groups, its agreed ratio and its dates; hospitals then
report base volumes (services/demand.py) and the agreed volume follows from the ratio.

Decisions:

- The bureau (or the agency) of a region runs its rounds: the round's ``jurisdiction`` is the
  creating regulator's, and only regulators of that region change it.
- A draft is edited freely (the round's fields, its groups); publication checks that it has
  groups, that every group's winning rule is valid and satisfiable for that group
  (procurement.winning_rules), and that every date lies ahead, in order.
- A published round changes only by an amendment (``round_amend``): the changed fields with
  their before and after values, a reason, who and when, as an append-only TenderAmendment row
  every supplier sees with the round (every supplier is invited). The round's fields and
  groups are then updated in the same transaction, and history records the versions.
- Each transition locks the round row first (procurement.locks), checks the role, the party
  (a regulator of the round's region) and the state table in procurement.choices.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, cast

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from core import clock, permissions
from core.errors import PermissionDeniedError
from core.money import quantize
from procurement import winning_rules
from procurement.choices import ROUND_STATES, RoundAction, RoundStatus
from procurement.errors import AmendmentEmptyError, GroupCodeTakenError, RoundFieldInvalidError
from procurement.locks import lock_group, lock_round
from procurement.models import TenderAmendment, TenderGroup, TenderRound
from procurement.selectors.rounds import (
    DATE_FIELDS,
    group_filters_check,
    round_dates_check,
    round_groups,
    round_party_check,
    round_publish_check,
    round_values,
)
from procurement.services import bids
from procurement.services.numbering import next_number
from procurement.services.orders import require_reason

ROUND_PREFIX = "VBP"
ROUND_FIELDS = (
    "name",
    "cycle_start",
    "cycle_end",
    "agreed_ratio",
    "advance_ratio",
    *DATE_FIELDS,
    "note",
)
GROUP_FIELDS = (
    "code",
    "name",
    "code_prefixes",
    "attribute_filters",
    "max_valid_price",
    "reference_price",
    "winning_rule",
)
# What an amendment of a published round may change. The groups' products (prefixes, filters)
# and code stay as published: suppliers and hospitals have acted on them.
AMENDABLE_ROUND_FIELDS = (
    "cycle_start",
    "cycle_end",
    "agreed_ratio",
    "advance_ratio",
    *DATE_FIELDS,
    "note",
)
AMENDABLE_GROUP_FIELDS = ("name", "max_valid_price", "reference_price", "winning_rule")


def _field_label(model: type[TenderRound], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def _require_regulator(actor: User) -> None:
    org = actor.organization
    if org is None or not org.is_regulator:
        raise PermissionDeniedError(action="round.manage")


def _ratio(value: object, name: str) -> Decimal:
    try:
        ratio = Decimal(str(value))
    except Exception:
        ratio = Decimal("NaN")
    low_ok = ratio > 0 if name == "agreed_ratio" else ratio >= 0
    if (
        not ratio.is_finite()
        or not low_ok
        or ratio > 1
        or ratio != ratio.quantize(Decimal("0.0001"))
    ):
        raise RoundFieldInvalidError(
            problem=_("%(field)s must be a share between 0 and 1 with at most 4 decimals.")
            % {"field": _field_label(TenderRound, name)},
            field=name,
        )
    return ratio


def _round_clean(values: Mapping[str, Any]) -> dict[str, Any]:
    clean = dict(values)
    for name in ("agreed_ratio", "advance_ratio"):
        if name in clean:
            clean[name] = _ratio(clean[name], name)
    if "name" in clean:
        clean["name"] = str(clean["name"] or "").strip()[:200]
    if "note" in clean:
        clean["note"] = str(clean["note"] or "")[:2000]
    return clean


def _group_clean(values: Mapping[str, Any], *, current: TenderGroup | None = None) -> dict:
    clean = dict(values)
    if "code_prefixes" in clean or "attribute_filters" in clean:
        prefixes, filters = group_filters_check(
            code_prefixes=clean.get("code_prefixes", current.code_prefixes if current else None),
            attribute_filters=clean.get(
                "attribute_filters", current.attribute_filters if current else {}
            ),
        )
        clean["code_prefixes"], clean["attribute_filters"] = prefixes, filters
    for name in ("max_valid_price", "reference_price"):
        if name in clean and clean[name] is not None:
            clean[name] = quantize(clean[name])
    max_price = clean.get("max_valid_price", current.max_valid_price if current else None)
    reference = clean.get("reference_price", current.reference_price if current else None)
    rule = clean.get("winning_rule", current.winning_rule if current else None)
    context = winning_rules.GroupContext(
        max_valid_price=cast(Decimal, max_price), reference_price=reference
    )
    # [validated on save] the rule is stored only in its normalised, satisfiable form.
    clean["winning_rule"] = winning_rules.validate(rule, context)
    return clean


def _json(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


# ---------------------------------------------------------------------------------------------
# Drafts


@transaction.atomic
def round_create(*, actor: User, **values: object) -> TenderRound:
    """A draft round of the actor's region (bureau or agency)."""
    permissions.require(actor, "round.manage")
    _require_regulator(actor)
    clean = _round_clean({name: values[name] for name in ROUND_FIELDS if name in values})
    round_dates_check(clean)
    pk, number = next_number(TenderRound, ROUND_PREFIX)
    return TenderRound.objects.create(
        pk=pk,
        number=number,
        jurisdiction=cast(Organization, actor.organization).jurisdiction,
        created_by=actor,
        **clean,
    )


def _lock_for(actor: User, round_id: int, action: RoundAction) -> TenderRound:
    round = lock_round(actor=actor, round_id=round_id, action="round.manage")
    round_party_check(actor=actor, round=round, permission="round.manage")
    ROUND_STATES.check(round, action)
    return round


@transaction.atomic
def round_update(*, actor: User, round_id: int, **values: object) -> TenderRound:
    """Edit a draft round."""
    round = _lock_for(actor, round_id, RoundAction.EDIT)
    clean = _round_clean({name: values[name] for name in ROUND_FIELDS if name in values})
    merged = {**round_values(round), **{k: v for k, v in clean.items() if k in round_values(round)}}
    round_dates_check(merged)
    changed = [name for name, value in clean.items() if getattr(round, name) != value]
    for name in changed:
        setattr(round, name, clean[name])
    if changed:
        round.save(update_fields=changed)
    return round


@transaction.atomic
def group_create(*, actor: User, round_id: int, **values: object) -> TenderGroup:
    """Add a product group to a draft round; its winning rule is validated on save."""
    round = _lock_for(actor, round_id, RoundAction.EDIT)
    clean = _group_clean({name: values[name] for name in GROUP_FIELDS if name in values})
    clean["code"] = str(clean.get("code") or "").strip()[:20]
    clean["name"] = str(clean.get("name") or "").strip()[:200]
    if not clean["code"] or not clean["name"]:
        raise RoundFieldInvalidError(problem=_("A group needs a code and a name."), field="code")
    if round.groups.filter(code=clean["code"]).exists():
        raise GroupCodeTakenError(code=clean["code"], field="code")
    return TenderGroup.objects.create(round=round, **clean)


@transaction.atomic
def group_update(*, actor: User, round_id: int, group_id: int, **values: object) -> TenderGroup:
    """Edit a group of a draft round."""
    round = _lock_for(actor, round_id, RoundAction.EDIT)
    group = lock_group(round=round, group_id=group_id)
    clean = _group_clean(
        {name: values[name] for name in GROUP_FIELDS if name in values and name != "code"},
        current=group,
    )
    changed = [name for name, value in clean.items() if getattr(group, name) != value]
    for name in changed:
        setattr(group, name, clean[name])
    if changed:
        group.save(update_fields=changed)
    return group


@transaction.atomic
def group_delete(*, actor: User, round_id: int, group_id: int) -> None:
    round = _lock_for(actor, round_id, RoundAction.EDIT)
    lock_group(round=round, group_id=group_id).delete()


# ---------------------------------------------------------------------------------------------
# Publication and amendments


@transaction.atomic
def round_publish(*, actor: User, round_id: int) -> TenderRound:
    """Publish a draft: hospitals may report demand, suppliers see the round."""
    round = _lock_for(actor, round_id, RoundAction.PUBLISH)
    round_publish_check(round=round, groups=round_groups(round=round))
    round.status = RoundStatus.PUBLISHED
    round.published_at = clock.now()
    round.save(update_fields=["status", "published_at"])
    # Sealed bids: the round's key pair, its private half split among the custodians at once.
    bids.round_key_ceremony(round=round)
    return round


@transaction.atomic
def round_amend(
    *,
    actor: User,
    round_id: int,
    reason: str,
    changes: Mapping[str, Any] | None = None,
    groups: Mapping[Any, Mapping[str, Any]] | None = None,
) -> list[TenderAmendment]:
    """Change a published round (``changes``: round fields) or its groups (``groups``:
    group id -> fields), recording one amendment per object changed: field -> [before,
    after], the reason, who, when. Changes nothing and is refused when nothing differs."""
    reason = require_reason(reason)
    round = _lock_for(actor, round_id, RoundAction.AMEND)
    amendments: list[TenderAmendment] = []
    clean = _round_clean(
        {name: value for name, value in (changes or {}).items() if name in AMENDABLE_ROUND_FIELDS}
    )
    diff = {
        name: [_json(getattr(round, name)), _json(value)]
        for name, value in clean.items()
        if getattr(round, name) != value
    }
    if diff:
        merged = {**round_values(round), **{k: clean[k] for k in diff if k in round_values(round)}}
        # A date moved must still lie ahead; the order holds for all of them.
        round_dates_check(merged, ahead=[name for name in diff if name in DATE_FIELDS])
        for name in diff:
            setattr(round, name, clean[name])
        round.save(update_fields=list(diff))
        amendments.append(
            TenderAmendment(round=round, changes=diff, reason=reason, created_by=actor)
        )
    for group_id in sorted(groups or {}, key=str):
        group = lock_group(round=round, group_id=group_id)
        fields = {
            name: value
            for name, value in (groups or {})[group_id].items()
            if name in AMENDABLE_GROUP_FIELDS
        }
        clean_group = _group_clean(fields, current=group)
        clean_group = {k: v for k, v in clean_group.items() if k in fields or k == "winning_rule"}
        group_diff = {
            name: [_json(getattr(group, name)), _json(value)]
            for name, value in clean_group.items()
            if getattr(group, name) != value
        }
        if group_diff:
            for name in group_diff:
                setattr(group, name, clean_group[name])
            group.save(update_fields=list(group_diff))
            amendments.append(
                TenderAmendment(
                    round=round, group=group, changes=group_diff, reason=reason, created_by=actor
                )
            )
    if not amendments:
        raise AmendmentEmptyError()
    return TenderAmendment.objects.bulk_create(amendments)
