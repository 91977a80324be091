"""Real AWS tooling on top of the simulator: boto3 clients and the AWS CLI (v1), answered in-process.

botocore lets an event handler answer a call before anything is sent (DESIGN.md, "Real AWS tooling on
top of the simulator"):

- on `before-parameter-build` we keep a reference to the call's parameters (the dict that botocore
  then validates against its model, after its own handlers ran: e.g. EC2 UserData is base64-encoded);
- on `before-call` we run the operation on the simulator and answer with
  `(AWSResponse(None, status, {}, None), parsed)`.

That works for every protocol, sends nothing and needs no credentials. botocore still validates the
parameters against the real service model, builds its real exception classes
(`client.exceptions.ClusterNotFoundException`) and the CLI formats the output itself, so what a learner
sees is what the real tools show.

How simulator outcomes become botocore outcomes:

- `sim.errors.ClientError(code, message)` → HTTP 400 + `{"Error": {"Code", "Message"}}`, so botocore
  raises its own ClientError with the same code and message (the CLI prints
  `An error occurred (Code) when calling the Op operation: Message`).
- `NotModelledError` → HTTP 400 with the code **`NotModelled`** and our message
  ("ecslearn does not model X yet"); a service the simulator does not have at all, or another region,
  gets the same code. Never a silent success, never a network call.
- our `ParamValidationError` (nested shapes the backend checks) → botocore's `ParamValidationError`.
- Idempotency tokens that botocore fills in by itself (`clientToken` of RunTask, `ClientToken` of
  RunInstances) are dropped unless the caller gave one, so the simulator sees what the user typed.
- Timestamp *inputs* (ISO strings or epoch numbers, as botocore accepts them) reach the backend as
  tz-aware datetimes. Timestamp *outputs* stay datetimes for boto3; for the CLI they are turned into
  what the service sends on the wire (epoch seconds for JSON protocols, ISO 8601 for query/EC2), because
  awscli v1 prints timestamps exactly as received (`cli_timestamp_format = none`, its default).
- Waiters (`client.get_waiter(...)`, `aws ecs wait ...`) advance the simulated clock by their delay
  instead of sleeping.

The CLI's exit codes follow the AWS CLI's documented return codes: 0 success, 252 a command line that
could not be parsed or parameters that failed validation, 254 a service error (AWS answered with an
error), 255 any other failure, 130 interrupted. (awscli v1 itself collapses 252 and 254 into 255 and
exits 2 on usage errors; the text printed is awscli v1's own, unchanged.)
"""

from __future__ import annotations

import contextlib
import functools
import io
import itertools
import json
import logging
import os
import shlex
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from ecslearn.errors import EcslearnError, NotModelledError, ParamValidationError
from ecslearn.sim.errors import ClientError
from ecslearn.sim.simulator import SERVICES

if TYPE_CHECKING:
    import boto3

    from ecslearn.sim.simulator import Simulator

#: fake static credentials: botocore wants some, nothing is ever signed or sent
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

#: the awscli's own process-wide state (sys.stdout/sys.stderr, logging handlers) is swapped while a
#: command runs, so commands run one at a time, whichever AwsCli they belong to.
_RUN_LOCK = threading.RLock()

#: protocols whose timestamps travel as epoch seconds; the others (query, ec2, rest-xml) send ISO 8601
_EPOCH_PROTOCOLS = {"json", "rest-json", "smithy-rpc-v2-cbor"}
#: query services that send timestamps without milliseconds
_ISO_SECONDS_SERVICES = {"iam", "sts"}


# --- the session ----------------------------------------------------------------------------------


@functools.cache
def _loader() -> Any:
    """One botocore data loader for every session: the models are read-only and costly to parse.

    Search path: botocore's own data and awscli's data only (never ~/.aws/models).
    """
    import botocore
    from botocore.loaders import Loader

    paths = [os.path.join(os.path.dirname(os.path.abspath(botocore.__file__)), "data")]
    try:
        import awscli

        paths.insert(0, os.path.join(os.path.dirname(os.path.abspath(awscli.__file__)), "data"))
    except ImportError:  # pragma: no cover - awscli is a dependency
        pass
    return Loader(extra_search_paths=paths, include_default_search_paths=False)


