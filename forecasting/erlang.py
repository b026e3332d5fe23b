"""Queueing formulas for staffing: Erlang B, Erlang C and the agents a service target needs.

Every function takes numpy arrays (one value per interval) and works on all intervals at once.
Erlang B is computed by its recursion B(n) = A B(n-1) / (n + A B(n-1)), which stays inside [0, 1]
for any load, so hundreds or thousands of agents neither overflow nor lose precision.
"""

from __future__ import annotations

import logging

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import gammaln
from scipy.stats import poisson

_logger = logging.getLogger(__name__)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def offered_load(calls: ArrayLike, aht_seconds: ArrayLike, interval_seconds: float) -> FloatArray:
    """Offered traffic in Erlangs: calls x average handling time / interval length."""
    if interval_seconds <= 0:
        raise ValueError(f"interval_seconds: must be positive, got {interval_seconds}")
    calls_arr = np.asarray(calls, dtype=float)
    aht_arr = np.asarray(aht_seconds, dtype=float)
    if np.any(calls_arr < 0):
        raise ValueError("calls: loads must not be negative")
    if np.any(aht_arr <= 0):
        raise ValueError("aht_seconds: must be positive")
    return calls_arr * aht_arr / float(interval_seconds)


def erlang_b(load: ArrayLike, agents: ArrayLike) -> FloatArray:
    """Blocking probability of an M/M/n/n system with `agents` servers and `load` Erlangs."""
    load_arr, agents_arr = np.broadcast_arrays(
        np.asarray(load, dtype=float), np.asarray(agents, dtype=np.int64)
    )
    if np.any(agents_arr < 0):
        raise ValueError("agents: must not be negative")
    blocking = np.ones(load_arr.shape, dtype=float)
    result = np.ones(load_arr.shape, dtype=float)
    most = int(agents_arr.max(initial=0))
    for n in range(1, most + 1):
        carried = load_arr * blocking
        blocking = carried / (n + carried)
        result = np.where(agents_arr == n, blocking, result)
    return result


def erlang_c(load: ArrayLike, agents: ArrayLike) -> FloatArray:
    """Probability that a call waits (M/M/n queue); 1 when the agents cannot carry the load."""
    load_arr, agents_arr = np.broadcast_arrays(
        np.asarray(load, dtype=float), np.asarray(agents, dtype=np.int64)
    )
    blocking = erlang_b(load_arr, agents_arr)
    stable = agents_arr > load_arr
    with np.errstate(divide="ignore", invalid="ignore"):
        waiting = agents_arr * blocking / (agents_arr - load_arr * (1.0 - blocking))
    return np.where(stable, np.clip(waiting, 0.0, 1.0), 1.0)


def service_level(
    load: ArrayLike, agents: ArrayLike, aht_seconds: ArrayLike, answer_within_seconds: float
) -> FloatArray:
    """Share of calls answered within `answer_within_seconds` (0 for an overloaded interval)."""
    load_arr, agents_arr, aht_arr = np.broadcast_arrays(
        np.asarray(load, dtype=float),
        np.asarray(agents, dtype=np.int64),
        np.asarray(aht_seconds, dtype=float),
    )
    waiting = erlang_c(load_arr, agents_arr)
    decay = np.exp(-(agents_arr - load_arr) * answer_within_seconds / aht_arr)
    level = np.where(agents_arr > load_arr, 1.0 - waiting * decay, 0.0)
    return np.where(load_arr <= 0, 1.0, np.clip(level, 0.0, 1.0))


def average_speed_of_answer(
    load: ArrayLike, agents: ArrayLike, aht_seconds: ArrayLike
) -> FloatArray:
    """Mean wait in seconds over all calls (infinite for an overloaded interval)."""
    load_arr, agents_arr, aht_arr = np.broadcast_arrays(
        np.asarray(load, dtype=float),
        np.asarray(agents, dtype=np.int64),
        np.asarray(aht_seconds, dtype=float),
    )
    waiting = erlang_c(load_arr, agents_arr)
    with np.errstate(divide="ignore", invalid="ignore"):
        asa = waiting * aht_arr / (agents_arr - load_arr)
    asa = np.where(agents_arr > load_arr, asa, np.inf)
    return np.where(load_arr <= 0, 0.0, asa)


