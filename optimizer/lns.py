"""Large-neighbourhood search on top of CP-SAT, for rosters too big for one CP-SAT call.

After a CP-SAT start, each step frees part of the incumbent roster, a window of days for a group
of employees, or whole schedules of a few employees, keeps everything else, and lets CP-SAT
re-optimise the freed part, warm-started from the incumbent. Each step solves a small model cut
out of the full one (see `optimizer.submodel`), so its cost follows the size of the freed part,
not of the roster. The neighbourhood size adapts: it
grows while sub-problems are solved to optimality without improvement and shrinks when they time
out. Quality keeps improving with time on big instances, where one CP-SAT call stalls.
Between rounds of steps run best responses (`BestResponses`) and, where the search stops gaining
and weekends are capped, whole schedules of the people on half weekends planned again together
(`HalfWeekendReplan`).
"""

from __future__ import annotations

import itertools
import logging
import random
import time
from collections.abc import Collection
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from ortools.sat.python import cp_model

from optimizer import bounds, submodel
from optimizer.construct import ScheduleImprover, as_assignments, greedy_roster
from optimizer.model import OutOfTime, RosterModel
from optimizer.schema import SolverSettings
from optimizer.validator import validate

if TYPE_CHECKING:
    from optimizer.solver import Incumbent, _Reporter, _StopWatcher

_logger = logging.getLogger(__name__)

START_SHARE = 0.05
"""Share of the time limit given to the first, full-model CP-SAT call (at least until it finds
a roster)."""
FULL_SEARCH_MAX_VARIABLES = 100_000
"""Above this many assignment variables, LNS starts from the first roster without the
full-model CP-SAT call: loading the model takes that call's whole share of the time (Timefold
xl, 289k variables; a year-long roster, 785k) and it finds nothing better."""
REPAIR_SHARE = 0.2
"""Longest share of the time limit that re-planning the employees the greedy failed may take."""
REPAIR_GROUP = 1
"""Employees re-planned together when the greedy roster breaks their rules."""
MIN_SEARCH_SHARE = 0.1
"""Share of the time limit that must be left to start a search of the full model for a first
roster."""
MIN_LNS_SECONDS = 1.0
"""Time that must be left once the model is read for LNS to start at all."""
STEP_SECONDS = 1.0
"""Time limit of one neighbourhood solve, to start with and at least. Sub-models of the
sizes the steps settle on often need more than half a second to find the better roster their
bound already shows (Instance13: 4 seeds at 60 s, median 2,128 at 1 s against 2,280 at 0.5 s;
2 s steps do worse)."""
STALL_STEPS = 32
"""LNS has stalled (see `improve`'s `stall`) only once this many steps in a row found nothing
better, as well as the stall's seconds. A stall in seconds alone holds half as many steps
since steps got 1 s instead of 0.5 s: Instance8 at 60 s (seed 0) then handed a roster of 1,504
to branch and price after 9 s without a better one, and ended at 1,504 and 1,537 in two runs
(1,309 in a third that did not stall); with 32 steps it went on to 1,316 (seeds 1 and 2: 1,403
and 1,311, against 1,420 and 1,306). Instances 5, 6, 7 and 10 were still proven optimal."""
MAX_STEP_SECONDS = 8.0
"""Longest a neighbourhood solve may get when shorter ones find nothing."""
RESPONSE_SHARE = 0.05
"""Longest share of the time limit for one round of best responses during the search."""
RESPONSE_RATIO = 4.0
"""Between rounds of best responses, LNS runs this many times as long as the last round took
when both improved the roster at the same rate per second; in proportion to its rate against
theirs otherwise (from half as long to 64 times), and twice as long again for each round in a
row that found nothing."""
EMPLOYEES_MAX_VARIABLES = 4_000
"""Most assignment variables two whole schedules may hold for "employees" steps to run: on
long, wide problems (the synthetic year of 150 staff and 32 shift types: about 10,500) the
sub-models of whole schedules are too slow for a step and the other kinds do better."""
INFINITE_MINUTES = 2**40
"""Most minutes of someone without a maximum."""
REPLAN_AFTER = 5.0
"""Seconds without progress (REPLAN_PROGRESS) before LNS plans again, together, the whole
schedules of the people who work only part of a weekend (see `HalfWeekendReplan`)."""
REPLAN_PROGRESS = 0.005
"""Least share of the objective a better roster must gain to count as progress there: steps
that trim a wish or two go on for long after the search is stuck at one person short."""
REPLAN_SECONDS = 8.0
"""Longest time of one such step."""
REPLAN_MAX_VARIABLES = 4_000
"""Most assignment variables such a step frees to start with: where more people work half
weekends, each worker frees a sample of them that fits (Instance13, 26 people, 8,700 variables:
nothing better in 15 s). A step that runs out of time without a better roster shrinks the
next one's sample by REPLAN_SHRINK."""
REPLAN_SHRINK = 0.7
HELPER_DEPTH = 3
"""How many links of helper variables (work days, weekends, runs, penalties) away from the
freed cells a step frees too (see `submodel.ModelIndex.closure`)."""


@dataclass
class Neighbourhood:
    """The (employee, day) cells a step frees."""

    name: str
    cells: set[tuple[int, int]]


