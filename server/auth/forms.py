"""Web forms of the auth feature (WTForms: validation and CSRF tokens)."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from server.auth.passwords import RULES


class LoginForm(FlaskForm):
    username = StringField("用户名 Username", validators=[DataRequired(), Length(max=40)])
    password = PasswordField("密码 Password", validators=[DataRequired(), Length(max=200)])


class PasswordChangeForm(FlaskForm):
    current = PasswordField("当前密码 Current password", validators=[DataRequired()])
    # What makes a good new password is decided in one place, auth/passwords.py.
    new = PasswordField("新密码 New password", validators=[DataRequired()], description=RULES)
    repeat = PasswordField(
        "重复新密码 Repeat the new password",
        validators=[DataRequired(), EqualTo("new", message="两次输入不一致 / the two differ")],
    )
