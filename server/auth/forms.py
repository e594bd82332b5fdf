"""Web forms of the auth feature (WTForms: validation and CSRF tokens); labels in the page's
language (flask_babel's lazy gettext: read when the form is drawn)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from server.auth.passwords import MIN_LENGTH


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(), Length(max=40)])
    password = PasswordField(_l("密码"), validators=[DataRequired(), Length(max=200)])


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("当前密码"), validators=[DataRequired()])
    # What makes a good new password is decided in one place, auth/passwords.py.
    new = PasswordField(
        _l("新密码"),
        validators=[DataRequired()],
        description=_l(
            "至少 %(count)s 个字符，可用中文和空格；"
            "不能用常见密码、重复或连续的字符，不能包含用户名",
            count=MIN_LENGTH,
        ),
    )
    repeat = PasswordField(
        _l("重复新密码"),
        validators=[DataRequired(), EqualTo("new", message=_l("两次输入不一致"))],
    )
