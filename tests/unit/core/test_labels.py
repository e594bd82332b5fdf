"""The one labels module: the server's vocabulary, and lists merged in from the forms."""

from __future__ import annotations

from server.core.labels import Labels, parse_labels, vocabulary


def test_the_vocabulary_labels_the_servers_own_codes_in_both_languages():
    words = vocabulary()
    assert words.of("household_status", "monitored") == "监测中"
    assert words.of("household_status", "monitored", "en") == "Under monitoring"
    assert words.of("indicator", "bayou:all") == "八有：全部达到"
    for name, items in words.lists.items():
        for code, labels in items.items():
            assert labels["zh"] and labels["en"], (name, code)


def test_an_unknown_code_reads_as_itself_and_nothing_as_nothing():
    words = vocabulary()
    assert words.of("household_status", "someday") == "someday"
    assert words.of("no_such_list", "x", "en") == "x"
    assert words.of("household_status", None) == ""


def test_several_codes_read_as_one_text_and_lists_as_options():
    words = parse_labels(
        '[cause]\nillness = ["因病", "Illness"]\ndisability = ["因残", "Disability"]'
    )
    assert words.join("cause", ["illness", "disability"]) == "因病、因残"
    assert words.join("cause", ["illness", "disability"], "en") == "Illness, Disability"
    assert words.options("cause", "en") == [("illness", "Illness"), ("disability", "Disability")]


def test_a_forms_list_replaces_the_vocabularys_list_of_the_same_name():
    form = {"household_kind": {"ordinary": {"zh": "一般农户", "en": "Ordinary"}}}
    merged = vocabulary().with_lists(form)
    assert merged.of("household_kind", "ordinary") == "一般农户"
    assert merged.of("household_kind", "formerly_poor") == "formerly_poor"  # the form's list only
    assert isinstance(merged, Labels)


def test_every_role_duty_and_audit_action_the_server_keeps_has_its_labels():
    from server.audit.models import ACTIONS
    from server.auth.roles import APP_USER_ROLES, DEPARTMENTS, WEB_USER_ROLES

    words = vocabulary()
    for list_name, codes in (
        ("web_role", WEB_USER_ROLES),
        ("app_role", APP_USER_ROLES),
        ("duty", DEPARTMENTS),
        ("audit_action", ACTIONS),
    ):
        assert set(words.of_list(list_name)) == set(codes), list_name
    assert words.of("audit_action", "login_failed", "en") == "Failed login"
    assert words.of("web_role", "county_admin", "en") == "County administrator"


def test_an_indicator_of_the_eight_essentials_reads_as_the_group_and_the_forms_item():
    words = vocabulary().with_lists(
        {"bayou": {"road": {"zh": "有路通自然村", "en": "Has a road to the hamlet"}}}
    )
    assert words.indicator("bayou:road") == "八有：有路通自然村"
    assert words.indicator("bayou:road", "en") == "Eight essentials: Has a road to the hamlet"
    assert words.indicator("bayou:all") == "八有：全部达到"
    assert words.indicator("medical") == "基本医疗有保障"
