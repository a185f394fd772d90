"""What a user chooses for their own screens and keeps on their account: the board's theme.

Kept on the account, not in one browser, because a coordinator moves between screens (their desk, another desk,
the wall PC of the dispatch room) and should find the board as they chose it wherever they log in. ``None`` means
no choice: the board follows the computer's light or dark setting, and a wall screen starts dark.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from accounts import permissions
from accounts.models import User
from app.kit import audit
from app.kit.actors import Actor
from app.kit.errors import NotAuthenticated, PermissionDenied, ValidationFailed
from app.kit.i18n import _

BOARD_THEMES: Final = ("light", "dark")
# The account page's choices, in the order offered; "" is "no choice".
BOARD_THEME_CHOICES: Final = (
    ("", _("This computer's setting")),  # a wall screen then starts dark (the page says so)
    ("light", _("Light")),
    ("dark", _("Dark")),
)
UNKNOWN_THEME = _("Choose one of the offered themes.")


def parse_board_theme(text: str) -> str | None:
    """A form's value as the stored choice: "" is no choice; anything but the offered themes is refused."""
    if text == "":
        return None
    if text not in BOARD_THEMES:
        raise ValidationFailed(UNKNOWN_THEME, details={"field": "board_theme"})
    return text


async def set_board_theme(session: AsyncSession, *, actor: Actor, theme: str | None) -> bool:
    """Keeps the actor's own board theme; audited as a profile change. True when it changed."""
    if actor.user_id is None:
        raise NotAuthenticated(_("Please log in."))
    if not permissions.may(actor, permissions.ACCOUNT_MANAGE_OWN):
        raise PermissionDenied(_("You may not do this."))
    if theme is not None and theme not in BOARD_THEMES:
        raise ValidationFailed(UNKNOWN_THEME, details={"field": "board_theme"})
    user = await session.get_one(User, actor.user_id)
    if user.board_theme == theme:
        return False
    before, user.board_theme = user.board_theme, theme
    await audit.record(session, actor=actor, action="accounts.profile_changed", object_type="user",
                       object_id=user.id, before={"board_theme": before}, after={"board_theme": theme})
    return True
