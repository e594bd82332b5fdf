"""Web forms of the admin pages."""

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, Length, Regexp


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class AppUserCreateForm(FlaskForm):
    username = StringField(
        "登录名 Username",
        validators=[
            DataRequired(),
            Regexp(
                r"^[a-z0-9][a-z0-9_.-]{2,39}$",
                message="3–40 位小写字母、数字或 _.- / 3–40 of a-z 0-9 _ . -",
            ),
        ],
    )
    display_name = StringField(
        "干部姓名 Cadre's name", validators=[DataRequired(), Length(max=100)]
    )
    role = SelectField(
        "角色 Role",
        choices=[
            SelectChoice("village_cadre", "村干部 Village cadre"),
            SelectChoice("town_cadre", "镇干部 Town cadre"),
        ],
    )
    area_code = SelectField("所在村或镇 Village or town", validators=[DataRequired()])
    form_ids = MultiCheckboxField("可用表单 Forms", validators=[DataRequired()])


class ConfirmForm(FlaskForm):
    """A button that changes something: only its CSRF token matters."""


class WebUserCreateForm(FlaskForm):
    username = StringField(
        "登录名 Username",
        validators=[
            DataRequired(),
            Regexp(
                r"^[a-z0-9][a-z0-9_.-]{2,39}$",
                message="3–40 位小写字母、数字或 _.- / 3–40 of a-z 0-9 _ . -",
            ),
        ],
    )
    display_name = StringField("姓名 Name", validators=[DataRequired(), Length(max=100)])
    role = SelectField(
        "角色 Role",
        choices=[
            SelectChoice("village_committee", "村委会 Village committee"),
            SelectChoice("town_reviewer", "镇级审核员 Town reviewer"),
            SelectChoice("county_admin", "县级管理员 County administrator"),
            SelectChoice("department_viewer", "部门查看 Department viewer"),
        ],
    )
    area_code = SelectField("所在村或镇 Village or town", validate_choice=False)
    department = SelectField("部门 Department", validate_choice=False)
