"""Monte Carlo schedule risk (进度风险模拟): many schedules with drawn durations, summarised.

The network is the one the engine schedules (:mod:`clientpm.scheduling.cpm` conventions for
dependencies, lags, constraints, milestones and progress). Each iteration draws every uncertain
task's duration and every risk event, then schedules the network; thousands of iterations give
the distribution of the finish date, the chance of meeting a deadline, and which tasks drive it.

- :mod:`~clientpm.scheduling.montecarlo.inputs` — estimates, risk events, validation;
- :mod:`~clientpm.scheduling.montecarlo.sampling` — the (tasks × iterations) duration matrix;
- :mod:`~clientpm.scheduling.montecarlo.passes` — forward/backward passes over many iterations;
- :mod:`~clientpm.scheduling.montecarlo.stats` — Spearman's rank correlation;
- :mod:`~clientpm.scheduling.montecarlo.engine` — :func:`monte_carlo` on arrays (like ``cpm``);
- :mod:`~clientpm.scheduling.montecarlo.risk` — :func:`schedule_risk` with dates (like
  ``schedule``) and its JSON-ready :class:`ScheduleRisk`.

The model
---------
*Durations* are real numbers of working days. A task with a three-point estimate (optimistic ≤
most likely ≤ pessimistic) draws its duration from a triangular or a PERT-beta distribution
(λ = 4: mean (a + 4m + b) / 6) on [optimistic, pessimistic]; a task without one keeps its
deterministic duration. Work ending part-way through a day finishes on that day: a finish point
``p`` (see ``cpm``) is dated on working day ``⌈p⌉ − 1``, and milestones are dated as ``cpm``
dates them — so with deterministic durations every iteration gives exactly the CPM finish date.

*Risk events* (probability, delay in working days) happen independently in each iteration and
add their delay to their task's duration; several events on one task add up. A milestone with a
risk event becomes a task of that length in the iterations where it happens.

*Progress.* A finished task stays where it happened and ignores its risk events. A task in
progress keeps its actual start; with a status date it draws only its *remaining* work — its
estimate scaled by remaining ÷ planned duration (the remaining duration itself when it has no
estimate) — from the status date, as ``cpm`` schedules it; without a status date it draws its
whole duration from its actual start.

*Constraints* act as in ``cpm`` (SNLT, FNLT, MSO and MFO win over dependencies); "as late as
possible" is simulated as "as soon as possible", since it never moves the finish. Task deadlines
do not change the simulation; the *deadline* (a date or a working-day index) is the date whose
probability is reported: the share of iterations finishing on or before it.

*Results.* P50/P80/P95: the first date by which 50/80/95 % of the iterations finish; mean and
standard deviation of the finish in working days from the project start; a histogram (iterations
per finish date) and its cumulative curve. Per task, the *criticality index* is the share of
iterations in which it has zero total float when late dates are computed back from that
iteration's own finish through the dependencies (deadlines and late constraint dates are left
out, so "critical" means "drives this finish"; a task with negative float because a hard
constraint overrides its dependencies counts as critical); finished tasks are never critical.
Its *sensitivity* is Spearman's rank correlation between its sampled duration (risk delays
included) and the finish; a task whose duration never varies has 0.

*Reproducibility.* The same network, seed, iteration count and distribution give identical
results: NumPy's PCG64 generator draws one row of uniforms per uncertain task, in task order,
then one per risk event. Both distributions read the same uniforms (common random numbers).

*Cost.* Durations are a float32 matrix of tasks × iterations (40 MB for 1,000 × 10,000); the
passes run on float64 blocks of about a million cells, one level of the network at a time.
"""

from clientpm.scheduling.montecarlo.engine import MonteCarloResult, monte_carlo
from clientpm.scheduling.montecarlo.inputs import (
    MAX_ITERATIONS,
    MIN_ITERATIONS,
    Distribution,
    Estimate,
    InputProblem,
    RiskEvent,
    SimulationInputError,
)
from clientpm.scheduling.montecarlo.risk import ScheduleRisk, SimulationSettings, TaskRisk, schedule_risk

__all__ = [
    "MAX_ITERATIONS",
    "MIN_ITERATIONS",
    "Distribution",
    "Estimate",
    "InputProblem",
    "MonteCarloResult",
    "RiskEvent",
    "ScheduleRisk",
    "SimulationInputError",
    "SimulationSettings",
    "TaskRisk",
    "monte_carlo",
    "schedule_risk",
]
