"""The stage-gate registry (阶段门): the conditions a project must meet to leave each phase.

A condition is a function from a project to the reasons it is unmet (an empty list when met).
Apps register their own conditions from ``AppConfig.ready`` — the schedule issue adds "a baseline
is saved" and the budget issue "the budget is approved" to the planning gate — so the lifecycle
service never needs to know which apps exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Project

Check = Callable[["Project"], list[str]]

GATED_PHASES = ("initiation", "planning", "execution", "closing")
"""The phases a gate guards the exit of; the gate named after a phase opens onto the next one."""


@dataclass(frozen=True)
class GateCondition:
    key: str
    label: Any  # a lazy translation, rendered in the reader's language
    check: Check


@dataclass(frozen=True)
class ConditionResult:
    key: str
    label: str
    reasons: list[str]

    @property
    def met(self) -> bool:
        return not self.reasons


_CONDITIONS: dict[str, dict[str, GateCondition]] = {phase: {} for phase in GATED_PHASES}


def gate_condition(phase: str, key: str, label: Any) -> Callable[[Check], Check]:
    """Register ``check`` as a condition of the gate leaving ``phase``; ``key`` must be unique there."""
    if phase not in _CONDITIONS:
        raise ValueError(f"no gate leaves phase {phase!r}")

    def register(check: Check) -> Check:
        _CONDITIONS[phase][key] = GateCondition(key=key, label=label, check=check)
        return check

    return register


def gate_conditions(phase: str) -> list[GateCondition]:
    """The conditions of the gate leaving ``phase`` in registration order (none for ungated phases)."""
    return list(_CONDITIONS.get(phase, {}).values())


def gate_evaluate(project: Project, phase: str | None = None) -> list[ConditionResult]:
    """Check every condition of the gate leaving ``phase`` (default: the project's phase)."""
    return [
        ConditionResult(key=c.key, label=str(c.label), reasons=[str(r) for r in c.check(project)])
        for c in gate_conditions(phase or project.phase)
    ]


def unmet_reasons(results: list[ConditionResult]) -> list[str]:
    """Every unmet reason of a gate evaluation, in order, one line each."""
    return [reason for result in results for reason in result.reasons]
