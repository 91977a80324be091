"""ecs.config: every key of ecs-reference §5.3 parsed and validated; every user-data form understood."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecslearn.sim.agent import KEY_SPECS, KEYS, AgentConfig, parse_duration, parse_ecs_config

# key → (a valid value, what the field holds then, a bad value or None when any text is valid)
CASES: dict[str, tuple[str, object, str | None]] = {
    "ECS_CLUSTER": ("prod", "prod", None),
    "ECS_RESERVED_PORTS": ("[22, 80, 8080]", (22, 80, 8080), "22,80"),
    "ECS_RESERVED_PORTS_UDP": ("[53]", (53,), "[70000]"),
    "ECS_ENGINE_AUTH_TYPE": ("docker", "docker", "basic"),
    "ECS_ENGINE_AUTH_DATA": ('{"r.example.com": {"username": "u", "password": "p"}}',
                             {"r.example.com": {"username": "u", "password": "p"}}, "{not json"),
    "AWS_DEFAULT_REGION": ("us-east-1", "us-east-1", None),
    "DOCKER_HOST": ("unix:///var/run/docker.sock", "unix:///var/run/docker.sock", None),
    "ECS_LOGLEVEL": ("debug", "debug", "verbose"),
    "ECS_LOGLEVEL_ON_INSTANCE": ("warn", "warn", "loud"),
    "ECS_LOGFILE": ("/log/agent.log", "/log/agent.log", None),
    "ECS_CHECKPOINT": ("false", False, "maybe"),
    "ECS_DATADIR": ("/data/", "/data/", None),
    "ECS_UPDATES_ENABLED": ("false", False, "nope"),
    "ECS_DISABLE_METRICS": ("true", True, "yes"),
    "ECS_POLL_METRICS": ("true", True, "on"),
    "ECS_POLLING_METRICS_WAIT_DURATION": ("15s", 15.0, "15 seconds"),
    "ECS_PULL_DEPENDENT_CONTAINERS_UPFRONT": ("true", True, "2"),
    "ECS_RESERVED_MEMORY": ("256", 256, "256MB"),
    "ECS_AVAILABLE_LOGGING_DRIVERS": ('["json-file","awslogs"]', ("json-file", "awslogs"), "json-file,awslogs"),
    "ECS_DISABLE_PRIVILEGED": ("true", True, "yes"),
    "ECS_SELINUX_CAPABLE": ("true", True, "y"),
    "ECS_APPARMOR_CAPABLE": ("true", True, "n"),
    "ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION": ("10m", 600.0, "500ms"),
    "ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION_JITTER": ("1h", 3600.0, "an hour"),
    "ECS_MANIFEST_PULL_TIMEOUT": ("2m", 120.0, "two"),
    "ECS_CONTAINER_STOP_TIMEOUT": ("2m", 120.0, "120"),
    "ECS_CONTAINER_START_TIMEOUT": ("5m", 300.0, "10 s"),
    "ECS_CONTAINER_CREATE_TIMEOUT": ("5m", 300.0, "30s"),
    "ECS_ENABLE_TASK_IAM_ROLE": ("false", False, "enabled"),
    "ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST": ("false", False, "enabled"),
    "ECS_DISABLE_IMAGE_CLEANUP": ("true", True, "x"),
    "ECS_IMAGE_CLEANUP_INTERVAL": ("1h", 3600.0, "5m"),
    "ECS_IMAGE_MINIMUM_CLEANUP_AGE": ("30m", 1800.0, "30"),
    "NON_ECS_IMAGE_MINIMUM_CLEANUP_AGE": ("2h", 7200.0, "2 h"),
    "ECS_NUM_IMAGES_DELETE_PER_CYCLE": ("10", 10, "0"),
    "ECS_IMAGE_PULL_BEHAVIOR": ("prefer-cached", "prefer-cached", "never"),
    "ECS_IMAGE_PULL_INACTIVITY_TIMEOUT": ("5m", 300.0, "-"),
    "ECS_IMAGE_PULL_TIMEOUT": ("1h", 3600.0, "forever"),
    "ECS_INSTANCE_ATTRIBUTES": ('{"stack": "prod"}', {"stack": "prod"}, '["stack"]'),
    "ECS_INSTANCE_IP_COMPATIBILITY": ("ipv4", "ipv4", "ipv5"),
    "ECS_ENABLE_TASK_ENI": ("false", False, "sure"),
    "ECS_ENABLE_HIGH_DENSITY_ENI": ("false", False, "x"),
    "ECS_CNI_PLUGINS_PATH": ("/opt/cni", "/opt/cni", None),
    "ECS_AWSVPC_BLOCK_IMDS": ("true", True, "x"),
    "ECS_AWSVPC_ADDITIONAL_LOCAL_ROUTES": ('["10.0.15.0/24"]', ("10.0.15.0/24",), '["not-a-cidr"]'),
    "ECS_ENABLE_CONTAINER_METADATA": ("true", True, "x"),
    "ECS_HOST_DATA_DIR": ("/var/lib/ecs", "/var/lib/ecs", None),
    "ECS_ENABLE_TASK_CPU_MEM_LIMIT": ("false", False, "x"),
    "ECS_CGROUP_PATH": ("/sys/fs/cgroup", "/sys/fs/cgroup", None),
    "ECS_CGROUP_CPU_PERIOD": ("10ms", 0.01, "10"),
    "ECS_AGENT_HEALTHCHECK_HOST": ("127.0.0.1", "127.0.0.1", None),
    "ECS_ENABLE_CPU_UNBOUNDED_WINDOWS_WORKAROUND": ("true", True, "x"),
    "ECS_ENABLE_MEMORY_UNBOUNDED_WINDOWS_WORKAROUND": ("true", True, "x"),
    "ECS_TASK_METADATA_RPS_LIMIT": ("100,150", (100, 150), "100"),
    "ECS_SHARED_VOLUME_MATCH_FULL_CONFIG": ("true", True, "x"),
    "ECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM": ("ec2_instance", "ec2_instance", "ec2"),
    "ECS_CONTAINER_INSTANCE_TAGS": ('{"team": "a"}', {"team": "a"}, "team=a"),
    "ECS_ENABLE_UNTRACKED_IMAGE_CLEANUP": ("true", True, "x"),
    "ECS_EXCLUDE_UNTRACKED_IMAGE": ("alpine:latest,busybox", ("alpine:latest", "busybox"), None),
    "ECS_DISABLE_DOCKER_HEALTH_CHECK": ("true", True, "x"),
    "ECS_NVIDIA_RUNTIME": ("nvidia", "nvidia", None),
    "ECS_ALTERNATE_CREDENTIAL_PROFILE": ("other", "other", None),
    "ECS_ENABLE_SPOT_INSTANCE_DRAINING": ("true", True, "x"),
    "ECS_LOG_ROLLOVER_TYPE": ("hourly", "hourly", "daily"),
    "ECS_LOG_OUTPUT_FORMAT": ("json", "json", "xml"),
    "ECS_LOG_MAX_FILE_SIZE_MB": ("10", 10, "ten"),
    "ECS_LOG_MAX_ROLL_COUNT": ("3", 3, "-1"),
    "ECS_LOG_DRIVER": ("awslogs", "awslogs", "carrier-pigeon"),
    "ECS_LOG_OPTS": ('{"max-size": "10m"}', {"max-size": "10m"}, "max-size=10m"),
    "ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE": ("false", False, "x"),
    "ECS_FSX_WINDOWS_FILE_SERVER_SUPPORTED": ("true", True, "x"),
    "ECS_ENABLE_RUNTIME_STATS": ("true", True, "x"),
    "ECS_EXCLUDE_IPV6_PORTBINDING": ("false", False, "x"),
    "ECS_WARM_POOLS_CHECK": ("true", True, "x"),
    "ECS_SKIP_LOCALHOST_TRAFFIC_FILTER": ("true", True, "x"),
    "ECS_ALLOW_OFFHOST_INTROSPECTION_ACCESS": ("true", True, "x"),
    "ECS_ENABLE_GPU_SUPPORT": ("true", True, "x"),
    "HTTP_PROXY": ("10.0.0.131:3128", "10.0.0.131:3128", None),
    "NO_PROXY": ("169.254.169.254,169.254.170.2,/var/run/docker.sock",
                 "169.254.169.254,169.254.170.2,/var/run/docker.sock", None),
    "ECS_GMSA_SUPPORTED": ("true", True, "x"),
    "CREDENTIALS_FETCHER_HOST": ("unix:///x.sock", "unix:///x.sock", None),
    "CREDENTIALS_FETCHER_SECRET_NAME_FOR_DOMAINLESS_GMSA": ("s", "s", None),
    "ECS_DYNAMIC_HOST_PORT_RANGE": ("40000-45000", (40000, 45000), "45000-40000"),
    "ECS_TASK_PIDS_LIMIT": ("100", 100, "0"),
    "ECS_PROPAGATE_TASK_MEMORY_LIMIT_CGROUPV2": ("true", True, "x"),
    "ECS_EBSTA_SUPPORTED": ("false", False, "x"),
    "ECS_ENABLE_FIRELENS_ASYNC": ("false", False, "x"),
    "ECS_DETAILED_OS_FAMILY": ("amazon_linux_2023", "amazon_linux_2023", None),
    "ECS_PAUSE_LABELS": ('{"a": "b"}', {"a": "b"}, "[1]"),
    "ECS_ENABLE_PROMETHEUS_METRICS": ("true", True, "x"),
    "ECS_OFFHOST_INTROSPECTION_INTERFACE_NAME": ("ens5", "ens5", None),
    "ECS_AGENT_LABELS": ('{"a": "b"}', {"a": "b"}, "a=b"),
    "ECS_AGENT_APPARMOR_PROFILE": ("custom", "custom", None),
    "ECS_AGENT_PID_NAMESPACE_HOST": ("true", True, "x"),
}


def test_every_reference_key_is_modelled_and_tested():
    assert set(CASES) == set(KEY_SPECS)
    # the §5.3 table (plus ECS_ENABLE_PROMETHEUS_METRICS from §3.6)
    assert len(KEYS) >= 93


def field(key: str) -> str:
    return key.lower()


@pytest.mark.parametrize("key", sorted(CASES))
def test_valid_value_is_parsed(key):
    text, expected, _ = CASES[key]
    config, warnings = AgentConfig.from_env({key: text}, ecs_optimized=False)
    assert getattr(config, field(key)) == expected
    assert warnings == [] or key in ("ECS_ENGINE_AUTH_DATA",)


@pytest.mark.parametrize("key", sorted(k for k, v in CASES.items() if v[2] is not None))
def test_bad_value_warns_and_keeps_the_default(key):
    _, _, bad = CASES[key]
    default, _ = AgentConfig.from_env({}, ecs_optimized=False)
    config, warnings = AgentConfig.from_env({key: bad}, ecs_optimized=False)
    assert getattr(config, field(key)) == getattr(default, field(key))
    assert any(key in w and "Invalid value" in w for w in warnings), warnings


def test_bare_agent_defaults_follow_the_reference():
    c, warnings = AgentConfig.from_env({}, ecs_optimized=False)
    assert warnings == []
    assert c.cluster_name == "default" and c.ecs_cluster == ""
    assert c.ecs_reserved_ports == (22, 2375, 2376, 51678, 51679)
    assert c.ecs_reserved_ports_udp == ()
    assert c.ecs_available_logging_drivers == ("json-file", "none")
    assert c.ecs_enable_task_iam_role is False and c.ecs_enable_task_eni is False
    assert c.ecs_enable_awslogs_executionrole_override is False
    assert c.ecs_container_stop_timeout == 30.0
    assert c.ecs_engine_task_cleanup_wait_duration == 3 * 3600
    assert c.ecs_image_cleanup_interval == 1800 and c.ecs_num_images_delete_per_cycle == 5
    assert c.ecs_reserved_memory == 0
    assert c.ecs_checkpoint is False  # ECS_DATADIR not set explicitly
    assert c.ecs_loglevel_on_instance == "info"
    assert c.dynamic_host_port_range == (32768, 60999)
    assert c.ecs_image_pull_behavior == "default"


def test_ecs_optimized_ami_defaults_of_ecs_init():
    c, _ = AgentConfig.from_env({}, ecs_optimized=True)
    assert c.ecs_available_logging_drivers == ("json-file", "syslog", "awslogs", "fluentd", "none")
    assert c.ecs_enable_task_iam_role and c.ecs_enable_task_iam_role_network_host
    assert c.ecs_enable_task_eni and c.ecs_enable_awslogs_executionrole_override
    assert c.ecs_datadir == "/data" and c.ecs_logfile == "/log/ecs-agent.log"
    assert c.ecs_updates_enabled is True
    assert c.ecs_checkpoint is True  # ECS_DATADIR is set by ecs-init
    # ecs.config overrides ecs-init
    c2, _ = AgentConfig.from_env({"ECS_AVAILABLE_LOGGING_DRIVERS": '["json-file"]',
                                  "ECS_ENABLE_TASK_IAM_ROLE": "false"}, ecs_optimized=True)
    assert c2.ecs_available_logging_drivers == ("json-file",)
    assert c2.ecs_enable_task_iam_role is False


def test_cross_key_rules():
    c, w = AgentConfig.from_env({"ECS_POLLING_METRICS_WAIT_DURATION": "1s"}, ecs_optimized=False)
    assert c.ecs_polling_metrics_wait_duration == 5.0 and any("out of range" in x for x in w)
    c, w = AgentConfig.from_env({"ECS_POLLING_METRICS_WAIT_DURATION": "1m"}, ecs_optimized=False)
    assert c.ecs_polling_metrics_wait_duration == 20.0
    c, w = AgentConfig.from_env({"ECS_CGROUP_CPU_PERIOD": "200ms"}, ecs_optimized=False)
    assert c.ecs_cgroup_cpu_period == 0.1 and w
    c, _ = AgentConfig.from_env({"ECS_LOG_DRIVER": "awslogs"}, ecs_optimized=False)
    assert c.ecs_loglevel_on_instance == "none"
    c, _ = AgentConfig.from_env({"ECS_ENABLE_PROMETHEUS_METRICS": "true"}, ecs_optimized=False)
    assert 51680 in c.ecs_reserved_ports
    c, _ = AgentConfig.from_env({"ECS_DATADIR": "/var/data"}, ecs_optimized=False)
    assert c.ecs_checkpoint is True
    c, w = AgentConfig.from_env({"ECS_AVAILABLE_LOGGING_DRIVERS": '["awslogs","pigeon"]'}, ecs_optimized=False)
    assert c.ecs_available_logging_drivers == ("awslogs",) and any("pigeon" in x for x in w)


def test_timeouts_below_the_minimum_are_raised_to_it():
    c, w = AgentConfig.from_env({"ECS_CONTAINER_START_TIMEOUT": "10s", "ECS_CONTAINER_STOP_TIMEOUT": "500ms",
                                 "ECS_IMAGE_PULL_INACTIVITY_TIMEOUT": "1ms"}, ecs_optimized=False)
    assert c.ecs_container_start_timeout == 45.0
    assert c.ecs_container_stop_timeout == 1.0
    assert c.ecs_image_pull_inactivity_timeout == 1.0
    assert sum("Discarded invalid value" in x for x in w) == 3
    c, _ = AgentConfig.from_env({"ECS_CONTAINER_STOP_TIMEOUT": "0"}, ecs_optimized=False)
    assert c.ecs_container_stop_timeout == 30.0


@pytest.mark.parametrize(("key", "value"), [
    ("ECS_INSTANCE_ATTRIBUTES", "stack=prod"), ("ECS_CONTAINER_INSTANCE_TAGS", "[1]"),
    ("ECS_AWSVPC_ADDITIONAL_LOCAL_ROUTES", '["x"]'), ("ECS_AVAILABLE_LOGGING_DRIVERS", '["pigeon"]'),
])
def test_configuration_errors_stop_the_agent(key, value):
    c, _ = AgentConfig.from_env({key: value}, ecs_optimized=False)
    assert c.config_errors
    ok, _ = AgentConfig.from_env({}, ecs_optimized=True)
    assert ok.config_errors == ()


def test_unknown_and_misspelt_keys_are_ignored_with_a_warning():
    c, w = AgentConfig.from_env({"ECS_CLUSTR": "prod", "ecs_cluster": "prod"}, ecs_optimized=False)
    assert c.cluster_name == "default"
    assert any('"ECS_CLUSTR"' in x and "ignored" in x for x in w)
    assert any('"ecs_cluster"' in x for x in w)


def test_engine_auth_data():
    import base64

    auth = base64.b64encode(b"me:secret").decode()
    c, w = AgentConfig.from_env({"ECS_ENGINE_AUTH_TYPE": "dockercfg",
                                 "ECS_ENGINE_AUTH_DATA": json.dumps({"https://index.docker.io/v1/": {"auth": auth},
                                                                     "bad.example.com": {"auth": "!!!"}})},
                                ecs_optimized=False)
    assert c.credentials_for("docker.io") == ("me", "secret")
    assert c.credentials_for("registry-1.docker.io/library/nginx") == ("me", "secret")
    assert c.credentials_for("bad.example.com") is None
    assert any("bad.example.com" in x for x in w)
    c, w = AgentConfig.from_env({"ECS_ENGINE_AUTH_TYPE": "docker",
                                 "ECS_ENGINE_AUTH_DATA": '{"r.example.com": {"username": "u", "password": "p"}}'},
                                ecs_optimized=False)
    assert c.credentials_for("r.example.com") == ("u", "p") and w == []
    c, w = AgentConfig.from_env({"ECS_ENGINE_AUTH_DATA": '{"r": {}}'}, ecs_optimized=False)
    assert c.registry_credentials == {} and any("ECS_ENGINE_AUTH_TYPE" in x for x in w)


def test_config_is_frozen():
    c, _ = AgentConfig.from_env({}, ecs_optimized=False)
    with pytest.raises(AttributeError):
        c.ecs_cluster = "x"


@pytest.mark.parametrize(("text", "seconds"), [
    ("30s", 30), ("1h30m", 5400), ("300ms", 0.3), ("2.5s", 2.5), ("0", 0), ("1m0s", 60), ("3h", 10800),
])
def test_go_durations(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "30", "1 h", "h", "1d", "abc"])
def test_bad_go_durations(text):
    with pytest.raises(ValueError):
        parse_duration(text)


# --- user data forms --------------------------------------------------------------------------

FORMS = {
    "echo single quotes": "#!/bin/bash\necho 'ECS_CLUSTER=prod' >> /etc/ecs/ecs.config\n",
    "echo unquoted": "#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config\n",
    "echo double quotes": '#!/bin/bash\necho "ECS_CLUSTER=prod" >> /etc/ecs/ecs.config\n',
    "overwrite": "#!/bin/bash\necho ECS_CLUSTER=prod > /etc/ecs/ecs.config\n",
    "heredoc": "#!/bin/bash\ncat <<EOF >> /etc/ecs/ecs.config\nECS_CLUSTER=prod\nEOF\n",
    "quoted heredoc": "#!/bin/bash\ncat <<'EOF' >> /etc/ecs/ecs.config\nECS_CLUSTER=prod\nEOF\n",
    "redirect first": "#!/bin/bash\ncat >> /etc/ecs/ecs.config <<EOF\nECS_CLUSTER=prod\nEOF\n",
    "tee heredoc": "#!/bin/bash\ntee -a /etc/ecs/ecs.config <<EOF\nECS_CLUSTER=prod\nEOF\n",
    "cat pipe tee": "#!/bin/bash\ncat <<EOF | sudo tee -a /etc/ecs/ecs.config\nECS_CLUSTER=prod\nEOF\n",
    "echo pipe tee": "#!/bin/bash\necho ECS_CLUSTER=prod | sudo tee -a /etc/ecs/ecs.config > /dev/null\n",
    "sudo and &&": "#!/bin/bash\nmkdir -p /etc/ecs && sudo echo ECS_CLUSTER=prod >> /etc/ecs/ecs.config\n",
    "variable": "#!/bin/bash\nCLUSTER=prod\necho ECS_CLUSTER=$CLUSTER >> /etc/ecs/ecs.config\n",
    "variable in heredoc": "#!/bin/bash\nC=prod\ncat <<EOF >> /etc/ecs/ecs.config\nECS_CLUSTER=${C}\nEOF\n",
    "tab heredoc": "#!/bin/bash\ncat <<-EOF >> /etc/ecs/ecs.config\n\tECS_CLUSTER=prod\n\tEOF\n",
    "crlf": "#!/bin/bash\r\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config\r\n",
    "bare file": "ECS_CLUSTER=prod\n",
    "quoted value in heredoc": "#!/bin/bash\ncat <<EOF >> /etc/ecs/ecs.config\nECS_CLUSTER=\"prod\"\nEOF\n",
    "sh -c": "#!/bin/bash\nsudo sh -c 'echo ECS_CLUSTER=prod >> /etc/ecs/ecs.config'\n",
    "bash -c": "#!/bin/bash\n/bin/bash -c \"echo 'ECS_CLUSTER=prod' > /etc/ecs/ecs.config\"\n",
    "no spaces": "#!/bin/bash\necho ECS_CLUSTER=prod>>/etc/ecs/ecs.config\n",
    "cloud-config runcmd": "#cloud-config\nrepo_update: true\nruncmd:\n  - echo ECS_CLUSTER=prod >> /etc/ecs/ecs.config\n",
    "cloud-config write_files": ("#cloud-config\nwrite_files:\n  - path: /etc/ecs/ecs.config\n    append: true\n"
                                 "    content: |\n      ECS_CLUSTER=prod\n  - path: /etc/motd\n"
                                 "    content: |\n      ECS_CLUSTER=wrong\n"),
    "cloud-config content first": ("#cloud-config\nwrite_files:\n  - content: |\n      ECS_CLUSTER=prod\n"
                                   "    path: /etc/ecs/ecs.config\n    permissions: '0644'\n"),
    "mime multipart": ('Content-Type: multipart/mixed; boundary="==BOUNDARY=="\nMIME-Version: 1.0\n\n'
                       "--==BOUNDARY==\nContent-Type: text/x-shellscript; charset=\"us-ascii\"\n\n"
                       "#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config\n\n--==BOUNDARY==--\n"),
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_user_data_forms(form):
    values, notes = parse_ecs_config(FORMS[form])
    assert values == {"ECS_CLUSTER": "prod"}, (values, notes)


def test_cloud_config_order_and_mime_boothook_first():
    text = ("#cloud-config\nbootcmd:\n  - echo ECS_CLUSTER=boot >> /etc/ecs/ecs.config\n"
            "write_files:\n  - path: /etc/ecs/ecs.config\n    content: |\n      ECS_CLUSTER=file\n"
            "      ECS_RESERVED_MEMORY=64\n"
            "runcmd:\n  - \"echo ECS_LOGLEVEL=debug >> /etc/ecs/ecs.config\"\n")
    # write_files without append overwrites what bootcmd wrote; runcmd runs last
    assert parse_ecs_config(text)[0] == {"ECS_CLUSTER": "file", "ECS_RESERVED_MEMORY": "64", "ECS_LOGLEVEL": "debug"}
    mime = ('Content-Type: multipart/mixed; boundary="XX"\nMIME-Version: 1.0\n\n'
            "--XX\nContent-Type: text/x-shellscript\n\n#!/bin/bash\necho ECS_CLUSTER=script >> /etc/ecs/ecs.config\n"
            "--XX\nContent-Type: text/cloud-boothook\n\n#cloud-boothook\necho ECS_CLUSTER=hook > /etc/ecs/ecs.config\n"
            "echo ECS_RESERVED_MEMORY=32 >> /etc/ecs/ecs.config\n--XX--\n")
    assert parse_ecs_config(mime)[0] == {"ECS_CLUSTER": "script", "ECS_RESERVED_MEMORY": "32"}


def test_several_lines_and_last_one_wins():
    text = ("#!/bin/bash\n"
            "echo ECS_CLUSTER=first >> /etc/ecs/ecs.config\n"
            "echo 'ECS_AVAILABLE_LOGGING_DRIVERS=[\"json-file\",\"awslogs\"]' >> /etc/ecs/ecs.config\n"
            "cat <<EOF >> /etc/ecs/ecs.config\nECS_RESERVED_MEMORY=256\n# comment\n\nECS_CLUSTER=second\nEOF\n"
            "yum install -y jq\n")
    values, notes = parse_ecs_config(text)
    assert values == {"ECS_CLUSTER": "second", "ECS_AVAILABLE_LOGGING_DRIVERS": '["json-file","awslogs"]',
                      "ECS_RESERVED_MEMORY": "256"}
    assert notes == []


def test_overwrite_discards_earlier_lines():
    text = ("#!/bin/bash\necho ECS_RESERVED_MEMORY=128 >> /etc/ecs/ecs.config\n"
            "echo ECS_CLUSTER=prod > /etc/ecs/ecs.config\n")
    assert parse_ecs_config(text)[0] == {"ECS_CLUSTER": "prod"}


def test_other_files_and_unknown_commands():
    text = ("#!/bin/bash\necho ECS_CLUSTER=nope >> /etc/other.conf\n"
            "sed -i 's/x/y/' /etc/ecs/ecs.config\n")
    values, notes = parse_ecs_config(text)
    assert values == {}
    assert any("sed" in n and "ignored" in n for n in notes)
    assert parse_ecs_config("") == ({}, [])
    assert parse_ecs_config("#!/bin/bash\nyum update -y\n") == ({}, [])


def test_echo_with_escapes():
    text = '#!/bin/bash\necho -e "ECS_CLUSTER=prod\\nECS_RESERVED_MEMORY=64" >> /etc/ecs/ecs.config\n'
    assert parse_ecs_config(text)[0] == {"ECS_CLUSTER": "prod", "ECS_RESERVED_MEMORY": "64"}


def test_lines_that_are_not_key_value_are_reported():
    text = "#!/bin/bash\ncat <<EOF >> /etc/ecs/ecs.config\nECS_CLUSTER prod\nEOF\n"
    values, notes = parse_ecs_config(text)
    assert values == {} and any("not KEY=VALUE" in n for n in notes)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_parser_never_crashes(text):
    values, notes = parse_ecs_config(text)
    assert isinstance(values, dict) and isinstance(notes, list)
    config, _ = AgentConfig.from_env(values, ecs_optimized=True)
    assert config.cluster_name


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(KEY_SPECS)), st.text(max_size=40))
def test_any_value_of_any_key_gives_a_config(key, value):
    config, _ = AgentConfig.from_env({key: value}, ecs_optimized=False)
    assert hasattr(config, key.lower())
