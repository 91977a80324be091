"""Backends (one per AWS service) and the client that exposes their operations under boto3 names.

A backend is a class whose public operations are methods named as boto3 names them
(`run_task`, `describe_clusters`), taking boto3's parameter names as keyword arguments and
returning boto3-shaped dicts. Mark each with `@operation`. The client checks parameters against the
method's signature and annotations the way botocore checks them against its model, so a wrong type or
an unknown parameter is a `ParamValidationError`, never a Python TypeError.
"""

from __future__ import annotations

import copy
import functools
import inspect
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ecslearn.errors import NotModelledError, ParamValidationError
from ecslearn.sim.errors import ClientError

if TYPE_CHECKING:
    from ecslearn.sim.simulator import Simulator

_OPERATION_ATTR = "__ecslearn_operation__"


def operation(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a backend method as an AWS operation reachable through `sim.client(...)`."""
    setattr(fn, _OPERATION_ATTR, True)
    return fn


def op_name(method_name: str) -> str:
    """`run_task` → `RunTask` (the AWS operation name used in error messages)."""
    return "".join(part[:1].upper() + part[1:] for part in method_name.split("_"))


class Backend:
    """One AWS service's state and operations inside a Simulator."""

    service_name: str = ""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim

    @property
    def region(self) -> str:
        return self.sim.region

    @property
    def account_id(self) -> str:
        return self.sim.account_id

    def busy(self) -> bool:
        """True while this service has work in flight that `Simulator.settle` should wait for."""
        return False

    @classmethod
    def operations(cls) -> dict[str, Callable[..., Any]]:
        """Every modelled operation of this backend, by boto3 method name."""
        found: dict[str, Callable[..., Any]] = {}
        for klass in reversed(cls.__mro__):
            for name, value in vars(klass).items():
                if getattr(value, _OPERATION_ATTR, False):
                    found[name] = value
        return dict(sorted(found.items()))


# --- paging ---------------------------------------------------------------------------------------


def page_slice(items: list[Any], token: str | None, size: int,
               bad_token: Callable[[], Exception]) -> tuple[list[Any], str | None]:
    """One page of `items` and the next token; tokens are plain offsets, `bad_token()` is the service's error."""
    start = 0
    if token:
        try:
            start = int(token)
        except ValueError:
            raise bad_token() from None
        if start < 0:
            raise bad_token()
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


# --- botocore model lookups (lazy: only on error paths and for coverage docs) ------------------


@functools.cache
def _botocore_operations(service: str) -> dict[str, list[str]]:
    """Operation name → input member names, from botocore's model; {} if botocore is unavailable."""
    try:
        import botocore.session
        from botocore.exceptions import UnknownServiceError
    except ImportError:  # pragma: no cover - botocore is a dependency
        return {}
    try:
        model = botocore.session.get_session().get_service_model(service)
    except UnknownServiceError:
        return {}
    out: dict[str, list[str]] = {}
    for name in model.operation_names:
        shape = model.operation_model(name).input_shape
        out[name] = list(shape.members) if shape is not None else []
    return out


def real_operation_names(service: str) -> list[str]:
    """AWS operation names (CamelCase) of a service according to botocore."""
    return sorted(_botocore_operations(service))


# --- parameter validation ---------------------------------------------------------------------

_TYPE_NAMES = {str: "<class 'str'>", int: "<class 'int'>", bool: "<class 'bool'>", float: "<class 'float'>",
               list: "<class 'list'>, <class 'tuple'>", dict: "<class 'dict'>"}


def _accepted(tp: Any) -> tuple[type, ...] | None:
    """The plain Python types an annotation accepts, or None when it is not checkable."""
    if tp is Any:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        out: list[type] = []
        for arg in typing.get_args(tp):
            if arg is type(None):
                continue
            acc = _accepted(arg)
            if acc is None:
                return None
            out.extend(acc)
        return tuple(out)
    if origin is not None:
        tp = origin
    if tp in (list, tuple):
        return (list, tuple)
    if tp in (str, int, bool, dict, float):
        return (tp,)
    return None


def type_error(path: str, value: Any, valid: tuple[type, ...]) -> ParamValidationError:
    """The botocore message for a value of the wrong type at `path` (e.g. `containerDefinitions[0].name`)."""
    names = ", ".join(dict.fromkeys(_TYPE_NAMES.get(t, f"<class '{t.__name__}'>") for t in valid))
    return ParamValidationError(
        f"Invalid type for parameter {path}, value: {value!r}, type: {type(value)!r}, valid types: {names}"
    )


def check_type(path: str, value: Any, valid: type | tuple[type, ...]) -> Any:
    """Return `value` if it is of a valid type (bool is not an int), else raise botocore's message."""
    valid_t = valid if isinstance(valid, tuple) else (valid,)
    if isinstance(value, bool) and bool not in valid_t:
        raise type_error(path, value, valid_t)
    if int in valid_t and float not in valid_t and isinstance(value, float):
        raise type_error(path, value, valid_t)
    if not isinstance(value, valid_t):
        raise type_error(path, value, valid_t)
    return value


@functools.cache
def _signature(fn: Callable[..., Any]) -> tuple[inspect.Signature, dict[str, Any]]:
    try:
        hints = typing.get_type_hints(fn)
    except Exception:  # pragma: no cover - a bad annotation must not break a call
        hints = {}
    return inspect.signature(fn), hints


@functools.cache
def _call_spec(fn: Callable[..., Any]) -> tuple[dict[str, inspect.Parameter], dict[str, tuple[type, ...] | None]]:
    """The keyword parameters of an operation and the plain types each accepts (computed once)."""
    sig, hints = _signature(fn)
    params = {n: p for n, p in sig.parameters.items() if (n != "self" and p.kind is p.KEYWORD_ONLY)
              or (n != "self" and p.kind is p.POSITIONAL_OR_KEYWORD)}
    return params, {n: _accepted(hints.get(n, Any)) for n in params}


def validate_call(service: str, method_name: str, fn: Callable[..., Any], kwargs: dict[str, Any]) -> None:
    """Check top-level parameters as botocore does: unknown, missing required, wrong type."""
    params, accepted = _call_spec(fn)
    for name in kwargs:
        if name not in params:
            real = _botocore_operations(service).get(op_name(method_name), [])
            if name in real:
                raise NotModelledError(f"the {name} parameter of {op_name(method_name)}",
                                       operation_name=op_name(method_name))
            allowed = ", ".join(real or params)
            raise ParamValidationError(f'Unknown parameter in input: "{name}", must be one of: {allowed}')
    missing = [n for n, p in params.items() if p.default is inspect.Parameter.empty and n not in kwargs]
    if missing:
        raise ParamValidationError("\n".join(f'Missing required parameter in input: "{n}"' for n in missing))
    for name, value in kwargs.items():
        if value is None and params[name].default is None:
            continue
        acc = accepted[name]
        if acc is not None:
            check_type(name, value, acc)


class Client:
    """`sim.client("ecs")`: the backend's operations under boto3 names, nothing else."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend
        self._ops = type(backend).operations()
        self.meta = types.SimpleNamespace(service_name=backend.service_name, region_name=backend.region)

    def __dir__(self) -> list[str]:
        return sorted(self._ops)

    def __repr__(self) -> str:
        return f"<ecslearn simulated {self._backend.service_name} client>"

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        fn = self._ops.get(name)
        if fn is None:
            operation_name = op_name(name)
            if operation_name in _botocore_operations(self._backend.service_name):
                def not_modelled(**_: Any) -> Any:
                    raise NotModelledError(f"{self._backend.service_name} {operation_name}",
                                           operation_name=operation_name)
                return not_modelled
            raise AttributeError(f"'{self._backend.service_name}' client has no operation '{name}'")
        backend = self._backend

        def call(**kwargs: Any) -> Any:
            return invoke(backend, name, fn, kwargs)

        call.__name__ = name
        call.__doc__ = fn.__doc__
        return call

    def can_paginate(self, _name: str) -> bool:
        return False


_IMMUTABLE = (str, int, float, bool, type(None), bytes, datetime, date)


def clone(value: Any) -> Any:
    """A deep copy of JSON-like data (dicts, lists, scalars, datetimes), several times faster than deepcopy."""
    if isinstance(value, _IMMUTABLE):
        return value
    if isinstance(value, dict):
        return {k: clone(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clone(v) for v in value] if isinstance(value, list) else tuple(clone(v) for v in value)
    return copy.deepcopy(value)


def invoke(backend: Backend, name: str, fn: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
    """Validate, run one operation and return a private copy of its response."""
    validate_call(backend.service_name, name, fn, kwargs)
    kwargs = clone(kwargs)  # backends may keep what they are given
    try:
        result = fn(backend, **kwargs)
    except ClientError as err:
        raise err.with_operation(op_name(name)) from None
    return clone(result) if result is not None else {}
