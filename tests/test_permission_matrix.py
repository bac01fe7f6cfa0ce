"""Every URL name of the project × every persona → the status a GET answers.

A URL added without a row here fails `test_every_url_name_has_a_row`. POST-only actions answer 405 to a GET
once the visitor is logged in; what they do on POST is tested beside their feature."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import factories
from tests.conftest import PERSONAS

# Columns, in the order of PERSONAS: officer_a, head_a, officer_b, secretariat, member, admin_user, anonymous.
ALL_LOGGED_IN = (200, 200, 200, 200, 200, 200, 302)
ADMIN_ONLY = (403, 403, 403, 403, 403, 200, 302)
UNIT_A_VIEW = (200, 200, 404, 404, 404, 200, 302)
UNIT_A_EDIT = (200, 200, 404, 404, 404, 200, 302)
UNIT_A_ADMIN = (403, 403, 404, 404, 404, 200, 302)
EDITORS_ANYWHERE = (200, 200, 200, 403, 403, 200, 302)
POST_ONLY = (405, 405, 405, 405, 405, 405, 302)
PUBLIC = (200, 200, 200, 200, 200, 200, 200)


def _objects(org):
    household = factories.make_household(org.unit_a)
    admin_member = factories.add_member(org.council, factories.make_user("chair"))
    return {
        "unit": org.unit_a.pk,
        "person": org.person_a.pk,
        "household": household.pk,
        "council": org.council.pk,
        "member": admin_member.pk,
    }


# url name → (kwargs from the objects above, expected statuses)
MATRIX = {
    "home": (lambda o: {}, ALL_LOGGED_IN),
    "unit_tree": (lambda o: {}, ALL_LOGGED_IN),
    "unit_create": (lambda o: {}, ADMIN_ONLY),
    "unit_detail": (lambda o: {"pk": o["unit"]}, UNIT_A_VIEW),
    "unit_children": (lambda o: {"pk": o["unit"]}, UNIT_A_VIEW),
    "unit_edit": (lambda o: {"pk": o["unit"]}, UNIT_A_ADMIN),
    "person_list": (lambda o: {}, ALL_LOGGED_IN),
    "person_create": (lambda o: {}, EDITORS_ANYWHERE),
    "person_detail": (lambda o: {"pk": o["person"]}, UNIT_A_VIEW),
    "person_edit": (lambda o: {"pk": o["person"]}, UNIT_A_EDIT),
    "household_create": (lambda o: {}, EDITORS_ANYWHERE),
    "household_detail": (lambda o: {"pk": o["household"]}, UNIT_A_VIEW),
    "household_edit": (lambda o: {"pk": o["household"]}, UNIT_A_EDIT),
    "council_list": (lambda o: {}, ALL_LOGGED_IN),
    "council_create": (lambda o: {}, ADMIN_ONLY),
    # The province council: officers of units A and B hold no role on the province itself.
    "council_detail": (lambda o: {"pk": o["council"]}, (404, 404, 404, 200, 200, 200, 302)),
    "council_edit": (lambda o: {"pk": o["council"]}, (404, 404, 404, 403, 403, 200, 302)),
    "council_member_add": (lambda o: {"pk": o["council"]}, POST_ONLY),
    "council_member_end": (lambda o: {"pk": o["council"], "member_pk": o["member"]}, POST_ONLY),
    "role_list": (lambda o: {}, ADMIN_ONLY),
    "role_grant": (lambda o: {}, POST_ONLY),
    "role_revoke": (lambda o: {}, POST_ONLY),
    "secretariat_grant": (lambda o: {}, POST_ONLY),
    "secretariat_revoke": (lambda o: {}, POST_ONLY),
    "import_start": (lambda o: {}, ADMIN_ONLY),
    "import_template": (lambda o: {"kind": "units"}, ADMIN_ONLY),
    "import_preview": (lambda o: {}, POST_ONLY),
    "import_confirm": (lambda o: {}, POST_ONLY),
    "history_import_start": (lambda o: {}, ADMIN_ONLY),
    "history_import_template": (lambda o: {}, ADMIN_ONLY),
    "history_import_preview": (lambda o: {}, POST_ONLY),
    "history_import_confirm": (lambda o: {}, POST_ONLY),
    "award_type_list": (lambda o: {}, ALL_LOGGED_IN),
    "award_type_detail": (lambda o: {"code": "LDTT"}, ALL_LOGGED_IN),
    "award_rules_edit": (lambda o: {"code": "LDTT"}, ADMIN_ONLY),
    "base_salary_list": (lambda o: {}, ALL_LOGGED_IN),
    "base_salary_create": (lambda o: {}, POST_ONLY),
    "person_awards": (lambda o: {"pk": o["person"]}, UNIT_A_VIEW),
    "unit_awards": (lambda o: {"pk": o["unit"]}, UNIT_A_VIEW),
    "household_awards": (lambda o: {"pk": o["household"]}, UNIT_A_VIEW),
    # Council members hold no unit role and check nothing; the others check the subtrees they cover.
    "eligibility_check": (lambda o: {}, (200, 200, 200, 200, 403, 200, 302)),
    "audit_object": (
        lambda o: {"object_type": "organizations.unit", "object_id": o["unit"]},
        (403, 200, 404, 404, 404, 200, 302),
    ),
    "audit_verify": (lambda o: {}, ADMIN_ONLY),
    "login": (lambda o: {}, PUBLIC),
    "logout": (lambda o: {}, (405, 405, 405, 405, 405, 405, 405)),
    "password_change": (lambda o: {}, ALL_LOGGED_IN),
    "password_change_done": (lambda o: {}, ALL_LOGGED_IN),
    "password_reset": (lambda o: {}, PUBLIC),
    "password_reset_done": (lambda o: {}, PUBLIC),
    "password_reset_confirm": (lambda o: {"uidb64": "MQ", "token": "bad-token"}, PUBLIC),
    "password_reset_complete": (lambda o: {}, PUBLIC),
    # Django's admin is one application: its index stands for it (non-staff users are sent to its login).
    "admin:index": (lambda o: {}, (302, 302, 302, 302, 302, 200, 302)),
}


def _url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_name_has_a_row():
    names = {name for name in _url_names() if not name.startswith("admin:")}
    missing = sorted(names - MATRIX.keys())
    assert not missing, f"URL names without a row in the permission matrix: {missing}"
    stale = sorted(set(MATRIX) - names - {"admin:index"})
    assert not stale, f"Rows for URL names that no longer exist: {stale}"


CASES = [(name, persona, MATRIX[name][1][i]) for name in MATRIX for i, persona in enumerate(PERSONAS)]


@pytest.mark.parametrize(("url_name", "persona", "expected"), CASES, ids=[f"{n}-{p}" for n, p, _ in CASES])
def test_matrix(url_name, persona, expected, org, as_persona):
    client = as_persona(persona)
    url = reverse(url_name, kwargs=MATRIX[url_name][0](_objects(org)))
    response = client.get(url)
    assert response.status_code == expected, f"GET {url} as {persona}"
    if expected == 302 and persona == "anonymous" and url_name != "admin:index":
        assert response["Location"].startswith(reverse("login"))
