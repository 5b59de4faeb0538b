"""The pathway pages: reading definitions, checking and publishing a new version, choosing
the pathway of a unit or a municipality, and who may do which."""

from __future__ import annotations

import copy
import json
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from familiebro.cases import case_services
from familiebro.cases.models import PathwayVersion
from familiebro.cases.pathway_library import BTI
from familiebro.cases.pathways import services as pathway_services
from familiebro.privacy.models import AuditEvent
from tests.cases import builders
from tests.privacy import factories as make
from tests.privacy.factories import logged_in

pytestmark = pytest.mark.django_db

LIST = reverse("pathways:list")
CHOOSE = reverse("pathways:choose")
NEW_BTI = reverse("pathways:new-version", args=["bti"])


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def town() -> builders.Municipality:
    return builders.municipality()


@pytest.fixture
def admin():
    return make.user(first_name="Ida", last_name="Drift", is_instance_admin=True)


def as_user(user, language: str = "en") -> Client:
    client = logged_in(user)
    client.cookies["familiebro_language"] = language
    return client


def text_of(response, status: int = 200) -> str:
    assert response.status_code == status, response.status_code
    return response.content.decode()


def bti_text(**change) -> str:
    spec = copy.deepcopy(BTI)
    spec["phases"][0]["deadlines"][0].update(change)
    return json.dumps(spec, ensure_ascii=False)


def broken_bti() -> str:
    spec = copy.deepcopy(BTI)
    spec["start"] = "nowhere"
    spec["phases"][0]["decision"]["options"][1]["to"] = "level9"
    return json.dumps(spec)


def bti_versions() -> list[int]:
    return list(
        PathwayVersion.objects.filter(definition__key="bti")
        .order_by("number")
        .values_list("number", flat=True)
    )


def pathway_events():
    return AuditEvent.objects.filter(purpose=pathway_services.AUDIT_PURPOSE)


def test_staff_find_the_pathways_from_their_page(town):
    assert LIST in text_of(as_user(town.teacher).get(reverse("staff-home")))


def test_the_list_shows_each_version_its_open_cases_and_where_it_is_chosen(town, admin):
    builders.open_concern(town.teacher, town.kindergarten)
    builders.open_concern(town.teacher, town.kindergarten)
    pathway_services.choose("familiehjelpa", unit=town.kindergarten)
    pathway_services.publish_version(
        "bti", json.loads(bti_text(days=10)), "Kortere frist", actor=admin
    )

    page = text_of(as_user(admin).get(LIST))
    bti = page[page.index('id="pathway-bti"') : page.index('id="pathway-familiehjelpa"')]
    rows = re.findall(r"<tr>(.*?)</tr>", bti, re.S)[1:]
    assert "Version 2" in rows[0] and "used for new cases" in rows[0]
    assert "Kortere frist" in rows[0] and "Ida Drift" in rows[0]
    assert rows[0].rstrip().endswith("<td>0</td>")
    assert "Version 1" in rows[1] and rows[1].rstrip().endswith("<td>2</td>")
    assert reverse("pathways:version", args=["bti", 1]) in bti
    helper = page[page.index('id="pathway-familiehjelpa"') :]
    assert "Tangen barnehage (unit)" in helper.split("</section>")[0]


def test_a_worker_counts_only_the_open_cases_of_their_own_organisations(town):
    builders.open_concern(town.teacher, town.kindergarten)
    page = text_of(as_user(town.psychiatrist).get(LIST))  # the health trust's BUP
    assert "Open cases in your organisations" in page
    bti = page[page.index('id="pathway-bti"') : page.index('id="pathway-familiehjelpa"')]
    assert re.findall(r"<tr>(.*?)</tr>", bti, re.S)[1].rstrip().endswith("<td>0</td>")


def test_a_version_reads_in_words_phases_decisions_deadlines_and_information(town):
    page = text_of(as_user(town.teacher).get(reverse("pathways:version", args=["bti", 1])))
    assert "BTI – Better interdisciplinary effort, version 1" in page
    assert page.index("Level 0: Wondering and concern") < page.index("Level 1")
    assert (
        "Level 0 decision: within 14 calendar days of the case being received, met by the "
        "decision in this phase. Responsible: the coordinator."
    ) in page
    assert "What happens next?" in page
    assert "Close: no further follow-up – closes the case" in page
    assert "Duty to inform child welfare" in page
    assert "https://www.bufdir.no/barnevern/meld-bekymring/" in page

    helper = text_of(
        as_user(town.teacher).get(reverse("pathways:version", args=["familiehjelpa", 1]))
    )
    assert (
        "First contact: within 7 calendar days of the case being received, met by the "
        "milestone “First contact”. Responsible: the owning unit."
    ) in helper


