"""Tasks used by the tests: they must live in an importable module for the worker."""

from linli.core.tasks import linli_task


@linli_task
def remember(value: str) -> str:
    return value


@linli_task
def always_fails(value: str) -> None:
    raise ValueError(f"deliberate failure {value}")