def agents_for_target(
    load: ArrayLike,
    aht_seconds: ArrayLike,
    *,
    service_level_target: float | None = 0.8,
    answer_within_seconds: float = 20.0,
    asa_target_seconds: float | None = None,
    max_occupancy: float = 1.0,
) -> IntArray:
    """Fewest agents per interval that meet every target given (Erlang C, before shrinkage).

    Targets: a service level (share of calls answered within `answer_within_seconds`), an
    average speed of answer, and a maximum occupancy (load / agents). An interval without load
    needs no agent. All intervals are searched together, one agent count at a time.
    """
    if service_level_target is not None and not 0.0 < service_level_target < 1.0:
        raise ValueError(f"service_level: must lie in (0, 1), got {service_level_target}")
    if asa_target_seconds is not None and asa_target_seconds <= 0:
        raise ValueError(f"asa: must be positive, got {asa_target_seconds}")
    if answer_within_seconds < 0:
        raise ValueError(f"answer_within: must not be negative, got {answer_within_seconds}")
    if not 0.0 < max_occupancy <= 1.0:
        raise ValueError(f"max_occupancy: must lie in (0, 1], got {max_occupancy}")
    load_arr, aht_arr = np.broadcast_arrays(
        np.asarray(load, dtype=float), np.asarray(aht_seconds, dtype=float)
    )
    if np.any(~np.isfinite(load_arr)) or np.any(load_arr < 0):
        raise ValueError("load: must be finite and not negative")
    shape = load_arr.shape
    load_flat = load_arr.ravel()
    aht_flat = aht_arr.ravel()
    needed = np.zeros(load_flat.shape, dtype=np.int64)
    pending = load_flat > 0
    # The occupancy cap alone fixes a floor; the queue targets are checked from n = 1 upwards.
    floor = np.ceil(load_flat / max_occupancy - 1e-9).astype(np.int64)
    blocking = np.ones(load_flat.shape, dtype=float)
    n = 0
    while pending.any():
        n += 1
        carried = load_flat * blocking
        blocking = carried / (n + carried)
        candidates = pending & (n > load_flat) & (n >= floor)
        if not candidates.any():
            continue
        idx = np.flatnonzero(candidates)
        a, b, h = load_flat[idx], blocking[idx], aht_flat[idx]
        waiting = np.clip(n * b / (n - a * (1.0 - b)), 0.0, 1.0)
        ok = np.ones(idx.shape, dtype=bool)
        if service_level_target is not None:
            level = 1.0 - waiting * np.exp(-(n - a) * answer_within_seconds / h)
            ok &= level >= service_level_target
        if asa_target_seconds is not None:
            ok &= waiting * h / (n - a) <= asa_target_seconds
        done = idx[ok]
        needed[done] = n
        pending[done] = False
    return needed.reshape(shape)


def rostered_heads(agents: ArrayLike, shrinkage: float) -> IntArray:
    """People to roster so that `agents` remain on the phones after shrinkage (breaks, absence)."""
    if not 0.0 <= shrinkage < 1.0:
        raise ValueError(f"shrinkage: must lie in [0, 1), got {shrinkage}")
    agents_arr = np.asarray(agents, dtype=float)
    return np.ceil(agents_arr / (1.0 - shrinkage) - 1e-9).astype(np.int64)


# -- Erlang A: callers who abandon ---------------------------------------------------------------
def erlang_a(
    calls: ArrayLike,
    aht_seconds: ArrayLike,
    patience_seconds: ArrayLike,
    agents: ArrayLike,
    interval_seconds: float,
    answer_within_seconds: float,
) -> dict[str, FloatArray]:
    """Erlang A (M/M/n+M) per interval: callers abandon after an exponential patience.

    Returns `wait_probability`, `abandon_probability`, `service_level` (share of all calls
    answered within `answer_within_seconds`) and `average_wait` (seconds in queue per call, over
    all calls, by Little's law). The stationary distribution is summed in log space
    and truncated where it falls below e^-40 of its peak; the time to be answered is the
    phase-type passage of a caller through the queue, evaluated by uniformisation.
    """
    calls_arr, aht_arr, patience_arr, agents_arr = np.broadcast_arrays(
        np.asarray(calls, dtype=float),
        np.asarray(aht_seconds, dtype=float),
        np.asarray(patience_seconds, dtype=float),
        np.asarray(agents, dtype=np.int64),
    )
    if np.any(patience_arr <= 0):
        raise ValueError("patience: must be positive")
    if np.any(aht_arr <= 0):
        raise ValueError("aht_seconds: must be positive")
    shape = calls_arr.shape
    out = {
        name: np.zeros(calls_arr.size)
        for name in ("wait_probability", "abandon_probability", "service_level", "average_wait")
    }
    for i, (c, h, p, n) in enumerate(
        zip(
            calls_arr.ravel(),
            aht_arr.ravel(),
            patience_arr.ravel(),
            agents_arr.ravel(),
            strict=True,
        )
    ):
        wait, abandon, level = _erlang_a_interval(
            c / interval_seconds, 1.0 / h, 1.0 / p, int(n), answer_within_seconds
        )
        out["wait_probability"][i] = wait
        out["abandon_probability"][i] = abandon
        out["service_level"][i] = level
        out["average_wait"][i] = abandon * p if c > 0 else 0.0
    return {name: values.reshape(shape) for name, values in out.items()}


