"""Imports every feature's models, so that Alembic and the mapper see the whole schema."""

from server.areas.models import Area
from server.audit.models import AuditEvent
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
from server.printing.models import ArchiveNumber
from server.registry.models import (
    AssistanceMeasure,
    HelperAssignment,
    Household,
    HouseholdStatusChange,
    IndicatorObservation,
    MajorEvent,
    Membership,
    Person,
    Visit,
)
from server.review.models import ApprovalCase, ApprovalStep, ReviewComment, SubmissionReview

__all__ = [
    "AppUser",
    "AppUserForm",
    "ApprovalCase",
    "ApprovalStep",
    "ArchiveNumber",
    "Area",
    "AssistanceMeasure",
    "AuditEvent",
    "Base",
    "Blob",
    "Form",
    "FormAttachment",
    "FormVersion",
    "HelperAssignment",
    "Household",
    "HouseholdStatusChange",
    "IndicatorObservation",
    "MajorEvent",
    "Membership",
    "Person",
    "ReviewComment",
    "Submission",
    "SubmissionAttachment",
    "SubmissionIssue",
    "SubmissionReview",
    "SubmissionVersion",
    "Visit",
    "WarningCase",
    "WebUser",
]
