"""Imports every feature's models, so that Alembic and the mapper see the whole schema."""

from server.areas.models import Area
from server.auth.models import AppUser, AppUserForm, WebUser
from server.db import Base
from server.forms.models import Form, FormAttachment, FormVersion
from server.registry.models import Household

__all__ = [
    "AppUser",
    "AppUserForm",
    "Area",
    "Base",
    "Form",
    "FormAttachment",
    "FormVersion",
    "Household",
    "WebUser",
]
