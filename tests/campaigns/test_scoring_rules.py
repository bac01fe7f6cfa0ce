"""Acceptance (3) and (4) of issue 4: bad points, evidence, dates and late or locked sheets are refused with
Vietnamese messages next to the field and nothing saved; outsiders get 404 on every bloc page and sheet; a member
cannot read another member's sheet before the lock."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from campaigns.models import Bloc, ScoreEntry, ScoreSheet
from campaigns.services import blocs as services
from organizations.models import Unit
from tests import factories
from tests.campaigns.test_blocs import make_bloc, score_all
from thiduakt.lib import permissions

D = Decimal


def assert_shown(response, msgid: str, **params):
    """The page shows the message in Vietnamese."""
    with translation.override("vi"):
        shown = gettext(msgid)
    assert shown != msgid, f"no Vietnamese translation for {msgid!r}"
    shown = shown % params if params else shown
    assert escape(shown) in response.content.decode(), shown


def _upload(content: bytes, name: str):
    upload = io.BytesIO(content)
    upload.name = name
    return upload


@pytest.fixture
def world(org):
    return make_bloc(org, size=3)


def _post_self(client, world, i=0, **points):
    criteria = world.criteria()
    data = {f"points_{c.pk}": "" for c in criteria}
    for index, value in points.items():
        data[f"points_{criteria[int(index[1:])].pk}"] = value
    client.force_login(world.officers[i])
    return client.post(reverse("sheet_detail", args=[world.sheet(i).pk]), data)


def _nothing_saved(world, i=0):
    return not ScoreEntry.objects.filter(sheet=world.sheet(i), self_points__isnull=False).exists()


@pytest.mark.django_db
def test_points_above_the_maximum_are_refused_next_to_the_field(client, world):
    response = _post_self(client, world, c0="60,5", c1="20")
    assert response.status_code == 400
    assert_shown(response, "At most %(max)s points for this criterion.", max="60")
    assert 'aria-invalid="true"' in response.content.decode()
    assert _nothing_saved(world)


@pytest.mark.django_db
def test_negative_points_are_refused(client, world):
    response = _post_self(client, world, c0="-1", c1="20")
    assert response.status_code == 400
    assert_shown(response, "Points cannot be negative.")
    assert _nothing_saved(world)
    with pytest.raises(services.BlocError):
        services.sheet_save_self(by=world.officers[0], sheet=world.sheet(0), points={world.criteria()[0].pk: D("-2")})
    assert _nothing_saved(world)


@pytest.mark.django_db
def test_text_typed_as_points_is_refused(client, world):
    response = _post_self(client, world, c0="năm mươi")
    assert response.status_code == 400
    assert_shown(response, "Enter a number of points, such as 12,5.")


@pytest.mark.django_db
def test_evidence_of_a_wrong_type_is_refused_by_content_not_name(client, world):
    criterion = world.criteria()[0]
    client.force_login(world.officers[0])
    disguised = _upload(b"MZ\x90\x00 not a pdf at all", "bao-cao.pdf")
    response = client.post(
        reverse("sheet_detail", args=[world.sheet(0).pk]),
        {f"points_{criterion.pk}": "50", f"evidence_{criterion.pk}": disguised},
    )
    assert response.status_code == 400
    assert_shown(response, "Evidence must be a PDF, JPEG or PNG file.")
    entry = world.sheet(0).entries.get(criterion=criterion)
    assert entry.self_points is None and not entry.evidence
    png = _upload(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "anh.txt")
    response = client.post(
        reverse("sheet_detail", args=[world.sheet(0).pk]),
        {f"points_{criterion.pk}": "50", f"evidence_{criterion.pk}": png},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.evidence.name.endswith(".png")


@pytest.mark.django_db
def test_self_scores_after_the_deadline_are_refused(client, world):
    Bloc.objects.filter(pk=world.bloc.pk).update(self_score_deadline=timezone.localdate() - timedelta(days=1))
    response = _post_self(client, world, c0="50")
    assert response.status_code == 400
    deadline = (timezone.localdate() - timedelta(days=1)).strftime("%d/%m/%Y")
    assert_shown(response, "The self-score deadline (%(date)s) has passed.", date=deadline)
    assert _nothing_saved(world)
    with pytest.raises(services.BlocError):
        services.sheet_submit(by=world.officers[0], sheet=world.sheet(0))


@pytest.mark.django_db
def test_nothing_changes_after_the_lock(client, world):
    score_all(world, [("50", "20", "0", "0")] * 3)
    services.sheets_lock(by=world.organiser, bloc=world.bloc)
    criterion = world.criteria()[0]
    with pytest.raises(services.BlocError, match=gettext("The score sheets of this bloc are locked.")):
        services.sheet_save_self(by=world.officers[0], sheet=world.sheet(0), points={criterion.pk: D("10")})
    with pytest.raises(services.BlocError):
        services.sheet_verify(
            by=world.officers[0], sheet=world.sheet(1), verified={c.pk: (D("1"), "x") for c in world.criteria()}
        )
    response = _post_self(client, world, c0="10")
    assert response.status_code == 302
    assert world.sheet(0).entries.get(criterion=criterion).self_points == D("50")
    assert set(world.bloc.sheets.values_list("state", flat=True)) == {ScoreSheet.State.LOCKED}


@pytest.mark.django_db
def test_lock_needs_every_sheet_verified(world):
    with pytest.raises(services.BlocError):
        services.sheets_lock(by=world.organiser, bloc=world.bloc)
    world.bloc.refresh_from_db()
    assert world.bloc.sheets_locked_at is None


@pytest.mark.django_db
def test_verified_points_above_the_maximum_and_missing_comments_are_refused(client, world):
    criteria = world.criteria()
    sheet = world.sheet(2)
    services.sheet_save_self(
        by=world.officers[2], sheet=sheet, points={criteria[0].pk: D("50"), criteria[1].pk: D("20")}
    )
    services.sheet_submit(by=world.officers[2], sheet=sheet)
    client.force_login(world.officers[0])
    data = {f"verified_{c.pk}": "0" for c in criteria}
    data[f"verified_{criteria[0].pk}"] = "61"
    data[f"verified_{criteria[1].pk}"] = "20"
    response = client.post(reverse("sheet_verify", args=[sheet.pk]), data)
    assert response.status_code == 400
    assert_shown(response, "At most %(max)s points for this criterion.", max="60")
    data[f"verified_{criteria[0].pk}"] = "40"
    response = client.post(reverse("sheet_verify", args=[sheet.pk]), data)
    assert response.status_code == 400
    assert_shown(response, "Explain why the verified points differ from the self score.")
    sheet.refresh_from_db()
    assert sheet.state == ScoreSheet.State.SUBMITTED
    assert not sheet.entries.filter(verified_points__isnull=False).exists()
    # A member that is neither leader nor deputy cannot cross-check.
    client.force_login(world.officers[2])
    assert client.get(reverse("sheet_verify", args=[sheet.pk])).status_code == 403


@pytest.mark.django_db
def test_deadline_before_the_launch_is_refused(client, world):
    today = timezone.localdate()
    services.pledge_record(by=world.organiser, bloc=world.bloc, signed_on=today, targets="Chỉ tiêu")
    client.force_login(world.organiser)
    members = "\n".join(unit.code for unit in world.units)
    response = client.post(
        reverse("bloc_edit", args=[world.bloc.pk]),
        {"name": world.bloc.name, "kind": world.bloc.kind, "members": members, "leader": world.units[0].code,
         "deputy": world.units[1].code, "template": world.bloc.template_id,
         "self_score_deadline": (today - timedelta(days=3)).isoformat()},
    )  # fmt: skip
    assert response.status_code == 400
    assert_shown(
        response,
        "The self-score deadline cannot be before the bloc's launch (the pledge signed on %(date)s).",
        date=today.strftime("%d/%m/%Y"),
    )
    world.bloc.refresh_from_db()
    assert world.bloc.self_score_deadline == today + timedelta(days=10)


@pytest.mark.django_db
def test_pledge_dates_in_the_future_or_far_from_the_year_are_refused(client, world):
    client.force_login(world.officers[0])
    url = reverse("pledge_edit", args=[world.bloc.pk])
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(url, {"signed_on": tomorrow.isoformat(), "targets": "Chỉ tiêu"})
    assert response.status_code == 400
    assert_shown(response, "The signing date cannot be in the future.")
    response = client.post(url, {"signed_on": f"{world.bloc.year - 3}-03-01", "targets": "Chỉ tiêu"})
    assert response.status_code == 400
    assert_shown(response, "The signing date must be within a year of the bloc's year %(year)s.", year=world.bloc.year)
    assert not Bloc.objects.filter(pk=world.bloc.pk, pledge__isnull=False).exists()


@pytest.mark.django_db
def test_leader_and_deputy_must_be_members(org, world):
    outsider = factories.make_unit("Sở Ngoại vụ", parent=org.province)
    with pytest.raises(services.BlocError) as refused:
        services.bloc_members_set(
            by=world.organiser, bloc=world.bloc, members=world.units, leader=outsider, deputy=world.units[1]
        )
    assert "leader" in refused.value.field_errors
    with pytest.raises(services.BlocError):
        services.bloc_create(
            by=world.officers[0],  # an officer of a member unit, not of the organising province
            name="Khối khác",
            kind=Bloc.Kind.CLUSTER,
            year=world.bloc.year,
            organising_unit=org.province,
            members=world.units,
            leader=world.units[0],
        )


@pytest.mark.django_db
def test_template_in_use_is_versioned_not_edited(world):
    template = world.bloc.template
    groups = [{"title": "Nhóm mới", "criteria": [{"text": "Tiêu chí", "kind": "normal", "max_points": D("100")}]}]
    score_all(world, [("50", "20", "0", "0")] * 3)
    saved = services.template_edit(by=world.organiser, template=template, groups=groups)
    assert saved.pk != template.pk and saved.version == template.version + 1
    assert template.groups.count() == 2
    world.bloc.refresh_from_db()
    assert world.bloc.template == template


# Who sees what ---------------------------------------------------------------------------------------------


def _bloc_urls(world):
    bloc, sheet = world.bloc, world.sheet(0)
    entry = sheet.entries.first()
    return [
        reverse("bloc_detail", args=[bloc.pk]),
        reverse("bloc_edit", args=[bloc.pk]),
        reverse("pledge_edit", args=[bloc.pk]),
        reverse("bloc_ranking", args=[bloc.pk]),
        reverse("bloc_ranking", args=[bloc.pk]) + "?format=xlsx",
        reverse("bloc_result", args=[bloc.pk]),
        reverse("template_detail", args=[bloc.template_id]),
        reverse("sheet_detail", args=[sheet.pk]),
        reverse("sheet_verify", args=[sheet.pk]),
        reverse("sheet_evidence", args=[sheet.pk, entry.pk]),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["officer_b", "secretariat", "member", "officer_a"])
def test_outsiders_get_404_on_every_bloc_page_and_sheet(client, world, persona, request):
    client.force_login(request.getfixturevalue(persona))
    for url in _bloc_urls(world):
        assert client.get(url).status_code == 404, url
    for name in ("bloc_lock",):
        assert client.post(reverse(name, args=[world.bloc.pk])).status_code == 404
    assert client.post(reverse("sheet_submit", args=[world.sheet(0).pk])).status_code == 404
    assert world.bloc.name not in client.get(reverse("bloc_list")).content.decode()


@pytest.mark.django_db
def test_a_member_cannot_read_another_members_sheet_before_the_lock(client, world):
    client.force_login(world.officers[2])
    assert client.get(reverse("sheet_detail", args=[world.sheet(2).pk])).status_code == 200
    assert client.get(reverse("sheet_detail", args=[world.sheet(1).pk])).status_code == 404
    assert client.get(reverse("bloc_ranking", args=[world.bloc.pk])).status_code == 403
    page = client.get(reverse("bloc_detail", args=[world.bloc.pk])).content.decode()
    assert reverse("sheet_detail", args=[world.sheet(1).pk]) not in page
    # The leader sees every sheet for the cross-check; a viewer of a member unit reads its own sheet only.
    client.force_login(world.officers[0])
    assert client.get(reverse("sheet_detail", args=[world.sheet(2).pk])).status_code == 200
    viewer = factories.make_user()
    permissions.grant_unit_role(viewer, Unit.Role.VIEWER, world.units[2])
    client.force_login(viewer)
    assert client.get(reverse("sheet_detail", args=[world.sheet(2).pk])).status_code == 200


@pytest.mark.django_db
def test_a_viewer_of_a_member_unit_cannot_fill_the_sheet(client, world):
    viewer = factories.make_user()
    permissions.grant_unit_role(viewer, Unit.Role.VIEWER, world.units[2])
    client.force_login(viewer)
    criterion = world.criteria()[0]
    response = client.post(reverse("sheet_detail", args=[world.sheet(2).pk]), {f"points_{criterion.pk}": "10"})
    assert response.status_code == 302
    assert _nothing_saved(world, 2)
    assert client.post(reverse("sheet_submit", args=[world.sheet(2).pk])).status_code == 403
