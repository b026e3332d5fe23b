"""One employee's schedule over the whole horizon, planned by dynamic programming.

A greedy that fills demand day by day cannot see that an employee's minimum hours will only fit
if their runs of working days avoid weekends, or that a run started today leaves too few days
for the days off that must follow. This module plans one employee at a time, with everyone
else's shifts fixed, in two steps:

1. **Work pattern**: which days to work. A shortest-path over (day, run state, weekends used)
   keeps runs of working days and days off within the contract's limits (runs touching either
   end of the horizon are exempt from the minimums, as in the rules), leave days off and worked
   weekends within the cap. A reward per worked day, set by bisection, makes the pattern hold
   enough days for the minimum hours.
2. **Shift types** on the worked days: a path over (day, shift type) that respects which type
   may follow which, with a reward per minute (bisection again) to reach the minimum hours and
   shifts of a type worked more often than its cap moved to other types (or the type priced
   out of the path where they cannot move).

Each day and type is scored by what it is worth to the roster (cover still missing, wishes).
The result keeps the employee's contract as far as these two steps can see; the caller checks
the whole roster with the validator.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

NEG = -1e18
"""Value of an impossible state."""
_BISECTIONS = 24
"""Halvings of a reward interval: enough to split a gap of 2**24 in units."""
_REWARD_STEPS = 16
"""Rewards per worked day tried, each four times the last."""
_MOST_DAY_REWARD = 4.0 ** (_REWARD_STEPS - 1)
"""The highest reward per worked day: beyond any day's value, and far from `NEG`."""
_PLAN_ATTEMPTS = 6
"""Patterns tried with a corrected number of days when the shift types miss the hours."""
_MOST_MINUTES = 1e6
"""A reward per minute that outweighs any value: the longest shifts the days allow."""
_CAP_ROUNDS = 6
"""Rounds of pricing shift types worked more often than their cap out of the path."""


@dataclass
class ScheduleTerms:
    """The per-employee rules the planner keeps (None: no limit)."""

    min_consecutive_days: int
    max_consecutive_days: int | None
    min_consecutive_days_off: int
    max_weekends: int | None
    min_minutes: int
    max_minutes: int | None
    caps: np.ndarray
    """Most shifts of each type (a large number where uncapped)."""

    @property
    def most_minutes(self) -> float:
        """The maximum hours in minutes, infinite where there is none."""
        return math.inf if self.max_minutes is None else self.max_minutes


