"""Nominations created in bulk from a campaign's approved registration and from a bloc's result: the pre-filled
rows and why some cannot be created, all-or-nothing creation with its audit events and a fixed number of
queries, the preview and confirm pages (a tampered post creates nothing), and the page of a campaign's
registered targets with what became of them."""

import io
from datetime import date, timedelta

import pytest
from django.contrib import messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext
from openpyxl import load_workbook

from audit.models import AuditEvent
from awards import bulk_nominations as bulk
from awards import nominations as services
from awards.models import AwardType, Nomination
from awards.nominations import NominationError
from campaigns.models import Bloc, BlocMembership, BlocResult, Campaign, Registration, RegistrationTarget
from campaigns.services import campaigns as campaign_services
from organizations.models import Unit
from tests import factories
from tests.awards import factories as history
from thiduakt.lib import permissions

pytestmark = [pytest.mark.django_db]

State = Nomination.State


def launched_campaign(org, by, *, code="PT-DTHT", kind=Campaign.Kind.REGULAR, award_codes=()) -> Campaign:
    """A campaign of unit A running this year, launched today."""
    today = timezone.localdate()
    campaign = campaign_services.campaign_create(
        by=by,
        launching_unit=org.unit_a,
        code=code,
        title="Dạy tốt, học tốt",
        kind=kind,
        scope=Campaign.Scope.SUBTREE,
        period_start=today - timedelta(days=5),
        period_end=date(today.year, 12, 31),
        registration_deadline=today + timedelta(days=30),
        nomination_deadline=today + timedelta(days=40),
        criteria=[("Hoàn thành xuất sắc nhiệm vụ", 50)],
        award_codes=award_codes,
    )
    return campaign_services.campaign_launch(by=by, campaign=campaign)


def approved(campaign, unit, targets, *, by) -> Registration:
    registration = campaign_services.registration_save(by=by, campaign=campaign, unit=unit, targets=targets)
    campaign_services.registration_submit(by=by, registration=registration)
    return campaign_services.registration_approve(by=by, registration=registration)


@pytest.fixture
def campaign(org, admin_user):
    return launched_campaign(org, admin_user)


@pytest.fixture
def teachers(org):
    return [
        factories.make_person(org.unit_a_child, "Trần Thị Mai", code="GV0001"),
        factories.make_person(org.unit_a_child, "Phạm Văn Đức", code="GV0002"),
    ]


@pytest.fixture
def registration(org, campaign, teachers, admin_user):
    """The school aims at LĐTT for both teachers, CSTĐCS for the first, and at TTLĐTT for itself."""
    mai, duc = teachers
    targets = [(mai, "LDTT"), (mai, "CSTDCS"), (duc, "LDTT"), (None, "TTLDTT")]
    return approved(campaign, org.unit_a_child, targets, by=admin_user)


def by_label(candidates) -> dict:
    return {(str(c.subject), c.award_code): c for c in candidates}


def target_key(registration, person, code) -> str:
    return str(registration.targets.get(person=person, award_code=code).pk)


# From a registration ---------------------------------------------------------------------------------------


def test_every_target_of_the_approved_registration_becomes_a_prefilled_candidate(
    org, campaign, registration, teachers, officer_a
):
    candidates = bulk.candidates_from_registrations(by=officer_a, campaign=campaign, unit=org.unit_a_child)

    rows = by_label(candidates)
    assert set(rows) == {
        ("Trần Thị Mai", "LDTT"),
        ("Trần Thị Mai", "CSTDCS"),
        ("Phạm Văn Đức", "LDTT"),
        (org.unit_a_child.name, "TTLDTT"),
    }
    assert rows[(org.unit_a_child.name, "TTLDTT")].subject == org.unit_a_child
    year = timezone.localdate().year
    for candidate in candidates:
        assert candidate.ready, candidate.problem
        assert candidate.award_type == AwardType.objects.get(code=candidate.award_code)
        assert (candidate.year, candidate.campaign, candidate.proposing_unit) == (year, campaign, org.unit_a_child)
        # Titles of a yearly campaign are merit awards: the kind a title allows.
        assert candidate.kind == "regular"
        for part in (campaign.title, campaign.code, candidate.award_type.name, str(year), org.unit_a_child.name):
            assert part in candidate.achievement


