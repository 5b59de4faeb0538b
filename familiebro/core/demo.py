"""Demo data of the ground floor: the pilot sites of the seed reports, their services and the
demo staff logins.

People, accounts and organisation numbers are fictional; places and kinds of service are real.
Municipality numbers are the real ones in force since 1 January 2024 (SSB classification 131,
unchanged since). The services are modelled on the sites of Tiltak 26 (Rana, Namsos, Gloppen,
Skien, Lillestrøm/Skedsmo and their family counselling offices), Familiehjelpa in Stange and
"Kvalitet i alle ledd" (Averøy, Hustadvika/Fræna, Molde, Smøla with Helse Møre og Romsdal).

Organisation numbers are fictional: checksum-valid per python-stdnum, starting with 9, in two
readable series ("91" + municipality number for municipalities, "92nn" for the rest). They are
not the organisations' real numbers and may belong to unrelated real entities.

The families live with the persons (familiebro.persons.demo), the offers and cases with their
parts; familiebro.demo loads them all. `load_demo_organisations()` is idempotent: it
looks every row up by its natural key and creates only what is missing, so a second run writes
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from django.conf import settings
from django.contrib.auth.hashers import make_password

from .models import Membership, Municipality, Organisation, ServiceUnit, User

Unit = ServiceUnit.Kind
Role = Membership.Role
Title = User.Title


@dataclass(frozen=True)
class MunicipalitySpec:
    number: str
    name: str
    county: str


@dataclass(frozen=True)
class UnitSpec:
    name: str
    kind: ServiceUnit.Kind
    # Municipality numbers. Left empty, a municipality's own unit serves that municipality.
    serves: tuple[str, ...] = ()


@dataclass(frozen=True)
class OrganisationSpec:
    name: str
    kind: Organisation.Kind
    org_number: str
    units: tuple[UnitSpec, ...]
    municipality: str | None = None


@dataclass(frozen=True)
class DemoLogin:
    """One demo staff account; docs/demo.md and the login page list these."""

    username: str
    title: User.Title
    unit: str | None
    role: Membership.Role | None
    name: str
    is_instance_admin: bool = False


INNLANDET = "Innlandet"
NORDLAND = "Nordland"
TRONDELAG = "Trøndelag"
VESTLAND = "Vestland"
TELEMARK = "Telemark"
AKERSHUS = "Akershus"
MORE_OG_ROMSDAL = "Møre og Romsdal"

STANGE, RANA, NAMSOS, GLOPPEN, SKIEN = "3413", "1833", "5007", "4650", "4003"
LILLESTROM, AVEROY, HUSTADVIKA, MOLDE, SMOLA = "3205", "1554", "1579", "1506", "1573"

# The ten municipalities of the pilots. Each is an organisation with its own services.
PILOT_MUNICIPALITIES: tuple[MunicipalitySpec, ...] = (
    MunicipalitySpec(STANGE, "Stange", INNLANDET),
    MunicipalitySpec(RANA, "Rana", NORDLAND),
    MunicipalitySpec(NAMSOS, "Namsos", TRONDELAG),
    MunicipalitySpec(GLOPPEN, "Gloppen", VESTLAND),
    MunicipalitySpec(SKIEN, "Skien", TELEMARK),
    MunicipalitySpec(LILLESTROM, "Lillestrøm", AKERSHUS),
    MunicipalitySpec(AVEROY, "Averøy", MORE_OG_ROMSDAL),
    MunicipalitySpec(HUSTADVIKA, "Hustadvika", MORE_OG_ROMSDAL),
    MunicipalitySpec(MOLDE, "Molde", MORE_OG_ROMSDAL),
    MunicipalitySpec(SMOLA, "Smøla", MORE_OG_ROMSDAL),
)

# Neighbours served by the family counselling offices, BUP units and the voluntary offer.
# They appear only as municipalities served, so they need no organisation.
NEIGHBOUR_MUNICIPALITIES: tuple[MunicipalitySpec, ...] = (
    MunicipalitySpec("1828", "Nesna", NORDLAND),
    MunicipalitySpec("1832", "Hemnes", NORDLAND),
    MunicipalitySpec("1834", "Lurøy", NORDLAND),
    MunicipalitySpec("1835", "Træna", NORDLAND),
    MunicipalitySpec("1836", "Rødøy", NORDLAND),
    MunicipalitySpec("5044", "Namsskogan", TRONDELAG),
    MunicipalitySpec("5045", "Grong", TRONDELAG),
    MunicipalitySpec("5046", "Høylandet", TRONDELAG),
    MunicipalitySpec("5047", "Overhalla", TRONDELAG),
    MunicipalitySpec("5049", "Flatanger", TRONDELAG),
    MunicipalitySpec("5052", "Leka", TRONDELAG),
    MunicipalitySpec("5060", "Nærøysund", TRONDELAG),
    MunicipalitySpec("4602", "Kinn", VESTLAND),
    MunicipalitySpec("4648", "Bremanger", VESTLAND),
    MunicipalitySpec("4649", "Stad", VESTLAND),
    MunicipalitySpec("4651", "Stryn", VESTLAND),
    MunicipalitySpec("4001", "Porsgrunn", TELEMARK),
    MunicipalitySpec("4010", "Siljan", TELEMARK),
    MunicipalitySpec("4012", "Bamble", TELEMARK),
    MunicipalitySpec("4014", "Kragerø", TELEMARK),
    MunicipalitySpec("4016", "Drangedal", TELEMARK),
    MunicipalitySpec("3222", "Lørenskog", AKERSHUS),
    MunicipalitySpec("3224", "Rælingen", AKERSHUS),
    MunicipalitySpec("3226", "Aurskog-Høland", AKERSHUS),
    MunicipalitySpec("3230", "Gjerdrum", AKERSHUS),
    MunicipalitySpec("3232", "Nittedal", AKERSHUS),
    MunicipalitySpec("3401", "Kongsvinger", INNLANDET),
    MunicipalitySpec("3403", "Hamar", INNLANDET),
    MunicipalitySpec("3411", "Ringsaker", INNLANDET),
    MunicipalitySpec("3412", "Løten", INNLANDET),
    MunicipalitySpec("3414", "Nord-Odal", INNLANDET),
    MunicipalitySpec("3415", "Sør-Odal", INNLANDET),
    MunicipalitySpec("3416", "Eidskog", INNLANDET),
)

MUNICIPALITIES = PILOT_MUNICIPALITIES + NEIGHBOUR_MUNICIPALITIES

# Organisation numbers (fictional, see the module docstring).
STANGE_KOMMUNE = "913413008"
RANA_KOMMUNE = "911833018"
NAMSOS_KOMMUNE = "915007007"
GLOPPEN_KOMMUNE = "914650003"
SKIEN_KOMMUNE = "914003008"
LILLESTROM_KOMMUNE = "913205006"
AVEROY_KOMMUNE = "911554003"
HUSTADVIKA_KOMMUNE = "911579006"
MOLDE_KOMMUNE = "911506009"
SMOLA_KOMMUNE = "911573008"
BUFETAT_NORD = "920100007"
BUFETAT_MIDT_NORGE = "920200001"
BUFETAT_VEST = "920300006"
BUFETAT_SOR = "920400000"
BUFETAT_OST = "920500005"
SYKEHUSET_INNLANDET = "920600018"
HELGELANDSSYKEHUSET = "920700004"
HELSE_MORE_OG_ROMSDAL = "920800009"
HOME_START = "920900003"

# Rana and its neighbours on northern Helgeland: the catchment of both the family counselling
# office and BUP in Mo i Rana.
HELGELAND_NORTH = (RANA, "1832", "1828", "1834", "1835", "1836")


def _municipality(number: str, org_number: str, *units: UnitSpec) -> OrganisationSpec:
    name = next(m.name for m in PILOT_MUNICIPALITIES if m.number == number)
    return OrganisationSpec(
        name=f"{name} kommune",
        kind=Organisation.Kind.MUNICIPALITY,
        org_number=org_number,
        municipality=number,
        units=units,
    )


MUNICIPAL_ORGANISATIONS: tuple[OrganisationSpec, ...] = (
    _municipality(
        STANGE,
        STANGE_KOMMUNE,
        UnitSpec("Helsestasjonen i Stange", Unit.HEALTH_CENTRE),
        UnitSpec("Ottestad barnehage", Unit.KINDERGARTEN),
        UnitSpec("Ottestad skole", Unit.SCHOOL),
        UnitSpec("PP-tjenesten i Stange", Unit.PPT),
        UnitSpec("Barnevernstjenesten i Stange", Unit.CHILD_WELFARE),
        UnitSpec("Familiehjelpa", Unit.LOW_THRESHOLD_TEAM),
    ),
    _municipality(
        RANA,
        RANA_KOMMUNE,
        UnitSpec("Helsestasjonen i Rana", Unit.HEALTH_CENTRE),
        UnitSpec("Selfors barnehage", Unit.KINDERGARTEN),
        UnitSpec("Selfors skole", Unit.SCHOOL),
        UnitSpec("PP-tjenesten i Rana", Unit.PPT),
        UnitSpec("Barnevernstjenesten i Rana", Unit.CHILD_WELFARE),
    ),
    _municipality(
        NAMSOS,
        NAMSOS_KOMMUNE,
        UnitSpec("Helsestasjonen i Namsos", Unit.HEALTH_CENTRE),
        UnitSpec("Høknes barnehage", Unit.KINDERGARTEN),
        UnitSpec("Høknes skole", Unit.SCHOOL),
        UnitSpec("PP-tjenesten i Namsos", Unit.PPT),
        UnitSpec("Barnevernstjenesten i Namsos", Unit.CHILD_WELFARE),
    ),
    # Gloppen writes nynorsk, and so do its services.
    _municipality(
        GLOPPEN,
        GLOPPEN_KOMMUNE,
        UnitSpec("Helsestasjonen i Gloppen", Unit.HEALTH_CENTRE),
        UnitSpec("Sandane barnehage", Unit.KINDERGARTEN),
        UnitSpec("Sandane skule", Unit.SCHOOL),
        UnitSpec("PP-tenesta i Gloppen", Unit.PPT),
        UnitSpec("Barnevernstenesta i Gloppen", Unit.CHILD_WELFARE),
    ),
    _municipality(
        SKIEN,
        SKIEN_KOMMUNE,
        UnitSpec("Helsestasjonen i Skien", Unit.HEALTH_CENTRE),
        UnitSpec("Gulset barnehage", Unit.KINDERGARTEN),
        UnitSpec("Gulset skole", Unit.SCHOOL),
        UnitSpec("PP-tjenesten i Skien", Unit.PPT),
        UnitSpec("Barnevernstjenesten i Skien", Unit.CHILD_WELFARE),
    ),
    _municipality(
        LILLESTROM,
        LILLESTROM_KOMMUNE,
        UnitSpec("Helsestasjonen i Lillestrøm", Unit.HEALTH_CENTRE),
        UnitSpec("Skedsmokorset barnehage", Unit.KINDERGARTEN),
        UnitSpec("Skedsmokorset skole", Unit.SCHOOL),
        UnitSpec("PP-tjenesten i Lillestrøm", Unit.PPT),
        UnitSpec("Barnevernstjenesten i Lillestrøm", Unit.CHILD_WELFARE),
    ),
    _municipality(
        AVEROY,
        AVEROY_KOMMUNE,
        UnitSpec("Helsestasjonen i Averøy", Unit.HEALTH_CENTRE),
        UnitSpec("Bruhagen barnehage", Unit.KINDERGARTEN),
        UnitSpec("Bruhagen skole", Unit.SCHOOL),
        UnitSpec("PP-tjenesten i Averøy", Unit.PPT),
        UnitSpec("Barnevernstjenesten i Averøy", Unit.CHILD_WELFARE),
    ),
    _municipality(
        HUSTADVIKA,
        HUSTADVIKA_KOMMUNE,
        UnitSpec("Helsestasjonen i Hustadvika", Unit.HEALTH_CENTRE),
        UnitSpec("Elnesvågen barnehage", Unit.KINDERGARTEN),
        UnitSpec("Elnesvågen skole", Unit.SCHOOL),
        UnitSpec("PP-tjenesten i Hustadvika", Unit.PPT),
        UnitSpec("Barnevernstjenesten i Hustadvika", Unit.CHILD_WELFARE),
    ),
    _municipality(
        MOLDE,
        MOLDE_KOMMUNE,
        UnitSpec("Helsestasjonen i Molde", Unit.HEALTH_CENTRE),
        UnitSpec("Kviltorp barnehage", Unit.KINDERGARTEN),
        UnitSpec("Kviltorp skole", Unit.SCHOOL),
        UnitSpec("PP-tjenesten i Molde", Unit.PPT),
        UnitSpec("Barnevernstjenesten i Molde", Unit.CHILD_WELFARE),
    ),
    _municipality(
        SMOLA,
        SMOLA_KOMMUNE,
        UnitSpec("Helsestasjonen i Smøla", Unit.HEALTH_CENTRE),
        UnitSpec("Hopen barnehage", Unit.KINDERGARTEN),
        UnitSpec("Hopen skole", Unit.SCHOOL),
        UnitSpec("PP-tjenesten i Smøla", Unit.PPT),
        UnitSpec("Barnevernstjenesten i Smøla", Unit.CHILD_WELFARE),
    ),
)

# Family counselling is a state service run by Bufetat's five regions, one office per region
# here: the five offices of Tiltak 26. Each serves about ten municipalities around it.
STATE_ORGANISATIONS: tuple[OrganisationSpec, ...] = (
    OrganisationSpec(
        "Bufetat, region nord",
        Organisation.Kind.STATE_SERVICE,
        BUFETAT_NORD,
        (UnitSpec("Familievernkontoret Mo i Rana", Unit.FAMILY_COUNSELLING, HELGELAND_NORTH),),
    ),
    OrganisationSpec(
        "Bufetat, region Midt-Norge",
        Organisation.Kind.STATE_SERVICE,
        BUFETAT_MIDT_NORGE,
        (
            UnitSpec(
                "Familievernkontoret Namsos",
                Unit.FAMILY_COUNSELLING,
                (NAMSOS, "5047", "5045", "5046", "5049", "5060", "5052", "5044"),
            ),
        ),
    ),
    OrganisationSpec(
        "Bufetat, region vest",
        Organisation.Kind.STATE_SERVICE,
        BUFETAT_VEST,
        (
            UnitSpec(
                "Familievernkontoret Nordfjord",
                Unit.FAMILY_COUNSELLING,
                (GLOPPEN, "4651", "4649", "4648", "4602"),
            ),
        ),
    ),
    OrganisationSpec(
        "Bufetat, region sør",
        Organisation.Kind.STATE_SERVICE,
        BUFETAT_SOR,
        (
            UnitSpec(
                "Familievernkontoret Grenland",
                Unit.FAMILY_COUNSELLING,
                (SKIEN, "4001", "4012", "4010", "4014", "4016"),
            ),
        ),
    ),
    OrganisationSpec(
        "Bufetat, region øst",
        Organisation.Kind.STATE_SERVICE,
        BUFETAT_OST,
        (
            UnitSpec(
                "Familievernkontoret Romerike-Kongsvinger",
                Unit.FAMILY_COUNSELLING,
                (
                    LILLESTROM,
                    "3222",
                    "3224",
                    "3232",
                    "3230",
                    "3226",
                    "3401",
                    "3414",
                    "3415",
                    "3416",
                ),
            ),
        ),
    ),
)

HEALTH_TRUSTS: tuple[OrganisationSpec, ...] = (
    OrganisationSpec(
        "Sykehuset Innlandet HF",
        Organisation.Kind.HEALTH_TRUST,
        SYKEHUSET_INNLANDET,
        # Familiehjelpa's extended meetings include the infant team of BUP Hamar.
        (UnitSpec("BUP Hamar", Unit.BUP, ("3403", STANGE, "3412", "3411")),),
    ),
    OrganisationSpec(
        "Helgelandssykehuset HF",
        Organisation.Kind.HEALTH_TRUST,
        HELGELANDSSYKEHUSET,
        (UnitSpec("BUP Mo i Rana", Unit.BUP, HELGELAND_NORTH),),
    ),
    OrganisationSpec(
        "Helse Møre og Romsdal HF",
        Organisation.Kind.HEALTH_TRUST,
        HELSE_MORE_OG_ROMSDAL,
        # The four municipalities of the "Kvalitet i alle ledd" collaboration pathway.
        (UnitSpec("BUP Molde", Unit.BUP, (AVEROY, HUSTADVIKA, MOLDE, SMOLA)),),
    ),
)

VOLUNTARY_ORGANISATIONS: tuple[OrganisationSpec, ...] = (
    OrganisationSpec(
        "Home-Start Familiekontakten Norge",
        Organisation.Kind.VOLUNTARY,
        HOME_START,
        (UnitSpec("Home-Start Familiekontakten Stange", Unit.VOLUNTARY, (STANGE, "3403")),),
    ),
)

ORGANISATIONS = (
    MUNICIPAL_ORGANISATIONS + STATE_ORGANISATIONS + HEALTH_TRUSTS + VOLUNTARY_ORGANISATIONS
)

DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin(
        "helsesykepleier",
        Title.PUBLIC_HEALTH_NURSE,
        "Helsestasjonen i Stange",
        Role.WORKER,
        "Ingrid Bakken",
    ),
    DemoLogin("jordmor", Title.MIDWIFE, "Helsestasjonen i Rana", Role.WORKER, "Hilde Sørli"),
    DemoLogin(
        "familieterapeut",
        Title.FAMILY_THERAPIST,
        "Familievernkontoret Mo i Rana",
        Role.WORKER,
        "Tor Eirik Lie",
    ),
    DemoLogin(
        "barnehagelaerer",
        Title.KINDERGARTEN_TEACHER,
        "Ottestad barnehage",
        Role.WORKER,
        "Camilla Dahl",
    ),
    DemoLogin(
        "ppt-psykolog", Title.PSYCHOLOGIST, "PP-tjenesten i Stange", Role.WORKER, "Martin Holm"
    ),
    DemoLogin(
        "barnevernspedagog",
        Title.CHILD_WELFARE_WORKER,
        "Barnevernstjenesten i Stange",
        Role.WORKER,
        "Fatima Rahimi",
    ),
    DemoLogin(
        "koordinator", Title.SOCIAL_WORKER, "Familiehjelpa", Role.COORDINATOR, "Line Bjørklund"
    ),
    DemoLogin("leder", Title.MANAGER, "Familiehjelpa", Role.LEADER, "Anne Grethe Moen"),
    DemoLogin("enhetsadmin", Title.OTHER, "Helsestasjonen i Stange", Role.UNIT_ADMIN, "Knut Ruud"),
    DemoLogin("bup-psykolog", Title.PSYCHOLOGIST, "BUP Molde", Role.WORKER, "Eirik Vatne"),
    DemoLogin(
        "frivillig",
        Title.COORDINATOR,
        "Home-Start Familiekontakten Stange",
        Role.COORDINATOR,
        "Marit Hagen",
    ),
    DemoLogin("admin", Title.OTHER, None, None, "Siri Lunde", is_instance_admin=True),
)


class DemoDataRefused(Exception):
    """Loading demo data here would be unsafe; the message says why."""


def _count(label: str) -> int:
    return field(default=0, metadata={"label": label})


@dataclass
class LoadResult:
    """How many rows of each kind one run created; each part's loader adds its own."""

    municipalities: int = _count("municipalities")
    organisations: int = _count("organisations")
    units: int = _count("service units")
    served_links: int = _count("links from units to the municipalities they serve")
    staff: int = _count("staff accounts")
    memberships: int = _count("memberships")
    persons: int = _count("persons")
    guardian_relations: int = _count("guardian relations")
    cases: int = _count("cases and requests for help")

    @property
    def created_anything(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    def summary(self) -> str:
        if not self.created_anything:
            return "The demo data is already loaded: nothing to create."
        parts = [
            f"{getattr(self, f.name)} {f.metadata['label']}"
            for f in fields(self)
            if getattr(self, f.name)
        ]
        return "Demo data loaded. Created " + ", ".join(parts) + "."


def load_demo_organisations(result: LoadResult) -> dict[str, Organisation]:
    """Create whatever is missing of the municipalities, organisations, units and staff
    logins. Returns the organisations by organisation number."""
    municipalities = _load_municipalities(result)
    organisations, units = _load_organisations(municipalities, result)
    _load_staff(units, result)
    return organisations


def _load_municipalities(result: LoadResult) -> dict[str, Municipality]:
    numbers = [spec.number for spec in MUNICIPALITIES]
    existing = Municipality.objects.in_bulk(numbers, field_name="number")
    for spec in MUNICIPALITIES:
        if spec.number in existing:
            continue
        municipality = Municipality(number=spec.number, name=spec.name, county=spec.county)
        municipality.full_clean()
        municipality.save()
        existing[spec.number] = municipality
        result.municipalities += 1
    return existing


def _load_organisations(
    municipalities: dict[str, Municipality], result: LoadResult
) -> tuple[dict[str, Organisation], dict[str, ServiceUnit]]:
    org_numbers = [spec.org_number for spec in ORGANISATIONS]
    organisations = Organisation.objects.in_bulk(org_numbers, field_name="org_number")
    existing_units = {
        (unit.organisation_id, unit.name): unit
        for unit in ServiceUnit.objects.filter(
            organisation__org_number__in=org_numbers
        ).prefetch_related("municipalities_served")
    }
    units: dict[str, ServiceUnit] = {}
    for spec in ORGANISATIONS:
        organisation = organisations.get(spec.org_number)
        if organisation is None:
            organisation = Organisation(
                name=spec.name,
                kind=spec.kind,
                org_number=spec.org_number,
                municipality=municipalities[spec.municipality] if spec.municipality else None,
            )
            organisation.full_clean()
            organisation.save()
            organisations[spec.org_number] = organisation
            result.organisations += 1
        for unit_spec in spec.units:
            unit = existing_units.get((organisation.pk, unit_spec.name))
            if unit is None:
                unit = ServiceUnit(
                    organisation=organisation, name=unit_spec.name, kind=unit_spec.kind
                )
                unit.full_clean()
                unit.save()
                result.units += 1
            serves = unit_spec.serves or ((spec.municipality,) if spec.municipality else ())
            _serve(unit, [municipalities[number] for number in serves], result)
            units[unit_spec.name] = unit
    return organisations, units


def _serve(unit: ServiceUnit, municipalities: list[Municipality], result: LoadResult) -> None:
    # Adding only the missing links lets a newer demo.py extend an older demo database.
    already = {m.pk for m in unit.municipalities_served.all()}
    missing = [m for m in municipalities if m.pk not in already]
    if missing:
        unit.municipalities_served.add(*missing)
        result.served_links += len(missing)


def _load_staff(units: dict[str, ServiceUnit], result: LoadResult) -> None:
    users = User.objects.in_bulk([login.username for login in DEMO_LOGINS], field_name="username")
    for login in DEMO_LOGINS:
        user = users.get(login.username)
        if user is not None and not user.is_demo_account:
            raise DemoDataRefused(
                f"A staff account named {login.username!r} already exists and is not a demo "
                "account. Demo data would give it the published demo password's memberships; "
                "rename or remove that account, or load the demo into an empty database."
            )
    memberships = set(
        Membership.objects.filter(user__in=users.values()).values_list("user_id", "unit_id", "role")
    )
    # Hashing is deliberately slow; every demo account shares the one password, so one hash
    # (computed only when an account is missing) serves them all.
    password_hash: str | None = None
    for login in DEMO_LOGINS:
        user = users.get(login.username)
        if user is None:
            password_hash = password_hash or make_password(settings.DEMO_PASSWORD)
            user = _create_demo_user(login, password_hash)
            result.staff += 1
        if login.unit is None or login.role is None:
            continue
        unit = units[login.unit]
        if (user.pk, unit.pk, login.role) not in memberships:
            Membership.objects.create(user=user, unit=unit, role=login.role)
            result.memberships += 1


def _create_demo_user(login: DemoLogin, password_hash: str) -> User:
    first_name, _, last_name = login.name.rpartition(" ")
    user = User(
        username=login.username,
        first_name=first_name,
        last_name=last_name,
        professional_title=login.title,
        is_instance_admin=login.is_instance_admin,
        password=password_hash,
    )
    user.is_demo_account = True
    user.full_clean()
    user.save()
    return user
