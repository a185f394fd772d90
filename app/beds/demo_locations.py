"""Where the demo's hospitals stand (issue 22, the map and "Nearest free bed"): WGS 84 degrees.

The named hospitals stand at the approximate public location of the real hospital they are named after (its main
building, to a hundred metres or so); the made-up ones (Caritas, Coltea Nord, Budimex) at plausible points of
Bucharest away from the others, so that the demo's map has no two markers on one spot.
"""

from __future__ import annotations

DEMO_LOCATIONS: dict[str, tuple[float, float]] = {
    "H-FLOR": (44.4527, 26.1010),   # Calea Floreasca 8
    "H-BAGD": (44.3824, 26.1157),   # Șoseaua Berceni 10-12
    "H-UNIV": (44.4355, 26.0706),   # Splaiul Independenței 169
    "H-ELIAS": (44.4700, 26.0740),  # Bulevardul Mărăști 17
    "H-COLT": (44.4330, 26.1030),   # Bulevardul I.C. Brătianu 1
    "H-MSCU": (44.3880, 26.1180),   # Bulevardul Constantin Brâncoveanu 20
    "H-SJUD": (44.3995, 26.1390),   # Șoseaua Vitan-Bârzești 13
    "H-MILT": (44.4425, 26.0810),   # Calea Plevnei 134
    "H-PANT": (44.4450, 26.1600),   # Șoseaua Pantelimon 340-342
    "H-CARI": (44.4560, 26.1150),   # made up: near Obor
    "H-FILA": (44.4575, 26.0790),   # Bulevardul Ion Mihalache 11
    "H-COLE": (44.4870, 26.1000),   # made up: Băneasa
    "H-MARI": (44.4610, 26.0720),   # Bulevardul Ion Mihalache 37-39
    "H-MALA": (44.4380, 26.1640),   # Șoseaua Vergului 12
    "H-GROZ": (44.4520, 26.0930),   # Bulevardul Iancu de Hunedoara 30-32
    "H-BUDI": (44.4200, 26.0100),   # made up: Drumul Taberei
    "H-VICT": (44.4310, 26.1350),   # Bulevardul Basarabia 21
    "H-IBAL": (44.4460, 26.1750),   # Șoseaua Fundeni 258
    "H-INBI": (44.4480, 26.0920),   # Strada Dr. Calistrat Grozovici 1
    "H-ONCO": (44.4430, 26.1720),   # Șoseaua Fundeni 252
    "H-NEUR": (44.3845, 26.1125),   # Șoseaua Berceni 10
    "H-PNEU": (44.4110, 26.0830),   # Șoseaua Viilor 90
    "H-FUND": (44.4490, 26.1790),   # Șoseaua Fundeni 258
    "H-OBRE": (44.3800, 26.1200),   # Șoseaua Berceni 10
    "H-BALS": (44.4420, 26.1130),   # Strada Ion Movilă 5-7
}
