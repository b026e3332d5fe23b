"""Reports a person wants to read: Markdown or HTML with charts, and the same numbers as JSON.

`write_comparison` writes `comparison.json`, `cover.png`, `service_level.png` and `report.md`
(or `report.html`) for one scenario; `write_sweep` writes `sweep.json`, `sweep.png` and the
report for a sweep.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from pathlib import Path
from typing import Literal

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from scenarios.run import Comparison, Outcome, SlotRow, SweepResult, total_cost

_logger = logging.getLogger(__name__)

Format = Literal["md", "html"]
Block = tuple
"""("h1"|"h2"|"p", text), ("table", header, rows) or ("img", file name, caption)."""

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


# -- numbers as words --
def money(value: float) -> str:
    return f"{value:,.0f}"


def signed(value: float, unit: str = "") -> str:
    return f"{value:+,.1f}{unit}" if value % 1 else f"{value:+,.0f}{unit}"


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def day_label(start: dt.date, day: int) -> str:
    date = start + dt.timedelta(days=day)
    return f"{DAY_NAMES[date.weekday()]} {date:%d %b}"


def extra_shift_phrase(extra: dict[str, int]) -> str:
    """'15 extra evening shifts, 4 extra late shifts and 5 fewer flex shifts'."""
    parts = [
        f"{abs(n)} {'extra' if n > 0 else 'fewer'} {template} shift{'s' if abs(n) != 1 else ''}"
        for template, n in sorted(extra.items(), key=lambda kv: -kv[1])
        if n
    ]
    if not parts:
        return "no extra shifts"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


# -- one scenario --
MEASURE_ROWS = (
    ("Shifts", "shifts", str),
    ("Paid hours", "paid_hours", lambda v: f"{v:,.1f}"),
    ("Labour cost (with overtime)", "labour_cost", money),
    ("Overtime hours", "overtime_hours", lambda v: f"{v:,.1f}"),
    ("Temporary staff hours", "temporary_hours", lambda v: f"{v:,.1f}"),
    ("Under-cover (person-hours)", "under_cover_person_hours", lambda v: f"{v:,.1f}"),
    ("Service level, mean over slots", "service_level", percent),
    ("Contacts answered in time", "service_level_weighted", percent),
    ("Slots meeting the target", "slots_meeting_target", percent),
    ("Wishes honoured", "preference_satisfaction", percent),
    ("Spread of hours in a contract", "fairness.hours_spread", lambda v: f"{v:,.1f}"),
    ("Spread of evening shifts", "fairness.unpopular_spread", str),
    ("Baseline shifts changed", "changed_assignments", str),
    ("Hard-rule violations", "hard_violations", str),
)


def _value(outcome: Outcome, path: str):
    value = outcome
    for part in path.split("."):
        value = getattr(value, part)
    return value


def comparison_blocks(c: Comparison, charts: dict[str, str]) -> list[Block]:
    """The report of one scenario, as blocks."""
    start = dt.date.fromisoformat(c.start_date)
    before, after, without = c.baseline, c.scenario, c.without_extra_shifts
    cost_change = after.labour_cost - before.labour_cost
    blocks: list[Block] = [
        ("h1", f"Scenario: {c.name} (version {c.version})"),
        ("p", c.description or ""),
        ("p", f"Baseline: {c.baseline_name}. Mode: {c.mode.replace('_', ' ')}."),
        ("h2", "In short"),
        (
            "p",
            f"The scenario needs {extra_shift_phrase(after.extra_shifts)} against the baseline "
            f"roster, {signed(after.paid_hours - before.paid_hours)} paid hours, at a labour cost "
            f"of {money(after.labour_cost)} ({cost_change:+,.0f}; overtime "
            f"{after.overtime_hours:,.1f} h, temporary staff {after.temporary_hours:,.1f} h).",
        ),
        (
            "p",
            f"Service level (mean over slots): {percent(before.service_level)} in the baseline; "
            f"{percent(without.service_level)} for the scenario's load with the roster as it is "
            f"(without the extra shifts); {percent(after.service_level)} with them. Uncovered "
            f"person-hours: {before.under_cover_person_hours:,.1f} -> "
            f"{without.under_cover_person_hours:,.1f} without -> "
            f"{after.under_cover_person_hours:,.1f} with the extra shifts.",
        ),
    ]
    if c.budget is not None:
        verdict = "within" if c.within_budget else "over"
        blocks.append(("p", f"Budget {money(c.budget)}: the scenario's roster is {verdict} it."))
    rows = [
        [
            label,
            _fmt(fmt, _value(before, path)),
            _fmt(fmt, _value(without, path)),
            _fmt(fmt, _value(after, path)),
        ]
        for label, path, fmt in MEASURE_ROWS
    ]
    blocks += [
        ("h2", "Baseline and scenario"),
        ("table", ["", "Baseline", "Scenario load, baseline roster", "Scenario"], rows),
        ("h2", "Extra shifts by template and day"),
        extra_shift_table(after, start),
        ("img", charts["cover"], "People asked for and rostered per slot, before and after"),
        ("img", charts["service_level"], "Service level per slot (Erlang C, after shrinkage)"),
    ]
    return blocks


def _fmt(fmt, value) -> str:
    return "n/a" if value is None else fmt(value)


def extra_shift_table(after: Outcome, start: dt.date) -> Block:
    days = sorted({d for by_day in after.extra_shifts_by_day.values() for d in by_day})
    header = ["Template", *[day_label(start, d) for d in days], "Total"]
    rows = [
        [
            template,
            *[signed(by_day.get(d, 0)) if by_day.get(d) else "" for d in days],
            signed(after.extra_shifts.get(template, 0)),
        ]
        for template, by_day in after.extra_shifts_by_day.items()
    ]
    return ("table", header, rows or [["(none)", "0"]])


def cover_chart(c: Comparison, path: Path) -> None:
    """Per skill: people asked for and rostered in every slot of the week, before and after."""
    skills = sorted({r.skill or "any" for r in c.slots})
    fig, axes = plt.subplots(len(skills), 1, figsize=(13, 3.2 * len(skills)), squeeze=False)
    for ax, skill in zip(axes[:, 0], skills, strict=True):
        rows = [r for r in c.slots if (r.skill or "any") == skill]
        x = range(len(rows))
        ax.step(
            x,
            [r.required_before for r in rows],
            where="post",
            color="grey",
            ls="--",
            label="asked for, baseline",
        )
        ax.step(
            x,
            [r.required_after for r in rows],
            where="post",
            color="tab:red",
            ls="--",
            label="asked for, scenario",
        )
        ax.step(
            x,
            [r.rostered_before for r in rows],
            where="post",
            color="tab:blue",
            label="rostered, baseline",
        )
        ax.step(
            x,
            [r.rostered_after for r in rows],
            where="post",
            color="tab:green",
            label="rostered, scenario",
        )
        _day_ticks(ax, rows, dt.date.fromisoformat(c.start_date))
        ax.set_ylabel(f"{skill}: people")
        ax.legend(loc="upper left", fontsize=8, ncol=4)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def service_level_chart(c: Comparison, path: Path, target: float | None) -> None:
    """Per skill: service level per slot in the baseline, without and with the extra shifts."""
    skills = sorted({r.skill or "any" for r in c.slots})
    fig, axes = plt.subplots(len(skills), 1, figsize=(13, 3.2 * len(skills)), squeeze=False)
    for ax, skill in zip(axes[:, 0], skills, strict=True):
        rows = [r for r in c.slots if (r.skill or "any") == skill]
        x = range(len(rows))
        for attr, colour, label in (
            ("service_level_before", "tab:blue", "baseline"),
            ("service_level_without", "tab:orange", "scenario load, baseline roster"),
            ("service_level_after", "tab:green", "scenario"),
        ):
            values = [getattr(r, attr) for r in rows]
            ax.plot(
                x,
                [float("nan") if v is None else v for v in values],
                color=colour,
                label=label,
                lw=1.2,
            )
        if target:
            ax.axhline(target, color="grey", ls=":", lw=1, label="target")
        ax.set_ylim(0, 1.02)
        _day_ticks(ax, rows, dt.date.fromisoformat(c.start_date))
        ax.set_ylabel(f"{skill}: service level")
        ax.legend(loc="lower left", fontsize=8, ncol=4)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _day_ticks(ax, rows: list[SlotRow], start: dt.date) -> None:
    firsts = [i for i, r in enumerate(rows) if i == 0 or rows[i - 1].day != r.day]
    for i in firsts[1:]:
        ax.axvline(i - 0.5, color="lightgrey", lw=0.8)
    ax.set_xticks(firsts)
    ax.set_xticklabels([day_label(start, rows[i].day) for i in firsts], fontsize=8)


def write_comparison(c: Comparison, out: Path, fmt: Format = "md") -> Path:
    """Write comparison.json, the charts and the report into `out`; return the report's path."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "comparison.json").write_text(c.model_dump_json(indent=2), encoding="utf-8")
    charts = {"cover": "cover.png", "service_level": "service_level.png"}
    cover_chart(c, out / charts["cover"])
    service_level_chart(c, out / charts["service_level"], c.service_level_target)
    return write_report(comparison_blocks(c, charts), out, fmt)