def test_a_version_is_shown_in_the_readers_language(town):
    page = text_of(as_user(town.teacher, "nb").get(reverse("pathways:version", args=["bti", 1])))
    assert "Nivå 0: Undring og bekymring" in page
    assert "Level 0: Wondering and concern" not in page


def test_an_unknown_version_is_not_found(town):
    response = as_user(town.teacher).get(reverse("pathways:version", args=["bti", 9]))
    assert response.status_code == 404


def test_a_version_downloads_as_the_json_it_was_published_with(town):
    response = as_user(town.teacher).get(reverse("pathways:version-json", args=["bti", 1]))
    assert response["Content-Disposition"] == 'attachment; filename="bti-v1.json"'
    assert (
        json.loads(response.content)
        == PathwayVersion.objects.get(definition__key="bti", number=1).spec
    )


def test_a_new_version_starts_from_the_newest_specification(admin):
    page = text_of(as_user(admin).get(NEW_BTI))
    assert "Publishing makes version 2" in page
    assert "running cases keep the version they were opened on" in page.lower()
    assert "&quot;level0_decision&quot;" in page  # the JSON, in the textarea
    assert 'name="based_on" value="1"' in page


def test_check_lists_every_problem_of_a_broken_specification_and_publishes_nothing(admin):
    page = text_of(
        as_user(admin).post(NEW_BTI, {"spec": broken_bti(), "based_on": 1, "action": "check"}),
        400,
    )
    assert "The check found 2 problems. Nothing was published." in page
    assert "names the phase &#x27;nowhere&#x27;, which does not exist" in page
    assert "leads to the phase &#x27;level9&#x27;, which does not exist" in page
    assert bti_versions() == [1]
    assert not pathway_events().exists()


def test_publishing_a_broken_specification_lists_the_same_problems_and_publishes_nothing(admin):
    page = text_of(
        as_user(admin).post(NEW_BTI, {"spec": broken_bti(), "based_on": 1, "action": "publish"}),
        400,
    )
    assert "The check found 2 problems. Nothing was published." in page
    assert bti_versions() == [1]


def test_check_says_where_json_is_broken(admin):
    page = text_of(
        as_user(admin).post(NEW_BTI, {"spec": '{\n  "name": }', "based_on": 1, "action": "check"}),
        400,
    )
    assert "This is not valid JSON (line 2, column 11" in page
    assert bti_versions() == [1]


def test_a_correct_specification_checks_clean_with_a_preview_and_publishes_nothing(admin):
    page = text_of(
        as_user(admin).post(NEW_BTI, {"spec": bti_text(days=10), "based_on": 1, "action": "check"})
    )
    assert "The check found no problems" in page
    assert "within 10 calendar days of the case being received" in page  # the preview
    assert bti_versions() == [1]


def test_publish_makes_the_next_version_and_an_open_case_keeps_its_own(town, admin):
    running = builders.open_concern(town.teacher, town.kindergarten)
    response = as_user(admin).post(
        NEW_BTI,
        {"spec": bti_text(days=10), "note": "Kortere frist", "based_on": 1, "action": "publish"},
        follow=True,
    )
    page = text_of(response)
    assert response.redirect_chain[-1][0] == reverse("pathways:version", args=["bti", 2])
    assert "Version 2 is published" in page
    assert "within 10 calendar days" in page

    version = PathwayVersion.objects.get(definition__key="bti", number=2)
    assert (version.note, version.published_by) == ("Kortere frist", admin)
    running.refresh_from_db()
    assert running.pathway_version.number == 1
    assert case_services.pathway_for(town.kindergarten) == version
    event = pathway_events().get()
    assert (event.actor_id, event.action) == (admin.pk, "create")
    assert event.detail == {"event": "publish", "pathway": "bti", "version": 2}


def test_publishing_is_refused_when_another_version_was_published_meanwhile(admin):
    pathway_services.publish_version("bti", json.loads(bti_text(days=12)))
    page = text_of(
        as_user(admin).post(
            NEW_BTI, {"spec": bti_text(days=10), "based_on": 1, "action": "publish"}
        ),
        400,
    )
    assert "Version 2 was published after you started from version 1" in page
    assert bti_versions() == [1, 2]


