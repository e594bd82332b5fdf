"""The forms' logic, run in JavaRosa (the engine inside ODK Collect) via tests/tools/FormProbe.java.

Answers go through FormEntryController.answerQuestion, as on the phone, so a constraint is
checked against the candidate answer exactly as Collect checks it offline.
"""

from __future__ import annotations

import random

import pytest

from tests.unit.xlsforms.xlsform_support import FormProbe, gb11643_check, reference_id_ok, valid_id

pytestmark = pytest.mark.slow

MUST_PASS = [
    "11010519491231002X",  # GB 11643 worked example
    "440524188001010014",  # GB 11643 worked example (born 1880)
    valid_id("44023319800229123"),  # 29 Feb of a leap year
    valid_id("44023320000229001"),  # 2000 is a leap year
    valid_id("44023320101231001"),
]
MUST_FAIL = [
    "11010519491231002x",  # lowercase x
    "110105194912310021",  # wrong check digit
    "440524188001010015",  # wrong check digit
    "11010519491213002X",  # two digits swapped
    "11010519491231002",  # 17 characters
    "4405241880010100140",  # 19 characters
    " 11010519491231002X",  # leading space
    "1101051949123100XX",  # X not in last place
    valid_id("44023319491331001"),  # month 13
    valid_id("44023319490001001"),  # month 0
    valid_id("44023319490100001"),  # day 0
    valid_id("44023319490230001"),  # 30 February
    valid_id("44023319490431001"),  # 31 April
    valid_id("44023319000229001"),  # 1900 is not a leap year
    valid_id("44023320230229001"),  # 2023 is not a leap year
    valid_id("44023320990101001"),  # in the future
    valid_id("44023318791231001"),  # before 1880
    valid_id("04023319490101001"),  # no province code starts with 0
]


def random_ids(count: int) -> list[str]:
    """Valid IDs over many dates and check characters, plus each with one digit changed."""
    rng = random.Random(11643)  # noqa: S311 - test data
    out: list[str] = []
    for _ in range(count):
        born = f"{rng.randint(1930, 2020)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        first17 = f"440233{born}{rng.randint(0, 999):03d}"
        good = first17 + gb11643_check(first17)
        pos = rng.choice([0, 1, 2, 3, 4, 5, 14, 15, 16])
        bad = good[:pos] + str((int(good[pos]) + rng.randint(1, 9)) % 10) + good[pos + 1 :]
        out += [good, bad]
    return out


def test_reference_rule_agrees_with_the_fixed_cases() -> None:
    assert all(reference_id_ok(n) for n in MUST_PASS)
    assert not any(reference_id_ok(n) for n in MUST_FAIL)


def test_head_id_constraint_in_javarosa(probe: FormProbe) -> None:
    cases = MUST_PASS + MUST_FAIL + random_ids(40)
    results = probe.run(
        "household_archive", [("answer", "/data/household/head_id", n) for n in cases]
    )
    got = dict(zip(cases, results, strict=True))
    expected = {n: "OK" if reference_id_ok(n) else "CONSTRAINT" for n in cases}
    assert got == expected
    assert all(got[n] == "OK" for n in MUST_PASS)
    assert all(got[n] == "CONSTRAINT" for n in MUST_FAIL)


def test_member_and_event_id_constraints_in_javarosa(probe: FormProbe) -> None:
    cases = MUST_PASS + MUST_FAIL
    archive = probe.run(
        "household_archive",
        [
            ("answer", "/data/household/head_id", "11010519491231002X"),
            ("repeat", "/data/members", "2"),
        ]
        + [("answer", "/data/members[2]/member_id", n) for n in cases]
        + [
            ("answer", "/data/members[2]/member_id", ""),  # optional for members after the head
            ("answer", "/data/members[1]/member_id", "440524188001010014"),  # not the head's
            ("answer", "/data/members[1]/member_id", "11010519491231002X"),
            ("answer", "/data/members[1]/member_id", ""),
        ],  # required for the head's row
    )
    assert archive[:2] == ["OK", "OK 1"]
    assert archive[2:-4] == ["OK" if reference_id_ok(n) else "CONSTRAINT" for n in cases]
    assert archive[-4:] == ["OK", "CONSTRAINT", "OK", "REQUIRED"]
    event = probe.run("major_event", [("answer", "/data/event/member_id", n) for n in cases])
    assert event == ["OK" if reference_id_ok(n) else "CONSTRAINT" for n in cases]


