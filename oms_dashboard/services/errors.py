"""Errors a use case reports; the API maps each to one problem type and status."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    status = 400
    type = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class AuthenticationFailed(ServiceError):
    status, type, title = 401, "unauthorized", "Not signed in"


class Forbidden(ServiceError):
    status, type, title = 403, "forbidden", "Not allowed"


class NotFound(ServiceError):
    status, type, title = 404, "not-found", "Not found"


class Conflict(ServiceError):
    status, type, title = 409, "conflict", "Conflict"

    def __init__(self, detail: str, *, type: str = "conflict", **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.type = type


class ValidationFailed(ServiceError):
    """Bad input: ``errors`` names each field and what is expected of it."""

    status, type, title = 422, "validation-error", "Invalid input"

    def __init__(self, errors: list[dict[str, str]]) -> None:
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        super().__init__(detail, errors=errors)
        self.errors = errors

    @classmethod
    def one(cls, field: str, message: str) -> ValidationFailed:
        return cls([{"field": field, "message": message}])
