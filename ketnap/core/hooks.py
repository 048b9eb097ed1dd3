"""A hook: functions that an app above the caller registers in its ``AppConfig.ready``, called by the caller
inside its own transaction. It keeps the dependencies one way (``orgs`` never imports ``targets``, yet a tree
move keeps the indicator rollup current in the same transaction). Not a change log: each hook has one purpose
and is called explicitly by the action it belongs to."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["Hook", "Provider"]


class Hook:
    def __init__(self, name: str):
        self.name = name
        self._functions: list[Callable[..., Any]] = []

    def register(self, function: Callable[..., Any]) -> None:
        if function not in self._functions:
            self._functions.append(function)

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        for function in self._functions:
            function(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._functions)} function(s)>"


class Provider:
    """One function that an app above the caller registers to answer a question the caller cannot answer
    itself (``targets`` asks ``interorg`` which graduates are overdue for a transfer, neither importing the
    other). Calling it before any registration is a programming error."""

    def __init__(self, name: str):
        self.name = name
        self._function: Callable[..., Any] | None = None

    def register(self, function: Callable[..., Any]) -> None:
        self._function = function

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._function is None:
            raise RuntimeError(f"{self.name}: no function registered")
        return self._function(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Provider {self.name}>"
