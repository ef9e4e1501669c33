"""Errors the rules raise; services and the API turn them into answers."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused something; the message says which and why."""

    code = "domain-error"

    @property
    def detail(self) -> str:
        return str(self)


class InvalidTransition(DomainError):
    code = "invalid-transition"

    def __init__(
        self,
        from_status: str,
        to_status: str,
        reason: str | None = None,
        *,
        subject: str = "an order",
    ) -> None:
        self.from_status = str(from_status)
        self.to_status = str(to_status)
        self.reason = reason
        self.subject = subject
        message = f"{subject} cannot move from {self.from_status} to {self.to_status}"
        super().__init__(f"{message}: {reason}" if reason else message)


class NotCancellable(InvalidTransition):
    code = "not-cancellable"


class Refused(DomainError):
    """A named rule said no. ``rule`` is the rule's stable slug (the API writes it as
    the problem document's ``reason``); the message is the sentence people read."""

    code = "refused"

    def __init__(self, rule: str, message: str) -> None:
        self.rule = str(rule)
        super().__init__(message)


class NotReturnable(Refused):
    code = "not-returnable"


class RefundExceedsPaid(Refused):
    code = "refund-exceeds-paid"


class CancellationRefused(NotCancellable):
    """``NotCancellable`` from a named cancellation rule; ``rule`` as in ``Refused``."""

    def __init__(self, from_status: str, rule: str, message: str) -> None:
        super().__init__(from_status, "cancelled", message)
        self.rule = str(rule)


class NotReviewable(Refused):
    """A review the rules refuse. The rule is the whole story here (not delivered yet,
    or reviewed already), so the problem ``type`` is the rule's slug as well."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(rule, message)
        self.code = self.rule
