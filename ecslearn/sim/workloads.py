"""Simulated workloads: what a container image *does* once it runs, as data (DESIGN.md).

A `Workload` says whether the image keeps running or exits (with which code, after how long), what it
answers over HTTP (load balancer health checks use `http_status`; `http_ready_after` makes a slow
starter answer 503 while it warms up, `http_fails_after` makes it break later), what its
task-definition health check reports, which ports it listens on, how much of its reservation it uses,
which log lines it writes, and whether it ignores SIGTERM. Lessons stage failures by attaching a workload to an image:

    set_workload(sim, "web:v2", exit_code=1, exit_after=5, log_lines=("panic: no config",))

Lookup order (`workload_for`): the exact image reference (`web:v2`), then the repository without tag or
digest (`web`), then the built-in catalogue of well-known public images, then `DEFAULT` (keeps running,
answers 200). Registry hosts are ignored for the catalogue: `nginx`, `nginx:1.27`,
`docker.io/library/nginx:latest` and `public.ecr.aws/nginx/nginx` are all nginx.

Built-in catalogue (matched on the last path component of the repository):

| image | behaviour |
|---|---|
| nginx, httpd | keeps running, serves HTTP 200 on port 80 |
| amazon/amazon-ecs-sample | keeps running, serves HTTP 200 on port 80 (the ECS console's sample app) |
| redis | keeps running, listens on 6379, no HTTP (http_status 0) |
| postgres | keeps running on 5432 **only if** `POSTGRES_PASSWORD` (or `POSTGRES_HOST_AUTH_METHOD`) is set in the environment; otherwise exits 1 after 1 s with the real image's error message |
| busybox, alpine | no command: exits 0 after 1 s. A command with `sleep N`: exits 0 after N s. `sleep infinity`, `tail -f` or a `while true` loop: keeps running. Any other command: exits 0 after 1 s |
| hello-world | prints its greeting and exits 0 after 1 s |

Only the standard library is used: this module belongs to the simulator.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ecslearn.errors import SimulatorError

if TYPE_CHECKING:
    from ecslearn.sim.simulator import Simulator

_HEALTH = ("HEALTHY", "UNHEALTHY", "UNKNOWN")


@dataclass(frozen=True)
class Workload:
    """The behaviour of one image. Times are simulated seconds."""

    exit_code: int | None = None  # None: keeps running
    exit_after: float = 0.0  # seconds after the container reaches RUNNING
    http_status: int = 200  # what it answers over HTTP (0: does not speak HTTP)
    http_fails_after: float | None = None  # from then on it answers 500
    container_health: str = "HEALTHY"  # result of the task definition's healthCheck command
    health_fails_after: float | None = None  # from then on the health check reports UNHEALTHY
    listens_on: tuple[int, ...] | None = None  # container ports served; None = every mapped port
    cpu_percent: float = 5.0  # share of the container's reservation it uses
    memory_percent: float = 20.0
    log_lines: tuple[str, ...] = ()  # written when the container starts
    ignores_sigterm: bool = False  # then a stop waits stopTimeout and the exit code is 137
    start_seconds: float = 2.0  # container create + start time
    http_ready_after: float | None = None  # a slow start: it answers 503 until this long after RUNNING


    def __post_init__(self) -> None:
        problems = _problems(self)
        if problems:
            raise SimulatorError("invalid workload: " + "; ".join(problems))

    @property
    def keeps_running(self) -> bool:
        return self.exit_code is None

    def serves(self, container_port: int) -> bool:
        return self.listens_on is None or container_port in self.listens_on

    def http_status_at(self, seconds_running: float) -> int:
        """What it answers over HTTP `seconds_running` after RUNNING: 503 while warming up
        (`http_ready_after`), 500 once `http_fails_after` has passed, otherwise `http_status`."""
        if self.http_status and self.http_ready_after is not None and seconds_running < self.http_ready_after:
            return 503
        if self.http_fails_after is not None and seconds_running >= self.http_fails_after:
            return 500
        return self.http_status

    def health_at(self, seconds_running: float) -> str:
        if self.health_fails_after is not None and seconds_running >= self.health_fails_after:
            return "UNHEALTHY"
        return self.container_health

    @classmethod
    def from_dict(cls, data: Any) -> Workload:
        """Build from plain data (lesson YAML); unknown keys and wrong types are a SimulatorError."""
        if not isinstance(data, dict):
            raise SimulatorError(f"a workload must be a mapping, not {type(data).__name__}")
        fields = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(str(k) for k in data if k not in fields)
        if unknown:
            raise SimulatorError(f"unknown workload field(s): {', '.join(unknown)} "
                                 f"(known: {', '.join(fields)})")
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            kwargs[key] = _coerce(key, value)
        return cls(**kwargs)

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        for key in ("listens_on", "log_lines"):
            if out[key] is not None:
                out[key] = list(out[key])
        return out


def _is_num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _coerce(key: str, value: Any) -> Any:
    def bad(expected: str) -> SimulatorError:
        return SimulatorError(f"workload field {key!r} must be {expected}, not {value!r}")

    if key in ("exit_code",):
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise bad("an integer or null")
        return value
    if key in ("exit_after", "cpu_percent", "memory_percent", "start_seconds"):
        if not _is_num(value):
            raise bad("a number")
        return float(value)
    if key in ("http_fails_after", "health_fails_after", "http_ready_after"):
        if value is None:
            return None
        if not _is_num(value):
            raise bad("a number or null")
        return float(value)
    if key == "http_status":
        if not isinstance(value, int) or isinstance(value, bool):
            raise bad("an integer")
        return value
    if key == "container_health":
        if not isinstance(value, str):
            raise bad("a string")
        return value
    if key == "listens_on":
        if value is None:
            return None
        if not isinstance(value, list | tuple) or not all(isinstance(p, int) and not isinstance(p, bool)
                                                          for p in value):
            raise bad("a list of port numbers")
        return tuple(value)
    if key == "log_lines":
        if isinstance(value, str):
            return tuple(value.splitlines())
        if not isinstance(value, list | tuple) or not all(isinstance(x, str) for x in value):
            raise bad("a list of strings")
        return tuple(value)
    if key == "ignores_sigterm":
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    return value  # pragma: no cover - every field is handled above


def _problems(w: Workload) -> list[str]:
    out = []
    if w.exit_code is not None and (not isinstance(w.exit_code, int) or not 0 <= w.exit_code <= 255):
        out.append(f"exit_code must be between 0 and 255 (got {w.exit_code!r})")
    for name in ("exit_after", "start_seconds", "cpu_percent", "memory_percent"):
        value = getattr(w, name)
        if not _is_num(value) or value < 0:
            out.append(f"{name} must be a number >= 0 (got {value!r})")
    for name in ("http_fails_after", "health_fails_after", "http_ready_after"):
        value = getattr(w, name)
        if value is not None and (not _is_num(value) or value < 0):
            out.append(f"{name} must be a number >= 0 or null (got {value!r})")
    if not isinstance(w.http_status, int) or isinstance(w.http_status, bool) or \
            not (w.http_status == 0 or 100 <= w.http_status <= 599):
        out.append(f"http_status must be 0 or an HTTP status 100-599 (got {w.http_status!r})")
    if w.container_health not in _HEALTH:
        out.append(f"container_health must be one of {', '.join(_HEALTH)} (got {w.container_health!r})")
    if w.listens_on is not None and (not isinstance(w.listens_on, tuple) or
                                     not all(isinstance(p, int) and 0 < p < 65536 for p in w.listens_on)):
        out.append(f"listens_on must be a tuple of ports 1-65535 (got {w.listens_on!r})")
    if not isinstance(w.log_lines, tuple) or not all(isinstance(x, str) for x in w.log_lines):
        out.append("log_lines must be a tuple of strings")
    if not isinstance(w.ignores_sigterm, bool):
        out.append("ignores_sigterm must be true or false")
    return out


DEFAULT = Workload()

# --- image references --------------------------------------------------------------------------


def split_image(image: str) -> tuple[str, str | None]:
    """`repo:tag` / `repo@sha256:...` / `host:5000/repo:tag` → (repository, tag-or-digest)."""
    if "@" in image:
        repo, _, digest = image.partition("@")
        return repo, digest
    slash = image.rfind("/")
    colon = image.rfind(":")
    if colon > slash:
        return image[:colon], image[colon + 1:]
    return image, None


def _catalogue_name(repository: str) -> str:
    repo = repository.lower()
    if repo.endswith("amazon/amazon-ecs-sample") or repo.endswith("/amazon-ecs-sample") or \
            repo == "amazon-ecs-sample":
        return "amazon/amazon-ecs-sample"
    return repo.rsplit("/", 1)[-1]


_SLEEP = re.compile(r"\bsleep\s+(\d+(?:\.\d+)?)\b")
_FOREVER = re.compile(r"sleep\s+infinity|tail\s+-f|while\s+(true|:)|sleep\s+inf\b")


def _shell_like(command: list[str] | None) -> Workload:
    if not command:
        return Workload(exit_code=0, exit_after=1.0, http_status=0)
    text = " ".join(str(c) for c in command)
    if _FOREVER.search(text):
        return Workload(http_status=0)
    m = _SLEEP.search(text)
    if m:
        return Workload(exit_code=0, exit_after=float(m.group(1)), http_status=0)
    return Workload(exit_code=0, exit_after=1.0, http_status=0)


def _env_names(environment: list[dict[str, Any]] | None) -> set[str]:
    return {str(e.get("name")) for e in environment or [] if isinstance(e, dict)}


def _catalogue(name: str, command: list[str] | None,
               environment: list[dict[str, Any]] | None) -> Workload | None:
    if name not in _CATALOGUE_NAMES:
        return None
    cmd = tuple(str(c) for c in command) if command else None
    if name in ("busybox", "alpine"):
        return _catalogue_cached(name, cmd, False)
    if name == "postgres":
        configured = bool(_env_names(environment) & {"POSTGRES_PASSWORD", "POSTGRES_HOST_AUTH_METHOD"})
        return _catalogue_cached(name, None, configured)
    return _catalogue_cached(name, None, False)


_CATALOGUE_NAMES = frozenset({"nginx", "httpd", "amazon/amazon-ecs-sample", "redis", "postgres", "busybox",
                              "alpine", "hello-world"})


@functools.lru_cache(maxsize=512)
def _catalogue_cached(name: str, command: tuple[str, ...] | None, configured: bool) -> Workload | None:
    environment = [{"name": "POSTGRES_PASSWORD"}] if configured else []
    return _catalogue_entry(name, list(command) if command else None, environment)


def _catalogue_entry(name: str, command: list[str] | None,
                     environment: list[dict[str, Any]] | None) -> Workload | None:
    if name in ("nginx", "httpd", "amazon/amazon-ecs-sample"):
        lines = {
            "nginx": ("/docker-entrypoint.sh: Configuration complete; ready for start up",),
            "httpd": ("AH00094: Command line: 'httpd -D FOREGROUND'",),
        }.get(name, ())
        return Workload(listens_on=(80,), log_lines=lines)
    if name == "redis":
        return Workload(http_status=0, listens_on=(6379,), log_lines=("* Ready to accept connections tcp",))
    if name == "postgres":
        if _env_names(environment) & {"POSTGRES_PASSWORD", "POSTGRES_HOST_AUTH_METHOD"}:
            return Workload(http_status=0, listens_on=(5432,),
                            log_lines=("LOG:  database system is ready to accept connections",))
        return Workload(exit_code=1, exit_after=1.0, http_status=0, log_lines=(
            "Error: Database is uninitialized and superuser password is not specified.",
            "       You must specify POSTGRES_PASSWORD to a non-empty value for the",
            "       superuser. For example, \"-e POSTGRES_PASSWORD=password\" on \"docker run\".",
        ))
    if name in ("busybox", "alpine"):
        return _shell_like(command)
    if name == "hello-world":
        return Workload(exit_code=0, exit_after=1.0, http_status=0,
                        log_lines=("Hello from Docker!",
                                   "This message shows that your installation appears to be working correctly."))
    return None


# --- the registry ------------------------------------------------------------------------------


def _registry(sim: Simulator) -> dict[str, Workload]:
    ecs = sim.backend("ecs")
    reg = getattr(ecs, "workloads", None)
    if reg is None:
        reg = {}
        ecs.workloads = reg  # type: ignore[attr-defined]
    return reg


def set_workload(sim: Simulator, image: str, workload: Workload | None = None, **fields: Any) -> Workload:
    """Attach a behaviour to an image reference (`web:v2`) or a whole repository (`web`).

    Give a `Workload`, or fields that change the image's current behaviour (`exit_code=1`).
    """
    if not isinstance(image, str) or not image:
        raise SimulatorError("set_workload needs an image reference")
    if workload is not None and fields:
        raise SimulatorError("give either a Workload or fields, not both")
    if workload is None:
        base = _registry(sim).get(image) or DEFAULT
        known = {f.name for f in dataclasses.fields(Workload)}
        unknown = sorted(set(fields) - known)
        if unknown:
            raise SimulatorError(f"unknown workload field(s): {', '.join(unknown)}")
        workload = dataclasses.replace(base, **{k: _coerce(k, v) for k, v in fields.items()})
    elif not isinstance(workload, Workload):
        raise SimulatorError("set_workload needs a Workload")
    with recording(sim, {"workload": {"image": image, "behaviour": workload.to_dict()}}):
        _registry(sim)[image] = workload
    return workload


def recording(sim: Simulator, event: dict[str, Any], *, record_errors: bool = False) -> Any:
    """A context in which a helper changes the world: recorded as `event` in a saved world when `sim`
    records one (`sim.world.RecordingSimulator.record_helper`), a no-op context otherwise."""
    scope = getattr(sim, "record_helper", None)
    if callable(scope):
        return scope(event, record_errors=record_errors)
    return contextlib.nullcontext()


def workload_for(sim: Simulator, image: str, *, command: list[str] | None = None,
                 environment: list[dict[str, Any]] | None = None) -> Workload:
    """The behaviour of `image`: exact reference, then repository, then the catalogue, then DEFAULT.

    `command` and `environment` (after overrides) refine the catalogue entries of busybox/alpine and
    postgres; workloads set explicitly with `set_workload` win over them.
    """
    reg = _registry(sim)
    found = reg.get(image)
    if found is not None:
        return found
    repository, _ = split_image(image)
    found = reg.get(repository)
    if found is not None:
        return found
    return _catalogue(_catalogue_name(repository), command, environment) or DEFAULT