# -- sweeps --
OPTION_LABELS = {
    "scenario": "as written",
    "overtime": "overtime only",
    "temporary": "temporary staff only",
}


def sweep_chart(s: SweepResult, path: Path) -> None:
    """Cost (labour, and with uncovered hours priced) and service level against the value."""
    fig, (cost_ax, level_ax) = plt.subplots(1, 2, figsize=(12, 4.2))
    levels = [s.baseline.service_level or 0.0]
    for name, label in OPTION_LABELS.items():
        points = [(p.value, getattr(p, name)) for p in s.points if getattr(p, name) is not None]
        if not points:
            continue
        x = [v for v, _ in points]
        line = cost_ax.plot(x, [o.labour_cost for _, o in points], marker="o", label=label)[0]
        cost_ax.plot(
            x,
            [total_cost(o, s.unmet_hour_cost) for _, o in points],
            ls="--",
            color=line.get_color(),
            label=f"{label}, with uncovered hours",
        )
        level_ax.plot(x, [o.service_level or 0 for _, o in points], marker="o", label=label)
        levels += [o.service_level or 0.0 for _, o in points]
    cost_ax.axhline(s.baseline.labour_cost, color="grey", ls=":", label="baseline")
    level_ax.axhline(s.baseline.service_level or 0, color="grey", ls=":", label="baseline")
    if s.break_even is not None:
        cost_ax.axvline(s.break_even, color="black", lw=0.8, label="break-even")
    xlabel = _param_label(s.param)
    cost_ax.set(xlabel=xlabel, ylabel="cost of the week", title="Cost")
    bottom = max(0.0, min(levels) - 0.05)
    level_ax.set(
        xlabel=xlabel, ylabel="mean service level", title="Service level", ylim=(bottom, 1.0)
    )
    cost_ax.legend(fontsize=7)
    level_ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _param_label(param: str) -> str:
    return {
        "uplift": "demand uplift (%)",
        "absence_rate": "absence rate (%)",
        "overtime_hours": "overtime allowed (hours a week)",
        "hires": "temporary hires",
    }[param]


