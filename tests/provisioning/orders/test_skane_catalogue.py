"""The shipped Skåne catalogue against seed 002 ("Process Beställning personlig IT", version 1.2), system by system
and event by event. Each expected row quotes the line of the routine it comes from."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from app.provisioning.orders.catalogue.definitions import Catalogue, Event
from app.provisioning.orders.catalogue.loader import shipped

# system -> (name, ordered by, how: kind and address)
SYSTEMS = {
    # 1.1 "Mottagningens externa katalogadministratör loggar in på SKAT"
    "skat": ("Skånekatalogen (SKAT)", "directory_admin", "portal", None),
    # 1.2 "E-tjänstekort beställs via Region Skånes system Ritz ... Mottagningens IT-kontaktperson loggar in i Ritz"
    "e_card": ("E-tjänstekort (RS-kort)", "it_contact", "portal", "https://ritz.skane.se/sp/"),
    # 1.3 "RSVPN beställs via Region Skånes system Ritz ... Mottagningens IT-kontaktperson loggar in i Ritz"
    "rsvpn": ("RSVPN", "it_contact", "portal", "https://ritz.skane.se/sp/"),
    # 1.4 "Fyll i och skicka blankett från sida Beställ behörighet till Sesam" (address as given in 2.2)
    "websesam": ("WebSesam", "it_contact", "form", "https://skane.se/bestall-behorighet-till-sesam-vardgivare-skane"),
    # 1.5 "Fyll i och skicka formulär från sida Auditbase" (address as given in 2.3)
    "auditbase": ("Auditbase", "it_contact", "form", "https://skane.se/auditbase-vardgivare-skane"),
    # 1.6 "Fyll i och skicka in formulär Serviceportalen Externa Formulär (https://skane.se/serviceportalen/...)"
    "priva": ("Priva – vårdgivar-id", "it_contact", "form", "https://skane.se/serviceportalen/externa-formular"),
    # 1.7 "fyll i och skicka in formulär Serviceportalen Externa Formulär ... Välj Ärendetyp: Priva och Webpriva"
    "webpriva": ("WebPriva behörighet", "it_contact", "form", "https://skane.se/serviceportalen/externa-formular"),
}

# event -> system -> (action, who, conditions {question: accepted answers}, one task per item of, as for event)
EVENTS: Mapping[str, Mapping[str, tuple[str, str, dict[str, tuple[object, ...]], str | None, str | None]]] = {
    "new_user": {  # "Ny användare"
        # 1.1 "lägger upp användarens personpost på aktuell mottagning eller aktuella mottagningar"
        "skat": ("create_record", "directory_admin", {}, None, None),
        # 1.2 "Mottagningens IT-kontaktperson loggar in i Ritz och utför beställning."
        "e_card": ("order", "it_contact", {}, None, None),
        # 1.3 "Beställ RSVPN – Externa vårdgivare - Audionom."
        "rsvpn": ("order", "it_contact", {}, None, None),
        # 1.4 "Fyll i och skicka blankett" (the prescriber training is a prerequisite, checked below)
        "websesam": ("order", "it_contact", {}, None, None),
        # 1.5 "Fyll i och skicka formulär från sida Auditbase"
        "auditbase": ("order", "it_contact", {}, None, None),
        # 1.6 "Om beställning avser audionom ska vårdgivar-id beställas på de avtalsparter (mottagningar) som
        # audionomen kommer att tjänstgöra på."
        "priva": ("order", "it_contact", {"profession": ("audiologist",)}, "clinics", None),
        # 1.7 "Om personen ska ha behörighet att logga in på WebPriva läsbehörighet"
        "webpriva": ("order", "it_contact", {"needs_webpriva_read": (True,)}, None, None),
    },
    "end_user": {  # "Avsluta användare"
        # 2.1 "RSVPN avbeställs via Region Skånes system Ritz."
        "rsvpn": ("cancel", "it_contact", {}, None, None),
        # 2.2 "Fyll i och skicka blankett från sida Beställ behörighet till Sesam"
        "websesam": ("cancel", "it_contact", {}, None, None),
        # 2.3 "Om personen haft auditbase, fyll i och skicka formulär"
        "auditbase": ("cancel", "it_contact", {"had_auditbase": (True,)}, None, None),
        # 2.4 "Om beställning avser audionom ska vårdgivar-id inaktiveras på de avtalsparter som audionomen varit
        # upplagd."
        "priva": ("inactivate", "it_contact", {"profession": ("audiologist",)}, "clinics", None),
        # 2.5 "Om personen haft behörighet att logga in på WebPriva med läsbehörighet, avbeställ"
        "webpriva": ("cancel", "it_contact", {"had_webpriva_read": (True,)}, None, None),
        # 2.6 "Mottagningens externa katalogadministratör loggar in på SKAT och tar bort personpost."
        "skat": ("delete_record", "directory_admin", {}, None, None),
        # 2.7 "E-Tjänstekortet ska lämnas tillbaka ituklippt till kortstation för avregistrering."
        "e_card": ("return_cut_up", "it_contact", {}, None, None),
    },
    "change_of_clinic": {  # "Byte mottagning inom företag"
        # 3.1 "Extern katalogadministratör kan flytta personposten till annan vårdenhet eller lägga upp på flera."
        "skat": ("move", "directory_admin", {}, None, None),
        # 3.2 "Ingen åtgärd"
        "e_card": ("no_action", "it_contact", {}, None, None),
        # 3.3 "Ingen åtgärd"
        "rsvpn": ("no_action", "it_contact", {}, None, None),
        # 3.4 "Fyll i och skicka blankett från sida Beställ behörighet till Sesam"
        "websesam": ("change", "it_contact", {}, None, None),
        # 3.5 "Ingen åtgärd"
        "auditbase": ("no_action", "it_contact", {}, None, None),
        # 3.6 "Om audionom inte redan är upplagd på ny mottagning (avtalspart), kan beställning för upplägg på
        # ytterligare- eller andra avtalsparter (mottagningar) göras."
        "priva": ("order", "it_contact", {"profession": ("audiologist",)}, "new_clinics", None),
    },
    "long_leave": {  # "Tjänstledighet längre"
        # 4.1 "Extern katalogadministratör kan notera på personposten att personen är tjänstledig och till när."
        "skat": ("note_leave", "directory_admin", {}, None, None),
        # 4.2 "Ingen åtgärd om personen ska återgå i tjänst. Kort bör sparas hos vårdgivaren."
        "e_card": ("no_action", "it_contact", {}, None, None),
        # 4.3 "Hantering som under Avsluta användare" (2.1: cancelled in Ritz)
        "rsvpn": ("cancel", "it_contact", {}, None, "end_user"),
        # 4.4 "Hantering som under Avsluta användare" (2.2)
        "websesam": ("cancel", "it_contact", {}, None, "end_user"),
        # 4.5 "Hantering som under Avsluta användare" (2.3: only if the person had Auditbase)
        "auditbase": ("cancel", "it_contact", {"had_auditbase": (True,)}, None, "end_user"),
        # 4.6 "Ingen åtgärd om personen kommer åter."
        "priva": ("no_action", "it_contact", {}, None, None),
    },
    # Not a section of the routine: what 4.3-4.5 cancelled is ordered again as in section 1; 4.1, 4.2 and 4.6
    # left things as they were.
    "return_from_leave": {
        "skat": ("no_action", "directory_admin", {}, None, None),
        "e_card": ("no_action", "it_contact", {}, None, None),
        "rsvpn": ("order", "it_contact", {}, None, None),
        "websesam": ("order", "it_contact", {}, None, None),
        "auditbase": ("order", "it_contact", {"had_auditbase": (True,)}, None, None),
        "priva": ("no_action", "it_contact", {}, None, None),
    },
}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return shipped("skane_audiology")


@pytest.mark.parametrize("system", SYSTEMS)
def test_each_system_is_ordered_by_whom_and_where_the_routine_says(catalogue: Catalogue, system: str) -> None:
    name, ordered_by, kind, url = SYSTEMS[system]
    found = catalogue.systems[system]
    assert (found.name, found.ordered_by) == (name, ordered_by)
    assert found.via is not None
    assert (found.via.kind, found.via.url) == (kind, url)


def test_the_catalogue_has_exactly_the_seven_systems_and_two_roles_of_the_routine(catalogue: Catalogue) -> None:
    assert list(catalogue.systems) == list(SYSTEMS)
    assert {role.key: role.name for role in catalogue.roles.values()} == {
        "it_contact": "Mottagningens IT-kontaktperson",
        "directory_admin": "Mottagningens externa katalogadministratör",
    }
    assert catalogue.country == "SE"


def _table(event: Event) -> dict[str, tuple[object, ...]]:
    rows: dict[str, tuple[object, ...]] = {}
    for task in event.tasks:
        assert task.system is not None
        assert task.system not in rows, "one task per system in the Skåne routine"
        rows[task.system] = (task.action, task.who, {condition.question: condition.values for condition in task.when},
                             task.for_each, task.as_for)
    return rows


@pytest.mark.parametrize("event", EVENTS)
def test_each_event_does_what_the_routine_says_in_each_system(catalogue: Catalogue, event: str) -> None:
    assert _table(catalogue.events[event]) == EVENTS[event]


def test_the_events_are_the_routines_four_sections_and_the_return(catalogue: Catalogue) -> None:
    assert {key: event.name for key, event in catalogue.events.items()} == {
        "new_user": "Ny användare", "end_user": "Avsluta användare", "change_of_clinic": "Byte mottagning inom företag",
        "long_leave": "Tjänstledighet längre", "return_from_leave": "Återgång efter längre tjänstledighet"}
    assert {event.scope for event in catalogue.events.values()} == {"person"}


def test_websesam_waits_for_the_prescriber_training_of_audiologists_and_prescribers(catalogue: Catalogue) -> None:
    # 1.4 "Gäller det audionom och förskrivare ska även Socialstyrelsens förskrivarutbildning genomföras innan
    # behörighet kan tilldelas."
    [websesam] = [task for task in catalogue.events["new_user"].tasks if task.system == "websesam"]
    assert websesam.requires == ("prescriber_training",)
    training = catalogue.prerequisites["prescriber_training"]
    assert [(condition.question, condition.values) for condition in training.when] == [
        ("profession", ("audiologist", "prescriber"))]
    assert training.quote is not None
    assert "förskrivarutbildning genomföras innan behörighet" in training.quote


def test_every_cancellation_comes_before_the_directory_record_is_deleted(catalogue: Catalogue) -> None:
    # 2.6 "Observera att avbeställning av RSVPN och övriga tjänster måste göras innan personpost i SKAT tas bort."
    [rule] = catalogue.events["end_user"].ordering
    assert (rule.first.actions, rule.then.systems) == (("cancel", "inactivate"), ("skat",))
    assert rule.quote is not None
    assert rule.quote.startswith("Observera att avbeställning av RSVPN")


def test_the_e_service_card_goes_back_cut_up_to_the_card_station(catalogue: Catalogue) -> None:
    # 2.7 "E-Tjänstekortet ska lämnas tillbaka ituklippt till kortstation för avregistrering."
    [card] = [task for task in catalogue.events["end_user"].tasks if task.system == "e_card"]
    assert catalogue.actions[card.action].name == "Lämna tillbaka ituklippt till kortstation"
    assert card.via is not None
    assert (card.via.kind, card.via.label) == ("in_person", "Kortstation")


def test_the_long_leave_repeats_the_end_user_handling_in_its_own_words_and_the_original(catalogue: Catalogue) -> None:
    [rsvpn] = [task for task in catalogue.events["long_leave"].tasks if task.system == "rsvpn"]
    assert rsvpn.quote == "Hantering som under Avsluta användare"
    assert rsvpn.handling_quote is not None
    assert rsvpn.handling_quote.startswith("RSVPN avbeställs via")


def test_every_task_quotes_the_routine_or_says_why_it_is_there(catalogue: Catalogue) -> None:
    for event in catalogue.events.values():
        for task in event.tasks:
            assert task.quote or task.note, (event.key, task.key)