def _isolated_botocore_session(sim: Simulator, session_vars: dict[str, Any] | None = None, *,
                               wire_timestamps: bool = False) -> Any:
    """A botocore Session that reads no environment variable and no file of the user's."""
    import botocore.session
    from botocore.configprovider import BOTOCORE_DEFAUT_SESSION_VARIABLES

    merged = dict(BOTOCORE_DEFAUT_SESSION_VARIABLES)
    merged.update(session_vars or {})
    # (config name, env var, default, conversion): drop every env var so os.environ is never read
    no_env = {name: (spec[0], None, *spec[2:]) for name, spec in merged.items()}
    session = botocore.session.Session(session_vars=no_env)
    session.set_config_variable("config_file", os.devnull)
    session.set_config_variable("credentials_file", os.devnull)
    session.set_config_variable("region", sim.region)
    session.register_component("data_loader", _loader())
    session.set_credentials(ACCESS_KEY, SECRET_KEY)
    handlers = _SimHandlers(sim, wire_timestamps=wire_timestamps)
    handlers.install(session)
    session.ecslearn_handlers = handlers  # so AwsCli.rebind can point it at another simulator
    return session


def boto3_session(sim: Simulator) -> boto3.session.Session:
    """A boto3 Session whose clients answer from `sim` (no network, no credentials, region us-east-1).

    >>> from ecslearn.sim import Simulator
    >>> ecs = boto3_session(Simulator(0)).client("ecs")
    >>> ecs.create_cluster(clusterName="prod")["cluster"]["clusterName"]
    'prod'
    """
    import boto3

    core = _isolated_botocore_session(sim)
    return boto3.session.Session(botocore_session=core, region_name=sim.region)


# --- the handlers that answer calls ------------------------------------------------------------------


class _SimHandlers:
    """The `before-parameter-build` / `before-call` pair bound to one simulator."""

    _PARAMS = "ecslearn_params"
    _GIVEN = "ecslearn_given"

    def __init__(self, sim: Simulator, *, wire_timestamps: bool) -> None:
        self.sim = sim
        self.wire_timestamps = wire_timestamps
        self._request_ids = itertools.count(1)

    def install(self, session: Any) -> None:
        # first: see what the caller gave before botocore adds idempotency tokens
        session.get_component("event_emitter").register_first("before-parameter-build", self.capture)
        session.register("before-call", self.answer)
        session.register("creating-client-class", self.add_mixin)

    def add_mixin(self, base_classes: list[type], **_: Any) -> None:
        base_classes.insert(0, type("SimClientMixin", (_SimClientMixin,), {"_ecslearn_handlers": self}))

    def capture(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context[self._PARAMS] = params  # the same dict: later handlers' in-place changes are seen
        context[self._GIVEN] = frozenset(params)
        context["ecslearn_sim"] = self.sim

    def _metadata(self, status: int) -> dict[str, Any]:
        n = next(self._request_ids)
        return {"RequestId": f"{n:08x}-0000-4000-8000-{self.sim.seed & 0xFFFFFFFFFFFF:012x}",
                "HTTPStatusCode": status, "HTTPHeaders": {}, "RetryAttempts": 0}

    def _error(self, code: str, message: str, status: int = 400) -> tuple[Any, dict[str, Any]]:
        from botocore.awsrequest import AWSResponse

        parsed = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": self._metadata(status)}
        return AWSResponse(None, status, {}, None), parsed

    def answer(self, model: Any, context: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]]:
        from botocore.awsrequest import AWSResponse
        from botocore.exceptions import ParamValidationError as BotoParamValidationError

        service = model.service_model.service_name
        region = context.get("client_region")
        if region and region not in (self.sim.region, "aws-global"):  # IAM's endpoint is global
            return self._error("NotModelled", f"ecslearn does not model region {region} yet "
                                              f"(the simulated account lives in {self.sim.region})")
        if service not in SERVICES:
            return self._error("NotModelled", f"ecslearn does not model the {service} service yet")
        params = dict(context.get(self._PARAMS) or {})
        given = context.get(self._GIVEN, frozenset(params))
        params = _prepare_input(model.input_shape, params, given)
        from botocore import xform_name

        try:
            method = getattr(self.sim.client(service), xform_name(model.name))
            result = method(**params)
        except ClientError as err:
            return self._error(err.code, err.aws_message, err.status)
        except NotModelledError as err:
            return self._error("NotModelled", err.message)
        except ParamValidationError as err:
            raise BotoParamValidationError(report=err.report) from None
        except EcslearnError as err:
            return self._error("SimulatorError", err.message)
        except AttributeError:
            return self._error("NotModelled", f"ecslearn does not model {service} {model.name} yet")
        parsed = dict(result or {})
        if service == "iam" and model.output_shape is not None:
            parsed = _quote_policies(model.output_shape, parsed)
        if self.wire_timestamps and model.output_shape is not None:
            parsed = _to_wire(model.output_shape, parsed, model.service_model.protocol, service)
        parsed["ResponseMetadata"] = self._metadata(200)
        return AWSResponse(None, 200, {}, None), parsed


