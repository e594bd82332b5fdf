"""What each county form says, by field name: marshmallow schemas for stage 2 of normalisation.

The class attribute names ARE the XLSForm field names (`name` column); `attribute` says where
the value goes in the loaded dict, in the words of server/registry/records.py (a dotted
attribute builds a nested dict: `income.wages`). Values arrive already typed by stage 1
(server/ingest/normalize.py), so the fields here check types and codes, they do not parse text.
A test checks every name below against the compiled forms: renaming a question in the XLSForm
fails that test instead of silently dropping the answer.
"""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from server.registry.records import GeoPoint

MET = ("yes", "no")
MET_NA = ("yes", "no", "na")
MEASURE_FAMILIES = ("industry", "employment", "social_protection", "motivation", "other")
EVENT_TYPES = ("serious_illness", "major_injury", "supporter_death", "disaster", "other")


class Codes(fields.Field):
    """A select_multiple answer: a tuple of choice codes (stage 1 split it on whitespace)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> tuple:
        if not isinstance(value, tuple | list) or not all(isinstance(v, str) for v in value):
            raise ValidationError("Not a list of codes.")
        return tuple(value)


class GeoPointField(fields.Field):
    """A geopoint answer, already parsed by stage 1."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> GeoPoint:
        if not isinstance(value, GeoPoint):
            raise ValidationError("Not a geopoint.")
        return value


def _text(attribute: str | None = None, *, required: bool = False, **kw: Any) -> fields.Str:
    if required:
        return fields.Str(attribute=attribute, required=True, **kw)
    return fields.Str(attribute=attribute, load_default=None, allow_none=True, **kw)


def _choice(codes: tuple[str, ...], attribute: str | None = None) -> fields.Str:
    return _text(attribute, validate=validate.OneOf(codes))


def _date(attribute: str | None = None) -> fields.Date:
    return fields.Date(attribute=attribute, load_default=None, allow_none=True)


def _decimal(attribute: str | None = None) -> fields.Decimal:
    return fields.Decimal(attribute=attribute, load_default=None, allow_none=True)


def _codes(attribute: str | None = None) -> Codes:
    return Codes(attribute=attribute, load_default=(), allow_none=False)


def _geopoint(attribute: str | None = None) -> GeoPointField:
    return GeoPointField(attribute=attribute, load_default=None, allow_none=True)


def _file(attribute: str | None = None) -> fields.Str:
    """An attachment: the bare file name (openrosa.md §6.3)."""
    return _text(attribute)


def _rows(schema: type[Schema], attribute: str | None = None) -> fields.List:
    return fields.List(fields.Nested(schema), attribute=attribute, load_default=list)


class _FormIn(Schema):
    """Every county form: the metadata preloads. Unknown keys (calculations, notes) are ignored."""

    class Meta:
        unknown = EXCLUDE

    start = fields.AwareDateTime(load_default=None, allow_none=True)
    end = fields.AwareDateTime(load_default=None, allow_none=True)
    today = _date()  # the phone's date: an ID's birth date may not be later


class BayouGapIn(Schema):
    class Meta:
        unknown = EXCLUDE

    bayou_item = _text("item")
    bayou_item_detail = _text("detail")


class _IndicatorsIn(_FormIn):
    """两不愁三保障, drinking water and 八有: the groups both household_archive and
    assistance_visit ask, with the same names."""

    food_ok = _choice(MET, "indicators.food.state")
    food_detail = _text("indicators.food.detail")
    clothing_ok = _choice(MET, "indicators.clothing.state")
    clothing_detail = _text("indicators.clothing.detail")
    education_ok = _choice(MET_NA, "indicators.education.state")
    education_detail = _text("indicators.education.detail")
    medical_ok = _choice(MET, "indicators.medical.state")
    medical_detail = _text("indicators.medical.detail")
    housing_ok = _choice(MET, "indicators.housing.state")
    housing_detail = _text("indicators.housing.detail")
    water_quantity_ok = _choice(MET, "indicators.water_quantity.state")
    water_quality_ok = _choice(MET, "indicators.water_quality.state")
    water_convenience_ok = _choice(MET, "indicators.water_convenience.state")
    water_reliability_ok = _choice(MET, "indicators.water_reliability.state")
    water_detail = _text()  # one explanation for the four water criteria
    bayou_all_met = _choice(MET)
    bayou_unmet = _codes()
    bayou_gaps = _rows(BayouGapIn)


