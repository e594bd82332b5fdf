"""Imports every feature's models, so that Alembic and the mapper see the whole schema."""

from server.areas.models import Area
from server.auth.models import AppUser, AppUserForm, WebUser
from server.db import Base
from server.forms.models import Form, FormAttachment, FormVersion
from server.ingest.models import Blob, Submission, SubmissionAttachment, SubmissionVersion
from server.registry.models import Household

__all__ = [
    "AppUser",
    "AppUserForm",
    "Area",
    "Base",
    "Blob",
    "Form",
    "FormAttachment",
    "FormVersion",
    "Household",
    "Submission",
    "SubmissionAttachment",
    "SubmissionVersion",
    "WebUser",
]
