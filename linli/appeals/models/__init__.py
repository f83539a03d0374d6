"""Appeal models, one module per topic: the catalogue, handlers, the appeal, projects."""

from linli.appeals.models.appeal import (
    Appeal,
    AppealExtension,
    AppealPhoto,
    AppealQuerySet,
    AppealTransition,
    liaison_department_ids,
)
from linli.appeals.models.catalogue import Category, TimeLimit
from linli.appeals.models.handlers import Department, DepartmentLiaison
from linli.appeals.models.projects import Milestone, Project

__all__ = [
    "Appeal",
    "AppealExtension",
    "AppealPhoto",
    "AppealQuerySet",
    "AppealTransition",
    "Category",
    "Department",
    "DepartmentLiaison",
    "Milestone",
    "Project",
    "TimeLimit",
    "liaison_department_ids",
]
