"""Filtered order lists as CSV, Excel or Parquet, written a keyset page at a time.

``export_chunks`` yields the file's bytes as it goes: CSV and Parquet (one row
group per page) leave memory after every page; Excel (openpyxl write-only) keeps
rows in its own temporary file and is zipped at the end, then read out in chunks.
Nothing ever holds the whole list.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from oms_dashboard.services.actor import Actor
from oms_dashboard.services.order_search import iter_orders
from oms_dashboard.services.orders import OrderFilter
from oms_dashboard.settings import get_settings

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "parquet": ("application/vnd.apache.parquet", "parquet"),
}
COLUMNS = (
    "id",
    "number",
    "status",
    "placed_at",
    "seller_id",
    "seller_name",
    "customer_email",
    "ship_name",
    "ship_country",
    "currency",
    "subtotal_minor",
    "shipping_minor",
    "total_minor",
)
INT_COLUMNS = {"subtotal_minor", "shipping_minor", "total_minor"}
BATCH = 2000
CHUNK = 64 * 1024
KEEP_FILES = timedelta(hours=1)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,40}$")
_NAME = re.compile(r"^orders-[0-9-]+\.(csv|xlsx|parquet)$")


def exports_dir() -> Path:
    return get_settings().var_dir / "exports"


def new_export_path(kind: str) -> tuple[str, Path]:
    """(token, path) for a new export file; exports older than ``KEEP_FILES`` go."""
    root = exports_dir()
    root.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - KEEP_FILES.total_seconds()
    for old in root.iterdir():
        if old.is_dir() and old.stat().st_mtime < cutoff:
            shutil.rmtree(old, ignore_errors=True)
    token = secrets.token_urlsafe(16)
    folder = root / token
    folder.mkdir()
    return token, folder / f"orders-{datetime.now(UTC):%Y%m%d-%H%M%S}.{FORMATS[kind][1]}"


def export_file(token: str, name: str) -> Path | None:
    """The export file behind a download link, if it is one and still kept."""
    if not _TOKEN.match(token) or not _NAME.match(name):
        return None
    path = exports_dir() / token / name
    if not path.is_file() or path.stat().st_mtime < time.time() - KEEP_FILES.total_seconds():
        return None
    return path


@dataclass
class Progress:
    rows: int = 0


def order_row(order: sa.Row) -> tuple:
    """One exported row (``COLUMNS``) from a row of ``order_search.PAGE_COLUMNS``."""
    return (
        order.id,
        order.number,
        order.status,
        order.placed_at.isoformat(),
        order.seller_id,
        order.seller_name,
        order.customer_email,
        order.ship_name,
        order.ship_country,
        order.currency,
        order.subtotal_minor,
        order.shipping_minor,
        order.total_minor,
    )


def _pages(engine: Engine, actor: Actor, filters: OrderFilter, batch: int) -> Iterator[list[tuple]]:
    with Session(engine, expire_on_commit=False) as session:
        for orders in iter_orders(session, actor=actor, filters=filters, batch=batch):
            yield [order_row(o) for o in orders]
        session.rollback()


def export_chunks(
    engine: Engine,
    *,
    actor: Actor,
    filters: OrderFilter,
    fmt: str,
    batch: int | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """The export's bytes, in order; ``on_progress(rows so far)`` after each page."""
    writer = {"csv": _csv, "xlsx": _xlsx, "parquet": _parquet}[fmt]
    progress = Progress()

    def pages() -> Iterator[list[tuple]]:
        for rows in _pages(engine, actor, filters, batch or BATCH):
            yield rows
            progress.rows += len(rows)
            if on_progress is not None:
                on_progress(progress.rows)

    yield from writer(pages())


def _csv(pages: Iterator[list[tuple]]) -> Iterator[bytes]:
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(COLUMNS)
    for rows in pages:
        out.writerows(rows)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue().encode()


def _xlsx(pages: Iterator[list[tuple]]) -> Iterator[bytes]:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Orders")
    sheet.append(COLUMNS)
    for rows in pages:
        for row in rows:
            sheet.append(row)
    with tempfile.TemporaryFile() as file:
        workbook.save(file)
        file.seek(0)
        while chunk := file.read(CHUNK):
            yield chunk


class _Sink(io.RawIOBase):
    """A write-only file that keeps what was written until it is drained."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.position = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        chunk = bytes(data)
        self.parts.append(chunk)
        self.position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self.position

    def drain(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def parquet_schema():
    import pyarrow as pa

    return pa.schema(
        [(name, pa.int64() if name in INT_COLUMNS else pa.string()) for name in COLUMNS]
    )


def _parquet(pages: Iterator[list[tuple]]) -> Iterator[bytes]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema()
    sink = _Sink()
    writer = pq.ParquetWriter(sink, schema)
    try:
        for rows in pages:
            columns = list(zip(*rows, strict=True))
            table = pa.Table.from_arrays(
                [
                    pa.array(col, type=field.type)
                    for col, field in zip(columns, schema, strict=True)
                ],
                schema=schema,
            )
            writer.write_table(table)  # one row group per keyset page
            if data := sink.drain():
                yield data
    finally:
        writer.close()
    if data := sink.drain():
        yield data