def test_a_thematic_campaign_leads_to_campaign_commendations_where_the_award_allows_one(org, admin_user, teachers):
    campaign = launched_campaign(org, admin_user, code="PT-CDS", kind=Campaign.Kind.THEMATIC)
    mai = teachers[0]
    approved(campaign, org.unit_a_child, [(mai, "BK_TINH"), (mai, "LDTT")], by=admin_user)

    rows = by_label(bulk.candidates_from_registrations(by=admin_user, campaign=campaign, unit=org.unit_a_child))

    assert rows[("Trần Thị Mai", "BK_TINH")].kind == "campaign"
    assert rows[("Trần Thị Mai", "LDTT")].kind == "regular"  # a title is only ever a merit award
    assert all(c.ready for c in rows.values())


def test_rows_that_cannot_be_created_say_why(org, campaign, registration, teachers, officer_a):
    mai, duc = teachers
    existing = services.nomination_create(
        by=officer_a,
        subject=mai,
        award_type=AwardType.objects.get(code="LDTT"),
        year=timezone.localdate().year,
        kind="regular",
        proposing_unit=org.unit_a_child,
        achievement="Hoàn thành tốt nhiệm vụ.",
    )
    duc.unit = org.unit_b  # moved to another department since the registration
    duc.save()
    RegistrationTarget.objects.create(registration=registration, person=mai, award_code="KNC_XYZ")

    rows = by_label(bulk.candidates_from_registrations(by=officer_a, campaign=campaign, unit=org.unit_a_child))

    assert not rows[("Trần Thị Mai", "LDTT")].ready
    assert rows[("Trần Thị Mai", "LDTT")].existing_pk == existing.pk
    assert not rows[("Phạm Văn Đức", "LDTT")].ready
    assert org.unit_a_child.name in rows[("Phạm Văn Đức", "LDTT")].problem
    unknown = rows[("Trần Thị Mai", "KNC_XYZ")]
    assert not unknown.ready and "KNC_XYZ" in unknown.problem and unknown.award_type is None
    assert rows[("Trần Thị Mai", "CSTDCS")].ready and rows[(org.unit_a_child.name, "TTLDTT")].ready


def test_an_ended_nomination_does_not_block_a_new_one(org, campaign, registration, teachers, officer_a):
    rejected = Nomination.objects.create(
        person=teachers[0],
        award_type=AwardType.objects.get(code="LDTT"),
        year=timezone.localdate().year,
        proposing_unit=org.unit_a_child,
        achievement="Lần trước.",
        state=State.REJECTED,
    )
    rows = by_label(bulk.candidates_from_registrations(by=officer_a, campaign=campaign, unit=org.unit_a_child))
    assert rejected.state == State.REJECTED
    assert rows[("Trần Thị Mai", "LDTT")].ready and rows[("Trần Thị Mai", "LDTT")].existing_pk is None


def test_only_an_approved_registration_gives_candidates(org, campaign, teachers, admin_user, officer_a):
    campaign_services.registration_save(
        by=admin_user, campaign=campaign, unit=org.unit_a_child, targets=[(teachers[0], "LDTT")]
    )
    with pytest.raises(NominationError, match=org.unit_a_child.name):
        bulk.candidates_from_registrations(by=officer_a, campaign=campaign, unit=org.unit_a_child)


def test_someone_who_does_not_prepare_for_the_unit_is_refused(org, campaign, registration, officer_a, officer_b):
    with pytest.raises(NominationError, match=org.unit_a_child.name):
        bulk.candidates_from_registrations(by=officer_b, campaign=campaign, unit=org.unit_a_child)
    candidates = bulk.candidates_from_registrations(by=officer_a, campaign=campaign, unit=org.unit_a_child)

    with pytest.raises(NominationError) as error:
        bulk.nominations_create_many(by=officer_b, candidates=candidates)

    assert org.unit_a_child.name in str(error.value)
    assert not Nomination.objects.exists()


# Creation --------------------------------------------------------------------------------------------------


