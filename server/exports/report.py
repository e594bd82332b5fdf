"""The county's monthly monitoring report: one context, rendered as XLSX (Chinese headers) and
as a printable PDF through the archive's print pipeline (`printing.render`: Noto CJK, PDF/A, a
fetcher for `exports/` files only; the template is `exports/monthly_report.html`).

The context is plain data (dicts, lists, strings, numbers), built once from the monitoring
service, so both renderings say the same thing.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from server.access.policy import MASKED
from server.core.clock import Month
from server.exports.writers import xlsx_row
from server.forms.service import code_labels
from server.monitoring.loading import area_name
from server.monitoring.rules import shortfalls_by
from server.monitoring.scope import area_code_of
from server.monitoring.service import monthly_overview
from server.monitoring.words import Words, chinese, reason_text
from server.printing import render as printing_render

AREA_HEADERS = [
    "区域 Area",
    "代码 Code",
    "户数 Households",
    "监测中及待审 Under monitoring",
    "新纳入 New",
    "风险消除 Eliminated",
    "已走访 Visits done",
    "应走访 Visits required",
    "走访不足户 Below",
    "预警 Warnings",
    "未结重大变故 Open events",
    "逾期 Overdue",
]


def _area(row: Any) -> list[Any]:
    return [
        row.name,
        row.code,
        row.households,
        row.under_monitoring,
        row.new,
        row.eliminated,
        row.visits_done,
        row.visits_required,
        row.below,
        row.warnings,
        row.open_events,
        row.overdue_events,
    ]


def monthly_report(
    session: Session,
    *,
    month: date,
    prefix: str,
    today: date,
    duty: ColumnElement[bool] | None = None,
) -> dict:
    """The month's report over `prefix` (and the viewer's `duty`: monitoring/loading.py)."""
    towns = monthly_overview(session, month=month, prefix=prefix, today=today, duty=duty)
    villages = monthly_overview(
        session,
        month=month,
        prefix=prefix,
        today=today,
        as_level="town",
        with_helpers=True,
        duty=duty,
    )
    homes = villages.households
    names = {r.code: r.name for r in villages.rows}
    labels = code_labels(session)
    words = Words(labels, "zh", chinese)  # the report is in Chinese (its headers say English)
    statuses = [code for code, _label in labels.options("household_status")]
    return {
        "month": Month.of(month).zh,
        "month_code": str(Month.of(month)),
        "area": area_name(session, area_code_of(prefix)),
        "settings": {
            "income_threshold": str(towns.settings.income_threshold),
            "min_visits": towns.settings.min_visits_per_month,
            "phone_visits_count": towns.settings.phone_visits_count,
            "event_response_days": towns.settings.event_response_days,
            "effective_from": towns.settings.effective_from.isoformat(),
        },
        "total": _area(towns.total),
        "status_labels": [words("household_status", s) for s in statuses],
        "by_type": [
            [
                label,
                *(towns.total.by_type_status[(t, s)] for s in statuses),
                towns.total.by_type[t],
            ]
            for t, label in labels.options("household_type")
        ],
        "towns": [_area(r) for r in towns.rows],
        "villages": [_area(r) for r in villages.rows],
        "warnings": [
            [
                homes[w.household_id].code,
                homes[w.household_id].head_name,
                names.get(homes[w.household_id].village_code, ""),
                # reasons carry no personal data; a detail that does is masked all the same
                "；".join(reason_text(r, words, MASKED) for r in w.reasons),
            ]
            for w in villages.warnings
        ],
        "helpers": [
            [helper, len(items), "、".join(homes[i.household_id].head_name for i in items)]
            for helper, items in sorted(shortfalls_by(villages.shortfalls, "helper").items())
        ],
        "below": [
            [
                homes[s.household_id].code,
                homes[s.household_id].head_name,
                names.get(s.village_code, ""),
                "、".join(s.helpers),
                s.done,
                s.required,
            ]
            for s in villages.shortfalls
        ],
    }


def render_xlsx(context: dict) -> bytes:
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    sheets = [
        (
            "汇总 Summary",
            ["项目 Item", "数值 Value"],
            [
                ["月份 Month", context["month"]],
                ["区域 Area", context["area"]],
                [
                    "收入监测标准 Income threshold (元/人/年)",
                    context["settings"]["income_threshold"],
                ],
                ["每月应走访次数 Visits required a month", context["settings"]["min_visits"]],
                *([h, v] for h, v in zip(AREA_HEADERS[2:], context["total"][2:], strict=True)),
            ],
        ),
        (
            "类别 By type",
            ["监测类别 Type", *context["status_labels"], "合计 Total"],
            context["by_type"],
        ),
        ("各镇 Towns", AREA_HEADERS, context["towns"]),
        ("各村 Villages", AREA_HEADERS, context["villages"]),
        (
            "预警 Warnings",
            ["户编号 Household", "户主 Head", "村 Village", "原因 Reasons"],
            context["warnings"],
        ),
        (
            "帮扶人 Helpers",
            ["帮扶人 Helper", "走访不足户数 Households below", "户主 Heads"],
            context["helpers"],
        ),
        (
            "走访不足 Below",
            [
                "户编号 Household",
                "户主 Head",
                "村 Village",
                "帮扶人 Helpers",
                "已走访 Done",
                "应走访 Required",
            ],
            context["below"],
        ),
    ]
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.append([_bold(sheet, h, bold) for h in headers])
        for row in rows:
            sheet.append(xlsx_row(sheet, row))  # names and reasons people typed stay text
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _bold(sheet, value: str, font: Font):  # type: ignore[no-untyped-def]
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    return cell


def render_html(context: dict) -> str:
    return printing_render.render_html(
        "monthly_report.html",
        **context,
        area_headers=AREA_HEADERS,
    )


def render_pdf(context: dict) -> bytes:
    """The county report through the archive's print pipeline: the same fonts, PDF/A, and a
    fetcher that loads nothing but `exports/` files."""
    pdf = printing_render.render_pdf(render_html(context), lambda _sha: None)
    if pdf is None:  # only when given a target to write into
        raise RuntimeError("WeasyPrint returned no PDF")
    return pdf
