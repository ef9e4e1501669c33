"""PostgreSQL cuts the app's connections in the middle of a checkout burst: the
requests caught answer 503 with Retry-After, nothing is half-written, a retry with
the same Idempotency-Key settles each one, and the app goes on without a restart."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import sqlalchemy as sa

from oms_dashboard.models import Inventory
from tests.factories import make_product, make_seller, make_user
from tests.integration.api_helpers import login
from tests.integration.live_server import LiveServer
from tests.integration.test_checkout import ADDRESS


def test_connections_cut_mid_burst_lose_nothing(engine, session, cuttable):
    seller = make_seller(session)
    lamp = make_product(session, seller, on_hand=500)
    app = cuttable.engine
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=60) as http:
        tokens = [login(http, make_user(session, "customer")) for _ in range(8)]

        def check_out(n: int, key: str) -> httpx.Response:
            return http.post(
                "/api/v1/checkouts",
                json={"lines": [{"sku": lamp.sku, "quantity": 1}], "shipping_address": ADDRESS},
                headers={**tokens[n % len(tokens)], "Idempotency-Key": key},
            )

        keys = {n: uuid.uuid4().hex for n in range(120)}
        refused: dict[int, httpx.Response] = {}
        for wave in range(3):  # twice at least, the standard: the second burst must cope too
            stop = threading.Event()

            def cutter(stop: threading.Event) -> None:
                for _ in range(3):  # a few cuts while the burst is in flight
                    if stop.wait(0.15):
                        return
                    cuttable.cut(via=engine)

            killer = threading.Thread(target=cutter, args=(stop,))
            batch = range(wave * 40, wave * 40 + 40)
            killer.start()
            try:
                with ThreadPoolExecutor(max_workers=8) as pool:
                    answers = list(pool.map(lambda n: (n, check_out(n, keys[n])), batch))
            finally:
                stop.set()
                killer.join()
            for n, response in answers:
                assert response.status_code in (201, 503), response.text
                if response.status_code == 503:
                    assert response.headers["retry-after"]
                    assert response.headers["content-type"] == "application/problem+json"
                    refused[n] = response
        assert refused, "no request was caught by the cut: the test proved nothing"
        assert len(refused) < len(keys), "every request failed: nothing went on meanwhile"
        print(f"{len(refused)} of {len(keys)} checkouts caught by a cut connection")

        # The caught ones, again with their own keys: each settles exactly once.
        for n in refused:
            again = check_out(n, keys[n])
            assert again.status_code == 201, again.text
        # And the app goes on: a new checkout, no restart.
        assert check_out(0, uuid.uuid4().hex).status_code == 201
        assert http.get("/api/v1/health").status_code == 200

    with engine.connect() as conn:
        checkouts = conn.execute(sa.text("SELECT count(*) FROM checkouts")).scalar_one()
        hollow = conn.execute(
            sa.text(
                "SELECT count(*) FROM checkouts c WHERE NOT EXISTS "
                "(SELECT 1 FROM orders o JOIN order_lines l ON l.order_id = o.id "
                " WHERE o.checkout_id = c.id)"
            )
        ).scalar_one()
        held = conn.execute(sa.text("SELECT coalesce(sum(quantity), 0) FROM order_lines"))
        held = held.scalar_one()
        reserved = conn.execute(
            sa.select(Inventory.reserved).where(Inventory.sku == lamp.sku)
        ).scalar_one()
    assert checkouts == len(keys) + 1  # one per key, none twice, none lost
    assert hollow == 0
    assert reserved == held == checkouts
