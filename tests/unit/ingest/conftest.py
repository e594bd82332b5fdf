"""Fixtures for the normalisation tests: the county's forms, compiled as at publish time."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.forms.compile import compile_xlsform
from server.forms.xform import FormSchema
from tests.unit.ingest.instances import INSTANCES
from tests.unit.xlsforms.xlsform_support import FORM_IDS, XLSFORMS


@pytest.fixture(scope="session")
def schemas() -> dict[str, FormSchema]:
    out = {}
    for form_id in FORM_IDS:
        path: Path = XLSFORMS / f"{form_id}.xlsx"
        out[form_id] = compile_xlsform(path.read_bytes(), file_name=path.name).schema
    return out


@pytest.fixture
def instance() -> object:
    """instance("household_archive.xml") → the stored JavaRosa-serialised bytes."""

    def read(file_name: str) -> bytes:
        return (INSTANCES / file_name).read_bytes()

    return read
