"""XLSForm → XForm compilation with pyxform. Pure: workbook bytes in, a frozen CompiledForm out.

Only pyxform's public `convert()` result is used (`xform`, `warnings`), so a pyxform upgrade
cannot silently change what we store. Compiling happens once, at publish; ingest uses the
stored field schema (forms/xform.py), never the workbook.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath

from pyxform.errors import PyXFormError
from pyxform.xls2xform import convert

from server.forms.errors import InvalidXLSForm
from server.forms.workbook_text import find_cells
from server.forms.xform import FormSchema, is_form_id, parse_xform

_QUOTED = re.compile(r"'([^']{1,80})'")


@dataclass(frozen=True, slots=True)
class CompiledForm:
    xform: bytes
    md5: str
    schema: FormSchema
    warnings: tuple[str, ...]

    @property
    def form_id(self) -> str:
        return self.schema.form_id

    @property
    def version(self) -> str:
        return self.schema.version


def md5_hex(data: bytes) -> str:
    # OpenRosa hashes are content identifiers, not security (style.md §2.19).
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _location_hint(message: str, source: bytes, suffix: str) -> str:
    """Where a quoted value from pyxform's message sits, when pyxform did not say ("[row : n]")."""
    if "[row" in message or suffix not in {".xlsx", ".xlsm"}:
        return ""
    try:
        places = [
            f"{sheet} 表第 {row} 行 / sheet '{sheet}', row {row}"
            for value in _QUOTED.findall(message)
            for sheet, row in find_cells(source, value)
        ]
    except Exception:  # an unreadable workbook: pyxform's own message must still get through
        return ""
    return f" ({'; '.join(places[:3])})" if places else ""


def compile_xlsform(
    source: bytes, *, file_name: str, files: Mapping[str, bytes] | None = None
) -> CompiledForm:
    """Compile one workbook. Errors name the file and carry pyxform's sheet/row detail.

    `files` are the media published with it (their CSV choice lists' labels are stored)."""
    suffix = PurePath(file_name).suffix.lower()
    if suffix not in {".xlsx", ".xlsm", ".xls", ".md", ".csv"}:
        raise InvalidXLSForm(f"{file_name}: 不支持的文件类型 / unsupported file type {suffix}")
    warnings: list[str] = []
    try:
        result = convert(xlsform=source, warnings=warnings, file_type=suffix)
    except PyXFormError as exc:
        message = f"{file_name}: {exc}{_location_hint(str(exc), source, suffix)}"
        raise InvalidXLSForm(message, file=file_name) from exc
    except Exception as exc:  # pyxform raises bare errors for broken workbooks (zip, xml)
        raise InvalidXLSForm(f"{file_name}: 无法读取工作簿 / cannot read workbook: {exc}") from exc
    xform = result.xform.encode("utf-8")
    schema = parse_xform(xform, files)
    if not is_form_id(schema.form_id):
        raise InvalidXLSForm(
            f"{file_name}: form_id {schema.form_id!r} 只能由字母、数字、_、-、. 组成（最多 64 个）"
            " / may hold only letters, digits, _ - . (at most 64)",
            file=file_name,
        )
    if not schema.version:
        raise InvalidXLSForm(
            f"{file_name}: settings 表缺少 version / the settings sheet needs a version",
            file=file_name,
        )
    return CompiledForm(xform=xform, md5=md5_hex(xform), schema=schema, warnings=tuple(warnings))
