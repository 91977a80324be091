"""AWS errors raised by the simulator, shaped exactly like botocore's ClientError."""

from __future__ import annotations

from ecslearn.errors import ExitCode, SimulatorError


class ClientError(SimulatorError):
    """An AWS service error: `.response["Error"]["Code"/"Message"]` and `.operation_name` as in botocore.

    `str(err)` is what the AWS CLI prints: `An error occurred (Code) when calling the Op operation: Msg`.
    """

    exit_code = ExitCode.AWS_ERROR

    def __init__(self, code: str, message: str, operation_name: str = "", *, status: int = 400):
        self.response = {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": status},
        }
        self.operation_name = operation_name
        self.code = code
        self.aws_message = message
        self.status = status
        super().__init__(self._format())

    def _format(self) -> str:
        return (
            f"An error occurred ({self.code}) when calling the {self.operation_name} operation: "
            f"{self.aws_message}"
        )

    def with_operation(self, operation_name: str) -> ClientError:
        """Fill in the operation name (backends raise before they know how they were called)."""
        if not self.operation_name:
            self.operation_name = operation_name
            self.message = self._format()
            self.args = (self.message,)
        return self


def aws_error(code: str, message: str, *, status: int = 400) -> ClientError:
    """Build a ClientError; the client fills in the operation name."""
    return ClientError(code, message, status=status)


# Shorthands for the codes used everywhere.
def invalid_parameter(message: str) -> ClientError:
    return aws_error("InvalidParameterException", message)


def client_exception(message: str) -> ClientError:
    return aws_error("ClientException", message)


def cluster_not_found() -> ClientError:
    return aws_error("ClusterNotFoundException", "Cluster not found.")
