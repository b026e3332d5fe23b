"""`shiftopt serve`: every flag has help, and flags win over the environment."""

from __future__ import annotations

from api.cli import build_parser
from api.serve_cli import settings_from


def test_serve_flags_override_the_environment(monkeypatch, tmp_path):
    """--port and --database-url beat SHIFTOPT_PORT and DATABASE_URL; unset flags keep env."""
    monkeypatch.setenv("SHIFTOPT_PORT", "9000")
    monkeypatch.setenv("SHIFTOPT_WORKERS", "3")
    monkeypatch.setenv("DATABASE_URL", "postgresql://env-host/db")
    monkeypatch.setenv("SHIFTOPT_DATA_DIR", str(tmp_path))
    args = build_parser().parse_args(
        ["serve", "--port", "8123", "--database-url", f"sqlite:///{tmp_path}/x.sqlite3"]
    )
    settings = settings_from(args)
    assert settings.port == 8123
    assert settings.workers == 3
    assert settings.resolved_database_url() == f"sqlite:///{tmp_path}/x.sqlite3"
    assert settings.demo is False


def test_demo_uses_its_own_sqlite_file(monkeypatch, tmp_path):
    """--demo without a database URL serves demo.sqlite3 from the data directory."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SHIFTOPT_DATABASE_URL", raising=False)
    monkeypatch.setenv("SHIFTOPT_DATA_DIR", str(tmp_path))
    settings = settings_from(build_parser().parse_args(["serve", "--demo"]))
    assert settings.resolved_database_url() == f"sqlite:///{tmp_path / 'demo.sqlite3'}"


def test_every_serve_flag_has_help():
    """Each option of `shiftopt serve` explains itself."""
    parser = build_parser()
    serve = parser._subparsers._group_actions[0].choices["serve"]
    for action in serve._actions:
        assert action.help, action.option_strings
