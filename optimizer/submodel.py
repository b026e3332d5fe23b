"""Small CP-SAT models cut out of a big one: the part of a roster that a search step may change.

Large-neighbourhood search frees a few (employee, day) cells and keeps the rest of the roster as
it is. Handing CP-SAT the whole model with most variables fixed makes it load and presolve
everything on every step, which dominates on big rosters. `ModelIndex` reads the full model once;
`ModelIndex.extract` then builds a model with only the freed variables, the helper variables
linked to them (penalties, counters, spreads) and the constraints they appear in, with every
other variable replaced by its value in the current roster. A solution of that model, written
back into the full value vector, is a solution of the full model.

Supported constraint types are the ones the roster model uses: linear, bool_or, bool_and,
at_most_one, exactly_one and lin_max, each optionally with enforcement literals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from optimizer.model import check_time

INT_MIN = -(2**63)
INT_MAX = 2**63 - 1
_INFINITE = 2**62
"""Domain ends beyond this are "unbounded" and are not shifted by constants."""

_BOOLEAN = (0, 1)

_READ_BATCH = 20_000
"""Constraints read between two looks at the clock."""

_LONG_ROW = 64
"""Linear rows with at least this many terms (hours over the horizon, shifts per type) are
folded with numpy; shorter ones faster in plain Python."""

LITERAL_KINDS = ("bool_or", "bool_and", "at_most_one", "exactly_one")


class UnsupportedModel(ValueError):
    """The model has a constraint type that sub-models cannot be cut from."""


@dataclass
class _Constraint:
    """One constraint as read from the full model (signed references, as CP-SAT stores them)."""

    kind: str
    terms: list[int]
    """Literals (bool_or, bool_and, at_most_one, exactly_one) or variables (linear)."""
    coeffs: list[int] | None = None
    domain: list[int] | None = None
    enforcement: list[int] | None = None
    lin_max: tuple[_Expr, list[_Expr]] | None = None
    arrays: tuple[np.ndarray, np.ndarray] | None = None
    """Variables and coefficients of a long linear row, for folding it with numpy."""


_Expr = tuple[list[int], list[int], int]
"""A linear expression: variables, coefficients, offset."""


@dataclass
class SubModel:
    """A cut-out model and where its variables sit in the full model."""

    model: cp_model.CpModel
    variables: np.ndarray
    """Full-model index of each sub-model variable, in sub-model order."""

    def merge(self, values: np.ndarray, sub_values: Iterable[int]) -> np.ndarray:
        """The full value vector `values` with the sub-model's solution written in."""
        merged = values.copy()
        merged[self.variables] = np.fromiter(sub_values, dtype=np.int64, count=len(self.variables))
        return merged


