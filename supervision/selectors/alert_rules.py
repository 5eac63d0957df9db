"""The registry of alert rules [R-ALERT-USE] [R-MISCONDUCT] (docs/alerts.md).

A rule is a :class:`RuleSpec`: a code, the domain rule id it makes real, a title, its
parameters (each a :class:`ParamSpec` with a range and a default: what a region's
``AlertRule.params`` may hold) and ``evaluate(*, region_code, params, as_of)``, a read that
returns findings (anything shaped like :class:`FindingLike`; :class:`Finding` is the plain
one). A rule module calls :func:`register_rule` for each of its rules at import; the modules
are listed in ``RULE_MODULES`` and imported the first time :func:`rules` is asked.

``evaluate`` reads the data of the region's jurisdiction (``region_code`` is the bureau's
region; ``jurisdiction_prefix`` gives the prefix its hospitals' codes start with), with SQL
aggregates, and never writes: supervision.services.alerts turns findings into alerts.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

# The modules whose import registers rules (each calls register_rule at module level).
RULE_MODULES: tuple[str, ...] = (
    "supervision.selectors.trade_alerts",
    "supervision.selectors.usage_alerts",
)


@dataclass(frozen=True)
class ParamSpec:
    name: str
    label: Any
    minimum: Decimal
    maximum: Decimal
    default: Decimal


class FindingLike(Protocol):
    subject_key: str
    region_code: str
    hospital_id: int | None
    supplier_id: int | None
    severity: str  # "low" | "medium" | "high"
    summary: str
    measured: Decimal
    threshold: Decimal
    evidence: list[dict]


@dataclass
class Finding:
    subject_key: str
    region_code: str
    severity: str
    summary: str
    measured: Decimal
    threshold: Decimal
    evidence: list[dict] = field(default_factory=list)
    hospital_id: int | None = None
    supplier_id: int | None = None


@dataclass(frozen=True)
class RuleSpec:
    code: str
    rule_id: str  # e.g. "R-ALERT-USE"
    title: Any
    params: tuple[ParamSpec, ...]
    evaluate: Callable[..., Iterable[FindingLike]]
    description: Any = ""

    def param(self, name: str) -> ParamSpec:
        for spec in self.params:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def defaults(self) -> dict[str, Decimal]:
        return {p.name: p.default for p in self.params}

    def resolved(self, stored: Mapping[str, Any] | None) -> dict[str, Decimal]:
        """The stored parameters over the defaults, as decimals (a stored value no longer in
        range, or unreadable, falls back to the default)."""
        values = self.defaults()
        for p in self.params:
            raw = (stored or {}).get(p.name)
            if raw is None:
                continue
            try:
                value = Decimal(str(raw))
            except (InvalidOperation, ValueError):
                continue
            if p.minimum <= value <= p.maximum:
                values[p.name] = value
        return values


_RULES: dict[str, RuleSpec] = {}
_loaded = False


def register_rule(spec: RuleSpec) -> None:
    """Add ``spec`` to the registry (again under the same code: replaced, so a reload does
    not fail)."""
    names = [p.name for p in spec.params]
    if len(names) != len(set(names)):
        raise ValueError(f"rule {spec.code}: duplicate parameter names")
    for p in spec.params:
        if not p.minimum <= p.default <= p.maximum:
            raise ValueError(f"rule {spec.code}: default of {p.name} out of its range")
    _RULES[spec.code] = spec


def register_rule_dicts(rows: Iterable[Mapping[str, Any]]) -> None:
    """Register rules given as plain data: ``{"code", "rule_id", "title", "evaluate",
    "params": [(name, label, minimum, maximum, default), ...], "description"?}`` (the shape
    supervision.selectors.usage_alerts.USAGE_RULES has)."""
    for row in rows:
        register_rule(
            RuleSpec(
                code=row["code"],
                rule_id=row["rule_id"],
                title=row["title"],
                params=tuple(
                    p if isinstance(p, ParamSpec) else ParamSpec(*p) for p in row["params"]
                ),
                evaluate=row["evaluate"],
                description=row.get("description", ""),
            )
        )


def rules() -> dict[str, RuleSpec]:
    """Every registered rule by code, in registration order."""
    global _loaded
    if not _loaded:
        _loaded = True
        for module in RULE_MODULES:
            importlib.import_module(module)
    return dict(_RULES)


def rule_get(code: str) -> RuleSpec | None:
    return rules().get(code)


def fingerprint(evidence: Iterable[Mapping[str, Any]]) -> str:
    """The identities of a finding's evidence rows (``kind:id``), sorted and hashed."""
    keys = sorted({f"{row.get('kind', '')}:{row.get('id', '')}" for row in evidence})
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()


def evidence_keys(evidence: Iterable[Mapping[str, Any]]) -> set[str]:
    return {f"{row.get('kind', '')}:{row.get('id', '')}" for row in evidence}


def severity_by_ratio(measured: Decimal, threshold: Decimal, *, high: Decimal) -> str:
    """ "high" when ``measured`` reaches ``high`` times the threshold, else "medium"."""
    if threshold > 0 and measured >= threshold * high:
        return "high"
    return "medium"


def as_of_month(as_of: date) -> str:
    return f"{as_of:%Y-%m}"
