"""The benchmark scales. Free of Django, so the runner can read them before configuring it."""

from __future__ import annotations

from dataclasses import dataclass

# 39 family counselling offices serve Norway's 357 municipalities.
MUNICIPALITIES_PER_COUNSELLING_OFFICE = 357 / 39


@dataclass(frozen=True)
class Scale:
    name: str
    municipalities: int
    persons: int
    description: str
    # Published offers in the catalogue, and how many municipalities they spread over (the
    # catalogue is national: beyond the scale's own municipalities, bare ones are added).
    offers: int = 0
    offer_municipalities: int = 0
    # Cases on the collaboration pathway and the entries of their shared logs (bench/cases.py).
    cases: int = 0
    log_entries: int = 0

    @property
    def family_counselling_offices(self) -> int:
        return max(1, round(self.municipalities / MUNICIPALITIES_PER_COUNSELLING_OFFICE))


SCALES: dict[str, Scale] = {
    scale.name: scale
    for scale in (
        Scale(
            "tiny",
            2,
            200,
            "the smoke test: two municipalities",
            offers=60,
            cases=45,
            log_entries=900,
        ),
        Scale(
            "small",
            10,
            10_000,
            "a handful of small municipalities",
            offers=2_000,
            cases=2_300,
            log_entries=46_000,
        ),
        Scale(
            "municipality",
            30,
            100_000,
            "a county-sized installation",
            offers=20_000,
            offer_municipalities=357,
            cases=23_000,
            log_entries=460_000,
        ),
        Scale(
            "national",
            357,
            1_100_000,
            "every municipality in Norway",
            offers=20_000,
            cases=250_000,
            log_entries=5_000_000,
        ),
    )
}
