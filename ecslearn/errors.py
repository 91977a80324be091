"""The one user-facing exception hierarchy. `cli.main` is the only place that turns these into exits."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    CONTENT_INVALID = 3
    AWS_ERROR = 254  # what the AWS CLI exits with on a service error
    INTERRUPTED = 130


@dataclass(frozen=True)
class SourceLocation:
    """A place in a content file, printed as `path:line`."""

    path: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


class EcslearnError(Exception):
    """An error the user can cause and fix. `message` is shown; `hint` says what to do next."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


# --- content -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContentProblem:
    """One problem found in content, reported as `path:line: message`."""

    location: SourceLocation
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class ContentError(EcslearnError):
    """A problem in a lesson or quiz file."""

    exit_code = ExitCode.CONTENT_INVALID

    def __init__(self, message: str, location: SourceLocation | None = None, *, hint: str | None = None):
        super().__init__(f"{location}: {message}" if location else message, hint=hint)
        self.location = location
        self.bare_message = message


class ContentSyntaxError(ContentError):
    """The file is not valid YAML."""


class ContentSchemaError(ContentError):
    """Missing, unknown or duplicate key, or a value of the wrong type."""


class ContentReferenceError(ContentError):
    """An id that is duplicated or refers to nothing."""


class ContentCheckFailed(ContentError):
    """Validation gathered several problems; all of them are in `problems`."""

    def __init__(self, problems: list[ContentProblem]):
        self.problems = sorted(problems, key=lambda p: (p.location.path, p.location.line or 0, p.message))
        body = "\n".join(str(p) for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in content:\n{body}")


class ContentNotFoundError(EcslearnError):
    """No content directory could be found."""


# --- simulator ---------------------------------------------------------------------------------


class SimulatorError(EcslearnError):
    """Base for errors raised by the simulator (AWS errors are `sim.ClientError`)."""


class NotModelledError(SimulatorError):
    """The operation or feature exists in AWS but ecslearn does not model it yet."""

    def __init__(self, what: str, *, operation_name: str | None = None):
        super().__init__(f"ecslearn does not model {what} yet")
        self.operation_name = operation_name or what


class ParamValidationError(SimulatorError):
    """Parameters of the wrong shape, reported as botocore reports them."""

    exit_code = ExitCode.USAGE

    def __init__(self, report: str):
        super().__init__(f"Parameter validation failed:\n{report}")
        self.report = report


# --- learner state, scenarios, exports ---------------------------------------------------------


class ProgressError(EcslearnError):
    """The learner's state file is corrupt or from a newer ecslearn."""


class ScenarioError(EcslearnError):
    """A scenario (setup, world file, check) could not be built or evaluated."""


class ExportError(EcslearnError):
    """An export could not be written (template error, output folder problem)."""


class UsageError(EcslearnError):
    """A command was called with options that do not fit together."""

    exit_code = ExitCode.USAGE
