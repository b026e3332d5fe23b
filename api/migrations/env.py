"""Alembic's entry point for the service's migrations.

Uses the connection the service hands over (`config.attributes["connection"]`) or, run by hand,
the database URL from the service settings (`DATABASE_URL`).
"""

from __future__ import annotations

import logging

from alembic import context
from sqlalchemy import create_engine

from api.models import Base
from api.settings import Settings

_logger = logging.getLogger(__name__)


def run_migrations() -> None:
    """Apply the migrations on the given connection, or on a fresh one to the configured URL."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=Base.metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(Settings().resolved_database_url())
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=Base.metadata)
        with context.begin_transaction():
            context.run_migrations()


run_migrations()
