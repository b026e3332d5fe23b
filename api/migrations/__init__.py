"""Alembic migrations of the service database, shipped with the package.

The service applies them at start-up (see `api.db.upgrade_database`).
"""