class NeighbourhoodPicker:
    """Chooses what to free next, adapting each kind's size to how its sub-problems fare.

    Kinds: "days" frees everyone over a short run of days; "window" a group of employees over a
    block of days; "employees" the whole schedules of a few people; "penalised" a block of days
    around a cell where the roster pays (a missed wish, an unwanted shift), for its employee and
    a group of colleagues; "cover" a block of days around a shift left short, for people who
    could work it and a few colleagues (filling a short shift usually means someone gives up a
    day elsewhere, and someone else takes that one); "able" everyone who could work a shift left
    short, over as many days around it as the kind's size allows (up to two weeks: the chain
    of people handing days on that fills it runs mostly through them, and a sample of them
    misses the chain); "split" the weekends, each with the Friday
    and Monday around it, of a few weeks around a weekend shift left short, for people who work
    only part of one of those weekends, people who could work the short shift and colleagues,
    and the whole window for a few people with hours to spare (where worked weekends are capped,
    two half-worked weekends merged into one give someone a weekend to work where cover is
    short, who gives up a weekday shift that someone with hours to spare takes over: a change
    across many people's weekends and few of their weekdays, which no block of days or group of
    people holds); "guided", where column generation ran, a block of days around a cell where
    the incumbent departs from the master LP's fractional roster, for the people departing
    from it most over those days (where the LP bound is tight, the LP's roster shows what the
    best one looks like: on Instance12 at 60 s, 7 of 8 seeds came within 1% of the best known
    with these steps, 3 of 8 without them). Half the day-based picks are anchored on a "hot"
    day, one where the incumbent pays for cover. Kinds are drawn in proportion to their recent
    success (adaptive operator selection), so the search leans on whatever works for the
    instance at hand.
    """

    KINDS = ("days", "window", "employees", "penalised", "cover", "able", "split", "guided")

    def __init__(self, m: RosterModel, rng: random.Random) -> None:
        self.rng = rng
        self.num_employees = len(m.employees)
        self.num_days = m.num_days
        self.max_size = self.num_employees * self.num_days
        start = min(self.max_size, 8 * max(14, min(self.num_days, 28)))
        self.size = dict.fromkeys(self.KINDS, start)
        self.score = dict.fromkeys(self.KINDS, 1.0)
        if 2 * len(m.x) > EMPLOYEES_MAX_VARIABLES * self.num_employees:
            self.score["employees"] = 0.0
        self.hot_days: list[int] = []
        self.hot_cells: list[tuple[int, int]] = []
        self.hot_weights: list[float] = []
        self.short_shifts: list[tuple[int, list[int]]] = []
        self.split_weekends: list[tuple[list[int], list[int]]] = []
        self.short_weekend_shifts: list[tuple[int, list[int]]] = []
        self.with_room: list[int] = []
        self.departures: np.ndarray | None = None
        """How far the incumbent departs from the LP's roster, by (employee, day)."""

    def pick(self) -> Neighbourhood:
        available = {
            "penalised": bool(self.hot_cells),
            "cover": bool(self.short_shifts),
            "able": bool(self.short_shifts),
            "split": bool(self.split_weekends and self.short_weekend_shifts),
            "guided": self.departures is not None and bool(self.departures.any()),
        }
        kinds = [k for k in self.KINDS if self.score[k] > 0 and available.get(k, True)]
        kind = self.rng.choices(kinds, weights=[self.score[k] + 0.05 for k in kinds])[0]
        return getattr(self, f"_{kind}")()

    def _start_day(self, length: int) -> int:
        last_start = self.num_days - length
        if self.hot_days and self.rng.random() < 0.5:
            hot = self.rng.choice(self.hot_days)
            return self.rng.randint(max(0, hot - length + 1), min(hot, last_start))
        return self.rng.randint(0, last_start)

    def _start_around(self, day: int, length: int) -> int:
        """A random first day of a block of `length` days that holds `day`."""
        return self.rng.randint(max(0, day - length + 1), min(day, self.num_days - length))

    def _cells(self, name: str, group, start: int, length: int) -> Neighbourhood:
        return Neighbourhood(name, {(e, d) for e in group for d in range(start, start + length)})

    def _window(self) -> Neighbourhood:
        length = min(self.num_days, self.rng.choice((7, 7, 14, 21, 28)))
        people = max(2, min(self.num_employees, self.size["window"] // length))
        group = self.rng.sample(range(self.num_employees), people)
        return self._cells("window", group, self._start_day(length), length)

    def _employees(self) -> Neighbourhood:
        people = max(2, min(self.num_employees, self.size["employees"] // self.num_days))
        group = self.rng.sample(range(self.num_employees), people)
        return self._cells("employees", group, 0, self.num_days)

    def _penalised(self) -> Neighbourhood:
        employee, day = self.rng.choices(self.hot_cells, weights=self.hot_weights)[0]
        length = min(self.num_days, self.rng.choice((3, 7, 7, 14)))
        people = max(2, min(self.num_employees, self.size["penalised"] // length))
        others = [e for e in range(self.num_employees) if e != employee]
        group = [employee, *self.rng.sample(others, min(len(others), people - 1))]
        start = self._start_around(day, length)
        return self._cells("penalised", group, start, length)

    def _cover(self) -> Neighbourhood:
        day, able = self.rng.choice(self.short_shifts)
        length = min(self.num_days, self.rng.choice((7, 7, 14)))
        people = max(2, min(self.num_employees, self.size["cover"] // length))
        group = self.rng.sample(able, min(len(able), max(1, 2 * people // 3)))
        chosen = set(group)
        others = [e for e in range(self.num_employees) if e not in chosen]
        group += self.rng.sample(others, min(len(others), people - len(group)))
        start = self._start_around(day, length)
        return self._cells("cover", group, start, length)

    def _able(self) -> Neighbourhood:
        day, able = self.rng.choice(self.short_shifts)
        # the size sets the days (two at least, two weeks at most), never the people
        length = max(2, min(self.num_days, 14, self.size["able"] // max(1, len(able))))
        return self._cells("able", able, self._start_around(day, length), length)

    def _split(self) -> Neighbourhood:
        day, able = self.rng.choice(self.short_weekend_shifts)
        length = min(self.num_days, self.rng.choice((14, 28, 28)))
        start = self._start_around(day, length)
        weekends = [
            (days, people)
            for days, people in self.split_weekends
            if start <= days[0] and days[-1] < start + length
        ]
        around = {d for days, _ in weekends for d in range(days[0] - 1, days[-1] + 2)}
        days = around | {day - 1, day, day + 1}
        days = sorted(d for d in days if 0 <= d < self.num_days)
        people = max(3, min(self.num_employees, self.size["split"] // len(days)))
        split = sorted({e for _, workers in weekends for e in workers})
        group = self._group([(split, people // 2), (able, max(1, people // 4))], people)
        room = [e for e in self.with_room if e not in group]
        room = self.rng.sample(room, min(len(room), max(1, people // 4)))
        window = range(start, start + length)
        return Neighbourhood(
            "split", {(e, d) for e in group for d in days} | {(e, d) for e in room for d in window}
        )

    def _guided(self) -> Neighbourhood:
        departures = self.departures
        cell = self.rng.choices(range(departures.size), weights=departures.ravel().tolist())[0]
        employee, day = divmod(cell, self.num_days)
        length = min(self.num_days, self.rng.choice((7, 7, 14)))
        start = self._start_around(day, length)
        people = max(2, min(self.num_employees, self.size["guided"] // length))
        weights = departures[:, start : start + length].sum(axis=1)
        keys = [
            (self.rng.random() ** (1.0 / w) if w > 0 else 0.0, e)
            for e, w in enumerate(weights.tolist())
            if e != employee
        ]
        others = [e for _, e in sorted(keys, reverse=True)[: people - 1]]
        return self._cells("guided", [employee, *others], start, length)

    def _group(self, pools: list[tuple[list[int], int]], size: int) -> list[int]:
        """Up to the given number of people from each pool in turn, then colleagues up to
        `size` (at least one)."""
        group: list[int] = []
        for pool, wanted in pools:
            left = [e for e in pool if e not in group]
            group += self.rng.sample(left, min(len(left), wanted))
        others = [e for e in range(self.num_employees) if e not in group]
        return group + self.rng.sample(others, min(len(others), max(1, size - len(group))))

    def _days(self) -> Neighbourhood:
        length = max(2, min(self.num_days, self.size["days"] // self.num_employees))
        return self._cells("days", range(self.num_employees), self._start_day(length), length)

    def feedback(self, kind: str, solved_optimally: bool, improved: bool) -> None:
        reward = 1.0 if improved else 0.1 if solved_optimally else 0.0
        self.score[kind] = 0.9 * self.score[kind] + 0.1 * reward
        size = self.size[kind]
        if solved_optimally and not improved:
            size = int(size * 1.1) + 1
        elif not solved_optimally:
            size = int(size * 0.9)
        self.size[kind] = max(4, min(self.max_size, size))


def improve(
    m: RosterModel,
    settings: SolverSettings,
    started: float,
    reporter: _Reporter,
    stop: _StopWatcher,
    start: Incumbent | None = None,
    greedy: set[tuple[int, int, int]] | None = None,
    greedy_objective: int | None = None,
    stall: float | None = None,
    guide: np.ndarray | None = None,
) -> tuple[str, Incumbent | None]:
    """Run a CP-SAT start, then LNS steps until the time limit; return (status, incumbent).

    A `start` roster (another method's result, as a full value vector) replaces the CP-SAT start;
    `greedy` is the constructed roster if the caller has already built it, `greedy_objective`
    its objective if the validator found that it keeps every hard rule. With `stall` (seconds),
    LNS stops early once that long, and STALL_STEPS steps, pass without a better roster.
    `guide` (a fractional value for each model variable: the master LP's roster) adds the
    "guided" steps.

    Each round solves one neighbourhood per worker, in parallel threads on private copies of the
    model (CP-SAT releases the GIL), single-threaded with the stronger LP relaxation, which
    proves small sub-problems optimal far faster than a multi-worker portfolio.
    """
    deadline = started + settings.time_limit
    pool = ThreadPoolExecutor(max_workers=max(2, settings.workers))
    # Reading the model for sub-models runs while CP-SAT looks for the start roster.
    indexing = pool.submit(_index, m, deadline)
    try:
        if start is None:
            status, incumbent = _start(
                m, settings, deadline, reporter, stop, greedy, indexing, greedy_objective
            )
        else:
            status, incumbent = "feasible", start
        if incumbent is None or status == "optimal":
            return status, incumbent
        index = indexing.result()
        if index is None or deadline - time.monotonic() < MIN_LNS_SECONDS:
            return status, incumbent
        completed = _complete(index, incumbent, settings, deadline)
        if completed is None:  # out of time, or the start breaks the model: no step can run
            _logger.warning("could not complete the start roster: LNS skipped")
            return status, incumbent
        incumbent = completed
        _logger.info("%.1fs LNS starts from %d", time.monotonic() - started, incumbent.objective)
        return _search(m, index, incumbent, settings, deadline, reporter, stop, pool, stall, guide)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _index(m: RosterModel, deadline: float) -> submodel.ModelIndex | None:
    """The model read for sub-models; None if it cannot be cut into them or reading it would
    run past `deadline` (LNS is then skipped)."""
    started = time.monotonic()
    decisions = (var.index for var in m.x.values())
    try:
        index = submodel.ModelIndex(m.model.proto, decisions, deadline)
    except submodel.UnsupportedModel:
        _logger.warning("LNS skipped: the model cannot be cut into sub-models", exc_info=True)
        return None
    except OutOfTime:
        _logger.warning("LNS skipped: no time left to read the model for sub-models")
        return None
    _logger.info("model read for sub-models in %.1fs", time.monotonic() - started)
    return index


def _search(
    m: RosterModel,
    index: submodel.ModelIndex,
    incumbent: Incumbent,
    settings: SolverSettings,
    deadline: float,
    reporter: _Reporter,
    stop: _StopWatcher,
    pool: ThreadPoolExecutor,
    stall: float | None = None,
    guide: np.ndarray | None = None,
) -> tuple[str, Incumbent]:
    """LNS steps until the deadline (or a stall: see `_stalled`),
    `settings.workers` neighbourhoods at a time."""
    cells = _variables_by_cell(m)
    regrets = CellRegrets(index, cells)
    shortage = ShortShifts(m)
    split = SplitWeekends(m, cells)
    responses = BestResponses(m, index, settings)
    replan = HalfWeekendReplan(cells, m.num_days, split.weekends)
    departures = None if guide is None else Departures(m, cells, guide)
    workers = settings.workers
    incumbent.bound = bounds.with_floor(incumbent.bound, reporter.floor)
    picker = NeighbourhoodPicker(m, random.Random(settings.seed))
    steps = improvements = 0
    step_seconds = STEP_SECONDS
    overrun = 0.0  # how far rounds run past their limit (loading big sub-models): a decaying max
    improved_at = time.monotonic()
    improved_step = 0

    def take(better: Incumbent | None) -> None:
        """Make `better` (if any) the incumbent and report it."""
        nonlocal incumbent, improvements, improved_at, improved_step
        if better is None:
            return
        improvements += 1
        improved_at = time.monotonic()
        improved_step = steps
        if better.bound is None:
            better.bound = incumbent.bound
        incumbent = better
        reporter.report(incumbent.values, incumbent.objective, incumbent.bound)

    while not stop.stopped:
        if _stalled(stall, time.monotonic() - improved_at, steps - improved_step):
            break
        remaining = deadline - time.monotonic() - overrun
        if remaining < 0.05:
            break
        limit = min(step_seconds, remaining)
        round_started = time.monotonic()
        seed = settings.seed + steps
        picker.hot_days = _hot_days(m, incumbent.values)
        picker.hot_cells, picker.hot_weights = regrets.hot_cells(incumbent.values)
        picker.short_shifts = shortage.short_shifts(incumbent.values)
        picker.split_weekends = split.split(incumbent.values)
        if picker.split_weekends:
            picker.with_room = split.with_room(incumbent.values)
        picker.short_weekend_shifts = [
            (day, able) for day, able in picker.short_shifts if day in split.weekend_day
        ]
        if departures is not None:
            picker.departures = departures.of(incumbent.values)
        hoods = [picker.pick() for _ in range(workers)]
        results = _solve_round(pool, index, cells, hoods, incumbent.values, limit, stop, seed)
        overrun = max(0.5 * overrun, time.monotonic() - round_started - limit)
        steps += len(results)
        step_seconds = _next_step_seconds(step_seconds, results)
        for hood, (optimal, candidate) in zip(hoods, results, strict=True):
            improved = candidate is not None and candidate.objective < incumbent.objective
            picker.feedback(hood.name, optimal, improved)
            _logger.debug(
                "step %s size %d free %d optimal %s obj %s",
                hood.name,
                picker.size[hood.name],
                len(hood.cells),
                optimal,
                candidate.objective if candidate else None,
            )
        take(_best(incumbent, results))
        if incumbent.bound is not None and incumbent.objective <= incumbent.bound:
            break
        if responses.due() and deadline - time.monotonic() > 1.0 + responses.overhead:
            take(responses.run(incumbent, deadline))
        now = time.monotonic()
        if replan.due(now, incumbent.objective) and deadline - now - overrun > 1.0:
            halves = split.split(incumbent.values)
            room = split.with_room(incumbent.values) if halves else []
            hoods = replan.hoods(halves, room, workers, picker.rng)
            limit = min(REPLAN_SECONDS, deadline - now - overrun)
            if hoods:
                seed = settings.seed + steps
                steps += len(hoods)
                take(_replan_round(replan, pool, index, cells, hoods, incumbent, limit, stop, seed))
    _logger.info("LNS: %d steps, %d improvements, sizes %s", steps, improvements, picker.size)
    proven = incumbent.bound is not None and incumbent.objective <= incumbent.bound
    status = "optimal" if proven else "feasible"
    return status, incumbent


def _replan_round(
    replan: HalfWeekendReplan,
    pool: ThreadPoolExecutor,
    index: submodel.ModelIndex,
    cells: dict[tuple[int, int], list[int]],
    hoods: list[Neighbourhood],
    incumbent: Incumbent,
    limit: float,
    stop: _StopWatcher,
    seed: int,
) -> Incumbent | None:
    """A round of `replan`'s neighbourhoods; its better roster, or None."""
    started = time.monotonic()
    results = _solve_round(pool, index, cells, hoods, incumbent.values, limit, stop, seed)
    better = _best(incumbent, results)
    solved = all(optimal for optimal, _ in results)
    took = time.monotonic() - started
    replan.feedback(better is not None, solved, took, time.monotonic())
    _logger.info(
        "half weekends planned again in %.1fs: %s",
        took,
        better.objective if better else "no better roster",
    )
    return better


def _solve_round(
    pool: ThreadPoolExecutor,
    index: submodel.ModelIndex,
    cells: dict[tuple[int, int], list[int]],
    hoods: list[Neighbourhood],
    values: np.ndarray,
    limit: float,
    stop: _StopWatcher,
    seed: int,
) -> list[tuple[bool, Incumbent | None]]:
    """Each neighbourhood solved (`_solve_neighbourhood`) in its own thread, all at once."""
    jobs = [
        pool.submit(_solve_neighbourhood, index, cells, hood, values, limit, stop, seed=seed + i)
        for i, hood in enumerate(hoods)
    ]
    return [job.result() for job in jobs]


def _best(incumbent: Incumbent, results: list[tuple[bool, Incumbent | None]]) -> Incumbent | None:
    """The best roster of a round's `results` if it beats `incumbent`, else None."""
    found = [c for _, c in results if c is not None and c.objective < incumbent.objective]
    return min(found, key=lambda c: c.objective, default=None)


def _stalled(stall: float | None, seconds: float, steps: int) -> bool:
    """Whether `seconds` and `steps` without a better roster make a stall (never without a
    `stall` time)."""
    return stall is not None and seconds > stall and steps >= STALL_STEPS


class BestResponses:
    """Rounds of best responses, re-matched days and block swaps between LNS rounds (see
    `construct.ScheduleImprover`): each employee planned again over the whole horizon against
    everyone else, which windows of days cannot do on long horizons, and moves by assignment
    over all employees at once, which sub-models that wide cannot settle in a step. Only on
    problems where these moves score the objective exactly; a round's roster is taken when the
    full model's objective says it is better."""

    def __init__(self, m: RosterModel, index: submodel.ModelIndex, settings: SolverSettings):
        self.m, self.index = m, index
        self.improver = ScheduleImprover(m)
        self.budget = RESPONSE_SHARE * settings.time_limit
        self.rng = random.Random(settings.seed)
        self.wait = 0.0
        self.failures = 0
        self.last = time.monotonic()
        self.after: int | None = None  # the objective when the last round ended
        self.overhead = 0.0
        """Time a round keeps before the deadline: 1.5 times the last write-back, plus how far
        its planning ran past the time it was given."""
        self.decisions = np.fromiter((v.index for v in m.x.values()), dtype=np.int64)
        self.keys = list(m.x)

    def due(self) -> bool:
        return self.improver.active and time.monotonic() - self.last >= self.wait

    def run(self, incumbent: Incumbent, deadline: float) -> Incumbent | None:
        """One round from the incumbent; the better roster, or None."""
        from optimizer.solver import Incumbent

        started = time.monotonic()
        values = np.asarray(incumbent.values, dtype=np.int64)
        chosen = {self.keys[i] for i in np.flatnonzero(values[self.decisions])}
        until = min(started + self.budget, deadline - 0.5 - self.overhead)
        better = self.improver.improve(chosen, until, self.rng)
        found = None
        if better != chosen:
            writing = time.monotonic()
            merged = self._with_roster(values, better, deadline)
            self.overhead = 1.5 * (time.monotonic() - writing) + max(0.0, writing - until)
            if merged is not None:
                objective = submodel.objective_of(self.index, merged)
                if objective < incumbent.objective:
                    found = Incumbent(merged, objective, incumbent.bound)
        took = max(time.monotonic() - started, 0.1)
        self.failures = 0 if found is not None else min(self.failures + 1, 10)
        ratio = RESPONSE_RATIO * 2**self.failures
        if found is not None and self.after is not None:
            lns_rate = (self.after - incumbent.objective) / max(0.1, started - self.last)
            own_rate = (incumbent.objective - found.objective) / took
            ratio = min(64.0, max(0.5, RESPONSE_RATIO * lns_rate / own_rate))
        self.wait = ratio * took
        self.last = time.monotonic()
        self.after = found.objective if found is not None else incumbent.objective
        _logger.info(
            "best responses in %.1fs: %s", took, found.objective if found else "no better roster"
        )
        return found

    def _with_roster(
        self, values: np.ndarray, chosen: set[tuple[int, int, int]], deadline: float
    ) -> np.ndarray | None:
        """`values` with the assignments of `chosen` and the helpers they change at their best
        (None if the full model refuses the roster)."""
        new = values.copy()
        new[self.decisions] = 0
        new[[self.m.x[key].index for key in chosen]] = 1
        changed = self.decisions[new[self.decisions] != values[self.decisions]]
        freed, _ = self.index.closure(changed)
        helpers = freed[~self.index.is_decision[freed]]
        if not len(helpers):
            return new
        sub = self.index.extract(helpers, new)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = max(0.5, deadline - time.monotonic())
        if solver.solve(sub.model) != cp_model.OPTIMAL:
            return None
        return sub.merge(new, solver.response_proto.solution)


def _start(
    m: RosterModel,
    settings: SolverSettings,
    deadline: float,
    reporter: _Reporter,
    stop: _StopWatcher,
    greedy: set[tuple[int, int, int]] | None = None,
    indexing: Future | None = None,
    greedy_objective: int | None = None,
) -> tuple[str, Incumbent | None]:
    """A first roster fast, then a full-model CP-SAT call to improve it.

    Phase 1 takes the greedy roster when the validator finds it keeps every hard rule. If it
    breaks rules of a few employees only, CP-SAT re-plans those employees with everyone else
    kept (a sub-model, see `_repair_employees`). Otherwise it runs CP-SAT without the objective,
    hinted by the greedy roster, up to the first roster. Phase 2 runs CP-SAT on the full model
    for a share of the time, hinted with it, unless the model is too big for that to pay.
    """
    from optimizer.solver import Incumbent, configure, incumbent_of, status_name

    found = _first_feasible(m, settings, deadline, stop, greedy, indexing, greedy_objective)
    if isinstance(found, str):
        return found, None
    first, objective = found
    incumbent = Incumbent(first, objective, None)
    reporter.report(first, objective, None)
    if len(m.x) > FULL_SEARCH_MAX_VARIABLES:
        return "feasible", incumbent
    _set_hint(m.model.proto, first)
    remaining = deadline - time.monotonic()
    if remaining <= 0.05 or stop.stopped:
        return "feasible", incumbent
    solver = cp_model.CpSolver()
    configure(solver, settings, min(remaining, max(START_SHARE * settings.time_limit, 0.5)))
    stop.attach(solver)
    status = solver.solve(m.model, reporter)
    stop.detach()
    improved = incumbent_of(solver, status)
    if improved is not None and improved.objective <= incumbent.objective:
        incumbent = improved
    elif improved is not None:
        incumbent.bound = improved.bound
    return status_name(status) if improved is not None else "feasible", incumbent


def _first_feasible(
    m: RosterModel,
    settings: SolverSettings,
    deadline: float,
    stop: _StopWatcher,
    greedy: set[tuple[int, int, int]] | None = None,
    indexing: Future | None = None,
    greedy_objective: int | None = None,
) -> tuple[list[int], int] | str:
    """(value vector, objective) of a roster that keeps the hard rules, or the status if none.
    `greedy_objective` is the validator's objective of `greedy` if the caller has found that it
    keeps every hard rule (it is then not checked again)."""
    from optimizer.solver import configure, status_name

    plain = None  # the model without its objective, copied only when CP-SAT must search
    if not len(m.model.proto.solution_hint.vars):
        chosen = greedy_roster(m) if greedy is None else greedy & m.x.keys()
        if greedy_objective is not None and len(chosen) == len(greedy):
            return _greedy_values(m, chosen), greedy_objective
        report = validate(m.problem, as_assignments(m, chosen))
        if not report.hard_violations:
            return _greedy_values(m, chosen), report.objective
        plain = _without_objective(m)
        broken = {v.employee for v in report.hard_violations}
        index = indexing.result() if indexing is not None else None
        repaired = None
        if index is not None:
            repaired = _repair_employees(m, index, chosen, broken, settings, deadline, stop)
            if isinstance(repaired, tuple):
                return repaired
        if repaired is not None:  # a partial repair: the better hint
            _set_hint(plain.proto, repaired.tolist())
        else:
            for key, var in m.x.items():
                plain.add_hint(var, key in chosen)
    remaining = deadline - time.monotonic()
    if remaining < MIN_SEARCH_SHARE * settings.time_limit:
        return "unknown"  # loading a big model alone would overrun the time limit
    plain = plain or _without_objective(m)
    solver = cp_model.CpSolver()
    configure(solver, settings, remaining)
    solver.parameters.stop_after_first_solution = True
    solver.parameters.symmetry_level = 0
    stop.attach(solver)
    status = solver.solve(plain)
    stop.detach()
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        values = list(solver.response_proto.solution)
        return values, objective_value(m.model.proto, values)
    return status_name(status)


def _without_objective(m: RosterModel) -> cp_model.CpModel:
    plain = _copy_model(m.model)
    plain.proto.clear_objective()
    return plain


def _repair_employees(
    m: RosterModel,
    index: submodel.ModelIndex,
    chosen: set[tuple[int, int, int]],
    broken: set[str | None],
    settings: SolverSettings,
    deadline: float,
    stop: _StopWatcher,
) -> tuple[np.ndarray, int] | np.ndarray | None:
    """The greedy roster with the schedules of the `broken` employees (those whose rules it
    breaks; None stands for a rule of no one employee) planned again by CP-SAT, a few at a
    time, everyone else's kept: (values, objective), or the partly repaired values alone (a
    hint) if a group found no schedule in time; None if a broken rule is not one employee's.

    Most labour rules bind one employee's schedule; cover ties them together only through
    penalties. So re-planning the employees the greedy failed keeps everyone else's work, in
    models the size of a few schedules.
    """
    if None in broken:
        return None
    people = [i for i, e in enumerate(m.employees) if e.id in broken]
    cells: dict[int, list[int]] = {}
    for (e_idx, _, _), var in m.x.items():
        cells.setdefault(e_idx, []).append(var.index)
    values = np.asarray(_greedy_values(m, chosen), dtype=np.int64)
    budget_end = min(deadline, time.monotonic() + REPAIR_SHARE * settings.time_limit)
    groups = [people[i : i + REPAIR_GROUP] for i in range(0, len(people), REPAIR_GROUP)]
    failed = 0
    for k, group in enumerate(groups):
        if time.monotonic() >= budget_end or stop.stopped:
            failed += len(groups) - k
            break
        seconds = (budget_end - time.monotonic()) / (len(groups) - k)
        free = [i for e_idx in group for i in cells.get(e_idx, ())]
        replanned = _replan(index, free, values, settings, seconds, budget_end, stop)
        if replanned is None:
            failed += 1
        else:
            values = replanned
    _logger.info("re-planned %d of %d groups of employees", len(groups) - failed, len(groups))
    if failed:
        return values
    completed = _complete_values(index, values, settings, deadline)
    if completed is None:
        return values
    return completed, submodel.objective_of(index, completed)


def _replan(
    index: submodel.ModelIndex,
    free: list[int],
    values: np.ndarray,
    settings: SolverSettings,
    seconds: float,
    until: float,
    stop: _StopWatcher,
) -> np.ndarray | None:
    """`values` with the `free` variables re-optimised for up to `seconds` (longer if need be,
    until a first solution, but not past `until`); None if there is none. A multi-worker
    portfolio finds a schedule that keeps every hard rule far sooner than one worker does."""
    sub = index.extract(free, values)
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = max(2, settings.workers)
    params.random_seed = settings.seed
    params.max_time_in_seconds = max(0.1, seconds)
    stop.attach_extra(solver)
    try:
        status = solver.solve(sub.model)
        longer = min(max(1.0, 4 * seconds), until - time.monotonic())
        if status == cp_model.UNKNOWN and not stop.stopped and longer > 0.1:
            params.stop_after_first_solution = True
            params.max_time_in_seconds = longer
            status = solver.solve(sub.model)
    finally:
        stop.detach_extra(solver)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return sub.merge(values, solver.response_proto.solution)


def _greedy_values(m: RosterModel, chosen: set[tuple[int, int, int]]) -> list[int]:
    """The greedy roster as a value vector.

    Only assignment variables are set; the others (penalty and helper variables) are left at 0,
    which serves as a hint and is never read as a solution.
    """
    values = [0] * len(m.model.proto.variables)
    for key in chosen:
        values[m.x[key].index] = 1
    return values


def objective_value(proto, values: list[int]) -> int:
    """The objective of a full value vector, read from the model's objective row."""
    objective = proto.objective
    total = objective.offset
    for ref, coefficient in zip(objective.vars, objective.coeffs, strict=True):
        value = values[ref] if ref >= 0 else 1 - values[-ref - 1]
        total += coefficient * value
    return round(total * (objective.scaling_factor or 1))


def _copy_model(model: cp_model.CpModel) -> cp_model.CpModel:
    copy = cp_model.CpModel()
    copy.proto.copy_from(model.proto)
    return copy


def _complete(
    index: submodel.ModelIndex, incumbent: Incumbent, settings: SolverSettings, deadline: float
) -> Incumbent | None:
    """The incumbent with every helper variable (penalties, counters) set to its best value;
    None if that takes past the deadline or the model refuses its assignments.

    A constructed roster comes with its assignments only; LNS steps change helper variables
    only near the cells they free, so the others must be right from the start.
    """
    from optimizer.solver import Incumbent

    values = _complete_values(
        index, np.asarray(incumbent.values, dtype=np.int64), settings, deadline
    )
    if values is None:
        return None
    return Incumbent(values, submodel.objective_of(index, values), incumbent.bound)


def _complete_values(
    index: submodel.ModelIndex, values: np.ndarray, settings: SolverSettings, deadline: float
) -> np.ndarray | None:
    """`values` with every helper variable at its best value for the assignments in it."""
    helpers = np.flatnonzero(~index.is_decision)
    if not len(helpers):
        return values
    sub = index.extract(helpers, values)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = max(1.0, deadline - time.monotonic())
    solver.parameters.random_seed = settings.seed
    if solver.solve(sub.model) != cp_model.OPTIMAL:
        return None
    return sub.merge(values, solver.response_proto.solution)


def _solve_neighbourhood(
    index: submodel.ModelIndex,
    cells: dict[tuple[int, int], list[int]],
    hood: Neighbourhood,
    values: np.ndarray,
    limit: float,
    stop: _StopWatcher,
    seed: int,
) -> tuple[bool, Incumbent | None]:
    """Re-optimise the cells of `hood` with the rest of the roster kept as in `values`."""
    from optimizer.solver import Incumbent

    free = [i for cell in hood.cells for i in cells.get(cell, ())]
    if not free:
        return True, None
    sub = index.extract(free, values, HELPER_DEPTH)
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = limit
    params.num_workers = 1
    params.linearization_level = 2
    params.random_seed = seed
    stop.attach_extra(solver)
    try:
        status = solver.solve(sub.model)
    finally:
        stop.detach_extra(solver)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return False, None
    merged = sub.merge(values, solver.response_proto.solution)
    return status == cp_model.OPTIMAL, Incumbent(merged, submodel.objective_of(index, merged), None)


def _next_step_seconds(seconds: float, results: list[tuple[bool, Incumbent | None]]) -> float:
    """Longer steps while no step even finds a roster in time (big models take longer to load
    than a small step allows), back towards STEP_SECONDS once steps finish."""
    if all(candidate is None for _, candidate in results):
        return min(MAX_STEP_SECONDS, seconds * 2)
    if any(optimal for optimal, _ in results):
        return max(STEP_SECONDS, seconds * 0.8)
    return seconds


class CellRegrets:
    """What each (employee, day) cell costs the roster in objective terms it could avoid.

    A cell pays when one of its assignments is worked and costs (an unwanted shift) or a
    rewarded assignment there is not worked (a missed wish); these are the cells worth moving.
    """

    def __init__(self, index: submodel.ModelIndex, cells: dict[tuple[int, int], list[int]]):
        coefficient = np.zeros(index.num_variables, dtype=np.int64)
        vars_, coeffs, _ = index.objective[0]
        np.add.at(coefficient, np.asarray(vars_, np.int64), np.asarray(coeffs, np.int64))
        self.cells = list(cells)
        self.cell_of, self.variables = _flat_cells(cells)
        self.coefficient = coefficient[self.variables]

    def hot_cells(self, values: np.ndarray) -> tuple[list[tuple[int, int]], list[float]]:
        """The cells that pay, and how much each could save."""
        worked = values[self.variables] > 0
        reward = np.where(self.coefficient < 0, -self.coefficient, 0)
        size = len(self.cells)
        paid = np.zeros(size, dtype=np.float64)
        np.add.at(
            paid, self.cell_of, np.where(worked & (self.coefficient > 0), self.coefficient, 0)
        )
        best = np.zeros(size, dtype=np.float64)
        np.maximum.at(best, self.cell_of, reward)
        got = np.zeros(size, dtype=np.float64)
        np.add.at(got, self.cell_of, np.where(worked, reward, 0))
        regret = paid + np.maximum(0.0, best - got)
        hot = np.flatnonzero(regret > 0)
        return [self.cells[i] for i in hot.tolist()], regret[hot].tolist()


class Departures:
    """How far a roster departs, cell by cell, from a fractional roster (the master LP's, where
    column generation ran): the sum over the cell's assignments of the difference in value."""

    def __init__(
        self, m: RosterModel, cells: dict[tuple[int, int], list[int]], guide: np.ndarray
    ) -> None:
        self.shape = (len(m.employees), m.num_days)
        self.cell_of, self.variables = _grid_cells(cells, m.num_days)
        self.target = np.asarray(guide, dtype=np.float64)[self.variables]

    def of(self, values) -> np.ndarray:
        """The departure of each (employee, day) of the roster `values`."""
        difference = np.abs(np.asarray(values)[self.variables] - self.target)
        departure = np.bincount(
            self.cell_of, weights=difference, minlength=self.shape[0] * self.shape[1]
        )
        return departure.reshape(self.shape)


class ShortShifts:
    """The shift-demand lines an incumbent leaves short of their requirement, and the people
    who could work each (qualified and free to, by the model's variables)."""

    def __init__(self, m: RosterModel) -> None:
        self.days: list[int] = []
        self.able: list[list[int]] = []
        required, variables, line_of = [], [], []
        for demand in m.problem.shift_demand:
            positions = [
                p_idx
                for p_idx, skill in m.positions_of_type(demand.shift_type)
                if demand.skill is None or skill == demand.skill
            ]
            indices = [v.index for p in positions for v in m.on_position(demand.day, p)]
            if not indices or not demand.required:
                continue
            line_of += [len(self.days)] * len(indices)
            variables += indices
            required.append(demand.required)
            self.days.append(demand.day)
            able = {e for p in positions for e in m.employees_on_position(demand.day, p)}
            self.able.append(sorted(able))
        self.required = np.asarray(required, dtype=np.int64)
        self.variables = np.asarray(variables, dtype=np.int64)
        self.line_of = np.asarray(line_of, dtype=np.int64)

    def short_shifts(self, values) -> list[tuple[int, list[int]]]:
        """(day, people able to work it) of each line the roster `values` leaves short."""
        if not len(self.days):
            return []
        staffed = np.bincount(
            self.line_of,
            weights=np.asarray(values)[self.variables],
            minlength=len(self.days),
        )
        return [(self.days[i], self.able[i]) for i in np.flatnonzero(staffed < self.required)]


class SplitWeekends:
    """Who works only part of a weekend they could work whole, weekend by weekend, among the
    people whose worked weekends are capped."""

    def __init__(self, m: RosterModel, cells: dict[tuple[int, int], list[int]]) -> None:
        self.weekends = [days for days in m.problem.weekends() if len(days) > 1]
        self.weekend_day = {day for days in self.weekends for day in days}
        self.shape = (len(m.employees), m.num_days)
        self.open = np.zeros(self.shape, dtype=bool)
        for e_idx, day in cells:
            self.open[e_idx, day] = True
        capped = [m.instance.contract_of(e).max_weekends is not None for e in m.employees]
        self.open[~np.asarray(capped, dtype=bool)] = False
        self.cell_of, self.variables = _grid_cells(cells, m.num_days)
        self.employee_of = self.cell_of // m.num_days
        length = {t.id: t.duration_minutes for t in m.problem.shift_types}
        position_minutes = [length[type_id] for type_id, _ in m.positions]
        minutes = {var.index: position_minutes[p] for (_, _, p), var in m.x.items()}
        self.minutes = np.asarray([minutes[v] for v in self.variables.tolist()], dtype=np.int64)
        limits = [m.instance.contract_of(e).max_minutes_total for e in m.employees]
        room = _smallest_step(position_minutes)
        self.most_minutes = np.asarray(
            [INFINITE_MINUTES if limit is None else limit - room for limit in limits]
        )

    def with_room(self, values) -> list[int]:
        """People who could work more within their maximum minutes over the horizon: one more
        shift of the shortest kind, or a longer shift in place of a shorter one."""
        worked = np.bincount(
            self.employee_of,
            weights=np.asarray(values)[self.variables] * self.minutes,
            minlength=self.shape[0],
        )
        return np.flatnonzero(worked <= self.most_minutes).tolist()

    def split(self, values) -> list[tuple[list[int], list[int]]]:
        """(days, people) of each weekend some people work only part of, though free to work
        all of it."""
        if not self.weekends:
            return []
        worked = np.bincount(
            self.cell_of,
            weights=np.asarray(values)[self.variables],
            minlength=self.shape[0] * self.shape[1],
        ).reshape(self.shape)
        found = []
        for days in self.weekends:
            count = (worked[:, days] > 0).sum(axis=1)
            whole = self.open[:, days].all(axis=1)
            people = np.flatnonzero(whole & (count > 0) & (count < len(days)))
            if len(people):
                found.append((days, people.tolist()))
        return found


class HalfWeekendReplan:
    """When LNS stalls where weekends are capped: the whole schedules of the people who work
    only part of a weekend, planned again together, everyone else's kept.

    A capped staff's weekends are what cover is short of at weekends, and a half-worked one
    wastes a weekend day. Making it whole moves that person's hours and runs of days across
    the horizon, and the weekends of others who work half weekends with it: no block of days
    holds that change, and a handful of the people does not either. The Instance12 runs at 60 s
    that missed its best known stopped at 41 people short, 114 weekends worked whole and 16 in
    part, where the best rosters have 40, 115 and 15. From two such rosters, the whole
    schedules of all 13 people on half weekends (about 2,200 variables) gave 40 short within
    6 s; 10 of them, drawn at random, were solved optimally without a better roster. From a
    third (4,145), they gave nothing better in 8 s (8 seeds and settings), but the same people
    together with the days around the weekends of the 24 people with room to work more gave 40
    short, solved to optimality in 2.5 s: every other step frees those too.

    The step runs once REPLAN_AFTER seconds pass without progress, one sub-model per worker
    (each its own seed; where the people do not fit in its size, its own sample of them). After
    a step that finds nothing, LNS runs RESPONSE_RATIO times as long as the step took (and
    REPLAN_AFTER seconds at least), twice as long again for each further one: on Instance13,
    whose half weekends are too many for one step, two 8 s steps that found nothing cost a
    quarter of a 60 s run."""

    def __init__(
        self, cells: dict[tuple[int, int], list[int]], num_days: int, weekends: list[list[int]]
    ) -> None:
        self.num_days = num_days
        self.cell_variables = {cell: len(variables) for cell, variables in cells.items()}
        self.variables: dict[int, int] = {}
        for (e_idx, _), count in self.cell_variables.items():
            self.variables[e_idx] = self.variables.get(e_idx, 0) + count
        around = {d for days in weekends for d in range(days[0] - 1, days[-1] + 2)}
        self.around_weekends = sorted(d for d in around if 0 <= d < num_days)
        self.max_variables = REPLAN_MAX_VARIABLES
        self.failures = 0
        self.last = -np.inf
        self.wait = REPLAN_AFTER
        self.progress: tuple[float, int] | None = None
        """(when, objective) of the last roster that made progress."""
        self.drawn = 0

    def due(self, now: float, objective: int) -> bool:
        """Whether a step is due `now`, the incumbent's objective being `objective`."""
        if self.progress is None or self.progress[1] - objective >= REPLAN_PROGRESS * max(
            1, abs(self.progress[1])
        ):
            self.progress = (now, objective)
        return now - self.progress[0] >= REPLAN_AFTER and now - self.last >= self.wait

    def hoods(
        self,
        split: list[tuple[list[int], list[int]]],
        with_room: list[int],
        count: int,
        rng: random.Random,
    ) -> list[Neighbourhood]:
        """`count` neighbourhoods, each the whole horizon of people working half weekends in
        `split` (as `SplitWeekends.split` gives them), a sample of them where all do not fit;
        every other one also frees the days around the weekends of people `with_room` to work
        more (a sample that fits the same size again). None where no one's whole schedule fits
        (a year of 32 shift types: 11,600 variables)."""
        people = sorted({e for _, workers in split for e in workers})
        if not any(self.variables.get(e, 0) <= self.max_variables for e in people):
            return []
        hoods = []
        for _ in range(count):
            room = with_room if self.drawn % 2 else []
            self.drawn += 1
            hoods.append(self._hood(people, room, rng))
        return hoods

    def _hood(self, people: list[int], room: list[int], rng: random.Random) -> Neighbourhood:
        whole = self._fitting([(e, range(self.num_days)) for e in people], rng)
        group = {e for e, _ in whole}
        others = [(e, self.around_weekends) for e in room if e not in group]
        return Neighbourhood("half weekends", whole | self._fitting(others, rng))

    def _fitting(
        self, blocks: list[tuple[int, Collection[int]]], rng: random.Random
    ) -> set[tuple[int, int]]:
        """The cells of the (employee, days) `blocks`, taken in random order while they fit in
        the size."""
        cells: set[tuple[int, int]] = set()
        size = 0
        for e_idx, days in rng.sample(blocks, len(blocks)):
            block = {(e_idx, d) for d in days}
            count = sum(self.cell_variables.get(cell, 0) for cell in block)
            if size + count <= self.max_variables:
                cells |= block
                size += count
        return cells

    def feedback(self, improved: bool, solved: bool, took: float, now: float) -> None:
        """Record a step that ended `now` after `took` seconds, found a better roster or not,
        and had every sub-model `solved` to optimality or not."""
        self.failures = 0 if improved else min(self.failures + 1, 10)
        self.last = now
        self.wait = REPLAN_AFTER
        if not improved:
            self.wait = max(REPLAN_AFTER, RESPONSE_RATIO * took) * 2 ** (self.failures - 1)
            if not solved:
                self.max_variables = int(self.max_variables * REPLAN_SHRINK)


def _smallest_step(minutes: list[int]) -> int:
    """The fewest minutes by which a roster can lengthen someone's work: the shortest shift,
    or the smallest difference between two shift lengths."""
    lengths = sorted(set(minutes))
    steps = [b - a for a, b in itertools.pairwise(lengths)]
    return min([*lengths[:1], *steps], default=0)


def _hot_days(m: RosterModel, values: list[int]) -> list[int]:
    """Days on which the incumbent pays a cover penalty."""
    return sorted(
        {
            p.day
            for p in m.penalties
            if p.day is not None
            and isinstance(p.expression, cp_model.IntVar)
            and values[p.expression.index]
        }
    )


def _variables_by_cell(m: RosterModel) -> dict[tuple[int, int], list[int]]:
    cells: dict[tuple[int, int], list[int]] = {}
    for (e_idx, day, _), var in m.x.items():
        cells.setdefault((e_idx, day), []).append(var.index)
    return cells


def _grid_cells(
    cells: dict[tuple[int, int], list[int]], num_days: int
) -> tuple[np.ndarray, np.ndarray]:
    """(cell_of, variables) as `_flat_cells` gives them, each cell numbered by its place in the
    (employee, day) grid: employee * num_days + day."""
    cell_of, variables = _flat_cells(cells)
    grid = np.asarray([e * num_days + d for e, d in cells], dtype=np.int64)
    return grid[cell_of], variables


def _flat_cells(cells: dict[tuple[int, int], list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """(cell_of, variables): the index of every variable of `cells`, and beside it the
    position of its cell in `cells`."""
    cell_of = np.concatenate(
        [np.full(len(v), i, dtype=np.int64) for i, v in enumerate(cells.values())]
    )
    return cell_of, np.concatenate([np.asarray(v, np.int64) for v in cells.values()])


def _set_hint(proto, values: list[int]) -> None:
    proto.clear_solution_hint()
    hint = proto.solution_hint
    hint.vars.extend(range(len(values)))
    hint.values.extend(values)
