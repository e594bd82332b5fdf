"""Fixtures for the XLSForm tests (the county's three forms)."""

from __future__ import annotations

import pytest

from tests.unit.xlsforms.xlsform_support import FORM_IDS, FormProbe, compile_form


@pytest.fixture(scope="session")
def xforms() -> dict[str, str]:
    return {form_id: compile_form(form_id) for form_id in FORM_IDS}


@pytest.fixture(scope="session")
def probe(tmp_path_factory: pytest.TempPathFactory, xforms: dict[str, str]) -> FormProbe:
    forms = tmp_path_factory.mktemp("xforms")
    for form_id, xform in xforms.items():
        (forms / f"{form_id}.xml").write_text(xform, encoding="utf-8")
    try:
        return FormProbe(tmp_path_factory.mktemp("formprobe"), forms)
    except FileNotFoundError:
        pytest.fail("needs a JDK (javac and java) for the JavaRosa probe: run scripts/bootstrap")
