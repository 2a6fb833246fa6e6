"""Force generation: match pledged units to mission requirements with an exact optimizer.

``plan(scenario)`` checks the scenario (:mod:`.check`), builds the MILP (:mod:`.model`), solves
it with HiGHS in strict objective priority (:mod:`.solve`), explains each gap from the model
(:mod:`.explain`) and reports each stage's bound and gap and the greedy baseline
(:mod:`.greedy`) beside the plan, all within one time limit.
"""

from __future__ import annotations

from bluehelmet.forcegen.check import UnknownScenarioNameError, check_scenario
from bluehelmet.forcegen.costs import great_circle_km, reimbursement_rate, unit_cost
from bluehelmet.forcegen.greedy import greedy_assignments
from bluehelmet.forcegen.objectives import evaluate
from bluehelmet.forcegen.planner import plan
from bluehelmet.forcegen.report import plan_to_dict
from bluehelmet.forcegen.rules import arrival, exclusions
from bluehelmet.forcegen.scenario import demo_scenario, load_scenario, scenario_from_dict

__all__ = [
    "UnknownScenarioNameError",
    "arrival",
    "check_scenario",
    "demo_scenario",
    "evaluate",
    "exclusions",
    "great_circle_km",
    "greedy_assignments",
    "load_scenario",
    "plan",
    "plan_to_dict",
    "reimbursement_rate",
    "scenario_from_dict",
    "unit_cost",
]
