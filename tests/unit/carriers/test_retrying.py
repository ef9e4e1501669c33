"""Carrier calls are tried again when that is safe: reads after any passing failure,
label purchases only when the request never left."""

from __future__ import annotations

import httpx
import pytest

from oms_dashboard.carriers.adapter import Retrying, retry_after


class Script(httpx.BaseTransport):
    """Answers each request with the next item: an exception raised or a status code."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.seen: list[str] = []

    def handle_request(self, request):
        self.seen.append(f"{request.method} {request.url.path}")
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(answer, headers={"Retry-After": "2"} if answer == 429 else {})


def client(script: Script, pauses: list[float]) -> httpx.Client:
    transport = Retrying(script, writes=["/ship/"], pauses=(0.2, 0.8), sleep=pauses.append)
    return httpx.Client(base_url="http://carrier.test", transport=transport)


def refused(request=None):
    return httpx.ConnectError("connection refused")


READ, LABEL = ("POST", "/track/v1/numbers"), ("POST", "/ship/v1/shipments")


@pytest.mark.parametrize(
    "call,answers,final,tries",
    [
        pytest.param(READ, [503, 503, 200], 200, 3, id="read-5xx-then-ok"),
        pytest.param(READ, [503, 503, 503], 503, 3, id="read-gives-up-after-three"),
        pytest.param(READ, [httpx.ReadTimeout("slow"), 200], 200, 2, id="read-timeout"),
        pytest.param(READ, [404], 404, 1, id="read-refusal-not-repeated"),
        pytest.param(LABEL, [refused(), 201], 201, 2, id="label-never-sent-is-repeated"),
        pytest.param(LABEL, [503], 503, 1, id="label-5xx-not-repeated"),
        pytest.param(("GET", "/ship/v1/x"), [502, 200], 200, 2, id="get-always-repeatable"),
    ],
)
def test_what_is_tried_again(call, answers, final, tries):
    script, pauses = Script(*answers), []
    with client(script, pauses) as http:
        assert http.request(*call).status_code == final
    assert len(script.seen) == tries
    assert len(pauses) == tries - 1


def test_a_label_that_timed_out_is_not_bought_twice():
    script, pauses = Script(httpx.ReadTimeout("slow"), 201), []
    with client(script, pauses) as http, pytest.raises(httpx.ReadTimeout):
        http.request(*LABEL)
    assert script.seen == ["POST /ship/v1/shipments"] and pauses == []


def test_pauses_grow_and_honour_retry_after():
    script, pauses = Script(503, 429, 200), []
    with client(script, pauses) as http:
        http.request(*READ)
    assert 0.2 <= pauses[0] <= 0.25  # the first pause, with up to 25 % jitter
    assert 2.0 <= pauses[1] <= 2.5  # the carrier asked for 2 s: longer than 0.8


@pytest.mark.parametrize(
    "header,seconds",
    [("", 0.0), ("3", 3.0), ("600", 5.0), ("-1", 0.0), ("soon", 0.0)],
)
def test_retry_after_is_read_and_capped(header, seconds):
    response = httpx.Response(503, headers={"Retry-After": header} if header else {})
    assert retry_after(response) == seconds
