"""The stored instances are what JavaRosa (the engine inside ODK Collect) writes for the forms.

Regenerates tests/data/instances/ with tests/tools/FormProbe.java and compares, ignoring the
clock, the instanceID and what derives from the date. A form change that alters the instance
fails here; rewrite the fixtures with `.venv/bin/python -m tests.unit.ingest.instances`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from server.forms.xform import FormSchema
from server.ingest.normalize import normalize
from tests.unit.ingest.instances import FIXTURES, INSTANCES, generate, make_probe, stable

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    try:
        probe = make_probe(tmp_path_factory.mktemp("javarosa"))
    except FileNotFoundError:
        pytest.fail("needs a JDK (javac and java) for the JavaRosa probe: run scripts/bootstrap")
    return generate(probe)


@pytest.mark.parametrize("file_name", sorted(FIXTURES))
def test_instances_are_what_javarosa_writes(file_name: str, generated: dict[str, bytes]) -> None:
    stored = (INSTANCES / file_name).read_bytes()
    assert stable(generated[file_name]).decode() == stable(stored).decode()


@pytest.mark.parametrize("file_name", sorted(FIXTURES))
def test_fresh_instances_normalise_like_the_stored_ones(
    file_name: str, generated: dict[str, bytes], schemas: dict[str, FormSchema]
) -> None:
    schema = schemas[FIXTURES[file_name][0]]
    fresh = normalize(generated[file_name], schema)
    stored = normalize(Path(INSTANCES / file_name).read_bytes(), schema)
    assert [(i.code, i.path) for i in fresh.issues] == [(i.code, i.path) for i in stored.issues]
    record = fresh.identification or fresh.event_report
    if record is not None:
        assert record == (stored.identification or stored.event_report)
    else:
        assert fresh.visit.indicators == stored.visit.indicators
        assert fresh.visit.measures == stored.visit.measures
