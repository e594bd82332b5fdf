"""Flask extensions shared by the web pages: CSRF protection."""

from flask_wtf import CSRFProtect

csrf = CSRFProtect()