class MemberIn(Schema):
    class Meta:
        unknown = EXCLUDE

    member_name = _text("name", required=True)
    member_id = _text("id_number")
    relation = _text()
    sex = _choice(("male", "female"))
    birth_date = _date()
    health = _codes()
    disability_grade = _text()
    disability_cert_no = _text()
    schooling = _text()
    school_grade = _text()
    education = _text()
    labour = _text()
    work_status = _text()
    work_months = fields.Integer(strict=True, load_default=None, allow_none=True)
    insurance = _codes()
    benefits = _codes()


class IdentificationIn(_IndicatorsIn):
    """household_archive (户识别建档)."""

    village = _text("village_code", required=True)
    natural_village = _text()
    address = _text()
    location = _geopoint()
    household_type = _text(required=True)
    household_type_other = _text()
    household_kind = _text(required=True)
    identified_on = _date()
    head_name = _text(required=True)
    head_id = _text("head_id_number")
    phone = _text()
    members = _rows(MemberIn)
    wage_income = _decimal("income.wages")
    production_income = _decimal("income.production")
    property_income = _decimal("income.property")
    transfer_income = _decimal("income.transfers")
    production_costs = _decimal("income.production_costs")
    rigid_spending = _decimal("income.rigid_spending")
    income_note = _text("income.note")
    per_capita_net_income = _decimal("form_per_capita_net")  # the form's own calculation
    risk_causes = _codes()
    main_risk = _text()
    risk_description = _text()
    party_secretary_name = _text("helpers.party_secretary.name")
    party_secretary_phone = _text("helpers.party_secretary.phone")
    first_secretary_name = _text("helpers.first_secretary.name")
    first_secretary_phone = _text("helpers.first_secretary.phone")
    team_leader_name = _text("helpers.team_leader.name")
    team_leader_phone = _text("helpers.team_leader.phone")
    contact_name = _text("helpers.contact.name")
    contact_phone = _text("helpers.contact.phone")
    contact_unit = _text("helpers.contact.unit")
    house_photo = _file()
    head_signature = _file()
    collector_name = _text()
    collector_phone = _text()


class MeasureIn(Schema):
    class Meta:
        unknown = EXCLUDE

    measure_family = _choice(MEASURE_FAMILIES, "family")
    measure_detail = _text("detail")
    measure_status = _text("status")
    measure_amount = _decimal("amount")


class PhotoIn(Schema):
    class Meta:
        unknown = EXCLUDE

    photo = _file()


class VisitIn(_IndicatorsIn):
    """assistance_visit (帮扶工作表)."""

    household = _text("household_code", required=True)
    visit_date = _date("visited_on")
    visitor_name = _text()
    visitor_role = _text()
    visitor_phone = _text()
    visit_mode = _text("mode")
    met_person = _text()
    met_name = _text()
    change_categories = _codes()
    change_detail = _text()
    risk_trend = _text()
    new_risks = _codes()
    difficulties = _text()
    measures = _rows(MeasureIn)
    earlier_measures = _text()
    major_event_found = _choice(MET)
    event_type = _choice(EVENT_TYPES, "event.event_type")
    event_type_other = _text("event.event_type_other")
    event_date = _date("event.occurred_on")
    event_description = _text("event.description")
    event_cost = _decimal("event.estimated_cost")
    photos = _rows(PhotoIn)
    visit_location = _geopoint("location")
    member_signature = _file()
    visitor_signature = _file()


class EventReportIn(_FormIn):
    """major_event (重大变故事项报告)."""

    household = _text("household_code", required=True)
    member_name = _text("event.member_name")
    member_relation = _text("event.member_relation")
    member_id = _text("event.member_id_number")
    event_type = fields.Str(
        attribute="event.event_type", required=True, validate=validate.OneOf(EVENT_TYPES)
    )
    event_type_other = _text("event.event_type_other")
    event_date = _date("event.occurred_on")
    discovered_on = _date("event.discovered_on")
    description = _text("event.description")
    estimated_cost = _decimal("event.estimated_cost")
    situation = _codes("event.situation")
    situation_detail = _text("event.situation_detail")
    help_needed = _text("event.help_needed")
    measures_taken = _text("event.measures_taken")
    departments = _codes("event.departments")
    reporter_name = _text("event.reporter_name")
    reporter_phone = _text("event.reporter_phone")
    photo = _file()


SCHEMAS: dict[str, type[Schema]] = {
    "household_archive": IdentificationIn,
    "assistance_visit": VisitIn,
    "major_event": EventReportIn,
}