def _prepare_input(shape: Any, params: dict[str, Any], given: frozenset[str]) -> dict[str, Any]:
    """Drop idempotency tokens botocore generated; timestamps become tz-aware datetimes."""
    if shape is None:
        return params
    out = {}
    for name, value in params.items():
        member = shape.members.get(name)
        if member is not None and member.metadata.get("idempotencyToken") and name not in given:
            continue
        out[name] = _timestamps_in(member, value) if member is not None else value
    return out


def _timestamps_in(shape: Any, value: Any) -> Any:
    kind = shape.type_name
    if kind == "timestamp":
        return _as_datetime(value)
    if kind == "structure" and isinstance(value, dict):
        return {k: _timestamps_in(shape.members[k], v) if k in shape.members else v for k, v in value.items()}
    if kind == "list" and isinstance(value, list | tuple):
        return [_timestamps_in(shape.member, v) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: _timestamps_in(shape.value, v) for k, v in value.items()}
    return value


def _as_datetime(value: Any) -> Any:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    from botocore.utils import parse_timestamp

    try:
        parsed = parse_timestamp(value)
    except (ValueError, TypeError):
        return value  # botocore's serializer would have refused it already
    return parsed.astimezone(UTC)


def _to_wire(shape: Any, value: Any, protocol: str, service: str) -> Any:
    """Datetimes in a response → the value the service sends (what awscli v1 prints)."""
    kind = shape.type_name
    if kind == "timestamp" and isinstance(value, datetime):
        fmt = shape.serialization.get("timestampFormat")
        if fmt is None:
            fmt = "unixTimestamp" if protocol in _EPOCH_PROTOCOLS else "iso8601"
        value = value.astimezone(UTC)
        if fmt == "unixTimestamp":
            return round(value.timestamp(), 3)
        if fmt == "rfc822":
            return value.strftime("%a, %d %b %Y %H:%M:%S GMT")
        if service in _ISO_SECONDS_SERVICES:
            return value.strftime("%Y-%m-%dT%H:%M:%SZ")
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    if kind == "structure" and isinstance(value, dict):
        return {k: _to_wire(shape.members[k], v, protocol, service) if k in shape.members else v
                for k, v in value.items()}
    if kind == "list" and isinstance(value, list):
        return [_to_wire(shape.member, v, protocol, service) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: _to_wire(shape.value, v, protocol, service) for k, v in value.items()}
    return value


def _quote_policies(shape: Any, value: Any) -> Any:
    """IAM sends policy documents URL-encoded; botocore's `after-call.iam` handler decodes them again."""
    if shape.type_name == "string" and shape.name == "policyDocumentType":
        from urllib.parse import quote

        return quote(value if isinstance(value, str) else json.dumps(value), safe="")
    if shape.type_name == "structure" and isinstance(value, dict):
        return {k: _quote_policies(shape.members[k], v) if k in shape.members else v for k, v in value.items()}
    if shape.type_name == "list" and isinstance(value, list):
        return [_quote_policies(shape.member, v) for v in value]
    return value


