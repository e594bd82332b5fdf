"""Imports every feature's models, so that Alembic and the mapper see the whole schema."""

from server.areas.models import Area
from server.auth.models import AppUser, AppUserForm, WebUser
from server.db import Base
from server.forms.models import Form, FormAttachment, FormVersion
from server.ingest.models import (
    Blob,
    Submission,
    SubmissionAttachment,
    SubmissionIssue,
    SubmissionVersion,
)
from server.monitoring.models import WarningCase
from server.registry.models import (
    AssistanceMeasure,
    HelperAssignment,
    Household,
    IndicatorObservation,
    MajorEvent,
    Membership,
    Person,
    Visit,
)

__all__ = [
    "AppUser",
    "AppUserForm",
    "Area",
    "AssistanceMeasure",
    "Base",
    "Blob",
    "Form",
    "FormAttachment",
    "FormVersion",
    "HelperAssignment",
    "Household",
    "IndicatorObservation",
    "MajorEvent",
    "Membership",
    "Person",
    "Submission",
    "SubmissionAttachment",
    "SubmissionIssue",
    "SubmissionVersion",
    "Visit",
    "WarningCase",
    "WebUser",
]
