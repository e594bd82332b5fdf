"""Run ODK Validate (JavaRosa, the engine inside ODK Collect) on a compiled XForm."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from pyxform.validators import odk_validate

from server.forms.compile import CompiledForm
from server.forms.errors import InvalidXLSForm


def java_available() -> bool:
    return shutil.which("java") is not None


def odk_validate_form(compiled: CompiledForm) -> None:
    """Raise InvalidXLSForm with JavaRosa's own message when Collect would reject the form."""
    with tempfile.TemporaryDirectory(prefix="fangfan-validate-") as tmp:
        path = Path(tmp) / f"{compiled.form_id}.xml"
        path.write_bytes(compiled.xform)
        try:
            odk_validate.check_xform(str(path))
        except odk_validate.ODKValidateError as exc:
            raise InvalidXLSForm(
                f"{compiled.form_id}: ODK Validate 未通过 / ODK Validate failed: {exc}"
            ) from exc