def test_the_chosen_rows_become_drafts_with_one_audit_event_each(org, campaign, registration, teachers, officer_a):
    candidates = bulk.candidates_from_registrations(by=officer_a, campaign=campaign, unit=org.unit_a_child)

    created = bulk.nominations_create_many(by=officer_a, candidates=candidates)

    assert len(created) == 4 and Nomination.objects.count() == 4
    mai_cstdcs = Nomination.objects.get(person=teachers[0], award_type__code="CSTDCS")
    assert mai_cstdcs.state == State.DRAFT and mai_cstdcs.campaign == campaign
    assert (mai_cstdcs.proposing_unit, mai_cstdcs.created_by, mai_cstdcs.kind) == (
        org.unit_a_child,
        officer_a,
        "regular",
    )
    assert campaign.title in mai_cstdcs.achievement
    collective = Nomination.objects.get(unit=org.unit_a_child)
    assert collective.award_type.code == "TTLDTT" and collective.person is None

    events = AuditEvent.objects.filter(verb="nomination.created", object_type="awards.nomination")
    assert sorted(int(e.object_id) for e in events) == sorted(n.pk for n in created)
    event = events.get(object_id=str(mai_cstdcs.pk))
    assert event.actor == officer_a
    assert event.data == {
        "subject": "Trần Thị Mai",
        "award_type": "CSTDCS",
        "year": mai_cstdcs.year,
        "kind": "regular",
        "procedure": "normal",
        "proposing_unit": org.unit_a_child.code,
    }
    # The same shape as a nomination made one by one.
    single = services.nomination_create(
        by=officer_a,
        subject=teachers[1],
        award_type=AwardType.objects.get(code="GK"),
        year=mai_cstdcs.year,
        kind="regular",
        proposing_unit=org.unit_a_child,
        achievement="Giấy khen.",
    )
    assert set(AuditEvent.objects.get(verb="nomination.created", object_id=str(single.pk)).data) == set(event.data)


def test_one_refused_row_refuses_the_whole_batch(org, campaign, registration, teachers, officer_a):
    candidates = bulk.candidates_from_registrations(by=officer_a, campaign=campaign, unit=org.unit_a_child)
    assert all(c.ready for c in candidates)
    # Between the preview and the confirmation, someone else proposes Đức for LĐTT.
    services.nomination_create(
        by=officer_a,
        subject=teachers[1],
        award_type=AwardType.objects.get(code="LDTT"),
        year=timezone.localdate().year,
        kind="regular",
        proposing_unit=org.unit_a_child,
        achievement="Đề nghị lẻ.",
    )
    before = AuditEvent.objects.count()

    with pytest.raises(NominationError) as error:
        bulk.nominations_create_many(by=officer_a, candidates=candidates)

    assert Nomination.objects.count() == 1 and AuditEvent.objects.count() == before
    message = str(error.value)
    assert "Phạm Văn Đức" in message and "Trần Thị Mai" not in message
    assert len(error.value.problems) == 1


def test_the_same_row_twice_is_refused(org, campaign, registration, officer_a):
    candidates = bulk.candidates_from_registrations(by=officer_a, campaign=campaign, unit=org.unit_a_child)
    with pytest.raises(NominationError) as error:
        bulk.nominations_create_many(by=officer_a, candidates=[*candidates, candidates[0]])
    assert len(error.value.problems) == 1 and not Nomination.objects.exists()


def test_nothing_chosen_is_refused(officer_a):
    with pytest.raises(NominationError):
        bulk.nominations_create_many(by=officer_a, candidates=[])


def test_a_second_confirmation_of_the_same_rows_is_refused(org, campaign, registration, officer_a):
    first = bulk.candidates_from_registrations(by=officer_a, campaign=campaign, unit=org.unit_a_child)
    second = bulk.candidates_from_registrations(by=officer_a, campaign=campaign, unit=org.unit_a_child)
    bulk.nominations_create_many(by=officer_a, candidates=first)

    with pytest.raises(NominationError) as error:
        bulk.nominations_create_many(by=officer_a, candidates=second)

    assert len(error.value.problems) == 4 and Nomination.objects.count() == 4


def test_a_campaign_commendation_is_not_proposed_twice_from_the_same_campaign(org, admin_user, teachers):
    campaign = launched_campaign(org, admin_user, code="PT-CDS", kind=Campaign.Kind.THEMATIC)
    approved(campaign, org.unit_a_child, [(teachers[0], "BK_TINH")], by=admin_user)
    bulk.nominations_create_many(
        by=admin_user,
        candidates=bulk.candidates_from_registrations(by=admin_user, campaign=campaign, unit=org.unit_a_child),
    )

    (again,) = bulk.candidates_from_registrations(by=admin_user, campaign=campaign, unit=org.unit_a_child)

    assert not again.ready and again.existing_pk == Nomination.objects.get().pk


