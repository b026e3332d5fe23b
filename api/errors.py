"""JSON error bodies that name the field and the reason, for every error the service returns.

Validation errors keep FastAPI's documented shape (`detail`: list of `loc`, `msg`, `type`) and add
`field` to each item and a one-line `message` that reads "field: reason; field: reason".
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, HTTPException, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

_logger = logging.getLogger(__name__)


def field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """`("body", "employees", 0, "contract")` -> `employees[0].contract`."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "form", "cookie"):
        parts = parts[1:]
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "request"


def readable_errors(errors: list[dict[str, Any]], prefix: tuple[Any, ...] = ()) -> list[dict]:
    """Pydantic error dicts with a `field` name added, ready for a JSON body."""
    items = []
    for error in errors:
        loc = (*prefix, *error.get("loc", ()))
        message = str(error.get("msg", "invalid value"))
        message = message.removeprefix("Value error, ")
        items.append(
            {
                "loc": list(loc),
                "msg": message,
                "type": error.get("type", "value_error"),
                "field": field_name(loc),
            }
        )
    return items


def unprocessable(field: str, reason: str) -> HTTPException:
    """A 422 error about one field, in the same shape as request validation errors."""
    loc = ["body", *field.split(".")] if field else ["body"]
    return HTTPException(
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        detail=[{"loc": loc, "msg": reason, "type": "value_error", "field": field}],
    )


def _validation_body(items: list[dict]) -> dict:
    message = "; ".join(f"{item['field']}: {item['msg']}" for item in items)
    return {"detail": items, "message": message}


async def _on_request_validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
    items = readable_errors(list(exc.errors()))
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        content=jsonable_encoder(_validation_body(items)),
    )


async def _on_model_validation(_request: Request, exc: ValidationError) -> JSONResponse:
    items = readable_errors(list(exc.errors()), prefix=("body",))
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        content=jsonable_encoder(_validation_body(items)),
    )


async def _on_http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    detail = exc.detail
    content: dict[str, Any] = {"detail": detail}
    if isinstance(detail, list):
        content = _validation_body(detail)
    return JSONResponse(status_code=exc.status_code, content=content, headers=exc.headers)


async def _on_unstorable_value(_request: Request, exc: DataError) -> JSONResponse:
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
    items = [
        {
            "loc": ["body"],
            "msg": f"a value cannot be stored: {reason}",
            "type": "value_error",
            "field": "request",
        }
    ]
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, content=_validation_body(items)
    )


async def _on_conflict(_request: Request, exc: IntegrityError) -> JSONResponse:
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
    return JSONResponse(
        status_code=status.HTTP_409_CONFLICT,
        content={"detail": f"the change conflicts with stored data: {reason}"},
    )


def install_error_handlers(app: FastAPI) -> None:
    """Make every error a JSON body that says what was wrong and where."""
    app.add_exception_handler(DataError, _on_unstorable_value)
    app.add_exception_handler(IntegrityError, _on_conflict)
    app.add_exception_handler(RequestValidationError, _on_request_validation)
    app.add_exception_handler(ValidationError, _on_model_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
