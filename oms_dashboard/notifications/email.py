"""Render an email from its templates and send it once per dedupe key.

With ``OMS_SMTP_URL`` set the message goes out over SMTP; without it, it is
only kept in the local mailbox (the ``emails`` table), which admins read on
the Outbox page. Either way exactly one ``EmailMessage`` row per dedupe key
records what was sent, so a handler that runs twice sends once.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
from collections.abc import Mapping
from email.message import EmailMessage as MimeMessage
from email.utils import formatdate
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlmodel import Session, select

from oms_dashboard.ids import new_id
from oms_dashboard.models import EmailMessage
from oms_dashboard.notifications.format import one_line
from oms_dashboard.settings import get_settings

log = logging.getLogger(__name__)

FROM_ADDRESS = "OMS Dashboard <orders@oms.demo>"
MESSAGE_ID_DOMAIN = "oms.demo"
SMTP_TIMEOUT_SECONDS = 15
TEMPLATES = Path(__file__).parent / "templates"

_templates = Environment(
    loader=FileSystemLoader(TEMPLATES),
    # HTML escapes everything it interpolates (titles and names are user text);
    # plain text must not, or a customer would read "&amp;".
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def render(template: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """The plain-text and HTML bodies of ``templates/<template>.{txt,html}.j2``."""
    text = _templates.get_template(f"{template}.txt.j2").render(context)
    html = _templates.get_template(f"{template}.html.j2").render(context)
    return text, html


def already_sent(session: Session, dedupe_key: str) -> bool:
    query = select(EmailMessage.id).where(EmailMessage.dedupe_key == dedupe_key)
    return session.exec(query).first() is not None


def send_email(
    session: Session,
    *,
    dedupe_key: str,
    template: str,
    to: str,
    subject: str,
    context: Mapping[str, Any],
    order_id: str | None = None,
) -> EmailMessage | None:
    """Send one email unless ``dedupe_key`` was sent before; None when it was.

    The row is added only after SMTP accepted the message, so an SMTP failure
    raises, writes nothing, and the outbox retries. The caller's transaction
    commits the row.

    No transaction stays open while the SMTP server takes its time (seconds, up
    to its timeouts): the session's reads are committed first, so callers must
    have nothing else pending (the handlers commit their in-app notifications
    before). On SQLite an open transaction holds the database's write lock, and
    every checkout and page would wait for the email.

    Delivery is at-least-once, not exactly-once. If the worker dies after the
    SMTP server has the whole message but before this row commits (the server's
    250 unread, or read and not yet recorded), the outbox delivers the message
    again once its lease ends, and the server gets a second copy: SMTP has no way
    to ask whether the first one arrived. Both copies carry the same Message-ID
    (``build_mime``), so a receiving system can drop the repeat, and this table
    holds one row per dedupe key. A worker that dies before the server has the
    whole message sends it once. tests/integration/test_faults.py shows both.
    """
    if already_sent(session, dedupe_key):
        return None
    subject = one_line(subject)
    text, html = render(template, {**context, "subject": subject})
    smtp_url = get_settings().smtp_url
    if smtp_url:
        mime = build_mime(dedupe_key=dedupe_key, to=to, subject=subject, text=text, html=html)
        session.commit()
        send_smtp(smtp_url, mime)
    row = EmailMessage(
        id=new_id("eml"),
        dedupe_key=dedupe_key,
        kind=template,
        to_address=to,
        subject=subject,
        text_body=text,
        html_body=html,
        order_id=order_id,
        transport="smtp" if smtp_url else "mailbox",
    )
    session.add(row)
    session.flush()
    log.info("email %s (%s) sent via %s", dedupe_key, template, row.transport)
    return row


def build_mime(*, dedupe_key: str, to: str, subject: str, text: str, html: str) -> MimeMessage:
    """A multipart/alternative message: plain text first, HTML preferred by mail clients."""
    mime = MimeMessage()
    mime["From"] = FROM_ADDRESS
    mime["To"] = to
    mime["Subject"] = subject
    mime["Date"] = formatdate(localtime=False, usegmt=True)
    # Derived from the dedupe key: if a send succeeds but our commit fails, the
    # retry carries the same Message-ID and mail systems can drop the copy.
    digest = hashlib.sha256(dedupe_key.encode()).hexdigest()[:32]
    mime["Message-ID"] = f"<{digest}@{MESSAGE_ID_DOMAIN}>"
    mime.set_content(text)
    mime.add_alternative(html, subtype="html")
    return mime


def send_smtp(url: str, mime: MimeMessage) -> None:
    """Hand the message to the server in ``url``: smtp://, smtp+starttls:// or smtps://.

    ``user:password@`` in the URL logs in (percent-encode special characters).
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in {"smtp", "smtp+starttls", "smtps"}:
        raise ValueError(
            f"OMS_SMTP_URL: unsupported scheme {scheme!r}; use smtp://, smtp+starttls:// "
            "or smtps://"
        )
    host = parts.hostname or "localhost"
    port = parts.port or (465 if scheme == "smtps" else 25)
    client = smtplib.SMTP_SSL if scheme == "smtps" else smtplib.SMTP
    with client(host, port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if scheme == "smtp+starttls":
            smtp.starttls()
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(mime)
