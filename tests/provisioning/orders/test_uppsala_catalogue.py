"""The shipped Uppsala catalogue against seed 004 ("IT-system – checklista för utförare", version 10), system by
system and event by event. Each expected row quotes the line of the checklist it comes from."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from app.provisioning.orders.catalogue.definitions import Catalogue
from app.provisioning.orders.catalogue.loader import shipped

# system -> (name, how it is ordered, address); e-mail goes to the IT support contact, shipped without an address
SYSTEMS = {
    # "Hur du beställer behörigheter och dosor kan du läsa om här: http://utforare.uppsala.se/.../Siebel/Bestallning-..."
    "siebel": ("Siebel", "form",
               "http://utforare.uppsala.se/sv/stod-omsorg/IT-system-/Siebel/Bestallning-dosor-och-behorigheter/"),
    # "Information om hur man beställer SITHS-kort och kortläsare kan du läsa om här: .../SITHS-kort/"
    "siths": ("SITHS-kort", "form", "http://utforare.uppsala.se/sv/stod-omsorg/IT-system-/SITHS-kort/"),
    # "Skicka i god tid in er organisationsstruktur till [IT-supporten]."
    "prator": ("Prator", "email", None),
    # "Hur du beställer behörigheter kan du läsa om här http://utforare.uppsala.se/sv/stod-omsorg/IT-system-/Flexite/"
    "flexite": ("Flexite", "form", "http://utforare.uppsala.se/sv/stod-omsorg/IT-system-/Flexite/"),
    # "Skicka i god tid in er organisationsstruktur till [IT-supporten]."
    "phoniro": ("Phoniro", "email", None),
}

Row = tuple[str | None, str, str, str | None, dict[str, tuple[object, ...]]]
# event -> task -> (system, action, who, party, conditions {question: accepted answers})
EVENTS: Mapping[str, Mapping[str, Row]] = {
    "organisation_change": {
        # "1. Skicka in ett ärende till IT-supporten [IT-supporten]."
        "case_to_it": (None, "send_case", "provider_contact", None, {}),
        # "2. IT kontaktar dig för en bedömning och hjälper till med att ändringen i organisationen blir genomförd i
        # berörda IT-system"
        "it_assessment": (None, "implement_change", "klk_it", None, {}),
    },
    "start_or_takeover": {
        # "Skapande av organisationsstruktur i systemet sker av systemförvaltare på KLK IT. Skicka i god tid in hur er
        # organisationsstruktur ska se ut"
        "siebel_structure": ("siebel", "send_org_structure", "provider_contact", None, {}),
        # "För att kunna logga in i Siebel behövs användarkonto med lösenordlösenord samt lösenordsdosa."
        "siebel_access": ("siebel", "order_access_and_tokens", "provider_contact", None, {}),
        # "Siebel kräver en del inställningar i Internet Explorer och en installation av ActiveX för att fungera"
        "siebel_technical": ("siebel", "install", "provider_contact", None, {}),
        # "Utbildningar finns för Omvårdnadspersonal SoL/LSS (Expertanvändare) och HSL personal. Dessa utbildningar
        # bokas via bokningssystemet BOKA"
        "siebel_courses": ("siebel", "book_course", "provider_contact", None, {}),
        # "Det är omvårdnadsutförarens ansvar att kontakta verksamhetschef för natthemsjukvården innan ni börjar
        # journalföra i Siebel."
        "siebel_night_care": ("siebel", "contact", "unit_manager", None, {}),
        # "Om du som utförare ska ha ett hälso- och sjukvårdsansvar ska din legitimerade personal, chef m m använda
        # SITHS-kort."
        "siths_cards": ("siths", "order_cards", "provider_contact", None, {"health_care_responsibility": (True,)}),
        # "Tekniska förutsättningar som Net iD behövs"
        "siths_net_id": ("siths", "install", "provider_contact", None, {"health_care_responsibility": (True,)}),
        # Prator: "Utförare i Uppsala kommun där hälso- och sjukvård ingår i tjänsterna, behöver åtkomst" and
        # "Skicka i god tid in er organisationsstruktur"
        "prator_structure": ("prator", "send_org_structure", "provider_contact", None,
                             {"health_care_responsibility": (True,)}),
        # "Utbildning för lokal administratör bokas via bokningssystemet BOKA"
        "prator_admin_course": ("prator", "book_course", "provider_contact", None,
                                {"health_care_responsibility": (True,)}),
        # "Utföraren behöver utse en administratör som ansvarar för tilldelning av behörigheter till personal"
        "prator_access": ("prator", "assign_access", "local_admin", None, {"health_care_responsibility": (True,)}),
        # "Planering och skapande av organisationsstruktur i systemet sker tillsammans med utsedd kontaktperson på
        # KLK IT."
        "flexite_structure": ("flexite", "plan_org_structure", "provider_contact", None, {"uses_flexite": (True,)}),
        # "För utförare som använder Flexite ska all legitimerad personal och verksamhetschef ... ha behörighet"
        "flexite_access": ("flexite", "order_access", "provider_contact", None, {"uses_flexite": (True,)}),
        # Phoniro, "används av samtliga hemvårdsutförare": "Skicka i god tid in er organisationsstruktur"
        "phoniro_structure": ("phoniro", "send_org_structure", "provider_contact", None, {"home_care": (True,)}),
        # "För åtkomst till Phoniros webgränssnitt krävs en fast IP-adress. Meddela denna till [IT-supporten]"
        "phoniro_ip": ("phoniro", "report_ip", "provider_contact", None, {"home_care": (True,)}),
        # "Utföraren ansvarar för införskaffande av mobiltelefoner som är godkända för användning av Phoniroappen."
        "phoniro_phones": ("phoniro", "acquire_phones", "provider_contact", None, {"home_care": (True,)}),
        # "Det övertagande företaget behöver registreras i Phoniro, om detta inte redan är befintligt."
        "phoniro_company": ("phoniro", "register_company", "provider_contact", None,
                            {"home_care": (True,), "start_kind": ("takeover",)}),
        # "Utbildningar för administratörer bokas via bokningssystemet BOKA"
        "phoniro_admin_course": ("phoniro", "book_course", "provider_contact", None, {"home_care": (True,)}),
        # "Utföraren behöver utse administratörer som sköter det löpande i webgränssnittet, samt ansvarar för
        # tilldelning av behörigheter till personalen."
        "phoniro_access": ("phoniro", "assign_access", "local_admin", None, {"home_care": (True,)}),
    },
    "subcontractor": {
        # "Beställa en ny organisation till befintlig personal hos berörd underleverantör."
        "new_organisation": (None, "order_organisation", "main_contractor", None, {"assignment": ("begins",)}),
        # "Behörigheter för ny personal hos underleverantör. Beställs av huvudleverantör"
        "staff_access": (None, "order_access", "main_contractor", None, {"assignment": ("begins",)}),
        # "När underleverantören inte längre har ett uppdrag ska en avbeställning göras till KLK IT"
        "cancel_organisation": (None, "cancel_organisation", "main_contractor", None, {"assignment": ("ends",)}),
        # "Avbeställning av behörigheter sker på samma sätt som avbeställning på egen personal."
        "cancel_staff_access": (None, "cancel_access", "main_contractor", None, {"assignment": ("ends",)}),
    },
    "handover_wind_down": {
        # Siebel: "Journalerna ska avslutas och skrivas ut för arkivering."
        "siebel_records": ("siebel", "archive_records", "unit_manager", "handing_over", {}),
        # "Tjänsterapportering. Säkerställ att registrering för sista månaden rapporteras in."
        "siebel_service_report": ("siebel", "submit_service_report", "unit_manager", "handing_over", {}),
        # "Avbeställning av behörigheter för personal i egen regi hanteras i Iris."
        "siebel_cancel_own": ("siebel", "cancel_access", "provider_contact", "handing_over",
                              {"provider_type": ("own_operation",)}),
        # "Avbeställning av behörigheter för privata utförare hanteras i Sesam."
        "siebel_cancel_private": ("siebel", "cancel_access", "provider_contact", "handing_over",
                                  {"provider_type": ("private",)}),
        # "Siebeldosorna ... ska återlämnas till KLK IT på Verkstadsgatan 3B om en organisation eller verksamhet
        # upphör helt."
        "siebel_tokens_return": ("siebel", "return_tokens", "provider_contact", "handing_over",
                                 {"ending": ("ceases",)}),
        # "(Vid övertagande av befintlig verksamhet lämnas dosorna kvar på enheten.)"
        "siebel_tokens_keep": ("siebel", "keep_tokens_on_unit", "provider_contact", "handing_over",
                               {"ending": ("taken_over",)}),
        # SITHS-kort: "Egen regi avbeställer SITHS-kort via Iris."
        "siths_cancel_own": ("siths", "cancel_cards", "provider_contact", "handing_over",
                             {"health_care_responsibility": (True,), "provider_type": ("own_operation",)}),
        # "Privat utförare avbeställer SITHS-kort via sin behörighetsadministratör."
        "siths_cancel_private": ("siths", "cancel_cards", "authorisation_admin", "handing_over",
                                 {"health_care_responsibility": (True,), "provider_type": ("private",)}),
        # Prator: "Lägg ett ärende till [IT-supporten] att enheten i Prator ska avslutas."
        "prator_close_unit": ("prator", "close_unit", "provider_contact", "handing_over",
                              {"health_care_responsibility": (True,)}),
        # "Lokal administratör avslutar användarnas behörigheter."
        "prator_end_access": ("prator", "end_access", "local_admin", "handing_over",
                              {"health_care_responsibility": (True,)}),
        # Flexite: "Alla avvikelser ska vara hanterade och avslutade." ("Enhetschefen ansvarar och hanterar avvikelser")
        "flexite_deviations": ("flexite", "close_deviations", "unit_manager", "handing_over",
                               {"uses_flexite": (True,)}),
        # "Lägg ett ärende till [IT-supporten] att enheten i Flexite ska avslutas."
        "flexite_close_unit": ("flexite", "close_unit", "provider_contact", "handing_over", {"uses_flexite": (True,)}),
        # "Egen regi avbeställer användarnas behörigheter i Iris."
        "flexite_cancel_own": ("flexite", "cancel_access", "provider_contact", "handing_over",
                               {"uses_flexite": (True,), "provider_type": ("own_operation",)}),
        # "Privata utförare avbeställer användarnas behörigheter via formulär"
        "flexite_cancel_private": ("flexite", "cancel_access", "provider_contact", "handing_over",
                                   {"uses_flexite": (True,), "provider_type": ("private",)}),
        # Phoniro: "Lägg ett ärende till [IT-supporten] att enheten i Phoniro ska avslutas."
        "phoniro_close_unit": ("phoniro", "close_unit", "provider_contact", "handing_over", {"home_care": (True,)}),
        # "Lokala administratörer avslutar användarnas behörigheter."
        "phoniro_end_access": ("phoniro", "end_access", "local_admin", "handing_over", {"home_care": (True,)}),
        # "ansvarar båda parterna (övertagande och överlämnande organisation) för att behörighetsbeställningar blir
        # beställda/avbeställda": the receiving organisation orders in each system it takes over.
        "receiving_siebel_access": ("siebel", "order_access", "provider_contact", "receiving",
                                    {"ending": ("taken_over",)}),
        "receiving_siths_cards": ("siths", "order_cards", "provider_contact", "receiving",
                                  {"ending": ("taken_over",), "health_care_responsibility": (True,)}),
        "receiving_prator_access": ("prator", "assign_access", "local_admin", "receiving",
                                    {"ending": ("taken_over",), "health_care_responsibility": (True,)}),
        "receiving_flexite_access": ("flexite", "order_access", "provider_contact", "receiving",
                                     {"ending": ("taken_over",), "uses_flexite": (True,)}),
        # "Det övertagande företaget behöver registreras i Phoniro, om detta inte redan är befintligt."
        "receiving_phoniro_company": ("phoniro", "register_company", "provider_contact", "receiving",
                                      {"ending": ("taken_over",), "home_care": (True,)}),
        "receiving_phoniro_access": ("phoniro", "assign_access", "local_admin", "receiving",
                                     {"ending": ("taken_over",), "home_care": (True,)}),
    },
}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return shipped("uppsala_care_providers")


@pytest.mark.parametrize("system", SYSTEMS)
def test_each_system_is_ordered_where_the_checklist_says(catalogue: Catalogue, system: str) -> None:
    name, kind, url = SYSTEMS[system]
    found = catalogue.systems[system]
    assert found.name == name
    assert found.via is not None
    assert (found.via.kind, found.via.url) == (kind, url)
    if kind == "email":
        assert found.via.contact is not None
        assert found.via.contact.key == "klk_it_support"


def test_the_catalogue_has_the_five_systems_and_ships_no_e_mail_address(catalogue: Catalogue) -> None:
    assert list(catalogue.systems) == list(SYSTEMS)
    # seeds/README.md: the seeds' e-mail addresses are examples, never data to ship.
    assert [contact.email for contact in catalogue.contacts.values()] == [None]


@pytest.mark.parametrize("event", EVENTS)
def test_each_event_has_the_checklists_tasks(catalogue: Catalogue, event: str) -> None:
    found = {task.key: (task.system, task.action, task.who, task.party,
                        {condition.question: condition.values for condition in task.when})
             for task in catalogue.events[event].tasks}
    assert found == EVENTS[event]


def test_the_events_are_the_checklists_four_sections(catalogue: Catalogue) -> None:
    assert {key: (event.name, event.scope) for key, event in catalogue.events.items()} == {
        "organisation_change": ("IT-stöd vid organisationsförändringar", "organisation"),
        "start_or_takeover": ("Start / Övertagande av verksamhet", "organisation"),
        # Issue 23 item 10: the individual staff's Siebel account and token and SITHS card, ordered and ended.
        "staff_access_new": ("Ny personal – Siebel och SITHS-kort", "person"),
        "staff_access_end": ("Personal slutar – Siebel och SITHS-kort", "person"),
        "subcontractor": ("Underleverantör till annan utförarorganisation", "organisation"),
        "handover_wind_down": ("Överlämnande / Avveckling av verksamhet", "organisation"),
    }


def test_an_organisation_change_takes_two_to_four_weeks_when_small_and_up_to_ten_when_large(
        catalogue: Catalogue) -> None:
    # "tar det ca 2-4 veckor att utföra en liten förändring och upp till 10 veckor att utföra en stor förändring."
    found = [(lead.when[0].values if lead.when else None, lead.min_weeks, lead.max_weeks)
             for lead in catalogue.events["organisation_change"].lead_times]
    # The size left open: the longer one counts (issue 23 item 6).
    assert found == [(("small",), 2, 4), (("large",), None, 10), (None, None, 10)]


def test_the_handover_has_both_parties(catalogue: Catalogue) -> None:
    # "ansvarar båda parterna (övertagande och överlämnande organisation)"
    event = catalogue.events["handover_wind_down"]
    assert [(party.key, party.name) for party in event.parties] == [
        ("handing_over", "Överlämnande organisation"), ("receiving", "Övertagande organisation")]


def test_the_subcontractors_orders_are_placed_by_its_main_contractor(catalogue: Catalogue) -> None:
    # "Behörigheter för ny personal hos underleverantör. Beställs av huvudleverantör"
    assert catalogue.events["subcontractor"].placed_by == "main_contractor"


def test_the_start_up_checks_are_the_checklists_requirements(catalogue: Catalogue) -> None:
    checks = {check.key: (check.kind, check.question, check.system)
              for check in catalogue.events["start_or_takeover"].checks}
    assert checks == {
        # "Grundläggande är att utföraren ska ha minst en dator och att internetuppkoppling finns."
        "computers_and_internet": ("confirmed", "computers_and_internet", None),
        # "Internet Explorer behöver finnas installerat på datorerna. Version 7, 8, 9 och 11 är godkända."
        "internet_explorer": ("confirmed", "internet_explorer", None),
        # "Utföraren behöver utse expertanvändare, kontaktpersoner samt administratörer för systemen"
        "contact_persons": ("named", "contact_persons", None),
        # "Expertanvändare ska finnas på varje enhet, ca 10% av er personal"
        "expert_users": ("share", "expert_users", "siebel"),
        # Prator: "Utföraren behöver utse en administratör"
        "prator_administrator": ("named", "prator_administrators", "prator"),
        # Phoniro: "Utföraren behöver utse administratörer"
        "phoniro_administrators": ("named", "phoniro_administrators", "phoniro"),
        # "behörigheter och utbildningar genomföras innan verksamheten startar" (courses booked in BOKA)
        "courses_booked": ("tasks_done", None, None),
    }
    [share] = [check for check in catalogue.events["start_or_takeover"].checks if check.kind == "share"]
    assert (share.of, share.percent) == ("staff_count", 10)


def test_every_task_quotes_the_checklist(catalogue: Catalogue) -> None:
    for event in catalogue.events.values():
        for task in event.tasks:
            assert task.quote, (event.key, task.key)
