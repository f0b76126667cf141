"""Demo residents: realistic, reproducible and quick to insert in bulk.

Faker is slow per call, so it fills small pools once (streets, towns,
outward postcodes) and a seeded `random.Random` combines them per row. Phone
numbers are random UK-format numbers and emails use example.com: demo data is
refused in production, so nothing here is ever texted or emailed.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from random import Random

from faker import Faker

from app.demo.names import diverse_population, faker_population
from app.references import new_reference
from app.search.names import normalise_name

INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
MOBILE_PREFIXES = "1234579"
LANDLINE_AREA_CODES = ["113", "114", "115", "116", "117", "118", "121", "131", "141", "151", "161"]
DEMO_SECRET_WORDS = [
    "bluebell", "harbour", "lantern", "meadow", "orchard", "pebble", "saffron", "thistle",
    "willow", "juniper", "marigold", "copper", "falcon", "velvet", "biscuit", "comet",
]  # fmt: skip
RESIDENTS_PER_POSTCODE = 15


@dataclass(frozen=True)
class DemoResident:
    row: dict
    phones: list[tuple[str, str]]
    secret_word: str | None


class _Places:
    def __init__(self, rng: Random, faker: Faker, postcodes: int):
        outward = sorted({faker.postcode().split(" ")[0] for _ in range(min(3000, postcodes))})
        streets = sorted({faker.street_name() for _ in range(4000)})
        towns = sorted({faker.city() for _ in range(400)})
        self.postcodes = []
        for _ in range(postcodes):
            inward = str(rng.randrange(10)) + "".join(rng.choices(INWARD_LETTERS, k=2))
            self.postcodes.append((f"{rng.choice(outward)} {inward}", rng.choice(streets)))
        self.towns = {code: rng.choice(towns) for code, _ in self.postcodes}


def _mobile(rng: Random) -> str:
    return f"+447{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"


def _landline(rng: Random) -> str:
    return f"+44{rng.choice(LANDLINE_AREA_CODES)}{rng.randrange(2, 10)}{rng.randrange(10**6):06d}"


def demo_residents(count: int, *, seed: int = 2026, names: str = "faker") -> Iterator[DemoResident]:
    rng = Random(seed)
    faker = Faker("en_GB")
    faker.seed_instance(seed)
    places = _Places(rng, faker, max(1, count // RESIDENTS_PER_POSTCODE))
    population = faker_population if names == "faker" else diverse_population
    earliest = date(1925, 1, 1)
    span_days = (date(2007, 12, 31) - earliest).days
    # Names repeat (a million residents share tens of thousands of surnames): each is
    # normalised once.
    normalised: dict[str, str] = {}

    def norm(name: str) -> str:
        found = normalised.get(name)
        if found is None:
            found = normalised[name] = normalise_name(name)
        return found

    for forename, middle, surname in population(count, seed):
        postcode, street = rng.choice(places.postcodes)
        flat = rng.random() < 0.2
        number = rng.randrange(1, 240)
        line_1 = f"Flat {rng.randrange(1, 30)}, {number} {street}" if flat else f"{number} {street}"
        phones = [(_mobile(rng), "mobile")]
        if rng.random() < 0.3:
            phones.append((_landline(rng), "home"))
        has_email = rng.random() < 0.4
        row = {
            "reference": new_reference(rng),
            "forename": forename,
            "middle_names": middle,
            "surname": surname,
            "forename_norm": norm(forename),
            "surname_norm": norm(surname),
            "date_of_birth": earliest + timedelta(days=rng.randrange(span_days)),
            "address_line_1": line_1,
            "address_line_2": None,
            "town": places.towns[postcode],
            "postcode": postcode,
            "postcode_norm": postcode.replace(" ", ""),
            "email": (
                f"{forename}.{surname}{rng.randrange(100)}@example.com".lower().replace(" ", "")
                if has_email
                else None
            ),
        }
        secret = rng.choice(DEMO_SECRET_WORDS) if rng.random() < 0.1 else None
        yield DemoResident(row=row, phones=phones, secret_word=secret)
