"""Every refusal of the API as one JSON shape a person can act on:
`{"error": code, "message": what to do, "fields": {field: what to enter}}`."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from bot.services.errors import Conflict, DomainError, InvalidInput, NotAllowed, NotFound


class ErrorBody(BaseModel):
    error: str = Field(description="A stable code: unauthorized, forbidden, not_found, ...")
    message: str = Field(description="What went wrong and what to do, for a person")
    fields: dict[str, str] = Field(
        default_factory=dict, description="For invalid_input: each field at fault, and why"
    )


CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    422: "invalid_input",
}

#: Documented on every endpoint, so a client (and the OpenAPI spec) knows each shape.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": code.replace("_", " ")}
    for status, code in CODES.items()
    if status not in (400, 405)
}


class ApiError(HTTPException):
    """A refusal raised by the API layer itself (auth, scopes)."""

    def __init__(self, status: int, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(status, message)
        self.fields = fields or {}


def body(status: int, message: str, fields: dict[str, str] | None = None) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    content = ErrorBody(error=CODES.get(status, "error"), message=message, fields=fields or {})
    return JSONResponse(content.model_dump(), status_code=status, headers=headers)


def status_of(exc: DomainError) -> int:
    """The HTTP status of a domain refusal."""
    if isinstance(exc, InvalidInput):
        return 422
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, NotAllowed):
        return 403
    if isinstance(exc, Conflict):
        return 409
    return 422


def install(web: FastAPI) -> None:
    """Answer every error as an ErrorBody."""

    @web.exception_handler(DomainError)
    async def domain(_request: Request, exc: DomainError) -> JSONResponse:
        fields = exc.errors if isinstance(exc, InvalidInput) else None
        return body(status_of(exc), str(exc), fields)

    @web.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        fields: dict[str, str] = {}
        for problem in exc.errors():
            where = [str(part) for part in problem.get("loc", ()) if part not in ("body",)]
            name = ".".join(where[1:] if where[:1] in (["query"], ["path"]) else where)
            fields.setdefault(name or "body", _plain(problem))
        listed = "; ".join(f"{name}: {why}" for name, why in fields.items())
        return body(422, f"Some input is not right. {listed}", fields)

    @web.exception_handler(HTTPException)
    async def http(_request: Request, exc: HTTPException) -> JSONResponse:
        fields = exc.fields if isinstance(exc, ApiError) else None
        message = str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = "There is nothing at this address. The endpoints are listed at /api/docs."
        if exc.status_code == 405:
            message = "This address doesn't take that method; see /api/docs for what it takes."
        return body(exc.status_code, message, fields)


def _plain(problem: dict[str, Any]) -> str:
    kind = str(problem.get("type", ""))
    if kind == "extra_forbidden":
        return "unknown field: remove it (see /api/docs for the fields this takes)"
    if kind == "json_invalid":
        return "the body is not valid JSON"
    if kind == "missing":
        return "required"
    return str(problem.get("msg", "invalid"))
