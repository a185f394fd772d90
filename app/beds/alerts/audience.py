"""Who sees an alert, in the labels the hub's notices use: a coordinator's own rule speaks to that user
("user:5"), an authority's rule to everyone of the authority who may manage alerts ("org:2")."""

from __future__ import annotations

from accounts import permissions
from app.kit.actors import Actor


def user_label(user_id: int) -> str:
    return f"user:{user_id}"


def authority_label(organisation_id: int) -> str:
    return f"org:{organisation_id}"


def alert_audience(owner_user_id: int | None, organisation_id: int) -> frozenset[str]:
    if owner_user_id is not None:
        return frozenset({user_label(owner_user_id)})
    return frozenset({authority_label(organisation_id)})


def viewer_audience(actor: Actor) -> frozenset[str]:
    """An auditor's board gets no alert: only those who may manage alerts (and acknowledge them) are told."""
    if actor.user_id is None or not permissions.may(actor, permissions.ALERTS_MANAGE):
        return frozenset()
    labels = {user_label(actor.user_id)}
    if actor.organisation_id is not None and actor.organisation_kind == "authority":
        labels.add(authority_label(actor.organisation_id))
    return frozenset(labels)


def parse(audience: frozenset[str]) -> tuple[set[int], set[int]]:
    """The user ids and authority ids of a socket's labels (for the notices a resume reads back)."""
    users: set[int] = set()
    authorities: set[int] = set()
    for label in audience:
        kind, _, number = label.partition(":")
        if number.isdigit():
            (users if kind == "user" else authorities).add(int(number))
    return users, authorities
