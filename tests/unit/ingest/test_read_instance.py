"""read_instance on hostile XML: nothing expands, nothing is fetched, any DTD is refused."""

from __future__ import annotations

import pytest

from server.forms.xform import Field, FormSchema
from server.ingest.errors import MalformedSubmission, TooLarge, UnsafeXML
from server.ingest.instance import Limits, read_instance, read_tree, values_at

META = "<meta><instanceID>uuid:1</instanceID></meta>"


def test_a_dtd_is_refused_whatever_the_encoding():
    prolog = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d [<!ENTITY e "x">]>'
    xml = f'{prolog}<d id="f">&e;{META}</d>'
    with pytest.raises(UnsafeXML):
        read_instance(xml.encode("utf-16"))


def test_an_external_entity_is_neither_fetched_nor_expanded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    xml = f'<!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]><d id="f"><v>&x;</v>{META}</d>'
    with pytest.raises(UnsafeXML):
        read_instance(xml.encode())


def test_an_undeclared_entity_is_malformed():
    with pytest.raises(MalformedSubmission, match="格式错误"):
        read_instance(f'<d id="f"><v>&x;</v>{META}</d>'.encode())


def test_comments_and_processing_instructions_are_not_elements():
    xml = f'<d id="f" version="2"><!-- note --><?pi x?><v>中文 &lt;&#20013;</v>{META}</d>'
    v = Field("/d/v", "v", "string", None)
    schema = FormSchema("f", "2", "", "/d", (v,), ())
    instance = read_instance(xml.encode())
    assert instance.header.form_id == "f" and instance.header.version == "2"
    tree = read_tree(instance, schema)
    assert values_at(tree, v) == ["中文 <中"]
    assert tree.root.values == {"/d/v": "中文 <中"}
    assert tree.unknown == ()  # the comment and the instruction are gone; meta is the envelope


def test_the_element_count_is_bounded():
    xml = f'<d id="f">{"<x/>" * 20}{META}</d>'
    with pytest.raises(TooLarge):
        read_instance(xml.encode(), Limits(max_elements=10))
