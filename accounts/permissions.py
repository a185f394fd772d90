"""The whole access policy on one screen: which role may do which action, and the scope rules.

Every route names one of these actions (or ``PUBLIC``); a test walks the router and fails on a route
that names none. Services check again with the same table, so a forgotten route check is not a hole.
"""

from __future__ import annotations

from typing import Final

from app.kit.actors import Actor
from app.kit.i18n import _

PUBLIC: Final = "public"
# Anyone logged in, including a user who must still choose a new password.
SIGNED_IN: Final = "signed_in"

ACCOUNT_MANAGE_OWN: Final = "account.manage_own"
BOARD_VIEW: Final = "board.view"
BEDS_WRITE_OWN_HOSPITAL: Final = "beds.write_own_hospital"
# Limiting or closing a hospital or a section to ambulances (issue 21): its operators, and the administrators of the
# authority the hospital belongs to (``may_set_admission``).
ADMISSION_SET: Final = "beds.admission_set"
# Alert rules and their alerts (issue 21): a coordinator's own, an authority administrator's for the whole authority.
ALERTS_MANAGE: Final = "alerts.manage"
# Announcing an incoming patient to a hospital, and holding a bed for it (issue 22): the coordinators; the hospital's
# operators receive and acknowledge; both read the announcements within their reach (``app/beds/dispatch``).
DISPATCH_ANNOUNCE: Final = "dispatch.announce"
DISPATCH_RECEIVE: Final = "dispatch.receive"
DISPATCH_VIEW: Final = "dispatch.view"
USERS_MANAGE: Final = "users.manage"
NOMENCLATURE_IMPORT: Final = "nomenclature.import"
API_TOKENS_MANAGE: Final = "api_tokens.manage"
AUDIT_READ: Final = "audit.read"
OUTBOX_VIEW: Final = "outbox.view"
NOTIFICATIONS_READ: Final = "notifications.read"
LICENSES_REQUEST: Final = "licenses.request"
LICENSES_DECIDE: Final = "licenses.decide"
LICENSES_SUPPORT: Final = "licenses.support"
ROLES_OWN_TICKETS: Final = "roles.own_tickets"
ROLES_MANAGE_STAFF: Final = "roles.manage_staff"
ROLES_SUPPORT: Final = "roles.support"
ROLES_CATALOGUE_PROPOSE: Final = "roles.catalogue_propose"
ROLES_CATALOGUE_APPROVE: Final = "roles.catalogue_approve"
ROLES_CATALOGUE_STEWARD: Final = "roles.catalogue_steward"
# Reading catalogues, their versions and the staffing report: everyone who works with competence roles.
ROLES_CATALOGUE_READ: Final = "roles.catalogue_read"
# The IT-order module (seeds 002, 004): a clinic's or care provider's IT contact places orders and works
# their checklists; the region's or municipality's IT-order administrator keeps the catalogues.
ORDERS_PLACE: Final = "orders.place"
ORDERS_CATALOGUES: Final = "orders.catalogues"
# A member of a fulfilling group (the region's IT, KLK IT) takes and works the order tasks that wait on it.
ORDERS_FULFIL: Final = "orders.fulfil"

