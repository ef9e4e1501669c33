"""The KPI page's charts as plotly figures (plain dicts of data and layout, which is
what ``rx.plotly`` draws and what a state can hold). Every axis says what it counts
and in which unit; money is one currency per figure, never converted or added up
across currencies."""

from __future__ import annotations

from typing import Any

import pandas as pd

from oms_dashboard.domain.money import from_minor

HEIGHT = 300
ACCENT = "#3e63dd"
LATE = "#e5484d"
OK = "#30a46c"
MUTED = "#8b8d98"

Figure = dict[str, Any]


def _layout(*, x: str, y: str, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "height": HEIGHT,
        "margin": {"l": 64, "r": 24, "t": 36, "b": 56},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "xaxis": {"title": {"text": x}, "automargin": True},
        "yaxis": {"title": {"text": y}, "automargin": True, "rangemode": "tozero"},
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        "bargap": 0.25,
        "hovermode": "closest",
    }
    layout.update(extra)
    return layout


def _days(daily: pd.DataFrame) -> list[str]:
    return [d.isoformat() for d in daily["day"]]


def orders_per_day(daily: pd.DataFrame) -> Figure:
    return {
        "data": [
            {
                "type": "bar",
                "x": _days(daily),
                "y": [int(v) for v in daily["paid"]],
                "name": "Paid orders",
                "marker": {"color": ACCENT},
                "hovertemplate": "%{x}: %{y} paid orders<extra></extra>",
            }
        ],
        "layout": _layout(x="Day placed (UTC)", y="Paid orders (count)"),
    }


def revenue_per_day(revenue: pd.DataFrame, currency: str) -> Figure:
    """Net revenue (paid orders' totals less refunds paid) per day, in ``currency``."""
    rows = revenue[revenue["currency"] == currency] if not revenue.empty else revenue
    amounts = [float(from_minor(int(v), currency)) for v in rows.get("net_minor", [])]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": _days(rows) if not rows.empty else [],
                "y": amounts,
                "name": f"Net revenue ({currency})",
                "line": {"color": OK, "width": 2},
                "marker": {"size": 4},
                "hovertemplate": f"%{{x}}: %{{y:,.2f}} {currency}<extra></extra>",
            }
        ],
        "layout": _layout(x="Day placed (UTC)", y=f"Net revenue ({currency})"),
    }


FUNNEL = (
    ("placed", "Placed"),
    ("paid", "Paid"),
    ("shipped", "Shipped"),
    ("delivered", "Delivered"),
)


def status_funnel(totals: dict[str, float]) -> Figure:
    steps = list(reversed(FUNNEL))  # the first step on top
    counts = [int(totals.get(key, 0)) for key, _ in steps]
    first = int(totals.get("placed", 0)) or 1
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "x": counts,
                "y": [label for _, label in steps],
                "text": [f"{c:,} ({c / first:.0%})" for c in counts],
                "textposition": "auto",
                "marker": {"color": ACCENT},
                "hovertemplate": "%{y}: %{x} orders<extra></extra>",
            }
        ],
        "layout": _layout(x="Orders placed in the period that got this far (count)", y=""),
    }


def late_shipments(sellers: pd.DataFrame, names: dict[str, str]) -> Figure:
    """Per seller: orders shipped after their handling time, and on time."""
    labels = [names.get(s, s) for s in sellers.get("seller_id", [])]
    late = [int(v) for v in sellers.get("late_shipped", [])]
    on_time = [int(s - x) for s, x in zip(sellers.get("processed", []), late, strict=True)]
    return {
        "data": [
            {
                "type": "bar",
                "x": labels,
                "y": late,
                "name": "Shipped late",
                "marker": {"color": LATE},
            },
            {
                "type": "bar",
                "x": labels,
                "y": on_time,
                "name": "Shipped in time",
                "marker": {"color": MUTED},
            },
        ],  # fmt: skip
        "layout": _layout(
            x="Seller", y="Shipped orders (count)", barmode="stack", hovermode="x unified"
        ),
    }


def carrier_performance(carriers: pd.DataFrame) -> Figure:
    """Average transit time (bars, left axis) and the share of shipments that hit a
    delivery exception (diamonds, right axis)."""
    names = [str(c).upper() for c in carriers.get("carrier", [])]
    transit = [
        round(h / d, 1) if d else None
        for h, d in zip(
            carriers.get("transit_hours", []), carriers.get("delivered", []), strict=True
        )
    ]
    exceptions = [
        round(100 * e / s, 1) if s else None
        for e, s in zip(carriers.get("exceptions", []), carriers.get("shipments", []), strict=True)
    ]
    return {
        "data": [
            {
                "type": "bar",
                "x": names,
                "y": transit,
                "name": "Average transit (hours)",
                "marker": {"color": ACCENT},
            },
            {
                "type": "scatter",
                "mode": "markers",
                "x": names,
                "y": exceptions,
                "yaxis": "y2",
                "name": "Shipments with an exception (%)",
                "marker": {"color": LATE, "size": 12, "symbol": "diamond"},
            },
        ],  # fmt: skip
        "layout": _layout(
            x="Carrier",
            y="Average transit (hours)",
            yaxis2={
                "title": {"text": "Shipments with an exception (%)"},
                "overlaying": "y",
                "side": "right",
                "rangemode": "tozero",
                "showgrid": False,
            },
            margin={"l": 64, "r": 64, "t": 36, "b": 56},
        ),
    }


def refunds_by_reason(reasons: pd.DataFrame) -> Figure:
    """Refunds by why, split into paid and the rest (waiting, approved, rejected...)."""
    if reasons.empty:
        by_reason = pd.DataFrame(columns=["reason", "paid", "other"])
    else:
        frame = reasons.assign(paid=reasons["status"] == "paid")
        by_reason = (
            frame.pivot_table(index="reason", columns="paid", values="refunds", aggfunc="sum")
            .reindex(columns=[True, False])
            .fillna(0)
            .rename(columns={True: "paid", False: "other"})
            .reset_index()
        )
        by_reason = by_reason.assign(total=by_reason["paid"] + by_reason["other"]).sort_values(
            "total"
        )
    labels = [str(r).replace("return: ", "return · ").replace("_", " ").replace("-", " ")
              for r in by_reason["reason"]]  # fmt: skip
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": labels,
                "x": [int(v) for v in by_reason["paid"]],
                "name": "Paid",
                "marker": {"color": OK},
            },
            {
                "type": "bar",
                "orientation": "h",
                "y": labels,
                "x": [int(v) for v in by_reason["other"]],
                "name": "Not paid (yet)",
                "marker": {"color": MUTED},
            },
        ],  # fmt: skip
        "layout": _layout(x="Refunds (count)", y="", barmode="stack"),
    }


def tickets_by_priority(tickets: pd.DataFrame) -> Figure:
    labels = [str(p).capitalize() for p in tickets.get("priority", [])]
    breached = [int(v) for v in tickets.get("breached", [])]
    within = [int(t - b) for t, b in zip(tickets.get("tickets", []), breached, strict=True)]
    return {
        "data": [
            {
                "type": "bar",
                "x": labels,
                "y": breached,
                "name": "SLA breached",
                "marker": {"color": LATE},
            },
            {
                "type": "bar",
                "x": labels,
                "y": within,
                "name": "Within SLA",
                "marker": {"color": MUTED},
            },
        ],  # fmt: skip
        "layout": _layout(
            x="Priority",
            y="Tickets about these orders (count)",
            barmode="stack",
            hovermode="x unified",
        ),  # fmt: skip
    }