class ModelIndex:
    """The constraints of a CP-SAT model, which variables each mentions, and the reverse."""

    def __init__(
        self, proto, decision_variables: Iterable[int], deadline: float | None = None
    ) -> None:
        """Read `proto`; `decision_variables` are the assignment booleans (0/1 domains).

        Raises `OutOfTime` once `deadline` (a `time.monotonic()` instant) has passed: reading a
        year-long model takes seconds."""
        self.num_variables = len(proto.variables)
        self.is_decision = np.zeros(self.num_variables, dtype=bool)
        self.is_decision[np.fromiter(decision_variables, dtype=np.int64)] = True
        # Decision variables are booleans; only the helpers' domains need reading.
        self.domains = {
            int(i): list(proto.variables[int(i)].domain) for i in np.flatnonzero(~self.is_decision)
        }
        self.constraints = []
        for k, ct in enumerate(proto.constraints):
            if k % _READ_BATCH == 0:
                check_time(deadline)
            self.constraints.append(_read_constraint(ct))
        signed: list[int] = []
        counts: list[int] = []
        for constraint in self.constraints:
            mentioned = _mentioned(constraint)
            signed.extend(mentioned)
            counts.append(len(mentioned))
        refs = np.array(signed, dtype=np.int64)
        refs = np.where(refs < 0, -refs - 1, refs)
        owners = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
        self._vars_of = _compressed(owners, refs, len(self.constraints))
        self._constraints_of = _compressed(refs, owners, self.num_variables)
        self.objective = _read_objective(proto.objective)

    def closure(
        self, free: Iterable[int], depth: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The variables to leave free and the constraints to keep for freeing `free`.

        Helper (non-decision) variables in a kept constraint are freed too, and so on, up to
        `depth` links away from the freed decisions (None: all the way), so that the helpers
        the freed cells decide can change. Further helpers keep their values: every constraint
        on a freed variable is kept, so a sub-model solution is always one of the full model,
        and helpers far from the freed cells (a work day a month away, linked through a chain
        of runs) would only carry the whole horizon into every step.
        """
        freed = np.zeros(self.num_variables, dtype=bool)
        kept = np.zeros(len(self.constraints), dtype=bool)
        frontier = np.unique(np.fromiter(free, dtype=np.int64))
        freed[frontier] = True
        level = 0
        while len(frontier):
            touched = _distinct(_gather(*self._constraints_of, frontier), len(kept))
            touched = touched[~kept[touched]]
            kept[touched] = True
            if depth is not None and level == depth:
                break
            mentioned = _distinct(_gather(*self._vars_of, touched), self.num_variables)
            frontier = mentioned[~self.is_decision[mentioned] & ~freed[mentioned]]
            freed[frontier] = True
            level += 1
        return np.flatnonzero(freed), np.flatnonzero(kept)

    def extract(
        self, free: Iterable[int], values: np.ndarray, depth: int | None = None
    ) -> SubModel:
        """A model over `free` (plus linked helpers, see `closure`), everything else fixed to
        `values`."""
        variables, kept = self.closure(free, depth)
        model = cp_model.CpModel()
        proto = model.proto
        for index in variables.tolist():
            proto.variables.add().domain.extend(self.domains.get(index, _BOOLEAN))
        writer = _Writer(proto, variables, values)
        for c in kept.tolist():
            writer.write(self.constraints[c])
        _write_objective(proto, self.objective, variables)
        hint = proto.solution_hint
        hint.vars.extend(range(len(variables)))
        hint.values.extend(values[variables].tolist())
        return SubModel(model, variables)


def objective_of(index: ModelIndex, values: np.ndarray) -> int:
    """The full model's objective for a full value vector."""
    (vars_, coeffs, offset), scaling = index.objective
    total = offset + int(np.dot(np.asarray(coeffs, np.int64), values[np.asarray(vars_, np.int64)]))
    return round(total * scaling)


# -- reading the full model -------------------------------------------------------------------
def _var(ref: int) -> int:
    return ref if ref >= 0 else -ref - 1


def _read_linear(vars_, coeffs, offset: int = 0) -> _Expr:
    """A linear expression over variables, with negated references turned into (1 - x)."""
    vars_, coeffs = list(vars_), list(coeffs)
    if not vars_ or min(vars_) >= 0:
        return vars_, coeffs, offset
    out_vars, out_coeffs = [], []
    for ref, coeff in zip(vars_, coeffs, strict=True):
        if ref < 0:
            offset += coeff
            ref, coeff = -ref - 1, -coeff
        out_vars.append(ref)
        out_coeffs.append(coeff)
    return out_vars, out_coeffs, offset


def _read_constraint(ct) -> _Constraint:
    enforcement = list(ct.enforcement_literal) or None
    if ct.has_at_most_one():  # the most common by far: rest and one shift a day
        return _Constraint("at_most_one", list(ct.at_most_one.literals), enforcement=enforcement)
    for kind in LITERAL_KINDS:
        if getattr(ct, f"has_{kind}")():
            return _Constraint(kind, list(getattr(ct, kind).literals), enforcement=enforcement)
    if ct.has_linear():
        vars_, coeffs, offset = _read_linear(ct.linear.vars, ct.linear.coeffs)
        domain = [_shift(bound, -offset) for bound in ct.linear.domain]
        arrays = None
        if len(vars_) >= _LONG_ROW:
            arrays = (np.array(vars_, dtype=np.int64), np.array(coeffs, dtype=np.int64))
        return _Constraint("linear", vars_, coeffs, domain, enforcement, arrays=arrays)
    if ct.has_lin_max():
        target = ct.lin_max.target
        exprs = [_read_linear(e.vars, e.coeffs, e.offset) for e in ct.lin_max.exprs]
        lin_max = (_read_linear(target.vars, target.coeffs, target.offset), exprs)
        return _Constraint("lin_max", [], enforcement=enforcement, lin_max=lin_max)
    raise UnsupportedModel(f"constraint type not supported in sub-models: {ct}")


def _mentioned(c: _Constraint) -> list[int]:
    """The references a constraint mentions (signed: -v-1 stands for variable v)."""
    if not c.enforcement and not c.lin_max:
        return c.terms
    refs = c.terms + (c.enforcement or [])
    if c.lin_max:
        target, exprs = c.lin_max
        refs = refs + target[0] + [v for e in exprs for v in e[0]]
    return refs


def _compressed(
    rows: np.ndarray, columns: np.ndarray, num_rows: int
) -> tuple[np.ndarray, np.ndarray]:
    """Compressed rows: (row starts, columns in row order) of the pairs (rows[i], columns[i])."""
    order = np.argsort(rows, kind="stable")
    counts = np.bincount(rows, minlength=num_rows)
    starts = np.zeros(num_rows + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    return starts, columns[order]


def _gather(starts: np.ndarray, columns: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The columns of all `rows`, concatenated."""
    lengths = starts[rows + 1] - starts[rows]
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    shifts = np.repeat(starts[rows] - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    return columns[np.arange(total) + shifts]


def _distinct(indices: np.ndarray, size: int) -> np.ndarray:
    """The distinct values of `indices` (all in range(size)), sorted: a mask is linear where
    sorting is not, and the gathered lists are long (every term of every touched row)."""
    if len(indices) < 4096:
        return np.unique(indices)
    mask = np.zeros(size, dtype=bool)
    mask[indices] = True
    return np.flatnonzero(mask)


def _read_objective(objective) -> tuple[_Expr, float]:
    expr = _read_linear(objective.vars, objective.coeffs, 0)
    return (expr[0], expr[1], expr[2] + objective.offset), objective.scaling_factor or 1.0


# -- writing the sub-model --------------------------------------------------------------------
class _Writer:
    """Writes constraints into a sub-model, folding fixed variables into constants."""

    def __init__(self, proto, variables: np.ndarray, values: np.ndarray) -> None:
        self.proto = proto
        self.local = dict(zip(variables.tolist(), range(len(variables)), strict=True))
        self.local_of = np.full(len(values), -1, dtype=np.int64)
        self.local_of[variables] = np.arange(len(variables))
        self.values_array = values
        self.values = values.tolist()

    def _split(self, literals: list[int]) -> tuple[list[int], int]:
        """(free literals in sub-model references, number of fixed literals that are true)."""
        free, true = [], 0
        local, values = self.local, self.values
        for literal in literals:
            if literal >= 0:
                mapped = local.get(literal)
                if mapped is None:
                    true += values[literal]
                else:
                    free.append(mapped)
            else:
                mapped = local.get(-literal - 1)
                if mapped is None:
                    true += 1 - values[-literal - 1]
                else:
                    free.append(-mapped - 1)
        return free, true

    def _expr(self, vars_: list[int], coeffs: list[int], offset: int) -> _Expr:
        out_vars, out_coeffs = [], []
        local, values = self.local, self.values
        for var, coeff in zip(vars_, coeffs, strict=True):
            mapped = local.get(var)
            if mapped is None:
                offset += coeff * values[var]
            else:
                out_vars.append(mapped)
                out_coeffs.append(coeff)
        return out_vars, out_coeffs, offset

    def write(self, c: _Constraint) -> None:
        enforcement: list[int] = []
        if c.enforcement:
            enforcement, true = self._split(c.enforcement)
            if true < len(c.enforcement) - len(enforcement):
                return  # a fixed enforcement literal is false: the constraint is off
        getattr(self, f"_write_{c.kind}")(c, enforcement)

    def _new(self, enforcement: list[int]):
        ct = self.proto.constraints.add()
        if enforcement:
            ct.enforcement_literal.extend(enforcement)
        return ct

    def _long_expr(self, arrays: tuple[np.ndarray, np.ndarray]) -> _Expr:
        vars_, coeffs = arrays
        local = self.local_of[vars_]
        inside = local >= 0
        fixed = ~inside
        constant = int(np.dot(coeffs[fixed], self.values_array[vars_[fixed]]))
        return local[inside].tolist(), coeffs[inside].tolist(), constant

    def _write_linear(self, c: _Constraint, enforcement: list[int]) -> None:
        if c.arrays is not None:
            vars_, coeffs, constant = self._long_expr(c.arrays)
        else:
            vars_, coeffs, constant = self._expr(c.terms, c.coeffs, 0)
        domain = [_shift(bound, -constant) for bound in c.domain]
        if not vars_ and _in_domain(0, domain):
            return  # holds whatever the sub-model does (a row that cannot hold stays, empty)
        ct = self._new(enforcement)
        ct.linear.vars.extend(vars_)
        ct.linear.coeffs.extend(coeffs)
        ct.linear.domain.extend(domain)

    def _write_lin_max(self, c: _Constraint, enforcement: list[int]) -> None:
        target, exprs = c.lin_max
        ct = self._new(enforcement)
        _fill_expr(ct.lin_max.target, *self._expr(*target))
        for expr in exprs:
            _fill_expr(ct.lin_max.exprs.add(), *self._expr(*expr))

    def _write_bool_or(self, c: _Constraint, enforcement: list[int]) -> None:
        free, true = self._split(c.terms)
        if true:
            return
        self._new(enforcement).bool_or.literals.extend(free)

    def _write_bool_and(self, c: _Constraint, enforcement: list[int]) -> None:
        free, true = self._split(c.terms)
        ct = self._new(enforcement)
        if len(free) + true < len(c.terms):  # a fixed literal is false: the row cannot hold
            ct.bool_or.literals.extend([])  # an empty clause, false whenever enforced
            return
        ct.bool_and.literals.extend(free)

    def _write_at_most_one(self, c: _Constraint, enforcement: list[int]) -> None:
        free, true = self._split(c.terms)
        self._write_count(free, 0, 1 - true, enforcement)

    def _write_exactly_one(self, c: _Constraint, enforcement: list[int]) -> None:
        free, true = self._split(c.terms)
        self._write_count(free, 1 - true, 1 - true, enforcement)

    def _write_count(self, free: list[int], low: int, high: int, enforcement: list[int]) -> None:
        """low <= number of true `free` literals <= high."""
        if low <= 0 and high >= len(free):
            return  # holds whatever the sub-model does
        ct = self._new(enforcement)
        if low <= 0 and high == 1:
            ct.at_most_one.literals.extend(free)
            return
        if low == 1 and high == 1:
            ct.exactly_one.literals.extend(free)
            return
        vars_, coeffs, offset = [], [], 0
        for literal in free:
            if literal >= 0:
                vars_.append(literal)
                coeffs.append(1)
            else:
                vars_.append(-literal - 1)
                coeffs.append(-1)
                offset += 1
        ct.linear.vars.extend(vars_)
        ct.linear.coeffs.extend(coeffs)
        ct.linear.domain.extend([low - offset, high - offset])


def _fill_expr(target, vars_: list[int], coeffs: list[int], offset: int) -> None:
    target.vars.extend(vars_)
    target.coeffs.extend(coeffs)
    target.offset = offset


def _write_objective(proto, objective: tuple[_Expr, float], variables: np.ndarray) -> None:
    """The objective's terms over the sub-model's variables (the rest are constants)."""
    (vars_, coeffs, _), scaling = objective
    full = np.asarray(vars_, dtype=np.int64)
    position = np.searchsorted(variables, full)
    inside = position < len(variables)
    inside[inside] = variables[position[inside]] == full[inside]
    objective_proto = proto.objective
    objective_proto.vars.extend(position[inside].tolist())
    objective_proto.coeffs.extend(np.asarray(coeffs, dtype=np.int64)[inside].tolist())
    if scaling != 1.0:
        objective_proto.scaling_factor = scaling


def _shift(bound: int, delta: int) -> int:
    if bound <= -_INFINITE:
        return INT_MIN
    if bound >= _INFINITE:
        return INT_MAX
    return min(INT_MAX, max(INT_MIN, bound + delta))


def _in_domain(value: int, domain: list[int]) -> bool:
    return any(lo <= value <= hi for lo, hi in zip(domain[::2], domain[1::2], strict=True))