ROLE_ACTIONS: Final[dict[str, frozenset[str]]] = {
    "admin": frozenset(
        {ACCOUNT_MANAGE_OWN, BOARD_VIEW, USERS_MANAGE, NOMENCLATURE_IMPORT, API_TOKENS_MANAGE, AUDIT_READ,
         OUTBOX_VIEW, NOTIFICATIONS_READ, ADMISSION_SET, ALERTS_MANAGE}
    ),
    "coordinator": frozenset({ACCOUNT_MANAGE_OWN, BOARD_VIEW, ALERTS_MANAGE, DISPATCH_ANNOUNCE, DISPATCH_VIEW}),
    "operator": frozenset({ACCOUNT_MANAGE_OWN, BEDS_WRITE_OWN_HOSPITAL, ADMISSION_SET, DISPATCH_RECEIVE,
                           DISPATCH_VIEW}),
    "auditor": frozenset({ACCOUNT_MANAGE_OWN, BOARD_VIEW, AUDIT_READ}),
    # The licence module (seed 000): referents of communes and establishments ask, the digital-health
    # unit's officers decide, the help desk supports licences that exist.
    "referent": frozenset({ACCOUNT_MANAGE_OWN, NOTIFICATIONS_READ, LICENSES_REQUEST}),
    "license_officer": frozenset({ACCOUNT_MANAGE_OWN, NOTIFICATIONS_READ, LICENSES_DECIDE}),
    "helpdesk": frozenset({ACCOUNT_MANAGE_OWN, NOTIFICATIONS_READ, LICENSES_SUPPORT}),
    # The roles module (seed 001). Who may assign a competence role is narrower than any role: only the
    # employee's nearest manager, checked in the service.
    "employee": frozenset({ACCOUNT_MANAGE_OWN, NOTIFICATIONS_READ, ROLES_OWN_TICKETS}),
    "manager": frozenset({ACCOUNT_MANAGE_OWN, NOTIFICATIONS_READ, ROLES_OWN_TICKETS, ROLES_MANAGE_STAFF,
                          ROLES_CATALOGUE_PROPOSE, ROLES_CATALOGUE_READ}),
    "it_support": frozenset({ACCOUNT_MANAGE_OWN, NOTIFICATIONS_READ, ROLES_OWN_TICKETS, ROLES_SUPPORT,
                             ROLES_CATALOGUE_READ}),
    "catalogue_steward": frozenset({ACCOUNT_MANAGE_OWN, NOTIFICATIONS_READ, ROLES_CATALOGUE_STEWARD,
                                    ROLES_CATALOGUE_READ}),
    "catalogue_contact": frozenset({ACCOUNT_MANAGE_OWN, NOTIFICATIONS_READ, ROLES_CATALOGUE_PROPOSE,
                                    ROLES_CATALOGUE_READ}),
    "head_of_operations": frozenset({ACCOUNT_MANAGE_OWN, NOTIFICATIONS_READ, ROLES_CATALOGUE_APPROVE,
                                     ROLES_CATALOGUE_READ}),
    "it_contact": frozenset({ACCOUNT_MANAGE_OWN, NOTIFICATIONS_READ, ORDERS_PLACE}),
    "orders_admin": frozenset({ACCOUNT_MANAGE_OWN, NOTIFICATIONS_READ, ORDERS_CATALOGUES}),
    "it_fulfiller": frozenset({ACCOUNT_MANAGE_OWN, NOTIFICATIONS_READ, ORDERS_FULFIL}),
}

ROLE_LABELS: Final[dict[str, str]] = {
    "admin": _("Administrator"),
    "coordinator": _("Coordinator"),
    "operator": _("Hospital operator"),
    "auditor": _("Auditor"),
    "referent": _("Referent"),
    "license_officer": _("Licence officer"),
    "helpdesk": _("Help desk"),
    "employee": _("Employee"),
    "manager": _("Manager"),
    "it_support": _("IT support"),
    "catalogue_steward": _("Catalogue steward"),
    "catalogue_contact": _("Care area contact"),
    "head_of_operations": _("Head of operations"),
    "it_contact": _("IT contact"),
    "orders_admin": _("IT-order administrator"),
    "it_fulfiller": _("IT fulfiller"),
}

# Which roles belong to which kind of organisation (an operator always belongs to a hospital).
ROLE_ORGANISATION_KINDS: Final[dict[str, frozenset[str]]] = {
    # Administrators and auditors of the bed board's authorities, and of each provisioning tree's root
    # (accounts/trees.py: TREE_ROOT_KINDS): each manages or reads its own tree only.
    "admin": frozenset({"authority", "health_service", "region", "commune", "care_provider"}),
    "coordinator": frozenset({"authority"}),
    "auditor": frozenset({"authority", "health_service", "region", "commune", "care_provider"}),
    "operator": frozenset({"hospital"}),
    "referent": frozenset({"commune", "establishment"}),
    "license_officer": frozenset({"digital_health_unit"}),
    "helpdesk": frozenset({"digital_health_unit"}),
    "employee": frozenset({"unit"}),
    "manager": frozenset({"unit", "care_area"}),
    "it_support": frozenset({"region"}),
    "catalogue_steward": frozenset({"region"}),
    "catalogue_contact": frozenset({"care_area"}),
    "head_of_operations": frozenset({"care_area"}),
    "it_contact": frozenset({"unit", "care_provider"}),
    "orders_admin": frozenset({"region", "commune"}),
    "it_fulfiller": frozenset({"region", "commune"}),
}