def _registration_of(org, admin_user, size: int, code: str):
    campaign = launched_campaign(org, admin_user, code=code)
    unit = factories.make_unit(parent=org.unit_a, code=f"TR{size}")
    people = [factories.make_person(unit) for _ in range(size)]
    approved(campaign, unit, [(person, "LDTT") for person in people], by=admin_user)
    return campaign, unit


def test_preview_and_creation_take_the_same_queries_for_20_and_40_rows(org, admin_user, officer_a):
    counts = []
    for size in (20, 40):
        campaign, unit = _registration_of(org, admin_user, size, f"PT-{size}")
        officer_a = type(officer_a).objects.get(pk=officer_a.pk)  # no cached admin flag between sizes
        with CaptureQueriesContext(connection) as preview:
            candidates = bulk.candidates_from_registrations(by=officer_a, campaign=campaign, unit=unit)
        with CaptureQueriesContext(connection) as creation:
            created = bulk.nominations_create_many(by=officer_a, candidates=candidates)
        assert len(created) == size
        counts.append((len(preview), len(creation)))
    assert counts[0] == counts[1], counts
    assert counts[0][1] <= 12, counts


# From a bloc's result --------------------------------------------------------------------------------------


@pytest.fixture
def province_officer(org):
    user = factories.make_user("province_officer")
    permissions.grant_unit_role(user, Unit.Role.OFFICER, org.province)
    return user


@pytest.fixture
def bloc(org):
    """This year's bloc of departments, organised by the province: health leads, education comes next."""
    bloc = Bloc.objects.create(name="Khối các sở", kind=Bloc.Kind.BLOC, year=2025, organising_unit=org.province)
    BlocMembership.objects.create(bloc=bloc, unit=org.unit_b, role=BlocMembership.Role.LEADER)
    BlocMembership.objects.create(bloc=bloc, unit=org.unit_a)
    result = BlocResult.objects.create(
        bloc=bloc,
        ranking=[
            {"unit": org.unit_b.pk, "name": org.unit_b.name, "total": "96.50", "rank": 1, "tied": False},
            {"unit": org.unit_a.pk, "name": org.unit_a.name, "total": "91.00", "rank": 2, "tied": False},
        ],
        flag_unit=org.unit_b,
        meeting_on=date(2025, 12, 20),
    )
    result.merit_units.set([org.unit_a])
    return bloc


def test_the_bloc_result_proposes_the_flag_and_the_certificates_of_merit(org, bloc, province_officer):
    rows = by_label(bulk.candidates_from_bloc_result(by=province_officer, bloc=bloc))

    assert set(rows) == {(org.unit_b.name, "CO_TINH"), (org.unit_a.name, "BK_TINH")}
    flag = rows[(org.unit_b.name, "CO_TINH")]
    assert (flag.subject, flag.proposing_unit, flag.year, flag.kind, flag.campaign) == (
        org.unit_b,
        org.province,
        2025,
        "regular",
        None,
    )
    assert "96.50" in flag.achievement and bloc.name in flag.achievement and "20/12/2025" in flag.achievement
    assert all(c.ready for c in rows.values())

    created = bulk.nominations_create_many(by=province_officer, candidates=list(rows.values()))
    assert {(n.unit, n.award_type.code) for n in created} == {(org.unit_b, "CO_TINH"), (org.unit_a, "BK_TINH")}


def test_a_member_outside_the_organisers_subtree_cannot_be_proposed_by_it(org, bloc, officer_a):
    """Unit A organises a bloc that also counts the health department, which is not under it."""
    bloc.organising_unit = org.unit_a
    bloc.save()
    rows = by_label(bulk.candidates_from_bloc_result(by=officer_a, bloc=bloc))
    assert not rows[(org.unit_b.name, "CO_TINH")].ready
    assert rows[(org.unit_a.name, "BK_TINH")].ready


def test_only_who_prepares_for_the_organiser_uses_the_result(org, bloc, officer_a):
    with pytest.raises(NominationError, match=org.province.name):
        bulk.candidates_from_bloc_result(by=officer_a, bloc=bloc)


