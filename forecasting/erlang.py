"""Queueing formulas for staffing: Erlang B, Erlang C and the agents a service target needs.

Every function takes numpy arrays (one value per interval) and works on all intervals at once.
Erlang B is computed by its recursion B(n) = A B(n-1) / (n + A B(n-1)), which stays inside [0, 1]
for any load, so hundreds or thousands of agents neither overflow nor lose precision.
"""

from __future__ import annotations

import logging

import numpy as np
from numpy.typing import ArrayLike, NDArray

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
