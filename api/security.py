"""Passwords and access tokens: pwdlib (Argon2) hashes, and signed JWT bearer tokens.

A token carries the user's id and role and expires after `Settings.token_minutes`.
"""

from __future__ import annotations

import datetime as dt
import logging

import jwt
from pwdlib import PasswordHash

_logger = logging.getLogger(__name__)

_password_hash = PasswordHash.recommended()
_ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    """The stored form of a password (Argon2id with a random salt)."""
    return _password_hash.hash(password)


def verify_password(password: str, stored_hash: str) -> bool:
    """Whether `password` matches the stored hash."""
    try:
        return _password_hash.verify(password, stored_hash)
    except Exception:  # a malformed stored hash never logs anyone in
        _logger.warning("a stored password hash could not be read")
        return False


def create_access_token(user_id: int, role: str, secret: str, minutes: int) -> str:
    """A signed bearer token for the user, valid for `minutes`."""
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes)
    claims = {"sub": str(user_id), "role": role, "exp": expires}
    return jwt.encode(claims, secret, algorithm=_ALGORITHM)


def read_access_token(token: str, secret: str) -> int | None:
    """The user id in a valid token, or None when it is forged, malformed or expired."""
    try:
        claims = jwt.decode(token, secret, algorithms=[_ALGORITHM])
        return int(claims["sub"])
    except (jwt.PyJWTError, KeyError, ValueError):
        return None
