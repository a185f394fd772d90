"""The live link's settings keep the page's promise: a heartbeat at least every 5 s (so three missed beats are at
most 15 s), and a server that never closes a socket before three of the page's pings could be missed."""

from __future__ import annotations

import pytest

from app.kit.settings import SettingsError, load_settings


def test_the_defaults_are_a_4_s_heartbeat_and_15_s_of_silence() -> None:
    settings = load_settings({})
    assert settings.heartbeat_seconds == 4.0
    assert settings.socket_silence_seconds == 15.0


@pytest.mark.parametrize(("environ", "says"), [
    ({"BEDBOARD_HEARTBEAT_SECONDS": "20"}, "from 0.05 to 5"),
    ({"BEDBOARD_SOCKET_SILENCE_SECONDS": "10"}, "from 12 (three of the page's pings)"),
    ({"BEDBOARD_HEARTBEAT_SECONDS": "0.3", "BEDBOARD_SOCKET_SILENCE_SECONDS": "2"}, "from 3 "),
    ({"BEDBOARD_SOCKET_SILENCE_SECONDS": "soon"}, "not 'soon'"),
])
def test_a_setting_that_would_break_the_promise_is_refused(environ: dict[str, str], says: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(environ)
    assert says in str(refused.value)