class _SimClientMixin:
    """Mixed into every client class of our sessions: waiters advance the simulated clock."""

    _ecslearn_handlers: _SimHandlers

    @property
    def _ecslearn_sim(self) -> Simulator:
        return self._ecslearn_handlers.sim

    def get_waiter(self, waiter_name: str) -> Any:
        waiter = super().get_waiter(waiter_name)  # type: ignore[misc]
        return _SimWaiter(waiter, self._ecslearn_sim)


class _SimWaiter:
    """A botocore waiter whose delay between polls moves the simulator's clock instead of sleeping."""

    def __init__(self, waiter: Any, sim: Simulator) -> None:
        self._waiter = waiter
        self._sim = sim

    def __getattr__(self, name: str) -> Any:
        return getattr(self._waiter, name)

    def wait(self, **kwargs: Any) -> None:
        config = dict(kwargs.pop("WaiterConfig", None) or {})
        delay = config.get("Delay", self._waiter.config.delay)
        config["Delay"] = 0
        inner = self._waiter._operation_method  # botocore.waiter.Waiter keeps the poll call here
        calls = 0

        def poll(**params: Any) -> Any:
            nonlocal calls
            if calls:
                self._sim.advance(delay)
            calls += 1
            return inner(**params)

        self._waiter._operation_method = poll
        try:
            return self._waiter.wait(WaiterConfig=config, **kwargs)
        finally:
            self._waiter._operation_method = inner


# --- the AWS CLI ----------------------------------------------------------------------------------


#: global options of the AWS CLI that take a value (the others are flags)
GLOBAL_OPTIONS_WITH_VALUE = frozenset({"--output", "--query", "--region", "--profile", "--endpoint-url", "--color",
                                       "--ca-bundle", "--cli-read-timeout", "--cli-connect-timeout"})


def _first_command(argv: list[str]) -> str | None:
    """The top-level command of an argv (after global options such as `--debug` or `--region X`)."""
    skip = False
    for token in argv:
        if skip:
            skip = False
        elif token.startswith("--"):
            skip = token in GLOBAL_OPTIONS_WITH_VALUE
        else:
            return token
    return None


class CliResult(NamedTuple):
    """What one `aws ...` command did: its exit code and what it printed."""

    exit_code: int
    stdout: str
    stderr: str


class _Watched:
    """A command-table entry that remembers the exception a command raised (to pick the exit code)."""

    def __init__(self, command: Any, sink: list[BaseException]) -> None:
        self._command = command
        self._sink = sink

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return self._command(*args, **kwargs)
        except Exception as err:
            self._sink.append(err)
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self._command, name)


class _WatchedTable(dict):  # type: ignore[type-arg]
    sink: list[BaseException]

    def __getitem__(self, key: str) -> Any:
        return _Watched(super().__getitem__(key), self.sink)


def _text_help_renderer_class() -> type:
    from awscli.help import PagingHelpRenderer

    class TextHelpRenderer(PagingHelpRenderer):
        """`aws ... help` as plain text on our captured stdout (no groff, no pager)."""

        def render(self, contents: Any) -> None:
            from awscli.bcdoc.textwriter import TextWriter
            from docutils.core import publish_string

            text = publish_string(contents, writer=TextWriter(),
                                  settings_overrides=self._DEFAULT_DOCUTILS_SETTINGS_OVERRIDES)
            sys.stdout.write(text.decode("utf-8") if isinstance(text, bytes) else text)
            sys.stdout.write("\n")

    return TextHelpRenderer


_LOGGERS = ("awscli", "botocore", "s3transfer", "urllib3")
_BLOCKED = {
    "configure": "`aws configure` is not needed here: the simulated account has fixed credentials "
                 "and lives in us-east-1.",
    "history": "`aws history` is not available in the ecslearn sandbox.",
}


