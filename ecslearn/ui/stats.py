"""`ecslearn stats` on screen: Rich tables with text bars and sparklines (readable in 80 columns and without colour)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ecslearn.ui.exam import bar

_SPARK = "▁▂▃▄▅▆▇█"


def spark(values: list[float | None]) -> str:
    """One character per week: ▁ (0%) to █ (100%), · for a week without answers."""
    out = []
    for v in values:
        out.append("·" if v is None else _SPARK[min(len(_SPARK) - 1, int(v * (len(_SPARK) - 1) + 0.5))])
    return "".join(out)


def _pct(acc: float | None) -> str:
    return "-" if acc is None else f"{round(100 * acc)}%"


def _accuracy(row: dict[str, Any]) -> str:
    acc = row["accuracy"]
    return "-" if acc is None else f"{bar(acc, 10)} {_pct(acc):>4}"


def render_stats(console: Console, doc: dict[str, Any]) -> None:
    lessons = doc["lessons"]
    total = f" of {lessons['total']}" if lessons.get("total") else ""
    console.print(Text(f"Lessons: {lessons['done']}{total} done, {lessons['in_progress']} in progress",
                       style="ecs.heading"))
    answers = doc["answers"]
    weeks = [w["accuracy"] for w in answers["weeks"]]
    first_week = answers["weeks"][0]["week"] if answers["weeks"] else ""
    console.print(Text(f"Answers: {answers['answered']}, {_pct(answers['accuracy'])} right · weekly since "
                       f"{first_week}: {spark(weeks)}", style="ecs.heading"))
    if doc["by_topic"]:
        table = Table(title="By topic, weakest first (weeks: old → now)", title_justify="left",
                      expand=False)
        table.add_column("Topic", overflow="fold", max_width=22)
        table.add_column("Right", justify="right")
        table.add_column("Accuracy", no_wrap=True)
        table.add_column("Weeks", no_wrap=True)
        for r in doc["by_topic"]:
            table.add_row(r["topic"], f"{r['correct']}/{r['answered']}", _accuracy(r),
                          spark([w["accuracy"] for w in r["weeks"]]))
        console.print(table)
    if doc["by_domain"]:
        table = Table(title="Accuracy by exam domain", title_justify="left", expand=False)
        table.add_column("Exam", no_wrap=True)
        table.add_column("Domain", overflow="fold", max_width=24)
        table.add_column("Right", justify="right")
        table.add_column("Accuracy", no_wrap=True)
        table.add_column("Weeks", no_wrap=True)
        for r in doc["by_domain"]:
            table.add_row(f"{r['exam']} {r['domain']}", r["name"] or "?", f"{r['correct']}/{r['answered']}",
                          _accuracy(r), spark([w["accuracy"] for w in r["weeks"]]))
        console.print(table)
    attempts = doc["exams"]["attempts"]
    if attempts:
        table = Table(title="Exam attempts (scaled scores are unofficial estimates)", title_justify="left",
                      expand=False)
        table.add_column("#", justify="right")
        table.add_column("Exam", no_wrap=True)
        table.add_column("Date", no_wrap=True)
        table.add_column("Raw", justify="right")
        table.add_column("Estimate", no_wrap=True)
        table.add_column("Result")
        for i, a in enumerate(attempts, 1):
            scaled = a.get("scaled_estimate")
            est = "-" if not isinstance(scaled, int | float) else f"{bar((scaled - 100) / 900, 10)} {scaled}"
            table.add_row(str(i), str(a.get("exam")), str(a.get("submitted_at") or "")[:10],
                          f"{a.get('correct')}/{a.get('total')}", est, "pass" if a.get("passed") else "fail")
        console.print(table)
        for code, t in doc["exams"]["trend"].items():
            if t["first"] is None:
                continue
            change = t["change"]
            sign = "+" if change > 0 else ""
            console.print(f"{code}: {t['attempts']} attempt(s), {t['first']} → {t['last']} ({sign}{change}), "
                          f"best {t['best']}", markup=False)
    else:
        console.print(Text("No exam attempts yet: ecslearn exam", style="ecs.dim"))
    review = doc["review"]
    console.print(Text(f"Review cards: {review['cards']}, {review['due_now']} due now", style="ecs.heading"))
    if review["cards"]:
        most = max([d["due"] for d in review["next_days"]] + [1])
        table = Table(title="Cards due in the next days", title_justify="left", expand=False)
        table.add_column("Day", no_wrap=True)
        table.add_column("Due", justify="right")
        table.add_column("", no_wrap=True)
        for i, d in enumerate(review["next_days"]):
            label = "today" if i == 0 else d["date"]
            table.add_row(label, str(d["due"]), bar(d["due"] / most, 20))
        console.print(table)
