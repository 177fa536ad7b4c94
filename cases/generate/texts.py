"""Synthetic Finnish free text: note bodies, reasons, minutes (plausible, never about anyone)."""

from __future__ import annotations

import random

_OPENINGS = (
    "Tapasimme {name}n kanssa toimistolla.",
    "Puhelu {name}n kanssa iltapäivällä.",
    "{name} kävi nuorisotalolla sovitusti.",
    "Kotikäynti, paikalla {name} ja huoltaja.",
    "Verkostotapaaminen koulun kanssa, {name} mukana.",
    "{name} ei saapunut sovittuun tapaamiseen; soitettiin perään.",
)
_MIDDLES = (
    "Koulunkäynti on sujunut viime viikkoina paremmin, poissaoloja on vähemmän.",
    "Kerrottiin harrastusmahdollisuuksista ja sovittiin tutustumiskäynnistä.",
    "Perheen tilanne on rauhoittunut, mutta arki on edelleen kuormittavaa.",
    "Keskusteltiin päihteistä ja niiden riskeistä; nuori suhtautui asiaan avoimesti.",
    "Nuori toivoo apua kesätyön hakemiseen ja opiskelupaikan etsimiseen.",
    "Unirytmi on ollut epäsäännöllinen; ohjattiin terveydenhoitajalle.",
    "Kaveripiirissä on ollut ristiriitoja, joista nuori halusi puhua.",
    "Selvitettiin toimeentuloon liittyviä kysymyksiä yhdessä huoltajan kanssa.",
)
_CLOSINGS = (
    "Seuraava tapaaminen sovittiin kahden viikon päähän.",
    "Jatketaan tukea nykyisellä suunnitelmalla.",
    "Asiasta tiedotetaan tiimin jäseniä seuraavassa verkostokokouksessa.",
    "Nuori sai yhteystiedot, joihin voi olla yhteydessä tarvittaessa.",
)
_REASONS = (
    "Pyydämme arviota tuen tarpeesta; nuori on suostunut yhteydenottoon.",
    "Nuori toivoo harrastustoimintaa; ohjataan tutustumaan.",
    "Koulupoissaolot ovat lisääntyneet; pyydämme yhteistä tapaamista.",
    "Perhe tarvitsee tukea arkeen; toivomme yhteydenottoa pian.",
)
_MINUTES = (
    "Päätettiin, että tukitapaamiset jatkuvat viikoittain.",
    "Sovittiin yhteisestä suunnitelmasta koulun ja perheen kanssa.",
    "Keskusteltiin tilanteen kehittymisestä edellisen kokouksen jälkeen.",
)
_ACTIONS = (
    "Sopii nuoren kanssa seuraavan tapaamisen ajankohdan.",
    "Selvittää mahdollisuuden aloittaa ryhmätoiminnassa.",
    "Ottaa yhteyttä kouluun ja kertoo sovitusta.",
)


def note_body(rng: random.Random, name: str) -> str:
    middle = rng.sample(_MIDDLES, rng.randint(1, 3))
    return " ".join((rng.choice(_OPENINGS).format(name=name), *middle, rng.choice(_CLOSINGS)))


def reason(rng: random.Random) -> str:
    return rng.choice(_REASONS)


def minute(rng: random.Random) -> str:
    return rng.choice(_MINUTES)


def action_item(rng: random.Random) -> str:
    return rng.choice(_ACTIONS)
