"""The login-tickets answer, declared once: api_routes.py builds it, openapi.py describes it from here."""

from __future__ import annotations

from typing import Annotated, Literal, NotRequired

from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict  # pydantic reads typing's own only from Python 3.12

CLOSED = ConfigDict(extra="forbid")
GapCode = Literal["no_active_assignment", "no_competence_role", "role_not_in_catalogue",
                  "role_not_linked_to_assigned_unit", "unit_without_linked_role", "other"]


@with_config(CLOSED)
class TicketEmployee(TypedDict):
    id: int
    full_name: str


@with_config(CLOSED)
class TicketChoice(TypedDict):
    unit_id: int
    unit: Annotated[str, Field(description="The unit's name.")]
    hsa_id: Annotated[str, Field(examples=["SE2321000198-E1KA"])]
    role: Annotated[str, Field(examples=["Kardiologi / Sjuksköterska / Hjärtsvikt"],
                               description="Specialty / Profession / Capability (the capability may be absent).")]


@with_config(CLOSED)
class TicketGap(TypedDict):
    code: GapCode
    message: Annotated[str, Field(description="For people, in the caller's language.")]
    params: Annotated[dict[str, str], Field(description="What the message names: role, unit, hsa_id.")]


@with_config(CLOSED)
class LoginTickets(TypedDict):
    employee: TicketEmployee
    today: Annotated[str, Field(json_schema_extra={"format": "date"},
                                description="The day the tickets hold for, in the employee's calendar.")]
    choices: Annotated[list[TicketChoice], Field(description="One per unit of an active assignment and role "
                                                             "linked to it.")]
    gaps: Annotated[list[TicketGap], Field(description="Why an assignment or a role gives no choice.")]


@with_config(CLOSED)
class UnitManagerChange(TypedDict):
    manager_user_id: Annotated[int, Field(ge=1, description="A user with the role manager in the unit's care area.")]


@with_config(CLOSED)
class UnitManager(TypedDict):
    unit_id: int
    manager_user_id: int


@with_config(CLOSED)
class EmployeeUnitChange(TypedDict):
    unit_id: Annotated[int, Field(ge=1, description="A unit (with an HSA-id) the caller administers.")]
    manager_user_id: Annotated[NotRequired[int | None],
                               Field(ge=1, description="The employee's own nearest manager, a manager of the unit's "
                                                       "care area; null or absent: the unit's manager.")]


@with_config(CLOSED)
class EmployeeUnit(TypedDict):
    employee_id: int
    unit_id: int
    manager_user_id: int | None
