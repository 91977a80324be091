"""The ECS container agent on simulated EC2 instances: ecs.config, registration and the agent's log.

What happens, in simulated time (ecs-reference §5):

1. `run_instances` with an ECS-optimized AMI: cloud-init runs the user data once, at first boot, and
   whatever it writes to `/etc/ecs/ecs.config` is read here (`parse_ecs_config`). The ECS-optimized
   AMI's ecs-init defaults (§5.4) apply under the file's values (`AgentConfig.from_env`). A plain
   Amazon Linux AMI has no agent: nothing registers and the agent log stays empty.
2. `AGENT_START_SECONDS` after the instance is running (ecs-init starts Docker, then the agent
   container) the agent starts and registers (§5.7):
   * no instance profile → `NoCredentialProviders`, no registration (retried: associating a profile
     with `ec2.associate_iam_instance_profile` lets it register at the next attempt);
   * the profile's role must allow ecs:RegisterContainerInstance (when IAM is modelled); otherwise
     `AccessDeniedException`, and the agent retries every `RETRY_SECONDS` (ecs-init restarts it), so
     fixing the role's policy lets it register later;
   * ECS_CLUSTER unset → cluster `default`, created by the agent if missing; ECS_CLUSTER set to a
     cluster that does not exist (or is INACTIVE) → `ClientException: Cluster not found.`, the agent
     exits with code 5 (terminal: ecs-init does not restart it) and the instance never registers;
   * ECS_RESERVED_MEMORY above the instance's memory → registration fails;
   * otherwise the container instance is registered: CPU = vCPUs × 1024, MEMORY = MemTotal −
     ECS_RESERVED_MEMORY (MemTotal from `InstanceType.kernel_memory_mib`, §5.1), PORTS/PORTS_UDP from
     ECS_RESERVED_PORTS(_UDP), the built-in attributes of §3.4, the capability attributes of §5.6 and
     ECS_INSTANCE_ATTRIBUTES (first registration only).
3. Stopping the instance: the agent stops with it; when the instance is stopped ECS shows
   `agentConnected=false` and the instance's tasks stop (`Host EC2 (instance i-…) stopped.`). Starting
   it again: the agent reconnects with its saved registration (ECS_CHECKPOINT) after
   `AGENT_START_SECONDS`; an agent that never registered tries again.
4. Terminating: the container instance is deregistered (INACTIVE) and its tasks stop
   (`Host EC2 (instance i-…) terminated.`).

The log (`agent_log`) imitates the real agent's logfmt lines: `level=info time=… msg="…" module=…`.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import ipaddress
import json
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ecslearn.errors import NotModelledError
from ecslearn.sim.errors import ClientError

AGENT_START_SECONDS = 30  # from `running` to the agent's first RegisterContainerInstance (30-60 s on AWS)
RETRY_SECONDS = 60  # ecs-init restarts a failed agent; one attempt per minute
ECS_CONFIG_PATH = "/etc/ecs/ecs.config"
KERNEL_DYNAMIC_PORT_RANGE = (32768, 60999)  # ip_local_port_range default (§3.6)
MAX_LOG_LINES = 1000

EXIT_TERMINAL = 5
EXIT_ERROR = 1

LOGGING_DRIVERS = ("json-file", "syslog", "journald", "gelf", "fluentd", "awslogs", "splunk", "logentries",
                   "sumologic", "none", "awsfirelens", "local")

# --- value parsers (each returns the parsed value or raises ValueError with the reason) --------

_BOOL_TRUE = ("1", "t", "T", "TRUE", "true", "True")
_BOOL_FALSE = ("0", "f", "F", "FALSE", "false", "False")


def _parse_bool(text: str) -> bool:
    """Go's strconv.ParseBool, which the agent uses."""
    if text in _BOOL_TRUE:
        return True
    if text in _BOOL_FALSE:
        return False
    raise ValueError("expected a boolean (true or false)")


_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str) -> float:
    """Go's time.ParseDuration ("300ms", "1h30m", "2.5s") → seconds."""
    s = text.strip()
    sign = 1.0
    if s[:1] in "+-" and s:
        sign = -1.0 if s[0] == "-" else 1.0
        s = s[1:]
    if s == "0":
        return 0.0
    if not s:
        raise ValueError("expected a duration such as 30s, 5m or 1h")
    pos, total = 0, 0.0
    while pos < len(s):
        m = _DURATION_PART.match(s, pos)
        if m is None:
            raise ValueError("expected a duration such as 30s, 5m or 1h")
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    return sign * total


