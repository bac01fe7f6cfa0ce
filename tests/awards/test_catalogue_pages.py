"""Catalogue pages: award types, their rules as sentences with bonus amounts, new rule versions, base salary."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from awards import services
from awards.forms import RuleSetForm
from awards.models import AwardRuleSet, AwardType, BaseSalary
from tests import factories

# The seeded catalogue, seeded again if a transactional test elsewhere flushed it (tests/awards/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue")]

LOGGED_IN = ["officer_a", "head_a", "officer_b", "secretariat", "member", "admin_user"]
NOT_ADMINS = ["officer_a", "head_a", "officer_b", "secretariat", "member"]


def _rules_form_data(code: str, **changes) -> dict:
    """What the rules page posts when the admin changes only `changes` in the version in force."""
    award_type = AwardType.objects.get(code=code)
    current = services.rule_set_in_force(award_type, None, timezone.localdate())
    initial = RuleSetForm.initial_from(current, organisation=None)
    data = {name: value for name, value in initial.items() if value is not None and value is not False}
    data["valid_from"] = initial["valid_from"].isoformat()
    data.update(changes)
    return data


def _audit_events(verb):
    return AuditEvent.objects.filter(verb=verb)


# Award types ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", LOGGED_IN)
def test_every_logged_in_user_browses_the_catalogue(persona, as_persona):
    response = as_persona(persona).get(reverse("award_type_list"))
    assert response.status_code == 200
    assert "Lao động tiên tiến" in response.content.decode()


def test_anonymous_is_sent_to_login(anonymous, client, org):
    for url in [reverse("award_type_list"), reverse("award_type_detail", args=["LDTT"]), reverse("base_salary_list")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_catalogue_filters_by_subject_and_category(as_persona):
    client = as_persona("officer_a")
    households = client.get(reverse("award_type_list"), {"subject": "household"}).content.decode()
    assert "Gia đình văn hóa" in households and "Giấy khen" in households
    assert "Lao động tiên tiến" not in households
    forms = client.get(reverse("award_type_list"), {"category": "form"}).content.decode()
    assert "Bằng khen của Thủ tướng Chính phủ" in forms
    assert "Chiến sĩ thi đua cơ sở" not in forms


def test_detail_shows_rules_as_sentences_and_the_bonus_in_dong(as_persona):
    response = as_persona("member").get(reverse("award_type_detail", args=["LDTT"]))
    assert response.status_code == 200
    national = response.context["national"]
    texts = [rule["text"] for rule in national["rules"]]
    assert len(texts) == 2 and all(texts) and not any("{" in text for text in texts)
    content = response.content.decode()
    assert "702.000 đ" in content  # 0.3 × 2,340,000
    assert response.context["base_salary"].amount == 2_340_000
    assert len(response.context["versions"]) == 1
    assert not response.context["can_edit"]


def test_every_rule_kind_of_the_seed_reads_as_a_sentence(as_persona):
    client = as_persona("officer_a")
    for code in AwardType.objects.values_list("code", flat=True):
        national = client.get(reverse("award_type_detail", args=[code])).context["national"]
        rules = national["rules"] + [part for rule in national["rules"] for part in rule["parts"]]
        for rule in rules:
            assert not rule["text"].startswith("Rule “"), (code, rule)


def test_household_bonus_is_one_and_a_half_times_the_individual_one(as_persona):
    response = as_persona("officer_a").get(reverse("award_type_detail", args=["GK"]))
    bonuses = {row["subject"]: row["bonus"] for row in response.context["national"]["coefficients"]}
    assert sorted(bonuses.values()) == ["1.053.000 đ", "1.404.000 đ", "702.000 đ"]
    individual = BaseSalary.bonus(coefficient=0.3, base_amount=2_340_000)
    household = BaseSalary.bonus(coefficient=0.45, base_amount=2_340_000)
    assert (individual, household) == (702_000, 1_053_000)
    assert household == 1.5 * individual


def test_bonus_follows_the_base_salary_in_force_today(as_persona):
    BaseSalary.objects.create(amount=2_000_000, valid_from=timezone.localdate() + dt.timedelta(days=30))
    content = as_persona("officer_a").get(reverse("award_type_detail", args=["LDTT"])).content.decode()
    assert "702.000 đ" in content and "600.000 đ" not in content


def test_unknown_award_type_is_404(as_persona):
    assert as_persona("officer_a").get(reverse("award_type_detail", args=["NOPE"])).status_code == 404
    assert as_persona("admin_user").get(reverse("award_rules_edit", args=["NOPE"])).status_code == 404


# New versions of the rules ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", NOT_ADMINS)
def test_only_admins_edit_rules(persona, as_persona):
    client = as_persona(persona)
    assert client.get(reverse("award_rules_edit", args=["LDTT"])).status_code == 403
    response = client.post(reverse("award_rules_edit", args=["LDTT"]), _rules_form_data("LDTT"))
    assert response.status_code == 403
    assert AwardRuleSet.objects.filter(award_type__code="LDTT").count() == 1


def test_rules_form_starts_from_the_version_in_force(as_persona):
    response = as_persona("admin_user").get(reverse("award_rules_edit", args=["CSTDCS"]))
    assert response.status_code == 200
    form = response.context["form"]
    assert json.loads(form["rules"].value())[0] == {"kind": "award", "award": "LDTT", "years": 1}
    assert form["quota_pct"].value() == 15 and form["quota_of_award"].value() == "LDTT"
    assert form["valid_from"].value() == timezone.localdate()
    assert "[\n  {\n    &quot;kind&quot;: &quot;award&quot;," in response.content.decode()  # pretty-printed


def test_a_change_of_rules_is_a_new_version_and_the_old_one_stays(as_persona, admin_user):
    old = AwardRuleSet.objects.get(award_type__code="LDTT")
    old_rules = list(old.rules)
    new_rules = [
        {"kind": "rating", "min": "excellent", "years": 1},
        {"kind": "no_discipline", "min_level": "reprimand"},
    ]
    data = _rules_form_data("LDTT", rules=json.dumps(new_rules), coefficient_person="0.35", note="Siết tiêu chuẩn")
    response = as_persona("admin_user").post(reverse("award_rules_edit", args=["LDTT"]), data, follow=True)
    assert response.status_code == 200
    [message] = [str(m) for m in response.context["messages"]]
    assert "Lao động tiên tiến" in message and timezone.localdate().strftime("%d/%m/%Y") in message
    versions = AwardRuleSet.objects.filter(award_type__code="LDTT").order_by("valid_from")
    assert versions.count() == 2
    old.refresh_from_db()
    assert old.rules == old_rules and old.coefficients == {"person": 0.3}
    new = versions.last()
    assert new.pk != old.pk and new.rules == new_rules and new.coefficients == {"person": 0.35}
    assert new.valid_from == timezone.localdate() and new.created_by == admin_user and new.note == "Siết tiêu chuẩn"
    assert response.context["national"]["rule_set"] == new
    assert "819.000 đ" in response.content.decode()  # 0.35 × 2,340,000
    event = _audit_events("award_rules.changed").get()
    assert event.object_type == "awards.awardtype" and event.object_id == str(old.award_type_id)
    assert event.actor == admin_user
    assert event.data["version"] == new.pk and event.data["compared_with_version"] == old.pk
    assert event.data["rules"] == {"from": old_rules, "to": new_rules}
    assert event.data["coefficients"] == {"from": {"person": 0.3}, "to": {"person": 0.35}}
    assert "vote_rule" not in event.data  # unchanged fields are not listed


def test_a_version_for_a_province_applies_to_its_subtree_only(as_persona, org):
    data = _rules_form_data("CSTDCS", organisation=org.province.code, quota_pct="20")
    response = as_persona("admin_user").post(reverse("award_rules_edit", args=["CSTDCS"]), data)
    assert response.status_code == 302
    national = AwardRuleSet.objects.get(award_type__code="CSTDCS", organisation__isnull=True)
    assert national.quota_rule["max_pct"] == 15
    override = AwardRuleSet.objects.get(award_type__code="CSTDCS", organisation=org.province)
    assert override.quota_rule == {"of_award": "LDTT", "max_pct": 20, "rounding": "floor"}
    detail = as_persona("admin_user").get(reverse("award_type_detail", args=["CSTDCS"]))
    assert [d["rule_set"] for d in detail.context["overrides"]] == [override]
    assert org.province.name in detail.content.decode()
    assert _audit_events("award_rules.changed").get().data["organisation"] == org.province.code


def test_only_a_ministry_or_province_tunes_rules(as_persona, org):
    data = _rules_form_data("LDTT", organisation=org.unit_a.code)
    response = as_persona("admin_user").post(reverse("award_rules_edit", args=["LDTT"]), data)
    assert response.status_code == 400
    assert response.context["form"].errors["organisation"]
    assert AwardRuleSet.objects.filter(award_type__code="LDTT").count() == 1


def test_invalid_json_is_refused_and_nothing_is_written(as_persona):
    data = _rules_form_data("LDTT", rules='[{"kind": "rating", "min": "good",}]')
    response = as_persona("admin_user").post(reverse("award_rules_edit", args=["LDTT"]), data)
    assert response.status_code == 400
    errors = response.context["form"].errors["rules"]
    assert errors and "JSON" in errors[0]
    assert errors[0] in response.content.decode()
    assert AwardRuleSet.objects.filter(award_type__code="LDTT").count() == 1
    assert not _audit_events("award_rules.changed").exists()


def test_rules_the_engine_refuses_are_shown_and_nothing_is_written(as_persona):
    data = _rules_form_data("LDTT", rules=json.dumps([{"kind": "no_such_rule"}, {"kind": "rating", "min": "best"}]))
    response = as_persona("admin_user").post(reverse("award_rules_edit", args=["LDTT"]), data)
    assert response.status_code == 400
    errors = response.context["form"].errors["rules"]
    assert errors
    content = response.content.decode()
    assert all(error in content for error in errors)
    assert AwardRuleSet.objects.filter(award_type__code="LDTT").count() == 1
    assert not _audit_events("award_rules.changed").exists()


def test_a_version_cannot_start_before_the_version_in_force(as_persona):
    data = _rules_form_data("LDTT", valid_from="2023-12-31")
    response = as_persona("admin_user").post(reverse("award_rules_edit", args=["LDTT"]), data)
    assert response.status_code == 400
    assert "01/01/2024" in response.context["form"].errors["valid_from"][0]
    assert AwardRuleSet.objects.filter(award_type__code="LDTT").count() == 1


def test_two_versions_on_the_same_day_are_refused(as_persona):
    client = as_persona("admin_user")
    assert client.post(reverse("award_rules_edit", args=["LDTT"]), _rules_form_data("LDTT")).status_code == 302
    response = client.post(reverse("award_rules_edit", args=["LDTT"]), _rules_form_data("LDTT", note="again"))
    assert response.status_code == 400
    assert response.context["form"].errors["valid_from"]
    assert AwardRuleSet.objects.filter(award_type__code="LDTT").count() == 2


def test_service_refuses_invalid_rules_with_messages(admin_user):
    award_type = AwardType.objects.get(code="LDTT")
    with pytest.raises(services.AwardsError) as refused:
        services.rule_set_create(
            by=admin_user,
            award_type=award_type,
            organisation=None,
            valid_from=timezone.localdate(),
            rules=[{"kind": "no_such_rule"}],
            quota_rule={},
            vote_rule={"secret": True, "threshold_pct": 50, "base": "present", "quorum_pct": 67},
            required_documents=[],
            consultation_days=0,
            coefficients={"person": 0.3},
            note="",
        )
    assert refused.value.problems["rules"]
    assert AwardRuleSet.objects.filter(award_type=award_type).count() == 1


def test_audit_trail_of_an_award_type_is_for_admins(as_persona):
    award_type = AwardType.objects.get(code="LDTT")
    url = reverse("audit_object", args=["awards.awardtype", award_type.pk])
    assert as_persona("admin_user").get(url).status_code == 200
    assert as_persona("head_a").get(url).status_code == 403


# Base salary --------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", LOGGED_IN)
def test_base_salaries_are_listed_for_everyone_the_form_for_admins(persona, as_persona):
    response = as_persona(persona).get(reverse("base_salary_list"))
    assert response.status_code == 200
    assert "2.340.000 đ" in response.content.decode()
    assert (response.context["form"] is not None) == (persona == "admin_user")


def test_admin_adds_a_base_salary_with_an_audit_event(as_persona, admin_user):
    data = {"amount": "2530000", "valid_from": "2026-07-01", "legal_basis": "Nghị định thử nghiệm"}
    response = as_persona("admin_user").post(reverse("base_salary_create"), data)
    assert response.status_code == 302
    salary = BaseSalary.objects.get(valid_from=dt.date(2026, 7, 1))
    assert salary.amount == 2_530_000
    event = _audit_events("base_salary.created").get()
    assert event.actor == admin_user and event.data["previous_amount"] == 2_340_000
    assert BaseSalary.in_force(dt.date(2026, 7, 1)).amount == 2_530_000


def test_a_base_salary_date_is_taken_once(as_persona):
    data = {"amount": "2400000", "valid_from": "2024-07-01", "legal_basis": ""}
    response = as_persona("admin_user").post(reverse("base_salary_create"), data)
    assert response.status_code == 400
    assert response.context["form"].errors["valid_from"]
    assert BaseSalary.objects.get(valid_from=dt.date(2024, 7, 1)).amount == 2_340_000


@pytest.mark.parametrize("persona", NOT_ADMINS)
def test_only_admins_add_base_salaries(persona, as_persona):
    data = {"amount": "9000000", "valid_from": "2026-01-01", "legal_basis": ""}
    assert as_persona(persona).post(reverse("base_salary_create"), data).status_code == 403
    assert not BaseSalary.objects.filter(amount=9_000_000).exists()


def test_catalogue_pages_use_few_queries(as_persona, django_assert_max_num_queries):
    client = as_persona("admin_user")
    for code in ["LDTT", "GK"]:
        with django_assert_max_num_queries(12):
            client.get(reverse("award_type_detail", args=[code]))
    factories.make_user("extra")
    with django_assert_max_num_queries(8):
        client.get(reverse("award_type_list"))
