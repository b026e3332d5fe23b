"""`shiftopt serve`: run the service (and, with --demo, seed and serve the demo company).

Every flag can also be set by environment (SHIFTOPT_HOST, SHIFTOPT_PORT, DATABASE_URL,
SHIFTOPT_WORKERS, SHIFTOPT_DEMO); flags win.
"""

from __future__ import annotations

import argparse
import logging
import socket

_logger = logging.getLogger(__name__)


def register(subcommands: argparse._SubParsersAction) -> None:
    """Add the `serve` sub-command."""
    parser = subcommands.add_parser(
        "serve",
        help="run the shiftopt web service (API and docs at /docs)",
        description="Run the shiftopt service. Without --database-url it keeps its data in "
        "SQLite under the user's data directory.",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        default=None,
        help="seed a demo company (about 200 employees in 4 departments) into a demo database "
        "and print the demo log-ins (env SHIFTOPT_DEMO)",
    )
    parser.add_argument("--host", help="interface to listen on (env SHIFTOPT_HOST; 127.0.0.1)")
    parser.add_argument("--port", type=int, help="TCP port (env SHIFTOPT_PORT; default 8000)")
    parser.add_argument(
        "--database-url",
        help="SQLAlchemy database URL, e.g. postgresql://user@host/db (env DATABASE_URL; "
        "default: SQLite in the user data directory)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        help="solve jobs that run at the same time, each in its own process "
        "(env SHIFTOPT_WORKERS; default 1)",
    )
    parser.set_defaults(handler=run_serve)


def settings_from(args: argparse.Namespace):
    """Service settings: environment first, then the flags that were given."""
    from api.settings import Settings

    overrides = {
        name: value
        for name, value in (
            ("demo", args.demo),
            ("host", args.host),
            ("port", args.port),
            ("database_url", args.database_url),
            ("workers", args.workers),
        )
        if value is not None
    }
    return Settings(**overrides)


def check_port_free(host: str, port: int) -> None:
    """Fail before touching the database when another service already listens on the port
    (a second instance would otherwise take over the first one's solve jobs)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ValueError(
                f"--port: {host}:{port} is in use ({exc.strerror}); is shiftopt already running? "
                "Stop it or choose another port"
            ) from None


def run_serve(args: argparse.Namespace) -> int:
    """Migrate the database, seed the demo if asked, print where to go, and serve."""
    import uvicorn

    from api.db import open_database
    from api.demo import seed_demo
    from api.main import create_app

    settings = settings_from(args)
    check_port_free(settings.host, settings.port)
    url = settings.resolved_database_url()
    engine, factory = open_database(url)
    logins = []
    if settings.demo:
        logins = seed_demo(
            factory, hr_user=settings.admin_user, hr_password=settings.admin_password
        )
        if not settings.admin_user:
            settings.admin_user, settings.admin_password = logins[0].username, logins[0].password
    engine.dispose()
    shown_host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    base = f"http://{shown_host}:{settings.port}"
    print(f"shiftopt is starting on {base}  (API docs: {base}/docs)")
    print(f"database: {engine.url.render_as_string(hide_password=True)}")
    if logins:
        print("demo log-ins (POST /api/v1/auth/token, or 'Authorize' in the docs):")
        for login in logins:
            print(f"  {login.role:<9} {login.username:<32} {login.password:<14} {login.note}")
    print("stop with Ctrl-C", flush=True)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
    )
    return 0