def test_an_uploaded_file_is_used_instead_of_the_text(admin):
    upload = SimpleUploadedFile(
        "bti.json", bti_text(days=9).encode(), content_type="application/json"
    )
    as_user(admin).post(
        NEW_BTI,
        {"spec": broken_bti(), "spec_file": upload, "based_on": 1, "action": "publish"},
    )
    version = PathwayVersion.objects.get(definition__key="bti", number=2)
    assert version.spec["phases"][0]["deadlines"][0]["days"] == 9


def test_an_empty_specification_says_what_to_do(admin):
    page = text_of(as_user(admin).post(NEW_BTI, {"spec": " ", "action": "check"}), 400)
    assert "Write or paste the specification, or upload it as a file." in page


def test_a_leader_chooses_the_pathway_of_their_own_unit(town):
    client = as_user(town.nurse_leader)
    form = text_of(client.get(CHOOSE))
    assert f'value="unit:{town.health_centre.pk}"' in form
    assert f'value="unit:{town.kindergarten.pk}"' not in form
    assert "municipality:" not in form

    response = client.post(
        CHOOSE, {"place": f"unit:{town.health_centre.pk}", "pathway": "familiehjelpa"}, follow=True
    )
    assert "New cases there open on the newest version" in text_of(response)
    assert case_services.pathway_for(town.health_centre).definition.key == "familiehjelpa"
    event = pathway_events().get()
    assert event.actor_id == town.nurse_leader.pk
    assert event.detail["pathway"] == [None, "familiehjelpa"]
    assert event.detail["unit"] == town.health_centre.pk


def test_a_leader_cannot_choose_for_another_unit(town):
    response = as_user(town.nurse_leader).post(
        CHOOSE, {"place": f"unit:{town.kindergarten.pk}", "pathway": "familiehjelpa"}
    )
    assert "Choose where the pathway is used." in text_of(response, 400)
    assert case_services.pathway_for(town.kindergarten).definition.key == "bti"


def test_an_instance_administrator_chooses_for_a_whole_municipality(town, admin):
    municipality = town.organisation.municipality
    as_user(admin).post(
        CHOOSE, {"place": f"municipality:{municipality.pk}", "pathway": "kvalitet-i-alle-ledd"}
    )
    assert case_services.pathway_for(town.kindergarten).definition.key == "kvalitet-i-alle-ledd"
    page = text_of(as_user(admin).get(CHOOSE))
    assert f"{municipality} (whole municipality)" in page


def test_any_staff_member_reads_the_pathways_but_sees_no_way_to_change_them(town):
    client = as_user(town.teacher)
    page = text_of(client.get(LIST))
    assert "BTI – Better interdisciplinary effort" in page
    assert NEW_BTI not in page
    assert CHOOSE not in page
    assert NEW_BTI not in text_of(client.get(reverse("pathways:version", args=["bti", 1])))


def test_a_worker_is_refused_with_403_and_told_whom_to_ask(town):
    client = as_user(town.teacher)
    page = text_of(client.get(NEW_BTI), 403)
    assert "Only an instance administrator can publish a pathway version" in page
    response = client.post(NEW_BTI, {"spec": bti_text(days=3), "action": "publish"})
    assert response.status_code == 403
    page = text_of(client.get(CHOOSE), 403)
    assert "Ask your unit&#x27;s leader." in page
    response = client.post(
        CHOOSE, {"place": f"unit:{town.kindergarten.pk}", "pathway": "familiehjelpa"}
    )
    assert response.status_code == 403
    assert bti_versions() == [1]
    assert case_services.pathway_for(town.kindergarten).definition.key == "bti"
    assert not pathway_events().exists()


def test_a_leader_may_not_publish(town):
    response = as_user(town.nurse_leader).post(
        NEW_BTI, {"spec": bti_text(days=3), "based_on": 1, "action": "publish"}
    )
    assert response.status_code == 403
    assert bti_versions() == [1]


def test_the_services_refuse_whoever_may_not_publish_or_choose(town):
    with pytest.raises(PermissionDenied):
        pathway_services.publish_version("bti", BTI, actor=town.nurse_leader)
    with pytest.raises(PermissionDenied):
        pathway_services.choose("familiehjelpa", unit=town.kindergarten, actor=town.nurse_leader)


def test_the_pages_need_a_login():
    response = Client().get(LIST)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
