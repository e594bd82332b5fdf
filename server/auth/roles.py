"""The roles and departments users are given (pure: the vocabulary, not who may do what —
that is `access.policy`)."""

from __future__ import annotations

APP_USER_ROLES = ("village_cadre", "town_cadre")
WEB_USER_ROLES = ("county_admin", "town_reviewer", "village_committee", "department_viewer")
WEB_ROLE_LABELS = {
    "county_admin": "县级管理员 County administrator",
    "town_reviewer": "镇级审核员 Town reviewer",
    "village_committee": "村委会 Village committee",
    "department_viewer": "部门查看 Department viewer",
}
# A department viewer's duty decides the households and sections it sees (access.policy).
DEPARTMENTS = {
    "civil_affairs": "民政 Civil affairs",
    "medical_security": "医保 Medical security",
    "health": "卫健 Health commission",
    "housing": "住建 Housing",
    "education": "教育 Education",
}
