"""Migration scripts, one per schema change, applied in order by Alembic.

Each file names the change it makes; never edit one that has been released.
"""
