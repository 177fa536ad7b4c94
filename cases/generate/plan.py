"""What a generation run makes: its size, seed and chunks, and the deterministic parts of each
young person (identity code, names, dates) derived from the seed and the person's number."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

# Identity codes: born 2005–2014 (12 to 21 years old in the mid-2020s), any of the six century
# signs of the 2000s (A–F, equally valid since 2023) and an individual number from 900–999, the
# range of temporary codes that is never a permanent code of a real person.
FIRST_BIRTH_DAY = date(2005, 1, 1)
BIRTH_DAYS = (date(2015, 1, 1) - FIRST_BIRTH_DAY).days
CENTURY_SIGNS = "ABCDEF"
INDIVIDUAL_NUMBERS = range(900, 1000)
CODE_SPACE = BIRTH_DAYS * len(CENTURY_SIGNS) * len(INDIVIDUAL_NUMBERS)
# A prime that divides no factor of CODE_SPACE: n -> n * stride + offset is a permutation of it.
_STRIDE = 1_000_003
_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
MAX_PERSONS = CODE_SPACE

GIVEN_NAMES = (
    "Aada", "Aino", "Eetu", "Eemil", "Elias", "Ella", "Emma", "Helmi", "Iida", "Ilona",
    "Jenna", "Joona", "Juho", "Julia", "Kasper", "Lauri", "Leevi", "Lumi", "Mikael", "Milla",
    "Nea", "Niilo", "Noora", "Olivia", "Onni", "Oskari", "Pihla", "Rasmus", "Sara", "Siiri",
    "Tuukka", "Veeti", "Venla", "Vilma", "Väinö", "Ahmed", "Amira", "Daniel", "Sofia", "Linnea",
)  # fmt: skip
SURNAMES = (
    "Aalto", "Ahonen", "Heikkinen", "Hämäläinen", "Järvinen", "Karjalainen", "Koskinen",
    "Laine", "Lehtonen", "Lehtinen", "Mäkinen", "Mäkelä", "Nieminen", "Ojala", "Rantanen",
    "Salminen", "Turunen", "Virtanen", "Korhonen", "Hakala", "Saarinen", "Kallio", "Lindqvist",
    "Nyström", "Söderberg", "Abdi", "Hassan", "Nguyen", "Ivanov", "Kettunen", "Peltonen",
    "Räsänen", "Seppälä", "Tuominen", "Vainio", "Anttila", "Kiiskinen", "Miettinen",
)  # fmt: skip
MUNICIPALITIES = ("Helsinki", "Helsinki", "Helsinki", "Espoo", "Vantaa", "Kauniainen")


@dataclass(frozen=True)
class Plan:
    """One run's parameters: the same plan always makes the same persons, chunk by chunk."""

    persons: int
    seed: int = 0
    chunk_size: int = 1000

    def __post_init__(self) -> None:
        if not 1 <= self.persons <= MAX_PERSONS:
            raise ValueError(f"persons must be between 1 and {MAX_PERSONS}")
        if self.chunk_size < 1:
            raise ValueError("chunk_size must be positive")

    @property
    def chunks(self) -> int:
        return -(-self.persons // self.chunk_size)

    def numbers(self, chunk: int) -> range:
        """The person numbers of a chunk (0-based, the last chunk may be short)."""
        start = chunk * self.chunk_size
        return range(start, min(start + self.chunk_size, self.persons))

    def rng(self, chunk: int) -> random.Random:
        """The chunk's own generator (not for secrets): re-running a chunk makes the same rows."""
        return random.Random(f"silta-generate/{self.seed}/{self.chunk_size}/{chunk}")  # noqa: S311  # nosec B311 - synthetic data, not secrets

    def marker_id(self, chunk: int) -> uuid.UUID:
        """The id of the chunk's first person: present exactly when the chunk is committed."""
        return person_id(self.seed, self.numbers(chunk).start)


def person_id(seed: int, number: int) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"silta-generate:{seed}:person:{number}")


def new_id(rng: random.Random) -> uuid.UUID:
    """A version-4 id drawn from the chunk's generator (deterministic for the same plan)."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def identity_code(seed: int, number: int) -> str:
    """A valid, artificial identity code; distinct for distinct numbers under one seed."""
    offset = random.Random(f"silta-generate/codes/{seed}").randrange(CODE_SPACE)  # noqa: S311  # nosec B311 - not a secret
    slot = (number * _STRIDE + offset) % CODE_SPACE
    individual = INDIVIDUAL_NUMBERS.start + slot % len(INDIVIDUAL_NUMBERS)
    sign = CENTURY_SIGNS[(slot // len(INDIVIDUAL_NUMBERS)) % len(CENTURY_SIGNS)]
    born = FIRST_BIRTH_DAY + timedelta(days=slot // (len(INDIVIDUAL_NUMBERS) * len(CENTURY_SIGNS)))
    digits = f"{born:%d%m%y}{individual:03d}"
    return f"{born:%d%m%y}{sign}{individual:03d}{_CHECK[int(digits) % 31]}"


def birth_date_of(code: str) -> date:
    return date(2000 + int(code[4:6]), int(code[2:4]), int(code[0:2]))


def at_hour(day: date, rng: random.Random) -> datetime:
    """A moment in office hours (UTC) on `day`."""
    return datetime(day.year, day.month, day.day, 6, tzinfo=UTC) + timedelta(
        minutes=rng.randrange(9 * 60)
    )