def plan(
    terms: ScheduleTerms,
    value: np.ndarray,
    minutes: np.ndarray,
    may_follow: np.ndarray,
    weekend_of: np.ndarray,
    memory: dict[str, float] | None = None,
) -> dict[int, int] | None:
    """Day -> shift type index for one employee, or None when no plan keeps the terms.

    `value[d, t]` is what working type t on day d is worth (NEG where the employee may not);
    `minutes[t]` the type's length; `may_follow[t, u]` whether type u may be worked the day
    after type t; `weekend_of[d]` the weekend index of day d, or -1 on weekdays. `memory`
    (kept by the caller between plans of the same employee) remembers the reward per day that
    gave enough days, so that the next plan starts its search there.
    """
    memory = {} if memory is None else memory
    open_types = (value > NEG / 2).any(axis=0)
    if not open_types.any() or terms.max_consecutive_days == 0:
        return {} if terms.min_minutes == 0 else None
    typical = float(np.median(minutes[open_types]))
    most = terms.most_minutes
    fewest_days = math.ceil(terms.min_minutes / typical)
    most_days = len(value) if most == math.inf else max(fewest_days, int(most // typical))
    day_value = np.where(value.max(axis=1) > NEG / 2, value.max(axis=1), NEG)
    for _ in range(_PLAN_ATTEMPTS):
        days = work_pattern(terms, day_value, weekend_of, fewest_days, most_days, memory)
        if days is None:
            return None
        shifts = shift_types(terms, value, minutes, may_follow, days)
        if shifts is None:
            return None
        worked = _worked(shifts, minutes)
        if terms.min_minutes <= worked <= most:
            return shifts
        if worked < terms.min_minutes and len(days) < fewest_days:
            return None  # the pattern already holds as many days as the rules allow
        fewest_days, most_days = _days_for_hours(terms, minutes, shifts, fewest_days, most_days)
    return None


def _days_for_hours(terms, minutes, shifts: dict[int, int], fewest_days: int, most_days: int):
    """The range of worked days to try next when `shifts` miss the contract's hours: enough
    days of the longest type worked to make up a shortfall, few enough of the shortest to
    shed an excess."""
    worked = _worked(shifts, minutes)
    if worked < terms.min_minutes:
        longest = max(int(minutes[t]) for t in shifts.values())
        fewest_days = len(shifts) + math.ceil((terms.min_minutes - worked) / longest)
        return fewest_days, max(most_days, fewest_days)
    shortest = min(int(minutes[t]) for t in shifts.values())
    most_days = len(shifts) - math.ceil((worked - terms.max_minutes) / shortest)
    return min(fewest_days, most_days), most_days


def work_pattern(
    terms: ScheduleTerms,
    day_value: np.ndarray,
    weekend_of: np.ndarray,
    fewest_days: int,
    most_days: int,
    memory: dict[str, float] | None = None,
) -> list[int] | None:
    """The worked days: the best pattern with between `fewest_days` and `most_days` of them
    (or as close as the rules allow); None if no pattern keeps the rules.

    A reward per worked day finds a pattern with at least `fewest_days`; one with too many is
    trimmed (dropping days at the ends of runs never breaks a rule)."""
    memory = {} if memory is None else memory
    rewards = _day_rewards(memory.get("day_reward", 0.0))
    reward, days = _fewest_rewarded(terms, day_value, weekend_of, fewest_days, rewards)
    memory["day_reward"] = reward
    if days is None or len(days) <= most_days:
        return days
    return _trim(days, day_value, max(1, terms.min_consecutive_days), most_days)


def _day_rewards(start: float) -> list[float]:
    """The rewards per worked day to try, increasing: from half of `start` (the one that gave
    enough days last time; 0 for none) in steps of four, up to `_MOST_DAY_REWARD`."""
    if start > 0:
        rewards = [start / 2, *(start * 4**k for k in range(_REWARD_STEPS))]
    else:
        rewards = [0.0, *(4.0**k for k in range(_REWARD_STEPS))]
    return sorted({min(reward, _MOST_DAY_REWARD) for reward in rewards})


def _fewest_rewarded(terms, day_value, weekend_of, fewest_days: int, rewards: list[float]):
    """(reward, pattern) for the first of the increasing `rewards` whose pattern holds at least
    `fewest_days` (or for the first, if no pattern keeps the rules), else for the last.

    The first two usually suffice (the caller starts from the reward that did last time). A
    higher reward never gives fewer days, so the last one is tried next: when it falls short,
    so does every one between. Those are tried a few at a time, in one pass over the days each.
    """

    def tried(batch: list[float]) -> list[tuple[float, list[int] | None]]:
        found = _patterns(terms, day_value, weekend_of, np.array(batch))
        return list(zip(batch, found, strict=True))

    def enough(result: tuple[float, list[int] | None]) -> bool:
        return result[1] is None or len(result[1]) >= fewest_days

    lowest = tried(rewards[:2])
    hit = next(filter(enough, lowest), None)
    if hit is not None or len(rewards) <= 2:
        return hit or lowest[-1]
    *middle, last = rewards[2:]
    (top,) = tried([last])
    if not enough(top):
        return top
    for batch in (middle[:4], middle[4:]):
        hit = next(filter(enough, tried(batch)), None) if batch else None
        if hit is not None:
            return hit
    return top


def _trim(days: list[int], day_value: np.ndarray, min_run: int, most_days: int) -> list[int]:
    """Drop the least valuable days at the ends of runs (keeping each run that touches neither
    end of the horizon at least `min_run` long) until at most `most_days` remain; whole runs
    go when no end can."""
    worked = set(days)
    last_day = len(day_value) - 1
    while len(worked) > most_days:
        runs = _runs(sorted(worked))
        ends = []
        for first, last in runs:
            edge = first == 0 or last == last_day
            if last - first + 1 > (1 if edge else min_run):
                ends += [d for d in (first, last) if d not in (0, last_day) or first == last]
        if ends:
            worked.discard(min(ends, key=lambda d: day_value[d]))
            continue
        first, last = min(runs, key=lambda r: day_value[r[0] : r[1] + 1].sum())
        worked -= set(range(first, last + 1))
    return sorted(worked)


def _runs(days: list[int]) -> list[tuple[int, int]]:
    """(first, last) of each run of consecutive days."""
    runs: list[tuple[int, int]] = []
    for day in days:
        if runs and runs[-1][1] == day - 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _with_reward(solve, size, low: float, high: float):
    """`solve(reward)` for the reward nearest 0 whose result has `low <= size(result) <= high`,
    where size grows with the reward; the nearest result found if none does, None if `solve`
    finds nothing."""
    search = _RewardSearch(solve, size, low, high)
    found = search.attempt(0.0)
    if found is None or search.fits(found):
        return found
    direction = 1.0 if size(found) < low else -1.0
    inner, outer = 0.0, direction
    while True:  # widen until the reward sought lies between inner and outer
        found = search.attempt(outer)
        if found is None:
            return search.best
        if search.fits(found):
            return found
        if (size(found) > high) if direction > 0 else (size(found) < low):
            break
        if abs(outer) > 1e9:
            return search.best
        inner, outer = outer, outer * 4
    for _ in range(_BISECTIONS):
        middle = (inner + outer) / 2
        found = search.attempt(middle)
        if found is None:
            return search.best
        if search.fits(found):
            return found
        if (size(found) < low) == (direction > 0):
            inner = middle
        else:
            outer = middle
    return search.best


class _RewardSearch:
    """The results `_with_reward` tries, and the one nearest the wanted size so far."""

    def __init__(self, solve, size, low: float, high: float) -> None:
        self.solve, self.size, self.low, self.high = solve, size, low, high
        self.best = None

    def fits(self, found) -> bool:
        return self.low <= self.size(found) <= self.high

    def attempt(self, reward: float):
        found = self.solve(reward)
        if found is not None and (self.best is None or self._miss(found) < self._miss(self.best)):
            self.best = found
        return found

    def _miss(self, found) -> float:
        return _distance(self.size(found), self.low, self.high)


def _distance(size: float, low: float, high: float) -> float:
    return max(0.0, low - size, size - high)


class _States:
    """The run states of the pattern path: the first run (exempt from minimums, as it touches
    the horizon's start), a run of working days by length, a run of days off by length (the
    last one meaning "long enough")."""

    def __init__(self, terms: ScheduleTerms, num_days: int) -> None:
        self.min_work = max(1, terms.min_consecutive_days)
        self.top_loops = terms.max_consecutive_days is None  # runs have no maximum length
        if self.top_loops:  # lengths from the minimum on are all alike
            self.top_work = min(num_days, self.min_work + 1)
        else:
            self.top_work = terms.max_consecutive_days or num_days
        self.min_off = max(1, terms.min_consecutive_days_off)
        self.first_off = 0
        self.first_work = list(range(1, 1 + self.top_work))
        self.work = list(range(1 + self.top_work, 1 + 2 * self.top_work))
        self.off = list(range(1 + 2 * self.top_work, 1 + 2 * self.top_work + self.min_off))
        self.count = 1 + 2 * self.top_work + self.min_off

    def transitions(self) -> list[tuple[int, int, bool]]:
        """(from, to, works the new day) for every allowed step from one day to the next."""
        steps = [(self.first_off, self.first_off, False), (self.first_off, self.work[0], True)]
        for runs, exempt in ((self.first_work, True), (self.work, False)):
            for i, state in enumerate(runs):
                length = i + 1
                if length < self.top_work:
                    steps.append((state, runs[i + 1], True))
                elif self.top_loops:
                    steps.append((state, state, True))
                if exempt or length >= self.min_work:
                    steps.append((state, self.off[0], False))
        for i, state in enumerate(self.off):
            steps.append((state, self.off[min(i + 1, self.min_off - 1)], False))
            if i + 1 >= self.min_off:
                steps.append((state, self.work[0], True))
        return steps


def _pattern(
    terms: ScheduleTerms, day_value: np.ndarray, weekend_of: np.ndarray, reward: float
) -> list[int] | None:
    """The best worked days with `reward` added per worked day; None if no pattern is valid."""
    return _patterns(terms, day_value, weekend_of, np.array([reward]))[0]


def _patterns(
    terms: ScheduleTerms, day_value: np.ndarray, weekend_of: np.ndarray, rewards: np.ndarray
) -> list[list[int] | None]:
    """`_pattern` for each of `rewards`, all in one pass over the days.

    The table holds, per reward, run state and number of weekends worked so far, the best
    value of a path to the current day; every state's predecessors are gathered at once."""
    graph = _Graph(terms, len(day_value))
    counting = terms.max_weekends is not None
    width = terms.max_weekends + 1 if counting else 1
    table = np.full((len(rewards), graph.count + 1, width), NEG)  # the last row stays impossible
    table[:, graph.first_off, 0] = 0.0
    if day_value[0] > NEG / 2:
        table[:, graph.first_work, int(counting and weekend_of[0] >= 0)] = day_value[0] + rewards
    back = np.zeros((len(day_value), len(rewards), graph.count, width), dtype=np.int8)
    open_day = (day_value > NEG / 2)[:, None]
    gains = np.where(open_day, day_value[:, None] + rewards[None, :], NEG)
    added = np.where(graph.working, gains[:, :, None], 0.0)[:, :, :, None, None]
    for day in range(1, len(day_value)):
        candidates = table[:, graph.sources]
        counted = graph.counts_weekend(day, weekend_of) if counting else None
        if counted is not None:
            shifted = np.full_like(table, NEG)
            shifted[:, :, 1:] = table[:, :, :-1]
            candidates = np.where(counted[:, :, None], shifted[:, graph.sources], candidates)
        candidates += added[day]
        back[day] = candidates.argmax(axis=2)
        np.maximum(candidates.max(axis=2), NEG, out=table[:, :-1])
    return [
        _best_path(graph, table[r, :-1], back[:, r], weekend_of if counting else None)
        for r in range(len(rewards))
    ]


def _best_path(graph, last: np.ndarray, back: np.ndarray, weekend_of) -> list[int] | None:
    """The worked days of the best path ending on the last day (`last`: its values by state
    and weekends used), or None if every path is impossible."""
    state, used = np.unravel_index(int(np.argmax(last)), last.shape)
    if last[state, used] < NEG / 2:
        return None
    return graph.trace(back, weekend_of, int(state), int(used))


class _Graph:
    """The run states as arrays: for every state its predecessors (padded with the impossible
    row), whether it is a working state, and which steps come from a rest."""

    def __init__(self, terms: ScheduleTerms, num_days: int) -> None:
        states = _States(terms, num_days)
        self.count = states.count
        self.first_off, self.first_work = states.first_off, states.first_work[0]
        incoming: list[list[int]] = [[] for _ in range(states.count)]
        for source, target, _ in states.transitions():
            incoming[target].append(source)
        widest = max(len(s) for s in incoming)
        self.sources = np.array([s + [states.count] * (widest - len(s)) for s in incoming])
        self.working = np.zeros(states.count, dtype=bool)
        self.working[states.first_work + states.work] = True
        resting = np.zeros(states.count + 1, dtype=bool)
        resting[[states.first_off, *states.off]] = True
        self.from_rest = self.working[:, None] & resting[self.sources]
        self.every_work = np.repeat(self.working[:, None], widest, axis=1)

    def counts_weekend(self, day: int, weekend_of: np.ndarray) -> np.ndarray | None:
        """Which steps into `day` start a new worked weekend (None on a weekday): every step
        into work on a weekend's first day, steps from a rest on its later days."""
        if weekend_of[day] < 0:
            return None
        return self.every_work if weekend_of[day - 1] != weekend_of[day] else self.from_rest

    def trace(self, back, weekend_of, state: int, used: int) -> list[int]:
        """The worked days of the path ending in (`state`, `used`) on the last day."""
        days = []
        for day in range(len(back) - 1, 0, -1):
            step = int(back[day, state, used])
            if self.working[state]:
                days.append(day)
                counted = None if weekend_of is None else self.counts_weekend(day, weekend_of)
                if counted is not None and counted[state, step]:
                    used -= 1
            state = int(self.sources[state, step])
        if self.working[state]:
            days.append(0)
        days.reverse()
        return days


def shift_types(
    terms: ScheduleTerms,
    value: np.ndarray,
    minutes: np.ndarray,
    may_follow: np.ndarray,
    days: list[int],
) -> dict[int, int] | None:
    """A shift type for each worked day: the best by value within the contract's hours (a
    reward per minute set by bisection), with shift types worked more often than their cap
    moved to others, or priced out of the path where they cannot be; None if none was found."""
    most = terms.most_minutes
    prices = np.zeros(len(minutes))
    price = 1.0 + float(np.abs(value[value > NEG / 2]).max(initial=0.0))
    for _ in range(_CAP_ROUNDS):
        shifts = _types_within_hours(terms, value - prices[None, :], minutes, may_follow, days)
        if shifts is None:
            return None
        counts = np.bincount(list(shifts.values()), minlength=len(minutes))
        capped = _within_caps(
            dict(shifts), value, minutes, may_follow, terms.caps, terms.min_minutes, most
        )
        if capped is not None:
            return capped
        prices = prices + np.where(counts > terms.caps, price, 0.0)
        price *= 2
    return None


def _types_within_hours(terms, value, minutes, may_follow, days) -> dict[int, int] | None:
    """The best types for `days` whose hours are within the contract's, or None."""
    most = terms.most_minutes
    shifts = _with_reward(
        lambda reward: _type_path(value, minutes, may_follow, days, reward),
        lambda found: _worked(found, minutes),
        terms.min_minutes,
        most,
    )
    if shifts is not None and _worked(shifts, minutes) < terms.min_minutes:
        shifts = _type_path(value, minutes, may_follow, days, _MOST_MINUTES)
    if shifts is None or _worked(shifts, minutes) < terms.min_minutes:
        return None
    if _worked(shifts, minutes) > most:
        shifts = _shorten(shifts, value, minutes, may_follow, terms.min_minutes, most)
    return shifts


def _shorten(shifts, value, minutes, may_follow, fewest: int, most: float):
    """Swap shifts for shorter types the days allow, the cheapest per minute first, until the
    hours are within the contract (rewards per minute jump past it where many days tie); None
    if they cannot be."""
    days = np.array(sorted(shifts))
    types = np.array([shifts[d] for d in days])
    after = np.r_[days[1:] == days[:-1] + 1, False]  # the next worked day is tomorrow
    worked = int(minutes[types].sum())
    everything = np.ones(len(minutes), dtype=bool)
    while worked > most:
        before_ok = np.vstack([everything, may_follow[types[:-1]]])
        before_ok[1:][~after[:-1]] = True
        after_ok = np.vstack([may_follow[:, types[1:]].T, everything])
        after_ok[~after] = True
        saved = minutes[types][:, None] - minutes[None, :]
        allowed = (value[days] > NEG / 2) & (saved > 0) & before_ok & after_ok
        allowed &= worked - saved >= fewest
        if not allowed.any():
            return None
        current = value[days, types][:, None]
        loss = np.where(allowed, (current - value[days]) / np.maximum(saved, 1), np.inf)
        i, u = np.unravel_index(int(np.argmin(loss)), loss.shape)
        worked -= int(saved[i, u])
        types[i] = u
    return {int(d): int(t) for d, t in zip(days, types, strict=True)}


def _within_caps(shifts, value, minutes, may_follow, caps, fewest: int, most: float):
    """Move the least valuable shifts of each type over its cap to another type the day
    allows (it may follow the day before and precede the day after, and the hours stay within
    the contract); None if some cannot move."""
    counts = np.bincount(list(shifts.values()), minlength=len(minutes))
    worked = _worked(shifts, minutes)
    for t in np.flatnonzero(counts > caps):
        for day in sorted((d for d, u in shifts.items() if u == t), key=lambda d: value[d, t]):
            if counts[t] <= caps[t]:
                break
            options = [
                u
                for u in np.flatnonzero((value[day] > NEG / 2) & (counts < caps))
                if (day - 1 not in shifts or may_follow[shifts[day - 1], u])
                and (day + 1 not in shifts or may_follow[u, shifts[day + 1]])
                and fewest <= worked - minutes[t] + minutes[u] <= most
            ]
            if not options:
                continue
            u = max(options, key=lambda u: (value[day, u], minutes[u]))
            shifts[day] = int(u)
            counts[t] -= 1
            counts[u] += 1
            worked += int(minutes[u] - minutes[t])
        if counts[t] > caps[t]:
            return None
    return shifts


def _worked(shifts: dict[int, int], minutes: np.ndarray) -> int:
    return int(sum(minutes[t] for t in shifts.values()))


def _type_path(value, minutes, may_follow, days, reward) -> dict[int, int] | None:
    """Best type per worked day, with `reward` per minute, such that
    each type on a day right after a worked day may follow that day's type."""
    if not days:
        return {}
    gains = value[days] + reward * minutes[None, :]
    gains = np.where(value[days] > NEG / 2, gains, NEG)
    blocked = np.where(may_follow, 0.0, NEG)
    table = gains[0].copy()
    back = np.zeros((len(days), len(minutes)), dtype=np.int16)
    for i in range(1, len(days)):
        if days[i] == days[i - 1] + 1:
            scores = table[:, None] + blocked
            back[i] = scores.argmax(axis=0)
            table = scores.max(axis=0)
            table += gains[i]
        else:
            back[i] = int(table.argmax())
            table = table[back[i]] + gains[i]
        np.maximum(table, NEG, out=table)
    last = int(np.argmax(table))
    if table[last] < NEG / 2:
        return None
    shifts = {}
    for i in range(len(days) - 1, -1, -1):
        shifts[days[i]] = last
        last = int(back[i, last])
    return shifts
