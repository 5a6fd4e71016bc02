"""Command line: ``python -m temporal_notebooks server start|status|stop`` and ``... smoke``."""

from __future__ import annotations

import argparse
import sys

from .runtime import devserver
from .runtime.connection import server_info


def _server(action: str) -> int:
    if action == "start":
        info = server_info()
        print(info.describe())
        return 0
    if action == "stop":
        print("Stopped the local dev server." if devserver.stop() else "No local dev server runs.")
        return 0
    record = devserver.status()
    if record is None:
        print(f"No local dev server runs (state in {devserver.state_dir()}).")
        return 1
    print(
        f"Local dev server running: pid {record.pid}, {record.address}, "
        f"Web UI {devserver.browser_ui_link(record)}, log {record.log_file}"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m temporal_notebooks", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    server = commands.add_parser("server", help="manage this user's local Temporal dev server")
    server.add_argument("action", choices=["start", "status", "stop"])
    smoke = commands.add_parser(
        "smoke", help="before class: run each lesson's main workflow once against the configured server"
    )
    smoke.add_argument("lessons", nargs="*", help="lesson numbers to check (default: all)")
    args = parser.parse_args(argv)
    if args.command == "server":
        return _server(args.action)
    if args.command == "smoke":
        from .classroom import smoke_main

        return smoke_main(args.lessons)
    return 2


if __name__ == "__main__":
    sys.exit(main())
