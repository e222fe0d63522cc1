"""Statistical disclosure control for the report's diffusion version: the threshold rule with
complementary cell suppression, as described in docs/statistical-disclosure.md.

A published report is a set of cells (whole numbers, each named by any hashable key) bound by
linear relations that a reader knows: a total row is the sum of the rows above it, présents are
inscrits minus absents plus walk-ins, a commune's présents are part of its département's, a row
of a table exists only when someone is counted in it… Cells below the threshold are hidden
(primary suppression); then other cells are hidden (complementary suppression) until, for every
hidden cell, what is published leaves it free: it can take another whole value, and a small one
can also be the threshold or more, so that nobody can tell from the published figures that it
is small, let alone what it is.

This module knows nothing of reports' tables: it takes cells and relations and returns the cells
to hide.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Hashable, Iterable

from ..documents.figures import SMALLEST_SHOWN

# The report's threshold: its captions say it (app/documents/figures.py).
THRESHOLD = SMALLEST_SHOWN

Cell = Hashable


@dataclass(frozen=True)
class Relation:
    """sum(coefficient × cell) == bound (`exact`) or >= bound, true of the real figures."""

    terms: tuple[tuple[Cell, int], ...]
    bound: int = 0
    exact: bool = True

    @property
    def cells(self) -> list[Cell]:
        return [cell for cell, _ in self.terms]


def total(parts: Iterable[Cell], whole: Cell) -> Relation:
    """`whole` is the sum of `parts`."""
    return Relation(tuple((part, 1) for part in parts) + ((whole, -1),))


def same(first: Cell, second: Cell) -> Relation:
    """The same figure shown in two places."""
    return Relation(((first, 1), (second, -1)))


def at_most(parts: Iterable[Cell], whole: Cell) -> Relation:
    """The sum of `parts` is at most `whole`."""
    return Relation(((whole, 1),) + tuple((part, -1) for part in parts), exact=False)


def at_least(parts: Iterable[Cell], bound: int) -> Relation:
    """The sum of `parts` is at least `bound` (a row shown only when someone is counted in it)."""
    return Relation(tuple((part, 1) for part in parts), bound, exact=False)


def is_small(value: int, threshold: int = THRESHOLD) -> bool:
    return 0 < value < threshold


def protect(values: dict[Cell, int], relations: list[Relation], threshold: int = THRESHOLD) -> set[Cell]:
    """The cells to hide: those below `threshold`, and enough others that none of them can be
    worked out from the cells left and the relations (see `is_protected`).

    Complements are chosen one at a time, for the first hidden cell left unprotected, among the
    published cells that share a relation with it: the smallest count first (zeros last: hiding
    one seldom helps), then the cell in the fewest relations (a detail cell before a total). If
    none shares a relation with it, the smallest published cell linked to it through other
    relations is taken.
    """
    unknown = {cell for relation in relations for cell in relation.cells} - values.keys()
    if unknown:  # a table's relations name a figure the report does not have: a mistake to see at once
        raise ValueError(f"Relations with unknown cells: {sorted(map(repr, unknown))[:3]}")
    touching: dict[Cell, list[Relation]] = defaultdict(list)
    for relation in relations:
        for cell in relation.cells:
            touching[cell].append(relation)
    hidden = {cell for cell, value in values.items() if is_small(value, threshold)}
    # Hiding more cells only widens what the others can be: a cell once protected stays so.
    waiting = sorted(hidden, key=lambda cell: (values[cell], repr(cell)))
    while waiting:
        cell = waiting[0]
        if is_protected(cell, values, hidden, touching, threshold):
            waiting.pop(0)
            continue
        complement = _complement(cell, values, hidden, touching)
        if complement is None:  # everything it is linked to is hidden already
            waiting.pop(0)
            continue
        hidden.add(complement)
        waiting.append(complement)
    return hidden


def _component(cell: Cell, touching: dict[Cell, list[Relation]]) -> tuple[set[Cell], list[Relation]]:
    """The cells linked to `cell` through relations, and those relations."""
    cells, relations, waiting = {cell}, [], [cell]
    seen: set[int] = set()
    while waiting:
        for relation in touching.get(waiting.pop(), []):
            if id(relation) in seen:
                continue
            seen.add(id(relation))
            relations.append(relation)
            for other in relation.cells:
                if other not in cells:
                    cells.add(other)
                    waiting.append(other)
    return cells, relations


def _bound(cell: Cell, values: dict[Cell, int], hidden: set[Cell], touching, maximise: bool) -> int | None:
    """The largest (or smallest) value `cell` can take given the published cells, or None when
    nothing bounds it."""
    from ortools.sat.python import cp_model  # heavy: loaded by the workers that make a diffusion version

    cells, relations = _component(cell, touching)
    ceiling = 10 * (sum(values[c] for c in cells) + THRESHOLD + 1)  # beyond any real figure
    model = cp_model.CpModel()
    variables = {c: model.NewIntVar(0, ceiling, "") if c in hidden else values[c] for c in cells}
    for relation in relations:
        expression = sum(coefficient * variables[c] for c, coefficient in relation.terms)
        model.Add(expression == relation.bound) if relation.exact else model.Add(expression >= relation.bound)
    (model.Maximize if maximise else model.Minimize)(variables[cell])
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    if solver.Solve(model) != cp_model.OPTIMAL:
        raise ValueError("Les relations données ne sont pas vérifiées par les chiffres.")
    found = round(solver.ObjectiveValue())
    return None if maximise and found == ceiling else found


def is_protected(cell: Cell, values: dict[Cell, int], hidden: set[Cell], touching, threshold: int = THRESHOLD) -> bool:
    """A hidden cell is protected when it can take another value than its own, and, if it is
    small, a value of at least `threshold`."""
    if not touching.get(cell):
        return True  # bound by nothing published: any whole number
    largest = _bound(cell, values, hidden, touching, maximise=True)
    value = values[cell]
    if largest is None or largest >= max(value + 1, threshold if is_small(value, threshold) else 0):
        return True
    return not is_small(value, threshold) and _bound(cell, values, hidden, touching, maximise=False) < value


def _complement(cell: Cell, values: dict[Cell, int], hidden: set[Cell], touching) -> Cell | None:
    def cost(candidate: Cell) -> tuple:
        # A hidden zero seldom lets a small count reach the threshold: the smallest other count first.
        return values[candidate] == 0, values[candidate], len(touching[candidate]), repr(candidate)

    near = {c for relation in touching[cell] for c in relation.cells} - hidden
    if not near:
        near = _component(cell, touching)[0] - hidden
    return min(near, key=cost, default=None)