def test_a_bloc_without_a_result_has_no_candidates(org, province_officer):
    bloc = Bloc.objects.create(name="Cụm huyện", kind=Bloc.Kind.CLUSTER, year=2025, organising_unit=org.province)
    with pytest.raises(NominationError, match="Cụm huyện"):
        bulk.candidates_from_bloc_result(by=province_officer, bloc=bloc)


# Pages -----------------------------------------------------------------------------------------------------


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def preview_url(campaign, unit):
    return reverse("bulk_from_registration", args=[campaign.pk, unit.pk])


def test_the_sources_page_lists_the_approved_registrations_and_the_bloc_results(
    client, org, campaign, registration, bloc, province_officer, officer_a
):
    client.force_login(officer_a)
    page = client.get(reverse("bulk_nomination_sources")).content.decode()
    assert f'data-registration="{registration.pk}"' in page and preview_url(campaign, org.unit_a_child) in page
    assert f'data-bloc="{bloc.pk}"' not in page  # officer A does not organise the province's bloc
    assert reverse("campaign_targets", args=[campaign.pk]) in page

    client.force_login(province_officer)
    page = client.get(reverse("bulk_nomination_sources")).content.decode()
    assert f'data-bloc="{bloc.pk}"' in page and reverse("bulk_from_bloc", args=[bloc.pk]) in page
    # The province covers the school too: its registration is usable from the province.
    assert f'data-registration="{registration.pk}"' in page


def test_the_nomination_list_links_to_the_bulk_page(client, officer_a):
    client.force_login(officer_a)
    assert reverse("bulk_nomination_sources") in client.get(reverse("nomination_list")).content.decode()


def test_the_preview_ticks_the_ready_rows_and_disables_the_others(
    client, org, campaign, registration, teachers, officer_a
):
    teachers[1].unit = org.unit_b
    teachers[1].save()
    client.force_login(officer_a)

    response = client.get(preview_url(campaign, org.unit_a_child))

    page = response.content.decode()
    ready_key = target_key(registration, teachers[0], "LDTT")
    refused_key = target_key(registration, teachers[1], "LDTT")
    assert f'name="rows" value="{ready_key}" id="row-{ready_key}" checked' in page
    assert f'name="rows" value="{refused_key}" id="row-{refused_key}" disabled' in page
    refused = next(c for c in response.context["candidates"] if c.key == refused_key)
    assert refused.problem and refused.problem in page
    assert (response.context["ready_count"], response.context["refused_count"]) == (3, 1)


def test_confirming_creates_the_ticked_rows_and_lists_them(client, org, campaign, registration, teachers, officer_a):
    other = Nomination.objects.create(
        person=org.person_a,
        award_type=AwardType.objects.get(code="GK"),
        year=2024,
        proposing_unit=org.unit_a,
        achievement="Đã có từ trước.",
    )
    keys = [target_key(registration, teachers[0], "LDTT"), target_key(registration, None, "TTLDTT")]
    client.force_login(officer_a)

    response = client.post(preview_url(campaign, org.unit_a_child), {"rows": keys}, follow=True)

    created = list(Nomination.objects.exclude(pk=other.pk).order_by("pk"))
    assert {(n.person, n.unit, n.award_type.code) for n in created} == {
        (teachers[0], None, "LDTT"),
        (None, org.unit_a_child, "TTLDTT"),
    }
    assert all(n.state == State.DRAFT for n in created)
    url, status = response.redirect_chain[-1]
    assert status == 302 and url.startswith(reverse("nomination_list") + "?ids=")
    assert [n.pk for n in response.context["page"]] == sorted((n.pk for n in created), reverse=True)
    expected = ngettext(
        "%(count)d draft nomination was created. Complete its dossier and add it to a proposal letter.",
        "%(count)d draft nominations were created. Complete their dossiers and add them to a proposal letter.",
        2,
    ) % {"count": 2}
    assert expected in _messages(response)


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param(lambda registration, teachers: ["999999"], id="unknown-key"),
        pytest.param(lambda registration, teachers: ["CO_TINH-1"], id="key-of-another-source"),
        pytest.param(lambda registration, teachers: [], id="nothing-ticked"),
        pytest.param(
            lambda registration, teachers: [
                target_key(registration, teachers[0], "LDTT"),
                target_key(registration, teachers[1], "LDTT"),
            ],
            id="a-disabled-row-posted-anyway",
        ),
    ],
)
def test_a_tampered_or_empty_confirmation_creates_nothing(
    rows, client, org, campaign, registration, teachers, officer_a
):
    teachers[1].unit = org.unit_b  # Đức's row is not ready: its checkbox is disabled
    teachers[1].save()
    client.force_login(officer_a)
    before = AuditEvent.objects.count()

    response = client.post(preview_url(campaign, org.unit_a_child), {"rows": rows(registration, teachers)})

    assert response.status_code == 302 and response["Location"] == preview_url(campaign, org.unit_a_child)
    assert not Nomination.objects.exists() and AuditEvent.objects.count() == before
    page = client.get(response["Location"])
    levels = [message.level for message in page.context["messages"]]
    assert page.status_code == 200 and levels and set(levels) == {messages.ERROR}


