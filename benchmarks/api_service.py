"""Benchmark the service end to end: a live `shiftopt serve --demo`, driven over HTTP.

Measures (1) how long a 50-employee department's week takes from submission to its final
roster, (2) p50/p95 latency of reading a roster and of submitting a solve job under concurrent
clients, and (3) that Curtois & Qu instances posted as problem JSON come back with the objective
the CLI reaches with the same settings. Every roster is checked by the independent validator.

    .venv/bin/python benchmarks/api_service.py --curtois-dir ../shared/benchmarks/curtois
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from optimizer import Problem, Solution, validate

REPO = Path(__file__).resolve().parents[1]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (20)")
    parser.add_argument("--requests", type=int, default=25, help="roster reads per client (25)")
    parser.add_argument("--submissions", type=int, default=2, help="job submissions per client (2)")
    parser.add_argument(
        "--time-limit", type=float, default=8.0, help="solver seconds for the 50-person week (8)"
    )
    parser.add_argument(
        "--curtois-dir",
        type=Path,
        default=REPO.parent / "shared" / "benchmarks" / "curtois",
        help="folder with the Curtois & Qu instances (default ../shared/benchmarks/curtois)",
    )
    parser.add_argument(
        "--instances",
        default="Instance1,Instance2,Instance3",
        help="comma-separated Curtois instances to compare API and CLI on",
    )
    parser.add_argument(
        "--curtois-time-limit", type=float, default=10.0, help="solver seconds per instance (10)"
    )
    return parser.parse_args(argv)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_demo(data_dir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "SHIFTOPT_DATA_DIR": str(data_dir)}
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--demo", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the service did not start")


def log_in(client: httpx.Client, user: str, password: str) -> dict[str, str]:
    reply = client.post("/api/v1/auth/token", data={"username": user, "password": password})
    reply.raise_for_status()
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}


def wait_finished(client: httpx.Client, headers: dict, job_id: str) -> tuple[dict, float]:
    started = time.perf_counter()
    while True:
        job = client.get(f"/api/v1/solve-jobs/{job_id}", headers=headers).json()
        if job["status"] not in ("queued", "running"):
            return job, time.perf_counter() - started
        time.sleep(0.05)


def department_id(client: httpx.Client, headers: dict, name: str) -> int:
    departments = client.get("/api/v1/departments", headers=headers).json()
    return next(d["id"] for d in departments if d["name"] == name)


def solve_week(client, headers, dept: int, week: str, time_limit: float) -> dict:
    """Submit a department week and wait for its final roster; returns figures."""
    started = time.perf_counter()
    reply = client.post(
        "/api/v1/solve-jobs",
        json={"department_id": dept, "week": week, "settings": {"time_limit": time_limit}},
        headers=headers,
    )
    reply.raise_for_status()
    job, _ = wait_finished(client, headers, reply.json()["id"])
    elapsed = time.perf_counter() - started
    solution = Solution.model_validate(job["solution"])
    roster = client.get(f"/api/v1/rosters/{job['roster_id']}", headers=headers).json()
    return {
        "seconds": elapsed,
        "status": solution.status,
        "objective": solution.objective,
        "gap": solution.gap,
        "shifts": len(solution.assignments),
        "hard_violations": len(roster["hard_violations"]),
        "roster_id": job["roster_id"],
    }


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return p50 * 1000, p95 * 1000


def concurrent(clients: int, work) -> tuple[list[float], float]:
    """Run `work(client_index) -> list[latency]` in `clients` threads at once; also returns
    the wall time of the whole burst."""
    latencies: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def run(index: int) -> None:
        barrier.wait()
        mine = work(index)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - started


def read_latency(base: str, headers: dict, roster_id: int, clients: int, requests: int):
    def work(_index: int) -> list[float]:
        out = []
        with httpx.Client(base_url=base, timeout=60) as client:
            for _ in range(requests):
                started = time.perf_counter()
                client.get(f"/api/v1/rosters/{roster_id}", headers=headers).raise_for_status()
                out.append(time.perf_counter() - started)
        return out

    return concurrent(clients, work)  # (latencies, wall time)


def submit_latency(base: str, headers: dict, dept: int, week: str, clients: int, count: int):
    job_ids: list[str] = []

    def work(_index: int) -> list[float]:
        out = []
        with httpx.Client(base_url=base, timeout=60) as client:
            for _ in range(count):
                started = time.perf_counter()
                reply = client.post(
                    "/api/v1/solve-jobs",
                    json={"department_id": dept, "week": week, "settings": {"time_limit": 1}},
                    headers=headers,
                )
                out.append(time.perf_counter() - started)
                assert reply.status_code == 202, reply.text
                job_ids.append(reply.json()["id"])
        return out

    latencies, wall = concurrent(clients, work)
    return latencies, wall, job_ids


def curtois_comparison(base: str, headers: dict, args: argparse.Namespace, work: Path):
    """Instance -> problem JSON -> CLI solve and API solve with the same settings."""
    rows = []
    shiftopt = [sys.executable, "-m", "api.cli"]
    settings = {"time_limit": args.curtois_time_limit, "workers": 1, "seed": 0}
    with httpx.Client(base_url=base, timeout=60) as client:
        for name in args.instances.split(","):
            source = args.curtois_dir / f"{name}.txt"
            problem_path = work / f"{name}.json"
            cli_path = work / f"{name}.cli.json"
            subprocess.run([*shiftopt, "convert", str(source), str(problem_path)], check=True)
            subprocess.run(
                [
                    *shiftopt,
                    "solve",
                    str(problem_path),
                    "--time-limit",
                    str(args.curtois_time_limit),
                    "--workers",
                    "1",
                    "--seed",
                    "0",
                    "--quiet",
                    "-o",
                    str(cli_path),
                ],
                check=True,
            )
            problem_json = json.loads(problem_path.read_text())
            problem = Problem.model_validate(problem_json)
            cli = Solution.model_validate_json(cli_path.read_text())
            reply = client.post(
                "/api/v1/solve-jobs",
                json={"problem": problem_json, "settings": settings},
                headers=headers,
            )
            reply.raise_for_status()
            job, _ = wait_finished(client, headers, reply.json()["id"])
            api = Solution.model_validate(job["solution"])
            api_report = validate(problem, api.assignments)
            cli_report = validate(problem, cli.assignments)
            rows.append(
                (
                    name,
                    cli.status,
                    cli_report.objective,
                    len(cli_report.hard_violations),
                    api.status,
                    api_report.objective,
                    len(api_report.hard_violations),
                )
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        process, base = start_demo(work)
        try:
            with httpx.Client(base_url=base, timeout=60) as client:
                hr = log_in(client, "hr", "demo-hr")
                ops = log_in(client, "manager.operations", "demo-manager")
                cs = log_in(client, "manager.customer-service", "demo-manager")
                from api.demo import next_monday

                week = next_monday().isoformat()
                ops_id = department_id(client, ops, "Operations")
                cs_id = department_id(client, cs, "Customer service")
                people = len(
                    client.get(f"/api/v1/employees?department_id={ops_id}", headers=ops).json()
                )
                ops_result = solve_week(client, ops, ops_id, week, args.time_limit)
                cs_result = solve_week(client, cs, cs_id, week, 20)
            print(
                f"## 50-person week: Operations ({people} employees, 3 shifts, 7 days), "
                f"time limit {args.time_limit} s"
            )
            print(json.dumps(ops_result))
            print("## Customer service (80 employees, interval demand), time limit 20 s")
            print(json.dumps(cs_result))
            reads, wall = read_latency(
                base, cs, cs_result["roster_id"], args.clients, args.requests
            )
            p50, p95 = percentiles(reads)
            print(
                f"## read roster ({cs_result['shifts']} shifts): {len(reads)} requests, "
                f"{args.clients} clients: p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
                f"{len(reads) / wall:.0f} requests/s"
            )
            submits, wall, job_ids = submit_latency(
                base, cs, cs_id, week, args.clients, args.submissions
            )
            p50, p95 = percentiles(submits)
            print(
                f"## submit job (Customer service week): {len(submits)} requests, "
                f"{args.clients} clients: p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
                f"{len(submits) / wall:.1f} requests/s"
            )
            with httpx.Client(base_url=base, timeout=60) as client:
                for job_id in job_ids:
                    client.delete(f"/api/v1/solve-jobs/{job_id}", headers=cs)
            if args.curtois_dir.exists():
                print("## Curtois & Qu via the API vs the CLI (workers 1, seed 0)")
                print(
                    "| instance | CLI status | CLI objective | CLI hard | API status | "
                    "API objective | API hard |"
                )
                for row in curtois_comparison(base, hr, args, work):
                    print("| " + " | ".join(str(x) for x in row) + " |")
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
