from django.urls import reverse

from audit.models import AuditEvent
from organizations.models import CouncilMember, Unit
from tests import factories
from thiduakt.lib import permissions


def test_secretariat_adds_and_ends_a_member(org, client, secretariat):
    newcomer = factories.make_user("uyvien2", first_name="Hạnh", last_name="Lê")
    client.force_login(secretariat)
    response = client.post(
        reverse("council_member_add", args=[org.council.pk]), {"username": "uyvien2", "role": "member", "voting": "on"}
    )
    assert response.status_code == 302
    member = CouncilMember.objects.get(council=org.council, user=newcomer)
    assert member.voting and member.end is None
    response = client.post(reverse("council_member_end", args=[org.council.pk, member.pk]))
    member.refresh_from_db()
    assert member.end is not None
    verbs = list(AuditEvent.objects.filter(object_id=str(org.council.pk)).values_list("verb", flat=True))
    assert verbs[-2:] == ["council.member_added", "council.member_ended"]


def test_adding_the_same_member_twice_is_refused(org, client, secretariat, member):
    client.force_login(secretariat)
    response = client.post(
        reverse("council_member_add", args=[org.council.pk]), {"username": "member", "role": "member"}, follow=True
    )
    assert "đã là thành viên" in response.content.decode()
    assert CouncilMember.objects.filter(council=org.council, user=member).count() == 1


def test_unknown_username_is_a_field_error(org, client, secretariat):
    client.force_login(secretariat)
    response = client.post(
        reverse("council_member_add", args=[org.council.pk]), {"username": "khongco", "role": "member"}
    )
    assert response.status_code == 400
    assert "khongco" in response.content.decode()


def test_outsiders_cannot_change_members(org, client, officer_b, member):
    client.force_login(officer_b)
    response = client.post(
        reverse("council_member_add", args=[org.council.pk]), {"username": "officer_b", "role": "member"}
    )
    assert response.status_code == 404
    client.force_login(member)
    response = client.post(
        reverse("council_member_add", args=[org.council.pk]), {"username": "member", "role": "chair"}
    )
    assert response.status_code == 403
    assert CouncilMember.objects.filter(council=org.council).count() == 1


def test_admin_grants_and_revokes_a_role(org, client, admin_user):
    user = factories.make_user("canbo.moi")
    client.force_login(admin_user)
    response = client.post(reverse("role_grant"), {"username": "canbo.moi", "role": "unit_officer", "unit_code": "SYT"})
    assert response.status_code == 302
    assert permissions.unit_roles(user, org.unit_b) == {"unit_officer"}
    assert client.get(reverse("unit_detail", args=[org.unit_b.pk])).status_code == 200
    response = client.post(reverse("role_revoke"), {"user": user.pk, "unit": org.unit_b.pk, "role": "unit_officer"})
    assert response.status_code == 302
    assert permissions.unit_roles(user, org.unit_b) == set()
    verbs = list(AuditEvent.objects.filter(object_id=str(org.unit_b.pk)).values_list("verb", flat=True))
    assert verbs[-2:] == ["role.granted", "role.revoked"]


def test_a_role_covers_the_subtree_and_nothing_else(org, officer_a):
    assert permissions.unit_roles(officer_a, org.unit_a_child) == {Unit.Role.OFFICER}
    assert permissions.unit_roles(officer_a, org.province) == set()
    assert permissions.unit_roles(officer_a, org.unit_b) == set()


def test_granting_a_held_role_again_is_refused(org, client, admin_user, officer_a):
    client.force_login(admin_user)
    response = client.post(reverse("role_grant"), {"username": "officer_a", "role": "unit_officer", "unit_code": "SGD"})
    assert response.status_code == 400
    assert "đã giữ" in response.content.decode()


def test_only_admins_grant_roles(org, client, head_a):
    client.force_login(head_a)
    response = client.post(reverse("role_grant"), {"username": "head_a", "role": "unit_officer", "unit_code": "T01"})
    assert response.status_code == 403
    assert permissions.unit_roles(head_a, org.province) == set()


def test_secretariat_grant_through_the_page(org, client, admin_user):
    user = factories.make_user("thuky2")
    client.force_login(admin_user)
    response = client.post(reverse("secretariat_grant"), {"username": "thuky2", "council": org.council.pk})
    assert response.status_code == 302
    assert permissions.is_secretariat(user, org.council)
    client.force_login(user)
    assert client.get(reverse("council_detail", args=[org.council.pk])).status_code == 200