Step = tuple[tuple[str, ...], str | None]


def run_steps(probe: FormProbe, form_id: str, steps: list[Step]) -> list[str]:
    """Run (command, expected) pairs; None means "any result". Fails listing every mismatch."""
    results = probe.run(form_id, [command for command, _ in steps])
    wrong = [
        (command, expected, got)
        for (command, expected), got in zip(steps, results, strict=True)
        if expected is not None and got != expected
    ]
    assert wrong == []
    return results


def test_per_capita_net_income(probe: FormProbe) -> None:
    income = "/data/income"
    steps: list[Step] = [
        (("repeat", "/data/members", "3"), "OK 2"),
        (("answer", f"{income}/wage_income", "12000.5"), "OK"),
        (("answer", f"{income}/production_income", "8000"), "OK"),
        (("answer", f"{income}/property_income", "300"), "OK"),
        (("answer", f"{income}/transfer_income", "2400"), "OK"),
        (("answer", f"{income}/production_costs", "3000"), "OK"),
        (("answer", f"{income}/production_costs", "-1"), "CONSTRAINT"),
        (("eval", f"{income}/household_size"), "= 3"),
        (("eval", f"{income}/net_income"), "= 19700.5"),
        # (12000.5 + 8000 + 300 + 2400 - 3000) / 3 members
        (("eval", f"{income}/per_capita_net_income"), "= 6566.83"),
        (("repeat", "/data/members", "4"), "OK 1"),
        (("eval", f"{income}/per_capita_net_income"), "= 4925.13"),  # 4925.125
    ]
    run_steps(probe, "household_archive", steps)


def test_household_archive_rules(probe: FormProbe) -> None:
    a, m1, m2 = "answer", "/data/members[1]", "/data/members[2]"
    steps: list[Step] = [
        ((a, "/data/area/town", "440233100000"), "OK"),
        ((a, "/data/area/village", "440233100201"), "OK"),
        (("eval", "/data/area/village_label"), "= 梁坝村"),
        (("eval", "/data/area/town_label"), "= 黄磜镇"),
        (("eval", "count(instance('villages')/root/item[town = /data/area/town])"), "= 2"),
        ((a, "/data/household/phone", "13812345678"), "OK"),
        ((a, "/data/household/phone", "1381234567"), "CONSTRAINT"),
        ((a, "/data/household/phone", "23812345678"), "CONSTRAINT"),
        ((a, "/data/household/household_type", "unstable_formerly_poor"), "OK"),
        ((a, "/data/household/household_kind", "ordinary"), "CONSTRAINT"),
        ((a, "/data/household/household_kind", "formerly_poor"), "OK"),
        ((a, "/data/household/head_name", "张三"), "OK"),
        ((a, "/data/household/head_id", "11010519491231002X"), "OK"),
        (("repeat", "/data/members", "2"), "OK 1"),
        ((a, f"{m1}/member_name", "李四"), "CONSTRAINT"),  # first member is the head
        ((a, f"{m1}/member_name", "张三"), "OK"),
        ((a, f"{m1}/relation", "10"), "CONSTRAINT"),
        ((a, f"{m1}/relation", "01"), "OK"),
        ((a, f"{m2}/relation", "01"), "CONSTRAINT"),
        ((a, f"{m2}/relation", "10"), "OK"),
        ((a, f"{m2}/member_id", "440524188001010014"), "OK"),
        ((a, f"{m2}/sex", "female"), "CONSTRAINT"),  # 17th digit 1: male
        ((a, f"{m2}/sex", "male"), "OK"),
        ((a, f"{m2}/birth_date", "1880-01-02"), "CONSTRAINT"),  # ID says 1880-01-01
        ((a, f"{m2}/birth_date", "1880-01-01"), "OK"),
        ((a, f"{m2}/health", "healthy chronic"), "CONSTRAINT"),
        ((a, f"{m2}/health", "chronic disability"), "OK"),
        (
            (
                a,
                "/data/risk/risk_causes",
                "illness disability schooling accident lack_of_labour drinking_water",
            ),
            "CONSTRAINT",
        ),  # at most five
        ((a, "/data/risk/risk_causes", "illness disability"), "OK"),
        ((a, "/data/indicators/housing/housing_grade", "C"), "OK"),
        ((a, "/data/indicators/housing/housing_ok", "yes"), "CONSTRAINT"),
        ((a, "/data/indicators/housing/housing_ok", "no"), "OK"),
    ]
    run_steps(probe, "household_archive", steps)


