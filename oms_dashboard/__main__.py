"""Command line: ``python -m oms_dashboard <command>``.

migrate · seed-demo · create-user · worker · cron · simulate · run · audit verify
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from oms_dashboard.settings import ROOT


def migrate(_: argparse.Namespace) -> int:
    from oms_dashboard.migrations import upgrade_to_head

    upgrade_to_head()
    print("database is at the latest schema")
    return 0


def seed_demo(args: argparse.Namespace) -> int:
    from oms_dashboard.db import session_scope
    from oms_dashboard.demo.seed import database_is_empty, seed_demo

    with session_scope() as session:
        if args.if_empty and not database_is_empty(session):
            print("database already has data; demo data not loaded")
            return 0
        counts = seed_demo(session)
    print("demo data loaded: " + ", ".join(f"{n} {table}" for table, n in counts.items()))
    return 0


def create_user(args: argparse.Namespace) -> int:
    from oms_dashboard.bootstrap import current
    from oms_dashboard.services.actor import SYSTEM
    from oms_dashboard.services.auth import create_user
    from oms_dashboard.services.errors import ServiceError

    try:
        user = create_user(
            current().engine,
            actor=SYSTEM,
            email=args.email,
            password=args.password,
            name=args.name or args.email.split("@")[0],
            role=args.role,
            seller_id=args.seller_id,
        )
    except ServiceError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 1
    print(f"created {user.role} {user.email} ({user.id})")
    return 0


def worker(args: argparse.Namespace) -> int:
    from oms_dashboard.bootstrap import bootstrap
    from oms_dashboard.jobs.connection import QUEUES, get_redis
    from oms_dashboard.jobs.worker import run_worker

    _announce(bootstrap("worker"))
    run_worker(args.queues or QUEUES, get_redis())
    return 0


def cron(_: argparse.Namespace) -> int:
    from oms_dashboard.bootstrap import bootstrap
    from oms_dashboard.jobs.connection import get_redis
    from oms_dashboard.jobs.schedule import run_scheduler

    _announce(bootstrap("cron"))
    run_scheduler(get_redis())
    return 0


def _announce(wiring) -> None:
    """One line at start saying how the process is wired (read by people and tests)."""
    print("wired " + json.dumps(wiring.describe()), flush=True)


def show_wiring(_: argparse.Namespace) -> int:
    from oms_dashboard.bootstrap import current

    _announce(current())
    return 0


def webhook_secret(_: argparse.Namespace) -> int:
    """The secret that signs payment events here, for a local walk-through."""
    from oms_dashboard.settings import get_settings

    settings = get_settings()
    if settings.env == "production":
        print("error: in production the secret is OMS_PAYMENT_WEBHOOK_SECRET", file=sys.stderr)
        return 1
    print(settings.payment_webhook_secret)
    return 0


def simulate(args: argparse.Namespace) -> int:
    import logging

    from oms_dashboard.demo.simulate import Simulator, wait_for_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    wait_for_app(args.url)
    Simulator(args.url, seed=args.seed).run(interval=args.interval, count=args.count)
    return 0


def audit_verify(args: argparse.Namespace) -> int:
    """Walk the audit chain (every row; only those after the checkpoint with
    ``--since-checkpoint``); non-zero and the first broken row when it is broken.
    An intact check moves the checkpoint on."""
    from sqlmodel import Session

    from oms_dashboard.bootstrap import current
    from oms_dashboard.services.audit import check_chain

    with Session(current().engine) as session:
        check = check_chain(session, full=not args.since_checkpoint)
        session.commit()
    print(check.report.describe() + ("" if check.full else f" since seq {check.from_seq}"))
    if check.left:
        print(f"{check.left} newer rows left for the next check")
    return 0 if check.report.intact else 1


def run(args: argparse.Namespace) -> int:
    from oms_dashboard.launcher import run_everything

    return run_everything(port=args.port)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m oms_dashboard", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="upgrade the database to the latest schema").set_defaults(
        func=migrate
    )
    seed = commands.add_parser("seed-demo", help="load the demo sellers, products and orders")
    seed.add_argument("--if-empty", action="store_true", help="only when the database is empty")
    seed.set_defaults(func=seed_demo)
    user = commands.add_parser("create-user", help="create an account")
    user.add_argument("--email", required=True)
    user.add_argument("--password", required=True)
    user.add_argument("--role", required=True, choices=["admin", "support", "seller", "customer"])
    user.add_argument("--seller-id")
    user.add_argument("--name")
    user.set_defaults(func=create_user)
    work = commands.add_parser("worker", help="run an RQ worker")
    work.add_argument("queues", nargs="*", help="queues to serve (default: all)")
    work.set_defaults(func=worker)
    commands.add_parser("cron", help="run the periodic-job scheduler").set_defaults(func=cron)
    commands.add_parser(
        "wiring", help="say how this process is wired (outbox handlers, provider)"
    ).set_defaults(func=show_wiring)
    commands.add_parser(
        "webhook-secret", help="print the payment-event signing secret (not in production)"
    ).set_defaults(func=webhook_secret)
    sim = commands.add_parser("simulate", help="keep placing and paying demo checkouts")
    sim.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('OMS_PORT', 3000)}")
    sim.add_argument("--interval", type=float, default=6.0, help="seconds between checkouts")
    sim.add_argument("--count", type=int, help="stop after this many (default: never)")
    sim.add_argument("--seed", type=int)
    sim.set_defaults(func=simulate)
    audit = commands.add_parser("audit", help="the audit log")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_commands.add_parser(
        "verify", help="check the audit chain; report the first broken row"
    )
    verify.add_argument(
        "--since-checkpoint",
        action="store_true",
        help="check only the rows after the last checkpoint (default: the whole chain)",
    )
    verify.set_defaults(func=audit_verify)
    serve = commands.add_parser("run", help="migrate, seed, start Redis, worker, cron and the app")
    serve.add_argument("--port", type=int, default=int(os.environ.get("OMS_PORT", 3000)))
    serve.set_defaults(func=run)
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    if args.func not in (worker, cron, run, simulate):
        from oms_dashboard.bootstrap import bootstrap

        bootstrap("cli")  # the worker and cron wire themselves; run and simulate wire nothing
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