class AwsCli:
    """The real AWS CLI (awscli v1) bound to one simulator. Create once (≈0.3 s), run many commands.

    >>> from ecslearn.sim import Simulator
    >>> cli = AwsCli(Simulator(0))
    >>> cli.run("aws ecs create-cluster --cluster-name prod --query cluster.status --output text")
    CliResult(exit_code=0, stdout='ACTIVE\\n', stderr='')
    """

    def __init__(self, sim: Simulator, *, cwd: str | os.PathLike[str] | None = None, width: int = 80) -> None:
        self.sim = sim
        self.cwd = os.fspath(cwd) if cwd is not None else os.getcwd()
        self.width = width
        self._errors: list[BaseException] = []
        self._session_initialized = False
        with _RUN_LOCK, self._quiet_loggers():
            self._driver = self._create_driver()

    # --- construction --------------------------------------------------------------------------

    def _create_driver(self) -> Any:
        from awscli import EnvironmentVariables
        from awscli.alias import AliasLoader
        from awscli.clidriver import CLIDriver, _set_user_agent_for_session
        from awscli.plugin import load_plugins

        session = _isolated_botocore_session(self.sim, EnvironmentVariables, wire_timestamps=True)
        _reuse_clients(session)
        _set_user_agent_for_session(session)
        # awscli's settings live in the (empty) config file: never fetch http(s):// parameter values
        profile = session.full_config.setdefault("profiles", {}).setdefault("default", {})
        profile["cli_follow_urlparam"] = "false"
        load_plugins({}, event_hooks=session.get_component("event_emitter"))
        outer = self

        class Driver(CLIDriver):
            def _build_command_table(self) -> Any:
                table = _WatchedTable(super()._build_command_table())
                table.sink = outer._errors
                return table

            def _emit_session_event(self, parsed_args: Any) -> None:
                # awscli registers new handlers on every session-initialized event; once is enough
                if not outer._session_initialized:
                    outer._session_initialized = True
                    super()._emit_session_event(parsed_args)

        driver = Driver(session=session)
        # a path that never exists: no alias file (awscli would read ~/.aws/cli/alias)
        driver.alias_loader = AliasLoader(alias_filename=os.path.join(os.path.dirname(__file__), "__no_aliases__"))
        driver._get_command_table()  # build it now, so the first command is fast
        driver._get_argument_table()
        return driver

    def rebind(self, sim: Simulator) -> None:
        """Point this driver at another simulator (building a driver costs ~0.1-0.3 s; rebinding is free)."""
        with _RUN_LOCK:
            self.sim = sim
            self._driver.session.ecslearn_handlers.sim = sim

    # --- running ---------------------------------------------------------------------------------

    def run(self, command: str | Sequence[str], *, cwd: str | os.PathLike[str] | None = None) -> CliResult:
        """Run one `aws ...` command line (a string, or an argv list with or without "aws")."""
        if isinstance(command, str):
            try:
                argv = shlex.split(command, comments=True)  # `# ...` ends the line, as in a shell
            except ValueError as err:
                return CliResult(252, "", f"aws: error: cannot parse the command line: {err}\n")
            if not argv or argv[0] != "aws":
                return CliResult(252, "", "aws: error: the command line must start with `aws`\n")
            argv = argv[1:]
        else:
            argv = list(command)
            if argv and argv[0] == "aws":
                argv = argv[1:]
        first = _first_command(argv)
        if first in _BLOCKED:
            return CliResult(252, "", _BLOCKED[first] + "\n")
        with _RUN_LOCK:
            return self._run_locked(argv, os.fspath(cwd) if cwd is not None else self.cwd)

    def _run_locked(self, argv: list[str], run_cwd: str) -> CliResult:
        from awscli import help as awscli_help
        from awscli import table as awscli_table

        session = self._driver.session
        # flags like --region/--profile set session variables: each command starts from the defaults
        session.set_config_variable("region", self.sim.region)
        session.set_config_variable("profile", None)
        del self._errors[:]
        out_buf, err_buf = io.BytesIO(), io.BytesIO()
        out = io.TextIOWrapper(out_buf, encoding="utf-8", write_through=True)
        err = io.TextIOWrapper(err_buf, encoding="utf-8", write_through=True)
        saved_streams = sys.stdout, sys.stderr
        saved_argv = sys.argv
        saved_width = awscli_table.determine_terminal_width
        saved_renderer = awscli_help.get_renderer
        renderer = _text_help_renderer_class()
        width = self.width
        code: int
        with self._quiet_loggers():
            sys.stdout, sys.stderr = out, err
            sys.argv = ["aws", *argv]  # argparse names the program after sys.argv[0]
            # file:// paths are relative to the shell's working directory: awscli opens them in
            # several places (parameters, shorthand values, --cli-input-json), so change directory
            # for the length of the command (under the lock, put back afterwards)
            saved_cwd = _getcwd()
            _chdir(run_cwd)
            awscli_table.determine_terminal_width = lambda default_width=80: width
            awscli_help.get_renderer = renderer
            try:
                code = self._driver.main(argv)
            except SystemExit as exc:  # argparse usage errors
                code = 252 if exc.code == 2 else (exc.code if isinstance(exc.code, int) else 255)
            except KeyboardInterrupt:
                out.write("\n")
                code = 130
            except Exception as exc:  # awscli catches nearly everything; never show a traceback
                err.write(f"\n{exc}\n")
                code = 255
            finally:
                sys.stdout, sys.stderr = saved_streams
                sys.argv = saved_argv
                _chdir(saved_cwd)
                awscli_table.determine_terminal_width = saved_width
                awscli_help.get_renderer = saved_renderer
        code = self._exit_code(0 if code is None else code)  # `aws ... help` returns None
        out.flush()
        err.flush()
        return CliResult(code, out_buf.getvalue().decode("utf-8", "replace"),
                         err_buf.getvalue().decode("utf-8", "replace"))

    def _exit_code(self, code: int) -> int:
        if code != 255 or not self._errors:
            return code
        from awscli.argprocess import ParamError
        from awscli.arguments import UnknownArgumentError
        from botocore.exceptions import ClientError as BotoClientError
        from botocore.exceptions import ParamValidationError as BotoParamValidationError

        exc = self._errors[-1]
        if isinstance(exc, BotoClientError):
            return 254
        if isinstance(exc, BotoParamValidationError | ParamError | UnknownArgumentError):
            return 252
        return code

    @contextlib.contextmanager
    def _quiet_loggers(self) -> Any:
        """awscli adds a stream handler to its logger on every command: put the loggers back after."""
        saved = {}
        for name in _LOGGERS:
            logger = logging.getLogger(name)
            saved[name] = (list(logger.handlers), logger.level, logger.propagate)
        try:
            yield
        finally:
            for name, (handlers, level, propagate) in saved.items():
                logger = logging.getLogger(name)
                logger.handlers[:] = handlers
                logger.setLevel(level)
                logger.propagate = propagate

    # --- for the shell: the command tree, from the botocore models (tab completion) ------------

    @property
    def session(self) -> Any:
        """The botocore session the CLI uses."""
        return self._driver.session

    def command_names(self) -> list[str]:
        """Top-level commands: `ecs`, `ec2`, ... and awscli's own (`s3`, `configure`, ...)."""
        with _RUN_LOCK, self._quiet_loggers():
            return sorted(self._driver._get_command_table())

    def _command(self, name: str) -> Any:
        table = self._driver._get_command_table()
        return dict.get(table, name)

    @staticmethod
    def _subtable(command: Any) -> dict[str, Any]:
        getter = getattr(command, "_get_command_table", None)  # a service (ServiceCommand)
        if getter is not None:
            return getter()
        return getattr(command, "subcommand_table", None) or {}  # customizations (BasicCommand)

    def subcommand_names(self, command: str) -> list[str]:
        """Operations of a service (`run-task`, ...) plus `wait` and the like; [] if unknown."""
        with _RUN_LOCK, self._quiet_loggers():
            found = self._command(command)
            if found is None:
                return []
            try:
                return sorted([*self._subtable(found), "help"])
            except Exception:  # a customization that cannot build its table offline
                return ["help"]

    def _arg_table(self, command: str, subcommand: str | None) -> dict[str, Any]:
        found = self._command(command)
        if found is None:
            return {}
        if subcommand is not None:
            found = self._subtable(found).get(subcommand)
            if found is None:
                return {}
        try:
            return dict(found.arg_table)
        except Exception:
            return {}

    def option_names(self, command: str | None = None, subcommand: str | None = None) -> list[str]:
        """`--options` of an operation (or of a command), plus the global ones (`--output`, ...)."""
        with _RUN_LOCK, self._quiet_loggers():
            names = [f"--{n}" for n in self._driver._get_argument_table()]
            if command is not None:
                names += [f"--{n}" for n in self._arg_table(command, subcommand)]
            return sorted(set(names))

    def option_choices(self, command: str | None, subcommand: str | None, option: str) -> list[str]:
        """The values an option takes when the model lists them (`--launch-type` → EC2, FARGATE, ...)."""
        name = option.removeprefix("--")
        with _RUN_LOCK, self._quiet_loggers():
            arg = self._driver._get_argument_table().get(name)
            if arg is None and command is not None:
                arg = self._arg_table(command, subcommand).get(name)
            if arg is None:
                return []
            choices = getattr(arg, "choices", None)
            if not choices:
                model = getattr(arg, "argument_model", None)
                choices = getattr(model, "enum", None) or []
            return [str(c) for c in choices]