def sweep_blocks(s: SweepResult, chart: str) -> list[Block]:
    blocks: list[Block] = [
        ("h1", f"Sweep: {s.name} (version {s.version}) over {_param_label(s.param)}"),
        (
            "p",
            f"{s.solves} solves of {s.time_limit:g} s in {s.jobs} parallel job(s), "
            f"{s.wall_time:.0f} s in all. Baseline: labour cost {money(s.baseline.labour_cost)}, "
            f"service level {percent(s.baseline.service_level)}.",
        ),
    ]
    if any(p.overtime is not None for p in s.points):
        if s.break_even is None:
            text = "Temporary staff never beats overtime over this range"
        else:
            text = f"Break-even: from {s.break_even:g} on, temporary staff beats overtime"
        blocks.append(
            (
                "p",
                f"{text} (labour cost plus {money(s.unmet_hour_cost)} per uncovered person-hour).",
            )
        )
    header = [
        s.param,
        "option",
        "labour cost",
        "overtime h",
        "temporary h",
        "uncovered h",
        "service level",
        "extra shifts",
    ]
    if s.budget is not None:
        header.append(f"within budget ({money(s.budget)})")
    rows = []
    for point in s.points:
        for name, label in OPTION_LABELS.items():
            o = getattr(point, name)
            if o is None:
                continue
            rows.append(
                [
                    f"{point.value:g}",
                    label,
                    money(o.labour_cost),
                    f"{o.overtime_hours:,.1f}",
                    f"{o.temporary_hours:,.1f}",
                    f"{o.under_cover_person_hours:,.1f}",
                    percent(o.service_level),
                    extra_shift_phrase(o.extra_shifts),
                ]
                + ([] if s.budget is None else ["yes" if o.labour_cost <= s.budget else "no"])
            )
    blocks += [("table", header, rows), ("img", chart, "Cost and service level curves")]
    return blocks


