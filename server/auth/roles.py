"""The roles and departments users are given (pure: the codes, not who may do what — that is
`access.policy` — nor how they read: the lists `web_role`, `app_role` and `duty` of the one
labels file, core/data/labels.toml)."""

from __future__ import annotations

APP_USER_ROLES = ("village_cadre", "town_cadre")
WEB_USER_ROLES = ("county_admin", "town_reviewer", "village_committee", "department_viewer")
# A department viewer's duty decides the households and sections it sees (access.policy).
DEPARTMENTS = ("civil_affairs", "medical_security", "health", "housing", "education")
