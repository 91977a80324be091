"""`ecslearn map [--scenario FILE]`: draw a world's clusters, instances, tasks and services."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ecslearn.cli.main import app


@app.command("map")
def map_cmd(
    scenario: Annotated[Path | None, typer.Option("--scenario", help="A saved world (from `save FILE` in the "
                                                                     "sandbox or a lesson, or --save).")] = None,
    content_dir: Annotated[Path | None, typer.Option("--content-dir", help="Read lessons from this folder.",
                                                     envvar="ECSLEARN_CONTENT_DIR")] = None,
) -> None:
    """Draw the cluster map of a saved world, or of the lesson step you are on.

    Clusters → Availability Zones → container instances with CPU and memory bars → tasks by status;
    services with desired/running; Fargate tasks by AZ; EC2 instances that joined no cluster.
    """
    from ecslearn.lesson.world import _Quiet
    from ecslearn.lesson.worldmap import cluster_map
    from ecslearn.ui.console import make_console
    from ecslearn.ui.map import render_map

    console = make_console()
    if scenario is not None:
        from ecslearn.sim.world import load_world

        sim = load_world(scenario)
        render_map(console, cluster_map(_Quiet(sim)))
        return
    from ecslearn.errors import UsageError
    from ecslearn.lesson.catalog import bundled_lessons
    from ecslearn.lesson.world import LessonWorld
    from ecslearn.progress import ProgressStore

    state = ProgressStore().load()
    lessons = {lesson.id: lesson for lesson in bundled_lessons(content_dir)}
    lesson = lessons.get(state.current_lesson or "")
    if lesson is None:
        raise UsageError("no lesson in progress to draw", hint="pass --scenario FILE (a saved world), or start a "
                                                               "lesson with `ecslearn learn`")
    progress = state.lessons.get(lesson.id)
    index = lesson.index_of(progress.current_step if progress else None) or 0
    done = progress is not None and lesson.steps[index].id in progress.done_steps
    world = LessonWorld.at_step(lesson, index, include_current=done)
    console.print(f"[ecs.dim]Lesson {lesson.number:02d}, step {index + 1}: the world as the lesson builds it "
                  "(setup plus the earlier steps' solutions).[/ecs.dim]")
    render_map(console, cluster_map(world.quiet))
