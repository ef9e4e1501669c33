"""The customer-service lifecycles, pair by pair: each allowed move passes, every
other one is refused naming what refused and both ends."""

from __future__ import annotations

import itertools

import pytest

from oms_dashboard.domain.cancellation import CANCELLATION_REQUEST, RequestStatus
from oms_dashboard.domain.disputes import DISPUTE, DisputeStatus
from oms_dashboard.domain.errors import InvalidTransition
from oms_dashboard.domain.refunds import DONE, ON_ITS_WAY, REFUND, RefundStatus
from oms_dashboard.domain.returns import RETURN, ReturnStatus
from oms_dashboard.domain.tickets import TICKET, TicketStatus

Q, F, R, T, D = RequestStatus, RefundStatus, ReturnStatus, TicketStatus, DisputeStatus

ALLOWED = {
    CANCELLATION_REQUEST: {
        (Q.PENDING, Q.APPROVED),
        (Q.PENDING, Q.REJECTED),
        (Q.PENDING, Q.ESCALATED),
        (Q.PENDING, Q.WITHDRAWN),
        (Q.ESCALATED, Q.APPROVED),
        (Q.ESCALATED, Q.REJECTED),
        (Q.ESCALATED, Q.WITHDRAWN),
    },
    REFUND: {
        (F.PENDING_REVIEW, F.APPROVED),
        (F.PENDING_REVIEW, F.REJECTED),
        (F.APPROVED, F.PAID),
        (F.APPROVED, F.FAILED),
        (F.FAILED, F.APPROVED),
    },
    RETURN: {
        (R.REQUESTED, R.APPROVED),
        (R.REQUESTED, R.REJECTED),
        (R.REQUESTED, R.CLOSED),
        (R.APPROVED, R.LABEL_CREATED),
        (R.APPROVED, R.REFUND_DUE),
        (R.APPROVED, R.REFUNDED),
        (R.APPROVED, R.EXCHANGE_SHIPPED),
        (R.APPROVED, R.CLOSED),
        (R.LABEL_CREATED, R.IN_TRANSIT),
        (R.LABEL_CREATED, R.RECEIVED),
        (R.LABEL_CREATED, R.CLOSED),
        (R.IN_TRANSIT, R.RECEIVED),
        (R.RECEIVED, R.INSPECTED),
        (R.INSPECTED, R.REFUND_DUE),
        (R.INSPECTED, R.REFUNDED),
        (R.INSPECTED, R.EXCHANGE_SHIPPED),
        (R.INSPECTED, R.CLOSED),
        (R.REFUND_DUE, R.REFUNDED),
        (R.REFUND_DUE, R.CLOSED),
        (R.REFUNDED, R.CLOSED),
        (R.EXCHANGE_SHIPPED, R.CLOSED),
    },
    TICKET: {
        *(
            (a, b)
            for a in (T.OPEN, T.WAITING_ON_SELLER, T.WAITING_ON_CUSTOMER)
            for b in T
            if a != b
        ),
        (T.ESCALATED, T.RESOLVED),
        (T.RESOLVED, T.OPEN),
    },
    DISPUTE: {(D.OPEN, D.RESOLVED), (D.OPEN, D.WITHDRAWN)},
}
PAIRS = [
    pytest.param(lifecycle, current, target, id=f"{lifecycle.subject}:{current}->{target}")
    for lifecycle in ALLOWED
    for current, target in itertools.product(lifecycle.states, lifecycle.states)
]


@pytest.mark.parametrize("lifecycle,current,target", PAIRS)
def test_each_move_is_allowed_or_refused_by_the_table(lifecycle, current, target):
    if (current, target) in ALLOWED[lifecycle]:
        assert lifecycle.check(current, target) is target
        return
    with pytest.raises(InvalidTransition) as refused:
        lifecycle.check(current, target)
    assert (refused.value.from_status, refused.value.to_status) == (current, target)
    assert str(refused.value).startswith(f"{lifecycle.subject} cannot move from {current}")


@pytest.mark.parametrize("lifecycle", list(ALLOWED), ids=lambda lc: lc.subject)
def test_an_unknown_state_is_refused_by_name(lifecycle):
    with pytest.raises(InvalidTransition, match="unknown"):
        lifecycle.check("teleported", next(iter(lifecycle.states)))


def test_every_refund_state_either_counts_against_paid_or_is_done():
    assert set(F) == ON_ITS_WAY | DONE
    assert not ON_ITS_WAY & DONE
    for status in ON_ITS_WAY:  # still on its way: some move is left
        assert REFUND.moves[status]
    for status in DONE:
        assert not REFUND.moves[status]
