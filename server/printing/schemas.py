"""What printing reads from the registry, as marshmallow Out-schemas (explicit field lists).

Dumped dicts are what `printing.documents` builds print data from: dates as ISO strings, money
as strings, JSON columns as they are. Only the fields listed here can reach paper.
"""

from __future__ import annotations

from marshmallow import Schema, fields


class HouseholdOut(Schema):
    id = fields.Integer()
    code = fields.String()
    village_code = fields.String()
    head_name = fields.String()
    head_id_number = fields.String(allow_none=True)  # printed only on the archive record
    head_phone = fields.String(allow_none=True)
    household_type = fields.String()
    household_type_other = fields.String(allow_none=True)
    household_kind = fields.String()
    status = fields.String()
    identified_on = fields.Date(allow_none=True)
    natural_village = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    member_count = fields.Integer()
    archive_no = fields.String(allow_none=True)
    risk_causes = fields.List(fields.String())
    main_risk = fields.String(allow_none=True)
    risk_description = fields.String(allow_none=True)
    income = fields.Dict()
    per_capita_net_income = fields.Decimal(as_string=True, allow_none=True)
    source_version_id = fields.Integer(allow_none=True)


class MemberOut(Schema):
    """A member as the registry's read API gives it (registry.facts.MemberFacts)."""

    name = fields.String()
    id_number = fields.String(allow_none=True)
    relation = fields.String(allow_none=True)
    sex = fields.String(allow_none=True)
    birth_date = fields.Date(allow_none=True)
    health = fields.List(fields.String())
    disability_grade = fields.String(allow_none=True)
    schooling = fields.String(allow_none=True)
    education = fields.String(allow_none=True)
    labour = fields.String(allow_none=True)
    work_status = fields.String(allow_none=True)
    insurance = fields.List(fields.String())
    benefits = fields.List(fields.String())


class HelperOut(Schema):
    role = fields.String()
    name = fields.String()
    phone = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    started_on = fields.Date(allow_none=True)
    ended_on = fields.Date(allow_none=True)


class MeasureOut(Schema):
    visit_id = fields.Integer(allow_none=True)
    recorded_on = fields.Date(allow_none=True)
    family = fields.String()
    detail = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    amount = fields.Decimal(as_string=True, allow_none=True)


class IndicatorOut(Schema):
    visit_id = fields.Integer(allow_none=True)
    code = fields.String()
    state = fields.String()
    detail = fields.String(allow_none=True)


class VisitOut(Schema):
    id = fields.Integer()
    source_version_id = fields.Integer()
    visited_on = fields.Date(allow_none=True)
    visitor_name = fields.String(allow_none=True)
    visitor_role = fields.String(allow_none=True)
    mode = fields.String(allow_none=True)
    met_person = fields.String(allow_none=True)
    met_name = fields.String(allow_none=True)
    change_categories = fields.List(fields.String())
    change_detail = fields.String(allow_none=True)
    risk_trend = fields.String(allow_none=True)
    new_risks = fields.List(fields.String())
    difficulties = fields.String(allow_none=True)
    earlier_measures = fields.String(allow_none=True)
    files = fields.Dict()


class EventOut(Schema):
    id = fields.Integer()
    household_id = fields.Integer()
    source_version_id = fields.Integer()
    event_type = fields.String()
    occurred_on = fields.Date(allow_none=True)
    estimated_cost = fields.Decimal(as_string=True, allow_none=True)
    status = fields.String()
    details = fields.Dict()
    reported_at = fields.DateTime()


household_out = HouseholdOut()
member_out = MemberOut()
helper_out = HelperOut()
measure_out = MeasureOut()
indicator_out = IndicatorOut()
visit_out = VisitOut()
event_out = EventOut()
