"""Web forms of the review workspace (WTForms: validation and CSRF tokens)."""

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import Length, Optional


class ReviewForm(FlaskForm):
    state = SelectField(
        "审核状态 Review state",
        choices=[
            SelectChoice("", "（不改变 unchanged）"),
            SelectChoice("approved", "通过 Approved"),
            SelectChoice("has_issues", "有问题，退回修改 Has issues"),
            SelectChoice("rejected", "驳回 Rejected"),
            SelectChoice("received", "重置为已接收 Received"),
        ],
        validators=[Optional()],
    )
    comment = TextAreaField("意见 Comment", validators=[Length(max=4000)])


class RevealForm(FlaskForm):
    what = HiddenField(default="ids")


class ExportForm(FlaskForm):
    """A button: only its CSRF token matters."""


class ProposalForm(FlaskForm):
    kind = HiddenField()
    publicity_start = DateField("公示开始 Publicity from", validators=[Optional()])
    publicity_end = DateField("公示结束 Publicity until", validators=[Optional()])
    comment = TextAreaField("村民主评议意见 Village review note", validators=[Length(max=4000)])


class DecisionForm(FlaskForm):
    case_id = HiddenField()
    decision = HiddenField()
    comment = TextAreaField("意见 Comment", validators=[Length(max=4000)])


class MoveForm(FlaskForm):
    to_village = HiddenField()
    reason = TextAreaField("迁移原因 Reason", validators=[Length(max=500)])
