"""Dominated arcs: leaving them out changes no stage's optimal value (reference: full arcs)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from bluehelmet.forcegen import greedy_assignments, plan
from bluehelmet.forcegen.model import Index, build_arcs, create_model, reduce_arcs
from bluehelmet.forcegen.objectives import evaluate
from bluehelmet.forcegen.planner import assign_values, start_values
from bluehelmet.forcegen.solve import solve_model
from bluehelmet.testing import assert_plan_feasible, example, synthetic_scenario


def _crowded(seed: int):  # type: ignore[no-untyped-def]
    """Many pledges per contributor and unit type, so that some arcs are dominated."""
    return synthetic_scenario(
        contributors=9, missions=2, unit_types=5, pledges=90, seed=seed, scarce=seed % 3 == 0
    )


@pytest.mark.parametrize("seed", [1, 3, 5, 7, 9, 11, 13])
def test_reduced_model_has_the_reference_optimum_on_every_stage(seed: int) -> None:
    sc = _crowded(seed)
    index = Index.of(sc)
    arcs = build_arcs(index)
    kept, reduction = reduce_arcs(index, arcs)
    assert len(kept) < len(arcs)
    assert kept.pledge.size + reduction.removed.size == len(arcs)
    full = create_model(index, arcs)
    small = create_model(index, kept, reduction=reduction)
    greedy = greedy_assignments(sc)
    a = solve_model(full, mip_rel_gap=0.0, start=start_values(full, greedy))
    b = solve_model(small, mip_rel_gap=0.0, start=start_values(small, greedy))
    assert a.optimal
    assert b.optimal
    for ref, got in zip(a.stages, b.stages, strict=True):
        assert got.value == pytest.approx(ref.value, rel=1e-6, abs=1e-6), ref.name
    assert_plan_feasible(sc, assign_values(small, b.values))


@pytest.mark.parametrize("seed", [0, 2, 4, 6])
def test_a_plan_on_left_out_arcs_is_moved_onto_their_dominators(seed: int) -> None:
    sc = _crowded(seed)
    index = Index.of(sc)
    kept, reduction = reduce_arcs(index, build_arcs(index))
    model = create_model(index, kept, reduction=reduction)
    greedy = greedy_assignments(sc)
    start = start_values(model, greedy)
    assert start is not None
    assert model.feasible(start)
    moved = evaluate(sc, assign_values(model, start))
    before = evaluate(sc, greedy)
    assert moved.fill == before.fill
    assert moved.legitimacy >= before.legitimacy - 1e-9
    assert moved.cost <= before.cost + 1e-6


def test_only_an_arc_with_a_full_dominator_set_is_left_out() -> None:
    base = example("filled")
    (p1,) = base.pledges
    same = replace(p1, id="P2")
    better = replace(p1, id="P3", women_share=0.5)
    # one requirement of one unit: P1 (first) dominates the identical P2, which is left out
    index = Index.of(replace(base, pledges=(p1, same)))
    kept, reduction = reduce_arcs(index, build_arcs(index))
    assert kept.pledge.tolist() == [0]
    assert reduction.dominators[0].tolist() == [0]
    # a requirement of two units needs both one-unit pledges: nothing is left out
    two = replace(base.requirements[0], units=2)
    index = Index.of(replace(base, pledges=(p1, same), requirements=(two,)))
    kept, _ = reduce_arcs(index, build_arcs(index))
    assert kept.pledge.tolist() == [0, 1]
    # P3 brings more legitimacy (women's share): it is never left out for P1
    index = Index.of(replace(base, pledges=(p1, better)))
    kept, _ = reduce_arcs(index, build_arcs(index))
    assert 1 in kept.pledge.tolist()


def test_plan_keeps_every_arc_for_a_users_extra_constraints() -> None:
    sc = _crowded(1)
    seen: list[int] = []

    def hook(m):  # type: ignore[no-untyped-def]
        seen.append(len(m.arcs))
        assert m.reduction is None

    p = plan(sc, explain=False, extra_functionality=hook)
    assert seen == [len(build_arcs(Index.of(sc)))]
    assert_plan_feasible(sc, p)
    assert np.isfinite(p.quality.objective.fill)
