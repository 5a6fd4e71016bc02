"""Command line: ``temporal-notebooks`` (or ``python -m temporal_notebooks``) with
``server start|status|stop`` (your own local dev server), ``smoke`` (the pre-class smoke test) and
``class-server start|status|stop`` (a workshop's shared server)."""

from __future__ import annotations

import argparse

from .classroom.class_server import DEFAULT_UI_PUBLIC_PATH, ClassServerOptions
from .runtime import devserver
from .runtime.connection import server_info
from .runtime.exits import run_command


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
    parser = argparse.ArgumentParser(prog="temporal-notebooks", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    server = commands.add_parser("server", help="manage this user's local Temporal dev server")
    server.add_argument("action", choices=["start", "status", "stop"])
    smoke = commands.add_parser(
        "smoke", help="before class: run each lesson's main workflow once against the configured server"
    )
    smoke.add_argument("lessons", nargs="*", help="lesson numbers to check (default: all)")
    _add_class_server(commands)
    args = parser.parse_args(argv)
    if args.command == "server":
        return _server(args.action)
    if args.command == "smoke":
        from .classroom import smoke_main

        return smoke_main(args.lessons)
    if args.command == "class-server":
        from .classroom import class_server

        return class_server.main(args.action, _class_server_options(args))
    return 2


def _add_class_server(commands: argparse._SubParsersAction) -> None:
    defaults = ClassServerOptions()
    parser = commands.add_parser(
        "class-server",
        help="a workshop's shared Temporal dev server, with the settings the lessons are tuned for",
        description="Start, check or stop the class's shared dev server (detached). `start` prints "
        "the lines to paste into jupyterhub_config.py.",
    )
    parser.add_argument("action", choices=["start", "status", "stop"])
    parser.add_argument(
        "--listen", default=defaults.listen, help="address to listen on (0.0.0.0: every interface)"
    )
    parser.add_argument(
        "--port", type=int, default=defaults.port, help="gRPC port (learners' TEMPORAL_ADDRESS)"
    )
    parser.add_argument("--ui-port", type=int, default=defaults.ui_port, help="Web UI port")
    parser.add_argument("--namespace", default=defaults.namespace, help="the class's namespace (created)")
    parser.add_argument(
        "--ui-public-path",
        default=DEFAULT_UI_PUBLIC_PATH,
        help='path the Web UI is served under: the hub\'s service path ("/": at the root of its port)',
    )
    parser.add_argument(
        "--advertise",
        default="",
        help="host name learners' servers reach it by (default: the --listen address; for 0.0.0.0 this "
        "machine's name)",
    )
    parser.add_argument("--state-dir", default="", help="where its database, log and record live")
    parser.add_argument(
        "--metrics-port",
        type=int,
        default=defaults.metrics_port,
        help="port of the server's Prometheus /metrics (default: a free port, printed)",
    )
    parser.add_argument(
        "--dynamic-config-value",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a Temporal dynamic config setting (VALUE is JSON), over the class defaults; repeatable",
    )
    parser.add_argument(
        "--sqlite-pragma",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an SQLite pragma for the server's database, over the lessons' own; repeatable",
    )


def _class_server_options(args: argparse.Namespace) -> ClassServerOptions:

    return ClassServerOptions(
        listen=args.listen,
        port=args.port,
        ui_port=args.ui_port,
        namespace=args.namespace,
        ui_public_path=args.ui_public_path,
        advertise=args.advertise,
        state_dir=args.state_dir,
        metrics_port=args.metrics_port,
        dynamic_config=tuple(args.dynamic_config_value),
        sqlite_pragmas=tuple(args.sqlite_pragma),
    )


def console_main() -> None:
    """The ``temporal-notebooks`` console script: ``main`` with a clean exit (see runtime/exits.py)."""
    run_command(main)


if __name__ == "__main__":
    console_main()
