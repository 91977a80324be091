"""Drawing the cluster map (`lesson.worldmap.ClusterMap`) with Rich: a tree that fits 80 columns and
reads the same with NO_COLOR (statuses are words, bars are characters, colour only adds emphasis)."""

from __future__ import annotations

from rich.console import Console, Group
from rich.text import Text
from rich.tree import Tree

from ecslearn.lesson.worldmap import ClusterBox, ClusterMap, InstanceBox, ServiceBox, TaskBox

BAR = 20
STATUS_STYLE = {
    "RUNNING": "ecs.task.running", "PENDING": "ecs.task.pending", "PROVISIONING": "ecs.task.pending",
    "ACTIVATING": "ecs.task.pending", "DEPROVISIONING": "ecs.task.stopped", "STOPPING": "ecs.task.stopped",
    "DEACTIVATING": "ecs.task.stopped", "STOPPED": "ecs.task.stopped",
}
STATUS_MARK = {"RUNNING": "●", "STOPPED": "✕"}


def bar(used: int, total: int, width: int = BAR) -> Text:
    """`[██████░░░░░░]`, green below 70 %, yellow below 90 %, red above."""
    share = used / total if total else 0.0
    filled = min(width, round(share * width))
    style = "ecs.ok" if share < 0.7 else "ecs.warn" if share < 0.9 else "ecs.bad"
    return Text("[").append("█" * filled, style=style).append("░" * (width - filled), style="ecs.dim").append("]")


def _task(t: TaskBox) -> Text:
    style = STATUS_STYLE.get(t.last_status, "")
    mark = STATUS_MARK.get(t.last_status, "○")
    text = Text(f"{mark} ", style=style).append(t.family, style="bold").append(f" {t.id} ")
    text.append(t.last_status, style=style)
    if t.desired_status not in (t.last_status, "RUNNING") or (t.desired_status == "STOPPED" and t.last_status != "STOPPED"):
        text.append(f" (→ {t.desired_status})", style="ecs.dim")
    if t.group.startswith("service:"):
        text.append(f" {t.group}", style="ecs.dim")
    return text


def _instance(node: Tree, inst: InstanceBox) -> None:
    head = Text(inst.instance_id, style="ecs.id").append(f" {inst.instance_type} ")
    head.append(inst.status, style="ecs.ok" if inst.status == "ACTIVE" else "ecs.warn")
    if not inst.agent_connected:
        head.append(" agent disconnected", style="ecs.bad")
    sub = node.add(head)
    sub.add(Group(
        Text("CPU ").append(bar(inst.cpu_used, inst.cpu_total)).append(f" {inst.cpu_used}/{inst.cpu_total} units"),
        Text("MEM ").append(bar(inst.memory_used, inst.memory_total))
        .append(f" {inst.memory_used}/{inst.memory_total} MiB"),
    ))
    if inst.tasks:
        for t in inst.tasks:
            sub.add(_task(t))
    else:
        sub.add(Text("no tasks", style="ecs.dim"))


def _service(s: ServiceBox) -> Text:
    ok = s.running >= s.desired and s.status == "ACTIVE"
    text = Text(f"{s.name} ", style="bold").append(f"{s.launch_type} ", style="ecs.dim")
    text.append(f"desired {s.desired} · running {s.running} · pending {s.pending}",
                style="ecs.ok" if ok else "ecs.warn")
    if s.status != "ACTIVE":
        text.append(f" ({s.status})", style="ecs.dim")
    return text


def _cluster(c: ClusterBox) -> Tree:
    n_inst = sum(len(z.instances) for z in c.zones)
    n_tasks = sum(len(i.tasks) for z in c.zones for i in z.instances) + sum(len(z.fargate) for z in c.zones) \
        + len(c.unplaced)
    head = Text("cluster ", style="ecs.dim").append(c.name, style="bold ecs.id").append(f" {c.status}",
                                                                                         style="ecs.dim")
    head.append(f" · {n_inst} instance{'s' if n_inst != 1 else ''} · {n_tasks} task{'s' if n_tasks != 1 else ''}"
                f" · {len(c.services)} service{'s' if len(c.services) != 1 else ''}", style="ecs.dim")
    tree = Tree(head, guide_style="ecs.dim")
    if c.services:
        services = tree.add(Text("services", style="ecs.heading"))
        for s in c.services:
            node = services.add(_service(s))
            if s.last_event and s.running < s.desired:
                node.add(Text(f"last event: {s.last_event}", style="ecs.dim"))
    for z in c.zones:
        zone = tree.add(Text(z.name, style="ecs.heading"))
        for inst in z.instances:
            _instance(zone, inst)
        if z.fargate:
            fargate = zone.add(Text("Fargate", style="bold"))
            for t in z.fargate:
                fargate.add(_task(t))
    if c.unplaced:
        node = tree.add(Text("not placed yet", style="ecs.heading"))
        for t in c.unplaced:
            node.add(_task(t))
    if not c.zones and not c.unplaced:
        tree.add(Text("no capacity: no container instance has registered and no Fargate task runs",
                      style="ecs.dim"))
    if c.stopped:
        node = tree.add(Text("recently stopped", style="ecs.heading"))
        for t in c.stopped:
            leaf = node.add(_task(t))
            if t.stopped_reason:
                leaf.add(Text(t.stopped_reason, style="ecs.dim"))
    return tree


def render_map(console: Console, cmap: ClusterMap) -> None:
    """Print the map. An empty account says so instead of printing nothing."""
    if not cmap.clusters and not cmap.loose:
        console.print(Text("No clusters yet (aws ecs create-cluster --cluster-name NAME) and no EC2 instances.",
                           style="ecs.dim"))
        return
    for c in cmap.clusters:
        console.print(_cluster(c))
    if cmap.loose:
        tree = Tree(Text("EC2 instances in no cluster", style="ecs.heading"), guide_style="ecs.dim")
        for i in cmap.loose:
            node = tree.add(Text(i.instance_id, style="ecs.id").append(f" {i.instance_type} {i.state} {i.zone}"))
            if i.note:
                node.add(Text(i.note, style="ecs.dim"))
        console.print(tree)
    console.print(Text("● RUNNING  ○ PENDING/other  ✕ STOPPED · bars: share of registered CPU and memory "
                       "reserved by tasks", style="ecs.dim"))


def map_text(sim: object, *, width: int = 80, color: bool = False) -> str:
    """The map of a simulator as text (ANSI colours only with `color=True`), for shells that print strings.

    A sandbox can offer `map` with `engine.add_command("map", "map", "draw the clusters", lambda args:
    ShellResult(map_text(engine.sim, width=engine.width)))`.
    """
    import io

    from ecslearn.lesson.world import _Quiet
    from ecslearn.lesson.worldmap import cluster_map
    from ecslearn.ui.console import THEME, make_console

    out = io.StringIO()
    if color:
        console = Console(file=out, width=width, theme=THEME, highlight=False, force_terminal=True)
    else:
        console = make_console(file=out, width=width, color=False)
    render_map(console, cluster_map(_Quiet(sim)))
    return out.getvalue()


__all__ = ["bar", "map_text", "render_map"]
