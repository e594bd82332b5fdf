"""Paths and helpers shared by the XLSForm tests (imported by conftest.py and the tests)."""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

from server.registry.phone_lists import HOUSEHOLD_COLUMNS, TOWN_COLUMNS, VILLAGE_COLUMNS

ROOT = Path(__file__).resolve().parents[3]

XLSFORMS = ROOT / "xlsforms"
MEDIA = ROOT / "tests" / "data" / "forms" / "media"
PROBE_SOURCE = ROOT / "tests" / "tools" / "FormProbe.java"
FORM_IDS = ("household_archive", "assistance_visit", "major_event")

# The per-app-user CSV media the server generates, exactly these headers, in this order.
# The per-app-user CSV media exactly as the server generates them (server/registry/phone_lists.py).
CSV_HEADERS = {
    "towns.csv": list(TOWN_COLUMNS),
    "villages.csv": list(VILLAGE_COLUMNS),
    "households.csv": list(HOUSEHOLD_COLUMNS),
}
MEDIA_BY_FORM = {
    "household_archive": {"towns.csv", "villages.csv"},
    "assistance_visit": {"villages.csv", "households.csv"},
    "major_event": {"villages.csv", "households.csv"},
}

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def gb11643_check(first17: str) -> str:
    """Reference check character (ISO 7064 MOD 11-2), to build test ID numbers."""
    total = sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def valid_id(first17: str) -> str:
    return first17 + gb11643_check(first17)


def compile_form(form_id: str) -> str:
    from pyxform.xls2xform import convert

    warnings: list[str] = []
    result = convert(xlsform=XLSFORMS / f"{form_id}.xlsx", warnings=warnings)
    assert warnings == [], f"{form_id}: pyxform warnings {warnings}"
    return result.xform


def validate_jar() -> Path:
    from pyxform.validators import odk_validate

    return Path(odk_validate.ODK_VALIDATE_PATH)


class FormProbe:
    """tests/tools/FormProbe.java, compiled against the JavaRosa inside ODK_Validate.jar."""

    def __init__(self, build_dir: Path, forms_dir: Path) -> None:
        javac, java = shutil.which("javac"), shutil.which("java")
        if not javac or not java:
            raise FileNotFoundError("javac/java")
        self.java = java
        self.jar = validate_jar()
        self.classes = build_dir
        self.forms = forms_dir
        subprocess.run(
            [
                javac,
                "-nowarn",
                "-encoding",
                "UTF-8",
                "-cp",
                str(self.jar),
                "-d",
                str(build_dir),
                str(PROBE_SOURCE),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def run(self, form_id: str, commands: list[tuple[str, ...]]) -> list[str]:
        """One result per command: "OK", "CONSTRAINT", "REQUIRED", "= value", ..."""
        script = "".join("\t".join(c) + "\n" for c in commands)
        done = subprocess.run(
            [
                self.java,
                "-Djava.awt.headless=true",
                "-cp",
                f"{self.jar}{os.pathsep}{self.classes}",
                "FormProbe",
                str(self.forms / f"{form_id}.xml"),
                str(MEDIA),
            ],
            input=script.encode("utf-8"),
            capture_output=True,
            timeout=120,
            check=False,
        )
        stdout = done.stdout.decode("utf-8")
        assert done.returncode == 0, stdout + done.stderr.decode("utf-8", "replace")
        lines = stdout.splitlines()
        assert lines, done.stderr.decode("utf-8", "replace")
        assert lines[0] == "READY", stdout + done.stderr.decode("utf-8", "replace")
        results = [line.split("\t", 1)[1] for line in lines[1:]]
        assert len(results) == len(commands), stdout
        return results

    def fill(self, form_id: str, commands: list[tuple[str, ...]]) -> tuple[list[str], bytes]:
        """Run the commands, then serialise the finalised instance exactly as Collect does.

        Returns the per-command results and the instance XML bytes (submission.xml).
        """
        results = self.run(form_id, [*commands, ("serialize",)])
        *answers, serialized = results
        assert serialized.startswith("= "), serialized
        return answers, base64.b64decode(serialized[2:])


def reference_id_ok(number: str, today: date | None = None) -> bool:
    """What the forms' ID constraint is meant to accept (the server repeats this check)."""
    if not re.fullmatch(r"[1-9][0-9]{16}[0-9X]", number):
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if born.year < 1880 or born > (today or date.today()):  # noqa: DTZ011 - the phone's local date
        return False
    return gb11643_check(number[:17]) == number[17]
