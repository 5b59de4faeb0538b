import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from familiebro.cases.models import PathwayChoice, PathwayDefinition
from familiebro.cases.pathways import services as pathway_services
from familiebro.core.models import Municipality, ServiceUnit


class Command(BaseCommand):
    help = (
        "Pathway definitions: list them, export a version as JSON, publish a new version from "
        "a JSON file, choose the pathway of a municipality or a unit, and move running cases "
        "to a newer version explicitly (a published version never changes)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="Definitions, their versions and who chose them.")
        export = sub.add_parser("export", help="Print a version's specification as JSON.")
        export.add_argument("key")
        export.add_argument("--version", type=int, help="Default: the newest.")
        publish = sub.add_parser("publish", help="Publish the next version from a JSON file.")
        publish.add_argument("key")
        publish.add_argument("file")
        publish.add_argument("--note", default="", help="What changed.")
        choose = sub.add_parser("choose", help="The pathway new cases of a place open on.")
        choose.add_argument("key")
        place = choose.add_mutually_exclusive_group(required=True)
        place.add_argument("--municipality", help="Municipality number, e.g. 3413.")
        place.add_argument("--unit", type=int, help="Service unit id.")
        move = sub.add_parser("move", help="Move the open cases of one version to another.")
        move.add_argument("key")
        move.add_argument("--from", dest="from_number", type=int, required=True)
        move.add_argument("--to", dest="to_number", type=int, required=True)
        move.add_argument(
            "--phase",
            action="append",
            default=[],
            metavar="OLD=NEW",
            help="The new phase of an old one (repeat for each renamed phase).",
        )

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc

    def _list(self, **options):
        for definition in PathwayDefinition.objects.prefetch_related("versions"):
            numbers = ", ".join(f"v{v.number}" for v in definition.versions.all())
            self.stdout.write(f"{definition.key}: {definition.name} ({numbers})")
        for choice in PathwayChoice.objects.select_related("definition", "municipality", "unit"):
            place = choice.unit or choice.municipality
            self.stdout.write(f"  {place} uses {choice.definition.key}")

    def _export(self, key, version=None, **options):
        spec = pathway_services.version_of(key, version).spec
        self.stdout.write(json.dumps(spec, ensure_ascii=False, indent=2))

    def _publish(self, key, file, note, **options):
        try:
            spec = json.loads(Path(file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {file} as JSON: {exc}") from exc
        version = pathway_services.publish_version(key, spec, note)
        self.stdout.write(
            f"Published {key} v{version.number}. New cases open on it; running cases keep "
            "their version until moved with `pathway move`."
        )

    def _choose(self, key, municipality=None, unit=None, **options):
        if municipality is not None:
            found = Municipality.objects.filter(number=municipality).first()
            if found is None:
                raise CommandError(f"There is no municipality number {municipality}.")
            pathway_services.choose(key, municipality=found)
            self.stdout.write(f"New cases in {found} open on {key}.")
            return
        chosen = ServiceUnit.objects.filter(pk=unit).first()
        if chosen is None:
            raise CommandError(f"There is no service unit {unit}.")
        pathway_services.choose(key, unit=chosen)
        self.stdout.write(f"New cases of {chosen} open on {key}.")

    def _move(self, key, from_number, to_number, phase, **options):
        mapping = {}
        for pair in phase:
            old, sep, new = pair.partition("=")
            if not sep or not old or not new:
                raise CommandError(f"--phase {pair}: write it as OLD=NEW, e.g. level0=level_0.")
            mapping[old] = new
        report = pathway_services.move_cases(key, from_number, to_number, mapping)
        self.stdout.write(report.summary())
