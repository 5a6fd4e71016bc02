"""The settings a notebook connects with, checked before anything connects.

:func:`checked_connect_args` is what the connection reads: the standard Temporal client config
(``TEMPORAL_ADDRESS``, ``TEMPORAL_NAMESPACE``, ``TEMPORAL_API_KEY``, ``TEMPORAL_TLS*``,
``TEMPORAL_PROFILE``, ``TEMPORAL_CONFIG_FILE`` / ``temporal.toml``), plus the notebooks' own home
folder. A wrong setting raises :class:`SettingsError` whose message names the setting and the fix,
instead of a traceback from deep inside the SDK (or, for a config file that does not exist, instead
of silently ignoring it). Secrets (API key, TLS key) never appear in a message.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

from temporalio.envconfig import ClientConfig

from .errors import SettingsError
from .learner import warn_if_generic

CONFIG_FILE_ENV = "TEMPORAL_CONFIG_FILE"
PROFILE_ENV = "TEMPORAL_PROFILE"
RERUN = "then re-run this cell"
# host:port; the host a name, an IPv4 address or a bracketed IPv6 address.
_ADDRESS = re.compile(r"^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$")
_TLS_PATH_SETTINGS = (
    "TEMPORAL_TLS_CLIENT_CERT_PATH",
    "TEMPORAL_TLS_CLIENT_KEY_PATH",
    "TEMPORAL_TLS_SERVER_CA_CERT_PATH",
)


def checked_connect_args() -> dict:
    """``Client.connect`` kwargs from the standard config (empty when nothing is set), after
    checking every setting; also checks the notebooks' home folder.

    Raises :class:`SettingsError` with one line that names what is wrong and how to fix it.
    """
    check_home()
    check_config_file_exists()
    args = _load()
    if args.get("target_host"):
        check_address(args["target_host"])
        warn_if_generic()  # a shared server: classmates with one account name would collide
    return args


def _load() -> dict:
    try:
        return ClientConfig.load_client_connect_config()
    except FileNotFoundError as exc:
        raise SettingsError(_missing_tls_file(exc.filename or str(exc))) from None
    except RuntimeError as exc:  # the SDK's ConfigError (a bridge RuntimeError)
        raise SettingsError(_config_problem(str(exc))) from None


def _missing_tls_file(path: str) -> str:
    settings = [name for name in _TLS_PATH_SETTINGS if os.environ.get(name) == path]
    source = settings[0] if settings else "the TLS settings of the Temporal profile"
    return (
        f"The TLS file {path} (from {source}) does not exist. Fix the path, or unset the "
        f"setting if this server needs no client certificate, {RERUN}."
    )


def _config_problem(text: str) -> str:
    profile = re.search(r"Profile '([^']*)' not found", text)
    if profile:
        known = _profile_names()
        listed = f" (it has: {', '.join(known)})" if known else ""
        return (
            f"{PROFILE_ENV} is '{profile.group(1)}', but the Temporal config file {_config_file_shown()} "
            f"has no such profile{listed}. Fix or unset {PROFILE_ENV}, {RERUN}."
        )
    if "TOML parse error" in text or "parse" in text.lower():
        where = re.search(r"line (\d+), column (\d+)", text)
        lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
        why = lines[-1] if len(lines) > 1 else ""
        at = f" at line {where.group(1)}, column {where.group(2)}" if where else ""
        detail = f": {why}" if why and "|" not in why else ""
        return (
            f"The Temporal config file {_config_file_shown()} is not valid TOML{at}{detail}. Fix it "
            f"(or unset {CONFIG_FILE_ENV}), {RERUN}."
        )
    first = text.strip().splitlines()[0] if text.strip() else "unknown problem"
    return (
        f"The Temporal client settings cannot be loaded: {first[:200]}. Check the TEMPORAL_* "
        f"settings, {RERUN}."
    )


def _config_file_shown() -> str:
    return os.environ.get(CONFIG_FILE_ENV) or "temporal.toml"


def _profile_names() -> list[str]:
    try:
        config = ClientConfig.load()  # finds the file as the SDK does (TEMPORAL_CONFIG_FILE or default)
    except Exception:  # the names are a courtesy; the line stands without them
        return []
    return sorted(config.profiles)


def check_config_file_exists() -> None:
    """The SDK reads nothing, silently, from a ``TEMPORAL_CONFIG_FILE`` that does not exist."""
    path = os.environ.get(CONFIG_FILE_ENV)
    if path and not Path(path).is_file():
        raise SettingsError(
            f"{CONFIG_FILE_ENV} names {path}, which does not exist, so no settings could be read from "
            f"it. Fix the path, or unset {CONFIG_FILE_ENV} to use the default, {RERUN}."
        )


def check_address(address: str) -> None:
    """``host:port``, nothing else (the SDK fails on anything else with a long traceback)."""
    if "://" in address:
        raise SettingsError(
            f"TEMPORAL_ADDRESS is '{address}': give host:port without a scheme (e.g. "
            f"'{address.split('://', 1)[1].rstrip('/')}'), {RERUN}."
        )
    match = _ADDRESS.match(address)
    if match is None or not 0 < int(match.group(1)) < 65536:
        raise SettingsError(
            f"TEMPORAL_ADDRESS is '{address}', which is not host:port (e.g. 'localhost:7233' or "
            f"'my-namespace.a1b2c.tmprl.cloud:7233'). Fix it, or unset it to use the local dev server, "
            f"{RERUN}."
        )


def check_home() -> Path:
    """The notebooks' home folder (server state, exercise modules) exists and can be written."""
    from .devserver import HOME_ENV, state_dir

    try:
        path = state_dir()
        probe = path / f".write-test-{uuid.uuid4().hex[:8]}"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        where = exc.filename or os.environ.get(HOME_ENV) or "the notebooks home"
        suggestion = Path.home() / "temporal-notebooks"
        raise SettingsError(
            f"The notebooks home folder {where} cannot be created or written ({exc.strerror or exc}). "
            f"Set {HOME_ENV} to a folder you can write (in a cell: %env {HOME_ENV}={suggestion}), "
            f"{RERUN}."
        ) from None
    return path
