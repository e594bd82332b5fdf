"""Web forms of the review workspace (WTForms: validation and CSRF tokens).

The labels a person reads are written in the templates (`_()`, one language per page); the
texts here only name the fields.
"""

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import Length, Optional


class ReviewForm(FlaskForm):
    state = SelectField(
        "审核状态",
        choices=[
            SelectChoice(value, value)
            for value in ("", "approved", "has_issues", "rejected", "received")
        ],
        validators=[Optional()],
    )
    comment = TextAreaField("意见", validators=[Length(max=4000)])


class RevealForm(FlaskForm):
    what = HiddenField(default="ids")


class ExportForm(FlaskForm):
    """A button: only its CSRF token matters."""


class ProposalForm(FlaskForm):
    kind = HiddenField()
    publicity_start = DateField("公示开始", validators=[Optional()])
    publicity_end = DateField("公示结束", validators=[Optional()])
    comment = TextAreaField("村民主评议意见", validators=[Length(max=4000)])


class DecisionForm(FlaskForm):
    case_id = HiddenField()
    decision = HiddenField()
    comment = TextAreaField("意见", validators=[Length(max=4000)])


class MoveForm(FlaskForm):
    to_village = HiddenField()
    reason = TextAreaField("迁移原因", validators=[Length(max=500)])
