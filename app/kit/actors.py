"""Who is acting: a person through a session or token, or the system itself (command line, jobs)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

Source = Literal["web", "api", "cli", "system"]


@dataclass(frozen=True)
class Actor:
    username: str
    source: Source
    user_id: int | None = None
    display_name: str = ""
    organisation_id: int | None = None
    organisation_code: str | None = None
    organisation_name: str = ""
    organisation_kind: str | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    language: str | None = None
    board_theme: str | None = None  # 'light', 'dark', or None: follow the computer (accounts/preferences.py)
    must_change_password: bool = False
    password_changed_at: datetime | None = None
    session_id: int | None = None
    client_address: str | None = None

    @classmethod
    def system(cls, source: Source = "system", client_address: str | None = None) -> Actor:
        return cls(username=f"<{source}>", source=source, client_address=client_address)

    @classmethod
    def anonymous(cls, client_address: str | None, source: Source = "web") -> Actor:
        return cls(username="<anonymous>", source=source, client_address=client_address)

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def at_address(self, client_address: str | None) -> Actor:
        return replace(self, client_address=client_address)