def _getcwd() -> str | None:
    try:
        return os.getcwd()
    except OSError:  # the process's directory was removed
        return None


def _chdir(path: str | None) -> None:
    if path is None:
        return
    with contextlib.suppress(OSError):
        os.chdir(path)


__all__ = ["AwsCli", "CliResult", "boto3_session"]


def _client_key(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...] | None:
    """A key for create_client's arguments, or None when one of them cannot be compared safely."""
    def norm(value: Any) -> Any:
        if value is None or isinstance(value, (str, int, float, bool)):
            return value
        options = getattr(value, "_user_provided_options", None)  # botocore.config.Config
        if isinstance(options, dict):
            return ("Config", tuple(sorted((k, repr(v)) for k, v in options.items())))
        raise TypeError
    try:
        return (tuple(norm(a) for a in args), tuple(sorted((k, norm(v)) for k, v in kwargs.items())))
    except TypeError:
        return None


def _reuse_clients(session: Any) -> None:
    """Let awscli reuse a client across commands (it builds one per command: ~15 ms, 3/4 of a command).

    Safe here because every handler awscli adds is registered on the session before the first client
    is made (plugins load at start; the session-initialized event runs once, see `_create_driver`),
    and the simulator a client answers from is looked up through the handlers at call time.
    """
    create = session.create_client
    cache: dict[tuple[Any, ...], Any] = {}

    def create_client(*args: Any, **kwargs: Any) -> Any:
        key = _client_key(args, kwargs)
        if key is None:
            return create(*args, **kwargs)
        if key not in cache:
            cache[key] = create(*args, **kwargs)
        return cache[key]

    session.create_client = create_client


_SHARED: AwsCli | None = None


def run_shared(sim: Simulator, command: str | Sequence[str], *, cwd: str | os.PathLike[str] | None = None,
               width: int = 80) -> CliResult:
    """Run one command against `sim` through a process-wide driver, rebound for the call.

    For code that builds many short-lived worlds (content check, lesson replays): building a driver
    costs 0.1-0.3 s, rebinding it costs nothing. Interactive shells keep their own `AwsCli`.
    """
    global _SHARED
    with _RUN_LOCK:
        if _SHARED is None:
            _SHARED = AwsCli(sim, width=width)
        else:
            _SHARED.rebind(sim)
            _SHARED.width = width
        return _SHARED.run(command, cwd=cwd)

