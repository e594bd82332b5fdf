"""The county's monthly monitoring report: one context, rendered as XLSX (Chinese headers) and
as a printable PDF (WeasyPrint; the template lives in `exports/templates/exports/`).

The context is plain data (dicts, lists, strings, numbers), built once from the monitoring
service, so both renderings say the same thing. The PDF fetcher refuses every URL: the report
embeds no images, stylesheets or fonts from outside (fonts come from the system, Noto CJK).
The print engineer's `server/printing/` will take over the PDF pipeline; `render_pdf` is the
one call to redirect.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.orm import Session

from server.errors import DomainError
from server.monitoring.cases import REASON_LABELS
from server.monitoring.rules import shortfalls_by
from server.monitoring.scope import area_code_of
from server.monitoring.service import area_name, monthly_overview

TEMPLATES = Path(__file__).parent / "templates"
TYPE_LABELS = {
    "unstable_formerly_poor": "脱贫不稳定户",
    "marginal_at_risk": "边缘易致贫户",
    "sudden_severe_difficulty": "突发严重困难户",
    "other": "其他",
}
STATUS_LABELS = {
    "pending_review": "待审核",
    "monitored": "监测中",
    "risk_eliminated": "风险已消除",
    "rejected": "未纳入",
}
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


def monthly_report(session: Session, *, month: date, prefix: str, today: date) -> dict:
    towns = monthly_overview(session, month=month, prefix=prefix, today=today)
    villages = monthly_overview(
        session, month=month, prefix=prefix, today=today, as_level="town", with_helpers=True
    )
    homes = villages.households
    names = {r.code: r.name for r in villages.rows}
    return {
        "month": f"{month:%Y年%m月}",
        "month_code": f"{month:%Y-%m}",
        "area": area_name(session, area_code_of(prefix)),
        "settings": {
            "income_threshold": str(towns.settings.income_threshold),
            "min_visits": towns.settings.min_visits_per_month,
            "phone_visits_count": towns.settings.phone_visits_count,
            "event_response_days": towns.settings.event_response_days,
            "effective_from": towns.settings.effective_from.isoformat(),
        },
        "total": _area(towns.total),
        "by_type": [
            [
                TYPE_LABELS.get(t, t),
                *(towns.total.by_type_status[(t, s)] for s in STATUS_LABELS),
                towns.total.by_type[t],
            ]
            for t in TYPE_LABELS
        ],
        "towns": [_area(r) for r in towns.rows],
        "villages": [_area(r) for r in villages.rows],
        "warnings": [
            [
                homes[w.household_id].code,
                homes[w.household_id].head_name,
                names.get(homes[w.household_id].village_code, ""),
                "；".join(
                    f"{REASON_LABELS.get(r.code, r.code).split(' / ')[0]} {r.detail}"
                    for r in w.reasons
                ),
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
            ["监测类别 Type", *STATUS_LABELS.values(), "合计 Total"],
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
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _bold(sheet, value: str, font: Font):  # type: ignore[no-untyped-def]
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    return cell


class ReportFetchRefused(DomainError):
    status = 500
    code = "report_fetch_refused"


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict:
    raise ReportFetchRefused(f"报告不加载外部资源 / the report loads nothing from {url}")


_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def render_html(context: dict) -> str:
    return _env.get_template("exports/monthly_report.html").render(
        **context, area_headers=AREA_HEADERS, status_labels=list(STATUS_LABELS.values())
    )


def render_pdf(context: dict) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_html(context), url_fetcher=_refuse).write_pdf()
