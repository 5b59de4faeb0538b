"""The programme register and the two vocabularies, as seeded by migration 0003."""

import pytest

from familiebro.catalogue import programme_data
from familiebro.catalogue.models import Programme, Taxonomy, TaxonomyTerm
from familiebro.catalogue.programme_data import TARGET_GROUP_TAXONOMY, TOPIC_TAXONOMY

pytestmark = pytest.mark.django_db

# Written out here rather than read from programme_data, so that a wrong owner there fails.
NAMED_PROGRAMMES_AND_OWNERS = {
    "icdp": "Bufdir / ICDP Norge",
    "cos": "Regionsenter for barn og unges psykiske helse (RBUP), region Øst og Sør",
    "tibir": "Nasjonalt utviklingssenter for barn og unge (NUBU)",
    "pmto": "Nasjonalt utviklingssenter for barn og unge (NUBU) / Bufetat",
    "fft": "Nasjonalt utviklingssenter for barn og unge (NUBU)",
    "mst": "Nasjonalt utviklingssenter for barn og unge (NUBU)",
    "mst-can": "Nasjonalt utviklingssenter for barn og unge (NUBU)",
    "eft": "Norsk institutt for emosjonsfokusert terapi",
    "loft": "Voksne for Barn",
    "trygg-base": "RKBU",
    "tuning-into-kids": "RBUP Øst og Sør",
    "home-start": "Home-Start Familiekontakten Norge",
    "pappa-i-fengsel": "Kriminalomsorgen",
    "bryt-voldsarven": "Alternativ til Vold (ATV)",
}
ALSO_NAMED = {
    "marte-meo",
    "godt-samliv",
    "hva-med-oss",
    "fortsatt-foreldre",
    "familie-for-forste-gang",
    "foreldre-i-norge",
    "familierad",
    "komet",
    "prep",
    "cope",
}


def test_the_named_programmes_are_in_the_register_with_their_owners():
    programmes = {p.slug: p for p in Programme.objects.all()}
    for slug, owner in NAMED_PROGRAMMES_AND_OWNERS.items():
        assert programmes[slug].owner == owner, slug
    assert set(programmes) >= ALSO_NAMED
    assert programmes["cos"].name == "Trygghetssirkelen (Circle of Security, COS)"


def test_every_programme_says_whom_it_is_for_and_why():
    for programme in Programme.objects.all():
        assert programme.owner and programme.target_group and programme.purpose, programme.slug


def test_pmto_keeps_the_tables_age_and_notes_that_the_text_says_four_to_twelve():
    pmto = Programme.objects.get(slug="pmto")
    assert (pmto.age_from_months, pmto.age_to_months) == (36, 144)
    assert "3–12 år" in pmto.source_note
    assert "4–12 år" in pmto.source_note
    assert "Ambiguous" in pmto.source_note


def test_de_utrolige_arene_has_one_programme_per_age_band_of_the_source():
    bands = {
        (p.age_from_months, p.age_to_months)
        for p in Programme.objects.filter(slug__startswith="dua-")
    }
    assert bands == {(0, 12), (12, 36), (24, 72), (36, 72), (72, 144)}
    for programme in Programme.objects.filter(slug__startswith="dua-"):
        assert programme.name.startswith("De utrolige årene (DUÅ)")
        assert programme.owner == "RKBU Nord og RKBU Midt"


def test_pregnancy_is_negative_months():
    assert Programme.objects.get(slug="familie-for-forste-gang").age_from_months == -9
    assert Programme.objects.get(slug="bryt-voldsarven").age_to_months == 0


def test_an_evidence_level_always_comes_with_its_ungsinn_article():
    classified = Programme.objects.exclude(evidence_level=None)
    assert classified.filter(slug="pmto", evidence_level=5).exists()
    for programme in classified:
        assert programme.evidence_source_url.startswith("https://ungsinn.no/"), programme.slug
    for programme in Programme.objects.filter(evidence_level=None):
        assert programme.evidence_source_url == "", programme.slug
        assert "evidence level" in programme.source_note, programme.slug


def test_programmes_without_an_age_in_the_source_have_none_and_say_so():
    eft = Programme.objects.get(slug="eft")
    assert eft.age_from_months is None and eft.age_to_months is None
    assert "no child age" in eft.source_note


def test_the_database_matches_the_register_module():
    # Editing programme_data.py without a data migration that applies the edit fails here.
    fields = [f for f in programme_data.PROGRAMMES[0] if f != "slug"]
    stored = {p["slug"]: p for p in Programme.objects.values("slug", *fields)}
    assert set(stored) == {row["slug"] for row in programme_data.PROGRAMMES}
    for row in programme_data.PROGRAMMES:
        assert stored[row["slug"]] == row, row["slug"]
    terms = {
        (t.taxonomy.name, t.code): (t.pk, t.name, t.name_nn, t.name_en, t.description)
        for t in TaxonomyTerm.objects.select_related("taxonomy")
    }
    for row in programme_data.all_term_rows():
        taxonomy = TOPIC_TAXONOMY if row["taxonomy"] == "tema" else TARGET_GROUP_TAXONOMY
        assert terms[(taxonomy, row["code"])] == (
            row["id"],
            row["name"],
            row["name_nn"],
            row["name_en"],
            row["description"],
        )


def test_the_topics_and_target_groups_cover_what_parents_ask_about():
    topics = set(
        TaxonomyTerm.objects.filter(taxonomy__name=TOPIC_TAXONOMY).values_list("code", flat=True)
    )
    assert {
        "couple-relationship",
        "parenting-role",
        "infant-sleep-feeding",
        "conflict-separation",
        "violence",
        "substance-use",
        "mental-health",
        "disability",
        "minority-families",
        "fathers",
        "teenagers",
        "school",
        "pregnancy-birth",
        "grief-crisis",
        "economy",
    } <= topics
    groups = set(
        TaxonomyTerm.objects.filter(taxonomy__name=TARGET_GROUP_TAXONOMY).values_list(
            "code", flat=True
        )
    )
    assert {
        "first-time-parents",
        "fathers",
        "parents-of-disabled-children",
        "teen-parents",
        "minority-language-parents",
        "foster-adoptive-parents",
        "parents-in-prison",
        "expectant-parents",
        "separated-parents",
    } <= groups


def test_every_term_has_three_names_and_a_one_sentence_description():
    for term in TaxonomyTerm.objects.filter(
        taxonomy__name__in=[TOPIC_TAXONOMY, TARGET_GROUP_TAXONOMY]
    ):
        assert term.name and term.name_nn and term.name_en, term.code
        assert term.description.endswith(".") and term.description.count(". ") == 0, term.code


def test_the_vocabularies_have_the_same_ids_on_every_instance():
    assert Taxonomy.objects.get(name=TOPIC_TAXONOMY).pk == programme_data.taxonomy_id("tema")
    term = TaxonomyTerm.objects.get(code="violence")
    assert term.pk == programme_data.term_id("tema", "violence")
