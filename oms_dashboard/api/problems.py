"""RFC 9457 problem documents: every error the API answers has this shape.

Each kind of failure maps to one ``type`` under ``PROBLEM_BASE``; the
handlers here are registered on the app by ``create_app``.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from oms_dashboard.domain.errors import DomainError, InvalidTransition
from oms_dashboard.services.errors import ServiceError
from oms_dashboard.services.unit_of_work import Collided, collision

PROBLEM_BASE = "https://oms.example/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("oms_dashboard.api")

# Where FastAPI says a value came from; the client only needs the field path.
_LOCATION_ROOTS = {"body", "query", "path", "header", "cookie"}
_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a field this endpoint accepts",
    "model_attributes_type": "must be a JSON object",
    "dict_type": "must be a JSON object",
}


class FieldError(BaseModel):
    field: str = Field(examples=["shipping_address.postal_code"])
    message: str = Field(examples=["is required"])


class Problem(BaseModel):
    """An RFC 9457 problem document (``application/problem+json``)."""

    type: str = Field(examples=[PROBLEM_BASE + "not-found"])
    title: str = Field(examples=["Not found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["no order 'ord_123'"])


class ValidationProblem(Problem):
    errors: list[FieldError]


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


def problem(
    status: int,
    name: str,
    detail: str,
    *,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> ProblemResponse:
    body = {
        "type": PROBLEM_BASE + name,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extra,
    }
    if status == 401:
        headers = {"WWW-Authenticate": "Bearer", **(headers or {})}
    return ProblemResponse(body, status_code=status, headers=headers)


def problem_doc(description: str, *, validation: bool = False) -> dict[str, Any]:
    """An OpenAPI ``responses`` entry for a problem answer."""
    model = "ValidationProblem" if validation else "Problem"
    return {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": f"#/components/schemas/{model}"}}},
    }


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The documented error answers of a route, by status."""
    described = {
        400: "Bad request",
        401: "Missing, bad or expired bearer token",
        403: "The caller's role or seller does not allow this",
        404: "Not found (or not visible to the caller)",
        409: "Conflicts with the current state",
        422: "Invalid input; `errors` names each field",
    }
    return {s: problem_doc(described[s], validation=s == 422) for s in statuses}


def service_error(_request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, ServiceError)
    headers = {"Retry-After": "1"} if isinstance(exc, Collided) else None
    return problem(exc.status, exc.type, exc.detail, title=exc.title, headers=headers, **exc.extra)


def transition_error(_request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, InvalidTransition)
    return problem(
        409,
        exc.code,
        str(exc),
        title="Invalid status change",
        from_status=exc.from_status,
        to_status=exc.to_status,
        **_rule(exc),
    )


def domain_error(_request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, DomainError)
    extra = {**getattr(exc, "fields", {}), **_rule(exc)}  # e.g. the sku a refusal names
    return problem(409, exc.code, str(exc), title="Refused by a business rule", **extra)


def _rule(exc: DomainError) -> dict[str, str]:
    """A refusal by a named rule names it: the problem's ``reason`` is the rule's slug."""
    rule = getattr(exc, "rule", None)
    return {"reason": rule} if rule else {}


def validation_error(_request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [_field_error(error) for error in exc.errors()]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(422, "validation-error", detail, title="Invalid input", errors=errors)


def _field_error(error: dict[str, Any]) -> dict[str, str]:
    loc = list(error.get("loc", ()))
    if error.get("type") == "json_invalid":
        reason = (error.get("ctx") or {}).get("error", "invalid JSON")
        return {"field": "body", "message": f"is not valid JSON ({reason} at position {loc[-1]})"}
    if loc and loc[0] in _LOCATION_ROOTS:
        loc = loc[1:]
    field = ".".join(str(part) for part in loc) or "body"
    message = _MESSAGES.get(error.get("type", ""), error.get("msg", "is invalid"))
    return {"field": field, "message": message.removeprefix("Value error, ")}


# FastAPI's answer when the body cannot be decoded at all (bad UTF-8, a number
# with thousands of digits): for the client it is malformed JSON like any other.
_UNREADABLE_BODY = "There was an error parsing the body"


def http_error(_request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.detail == _UNREADABLE_BODY:
        message = "is not valid JSON (not UTF-8, or a value JSON parsers refuse)"
        return problem(
            422,
            "validation-error",
            f"body: {message}",
            title="Invalid input",
            errors=[{"field": "body", "message": message}],
        )
    phrase = HTTPStatus(exc.status_code).phrase
    name = phrase.lower().replace(" ", "-")
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else phrase
    return problem(exc.status_code, name, detail, title=phrase, headers=exc.headers)


def integrity_error(_request: Request, exc: Exception) -> ProblemResponse:
    # Two requests raced past a service's "already exists?" check: the database's
    # unique constraint decided, and the loser is told so rather than given a 500.
    log.info("integrity error answered as 409: %s", exc)
    return problem(409, "conflict", "the change conflicts with data saved meanwhile; retry")


def data_error(_request: Request, exc: Exception) -> ProblemResponse:
    log.warning("database refused a value: %s", exc)
    return problem(
        422,
        "validation-error",
        "a value is too long or not allowed",
        title="Invalid input",
        errors=[{"field": "body", "message": "a value is too long or not allowed"}],
    )


def database_unavailable(_request: Request, exc: Exception) -> ProblemResponse:
    why = collision(exc)
    if why is not None:  # the database answered: two changes collided, nothing was saved
        log.warning("transaction collided (%s): %s", why, exc)
        return problem(
            503,
            "retry-later",
            f"the change collided with another one ({why}) and was not saved; retry",
            title="Busy, try again",
            headers={"Retry-After": "1"},
        )
    log.error("database unavailable: %s", exc)
    return problem(
        503,
        "service-unavailable",
        "the database is not answering; retry shortly",
        headers={"Retry-After": "5"},
    )


HANDLERS: dict[type[Exception], Any] = {
    ServiceError: service_error,
    InvalidTransition: transition_error,
    DomainError: domain_error,
    RequestValidationError: validation_error,
    StarletteHTTPException: http_error,
    sa_exc.IntegrityError: integrity_error,
    sa_exc.DataError: data_error,
    sa_exc.OperationalError: database_unavailable,
}