def _format_duration(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{int(seconds // 3600)}h0m0s"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{int(seconds // 60)}m0s"
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    return f"{seconds:g}s"


def _parse_int(text: str) -> int:
    t = text.strip()
    if not re.fullmatch(r"[+-]?\d+", t):
        raise ValueError("expected an integer")
    return int(t)


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise ValueError("expected JSON") from None


def _parse_port_list(text: str) -> tuple[int, ...]:
    value = _parse_json(text)
    if not isinstance(value, list) or not all(isinstance(p, int) and not isinstance(p, bool) for p in value):
        raise ValueError("expected a JSON array of port numbers, e.g. [22, 80]")
    for p in value:
        if not 0 < p <= 65535:
            raise ValueError(f"port {p} is not between 1 and 65535")
    return tuple(dict.fromkeys(value))


def _parse_str_list(text: str) -> tuple[str, ...]:
    value = _parse_json(text)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError('expected a JSON array of strings, e.g. ["json-file","awslogs"]')
    return tuple(value)


def _parse_str_map(text: str) -> dict[str, str]:
    value = _parse_json(text)
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValueError('expected a JSON object of strings, e.g. {"stack": "prod"}')
    return dict(value)


def _parse_cidrs(text: str) -> tuple[str, ...]:
    out = []
    for item in _parse_str_list(text):
        try:
            out.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ValueError(f"{item!r} is not a CIDR block") from None
    return tuple(out)


def _parse_port_range(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", text)
    if m is None:
        raise ValueError("expected a range such as 32768-60999")
    lo, hi = int(m.group(1)), int(m.group(2))
    if not (0 < lo < hi <= 65535):
        raise ValueError("expected 1 <= start < end <= 65535")
    return lo, hi


def _parse_rps(text: str) -> tuple[int, int]:
    parts = text.split(",")
    if len(parts) != 2:
        raise ValueError('expected "steady,burst", e.g. 40,60')
    steady, burst = (_parse_int(p) for p in parts)
    if steady <= 0 or burst <= 0:
        raise ValueError("both rates must be positive")
    return steady, burst


def _parse_csv(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(",") if p.strip())


def _enum(*choices: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        t = text.strip()
        if t not in choices:
            raise ValueError("expected one of " + ", ".join(choices))
        return t
    return parse


def _duration_min(minimum: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        d = parse_duration(text)
        if d < minimum:
            raise ValueError(f"must be at least {_format_duration(minimum)}")
        return d
    return parse


def _int_range(lo: int, hi: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        n = _parse_int(text)
        if not lo <= n <= hi:
            raise ValueError(f"must be between {lo} and {hi}")
        return n
    return parse


def _string(text: str) -> str:
    return text


# --- the key table (ecs-reference §5.3, Linux defaults) ------------------------------------------


@dataclass(frozen=True)
class KeySpec:
    key: str
    parse: Callable[[str], Any]
    default: Any
    meaning: str


_D = parse_duration
KEYS: tuple[KeySpec, ...] = (
    KeySpec("ECS_CLUSTER", _string, "", "Cluster to register into (unset: default)"),
    KeySpec("ECS_RESERVED_PORTS", _parse_port_list, (22, 2375, 2376, 51678, 51679), "TCP ports never offered"),
    KeySpec("ECS_RESERVED_PORTS_UDP", _parse_port_list, (), "UDP ports never offered"),
    KeySpec("ECS_ENGINE_AUTH_TYPE", _enum("docker", "dockercfg"), None, "Format of ECS_ENGINE_AUTH_DATA"),
    KeySpec("ECS_ENGINE_AUTH_DATA", _parse_json, None, "Private-registry credentials (§5.5)"),
    KeySpec("AWS_DEFAULT_REGION", _string, None, "API region (from instance metadata when unset)"),
    KeySpec("DOCKER_HOST", _string, "unix:///var/run/docker.sock", "Docker endpoint"),
    KeySpec("ECS_LOGLEVEL", _enum("crit", "error", "warn", "info", "debug", "trace"), "info", "Agent log level"),
    KeySpec("ECS_LOGLEVEL_ON_INSTANCE", _enum("none", "off", "crit", "error", "warn", "info", "debug", "trace"),
            None, "On-instance log file level"),
    KeySpec("ECS_LOGFILE", _string, "", "Agent log path"),
    KeySpec("ECS_CHECKPOINT", _parse_bool, False, "Persist state"),
    KeySpec("ECS_DATADIR", _string, "/data/", "State directory"),
    KeySpec("ECS_UPDATES_ENABLED", _parse_bool, False, "Allow agent updates"),
    KeySpec("ECS_DISABLE_METRICS", _parse_bool, False, "Turn off task metrics"),
    KeySpec("ECS_POLL_METRICS", _parse_bool, False, "Poll instead of stream stats"),
    KeySpec("ECS_POLLING_METRICS_WAIT_DURATION", _D, 10.0, "Poll interval (clamped 5s-20s)"),
    KeySpec("ECS_PULL_DEPENDENT_CONTAINERS_UPFRONT", _parse_bool, False, "Pull dependsOn images early"),
    KeySpec("ECS_RESERVED_MEMORY", _int_range(0, 65535), 0, "MiB taken off registered MEMORY"),
    KeySpec("ECS_AVAILABLE_LOGGING_DRIVERS", _parse_str_list, ("json-file", "none"), "Log drivers advertised"),
    KeySpec("ECS_DISABLE_PRIVILEGED", _parse_bool, False, "Block privileged containers"),
    KeySpec("ECS_SELINUX_CAPABLE", _parse_bool, False, "Advertise SELinux"),
    KeySpec("ECS_APPARMOR_CAPABLE", _parse_bool, False, "Advertise AppArmor"),
    KeySpec("ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION", _duration_min(1.0), 3 * 3600.0,
            "Wait before deleting a stopped task's containers"),
    KeySpec("ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION_JITTER", _D, None, "Random extra cleanup wait"),
    KeySpec("ECS_MANIFEST_PULL_TIMEOUT", _duration_min(1e-9), 60.0, "Manifest fetch timeout"),
    KeySpec("ECS_CONTAINER_STOP_TIMEOUT", _D, 30.0, "SIGTERM to SIGKILL grace time"),
    KeySpec("ECS_CONTAINER_START_TIMEOUT", _D, 180.0, "Container start timeout"),
    KeySpec("ECS_CONTAINER_CREATE_TIMEOUT", _duration_min(60.0), 240.0, "Container create timeout"),
    KeySpec("ECS_ENABLE_TASK_IAM_ROLE", _parse_bool, False, "Task roles for bridge/default mode"),
    KeySpec("ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST", _parse_bool, False, "Task roles for host mode"),
    KeySpec("ECS_DISABLE_IMAGE_CLEANUP", _parse_bool, False, "Turn off image GC"),
    KeySpec("ECS_IMAGE_CLEANUP_INTERVAL", _duration_min(600.0), 1800.0, "Image GC cycle"),
    KeySpec("ECS_IMAGE_MINIMUM_CLEANUP_AGE", _D, 3600.0, "Minimum image age before GC"),
    KeySpec("NON_ECS_IMAGE_MINIMUM_CLEANUP_AGE", _D, 3600.0, "Same for non-ECS images"),
    KeySpec("ECS_NUM_IMAGES_DELETE_PER_CYCLE", _int_range(1, 1_000_000), 5, "Images deleted per cycle"),
    KeySpec("ECS_IMAGE_PULL_BEHAVIOR", _enum("default", "always", "once", "prefer-cached"), "default",
            "When images are pulled"),
    KeySpec("ECS_IMAGE_PULL_INACTIVITY_TIMEOUT", _D, 60.0, "Extraction stall timeout"),
    KeySpec("ECS_IMAGE_PULL_TIMEOUT", _duration_min(1e-9), 7200.0, "Total pull timeout"),
    KeySpec("ECS_INSTANCE_ATTRIBUTES", _parse_str_map, {}, "Custom attributes (first registration only)"),
    KeySpec("ECS_INSTANCE_IP_COMPATIBILITY", _enum("ipv4", "ipv6"), None, "IP compatibility override"),
    KeySpec("ECS_ENABLE_TASK_ENI", _parse_bool, False, "awsvpc task networking"),
    KeySpec("ECS_ENABLE_HIGH_DENSITY_ENI", _parse_bool, True, "ENI trunking"),
    KeySpec("ECS_CNI_PLUGINS_PATH", _string, "/amazon-ecs-cni-plugins", "CNI binaries"),
    KeySpec("ECS_AWSVPC_BLOCK_IMDS", _parse_bool, False, "Block IMDS for awsvpc tasks"),
    KeySpec("ECS_AWSVPC_ADDITIONAL_LOCAL_ROUTES", _parse_cidrs, (), "Extra routes via the host bridge"),
    KeySpec("ECS_ENABLE_CONTAINER_METADATA", _parse_bool, False, "Write the container metadata file"),
    KeySpec("ECS_HOST_DATA_DIR", _string, "/var/lib/ecs", "Host side of ECS_DATADIR"),
    KeySpec("ECS_ENABLE_TASK_CPU_MEM_LIMIT", _parse_bool, True, "Enforce task-level cpu/memory"),
    KeySpec("ECS_CGROUP_PATH", _string, "/sys/fs/cgroup", "cgroup root"),
    KeySpec("ECS_CGROUP_CPU_PERIOD", _D, 0.1, "CFS period (8ms-100ms)"),
    KeySpec("ECS_AGENT_HEALTHCHECK_HOST", _string, "localhost", "Agent health-check host"),
    KeySpec("ECS_ENABLE_CPU_UNBOUNDED_WINDOWS_WORKAROUND", _parse_bool, False, "Windows only"),
    KeySpec("ECS_ENABLE_MEMORY_UNBOUNDED_WINDOWS_WORKAROUND", _parse_bool, False, "Windows only"),
    KeySpec("ECS_TASK_METADATA_RPS_LIMIT", _parse_rps, (40, 60), "Metadata endpoint steady,burst RPS"),
    KeySpec("ECS_SHARED_VOLUME_MATCH_FULL_CONFIG", _parse_bool, False, "Strict shared-volume matching"),
    KeySpec("ECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM", _enum("none", "ec2_instance"), "none",
            "Copy EC2 tags onto the container instance"),
    KeySpec("ECS_CONTAINER_INSTANCE_TAGS", _parse_str_map, {}, "Container instance tags"),
    KeySpec("ECS_ENABLE_UNTRACKED_IMAGE_CLEANUP", _parse_bool, False, "GC non-ECS images"),
    KeySpec("ECS_EXCLUDE_UNTRACKED_IMAGE", _parse_csv, (), "Images kept from untracked GC"),
    KeySpec("ECS_DISABLE_DOCKER_HEALTH_CHECK", _parse_bool, False, "Turn off container health checks"),
    KeySpec("ECS_NVIDIA_RUNTIME", _string, "nvidia", "GPU runtime name"),
    KeySpec("ECS_ALTERNATE_CREDENTIAL_PROFILE", _string, "default", "Credential profile"),
    KeySpec("ECS_ENABLE_SPOT_INSTANCE_DRAINING", _parse_bool, False, "DRAINING on a Spot interruption notice"),
    KeySpec("ECS_LOG_ROLLOVER_TYPE", _enum("size", "hourly"), "size", "Agent log rotation"),
    KeySpec("ECS_LOG_OUTPUT_FORMAT", _enum("logfmt", "json"), "logfmt", "Agent log format"),
    KeySpec("ECS_LOG_MAX_FILE_SIZE_MB", _int_range(1, 1_000_000), 5, "Rotation size"),
    KeySpec("ECS_LOG_MAX_ROLL_COUNT", _int_range(1, 1_000_000), 24, "Rotated files kept"),
    KeySpec("ECS_LOG_DRIVER", _enum(*LOGGING_DRIVERS), "json-file", "Driver of the agent's own container"),
    KeySpec("ECS_LOG_OPTS", _parse_str_map, {}, "Its options"),
    KeySpec("ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE", _parse_bool, False,
            "awslogs authenticates with the execution role"),
    KeySpec("ECS_FSX_WINDOWS_FILE_SERVER_SUPPORTED", _parse_bool, False, "FSx for Windows volumes"),
    KeySpec("ECS_ENABLE_RUNTIME_STATS", _parse_bool, False, "pprof on the introspection port"),
    KeySpec("ECS_EXCLUDE_IPV6_PORTBINDING", _parse_bool, True, "Hide IPv6 port bindings"),
    KeySpec("ECS_WARM_POOLS_CHECK", _parse_bool, False, "Do not register while in a warm pool"),
    KeySpec("ECS_SKIP_LOCALHOST_TRAFFIC_FILTER", _parse_bool, False, "ecs-init iptables rule"),
    KeySpec("ECS_ALLOW_OFFHOST_INTROSPECTION_ACCESS", _parse_bool, False, "ecs-init iptables rule"),
    KeySpec("ECS_ENABLE_GPU_SUPPORT", _parse_bool, False, "GPU instances"),
    KeySpec("HTTP_PROXY", _string, None, "Proxy for the agent"),
    KeySpec("NO_PROXY", _string, None, "Hosts that bypass the proxy"),
    KeySpec("ECS_GMSA_SUPPORTED", _parse_bool, False, "gMSA"),
    KeySpec("CREDENTIALS_FETCHER_HOST", _string,
            "unix:///var/credentials-fetcher/socket/credentials_fetcher.sock", "gMSA daemon"),
    KeySpec("CREDENTIALS_FETCHER_SECRET_NAME_FOR_DOMAINLESS_GMSA", _string, "secretmanager-secretname",
            "gMSA secret"),
    KeySpec("ECS_DYNAMIC_HOST_PORT_RANGE", _parse_port_range, None,
            "Range for dynamic host ports (unset: ip_local_port_range)"),
    KeySpec("ECS_TASK_PIDS_LIMIT", _int_range(1, 4194304), None, "pids.max per task"),
    KeySpec("ECS_PROPAGATE_TASK_MEMORY_LIMIT_CGROUPV2", _parse_bool, False, "Task memory limit onto containers"),
    KeySpec("ECS_EBSTA_SUPPORTED", _parse_bool, True, "EBS task attach"),
    KeySpec("ECS_ENABLE_FIRELENS_ASYNC", _parse_bool, True, "FireLens async connect"),
    KeySpec("ECS_DETAILED_OS_FAMILY", _string, "linux", "Set by ecs-init from /etc/os-release"),
    KeySpec("ECS_PAUSE_LABELS", _parse_str_map, {}, "Labels on the pause container"),
    KeySpec("ECS_ENABLE_PROMETHEUS_METRICS", _parse_bool, False, "Prometheus metrics on port 51680 (§3.6)"),
    KeySpec("ECS_OFFHOST_INTROSPECTION_INTERFACE_NAME", _string, "eth0", "ecs-init: introspection interface"),
    KeySpec("ECS_AGENT_LABELS", _parse_str_map, {}, "ecs-init: labels on the agent container"),
    KeySpec("ECS_AGENT_APPARMOR_PROFILE", _string, "ecs-agent-default", "ecs-init: AppArmor profile"),
    KeySpec("ECS_AGENT_PID_NAMESPACE_HOST", _parse_bool, False, "ecs-init: host PID namespace for the agent"),
)
KEY_SPECS: dict[str, KeySpec] = {k.key: k for k in KEYS}

#: ecs-init's values on the ECS-optimized AMI (§5.4); ecs.config overrides them
ECS_OPTIMIZED_DEFAULTS: dict[str, str] = {
    "ECS_AVAILABLE_LOGGING_DRIVERS": '["json-file","syslog","awslogs","fluentd","none"]',
    "ECS_ENABLE_TASK_IAM_ROLE": "true",
    "ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST": "true",
    "ECS_ENABLE_TASK_ENI": "true",
    "ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE": "true",
    "ECS_DATADIR": "/data",
    "ECS_LOGFILE": "/log/ecs-agent.log",
    "ECS_UPDATES_ENABLED": "true",
}


#: below these minimums the agent uses the minimum (agent/config/parse.go)
CLAMP_MINIMUM: dict[str, float] = {
    "ECS_CONTAINER_STOP_TIMEOUT": 1.0,
    "ECS_CONTAINER_START_TIMEOUT": 45.0,
    "ECS_IMAGE_PULL_INACTIVITY_TIMEOUT": 1.0,
}
#: keys whose undecodable JSON stops the agent from loading its configuration (agent/config/parse.go)
FATAL_KEYS = ("ECS_INSTANCE_ATTRIBUTES", "ECS_CONTAINER_INSTANCE_TAGS", "ECS_AWSVPC_ADDITIONAL_LOCAL_ROUTES")


def _field_name(key: str) -> str:
    return key.lower()


def _from_env(cls: type, values: dict[str, str], *, ecs_optimized: bool) -> tuple[Any, list[str]]:
    """Parse ecs.config values as the agent does: bad values → a warning and the default."""
    warnings: list[str] = []
    merged: dict[str, str] = dict(ECS_OPTIMIZED_DEFAULTS) if ecs_optimized else {}
    merged.update(values)
    parsed: dict[str, Any] = {}
    for spec in KEYS:
        raw = merged.get(spec.key)
        value = spec.default
        if raw is not None and raw.strip() != "":
            try:
                value = spec.parse(raw.strip() if spec.parse is not _string else raw)
            except ValueError as exc:
                warnings.append(f'Invalid value for {spec.key}: "{raw}" ({exc}); using the default '
                                f"{_show_default(spec.default)}")
                value = spec.default
        parsed[_field_name(spec.key)] = value
    for key in values:
        if key not in KEY_SPECS:
            warnings.append(f'Unrecognized ecs.config key "{key}"; it is ignored')

    # values below the agent's minimum are raised to it (parse.go), except 0, which means the default
    for key, minimum in CLAMP_MINIMUM.items():
        name = _field_name(key)
        value = parsed[name]
        if value <= 0:
            if key in values and values[key].strip() and value != KEY_SPECS[key].default:
                warnings.append(f'Invalid value for {key}: "{values[key]}" (must be positive); using the default '
                                f"{_show_default(KEY_SPECS[key].default)}")
            parsed[name] = KEY_SPECS[key].default
        elif value < minimum:
            warnings.append(f"Discarded invalid value for {key}, parsed as: {_format_duration(value)}; using the "
                            f"minimum {_format_duration(minimum)}")
            parsed[name] = minimum
    # JSON the agent cannot decode in these keys is a configuration error: the agent does not start
    errors: list[str] = []
    for key in FATAL_KEYS:
        raw = values.get(key, "")
        if raw.strip():
            try:
                KEY_SPECS[key].parse(raw.strip())
            except ValueError as exc:
                errors.append(f"Invalid format for {key}: {exc}")

    # rules that involve more than one key or clamp a value
    if "ECS_CHECKPOINT" not in values or not values["ECS_CHECKPOINT"].strip():
        parsed["ecs_checkpoint"] = bool(merged.get("ECS_DATADIR", "").strip())
    if parsed["ecs_loglevel_on_instance"] is None:
        explicit_driver = bool(values.get("ECS_LOG_DRIVER", "").strip())
        parsed["ecs_loglevel_on_instance"] = "none" if explicit_driver else parsed["ecs_loglevel"]
    wait = parsed["ecs_polling_metrics_wait_duration"]
    if not 5.0 <= wait <= 20.0:
        clamped = min(max(wait, 5.0), 20.0)
        warnings.append(f"ECS_POLLING_METRICS_WAIT_DURATION {_format_duration(wait)} is out of range "
                        f"[5s, 20s]; using {_format_duration(clamped)}")
        parsed["ecs_polling_metrics_wait_duration"] = clamped
    period = parsed["ecs_cgroup_cpu_period"]
    if not 0.008 <= period <= 0.1:
        warnings.append(f"ECS_CGROUP_CPU_PERIOD {_format_duration(period)} is out of range [8ms, 100ms]; "
                        "using the default 100ms")
        parsed["ecs_cgroup_cpu_period"] = 0.1
    drivers, bad_drivers = [], []
    for d in parsed["ecs_available_logging_drivers"]:
        (drivers if d in LOGGING_DRIVERS else bad_drivers).append(d)
    if bad_drivers:
        warnings.append(f'Unknown logging driver(s) {", ".join(bad_drivers)} in ECS_AVAILABLE_LOGGING_DRIVERS')
        errors.append("Invalid logging drivers: " + ", ".join(bad_drivers))
    parsed["ecs_available_logging_drivers"] = tuple(dict.fromkeys(drivers))
    if parsed["ecs_enable_prometheus_metrics"] and 51680 not in parsed["ecs_reserved_ports"]:
        parsed["ecs_reserved_ports"] = (*parsed["ecs_reserved_ports"], 51680)
    auth, auth_warnings = _engine_auth(parsed["ecs_engine_auth_type"], parsed["ecs_engine_auth_data"],
                                       bool(values.get("ECS_ENGINE_AUTH_TYPE", "").strip()))
    warnings.extend(auth_warnings)
    parsed["registry_credentials"] = auth
    parsed["explicit_keys"] = frozenset(values)
    parsed["config_errors"] = tuple(errors)
    return cls(**parsed), warnings


def _show_default(value: Any) -> str:
    if value is None or value == "" or value == {} or value == ():
        return "(unset)"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return _format_duration(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def _engine_auth(auth_type: str | None, data: Any, type_given: bool) -> tuple[dict[str, tuple[str, str]], list[str]]:
    """ECS_ENGINE_AUTH_TYPE/DATA → {registry: (username, password)} (ecs-reference §5.5)."""
    warnings: list[str] = []
    if data is None:
        return {}, warnings
    if auth_type is None:
        if not type_given:
            warnings.append("ECS_ENGINE_AUTH_DATA is set but ECS_ENGINE_AUTH_TYPE is not; no registry "
                            "credentials are used")
        return {}, warnings
    if not isinstance(data, dict):
        warnings.append("ECS_ENGINE_AUTH_DATA is not a JSON object; no registry credentials are used")
        return {}, warnings
    out: dict[str, tuple[str, str]] = {}
    for registry, entry in data.items():
        host = re.sub(r"^https?://", "", registry)
        if not isinstance(entry, dict):
            warnings.append(f"Skipping registry {registry!r} in ECS_ENGINE_AUTH_DATA: not an object")
            continue
        if auth_type == "dockercfg":
            try:
                decoded = base64.b64decode(str(entry.get("auth", "")), validate=True).decode()
            except (ValueError, UnicodeDecodeError):
                warnings.append(f"Skipping registry {registry!r} in ECS_ENGINE_AUTH_DATA: auth is not base64")
                continue
            user, sep, password = decoded.partition(":")
            if not sep:
                warnings.append(f"Skipping registry {registry!r} in ECS_ENGINE_AUTH_DATA: auth has no ':'")
                continue
        else:
            user, password = entry.get("username"), entry.get("password")
            if not isinstance(user, str) or not isinstance(password, str):
                warnings.append(f"Skipping registry {registry!r} in ECS_ENGINE_AUTH_DATA: username or password "
                                "missing")
                continue
        out[host] = (user, password)
    return out, warnings


def _cluster_name(self: Any) -> str:
    """The cluster the agent registers into: ECS_CLUSTER, or `default` when it is unset."""
    return self.ecs_cluster or "default"


def _dynamic_range(self: Any) -> tuple[int, int]:
    """ECS_DYNAMIC_HOST_PORT_RANGE, else the kernel's ip_local_port_range default (§3.6)."""
    return self.ecs_dynamic_host_port_range or KERNEL_DYNAMIC_PORT_RANGE


def _credentials_for(self: Any, registry: str) -> tuple[str, str] | None:
    """Registry credentials from ECS_ENGINE_AUTH_DATA for an image's registry host (§5.5 lookup)."""
    host = re.sub(r"^https?://", "", registry).split("/", 1)[0]
    if host in ("docker.io", "index.docker.io", "registry-1.docker.io"):
        for key in ("index.docker.io/v1/", "index.docker.io", "docker.io"):
            if key in self.registry_credentials:
                return self.registry_credentials[key]
        return None
    best = None
    for key, creds in self.registry_credentials.items():
        if key.split("/", 1)[0] == host and (best is None or len(key) > len(best[0])):
            best = (key, creds)
    return best[1] if best else None


AgentConfig = dataclasses.make_dataclass(
    "AgentConfig",
    [(_field_name(s.key), Any) for s in KEYS]
    + [("registry_credentials", dict, dataclasses.field(default_factory=dict)),
       ("explicit_keys", frozenset, dataclasses.field(default_factory=frozenset)),
       ("config_errors", tuple, dataclasses.field(default_factory=tuple))],
    frozen=True,
    namespace={
        "from_env": classmethod(_from_env),
        "cluster_name": property(_cluster_name),
        "dynamic_host_port_range": property(_dynamic_range),
        "credentials_for": _credentials_for,
        "__doc__": "The agent's parsed configuration: one field per ecs.config key (lower-case), typed.\n\n"
                   "Durations are seconds (float); port and driver lists are tuples; JSON maps are dicts.\n"
                   "Build it with `AgentConfig.from_env(values, ecs_optimized=...)`.",
    },
)
AgentConfig.__module__ = __name__


# --- reading ecs.config out of user data -----------------------------------------------------


_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
_ASSIGN = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$")


def _expand(text: str, env: dict[str, str], *, honour_single_quotes: bool = True) -> str:
    """Expand $VAR / ${VAR} (outside single quotes) from variables set earlier in the script."""
    out, i, quote = [], 0, None
    while i < len(text):
        ch = text[i]
        if honour_single_quotes and ch == "'" and quote != '"':
            quote = None if quote == "'" else "'"
            out.append(ch)
            i += 1
            continue
        if ch == '"' and quote != "'":
            quote = None if quote == '"' else '"'
        if ch == "$" and quote != "'":
            m = _VAR.match(text, i)
            if m:
                out.append(env.get(m.group(1) or m.group(2), ""))
                i = m.end()
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def _tokens(line: str) -> list[str]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|<>")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    return list(lexer)


def _split(tokens: list[str], seps: tuple[str, ...]) -> list[list[str]]:
    parts: list[list[str]] = [[]]
    for t in tokens:
        if t in seps:
            parts.append([])
        else:
            parts[-1].append(t)
    return [p for p in parts if p]


def _echo_text(args: list[str]) -> str:
    newline, interpret = True, False
    while args and re.fullmatch(r"-[neE]+", args[0]):
        flags = args.pop(0)
        newline = newline and "n" not in flags
        interpret = ("e" in flags) or (interpret and "E" not in flags)
    text = " ".join(args)
    if interpret:
        text = text.replace("\\n", "\n").replace("\\t", "\t")
    return text + ("\n" if newline else "")


class _Writer:
    """What a user-data run leaves in /etc/ecs/ecs.config, plus notes and shell variables."""

    def __init__(self) -> None:
        self.content: str = ""
        self.wrote = False
        self.notes: list[str] = []
        self.env: dict[str, str] = {}

    def write(self, text: str, append: bool) -> None:
        self.content = self.content + text if append else text
        self.wrote = True


def parse_ecs_config(text: str) -> tuple[dict[str, str], list[str]]:
    """Run the ecs.config-writing part of user data and parse the file it leaves.

    Shell scripts: `echo 'K=V' >> /etc/ecs/ecs.config` (also unquoted or double-quoted, `-e`, `sudo`,
    `> file` to overwrite, `echo … | tee [-a] /etc/ecs/ecs.config`), heredocs (`cat <<EOF >> file`,
    `cat <<'EOF' >> file`, `cat >> file <<EOF`, `cat <<-EOF`, `tee -a file <<EOF`, `cat <<EOF | tee
    -a file`), several commands joined by `&&` or `;`, `sudo sh -c '…'` / `bash -c "…"`, shell
    variables set earlier in the script (`CLUSTER=prod` then `echo ECS_CLUSTER=$CLUSTER >> …`).
    `#cloud-config`: `bootcmd`/`runcmd` items written as shell lines and `write_files` entries for
    /etc/ecs/ecs.config (`content`, `append`), in cloud-init's order (bootcmd, write_files, runcmd).
    MIME multi-part user data: each shell script, boothook or cloud-config part, boothooks first.
    A bare file of `K=V` lines (no shell commands at all) is read as the file itself.

    Returns the file's values (the last line for a key wins; surrounding quotes are stripped, as
    systemd's EnvironmentFile does) and notes about lines ecslearn could not interpret.
    """
    if not isinstance(text, str):
        return {}, ["user data is not text; no ecs.config written"]
    text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    w = _Writer()
    meaningful = [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")]
    if _is_mime(text):
        parts = _mime_parts(text)
        for kind, part in sorted(parts, key=lambda kp: kp[0] != "boothook"):
            if kind == "cloud-config":
                _run_cloud_config(part.split("\n"), w)
            elif kind in ("shell", "boothook"):
                _run_shell(part.split("\n"), w)
    elif text.lstrip().startswith("#cloud-config"):
        _run_cloud_config(lines, w)
    elif meaningful and not text.lstrip().startswith("#!") and all(
            re.fullmatch(r"[A-Z][A-Z0-9_]*=.*", ln) for ln in meaningful):
        # a bare K=V file (no shebang, every non-comment line an assignment)
        return _file_values("\n".join(lines), w.notes)
    else:
        _run_shell(lines, w)
    if not w.wrote:
        return {}, w.notes
    return _file_values(w.content, w.notes)


def _is_mime(text: str) -> bool:
    head = text.lstrip()[:400].lower()
    return head.startswith(("content-type: multipart/", "mime-version:")) and "boundary=" in head


def _mime_parts(text: str) -> list[tuple[str, str]]:
    """(kind, body) of each part: kind is shell, boothook, cloud-config or other."""
    m = re.search(r'boundary="?([^"\n;]+)"?', text, re.IGNORECASE)
    if m is None:
        return []
    boundary = "--" + m.group(1).strip()
    out = []
    for chunk in text.split(boundary)[1:]:
        if chunk.startswith("--"):
            break
        head, _, body = chunk.lstrip("\n").partition("\n\n")
        ctype = re.search(r"content-type:\s*([^\s;]+)", head, re.IGNORECASE)
        kind = (ctype.group(1).lower() if ctype else "")
        kinds = {"text/x-shellscript": "shell", "text/cloud-boothook": "boothook", "text/cloud-config": "cloud-config"}
        out.append((kinds.get(kind, "other"), body))
    return out


def _run_cloud_config(lines: list[str], w: _Writer) -> None:
    """The parts of a #cloud-config document that can write ecs.config (no YAML library: a small reader)."""
    sections: dict[str, list[str]] = {}
    current = None
    for raw in lines:
        if raw.strip().startswith("#") and not raw.startswith(" "):
            continue
        top = re.match(r"^([A-Za-z_]+):\s*$", raw)
        if top:
            current = top.group(1)
            sections.setdefault(current, [])
            continue
        if raw and not raw[0].isspace() and not raw.startswith("-"):
            current = None
            continue
        if current is not None:
            sections[current].append(raw)

    def commands(section: str) -> list[str]:
        out = []
        for raw in sections.get(section, []):
            item = re.match(r"^\s*-\s+(.*)$", raw)
            if item:
                cmd = item.group(1).strip()
                if len(cmd) >= 2 and cmd[0] == cmd[-1] and cmd[0] in "'\"":
                    cmd = cmd[1:-1]
                if cmd.startswith("["):
                    if ECS_CONFIG_PATH in cmd:
                        w.notes.append(f"cloud-config {section}: ecslearn does not read list-form commands "
                                       f"({cmd!r}); it is ignored")
                    continue
                out.append(cmd)
        return out

    _run_shell(commands("bootcmd"), w, where="cloud-config bootcmd ")
    for entry in _cloud_items(sections.get("write_files", [])):
        if entry.get("path") == ECS_CONFIG_PATH:
            w.write(entry.get("content", ""), entry.get("append", "").lower() == "true")
    _run_shell(commands("runcmd"), w, where="cloud-config runcmd ")


def _cloud_items(lines: list[str]) -> list[dict[str, str]]:
    """write_files entries: key → value, `content: |` blocks joined with newlines."""
    items: list[dict[str, str]] = []
    block_key, block_indent, block = None, 0, []
    content_indent: int | None = None

    def close_block() -> None:
        nonlocal block_key, block
        if block_key is not None and items:
            items[-1][block_key] = "\n".join(block) + ("\n" if block else "")
        block_key, block = None, []

    for raw in lines:
        indent = len(raw) - len(raw.lstrip(" "))
        if block_key is not None:
            if not raw.strip() or indent > block_indent:
                if raw.strip() and content_indent is None:
                    content_indent = indent
                block.append(raw[content_indent or 0:] if raw.strip() else "")
                continue
            close_block()
        m = re.match(r"^(\s*)(-\s+)?([A-Za-z_]+):\s*(.*)$", raw)
        if not m:
            continue
        if m.group(2):
            items.append({})
        if not items:
            continue
        key, value = m.group(3), m.group(4).strip()
        if value in ("|", "|-", "|+", ">"):
            # block lines are indented deeper than the key's own column
            block_key, block_indent = key, len(m.group(1)) + (len(m.group(2)) if m.group(2) else 0)
            block, content_indent = [], None
            continue
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        items[-1][key] = value
    close_block()
    return items


def _run_shell(lines: list[str], w: _Writer, *, where: str = "user data ") -> None:
    """Run the lines of a shell script for their effect on ecs.config."""
    i = 0
    while i < len(lines):
        raw = lines[i]
        i += 1
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        assign = _ASSIGN.match(line)
        if assign and " " not in assign.group(2).strip().strip("'\""):
            try:
                parts = _tokens(assign.group(2)) or [""]
                w.env[assign.group(1)] = parts[0]
            except ValueError:
                pass
            continue
        mentions = ECS_CONFIG_PATH in line
        try:
            tokens = _tokens(_expand(line, w.env))
        except ValueError:
            if mentions:
                w.notes.append(f"{where}line {i}: could not parse {line!r}; it is ignored")
            continue
        # heredoc bodies follow the line, one per `<<`
        bodies: list[str] = []
        j = 0
        heredoc_tokens = []
        while j < len(tokens):
            if tokens[j] == "<<" and j + 1 < len(tokens):
                delim = tokens[j + 1]
                strip_tabs = delim.startswith("-")
                delim = delim.lstrip("-")
                quoted = re.search(r"<<-?\s*(['\"])", line) is not None
                body: list[str] = []
                while i < len(lines):
                    candidate = lines[i]
                    i += 1
                    check = candidate.lstrip("\t") if strip_tabs else candidate
                    if check.strip() == delim:
                        break
                    body.append(check if strip_tabs else candidate)
                text_body = "\n".join(body) + ("\n" if body else "")
                if not quoted:
                    text_body = _expand(text_body, w.env, honour_single_quotes=False)
                bodies.append(text_body)
                heredoc_tokens.append(j)
                j += 2
                continue
            j += 1
        for j in reversed(heredoc_tokens):
            del tokens[j:j + 2]
            tokens.insert(j, "\0HEREDOC")
        body_iter = iter(bodies)
        if not mentions:
            for _ in body_iter:
                pass
            continue
        handled = False
        for command in _split(tokens, (";", "&&", "||")):
            stdout: str | None = None
            for stage_no, stage in enumerate(_split(command, ("|",))):
                words = list(stage)
                while words and words[0] in ("sudo", "-E", "command"):
                    words.pop(0)
                if not words:
                    continue
                targets: list[tuple[str, bool]] = []  # (path, append)
                heredoc_text = None
                args: list[str] = []
                k = 0
                while k < len(words):
                    word = words[k]
                    if word in (">>", ">") and k + 1 < len(words):
                        targets.append((words[k + 1], word == ">>"))
                        k += 2
                        continue
                    if word == "\0HEREDOC":
                        heredoc_text = next(body_iter, "")
                        k += 1
                        continue
                    if word in (">&", "<", "&") or re.fullmatch(r"\d", word):
                        k += 2 if word in (">&", "<") else 1
                        continue
                    args.append(word)
                    k += 1
                cmd, rest = args[0] if args else "", args[1:]
                if cmd.rsplit("/", 1)[-1] in ("sh", "bash") and "-c" in rest:
                    script_at = rest.index("-c") + 1
                    if script_at < len(rest):  # sh -c '...': run the inner script
                        _run_shell(rest[script_at].split("\n"), w, where=where)
                        handled = True
                    stdout = None
                    continue
                produced: str | None = None
                if cmd == "echo":
                    produced = _echo_text(rest)
                elif cmd == "cat":
                    if heredoc_text is not None:
                        produced = heredoc_text
                    elif stdout is not None:
                        produced = stdout
                elif cmd == "tee":
                    append = any(a in ("-a", "--append") for a in rest)
                    files = [a for a in rest if not a.startswith("-")]
                    data = heredoc_text if heredoc_text is not None else stdout
                    for path in files:
                        targets.append((path, append))
                    produced = data
                    if ECS_CONFIG_PATH in files and data is not None:
                        w.write(data, append)
                        handled = True
                        targets = [(p, a) for p, a in targets if p != ECS_CONFIG_PATH]
                if stage_no == 0 and cmd not in ("echo", "cat", "tee", ""):
                    produced = None
                for path, append in targets:
                    if path == ECS_CONFIG_PATH:
                        if produced is None:
                            w.notes.append(f"{where}line {i}: ecslearn does not understand how {line!r} "
                                         "writes ecs.config; it is ignored")
                            handled = True
                            continue
                        w.write(produced, append)
                        handled = True
                stdout = produced
        if not handled and any(t == ECS_CONFIG_PATH for t in tokens) and not _only_reads(tokens):
            w.notes.append(f"{where}line {i}: ecslearn does not understand how {line!r} changes "
                         "ecs.config; it is ignored")


def _only_reads(tokens: list[str]) -> bool:
    first = next((t for t in tokens if t not in ("sudo", "-E")), "")
    return first in ("cat", "grep", "less", "more", "head", "tail", "test", "[", "ls", "stat", "chmod",
                     "chown", "mkdir", "touch") and ">" not in tokens and ">>" not in tokens


def _file_values(content: str, notes: list[str]) -> tuple[dict[str, str], list[str]]:
    values: dict[str, str] = {}
    for n, raw in enumerate(content.split("\n"), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            notes.append(f"ecs.config line {n}: {line!r} is not KEY=VALUE; it is ignored")
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values, notes


# --- capability attributes (ecs-reference §5.6) ----------------------------------------------

_CAP = "com.amazonaws.ecs.capability."
_ECS_CAP = "ecs.capability."
CNI_PLUGIN_VERSION = "4fd8e5c0-2024.09.0"


def docker_api_versions(docker_version: str | None) -> list[str]:
    """Remote API versions the agent advertises for a Docker engine (1.17 up to the engine's maximum)."""
    text = (docker_version or "").split(":")[-1].strip()
    major = text.split(".")[0] if text else "25"
    top = {"20": 41, "23": 42, "24": 43, "25": 44, "26": 45}.get(major, 44)
    return [f"1.{n}" for n in range(17, top + 1)]


def capability_attributes(config: Any, *, docker_version: str | None = None) -> dict[str, str | None]:
    """The capability attributes an agent with this configuration registers (name → value or None)."""
    caps: dict[str, str | None] = {}

    def add(name: str, value: str | None = None) -> None:
        caps[name] = value

    if not config.ecs_disable_privileged:
        add(_CAP + "privileged-container")
    for v in docker_api_versions(docker_version):
        add(_CAP + f"docker-remote-api.{v}")
    for driver in config.ecs_available_logging_drivers:
        add(_CAP + f"logging-driver.{driver}")
    add(_CAP + "logging-driver.awsfirelens")
    if config.ecs_selinux_capable:
        add(_CAP + "selinux")
    if config.ecs_apparmor_capable:
        add(_CAP + "apparmor")
    add(_CAP + "ecr-auth")
    if config.ecs_enable_task_iam_role:
        add(_CAP + "task-iam-role")
    if config.ecs_enable_task_iam_role_network_host:
        add(_CAP + "task-iam-role-network-host")
    add(_ECS_CAP + "docker-plugin.local")
    if config.ecs_enable_task_eni:
        add(_ECS_CAP + "task-eni")
        add(_ECS_CAP + "cni-plugin-version", CNI_PLUGIN_VERSION)
        if config.ecs_awsvpc_block_imds:
            add(_ECS_CAP + "task-eni-block-instance-metadata")
    add(_ECS_CAP + "execution-role-ecr-pull")
    if config.ecs_enable_awslogs_executionrole_override:
        add(_ECS_CAP + "execution-role-awslogs")
    add(_ECS_CAP + "private-registry-authentication.secretsmanager")
    add(_ECS_CAP + "secrets.ssm.environment-variables")
    add(_ECS_CAP + "secrets.ssm.bootstrap.log-driver")
    add(_ECS_CAP + "secrets.asm.environment-variables")
    add(_ECS_CAP + "secrets.asm.bootstrap.log-driver")
    if not config.ecs_disable_docker_health_check:
        add(_ECS_CAP + "container-health-check")
    if config.ecs_enable_task_cpu_mem_limit:
        add(_ECS_CAP + "task-cpu-mem-limit")
    add(_ECS_CAP + "container-ordering")
    add(_ECS_CAP + "full-sync")
    add(_ECS_CAP + "env-files.s3")
    add(_ECS_CAP + "efsAuth")
    add(_ECS_CAP + "efs")
    add(_ECS_CAP + "firelens.fluentd")
    add(_ECS_CAP + "firelens.fluentbit")
    add(_ECS_CAP + "firelens.options.config.file")
    add(_ECS_CAP + "firelens.options.config.s3")
    add(_ECS_CAP + "logging-driver.awsfirelens.log-driver-buffer-limit")
    add(_ECS_CAP + "aws-appmesh")
    add(_ECS_CAP + "pid-ipc-namespace-sharing")
    add(_ECS_CAP + "increased-task-cpu-limit")
    add(_ECS_CAP + "execute-command")
    add(_ECS_CAP + "service-connect-v1")
    add(_ECS_CAP + "container-port-range")
    if config.ecs_ebsta_supported:
        add(_ECS_CAP + "storage.ebs-task-volume-attach")
    if config.ecs_enable_gpu_support:
        add(_ECS_CAP + "gpu-driver-version", "535.183.01")
    if config.ecs_gmsa_supported:
        add(_ECS_CAP + "gmsa")
    if config.ecs_fsx_windows_file_server_supported:
        add(_ECS_CAP + "fsxWindowsFileServer")
    return caps


# --- the agent's state on an instance ----------------------------------------------------------


@dataclass
class AgentState:
    """The agent on one EC2 instance (kept on `ec2.Instance.agent`)."""

    instance_id: str
    values: dict[str, str]
    config: Any  # AgentConfig
    config_warnings: list[str]
    log: list[str] = field(default_factory=list)
    #: "waiting" (instance not yet up) | "starting" | "registered" | "stopped" | "exited" | "retrying"
    status: str = "waiting"
    exit_code: int | None = None
    container_instance_arn: str | None = None
    last_error: str | None = None
    start_event: Any = None
    retry_event: Any = None
    registered_once: bool = False


def _ts(sim: Any) -> str:
    return sim.now.strftime("%Y-%m-%dT%H:%M:%SZ")


_LEVELS = {"trace": 0, "debug": 1, "info": 2, "warn": 3, "error": 4, "critical": 5, "crit": 5}


def _log(sim: Any, state: AgentState, level: str, msg: str, module: str = "agent.go", **extra: str) -> None:
    """Append one logfmt line, if ECS_LOGLEVEL lets that level through (default info)."""
    threshold = getattr(state.config, "ecs_loglevel", "info") if state.config is not None else "info"
    if _LEVELS.get(level, 2) < _LEVELS.get(threshold, 2):
        return
    msg = msg.replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    tail = "".join(f' {k}="{v}"' for k, v in extra.items())
    state.log.append(f'level={level} time={_ts(sim)} msg="{msg}"{tail} module={module}')
    if len(state.log) > MAX_LOG_LINES:
        del state.log[: len(state.log) - MAX_LOG_LINES]


def _ecs(sim: Any) -> Any:
    return sim.backend("ecs")


def on_instance_launched(sim: Any, inst: Any) -> None:
    """cloud-init runs the user data (once, at first boot): ecs.config is fixed from here on."""
    if not inst.image.ecs_optimized:
        inst.agent = None
        return
    values, config, warnings = _config_from_user_data(inst.user_data or "")
    inst.agent = AgentState(instance_id=inst.id, values=dict(values), config=config, config_warnings=list(warnings))


@functools.lru_cache(maxsize=256)
def _config_from_user_data(text: str) -> tuple[tuple[tuple[str, str], ...], Any, tuple[str, ...]]:
    """Parse once per distinct user data (fleets share it); the AgentConfig is immutable, so it is shared."""
    values, notes = parse_ecs_config(text)
    config, warnings = AgentConfig.from_env(values, ecs_optimized=True)
    return tuple(values.items()), config, tuple(notes + warnings)


def on_instance_running(sim: Any, inst: Any) -> None:
    state: AgentState | None = inst.agent
    if state is None:
        return
    state.status = "starting"
    state.start_event = sim.schedule(AGENT_START_SECONDS, lambda: _start(sim, inst),
                                     name=f"ecs-agent {inst.id} start")


def on_instance_shutting_down(sim: Any, inst: Any) -> None:
    """The instance is stopping or terminating: the agent gets SIGTERM."""
    state: AgentState | None = inst.agent
    if state is None:
        return
    for handle in (state.start_event, state.retry_event):
        if handle is not None:
            handle.cancel()
    state.start_event = state.retry_event = None
    if state.status in ("registered", "retrying", "starting"):
        if state.status != "starting":
            _log(sim, state, "info", "Received termination signal", module="termination_handler.go",
                 signal="terminated")
            _log(sim, state, "info", "Agent exiting", module="agent.go")
        state.status = "stopped"


def on_instance_down(sim: Any, inst: Any, *, terminated: bool) -> None:
    """The instance is stopped or terminated: ECS notices the host is gone."""
    state: AgentState | None = inst.agent
    if state is None or state.container_instance_arn is None:
        return
    ecs = _ecs(sim)
    ci = ecs._container_instance_by_arn(state.container_instance_arn)
    if ci is not None:
        ecs._host_gone(ci, terminated=terminated)


def _start(sim: Any, inst: Any) -> None:
    state: AgentState = inst.agent
    state.start_event = None
    if inst.state != "running":
        return
    cfg = state.config
    image = inst.image
    _log(sim, state, "info", f"Amazon ECS agent Version: {image.agent_version}, Commit: {image.agent_hash}")
    _log(sim, state, "info", "Loading configuration", module="agent.go")
    for warning in state.config_warnings:
        _log(sim, state, "warn", warning, module="config.go")
    if cfg.config_errors:
        error = "; ".join(cfg.config_errors)
        _log(sim, state, "critical", f"Error loading config: {error}", module="agent.go")
        _log(sim, state, "info", f"Agent exiting with exit code {EXIT_ERROR}", module="agent.go")
        state.status, state.exit_code, state.last_error = "exited", EXIT_ERROR, error
        return
    if state.container_instance_arn is not None:
        _reconnect(sim, inst, state)
        return
    if cfg.ecs_checkpoint:
        _log(sim, state, "info", "Loading state!", module="state_manager.go")
    _attempt_registration(sim, inst)


def _reconnect(sim: Any, inst: Any, state: AgentState) -> None:
    ecs = _ecs(sim)
    ci = ecs._container_instance_by_arn(state.container_instance_arn)
    _log(sim, state, "info", "Restored from checkpoint file", module="agent.go")
    if ci is None or ci.status == "INACTIVE":
        _log(sim, state, "critical", "Container instance is deregistered (INACTIVE); the agent cannot re-register "
             "with its saved container instance ARN", module="agent.go",
             containerInstanceARN=state.container_instance_arn or "")
        state.status, state.exit_code = "exited", EXIT_TERMINAL
        return
    _log(sim, state, "info", f"Restored cluster '{ci.cluster.name}'", module="agent.go")
    _log(sim, state, "info", "Registration completed successfully. I am running as "
         f"'{ci.arn}' in cluster '{ci.cluster.name}'", module="agent.go")
    ecs._agent_connected(ci, True)
    _log(sim, state, "info", "Connected to ACS endpoint", module="acs_handler.go")
    state.status = "registered"


def _fail(sim: Any, inst: Any, error: str, *, terminal: bool, retry: bool = False) -> None:
    state: AgentState = inst.agent
    _log(sim, state, "error", f"Unable to register as a container instance with ECS: {error}", module="client.go")
    state.last_error = error
    if terminal:
        _log(sim, state, "critical", "Instance registration attempt with ECS failed with a terminal error; "
             "the agent will not be restarted", module="agent.go", error=error)
        _log(sim, state, "info", f"Agent exiting with exit code {EXIT_TERMINAL}", module="agent.go")
        state.status, state.exit_code = "exited", EXIT_TERMINAL
        return
    _log(sim, state, "error", "Error registering container instance", module="agent.go", error=error)
    state.exit_code = EXIT_ERROR
    if retry:
        state.status = "retrying"
        if state.retry_event is None:
            state.retry_event = sim.every(RETRY_SECONDS, lambda: _retry(sim, inst),
                                          name=f"ecs-agent {inst.id} restart")
    else:
        state.status = "exited"


def _retry(sim: Any, inst: Any) -> None:
    state: AgentState = inst.agent
    if inst.state != "running" or state.status != "retrying":
        if state.retry_event is not None:
            state.retry_event.cancel()
            state.retry_event = None
        return
    _log(sim, state, "info", "Restarting the agent (ecs-init)", module="agent.go")
    _attempt_registration(sim, inst)
    if state.status != "retrying" and state.retry_event is not None:
        state.retry_event.cancel()
        state.retry_event = None


def _iam(sim: Any) -> Any:
    try:
        iam = sim.backend("iam")
    except NotModelledError:
        return None
    if not hasattr(iam, "_instance_profile_role") or not hasattr(iam, "_allowed"):
        return None
    return iam


def _resolve_cluster(sim: Any, ref: str) -> Any:
    ecs = _ecs(sim)
    if ref.startswith("arn:"):
        expected = sim.arn("ecs", "cluster/")
        if not ref.startswith(expected):
            return None
        ref = ref[len(expected):]
    found = ecs.clusters.get(ref)
    return found if found is not None and found.status == "ACTIVE" else None


def _attempt_registration(sim: Any, inst: Any) -> None:
    state: AgentState = inst.agent
    cfg = state.config
    ecs = _ecs(sim)
    # 1. credentials from the instance profile
    if not inst.iam_instance_profile:
        # not terminal: ecs-init restarts the agent, so associating a profile later lets it register
        _fail(sim, inst, "NoCredentialProviders: no valid providers in chain. Deprecated.\n\tFor verbose "
              "messaging see aws.Config.CredentialsChainVerboseErrors", terminal=False, retry=True)
        return
    iam = _iam(sim)
    cluster_arn = sim.arn("ecs", f"cluster/{cfg.cluster_name.rsplit('/', 1)[-1]}")
    if iam is not None:
        role_arn = iam._instance_profile_role(inst.iam_instance_profile["Arn"])
        can_assume = getattr(iam, "_can_assume", None)
        if role_arn is None or (can_assume is not None and not can_assume(role_arn, "ec2.amazonaws.com")):
            # no role in the profile, or a role EC2 may not assume: IMDS serves no credentials
            _fail(sim, inst, "NoCredentialProviders: no valid providers in chain. Deprecated.\n\tFor verbose "
                  "messaging see aws.Config.CredentialsChainVerboseErrors", terminal=False, retry=True)
            return
        if not iam._allowed(role_arn, "ecs:RegisterContainerInstance", cluster_arn):
            role_name = role_arn.rsplit("/", 1)[-1]
            _fail(sim, inst, f"AccessDeniedException: User: arn:aws:sts::{sim.account_id}:assumed-role/"
                  f"{role_name}/{inst.id} is not authorized to perform: ecs:RegisterContainerInstance on "
                  f"resource: {cluster_arn} because no identity-based policy allows the "
                  "ecs:RegisterContainerInstance action", terminal=False, retry=True)
            return
    else:
        role_arn = None
    # 2. the region the agent talks to
    if cfg.aws_default_region and cfg.aws_default_region != sim.region:
        _fail(sim, inst, "ClientException: Cluster not found.", terminal=True)
        return
    # 3. the cluster (§5.7)
    cluster = _resolve_cluster(sim, cfg.cluster_name)
    if cluster is None:
        if cfg.ecs_cluster == "":
            _log(sim, state, "info", "Registering Instance with ECS", module="agent.go")
            _log(sim, state, "error", "Unable to register as a container instance with ECS: ClientException: "
                 "Cluster not found.", module="client.go")
            if iam is not None and role_arn is not None and \
                    not iam._allowed(role_arn, "ecs:CreateCluster", cluster_arn):
                _fail(sim, inst, f"AccessDeniedException: User: arn:aws:sts::{sim.account_id}:assumed-role/"
                      f"{role_arn.rsplit('/', 1)[-1]}/{inst.id} is not authorized to perform: ecs:CreateCluster "
                      f"on resource: {cluster_arn}", terminal=False, retry=True)
                return
            _log(sim, state, "info", "Creating cluster 'default'", module="client.go")
            cluster = ecs._ensure_cluster("default")
        else:
            _log(sim, state, "info", "Registering Instance with ECS", module="agent.go")
            _fail(sim, inst, "ClientException: Cluster not found.", terminal=True)
            return
    else:
        _log(sim, state, "info", "Registering Instance with ECS", module="agent.go")
    # 4. resources
    mem_total = inst.type.kernel_memory_mib()
    if cfg.ecs_reserved_memory > mem_total:
        _fail(sim, inst, f"reserved memory is higher than available memory ({cfg.ecs_reserved_memory} MiB "
              f"reserved, {mem_total} MiB available)", terminal=False)
        return
    memory = mem_total - cfg.ecs_reserved_memory
    if len(cfg.ecs_reserved_ports) + len(cfg.ecs_reserved_ports_udp) > 100:
        _fail(sim, inst, "InvalidParameterException: A container instance can reserve at most 100 ports.",
              terminal=True)
        return
    _log(sim, state, "info", f"Remaining mem: {memory}", module="client.go")
    # 5. attributes and tags
    attributes = capability_attributes(cfg, docker_version=inst.image.docker_version)
    attributes.update(builtin_attributes(inst))
    custom = {} if state.registered_once else dict(cfg.ecs_instance_attributes)
    for key, value in custom.items():
        _log(sim, state, "debug", f"Setting instance attribute {key}: {value}", module="parse.go")
    problem = ecs._check_custom_attributes(custom)
    if problem is not None:
        _fail(sim, inst, f"InvalidParameterException: {problem}", terminal=True)
        return
    tags: dict[str, str] = {}
    if cfg.ecs_container_instance_propagate_tags_from == "ec2_instance":
        tags.update({t["Key"]: t["Value"] for t in inst.tags if not t["Key"].lower().startswith("aws:")})
    tags.update(cfg.ecs_container_instance_tags)
    try:
        ecs._check_tags([{"key": k, "value": v} for k, v in tags.items()])
    except ClientError as exc:  # the ECS error becomes the agent's log line
        _fail(sim, inst, f"InvalidParameterException: {getattr(exc, 'aws_message', exc)}", terminal=True)
        return
    ci = ecs._register_container_instance(
        cluster, inst, cfg, cpu=inst.type.vcpus * 1024, memory=memory, attributes=attributes,
        custom_attributes=custom, tags=[{"key": k, "value": v} for k, v in tags.items()])
    state.container_instance_arn = ci.arn
    state.registered_once = True
    state.status = "registered"
    state.exit_code = None
    state.last_error = None
    _log(sim, state, "info", "Registered container instance with cluster!", module="client.go")
    _log(sim, state, "info", "Registration completed successfully. I am running as "
         f"'{ci.arn}' in cluster '{cluster.name}'", module="agent.go")
    _log(sim, state, "info", "Connected to ACS endpoint", module="acs_handler.go")


def builtin_attributes(inst: Any) -> dict[str, str | None]:
    """The attributes ECS sets on every EC2 container instance (ecs-reference §3.4)."""
    return {
        "ecs.ami-id": inst.image.id,
        "ecs.availability-zone": inst.availability_zone,
        "ecs.instance-type": inst.type.name,
        "ecs.os-type": "linux",
        "ecs.os-family": "LINUX",
        "ecs.cpu-architecture": inst.image.architecture,
        "ecs.vpc-id": inst.vpc_id,
        "ecs.subnet-id": inst.subnet.id,
    }


def on_deregistered(sim: Any, ci: Any) -> None:
    """DeregisterContainerInstance while the agent runs: the agent finds itself deregistered and exits."""
    ec2 = sim.backend("ec2")
    inst = ec2._instance(ci.ec2_instance_id)
    state: AgentState | None = getattr(inst, "agent", None)
    if state is None or state.container_instance_arn != ci.arn:
        return
    if state.status == "registered":
        _log(sim, state, "critical", "Container instance is deregistered; the agent is exiting",
             module="acs_handler.go", containerInstanceARN=ci.arn)
        state.status, state.exit_code = "exited", EXIT_TERMINAL


# --- for lessons and quizzes -----------------------------------------------------------------


def agent_state(sim: Any, instance_id: str) -> AgentState | None:
    """The agent of an EC2 instance, or None (no such instance, or an AMI without the agent)."""
    inst = sim.backend("ec2")._instance(instance_id)
    return getattr(inst, "agent", None)


def agent_log(sim: Any, instance_id: str) -> list[str]:
    """The agent's log lines on an instance (empty for a plain AMI or before the agent starts)."""
    state = agent_state(sim, instance_id)
    return list(state.log) if state is not None else []


__all__ = ["AGENT_START_SECONDS", "KEYS", "KEY_SPECS", "AgentConfig", "AgentState", "agent_log", "agent_state",
           "builtin_attributes", "capability_attributes", "parse_duration", "parse_ecs_config"]