def test_bayou_gaps_follow_the_one_list(probe: FormProbe) -> None:
    steps: list[Step] = [
        (("answer", "/data/bayou/bayou_all_met", "no"), "OK"),
        (("answer", "/data/bayou/bayou_unmet", "road tv"), "OK"),
        (("list",), None),  # walking the form creates the repeat_count instances, as Collect does
        (("eval", "count(/data/bayou/bayou_gaps)"), "= 2"),
        (("eval", "join(',', /data/bayou/bayou_gaps/bayou_item)"), "= road,tv"),
        (("eval", "join(',', /data/bayou/bayou_gaps/bayou_item_label)"), "= 有路通自然村,有电视看"),
    ]
    run_steps(probe, "assistance_visit", steps)


def test_visit_looks_up_the_household_from_the_csv(probe: FormProbe) -> None:
    a, t = "answer", "/data/target"
    steps: list[Step] = [
        ((a, f"{t}/village", "440233100201"), "OK"),
        (("eval", f"count(instance('households')/root/item[village = {t}/village])"), "= 2"),
        ((a, f"{t}/household", "H440233100201-0001"), "OK"),
        (("eval", f"{t}/head_name"), "= 张三"),
        (("eval", f"{t}/household_type"), "= marginal_at_risk"),
        (("eval", f"{t}/household_type_label"), "= 边缘易致贫户"),
        (("eval", f"{t}/household_kind_label"), "= 普通农户"),
        (("eval", f"{t}/archive_no"), "= 440233100201-2020-001"),
        (("eval", f"{t}/member_count"), "= 4"),
        (("eval", f"{t}/last_visit_on"), "= 2026-11-12"),
        (("eval", "/data/meta/instanceName"), None),
        ((a, "/data/visit/visit_date", "2099-01-01"), "CONSTRAINT"),
        ((a, "/data/major_event/major_event_found", "no"), "OK"),
        (("list",), None),
        ((a, "/data/major_event/major_event_found", "yes"), "OK"),
        (("list",), None),
    ]
    results = run_steps(probe, "assistance_visit", steps)
    assert results[10].startswith("= 张三 ")
    assert "/data/major_event/event_type" not in results[13]
    assert "/data/major_event/event_type" in results[15]
    assert "/data/major_event/event_cost" in results[15]


def test_major_event_dates_and_phone(probe: FormProbe) -> None:
    a = "answer"
    steps: list[Step] = [
        ((a, "/data/event/event_date", "2026-03-10"), "OK"),
        ((a, "/data/event/discovered_on", "2026-03-09"), "CONSTRAINT"),
        ((a, "/data/event/discovered_on", "2026-03-10"), "OK"),
        ((a, "/data/event/event_date", "2099-01-01"), "CONSTRAINT"),
        ((a, "/data/reporter/reporter_phone", "1391234567"), "CONSTRAINT"),
        ((a, "/data/reporter/reporter_phone", "13912345678"), "OK"),
    ]
    run_steps(probe, "major_event", steps)