def _erlang_a_interval(
    arrival: float, service: float, abandon: float, agents: int, within: float
) -> tuple[float, float, float]:
    """Wait probability, abandonment probability and service level of one M/M/n+M queue."""
    if arrival <= 0:
        return 0.0, 0.0, 1.0
    # Log stationary weights: states 0..n (all callers served), then n + j (j waiting).
    k = np.arange(agents + 1)
    log_busy = k * np.log(arrival / service) - gammaln(k + 1)
    log_queue = [np.zeros(0)]
    last, j0 = log_busy[-1], 0
    while True:
        j = np.arange(j0 + 1, j0 + 1025)
        steps = np.log(arrival) - np.log(agents * service + j * abandon)
        chunk = last + np.cumsum(steps)
        log_queue.append(chunk)
        last, j0 = chunk[-1], j0 + 1024
        peak = max(log_busy.max(), max(c.max() for c in log_queue if c.size))
        if (steps[-1] < 0 and last < peak - 40.0) or j0 > 2_000_000:
            break
    log_waiting = np.concatenate([[log_busy[-1]], *log_queue])  # j = 0, 1, 2, ...
    log_all = np.concatenate([log_busy[:-1], log_waiting])
    top = log_all.max()
    total = np.exp(log_all - top).sum()
    p_free = np.exp(log_busy[:-1] - top) / total  # arrivals served at once
    p_wait = np.exp(log_waiting - top) / total  # arrival finds j callers already waiting
    keep = np.flatnonzero(p_wait > 1e-15 * max(p_wait.max(), 1e-300))
    p_wait = p_wait[: keep[-1] + 1] if keep.size else p_wait[:1]
    j = np.arange(p_wait.size)
    mean_queue = float(np.sum(j * p_wait))  # callers waiting, time-average (PASTA)
    abandon_probability = abandon * mean_queue / arrival
    answered_in_time = _answered_within(p_wait, agents * service, abandon, within)
    return float(p_wait.sum()), abandon_probability, float(p_free.sum()) + answered_in_time


def _answered_within(
    p_wait: np.ndarray, service_rate: float, abandon: float, within: float
) -> float:
    """Probability mass of callers who wait but are answered within `within` seconds.

    A caller with i callers ahead leaves that position at rate service_rate + (i + 1) abandon:
    forward (service or an abandonment ahead) with rate service_rate + i abandon, or by
    abandoning. Uniformisation sums the chance of being answered by `within` over all positions.
    """
    if within <= 0:
        return 0.0
    size = p_wait.size
    i = np.arange(size)
    forward = service_rate + i * abandon
    leave = forward + abandon
    rate = float(leave[-1])
    mean = rate * within
    steps = int(mean + 10.0 * np.sqrt(mean) + 20)
    weights = poisson.pmf(np.arange(steps + 1), mean)
    answered = np.zeros(size)  # answered within k uniformised steps, per starting position
    result = 0.0
    for k in range(1, steps + 1):
        moved = np.empty(size)
        moved[0] = forward[0] / rate  # head of the queue: the next free agent answers
        moved[1:] = forward[1:] / rate * answered[:-1]
        answered = moved + (1.0 - leave / rate) * answered
        result += weights[k] * float(p_wait @ answered)
    return result


def agents_for_target_with_abandonment(
    calls: ArrayLike,
    aht_seconds: float,
    patience_seconds: float,
    interval_seconds: float,
    *,
    service_level_target: float | None = 0.8,
    answer_within_seconds: float = 20.0,
    asa_target_seconds: float | None = None,
    max_occupancy: float = 1.0,
) -> IntArray:
    """Fewest agents per interval meeting every target under Erlang A (callers abandon).

    Abandonment shortens the queue, so Erlang A usually needs fewer agents than Erlang C for
    the same promise. Each interval is searched by bisection (service level and wait improve
    with every agent added); occupancy counts only the calls that are answered.
    """
    if patience_seconds <= 0:
        raise ValueError(f"patience: must be positive, got {patience_seconds}")
    if service_level_target is not None and not 0.0 < service_level_target < 1.0:
        raise ValueError(f"service_level: must lie in (0, 1), got {service_level_target}")
    if not 0.0 < max_occupancy <= 1.0:
        raise ValueError(f"max_occupancy: must lie in (0, 1], got {max_occupancy}")
    calls_arr = np.asarray(calls, dtype=float)
    if np.any(~np.isfinite(calls_arr)) or np.any(calls_arr < 0):
        raise ValueError("calls: must be finite and not negative")
    load = calls_arr * aht_seconds / interval_seconds

    def meets(volume: float, offered: float, n: int) -> bool:
        if n == 0:
            return False
        result = erlang_a(
            volume, aht_seconds, patience_seconds, n, interval_seconds, answer_within_seconds
        )
        carried = offered * (1.0 - float(result["abandon_probability"]))
        ok = carried / n <= max_occupancy + 1e-12
        if service_level_target is not None:
            ok = ok and float(result["service_level"]) >= service_level_target
        if asa_target_seconds is not None:
            ok = ok and float(result["average_wait"]) <= asa_target_seconds
        return ok

    needed = np.zeros(calls_arr.size, dtype=np.int64)
    for i, (volume, offered) in enumerate(zip(calls_arr.ravel(), load.ravel(), strict=True)):
        if volume <= 0:
            continue
        high = max(1, int(np.ceil(offered)) + 1)
        while not meets(volume, offered, high):
            high *= 2
        low = 0  # never enough
        while high - low > 1:
            middle = (low + high) // 2
            if meets(volume, offered, middle):
                high = middle
            else:
                low = middle
        needed[i] = high
    return needed.reshape(calls_arr.shape)
