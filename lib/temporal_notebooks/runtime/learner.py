"""The learner id, and the names (task queues, workflow ids) derived from it.

Every task queue and workflow id a lesson creates goes through :func:`scoped`, so that a whole
class can share one Temporal namespace without seeing each other's workflows. So two different
names must never give the same id: an id stays readable where it can (``"José Ñúñez"`` →
``jose-nunez-…``, ``"Ιωάννης"`` → ``ioannis-…``, transliterated with ``anyascii``), and whenever
anything beyond lower-casing was changed or cut, a short hash of the original name is added.
Ids are bounded in length, so they fit in a folder name and in a workflow id.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import re
import sys

from anyascii import anyascii

LEARNER_ENV = "TEMPORAL_NOTEBOOKS_LEARNER"
SEPARATOR = "."  # learner ids never contain it, so "<learner>.<name>" splits unambiguously
MAX_LENGTH = 40  # folder names allow 255 bytes, workflow ids ~1000: room for the lesson's own part
HASH_LENGTH = 6
DEFAULT_ID = "learner"
# Account names that many people share (containers, cloud images, Binder): not a person's id.
GENERIC_ACCOUNTS = frozenset(
    {
        "root", "jovyan", "ubuntu", "admin", "administrator", "user", "guest", "debian", "centos",
        "ec2-user", "azureuser", "vagrant", "pi", "codespace", "vscode", "runner", "student",
        "learner", "notebook", "jupyter", "python", "docker", "app", "default", "nobody",
    }
)  # fmt: skip


def learner_id() -> str:
    """Who is running the notebook: the setting, else the JupyterHub user, else the OS user."""
    return normalize(raw_learner_name())


def raw_learner_name() -> str:
    """The name as given, before it is made into an id."""
    return os.environ.get(LEARNER_ENV) or os.environ.get("JUPYTERHUB_USER") or _os_user()


def normalize(raw: str) -> str:
    """A readable, bounded id of ``[a-z0-9_-]`` for ``raw``; distinct names give distinct ids.

    Lower-casing alone adds no hash (``"Ada"`` and ``"ada"`` are one learner, as JupyterHub treats
    user names); any other change (transliteration, dropped characters, truncation) does.
    """
    name = raw.strip()
    if not name:
        return DEFAULT_ID
    readable = re.sub(r"[^a-z0-9_-]+", "-", anyascii(name).lower()).strip("-_")
    # Kept as is only when nothing but case changed, and it cannot pass for a hashed id.
    looks_hashed = re.search(rf"-[0-9a-f]{{{HASH_LENGTH}}}$", readable) is not None
    if readable == name.lower() and len(readable) <= MAX_LENGTH and not looks_hashed:
        return readable
    digest = hashlib.blake2s(name.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_LENGTH]
    body = readable[: MAX_LENGTH - HASH_LENGTH - 1].rstrip("-_") or DEFAULT_ID
    return f"{body}-{digest}"


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in some containers
        return DEFAULT_ID


def is_generic(raw: str | None = None) -> bool:
    """True when the learner id comes from an account name many people share (root, jovyan, …)."""
    return (raw if raw is not None else raw_learner_name()).strip().lower() in GENERIC_ACCOUNTS


def generic_account_warning() -> str | None:
    """One line for a shared server when the learner id is a generic account name, else None."""
    raw = raw_learner_name()
    if not is_generic(raw):
        return None
    return (
        f"Your learner id is '{normalize(raw)}', an account name many people share: on this shared "
        "server classmates with the same account would see and replace each other's workflows. "
        f"Put `%env {LEARNER_ENV}=your-name` at the top of the first cell (or ask your instructor "
        "to set it for you) and run the notebook again."
    )


def warn_if_generic(stream=None) -> bool:
    """Print :func:`generic_account_warning` once per kernel; True when it was printed."""
    if getattr(warn_if_generic, "done", False):
        return False
    line = generic_account_warning()
    if line is None:
        return False
    warn_if_generic.done = True  # type: ignore[attr-defined]
    print(f"⚠ {line}", file=stream or sys.stdout)
    return True


def scoped(name: str) -> str:
    """``name`` made unique to this learner: ``"<learner>.<name>"``."""
    prefix = learner_id() + SEPARATOR
    return name if name.startswith(prefix) else prefix + name


def split_scoped(scoped_name: str) -> tuple[str, str] | None:
    """The (learner, name) pair of a scoped name, or None for a name made elsewhere."""
    learner, sep, name = scoped_name.partition(SEPARATOR)
    return (learner, name) if sep and learner and name else None