def test_an_outsider_cannot_confirm(client, org, campaign, registration, officer_b):
    client.force_login(officer_b)
    response = client.post(preview_url(campaign, org.unit_a_child), {"rows": [str(registration.targets.first().pk)]})
    assert response.status_code == 404 and not Nomination.objects.exists()


def test_the_bloc_preview_and_confirmation(client, org, bloc, province_officer, officer_a):
    client.force_login(officer_a)  # a member of the bloc, not its organiser
    assert client.get(reverse("bulk_from_bloc", args=[bloc.pk])).status_code == 403
    assert client.post(reverse("bulk_from_bloc", args=[bloc.pk]), {"rows": ["BK_TINH-1"]}).status_code == 403

    client.force_login(province_officer)
    response = client.get(reverse("bulk_from_bloc", args=[bloc.pk]))
    keys = [c.key for c in response.context["candidates"]]
    assert keys == [f"CO_TINH-{org.unit_b.pk}", f"BK_TINH-{org.unit_a.pk}"]

    response = client.post(reverse("bulk_from_bloc", args=[bloc.pk]), {"rows": [f"BK_TINH-{org.unit_a.pk}"]})

    assert response.status_code == 302
    nomination = Nomination.objects.get()
    assert (nomination.unit, nomination.award_type.code, nomination.proposing_unit) == (
        org.unit_a,
        "BK_TINH",
        org.province,
    )


def test_the_preview_explains_a_registration_not_yet_approved(client, org, campaign, teachers, admin_user, officer_a):
    campaign_services.registration_save(
        by=admin_user, campaign=campaign, unit=org.unit_a_child, targets=[(teachers[0], "LDTT")]
    )
    client.force_login(officer_a)
    response = client.get(preview_url(campaign, org.unit_a_child))
    assert response.status_code == 200 and response.context["error"] and not response.context["candidates"]
    assert 'name="rows"' not in response.content.decode()
    assert client.post(preview_url(campaign, org.unit_a_child), {"rows": ["1"]}).status_code == 302
    assert not Nomination.objects.exists()


@pytest.mark.parametrize("size", [5, 25])
def test_the_preview_page_takes_a_bounded_number_of_queries(
    size, client, org, admin_user, officer_a, django_assert_max_num_queries
):
    campaign, unit = _registration_of(org, admin_user, size, f"PT-{size}")
    client.force_login(officer_a)
    with django_assert_max_num_queries(12):
        response = client.get(preview_url(campaign, unit))
    assert response.context["ready_count"] == size


# Registered targets and their nominations ------------------------------------------------------------------


@pytest.fixture
def outcomes(org, campaign, registration, teachers, officer_a):
    """Mai's LĐTT is nominated and submitted, Mai's CSTĐCS is a draft from the campaign and already recorded as
    granted; Đức's LĐTT and the school's TTLĐTT are not nominated."""
    year = timezone.localdate().year
    mai = teachers[0]
    ldtt = Nomination.objects.create(
        person=mai,
        award_type=AwardType.objects.get(code="LDTT"),
        year=year,
        proposing_unit=org.unit_a_child,
        achievement="LĐTT",
        state=State.SUBMITTED,
    )
    cstdcs = Nomination.objects.create(
        person=mai,
        award_type=AwardType.objects.get(code="CSTDCS"),
        year=year,
        proposing_unit=org.unit_a_child,
        campaign=campaign,
        achievement="CSTĐCS",
    )
    history.award(mai, "CSTDCS", year, decision="15/QĐ-UBND")
    # Not the target's: another year, and the same title from another campaign.
    Nomination.objects.create(
        person=teachers[1],
        award_type=AwardType.objects.get(code="LDTT"),
        year=year - 1,
        proposing_unit=org.unit_a_child,
        achievement="Năm trước",
    )
    return {"ldtt": ldtt, "cstdcs": cstdcs}


