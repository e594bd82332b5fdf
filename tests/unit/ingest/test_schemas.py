"""Anti-drift: the stage-2 schemas name only fields the forms really have."""

from __future__ import annotations

import pytest
from marshmallow import Schema, fields

from server.forms.xform import FormSchema
from server.ingest.schemas import SCHEMAS


def form_names(schema_class: type[Schema]) -> set[str]:
    """Every form field name a schema reads, nested schemas included."""
    names: set[str] = set()
    for key, field in schema_class._declared_fields.items():
        names.add(field.data_key or key)
        inner = field.inner if isinstance(field, fields.List) else field
        if isinstance(inner, fields.Nested):
            names |= form_names(inner.nested)
    return names


def test_every_county_form_has_a_schema(schemas: dict[str, FormSchema]) -> None:
    assert set(SCHEMAS) == set(schemas)


@pytest.mark.parametrize("form_id", sorted(SCHEMAS))
def test_schema_names_only_fields_of_its_form(form_id: str, schemas: dict[str, FormSchema]) -> None:
    in_form = {field.name for field in schemas[form_id].fields}
    missing = sorted(form_names(SCHEMAS[form_id]) - in_form)
    assert not missing, (
        f"server/ingest/schemas.py reads {missing} from {form_id}, but the form has no such "
        f"question: was it renamed in xlsforms/{form_id}.xlsx? Rename it in the schema too."
    )


@pytest.mark.parametrize("form_id", sorted(SCHEMAS))
def test_repeats_are_read_as_lists_of_rows(form_id: str, schemas: dict[str, FormSchema]) -> None:
    repeats = {f.name for f in schemas[form_id].fields_of_kind("repeat")}
    declared = SCHEMAS[form_id]._declared_fields
    lists = {name for name, field in declared.items() if isinstance(field, fields.List)}
    assert lists <= repeats
