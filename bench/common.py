"""What the benchmark generators share: the RowWriter, synthetic names and the bench user.

The population (generate.py), the catalogue (offers.py) and the cases (cases.py) all write
their rows through one RowWriter and draw from the same names, so they live here, below all
three: generate.py calls the other two, and they need nothing of it.

Rows get their ids from the RowWriter rather than from the database, so that they can refer to
each other before they are written: PostgreSQL then loads them with COPY, other databases (the
tests run on SQLite) with bulk_create.
"""

from __future__ import annotations

from typing import TypeVar

from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import Max

BATCH_SIZE = 10_000
BENCH_USERNAME = "bench.ansatt"

GIVEN_NAMES = (
    "Emma", "Nora", "Olivia", "Ella", "Sofie", "Ingrid", "Maja", "Leah", "Sara", "Astrid",
    "Frida", "Selma", "Tiril", "Hedda", "Ida", "Jakob", "Emil", "Noah", "Oliver", "Filip",
    "William", "Lucas", "Isak", "Aksel", "Henrik", "Magnus", "Sander", "Johannes", "Tobias",
    "Kasper", "Kari", "Ola", "Marit", "Per", "Solveig", "Bjørn", "Åse", "Øystein", "Hanne",
    "Trond", "Amina", "Yusuf", "Zofia", "Mohammed", "Aleksander", "Linnea", "Mathias", "Vilde",
)  # fmt: skip
FAMILY_NAMES = (
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
    "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen",
    "Johannessen", "Andreassen", "Jacobsen", "Dahl", "Jørgensen", "Halvorsen", "Henriksen",
    "Lund", "Sørensen", "Moen", "Gundersen", "Iversen", "Strand", "Solberg", "Svendsen", "Eide",
    "Knutsen", "Martinsen", "Paulsen", "Bakken", "Mathisen", "Lie", "Ødegård", "Aas", "Ali",
    "Nowak", "Ahmed", "Kowalski", "Nguyen", "Sandvik", "Rønning", "Tveit",
)  # fmt: skip
NAME_STEMS = (
    "Nord", "Sør", "Øst", "Vest", "Fjell", "Strand", "Elve", "Sjø", "Berg", "Skog", "Vik",
    "Dal", "Li", "Haug", "Bakke", "Eng", "Myr", "Ås", "Holm", "Nes",
)  # fmt: skip
NAME_ENDINGS = (
    "vik", "dal", "fjord", "nes", "bø", "heim", "stad", "land", "øy", "berg", "sund", "li",
    "vang", "set", "rud", "mo", "haug", "voll",
)  # fmt: skip
COUNTIES = (
    "Østfold", "Akershus", "Oslo", "Innlandet", "Buskerud", "Vestfold", "Telemark", "Agder",
    "Rogaland", "Vestland", "Møre og Romsdal", "Trøndelag", "Nordland", "Troms", "Finnmark",
)  # fmt: skip

ModelT = TypeVar("ModelT", bound=models.Model)


class RowWriter:
    """Collects unsaved instances with preassigned ids and writes them in batches.

    Models are written in the order they were first seen, so parents reach the database
    before the rows that refer to them.
    """

    def __init__(self, batch_size: int = BATCH_SIZE) -> None:
        self._batch_size = batch_size
        self._pending: dict[type[models.Model], list[models.Model]] = {}
        self._pending_count = 0
        self._next_id: dict[type[models.Model], int] = {}
        # The wrapper itself, not the thread-local proxy `connection`: field preparation
        # reaches for it millions of times.
        self._connection = connections[DEFAULT_DB_ALIAS]
        self._use_copy = self._connection.vendor == "postgresql"

    def next_id(self, model: type[models.Model]) -> int:
        """Reserve the next id of `model` (for fields that are derived from it)."""
        if model not in self._next_id:
            highest = model._default_manager.aggregate(highest=Max("pk"))["highest"]
            self._next_id[model] = (highest or 0) + 1
        reserved = self._next_id[model]
        self._next_id[model] = reserved + 1
        return reserved

    def add(self, obj: ModelT) -> ModelT:
        model = type(obj)
        if obj.pk is None:
            obj.pk = self.next_id(model)
        self._pending.setdefault(model, []).append(obj)
        self._pending_count += 1
        if self._pending_count >= self._batch_size:
            self.flush()
        return obj

    def flush(self) -> None:
        for model, objs in self._pending.items():
            if objs:
                self._write(model, objs)
                objs.clear()
        self._pending_count = 0

    def finish(self) -> None:
        """Write what is left and move the id sequences past the ids given out here."""
        self.flush()
        statements = self._connection.ops.sequence_reset_sql(no_style(), list(self._next_id))
        with self._connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    def _write(self, model: type[models.Model], objs: list[models.Model]) -> None:
        if not self._use_copy:
            model._default_manager.bulk_create(objs, batch_size=1000)
            return
        # The same field preparation as Django's INSERT (auto_now, encoders, adapters), so
        # new fields with Python defaults need no change here.
        db = self._connection
        fields = model._meta.concrete_fields
        quote = db.ops.quote_name
        columns = ", ".join(quote(field.column) for field in fields)
        sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
        with db.cursor() as cursor, cursor.copy(sql) as copy:
            for obj in objs:
                copy.write_row(
                    [field.get_db_prep_save(field.pre_save(obj, True), db) for field in fields]
                )


def municipality_name(index: int) -> str:
    stem, ending = divmod(index, len(NAME_ENDINGS))
    name = NAME_STEMS[stem % len(NAME_STEMS)] + NAME_ENDINGS[ending]
    laps = stem // len(NAME_STEMS)
    return f"{name} {laps + 1}" if laps else name
