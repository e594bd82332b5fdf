"""Web forms of the admin pages. Labels are in the page's language (lazy gettext); the choices
of roles, duties, areas and forms are filled by the views, labelled by the one labels module."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, Length, Regexp

USERNAME = r"^[a-z0-9][a-z0-9_.-]{2,39}$"
# The create form offers the narrowest role first (its default).
WEB_ROLE_ORDER = ("village_committee", "town_reviewer", "county_admin", "department_viewer")


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _username() -> StringField:
    return StringField(
        _l("登录名"),
        validators=[
            DataRequired(),
            Regexp(USERNAME, message=_l("3–40 位小写字母、数字或 _.-")),
        ],
    )


class AppUserCreateForm(FlaskForm):
    username = _username()
    display_name = StringField(_l("干部姓名"), validators=[DataRequired(), Length(max=100)])
    role = SelectField(_l("角色"))
    area_code = SelectField(_l("所在村或镇"), validators=[DataRequired()])
    form_ids = MultiCheckboxField(_l("可用表单"), validators=[DataRequired()])


class ConfirmForm(FlaskForm):
    """A button that changes something: only its CSRF token matters."""


class WebUserCreateForm(FlaskForm):
    username = _username()
    display_name = StringField(_l("姓名"), validators=[DataRequired(), Length(max=100)])
    role = SelectField(_l("角色"))
    area_code = SelectField(_l("所在村或镇"), validate_choice=False)
    department = SelectField(_l("部门"), validate_choice=False)
