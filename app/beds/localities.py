"""Places of Bucharest and Ilfov a coordinator may pick as an incident's location on the map page (issue 22).

Approximate centres (WGS 84 degrees, to a few hundred metres): enough to rank hospitals "as the crow flies"; a click
on the map or typed coordinates are more exact. Names are proper names and are not translated.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Locality:
    code: str
    name: str
    latitude: float
    longitude: float
    # Named on the offline map; a landmark inside a labelled place (a square, a station) would only crowd it.
    labelled: bool = True


LOCALITIES = (
    Locality("b-s1", "București, Sectorul 1", 44.4800, 26.0700),
    Locality("b-s2", "București, Sectorul 2", 44.4520, 26.1400),
    Locality("b-s3", "București, Sectorul 3", 44.4200, 26.1500),
    Locality("b-s4", "București, Sectorul 4", 44.3800, 26.1100),
    Locality("b-s5", "București, Sectorul 5", 44.3950, 26.0600),
    Locality("b-s6", "București, Sectorul 6", 44.4350, 26.0300),
    Locality("b-unirii", "București, Piața Unirii", 44.4268, 26.1025, labelled=False),
    Locality("b-victoriei", "București, Piața Victoriei", 44.4522, 26.0862, labelled=False),
    Locality("b-gara-nord", "București, Gara de Nord", 44.4466, 26.0735, labelled=False),
    Locality("if-otp-airport", "Aeroportul Henri Coandă (Otopeni)", 44.5711, 26.0850, labelled=False),
    Locality("if-1dec", "1 Decembrie", 44.2917, 26.0583),
    Locality("if-balotesti", "Balotești", 44.6100, 26.1000),
    Locality("if-bragadiru", "Bragadiru", 44.3711, 25.9775),
    Locality("if-buftea", "Buftea", 44.5617, 25.9489),
    Locality("if-cernica", "Cernica", 44.4200, 26.2800),
    Locality("if-chiajna", "Chiajna", 44.4600, 25.9750),
    Locality("if-chitila", "Chitila", 44.5083, 25.9822),
    Locality("if-ciolpani", "Ciolpani", 44.7333, 26.0833),
    Locality("if-corbeanca", "Corbeanca", 44.6000, 26.0500),
    Locality("if-domnesti", "Domnești", 44.4000, 25.9200),
    Locality("if-glina", "Glina", 44.3833, 26.2500),
    Locality("if-jilava", "Jilava", 44.3330, 26.0780),
    Locality("if-magurele", "Măgurele", 44.3500, 26.0300),
    Locality("if-mogosoaia", "Mogoșoaia", 44.5294, 26.0000),
    Locality("if-otopeni", "Otopeni", 44.5500, 26.0700),
    Locality("if-pantelimon", "Pantelimon", 44.4520, 26.2040),
    Locality("if-popesti", "Popești-Leordeni", 44.3800, 26.1700),
    Locality("if-snagov", "Snagov", 44.7000, 26.1800),
    Locality("if-tunari", "Tunari", 44.5500, 26.1400),
    Locality("if-voluntari", "Voluntari", 44.4906, 26.1808),
)
