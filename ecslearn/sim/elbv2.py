"""Elastic Load Balancing v2: Application and Network Load Balancers, listeners, rules, target groups.

Targets are health-checked on the simulator's clock. What a target answers comes from the ECS task
behind it (its lifecycle state, the container's port mappings and the image's workload behaviour:
`http_status`, `http_fails_after`, `listens_on`), so a lesson can stage a failing health check without
code. ECS registers task targets through the internal API below (ecs-reference §4.7):

- `_target_group(arn) -> TargetGroup` (raises TargetGroupNotFound)
- `_register_task_target(tg_arn, target_id, port, *, task, container_name)`
- `_deregister_task_target(tg_arn, target_id, port)`
- `_target_health_state(tg_arn, target_id, port) -> "initial"|"healthy"|"unhealthy"|"draining"|"unused"|None`
- `_health_listeners`: callables `(tg_arn, target_id, port, old_state, new_state)` told of every change.

Health-check model (from the ALB user guide, "Health checks for your target groups"): after
registration a target must pass **one** health check to become healthy; `UnhealthyThresholdCount`
consecutive failures make it unhealthy; an unhealthy target needs `HealthyThresholdCount` consecutive
successes to come back. Registration takes 10 s (`Elb.RegistrationInProgress`), then checks run every
`HealthCheckIntervalSeconds`. Deregistration drains for `deregistration_delay.timeout_seconds`.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ecslearn.errors import NotModelledError
from ecslearn.sim.base import Backend, check_type, operation, page_slice
from ecslearn.sim.errors import aws_error

REGISTRATION_SECONDS = 10.0
PROVISIONING_SECONDS = 90.0
ALB_ZONE_ID = "Z35SXDOTRQ7X7K"  # us-east-1 canonical hosted zone of ALBs
NLB_ZONE_ID = "Z26RNL4JYFTOTI"  # us-east-1 canonical hosted zone of NLBs
_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$")
ALB_PROTOCOLS = ("HTTP", "HTTPS")
NLB_PROTOCOLS = ("TCP", "TLS", "UDP", "TCP_UDP")
TG_PROTOCOLS = ALB_PROTOCOLS + NLB_PROTOCOLS + ("GENEVE",)

# Target group attributes: key → default (strings, as the API returns them).
_TG_ATTRIBUTES_ALB = {
    "deregistration_delay.timeout_seconds": "300",
    "stickiness.enabled": "false",
    "stickiness.type": "lb_cookie",
    "stickiness.lb_cookie.duration_seconds": "86400",
    "slow_start.duration_seconds": "0",
    "load_balancing.algorithm.type": "round_robin",
    "load_balancing.cross_zone.enabled": "use_load_balancer_configuration",
}
_TG_ATTRIBUTES_NLB = {
    "deregistration_delay.timeout_seconds": "300",
    "deregistration_delay.connection_termination.enabled": "false",
    "stickiness.enabled": "false",
    "stickiness.type": "source_ip",
    "proxy_protocol_v2.enabled": "false",
    "preserve_client_ip.enabled": "true",
    "load_balancing.cross_zone.enabled": "use_load_balancer_configuration",
}

_LB_ATTRIBUTES_ALB = {
    "access_logs.s3.enabled": "false", "access_logs.s3.bucket": "", "access_logs.s3.prefix": "",
    "idle_timeout.timeout_seconds": "60", "deletion_protection.enabled": "false",
    "routing.http2.enabled": "true", "routing.http.drop_invalid_header_fields.enabled": "false",
    "load_balancing.cross_zone.enabled": "true",
}
_LB_ATTRIBUTES_NLB = {
    "access_logs.s3.enabled": "false", "access_logs.s3.bucket": "", "access_logs.s3.prefix": "",
    "deletion_protection.enabled": "false", "load_balancing.cross_zone.enabled": "false",
}

# TargetHealth reason codes and descriptions (ALB user guide, "Health check reason codes").
REASONS = {
    "Elb.RegistrationInProgress": "Target registration is in progress",
    "Elb.InitialHealthChecking": "Initial health checks in progress",
    "Target.ResponseCodeMismatch": "Health checks failed with these codes: [{code}]",
    "Target.Timeout": "Request timed out",
    "Target.FailedHealthChecks": "Health checks failed",
    "Target.NotRegistered": "Target is not registered to the target group",
    "Target.NotInUse": "Target group is not configured to receive traffic from the load balancer",
    "Target.DeregistrationInProgress": "Target deregistration is in progress",
    "Target.InvalidState": "Target is in the {state} state",
    "Target.HealthCheckDisabled": "Health checks are disabled",
}


def validation(message: str) -> Exception:
    return aws_error("ValidationError", message)


def _strings(path: str, items: Any) -> list[str]:
    """A list parameter whose members must be strings (botocore's check, member by member)."""
    check_type(path, items, (list, tuple))
    return [check_type(f"{path}[{i}]", v, str) for i, v in enumerate(items)]


def _constraint(name: str, value: Any, low: int, high: int) -> None:
    if value < low:
        raise validation(f"1 validation error detected: Value '{value}' at '{name}' failed to satisfy "
                         f"constraint: Member must have value greater than or equal to {low}")
    if value > high:
        raise validation(f"1 validation error detected: Value '{value}' at '{name}' failed to satisfy "
                         f"constraint: Member must have value less than or equal to {high}")


# --- records -------------------------------------------------------------------------------------


@dataclass
class HealthCheck:
    protocol: str
    port: str = "traffic-port"
    path: str | None = "/"
    interval: int = 30
    timeout: int = 5
    healthy_threshold: int = 5
    unhealthy_threshold: int = 2
    matcher: str | None = "200"
    enabled: bool = True


@dataclass
class Target:
    id: str
    port: int
    registered_at: datetime
    availability_zone: str | None = None
    state: str = "initial"
    reason: str | None = "Elb.RegistrationInProgress"
    description: str | None = None
    #: the ECS task behind this target, when ECS registered it (or when one was found)
    task: Any = None
    container_name: str | None = None
    successes: int = 0
    failures: int = 0
    last_code: int | None = None
    checker: Any = None  # EventHandle of the periodic health check
    drain: Any = None  # EventHandle of the end of draining
    requests: int = 0

    @property
    def key(self) -> tuple[str, int]:
        return (self.id, self.port)


@dataclass
class TargetGroup:
    arn: str
    name: str
    target_type: str
    protocol: str | None
    port: int | None
    vpc_id: str | None
    health_check: HealthCheck
    created_at: datetime
    protocol_version: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    targets: dict[tuple[str, int], Target] = field(default_factory=dict)
    tags: list[dict[str, str]] = field(default_factory=list)
    #: load balancer ARNs whose listeners or rules forward here (kept up to date by the backend)
    load_balancer_arns: list[str] = field(default_factory=list)
    rr_counter: int = 0
    requests: int = 0

    @property
    def deregistration_delay(self) -> int:
        return int(self.attributes.get("deregistration_delay.timeout_seconds", "300"))

    @property
    def resource_label(self) -> str:
        """`targetgroup/<name>/<id>` (the CloudWatch TargetGroup dimension)."""
        return self.arn.split(":", 5)[5]

    # flat accessors for other modules
    @property
    def health_check_path(self) -> str | None:
        return self.health_check.path

    @property
    def health_check_interval(self) -> int:
        return self.health_check.interval

    @property
    def health_check_timeout(self) -> int:
        return self.health_check.timeout

    @property
    def healthy_threshold(self) -> int:
        return self.health_check.healthy_threshold

    @property
    def unhealthy_threshold(self) -> int:
        return self.health_check.unhealthy_threshold

    @property
    def matcher(self) -> str | None:
        return self.health_check.matcher


@dataclass
class LoadBalancer:
    arn: str
    name: str
    type: str
    scheme: str
    dns_name: str
    vpc_id: str
    zones: list[dict[str, Any]]
    security_groups: list[str]
    ip_address_type: str
    created_at: datetime
    state: str = "provisioning"
    tags: list[dict[str, str]] = field(default_factory=list)
    listeners: dict[str, Listener] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def resource_label(self) -> str:
        """`app/<name>/<id>` (the CloudWatch LoadBalancer dimension)."""
        return self.arn.split(":loadbalancer/", 1)[1]

    @property
    def availability_zones(self) -> set[str]:
        return {z["ZoneName"] for z in self.zones}


@dataclass
class Rule:
    arn: str
    priority: int | None  # None: the default rule
    conditions: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    tags: list[dict[str, str]] = field(default_factory=list)
    wrr_state: dict[str, float] = field(default_factory=dict)


@dataclass
class Listener:
    arn: str
    load_balancer: LoadBalancer
    port: int
    protocol: str
    certificates: list[dict[str, Any]]
    ssl_policy: str | None
    default_rule: Rule
    rules: dict[str, Rule] = field(default_factory=dict)
    tags: list[dict[str, str]] = field(default_factory=list)

    def ordered_rules(self) -> list[Rule]:
        return [*sorted(self.rules.values(), key=lambda r: r.priority or 0), self.default_rule]


# --- condition matching (path-pattern and host-header wildcards) ----------------------------------


def wildcard_match(pattern: str, value: str, *, case_sensitive: bool) -> bool:
    """ELB wildcards: `*` matches 0 or more characters, `?` exactly one; nothing else is special."""
    regex = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.fullmatch(regex, value, flags | re.DOTALL) is not None


def condition_values(cond: dict[str, Any]) -> list[str]:
    field_name = cond.get("Field")
    config_key = {"path-pattern": "PathPatternConfig", "host-header": "HostHeaderConfig"}.get(field_name or "")
    if config_key and isinstance(cond.get(config_key), dict):
        return list(cond[config_key].get("Values") or [])
    return list(cond.get("Values") or [])


def rule_matches(rule: Rule, path: str, host: str) -> bool:
    for cond in rule.conditions:
        values = condition_values(cond)
        if cond.get("Field") == "path-pattern":
            if not any(wildcard_match(v, path, case_sensitive=True) for v in values):
                return False
        elif cond.get("Field") == "host-header":
            bare = host.split(":", 1)[0]
            if not any(wildcard_match(v, bare, case_sensitive=False) for v in values):
                return False
    return True


# --- health-check clocks ---------------------------------------------------------------------------

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_TOLERANCE = timedelta(milliseconds=2)


class _Bucket:
    """Targets of one group checked at the same instants: one periodic event for all of them."""

    def __init__(self) -> None:
        self.members: dict[int, tuple[TargetGroup, Target, datetime]] = {}
        self.handle: Any = None


class _Membership:
    """A target's place in a bucket; `cancel()` stops its checks (the interface of an EventHandle)."""

    def __init__(self, backend: Elbv2Backend, key: tuple[str, int, int], token: int) -> None:
        self._backend, self._key, self._token = backend, key, token

    def cancel(self) -> None:
        self._backend._leave_bucket(self._key, self._token)


# --- the backend ---------------------------------------------------------------------------------


class Elbv2Backend(Backend):
    """ALBs and NLBs. See the module docstring for the internal API ECS uses."""

    service_name = "elbv2"

    def __init__(self, sim) -> None:  # type: ignore[no-untyped-def]
        super().__init__(sim)
        self.load_balancers: dict[str, LoadBalancer] = {}
        self.target_groups: dict[str, TargetGroup] = {}
        self.listeners: dict[str, Listener] = {}
        self.rules: dict[str, Rule] = {}  # by ARN, every rule including defaults
        self._rule_listener: dict[str, Listener] = {}
        #: (tg_arn, target_id, port) of targets in `initial` or `draining` (settle waits for them)
        self._transitional: set[tuple[str, str, int]] = set()
        self._provisioning: set[str] = set()
        self._buckets: dict[tuple[str, int, int], _Bucket] = {}
        self._member_seq = 0
        sim.backend("cloudwatch")  # AWS/ApplicationELB metrics are published from the first minute on
        #: called as fn(tg_arn, target_id, port, old_state, new_state) on every target state change
        self._health_listeners: list[Callable[[str, str, int, str | None, str | None], None]] = []

    def busy(self) -> bool:
        return bool(self._transitional or self._provisioning)

    # --- lookups -----------------------------------------------------------------------------------

    def _arn(self, resource: str) -> str:
        return self.sim.arn("elasticloadbalancing", resource)

    def _target_group(self, arn: str) -> TargetGroup:
        """The target group with this ARN, or elbv2's TargetGroupNotFound."""
        tg = self.target_groups.get(arn) if isinstance(arn, str) else None
        if tg is None:
            raise aws_error("TargetGroupNotFound", "One or more target groups not found")
        return tg

    def _load_balancer(self, arn: str) -> LoadBalancer:
        lb = self.load_balancers.get(arn) if isinstance(arn, str) else None
        if lb is None:
            raise aws_error("LoadBalancerNotFound", "One or more load balancers not found")
        return lb

    def _listener(self, arn: str) -> Listener:
        listener = self.listeners.get(arn) if isinstance(arn, str) else None
        if listener is None:
            raise aws_error("ListenerNotFound", "One or more listeners not found")
        return listener

    def _rule(self, arn: str) -> Rule:
        rule = self.rules.get(arn) if isinstance(arn, str) else None
        if rule is None:
            raise aws_error("RuleNotFound", "One or more rules not found")
        return rule

    def load_balancer_by_dns(self, dns_name: str) -> LoadBalancer | None:
        dns_name = dns_name.lower().rstrip(".")
        return next((lb for lb in self.load_balancers.values() if lb.dns_name.lower() == dns_name), None)

    # --- EC2 adapters (the EC2 backend belongs to another module) -----------------------------------

    def _ec2(self) -> Any:
        return self.sim.backend("ec2")

    @staticmethod
    def _get(obj: Any, *names: str) -> Any:
        for name in names:
            if isinstance(obj, dict) and name in obj:
                return obj[name]
            if hasattr(obj, name):
                return getattr(obj, name)
        return None

    def _subnet_info(self, subnet_id: str) -> tuple[str, str, str | None]:
        """(vpc id, availability zone, cidr) of a subnet, or InvalidSubnet / SubnetNotFound."""
        ec2 = self._ec2()
        try:
            subnet = ec2._subnet(subnet_id)
        except Exception as err:  # the EC2 backend's own not-found error
            if getattr(err, "code", None) is not None:
                raise aws_error("SubnetNotFound", f"The subnet ID '{subnet_id}' is not valid") from None
            raise
        if subnet is None:
            raise aws_error("SubnetNotFound", f"The subnet ID '{subnet_id}' is not valid")
        vpc = self._get(subnet, "vpc_id", "VpcId")
        az = self._get(subnet, "availability_zone", "az", "AvailabilityZone")
        cidr = self._get(subnet, "cidr_block", "cidr", "CidrBlock")
        return str(vpc), str(az), cidr

    def _vpc_cidrs(self, vpc_id: str) -> list[str]:
        ec2 = self._ec2()
        vpc = None
        finder = getattr(ec2, "_vpc", None)
        if finder is not None:
            try:
                vpc = finder(vpc_id)
            except Exception:
                vpc = None
        if vpc is None:
            vpcs = getattr(ec2, "vpcs", None)
            if isinstance(vpcs, dict):
                vpc = vpcs.get(vpc_id)
        if vpc is None:
            return []
        cidr = self._get(vpc, "cidr_block", "cidr", "CidrBlock")
        extra = self._get(vpc, "cidr_blocks") or []
        return [c for c in [cidr, *extra] if c]

    def _vpc_exists(self, vpc_id: str) -> bool:
        ec2 = self._ec2()
        finder = getattr(ec2, "_vpc", None)
        if finder is not None:
            try:
                return finder(vpc_id) is not None
            except Exception:
                return False
        vpcs = getattr(ec2, "vpcs", None)
        if isinstance(vpcs, dict):
            return vpc_id in vpcs
        return True

    def _ec2_instance(self, instance_id: str) -> Any:
        ec2 = self._ec2()
        finder = getattr(ec2, "_instance", None)
        if finder is not None:
            try:
                return finder(instance_id)
            except Exception:
                return None
        instances = getattr(ec2, "instances", None)
        if isinstance(instances, dict):
            return instances.get(instance_id)
        return None

    def _instance_state(self, inst: Any) -> str:
        state = self._get(inst, "state", "State")
        if isinstance(state, dict):
            state = state.get("Name")
        return str(state or "running")

    # --- tags ----------------------------------------------------------------------------------

    @staticmethod
    def _check_tags(tags: list | None) -> list[dict[str, str]]:
        out: dict[str, str] = {}
        for i, tag in enumerate(tags or []):
            check_type(f"Tags[{i}]", tag, dict)
            key = tag.get("Key")
            value = tag.get("Value", "")
            if not isinstance(key, str) or not 1 <= len(key) <= 128:
                raise validation("Tag keys must be between 1 and 128 characters")
            if not isinstance(value, str) or len(value) > 256:
                raise validation("Tag values must be at most 256 characters")
            if key.lower().startswith("aws:"):
                raise validation("Tag keys starting with 'aws:' are reserved for internal use")
            if key in out:
                raise aws_error("DuplicateTagKeys", f"Tag key '{key}' is duplicated")
            out[key] = value
        if len(out) > 50:
            raise aws_error("TooManyTags", "You've reached the limit on the number of tags for this resource")
        return [{"Key": k, "Value": v} for k, v in out.items()]

    def _tagged(self, arn: Any) -> Any:
        if not isinstance(arn, str):
            raise validation("Resource ARNs must be strings")
        for table in (self.load_balancers, self.target_groups, self.listeners, self.rules):
            if arn in table:
                return table[arn]
        if ":targetgroup/" in arn:
            raise aws_error("TargetGroupNotFound", "One or more target groups not found")
        if ":listener-rule/" in arn:
            raise aws_error("RuleNotFound", "One or more rules not found")
        if ":listener/" in arn:
            raise aws_error("ListenerNotFound", "One or more listeners not found")
        raise aws_error("LoadBalancerNotFound", "One or more load balancers not found")

    @operation
    def add_tags(self, ResourceArns: list, Tags: list) -> dict[str, Any]:
        """Add or overwrite tags on load balancers, target groups, listeners and rules."""
        new = self._check_tags(Tags)
        objs = [self._tagged(a) for a in _strings("ResourceArns", ResourceArns)]
        for obj in objs:
            merged = {t["Key"]: t["Value"] for t in obj.tags}
            merged.update({t["Key"]: t["Value"] for t in new})
            if len(merged) > 50:
                raise aws_error("TooManyTags", "You've reached the limit on the number of tags for this resource")
            obj.tags = [{"Key": k, "Value": v} for k, v in merged.items()]
        return {}

    @operation
    def remove_tags(self, ResourceArns: list, TagKeys: list) -> dict[str, Any]:
        """Remove tags by key."""
        objs = [self._tagged(a) for a in _strings("ResourceArns", ResourceArns)]
        keys = set(_strings("TagKeys", TagKeys))
        for obj in objs:
            obj.tags = [t for t in obj.tags if t["Key"] not in keys]
        return {}

    @operation
    def describe_tags(self, ResourceArns: list) -> dict[str, Any]:
        """Tags of up to 20 resources."""
        _strings("ResourceArns", ResourceArns)
        if len(ResourceArns) > 20:
            raise validation("You can specify up to 20 resource ARNs")
        return {"TagDescriptions": [{"ResourceArn": a, "Tags": list(self._tagged(a).tags)}
                                    for a in ResourceArns]}

    # --- paging --------------------------------------------------------------------------------

    @staticmethod
    def _page(items: list[Any], marker: str | None, page_size: int | None) -> tuple[list[Any], str | None]:
        if page_size is not None:
            _constraint("pageSize", page_size, 1, 400)
        return page_slice(items, marker, page_size or 400, lambda: validation("Invalid marker"))

    # --- load balancers ------------------------------------------------------------------------

    def _lb_api(self, lb: LoadBalancer) -> dict[str, Any]:
        out: dict[str, Any] = {
            "LoadBalancerArn": lb.arn,
            "DNSName": lb.dns_name,
            "CanonicalHostedZoneId": ALB_ZONE_ID if lb.type == "application" else NLB_ZONE_ID,
            "CreatedTime": lb.created_at,
            "LoadBalancerName": lb.name,
            "Scheme": lb.scheme,
            "VpcId": lb.vpc_id,
            "State": {"Code": lb.state},
            "Type": lb.type,
            "AvailabilityZones": [dict(z) for z in lb.zones],
            "IpAddressType": lb.ip_address_type,
        }
        if lb.type == "application" or lb.security_groups:
            out["SecurityGroups"] = list(lb.security_groups)
        return out

    @operation
    def create_load_balancer(self, Name: str, Subnets: list | None = None, SubnetMappings: list | None = None,
                             SecurityGroups: list | None = None, Scheme: str | None = None,
                             Tags: list | None = None, Type: str | None = None,
                             IpAddressType: str | None = None) -> dict[str, Any]:
        """Create an Application (default) or Network Load Balancer; it is `provisioning` for 90 s, then `active`.

        Not modelled: gateway load balancers, dualstack addressing, Elastic IPs in SubnetMappings,
        customer-owned IP pools, load balancer attributes (access logs, idle timeout).
        """
        lb_type = Type or "application"
        if lb_type == "gateway":
            raise NotModelledError("gateway load balancers", operation_name="CreateLoadBalancer")
        if lb_type not in ("application", "network"):
            raise validation(f"Load balancer type '{lb_type}' is not valid")
        if not _NAME.match(Name) or Name.lower().startswith("internal-"):
            raise validation(f"The load balancer name '{Name}' is not valid: it can have up to 32 characters "
                             "(letters, digits and hyphens), must not begin or end with a hyphen and must "
                             "not begin with 'internal-'")
        scheme = Scheme or "internet-facing"
        if scheme not in ("internet-facing", "internal"):
            raise validation(f"Scheme '{scheme}' is not valid: use internet-facing or internal")
        ip_type = IpAddressType or "ipv4"
        if ip_type != "ipv4":
            raise NotModelledError(f"the {ip_type} IP address type", operation_name="CreateLoadBalancer")
        if Subnets and SubnetMappings:
            raise validation("You can specify subnets or subnet mappings, not both")
        subnet_ids: list[str] = []
        for i, s in enumerate(Subnets or []):
            subnet_ids.append(check_type(f"Subnets[{i}]", s, str))
        for i, m in enumerate(SubnetMappings or []):
            check_type(f"SubnetMappings[{i}]", m, dict)
            sid = m.get("SubnetId")
            if not isinstance(sid, str):
                raise validation("Each subnet mapping needs a SubnetId")
            if m.keys() - {"SubnetId"}:
                raise NotModelledError("Elastic IPs and private addresses in SubnetMappings",
                                       operation_name="CreateLoadBalancer")
            subnet_ids.append(sid)
        if not subnet_ids:
            raise validation("At least one subnet must be specified")
        infos = [(sid, *self._subnet_info(sid)) for sid in subnet_ids]
        vpcs = {vpc for _, vpc, _, _ in infos}
        if len(vpcs) > 1:
            raise aws_error("InvalidConfigurationRequest", "The subnets must all be in the same VPC")
        zones: dict[str, str] = {}
        for sid, _, az, _ in infos:
            if az in zones:
                raise aws_error("InvalidConfigurationRequest",
                                f"You cannot specify more than one subnet in the same Availability Zone ({az})")
            zones[az] = sid
        if lb_type == "application" and len(zones) < 2:
            raise validation("At least two subnets in two different Availability Zones must be specified")
        groups = [check_type(f"SecurityGroups[{i}]", g, str) for i, g in enumerate(SecurityGroups or [])]
        tags = self._check_tags(Tags)
        vpc_id = vpcs.pop()
        for lb in self.load_balancers.values():
            if lb.name == Name:
                same = lb.type == lb_type and lb.scheme == scheme and lb.availability_zones == set(zones)
                if same:
                    return {"LoadBalancers": [self._lb_api(lb)]}
                raise aws_error("DuplicateLoadBalancerName",
                                f"A load balancer with the same name '{Name}' exists, but with different settings")
        lb_id = self.sim.new_hex(16)
        kind = "app" if lb_type == "application" else "net"
        digits = str(int(self.sim.new_hex(8), 16) % 9_000_000_000 + 1_000_000_000)
        prefix = "internal-" if scheme == "internal" else ""
        lb = LoadBalancer(
            arn=self._arn(f"loadbalancer/{kind}/{Name}/{lb_id}"),
            name=Name, type=lb_type, scheme=scheme,
            dns_name=f"{prefix}{Name}-{digits}.{self.region}.elb.amazonaws.com",
            vpc_id=vpc_id,
            zones=[{"ZoneName": az, "SubnetId": sid, "LoadBalancerAddresses": []}
                   for az, sid in sorted(zones.items())],
            security_groups=groups,
            ip_address_type=ip_type, created_at=self.sim.now, tags=tags,
            attributes=dict(_LB_ATTRIBUTES_ALB if lb_type == "application" else _LB_ATTRIBUTES_NLB),
        )
        self.load_balancers[lb.arn] = lb
        self._provisioning.add(lb.arn)

        def activate() -> None:
            self._provisioning.discard(lb.arn)
            if lb.arn in self.load_balancers:
                lb.state = "active"

        self.sim.schedule(PROVISIONING_SECONDS, activate, name=f"elbv2 {Name} active")
        return {"LoadBalancers": [self._lb_api(lb)]}

    @operation
    def describe_load_balancers(self, LoadBalancerArns: list | None = None, Names: list | None = None,
                                Marker: str | None = None, PageSize: int | None = None) -> dict[str, Any]:
        """Describe load balancers by ARN or name (or all)."""
        if LoadBalancerArns and Names:
            raise validation("Load balancer names and load balancer ARNs cannot be specified at the same time")
        _strings("LoadBalancerArns", LoadBalancerArns or [])
        _strings("Names", Names or [])
        if LoadBalancerArns:
            found = [self._load_balancer(a) for a in LoadBalancerArns]
        elif Names:
            by_name = {lb.name: lb for lb in self.load_balancers.values()}
            missing = [n for n in Names if n not in by_name]
            if missing:
                raise aws_error("LoadBalancerNotFound", f"Load balancers '[{', '.join(missing)}]' not found")
            found = [by_name[n] for n in Names]
        else:
            found = list(self.load_balancers.values())
        page, token = self._page(found, Marker, PageSize)
        out: dict[str, Any] = {"LoadBalancers": [self._lb_api(lb) for lb in page]}
        if token:
            out["NextMarker"] = token
        return out

    @operation
    def delete_load_balancer(self, LoadBalancerArn: str) -> dict[str, Any]:
        """Delete a load balancer and its listeners and rules (its target groups stay); unknown ARNs succeed.

        Refused while the `deletion_protection.enabled` attribute is true.
        """
        lb = self.load_balancers.get(LoadBalancerArn)
        if lb is None:
            if ":loadbalancer/" not in LoadBalancerArn:
                raise validation(f"'{LoadBalancerArn}' is not a valid load balancer ARN")
            return {}
        if lb.attributes.get("deletion_protection.enabled") == "true":
            raise aws_error("OperationNotPermitted", f"Load balancer '{lb.arn}' cannot be deleted because "
                            "deletion protection is enabled")
        for listener in list(lb.listeners.values()):
            self._drop_listener(listener)
        del self.load_balancers[lb.arn]
        self._provisioning.discard(lb.arn)
        self._refresh_associations()
        return {}

    @operation
    def describe_load_balancer_attributes(self, LoadBalancerArn: str) -> dict[str, Any]:
        """A load balancer's attributes (access logs, idle timeout, deletion protection, ...)."""
        lb = self._load_balancer(LoadBalancerArn)
        return {"Attributes": [{"Key": k, "Value": v} for k, v in lb.attributes.items()]}

    @operation
    def modify_load_balancer_attributes(self, LoadBalancerArn: str, Attributes: list) -> dict[str, Any]:
        """Change attributes; `deletion_protection.enabled` blocks DeleteLoadBalancer.

        Not modelled: the effect of access logs, idle timeout, HTTP/2 and cross-zone settings (stored and
        returned).
        """
        lb = self._load_balancer(LoadBalancerArn)
        updates: dict[str, str] = {}
        for i, attr in enumerate(Attributes):
            check_type(f"Attributes[{i}]", attr, dict)
            key, value = attr.get("Key"), attr.get("Value")
            if not isinstance(key, str) or not isinstance(value, str):
                raise validation("Each attribute needs a Key and a Value")
            if key not in lb.attributes:
                raise validation(f"Load balancer attribute key '{key}' is not recognized")
            if key.endswith(".enabled") and value not in ("true", "false"):
                raise validation(f"'{value}' must be a boolean value for attribute '{key}'")
            if key == "idle_timeout.timeout_seconds" and not (value.isdigit() and 1 <= int(value) <= 4000):
                raise validation("Idle timeout must be between 1 and 4000 seconds")
            updates[key] = value
        lb.attributes.update(updates)
        return {"Attributes": [{"Key": k, "Value": v} for k, v in lb.attributes.items()]}

    # --- target groups -------------------------------------------------------------------------

    def _tg_api(self, tg: TargetGroup) -> dict[str, Any]:
        hc = tg.health_check
        out: dict[str, Any] = {
            "TargetGroupArn": tg.arn,
            "TargetGroupName": tg.name,
            "HealthCheckProtocol": hc.protocol,
            "HealthCheckPort": hc.port,
            "HealthCheckEnabled": hc.enabled,
            "HealthCheckIntervalSeconds": hc.interval,
            "HealthCheckTimeoutSeconds": hc.timeout,
            "HealthyThresholdCount": hc.healthy_threshold,
            "UnhealthyThresholdCount": hc.unhealthy_threshold,
            "LoadBalancerArns": list(tg.load_balancer_arns),
            "TargetType": tg.target_type,
            "IpAddressType": "ipv4",
        }
        if tg.protocol:
            out["Protocol"] = tg.protocol
        if tg.port is not None:
            out["Port"] = tg.port
        if tg.vpc_id:
            out["VpcId"] = tg.vpc_id
        if hc.path is not None:
            out["HealthCheckPath"] = hc.path
        if hc.matcher is not None:
            out["Matcher"] = {"HttpCode": hc.matcher}
        if tg.protocol_version:
            out["ProtocolVersion"] = tg.protocol_version
        return out

    @staticmethod
    def _check_matcher(matcher: Any, low: int, high: int) -> str:
        check_type("Matcher", matcher, dict)
        if "GrpcCode" in matcher:
            raise NotModelledError("gRPC health check matchers")
        code = matcher.get("HttpCode")
        if not isinstance(code, str) or not code:
            raise validation("Matcher HttpCode must be specified")
        for part in code.split(","):
            bounds = part.split("-")
            if len(bounds) > 2 or not all(b.isdigit() for b in bounds) or \
                    not all(low <= int(b) <= high for b in bounds) or \
                    (len(bounds) == 2 and int(bounds[0]) > int(bounds[1])):
                raise validation(f"Health check matcher HTTP code '{code}' must be one or more values "
                                 f"between {low} and {high}, separated by commas or as a range (200-299)")
        return code

    def _apply_health_check(self, hc: HealthCheck, *, is_alb: bool, protocol: str | None, port: str | None,
                            enabled: bool | None, path: str | None, interval: int | None,
                            timeout: int | None, healthy: int | None, unhealthy: int | None,
                            matcher: dict | None, target_type: str) -> None:
        if protocol is not None:
            allowed = ALB_PROTOCOLS if is_alb else ("TCP", "HTTP", "HTTPS")
            if protocol not in allowed:
                raise validation(f"Health check protocol '{protocol}' must be one of '{', '.join(allowed)}'")
            hc.protocol = protocol
            if protocol == "TCP":
                hc.path = None
                hc.matcher = None
            else:
                hc.path = hc.path or "/"
                hc.matcher = hc.matcher or "200"
        if port is not None:
            if port != "traffic-port" and not (port.isdigit() and 1 <= int(port) <= 65535):
                raise validation(f"Health check port '{port}' must be 'traffic-port' or a port from 1 to 65535")
            hc.port = port
        if enabled is not None:
            if not enabled and target_type in ("instance", "ip"):
                raise validation("Health check enabled must be true for target groups "
                                 "with target type 'instance' or 'ip'")
            hc.enabled = enabled
        if path is not None:
            if hc.protocol == "TCP":
                raise validation("Health check path cannot be specified for TCP health checks")
            if not path.startswith("/") or len(path) > 1024:
                raise validation("Health check path must begin with a '/' character and can be at most "
                                 "1024 characters long")
            hc.path = path
        if interval is not None:
            _constraint("healthCheckIntervalSeconds", interval, 5, 300)
            hc.interval = interval
        if timeout is not None:
            _constraint("healthCheckTimeoutSeconds", timeout, 2, 120)
            hc.timeout = timeout
        if healthy is not None:
            _constraint("healthyThresholdCount", healthy, 2, 10)
            hc.healthy_threshold = healthy
        if unhealthy is not None:
            _constraint("unhealthyThresholdCount", unhealthy, 2, 10)
            hc.unhealthy_threshold = unhealthy
        if matcher is not None:
            if hc.protocol == "TCP":
                raise validation("Health check matcher cannot be specified for TCP health checks")
            hc.matcher = self._check_matcher(matcher, 200, 499 if is_alb else 599)
        if hc.timeout >= hc.interval:
            raise validation(f"Health check timeout '{hc.timeout}' must be smaller than the interval "
                             f"'{hc.interval}'")

    @operation
    def create_target_group(self, Name: str, Protocol: str | None = None, ProtocolVersion: str | None = None,
                            Port: int | None = None, VpcId: str | None = None,
                            HealthCheckProtocol: str | None = None, HealthCheckPort: str | None = None,
                            HealthCheckEnabled: bool | None = None, HealthCheckPath: str | None = None,
                            HealthCheckIntervalSeconds: int | None = None,
                            HealthCheckTimeoutSeconds: int | None = None,
                            HealthyThresholdCount: int | None = None, UnhealthyThresholdCount: int | None = None,
                            Matcher: dict | None = None, TargetType: str | None = None,
                            Tags: list | None = None, IpAddressType: str | None = None) -> dict[str, Any]:
        """Create a target group of `instance` (default) or `ip` targets, with AWS's health-check defaults.

        Not modelled: lambda and alb target types, GENEVE, gRPC/HTTP2 protocol versions, IPv6.
        """
        target_type = TargetType or "instance"
        if target_type in ("lambda", "alb"):
            raise NotModelledError(f"target type {target_type}", operation_name="CreateTargetGroup")
        if target_type not in ("instance", "ip"):
            raise validation(f"Target type '{target_type}' is not valid: use instance or ip")
        if not _NAME.match(Name):
            raise validation(f"Target group name '{Name}' can have a maximum of 32 characters, must contain "
                             "only alphanumeric characters or hyphens, and must not begin or end with a hyphen")
        if IpAddressType not in (None, "ipv4"):
            raise NotModelledError("IPv6 target groups", operation_name="CreateTargetGroup")
        if Protocol is None:
            raise validation("A protocol must be specified")
        if Protocol == "GENEVE":
            raise NotModelledError("GENEVE target groups", operation_name="CreateTargetGroup")
        if Protocol not in TG_PROTOCOLS:
            raise validation(f"Protocol '{Protocol}' must be one of '{', '.join(TG_PROTOCOLS[:-1])}'")
        if Port is None:
            raise validation("A port must be specified")
        _constraint("port", Port, 1, 65535)
        if VpcId is None:
            raise validation("A VPC ID must be specified")
        if not self._vpc_exists(VpcId):
            raise validation(f"The VPC ID '{VpcId}' is not found")
        if ProtocolVersion not in (None, "HTTP1"):
            raise NotModelledError(f"protocol version {ProtocolVersion}", operation_name="CreateTargetGroup")
        is_alb = Protocol in ALB_PROTOCOLS
        if is_alb:
            hc = HealthCheck(protocol=Protocol, path="/", interval=30, timeout=5, healthy_threshold=5,
                             unhealthy_threshold=2, matcher="200")
        else:
            hc = HealthCheck(protocol="TCP", path=None, interval=30, timeout=10, healthy_threshold=5,
                             unhealthy_threshold=2, matcher=None)
        self._apply_health_check(hc, is_alb=is_alb, protocol=HealthCheckProtocol, port=HealthCheckPort,
                                 enabled=HealthCheckEnabled, path=HealthCheckPath,
                                 interval=HealthCheckIntervalSeconds, timeout=HealthCheckTimeoutSeconds,
                                 healthy=HealthyThresholdCount, unhealthy=UnhealthyThresholdCount,
                                 matcher=Matcher, target_type=target_type)
        tags = self._check_tags(Tags)
        for tg in self.target_groups.values():
            if tg.name == Name:
                if (tg.protocol, tg.port, tg.vpc_id, tg.target_type) == (Protocol, Port, VpcId, target_type) \
                        and tg.health_check == hc:
                    return {"TargetGroups": [self._tg_api(tg)]}
                raise aws_error("DuplicateTargetGroupName",
                                f"A target group with the same name '{Name}' exists, but with different settings")
        tg = TargetGroup(
            arn=self._arn(f"targetgroup/{Name}/{self.sim.new_hex(16)}"), name=Name, target_type=target_type,
            protocol=Protocol, port=Port, vpc_id=VpcId, health_check=hc, created_at=self.sim.now,
            protocol_version="HTTP1" if is_alb else None,
            attributes=dict(_TG_ATTRIBUTES_ALB if is_alb else _TG_ATTRIBUTES_NLB), tags=tags,
        )
        self.target_groups[tg.arn] = tg
        return {"TargetGroups": [self._tg_api(tg)]}

    @operation
    def describe_target_groups(self, LoadBalancerArn: str | None = None, TargetGroupArns: list | None = None,
                               Names: list | None = None, Marker: str | None = None,
                               PageSize: int | None = None) -> dict[str, Any]:
        """Describe target groups by ARN, by name, by load balancer, or all."""
        if sum(x is not None for x in (LoadBalancerArn, TargetGroupArns, Names)) > 1:
            raise validation("Only one of load balancer ARN, target group ARNs or names can be specified")
        _strings("TargetGroupArns", TargetGroupArns or [])
        _strings("Names", Names or [])
        if TargetGroupArns:
            found = [self._target_group(a) for a in TargetGroupArns]
        elif Names:
            by_name = {tg.name: tg for tg in self.target_groups.values()}
            missing = [n for n in Names if n not in by_name]
            if missing:
                raise aws_error("TargetGroupNotFound", "One or more target groups not found")
            found = [by_name[n] for n in Names]
        elif LoadBalancerArn is not None:
            lb = self._load_balancer(LoadBalancerArn)
            found = [tg for tg in self.target_groups.values() if lb.arn in tg.load_balancer_arns]
        else:
            found = list(self.target_groups.values())
        page, token = self._page(found, Marker, PageSize)
        out: dict[str, Any] = {"TargetGroups": [self._tg_api(tg) for tg in page]}
        if token:
            out["NextMarker"] = token
        return out

    @operation
    def modify_target_group(self, TargetGroupArn: str, HealthCheckProtocol: str | None = None,
                            HealthCheckPort: str | None = None, HealthCheckPath: str | None = None,
                            HealthCheckEnabled: bool | None = None,
                            HealthCheckIntervalSeconds: int | None = None,
                            HealthCheckTimeoutSeconds: int | None = None,
                            HealthyThresholdCount: int | None = None, UnhealthyThresholdCount: int | None = None,
                            Matcher: dict | None = None) -> dict[str, Any]:
        """Change a target group's health-check settings (new intervals apply from the next check)."""
        tg = self._target_group(TargetGroupArn)
        hc = HealthCheck(**vars(tg.health_check))
        self._apply_health_check(hc, is_alb=tg.protocol in ALB_PROTOCOLS, protocol=HealthCheckProtocol,
                                 port=HealthCheckPort, enabled=HealthCheckEnabled, path=HealthCheckPath,
                                 interval=HealthCheckIntervalSeconds, timeout=HealthCheckTimeoutSeconds,
                                 healthy=HealthyThresholdCount, unhealthy=UnhealthyThresholdCount,
                                 matcher=Matcher, target_type=tg.target_type)
        old_interval = tg.health_check.interval
        tg.health_check = hc
        if hc.interval != old_interval:
            for target in tg.targets.values():
                if target.checker is not None:
                    target.checker.cancel()
                    target.checker = self._start_checks(tg, target, first_delay=hc.interval)
        return {"TargetGroups": [self._tg_api(tg)]}

    @operation
    def delete_target_group(self, TargetGroupArn: str) -> dict[str, Any]:
        """Delete a target group that no listener or rule uses (ResourceInUse otherwise)."""
        tg = self._target_group(TargetGroupArn)
        if tg.load_balancer_arns or any(tg.arn in self._rule_target_groups(r) for r in self.rules.values()):
            raise aws_error("ResourceInUse", f"Target group '{tg.arn}' is currently in use by a listener or a rule")
        for target in list(tg.targets.values()):
            self._remove_target(tg, target)
        del self.target_groups[tg.arn]
        return {}

    @operation
    def describe_target_group_attributes(self, TargetGroupArn: str) -> dict[str, Any]:
        """A target group's attributes (deregistration delay, stickiness, algorithm, ...)."""
        tg = self._target_group(TargetGroupArn)
        return {"Attributes": [{"Key": k, "Value": v} for k, v in tg.attributes.items()]}

    @operation
    def modify_target_group_attributes(self, TargetGroupArn: str, Attributes: list) -> dict[str, Any]:
        """Change attributes; `deregistration_delay.timeout_seconds` (0-3600) drives draining.

        Not modelled: the effect of stickiness, slow start and the load-balancing algorithm on routing
        (values are stored and returned; routing stays round robin).
        """
        tg = self._target_group(TargetGroupArn)
        updates: dict[str, str] = {}
        for i, attr in enumerate(Attributes):
            check_type(f"Attributes[{i}]", attr, dict)
            key, value = attr.get("Key"), attr.get("Value")
            if not isinstance(key, str) or not isinstance(value, str):
                raise validation("Each attribute needs a Key and a Value")
            if key not in tg.attributes:
                raise validation(f"Target group attribute key '{key}' is not recognized")
            if key == "deregistration_delay.timeout_seconds" or key.endswith("duration_seconds"):
                if not value.isdigit():
                    raise validation(f"'{value}' must be an integer for attribute '{key}'")
                if key == "deregistration_delay.timeout_seconds" and not 0 <= int(value) <= 3600:
                    raise validation("Deregistration delay timeout must be between 0 and 3600 seconds")
            elif key.endswith(".enabled") and key != "load_balancing.cross_zone.enabled" and \
                    value not in ("true", "false"):
                raise validation(f"'{value}' must be a boolean value for attribute '{key}'")
            elif key == "load_balancing.algorithm.type" and \
                    value not in ("round_robin", "least_outstanding_requests", "weighted_random"):
                raise validation(f"'{value}' is not a valid load balancing algorithm")
            updates[key] = value
        tg.attributes.update(updates)
        return {"Attributes": [{"Key": k, "Value": v} for k, v in tg.attributes.items()]}

    # --- listeners and rules -------------------------------------------------------------------

    @staticmethod
    def _rule_target_groups(rule: Rule) -> list[str]:
        arns: list[str] = []
        for action in rule.actions:
            if action.get("Type") == "forward":
                for tgw in action.get("ForwardConfig", {}).get("TargetGroups", []):
                    arns.append(tgw["TargetGroupArn"])
        return arns

    def _refresh_associations(self) -> None:
        """Recompute every target group's LoadBalancerArns; targets become `unused` or start checking."""
        used: dict[str, list[str]] = {arn: [] for arn in self.target_groups}
        for listener in self.listeners.values():
            for rule in [listener.default_rule, *listener.rules.values()]:
                for tg_arn in self._rule_target_groups(rule):
                    lbs = used.setdefault(tg_arn, [])
                    if listener.load_balancer.arn not in lbs:
                        lbs.append(listener.load_balancer.arn)
        for tg in self.target_groups.values():
            before = bool(tg.load_balancer_arns)
            tg.load_balancer_arns = used.get(tg.arn, [])
            if before != bool(tg.load_balancer_arns):
                for target in tg.targets.values():
                    if target.state in ("draining",):
                        continue
                    if tg.load_balancer_arns:
                        self._set_state(tg, target, "initial", "Elb.RegistrationInProgress")
                        target.successes = target.failures = 0
                    else:
                        self._set_state(tg, target, "unused", "Target.NotInUse")

    def _check_actions(self, actions: list, lb: LoadBalancer, *, path: str) -> list[dict[str, Any]]:
        if not actions:
            raise validation("At least one action must be specified")
        out: list[dict[str, Any]] = []
        terminal = 0
        for i, action in enumerate(actions):
            check_type(f"{path}[{i}]", action, dict)
            kind = action.get("Type")
            if kind in ("authenticate-oidc", "authenticate-cognito"):
                raise NotModelledError("authentication actions")
            if kind == "forward":
                groups: list[dict[str, Any]] = []
                if action.get("TargetGroupArn"):
                    groups.append({"TargetGroupArn": action["TargetGroupArn"], "Weight": 1})
                cfg = action.get("ForwardConfig")
                if cfg is not None:
                    check_type(f"{path}[{i}].ForwardConfig", cfg, dict)
                    cfg_groups = cfg.get("TargetGroups") or []
                    check_type(f"{path}[{i}].ForwardConfig.TargetGroups", cfg_groups, list)
                    if groups and [g.get("TargetGroupArn") for g in cfg_groups if isinstance(g, dict)] != \
                            [groups[0]["TargetGroupArn"]]:
                        raise validation("You cannot specify both a target group ARN and a forward "
                                         "config with different target groups")
                    groups = []
                    for j, g in enumerate(cfg_groups):
                        check_type(f"{path}[{i}].ForwardConfig.TargetGroups[{j}]", g, dict)
                        weight = g.get("Weight", 1)
                        check_type(f"{path}[{i}].ForwardConfig.TargetGroups[{j}].Weight", weight, int)
                        if not 0 <= weight <= 999:
                            raise validation("Target group weights must be between 0 and 999")
                        groups.append({"TargetGroupArn": g.get("TargetGroupArn"), "Weight": weight})
                    if (cfg.get("TargetGroupStickinessConfig") or {}).get("Enabled"):
                        raise NotModelledError("target group stickiness in forward actions")
                if not groups:
                    raise validation("A target group ARN must be specified for forward actions")
                if len(groups) > 5:
                    raise validation("A forward action can have at most 5 target groups")
                for g in groups:
                    tg = self._target_group(g["TargetGroupArn"])
                    allowed = ALB_PROTOCOLS if lb.type == "application" else NLB_PROTOCOLS
                    if tg.protocol not in allowed:
                        raise aws_error("IncompatibleProtocols",
                                        f"The target group '{tg.arn}' uses protocol {tg.protocol}, which is not "
                                        f"compatible with a {lb.type} load balancer")
                    if tg.vpc_id != lb.vpc_id:
                        raise validation(f"The target group '{tg.arn}' is not in the load balancer's VPC")
                    others = [a for a in tg.load_balancer_arns if a != lb.arn]
                    if others and lb.type == "application":
                        raise aws_error("TargetGroupAssociationLimit",
                                        "The following target groups cannot be associated with more than one "
                                        f"load balancer: {tg.arn}")
                entry: dict[str, Any] = {"Type": "forward"}
                if len(groups) == 1:
                    entry["TargetGroupArn"] = groups[0]["TargetGroupArn"]
                entry["ForwardConfig"] = {"TargetGroups": groups,
                                          "TargetGroupStickinessConfig": {"Enabled": False}}
                terminal += 1
            elif kind == "fixed-response":
                if lb.type != "application":
                    raise validation("Fixed-response actions are only supported by Application Load Balancers")
                cfg = action.get("FixedResponseConfig")
                check_type(f"{path}[{i}].FixedResponseConfig", cfg, dict)
                code = cfg.get("StatusCode")
                if not isinstance(code, str) or not re.fullmatch(r"[2-5]\d\d", code):
                    raise validation("Fixed response status code must be a 2XX, 4XX or 5XX code")
                body = cfg.get("MessageBody", "")
                if not isinstance(body, str) or len(body) > 1024:
                    raise validation("Fixed response message body can be at most 1024 characters")
                ctype = cfg.get("ContentType", "text/plain")
                check_type(f"{path}[{i}].FixedResponseConfig.ContentType", ctype, str)
                if ctype not in ("text/plain", "text/css", "text/html", "application/javascript",
                                 "application/json"):
                    raise validation(f"Content type '{ctype}' is not valid")
                entry = {"Type": "fixed-response",
                         "FixedResponseConfig": {"MessageBody": body, "StatusCode": code, "ContentType": ctype}}
                terminal += 1
            elif kind == "redirect":
                if lb.type != "application":
                    raise validation("Redirect actions are only supported by Application Load Balancers")
                cfg = action.get("RedirectConfig")
                check_type(f"{path}[{i}].RedirectConfig", cfg, dict)
                code = cfg.get("StatusCode")
                if code not in ("HTTP_301", "HTTP_302"):
                    raise validation("Redirect status code must be HTTP_301 or HTTP_302")
                for key in ("Protocol", "Port", "Host", "Path", "Query"):
                    if key in cfg:
                        check_type(f"{path}[{i}].RedirectConfig.{key}", cfg[key], str)
                if cfg.get("Protocol", "#{protocol}") not in ("HTTP", "HTTPS", "#{protocol}"):
                    raise validation("Redirect protocol must be HTTP, HTTPS or #{protocol}")
                entry = {"Type": "redirect", "RedirectConfig": {
                    "Protocol": cfg.get("Protocol", "#{protocol}"), "Port": cfg.get("Port", "#{port}"),
                    "Host": cfg.get("Host", "#{host}"), "Path": cfg.get("Path", "/#{path}"),
                    "Query": cfg.get("Query", "#{query}"), "StatusCode": code}}
                terminal += 1
            else:
                raise validation(f"Action type '{kind}' must be one of 'forward, fixed-response, redirect'")
            order = action.get("Order", i + 1)
            check_type(f"{path}[{i}].Order", order, int)
            if not 1 <= order <= 50000:
                raise validation("Action order must be between 1 and 50000")
            entry["Order"] = order
            out.append(entry)
        if terminal != 1:
            raise validation("A rule or listener must have exactly one forward, fixed-response or redirect action")
        return out

    def _listener_api(self, listener: Listener) -> dict[str, Any]:
        out: dict[str, Any] = {
            "ListenerArn": listener.arn,
            "LoadBalancerArn": listener.load_balancer.arn,
            "Port": listener.port,
            "Protocol": listener.protocol,
            "DefaultActions": [dict(a) for a in listener.default_rule.actions],
        }
        if listener.certificates:
            out["Certificates"] = list(listener.certificates)
        if listener.ssl_policy:
            out["SslPolicy"] = listener.ssl_policy
        return out

    @operation
    def create_listener(self, LoadBalancerArn: str, DefaultActions: list, Protocol: str | None = None,
                        Port: int | None = None, SslPolicy: str | None = None, Certificates: list | None = None,
                        AlpnPolicy: list | None = None, Tags: list | None = None) -> dict[str, Any]:
        """Add a listener with a default action (forward, fixed-response or redirect).

        Not modelled: TLS termination details (certificates are stored, not checked), ALPN, mutual TLS.
        """
        lb = self._load_balancer(LoadBalancerArn)
        allowed = ALB_PROTOCOLS if lb.type == "application" else NLB_PROTOCOLS
        protocol = Protocol or ("HTTP" if lb.type == "application" else "TCP")
        if protocol not in allowed:
            raise validation(f"Listener protocol '{protocol}' must be one of '{', '.join(allowed)}'")
        port = Port if Port is not None else (80 if protocol == "HTTP" else 443 if protocol == "HTTPS" else None)
        if port is None:
            raise validation("A listener port must be specified")
        _constraint("port", port, 1, 65535)
        if protocol in ("HTTPS", "TLS") and not Certificates:
            raise aws_error("CertificateNotFound", f"A certificate must be specified for {protocol} listeners")
        if AlpnPolicy:
            raise NotModelledError("ALPN policies", operation_name="CreateListener")
        for i, cert in enumerate(Certificates or []):
            check_type(f"Certificates[{i}]", cert, dict)
        tags = self._check_tags(Tags)
        for other in lb.listeners.values():
            if other.port == port:
                raise aws_error("DuplicateListener", "A listener already exists on this port for this load balancer")
        actions = self._check_actions(DefaultActions, lb, path="DefaultActions")
        arn = self._arn(f"listener/{lb.resource_label}/{self.sim.new_hex(16)}")
        default_rule = Rule(arn=arn.replace(":listener/", ":listener-rule/") + f"/{self.sim.new_hex(16)}",
                            priority=None, conditions=[], actions=actions)
        listener = Listener(arn=arn, load_balancer=lb, port=port, protocol=protocol,
                            certificates=[dict(c) for c in Certificates or []],
                            ssl_policy=SslPolicy or ("ELBSecurityPolicy-2016-08" if protocol in ("HTTPS", "TLS")
                                                     else None),
                            default_rule=default_rule, tags=tags)
        lb.listeners[arn] = listener
        self.listeners[arn] = listener
        self.rules[default_rule.arn] = default_rule
        self._rule_listener[default_rule.arn] = listener
        self._refresh_associations()
        return {"Listeners": [self._listener_api(listener)]}

    @operation
    def describe_listeners(self, LoadBalancerArn: str | None = None, ListenerArns: list | None = None,
                           Marker: str | None = None, PageSize: int | None = None) -> dict[str, Any]:
        """Describe the listeners of a load balancer, or listeners by ARN."""
        if LoadBalancerArn is None and not ListenerArns:
            raise validation("You must specify either listener ARNs or a load balancer ARN")
        _strings("ListenerArns", ListenerArns or [])
        if ListenerArns:
            found = [self._listener(a) for a in ListenerArns]
        else:
            found = list(self._load_balancer(LoadBalancerArn).listeners.values())  # type: ignore[arg-type]
        page, token = self._page(found, Marker, PageSize)
        out: dict[str, Any] = {"Listeners": [self._listener_api(x) for x in page]}
        if token:
            out["NextMarker"] = token
        return out

    @operation
    def modify_listener(self, ListenerArn: str, Port: int | None = None, Protocol: str | None = None,
                        SslPolicy: str | None = None, Certificates: list | None = None,
                        DefaultActions: list | None = None) -> dict[str, Any]:
        """Change a listener's port, protocol or default actions."""
        listener = self._listener(ListenerArn)
        lb = listener.load_balancer
        if Protocol is not None:
            allowed = ALB_PROTOCOLS if lb.type == "application" else NLB_PROTOCOLS
            if Protocol not in allowed:
                raise validation(f"Listener protocol '{Protocol}' must be one of '{', '.join(allowed)}'")
        if Port is not None:
            _constraint("port", Port, 1, 65535)
            if any(o.port == Port and o is not listener for o in lb.listeners.values()):
                raise aws_error("DuplicateListener", "A listener already exists on this port for this load balancer")
        actions = self._check_actions(DefaultActions, lb, path="DefaultActions") if DefaultActions else None
        if Protocol is not None:
            listener.protocol = Protocol
        if Port is not None:
            listener.port = Port
        if SslPolicy is not None:
            listener.ssl_policy = SslPolicy
        for i, cert in enumerate(Certificates or []):
            check_type(f"Certificates[{i}]", cert, dict)
        if Certificates is not None:
            listener.certificates = [dict(c) for c in Certificates]
        if actions is not None:
            listener.default_rule.actions = actions
            listener.default_rule.wrr_state = {}
        self._refresh_associations()
        return {"Listeners": [self._listener_api(listener)]}

    def _drop_listener(self, listener: Listener) -> None:
        for rule in [listener.default_rule, *listener.rules.values()]:
            self.rules.pop(rule.arn, None)
            self._rule_listener.pop(rule.arn, None)
        listener.load_balancer.listeners.pop(listener.arn, None)
        self.listeners.pop(listener.arn, None)

    @operation
    def delete_listener(self, ListenerArn: str) -> dict[str, Any]:
        """Delete a listener and its rules."""
        self._drop_listener(self._listener(ListenerArn))
        self._refresh_associations()
        return {}

    def _check_conditions(self, conditions: list) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        seen: set[str] = set()
        total = 0
        for i, cond in enumerate(conditions):
            check_type(f"Conditions[{i}]", cond, dict)
            field_name = cond.get("Field")
            if field_name in ("http-header", "http-request-method", "query-string", "source-ip"):
                raise NotModelledError(f"{field_name} rule conditions")
            if field_name not in ("path-pattern", "host-header"):
                raise validation(f"Condition field '{field_name}' must be one of '[http-header, "
                                 "http-request-method, host-header, path-pattern, query-string, source-ip]'")
            if field_name in seen:
                raise validation(f"A rule can only have one '{field_name}' condition")
            seen.add(field_name)
            config_key = "PathPatternConfig" if field_name == "path-pattern" else "HostHeaderConfig"
            if cond.get("Values") and cond.get(config_key):
                raise validation(f"You cannot use both 'Values' and '{config_key}' in a condition")
            raw = cond.get(config_key, {}).get("Values") if isinstance(cond.get(config_key), dict) \
                else cond.get("Values")
            check_type(f"Conditions[{i}].Values", raw if raw is not None else [], list)
            values = list(raw or [])
            if not values:
                raise validation(f"A '{field_name}' condition must have at least one value")
            for v in values:
                check_type(f"Conditions[{i}].Values", v, str)
                if not v or len(v) > 128:
                    raise validation("Condition values must be between 1 and 128 characters")
                if field_name == "path-pattern" and not re.fullmatch(r"[A-Za-z0-9_\-.$/~\"'@:+&()!,;=*?%]+", v):
                    raise validation(f"The path pattern '{v}' contains characters that are not allowed")
                if field_name == "host-header" and not re.fullmatch(r"[A-Za-z0-9\-.*?]+", v):
                    raise validation(f"The host header '{v}' contains characters that are not allowed")
            total += len(values)
            entry: dict[str, Any] = {"Field": field_name, "Values": values, config_key: {"Values": values}}
            out.append(entry)
        if total > 5:
            raise aws_error("TooManyConditionValues",
                            "A rule can only have '5' condition values")
        return out

    def _rule_api(self, rule: Rule) -> dict[str, Any]:
        return {
            "RuleArn": rule.arn,
            "Priority": "default" if rule.priority is None else str(rule.priority),
            "Conditions": [dict(c) for c in rule.conditions],
            "Actions": [dict(a) for a in rule.actions],
            "IsDefault": rule.priority is None,
        }

    @operation
    def create_rule(self, ListenerArn: str, Conditions: list, Priority: int, Actions: list,
                    Tags: list | None = None) -> dict[str, Any]:
        """Add a rule (path-pattern and host-header conditions, `*` and `?` wildcards) at a unique priority.

        Not modelled: http-header, http-request-method, query-string and source-ip conditions; transforms.
        """
        listener = self._listener(ListenerArn)
        lb = listener.load_balancer
        if lb.type != "application":
            raise validation("Rules are only supported by listeners of Application Load Balancers")
        _constraint("priority", Priority, 1, 50000)
        conditions = self._check_conditions(Conditions)
        if not conditions:
            raise validation("A rule must have at least one condition")
        actions = self._check_actions(Actions, lb, path="Actions")
        tags = self._check_tags(Tags)
        if any(r.priority == Priority for r in listener.rules.values()):
            raise aws_error("PriorityInUse", f"Priority '{Priority}' is currently in use")
        if len(listener.rules) >= 100:
            raise aws_error("TooManyRules", "You've reached the limit on the number of rules per load balancer")
        rule = Rule(arn=listener.arn.replace(":listener/", ":listener-rule/") + f"/{self.sim.new_hex(16)}",
                    priority=Priority, conditions=conditions, actions=actions, tags=tags)
        listener.rules[rule.arn] = rule
        self.rules[rule.arn] = rule
        self._rule_listener[rule.arn] = listener
        self._refresh_associations()
        return {"Rules": [self._rule_api(rule)]}

    @operation
    def describe_rules(self, ListenerArn: str | None = None, RuleArns: list | None = None,
                       Marker: str | None = None, PageSize: int | None = None) -> dict[str, Any]:
        """A listener's rules in priority order, the default rule last (or rules by ARN)."""
        if ListenerArn is None and not RuleArns:
            raise validation("You must specify either listener ARN or rule ARNs")
        _strings("RuleArns", RuleArns or [])
        if RuleArns:
            found = [self._rule(a) for a in RuleArns]
        else:
            found = self._listener(ListenerArn).ordered_rules()  # type: ignore[arg-type]
        page, token = self._page(found, Marker, PageSize)
        out: dict[str, Any] = {"Rules": [self._rule_api(r) for r in page]}
        if token:
            out["NextMarker"] = token
        return out

    @operation
    def modify_rule(self, RuleArn: str, Conditions: list | None = None, Actions: list | None = None) -> dict[str, Any]:
        """Replace a rule's conditions and/or actions (the default rule's conditions cannot change)."""
        rule = self._rule(RuleArn)
        listener = self._rule_listener[rule.arn]
        if Conditions is not None:
            if rule.priority is None:
                raise aws_error("OperationNotPermitted", "You cannot modify the conditions of a default rule")
            conditions = self._check_conditions(Conditions)
            if not conditions:
                raise validation("A rule must have at least one condition")
        actions = self._check_actions(Actions, listener.load_balancer, path="Actions") if Actions else None
        if Conditions is not None:
            rule.conditions = conditions
        if actions is not None:
            rule.actions = actions
            rule.wrr_state = {}
        self._refresh_associations()
        return {"Rules": [self._rule_api(rule)]}

    @operation
    def set_rule_priorities(self, RulePriorities: list) -> dict[str, Any]:
        """Change the priorities of rules (all of one listener) at once."""
        changes: list[tuple[Rule, int]] = []
        for i, item in enumerate(RulePriorities):
            check_type(f"RulePriorities[{i}]", item, dict)
            rule = self._rule(item.get("RuleArn"))
            prio = item.get("Priority")
            check_type(f"RulePriorities[{i}].Priority", prio, int)
            if rule.priority is None:
                raise aws_error("OperationNotPermitted", "You cannot change the priority of a default rule")
            _constraint("priority", prio, 1, 50000)
            changes.append((rule, prio))
        listeners = {self._rule_listener[r.arn].arn for r, _ in changes}
        for listener_arn in listeners:
            listener = self.listeners[listener_arn]
            final = {r.arn: r.priority for r in listener.rules.values()}
            final.update({r.arn: p for r, p in changes if r.arn in listener.rules})
            prios = list(final.values())
            if len(prios) != len(set(prios)):
                raise aws_error("PriorityInUse", "Priorities must be unique within a listener")
        for rule, prio in changes:
            rule.priority = prio
        return {"Rules": [self._rule_api(r) for r, _ in changes]}

    @operation
    def delete_rule(self, RuleArn: str) -> dict[str, Any]:
        """Delete a rule (not the default rule)."""
        rule = self._rule(RuleArn)
        if rule.priority is None:
            raise aws_error("OperationNotPermitted", "You cannot delete the default rule")
        listener = self._rule_listener.pop(rule.arn)
        listener.rules.pop(rule.arn, None)
        self.rules.pop(rule.arn, None)
        self._refresh_associations()
        return {}

    # --- targets -------------------------------------------------------------------------------

    def _set_state(self, tg: TargetGroup, target: Target, state: str, reason: str | None,
                   description: str | None = None) -> None:
        old = target.state
        target.state = state
        target.reason = reason
        target.description = description
        key = (tg.arn, target.id, target.port)
        if state in ("initial", "draining"):
            self._transitional.add(key)
        else:
            self._transitional.discard(key)
        if old != state:
            for fn in list(self._health_listeners):
                fn(tg.arn, target.id, target.port, old, state)

    def _start_checks(self, tg: TargetGroup, target: Target, *, first_delay: float) -> _Membership:
        """Check `target` every interval from `first_delay` on.

        Targets of one group whose checks fall on the same instant (to the millisecond, modulo the
        interval) share one periodic clock event, so thousands of targets cost a few events, not thousands.
        """
        interval = tg.health_check.interval
        first = self.sim.now + timedelta(seconds=first_delay)
        phase = round(((first - _EPOCH).total_seconds() % interval) * 1000)
        key = (tg.arn, interval, phase)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket()
            bucket.handle = self.sim.every(interval, lambda: self._run_bucket(key),
                                           name=f"elbv2 health checks {tg.name}", first_delay=first_delay)
        self._member_seq += 1
        bucket.members[self._member_seq] = (tg, target, first)
        return _Membership(self, key, self._member_seq)

    def _leave_bucket(self, key: tuple[str, int, int], token: int) -> None:
        bucket = self._buckets.get(key)
        if bucket is None:
            return
        bucket.members.pop(token, None)
        if not bucket.members:
            if bucket.handle is not None:
                bucket.handle.cancel()
            del self._buckets[key]

    def _run_bucket(self, key: tuple[str, int, int]) -> None:
        bucket = self._buckets.get(key)
        if bucket is None:
            return
        soon = self.sim.now + _TOLERANCE
        for tg, target, not_before in list(bucket.members.values()):
            if soon >= not_before:
                self._health_check(tg, target)

    def _add_target(self, tg: TargetGroup, target_id: str, port: int, *, az: str | None = None,
                    task: Any = None, container_name: str | None = None) -> Target:
        existing = tg.targets.get((target_id, port))
        if existing is not None and existing.state != "draining":
            if task is not None:
                existing.task, existing.container_name = task, container_name
            return existing
        if existing is not None:  # re-registered while draining: back in service
            self._remove_target(tg, existing, notify=False)
        target = Target(id=target_id, port=port, registered_at=self.sim.now, availability_zone=az,
                        task=task, container_name=container_name)
        tg.targets[target.key] = target
        if tg.load_balancer_arns:
            self._set_state(tg, target, "initial", "Elb.RegistrationInProgress")
        else:
            self._set_state(tg, target, "unused", "Target.NotInUse")
        if existing is not None:
            for fn in list(self._health_listeners):
                fn(tg.arn, target.id, target.port, "draining", target.state)
        target.checker = self._start_checks(tg, target, first_delay=REGISTRATION_SECONDS)
        return target

    def _remove_target(self, tg: TargetGroup, target: Target, *, notify: bool = True) -> None:
        if target.checker is not None:
            target.checker.cancel()
        if target.drain is not None:
            target.drain.cancel()
        tg.targets.pop(target.key, None)
        self._transitional.discard((tg.arn, target.id, target.port))
        if notify:
            for fn in list(self._health_listeners):
                fn(tg.arn, target.id, target.port, target.state, None)

    def _begin_draining(self, tg: TargetGroup, target: Target) -> None:
        if target.state == "draining":
            return
        if target.checker is not None:
            target.checker.cancel()
            target.checker = None
        delay = tg.deregistration_delay
        if target.state == "unused" or delay == 0:
            self._remove_target(tg, target)
            return
        self._set_state(tg, target, "draining", "Target.DeregistrationInProgress")
        target.drain = self.sim.schedule(delay, lambda: self._remove_target(tg, target),
                                         name=f"elbv2 drained {target.id}:{target.port}")

    @operation
    def register_targets(self, TargetGroupArn: str, Targets: list) -> dict[str, Any]:
        """Register instances (by id; must exist and be running) or IPs (inside the VPC's CIDR) with ports.

        Not modelled: lambda targets, IPs outside the VPC (peered networks), `AvailabilityZone=all`.
        """
        tg = self._target_group(TargetGroupArn)
        parsed = self._parse_targets(tg, Targets)
        bad_state, bad_ip = [], []
        azs: list[str | None] = []
        for tid, _ in parsed:
            if tg.target_type == "instance":
                inst = self._ec2_instance(tid)
                if inst is None:
                    raise aws_error("InvalidTarget", f"The following targets are not valid instances: '{tid}'")
                if self._instance_state(inst) != "running":
                    bad_state.append(tid)
                vpc = self._get(inst, "vpc_id", "VpcId")
                if vpc is not None and tg.vpc_id and str(vpc) != tg.vpc_id:
                    raise aws_error("InvalidTarget",
                                    f"The following targets are not in the target group VPC '{tg.vpc_id}': '{tid}'")
                placement = self._get(inst, "availability_zone", "Placement")
                azs.append(placement.get("AvailabilityZone") if isinstance(placement, dict) else placement)
            else:
                try:
                    ip = ipaddress.ip_address(tid)
                except ValueError:
                    raise validation(f"'{tid}' is not a valid IP address") from None
                cidrs = self._vpc_cidrs(tg.vpc_id or "")
                if cidrs and not any(ip in ipaddress.ip_network(c, strict=False) for c in cidrs):
                    bad_ip.append(tid)
                azs.append(None)
        if bad_state:
            raise aws_error("InvalidTarget", "The following targets are not in a running state and can't be "
                            f"registered: {', '.join(repr(t) for t in bad_state)}")
        if bad_ip:
            raise aws_error("InvalidTarget", f"The IP address {', '.join(repr(t) for t in bad_ip)} is not "
                            f"within the CIDR of the target group VPC '{tg.vpc_id}'")
        for (tid, port), az in zip(parsed, azs):
            self._add_target(tg, tid, port, az=az)
        return {}

    def _parse_targets(self, tg: TargetGroup, targets: list) -> list[tuple[str, int]]:
        if not targets:
            raise validation("At least one target must be specified")
        out: list[tuple[str, int]] = []
        for i, t in enumerate(targets):
            check_type(f"Targets[{i}]", t, dict)
            tid = t.get("Id")
            check_type(f"Targets[{i}].Id", tid, str)
            port = t.get("Port", tg.port)
            check_type(f"Targets[{i}].Port", port, int)
            _constraint("port", port, 1, 65535)
            if t.get("AvailabilityZone") == "all":
                raise NotModelledError("targets in AvailabilityZone 'all'")
            out.append((tid, port))
        return out

    @operation
    def deregister_targets(self, TargetGroupArn: str, Targets: list) -> dict[str, Any]:
        """Deregister targets: each drains for the deregistration delay, then is gone."""
        tg = self._target_group(TargetGroupArn)
        parsed = self._parse_targets(tg, Targets)
        missing = [f"{tid}:{port}" for tid, port in parsed if (tid, port) not in tg.targets]
        if missing:
            raise aws_error("InvalidTarget", "The following targets are not registered in target group "
                            f"'{tg.arn}': {', '.join(repr(m) for m in missing)}")
        for key in parsed:
            self._begin_draining(tg, tg.targets[key])
        return {}

    def _health_api(self, tg: TargetGroup, target_id: str, port: int, target: Target | None) -> dict[str, Any]:
        hc_port = str(port) if tg.health_check.port == "traffic-port" else tg.health_check.port
        desc: dict[str, Any] = {"Target": {"Id": target_id, "Port": port}, "HealthCheckPort": hc_port}
        if target is not None and target.availability_zone:
            desc["Target"]["AvailabilityZone"] = target.availability_zone
        if target is None:
            desc["TargetHealth"] = {"State": "unused", "Reason": "Target.NotRegistered",
                                    "Description": REASONS["Target.NotRegistered"]}
            return desc
        health: dict[str, Any] = {"State": target.state}
        if target.reason:
            health["Reason"] = target.reason
            health["Description"] = target.description or REASONS.get(target.reason, "")
        desc["TargetHealth"] = health
        return desc

    @operation
    def describe_target_health(self, TargetGroupArn: str, Targets: list | None = None,
                               Include: list | None = None) -> dict[str, Any]:
        """Each target's State (initial, healthy, unhealthy, unused, draining), Reason and Description.

        Not modelled: anomaly detection (`Include`).
        """
        tg = self._target_group(TargetGroupArn)
        if Include:
            raise NotModelledError("anomaly detection in DescribeTargetHealth", operation_name="DescribeTargetHealth")
        if Targets:
            parsed = self._parse_targets(tg, Targets)
            return {"TargetHealthDescriptions": [self._health_api(tg, tid, port, tg.targets.get((tid, port)))
                                                 for tid, port in parsed]}
        return {"TargetHealthDescriptions": [self._health_api(tg, t.id, t.port, t) for t in tg.targets.values()]}

    # --- what a target answers -----------------------------------------------------------------

    def _find_task(self, tg: TargetGroup, target: Target) -> tuple[Any, Any]:
        """(task, container) behind a target: the registered task, or a running task found by address."""
        if target.task is not None:
            task = target.task
            container = next((c for c in task.containers if c.name == target.container_name), None)
            if container is None:
                container = self._container_for_port(task, target.port)
            return task, container
        if not self.sim.has_backend("ecs"):
            return None, None
        ecs = self.sim.backend("ecs")
        for cluster in getattr(ecs, "clusters", {}).values():
            for task in cluster.tasks.values():
                if task.stopped:
                    continue
                if tg.target_type == "ip":
                    if task.private_ip != target.id:
                        continue
                else:
                    ci = task.container_instance
                    if ci is None or ci.ec2_instance_id != target.id:
                        continue
                container = self._container_for_port(task, target.port)
                if container is not None:
                    return task, container
        return None, None

    @staticmethod
    def _container_port(task: Any, container: Any, port: int) -> int | None:
        """The container port a target port reaches (host port for bridge/host, container port for awsvpc)."""
        if task.task_definition.network_mode == "awsvpc":
            ports = {pm.container_port for pm in container.definition.port_mappings}
            return port if port in ports else None
        for binding in container.network_bindings:
            if binding.get("hostPort") == port and binding.get("protocol", "tcp") == "tcp":
                return binding.get("containerPort")
        if task.task_definition.network_mode == "host":
            ports = {pm.container_port for pm in container.definition.port_mappings}
            return port if port in ports else None
        return None

    def _container_for_port(self, task: Any, port: int) -> Any:
        for container in task.containers:
            if self._container_port(task, container, port) is not None:
                return container
        return None

    def _answer(self, tg: TargetGroup, target: Target, port: int) -> tuple[str, int | None]:
        """What a request to the target's port gets.

        ("ok", status) | ("refused", None) when nothing listens (task not RUNNING, port not served) |
        ("timeout", None) when the process does not answer HTTP | ("invalid:<state>", None) for an
        instance that is not running.
        """
        task, container = self._find_task(tg, target)
        if task is None:
            if tg.target_type == "instance":
                inst = self._ec2_instance(target.id)
                state = self._instance_state(inst) if inst is not None else "terminated"
                if state != "running":
                    return f"invalid:{state}", None
            return "refused", None
        if task.last_status != "RUNNING" or container is None or container.last_status != "RUNNING":
            return "refused", None
        container_port = self._container_port(task, container, port)
        if container_port is None:
            return "refused", None
        workload = container.workload
        if workload is not None and not workload.serves(container_port):
            return "refused", None
        running_for = (self.sim.now - task.started_at).total_seconds() if task.started_at else 0.0
        status = workload.http_status_at(running_for) if workload is not None else 200
        if not status:  # the process listens but does not speak HTTP: no answer comes back
            return "timeout", None
        return "ok", int(status)

    @staticmethod
    def _code_matches(matcher: str | None, code: int) -> bool:
        if matcher is None:
            return True
        for part in matcher.split(","):
            low, _, high = part.partition("-")
            if int(low) <= code <= int(high or low):
                return True
        return False

    def _health_check(self, tg: TargetGroup, target: Target) -> None:
        if self.target_groups.get(tg.arn) is not tg or tg.targets.get(target.key) is not target:
            if target.checker is not None:
                target.checker.cancel()
            return
        if target.state == "draining":
            return
        if not tg.load_balancer_arns:
            if target.state != "unused":
                self._set_state(tg, target, "unused", "Target.NotInUse")
            return
        lb_zones: set[str] = set()
        for lb_arn in tg.load_balancer_arns:
            lb = self.load_balancers.get(lb_arn)
            if lb is not None:
                lb_zones |= lb.availability_zones
        az = target.availability_zone or getattr(target.task, "availability_zone", None)
        if az and lb_zones and az not in lb_zones:
            self._set_state(tg, target, "unused", "Target.NotInUse",
                            "Target is in an Availability Zone that is not enabled for the load balancer")
            return
        hc = tg.health_check
        port = target.port if hc.port == "traffic-port" else int(hc.port)
        kind, code = self._answer(tg, target, port)
        target.last_code = code
        tcp_ok = hc.protocol == "TCP" and kind in ("ok", "timeout")  # a TCP check only needs the connection
        if tcp_ok or (kind == "ok" and self._code_matches(hc.matcher, code or 0)):
            target.failures = 0
            target.successes += 1
            if target.state == "initial" or (target.state in ("unhealthy", "unused")
                                             and target.successes >= hc.healthy_threshold):
                self._set_state(tg, target, "healthy", None)
            elif target.state == "unused":
                self._set_state(tg, target, "initial", "Elb.InitialHealthChecking")
            return
        target.successes = 0
        target.failures += 1
        if kind.startswith("invalid:"):
            reason, desc = "Target.InvalidState", REASONS["Target.InvalidState"].format(state=kind[8:])
        elif kind == "ok":
            reason, desc = "Target.ResponseCodeMismatch", REASONS["Target.ResponseCodeMismatch"].format(code=code)
        elif kind == "timeout" and hc.protocol != "TCP":
            reason, desc = "Target.Timeout", REASONS["Target.Timeout"]
        else:
            reason, desc = "Target.FailedHealthChecks", REASONS["Target.FailedHealthChecks"]
        if target.failures >= hc.unhealthy_threshold or target.state == "unhealthy":
            self._set_state(tg, target, "unhealthy", reason, desc)
        elif target.state in ("initial", "unused"):
            self._set_state(tg, target, "initial", "Elb.InitialHealthChecking")

    # --- internal API for ECS (ecs-reference §4.7) ---------------------------------------------

    def _register_task_target(self, tg_arn: str, target_id: str, port: int, *, task: Any,
                              container_name: str | None) -> None:
        """Register an ECS task's address (instance id + host port, or ENI IP + container port)."""
        tg = self._target_group(tg_arn)
        self._add_target(tg, target_id, port, az=getattr(task, "availability_zone", None), task=task,
                         container_name=container_name)

    def _deregister_task_target(self, tg_arn: str, target_id: str, port: int) -> None:
        """Start draining a task's target (gone after the deregistration delay). Unknown targets: no-op."""
        tg = self.target_groups.get(tg_arn)
        if tg is None:
            return
        target = tg.targets.get((target_id, port))
        if target is not None:
            self._begin_draining(tg, target)

    def _target_health_state(self, tg_arn: str, target_id: str, port: int) -> str | None:
        """The target's state, or None when it is not registered (or the group is gone)."""
        tg = self.target_groups.get(tg_arn)
        if tg is None:
            return None
        target = tg.targets.get((target_id, port))
        return target.state if target is not None else None

    def _target_health_reason(self, tg_arn: str, target_id: str, port: int) -> tuple[str | None, str | None]:
        """(Reason, Description) of a target's health, for service events."""
        tg = self.target_groups.get(tg_arn)
        target = tg.targets.get((target_id, port)) if tg else None
        if target is None:
            return None, None
        return target.reason, target.description or REASONS.get(target.reason or "")


__all__ = ["Elbv2Backend", "Listener", "LoadBalancer", "Rule", "Target", "TargetGroup"]