def write_sweep(s: SweepResult, out: Path, fmt: Format = "md") -> Path:
    """Write sweep.json, sweep.png and the report into `out`; return the report's path."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "sweep.json").write_text(s.model_dump_json(indent=2), encoding="utf-8")
    sweep_chart(s, out / "sweep.png")
    return write_report(sweep_blocks(s, "sweep.png"), out, fmt)


# -- rendering --
def write_report(blocks: list[Block], out: Path, fmt: Format) -> Path:
    path = out / f"report.{fmt}"
    text = render_markdown(blocks) if fmt == "md" else render_html(blocks)
    path.write_text(text, encoding="utf-8")
    return path


def render_markdown(blocks: list[Block]) -> str:
    lines: list[str] = []
    for block in blocks:
        kind = block[0]
        if kind in ("h1", "h2"):
            lines += [("#" if kind == "h1" else "##") + " " + block[1], ""]
        elif kind == "p":
            if block[1]:
                lines += [block[1], ""]
        elif kind == "table":
            header, rows = block[1], block[2]
            lines.append("| " + " | ".join(header) + " |")
            lines.append("|" + "---|" * len(header))
            lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
            lines.append("")
        elif kind == "img":
            lines += [f"![{block[2]}]({block[1]})", ""]
    return "\n".join(lines)


def render_html(blocks: list[Block]) -> str:
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>shiftopt scenario</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;"
        "text-align:right}td:first-child{text-align:left}img{max-width:100%}</style>",
        "</head><body>",
    ]
    for block in blocks:
        kind = block[0]
        if kind in ("h1", "h2", "p"):
            if block[1]:
                parts.append(f"<{kind}>{html.escape(block[1])}</{kind}>")
        elif kind == "table":
            head = "".join(f"<th>{html.escape(str(h))}</th>" for h in block[1])
            body = "".join(
                "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
                for row in block[2]
            )
            parts.append(f"<table><tr>{head}</tr>{body}</table>")
        elif kind == "img":
            parts.append(
                f"<figure><img src='{html.escape(block[1])}' alt='{html.escape(block[2])}'>"
                f"<figcaption>{html.escape(block[2])}</figcaption></figure>"
            )
    parts.append("</body></html>")
    return "\n".join(parts)