def _rows_by_target(response):
    return {(row["subject"], row["target"].award_code): row for row in response.context["rows"]}


def test_the_targets_page_shows_each_target_with_its_nomination_and_award(
    client, org, campaign, teachers, outcomes, officer_a
):
    client.force_login(officer_a)
    response = client.get(reverse("campaign_targets", args=[campaign.pk]))

    rows = _rows_by_target(response)
    assert len(rows) == 4
    assert rows[("Trần Thị Mai", "LDTT")]["target"].nomination_pk == outcomes["ldtt"].pk
    assert rows[("Trần Thị Mai", "LDTT")]["target"].nomination_state == State.SUBMITTED
    cstdcs = rows[("Trần Thị Mai", "CSTDCS")]["target"]
    assert (cstdcs.nomination_state, cstdcs.awarded, cstdcs.decision_number) == (State.DRAFT, True, "15/QĐ-UBND")
    assert rows[("Phạm Văn Đức", "LDTT")]["target"].nomination_pk is None
    assert rows[(org.unit_a_child.name, "TTLDTT")]["collective"] is True
    assert rows[(org.unit_a_child.name, "TTLDTT")]["target"].nomination_pk is None
    page = response.content.decode()
    assert reverse("nomination_detail", args=[outcomes["ldtt"].pk]) in page and "15/QĐ-UBND" in page


def test_the_targets_page_filters_by_state_and_unit(client, org, campaign, teachers, outcomes, admin_user, officer_a):
    other_school = factories.make_unit("Trường THCS Chu Văn An", parent=org.unit_a, code="CVA")
    approved(campaign, other_school, [(None, "TTLDTT")], by=admin_user)
    client.force_login(officer_a)
    url = reverse("campaign_targets", args=[campaign.pk])

    not_nominated = _rows_by_target(client.get(url, {"state": "none"}))
    drafts = _rows_by_target(client.get(url, {"state": "draft"}))
    of_the_school = _rows_by_target(client.get(url, {"unit": "cva"}))

    assert set(not_nominated) == {
        ("Phạm Văn Đức", "LDTT"),
        (org.unit_a_child.name, "TTLDTT"),
        ("Trường THCS Chu Văn An", "TTLDTT"),
    }
    assert set(drafts) == {("Trần Thị Mai", "CSTDCS")}
    assert set(of_the_school) == {("Trường THCS Chu Văn An", "TTLDTT")}


def test_the_targets_page_exports_its_rows(client, org, campaign, outcomes, officer_a):
    client.force_login(officer_a)
    response = client.get(reverse("campaign_targets", args=[campaign.pk]), {"format": "xlsx", "state": "draft"})

    assert response["Content-Disposition"] == f'attachment; filename="muc-tieu-dang-ky-{campaign.code}.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    code, unit, subject, subject_code, award_code, award, state, number, awarded, decision = rows[1]
    assert (code, subject, subject_code, award_code, number, decision) == (
        org.unit_a_child.code,
        "Trần Thị Mai",
        "GV0001",
        "CSTDCS",
        outcomes["cstdcs"].pk,
        "15/QĐ-UBND",
    )


def test_outsiders_do_not_see_the_targets(client, campaign, officer_b):
    client.force_login(officer_b)
    assert client.get(reverse("campaign_targets", args=[campaign.pk])).status_code == 404


@pytest.mark.parametrize("size", [5, 60])
def test_the_targets_page_takes_a_bounded_number_of_queries(
    size, client, org, admin_user, officer_a, django_assert_max_num_queries
):
    campaign, unit = _registration_of(org, admin_user, size, f"PT-{size}")
    client.force_login(officer_a)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("campaign_targets", args=[campaign.pk]))
    assert len(response.context["rows"]) == min(size, 50)