KNOWN_ACTIONS: Final = frozenset({PUBLIC, SIGNED_IN}).union(*ROLE_ACTIONS.values())


def actions_of(roles: frozenset[str]) -> frozenset[str]:
    return frozenset().union(*(ROLE_ACTIONS.get(role, frozenset()) for role in roles))


# What only the bed board's people do: an administrator or auditor of a health service, a region, a commune or a
# care provider holds the same role as an authority's but works on its own tree, not on the Romanian board, its
# nomenclature or its hospitals' tokens.
BED_BOARD_ACTIONS: Final = frozenset({BOARD_VIEW, NOMENCLATURE_IMPORT, API_TOKENS_MANAGE, ADMISSION_SET,
                                      ALERTS_MANAGE, DISPATCH_ANNOUNCE, DISPATCH_RECEIVE, DISPATCH_VIEW})
BED_BOARD_KINDS: Final = frozenset({"authority", "hospital"})


def may(actor: Actor, action: str) -> bool:
    if action == PUBLIC:
        return True
    if not actor.is_authenticated:
        return False
    if action == SIGNED_IN:
        return True
    if action in BED_BOARD_ACTIONS and actor.organisation_kind not in BED_BOARD_KINDS:
        return False
    return action in actions_of(actor.roles)


# The ministry: it may take over any hospital operator or API token, and owns those whose owner was never
# recorded (made from the command line before owners existed).
MINISTRY_CODE: Final = "MS"


def owns(actor: Actor, owner_organisation_id: int | None) -> bool:
    """Whether the actor's authority owns a hospital operator or an API token (only its admins manage it)."""
    if actor.organisation_kind != "authority":
        return False
    if owner_organisation_id is None:
        return actor.organisation_code == MINISTRY_CODE
    return actor.organisation_id == owner_organisation_id


def may_take_ownership(actor: Actor, action: str) -> bool:
    """Only the ministry's administrators take an operator (``USERS_MANAGE``) or a token (``API_TOKENS_MANAGE``)
    over from another authority, and each taking is audited."""
    return may(actor, action) and actor.organisation_kind == "authority" and actor.organisation_code == MINISTRY_CODE


def may_see_user(admin: Actor, target_organisation_id: int, target_organisation_kind: str) -> bool:
    """An authority admin sees its own authority's users and every hospital user, with the owner of each."""
    if not may(admin, USERS_MANAGE) or admin.organisation_kind != "authority":
        return False
    return target_organisation_kind == "hospital" or target_organisation_id == admin.organisation_id


def may_manage_user(admin: Actor, target_organisation_id: int, target_organisation_kind: str,
                    target_parent_id: int | None, owner_organisation_id: int | None) -> bool:
    """An authority admin manages its own authority's users and the hospital users its authority owns, never
    another authority's.

    The seed: "SAMB administrators may not add, change or delete users other than those of SAMB or of
    hospitals". A hospital operator has one owning authority (the one that made it, or the ministry after it
    took ownership): otherwise any authority could reset an operator's password and so take the account over.
    """
    if not may_see_user(admin, target_organisation_id, target_organisation_kind):
        return False
    if target_organisation_kind == "hospital":
        return owns(admin, owner_organisation_id)
    return target_organisation_id == admin.organisation_id


def may_write_hospital(actor: Actor, hospital_id: int) -> bool:
    """Operators write only the sections of their own hospital."""
    return may(actor, BEDS_WRITE_OWN_HOSPITAL) and actor.organisation_id == hospital_id


def may_set_admission(actor: Actor, hospital_id: int, hospital_authority_id: int | None) -> bool:
    """A hospital's operators, and the administrators of the authority it belongs to (its organisation's parent),
    limit or close it and its sections; another authority's administrators do not."""
    if not may(actor, ADMISSION_SET):
        return False
    if actor.has_role("operator") and actor.organisation_id == hospital_id:
        return True
    return (actor.has_role("admin") and actor.organisation_kind == "authority"
            and hospital_authority_id is not None and actor.organisation_id == hospital_authority_id)
