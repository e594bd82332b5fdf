import pytest

from server.areas.codes import XINFENG_FILE, AreaFileError, parse_area_file

HEADER = "code,parent_code,level,name,name_en,alt_names,urban_rural_class,valid_from,valid_to\n"


def test_the_xinfeng_file_has_one_county_seven_towns_and_both_spellings_of_huangqi():
    rows = parse_area_file(XINFENG_FILE.read_text(encoding="utf-8"))
    towns_2020 = [r for r in rows if r.level == "town" and r.valid_in(2020)]
    assert len(towns_2020) == 7
    huangqi = {r.valid_from: r for r in rows if r.code == "440233100000"}
    assert huangqi[2019].name == "黄礤镇" and huangqi[2019].valid_to == 2019
    assert huangqi[2020].name == "黄磜镇" and "黄礤镇" in huangqi[2020].alt_names
    assert not huangqi[2019].valid_in(2021)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("44023310020,440233100000,village,甲村,,,,2019,", "12-digit"),
        ("440233100201,440233100000,hamlet,甲村,,,,2019,", "level"),
        ("440233100000,440233000000,village,甲村,,,,2019,", "shape of a town"),
        ("440233100201,440233100000,village,甲村,,,,twenty,", "years"),
        ("440233100201,440233999000,village,甲村,,,,2019,", "parent"),
        ("440233100201,440233100000,village,,,,,2019,", "name is empty"),
    ],
)
def test_a_bad_row_is_refused_naming_the_problem(line, problem):
    text = (
        HEADER
        + "440233000000,,county,新丰县,,,,2019,\n"
        + "440233100000,440233000000,town,黄磜镇,,,,2019,\n"
        + line
        + "\n"
    )
    with pytest.raises(AreaFileError, match=problem):
        parse_area_file(text)


def test_a_village_must_lie_under_its_town():
    text = (
        HEADER
        + "440233000000,,county,新丰县,,,,2019,\n"
        + "440233100000,440233000000,town,黄磜镇,,,,2019,\n"
        + "440233101000,440233000000,town,马头镇,,,,2019,\n"
        + "440233100201,440233101000,village,梁坝村,,,,2019,\n"
    )
    with pytest.raises(AreaFileError, match="does not lie under"):
        parse_area_file(text)
