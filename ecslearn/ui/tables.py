"""Rich tables for simple listings."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from ecslearn.ui.console import make_console


def render_coverage(rows: list[dict[str, Any]]) -> None:
    console = make_console()
    for row in rows:
        if not row["modelled"]:
            continue
        table = Table(title=f"{row['service']}: {len(row['modelled'])} of {row['aws_operations']} operations",
                      title_justify="left", expand=False)
        table.add_column("Operation", style="ecs.id", no_wrap=True)
        table.add_column("What it does")
        table.add_column("Not modelled", style="ecs.dim")
        for op in row["modelled"]:
            table.add_row(op["operation"], op["summary"], op["not_modelled"])
        console.print(table)
