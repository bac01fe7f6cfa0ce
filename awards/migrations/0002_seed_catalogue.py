"""The fourteen award types of the glossary under the current regime (Law 06/2022 in force 01/01/2024,
Decree 152/2025 and Decree 129/2025 from 01/07/2025), their national default rules, and the base salary.

Figures marked [U] in shared/domain/law-notes.md are defaults for admins to tune per organisation: the
CSTĐCS quota (15 %), council thresholds, the chains of Bằng khen Thủ tướng."""

import datetime

from django.db import migrations

REGIME_START = datetime.date(2024, 1, 1)
LAW = "Luật Thi đua, khen thưởng số 06/2022/QH15; Nghị định số 152/2025/NĐ-CP"
ALL_KINDS = ["regular", "sudden", "campaign", "contribution", "seniority", "foreign"]
TITLE_KINDS = ["regular"]
NO_DISCIPLINE = {"kind": "no_discipline", "min_level": "reprimand"}
SECRET_90 = {"secret": True, "threshold_pct": 90, "base": "all", "quorum_pct": 67}
MAJORITY = {"secret": True, "threshold_pct": 50, "base": "present", "quorum_pct": 67}
TITLE_DOCS = ["proposal_letter", "achievement_report", "minutes"]
INITIATIVE_DOCS = [*TITLE_DOCS, "initiative_certificate"]
FORM_DOCS = ["proposal_letter", "achievement_report", "minutes"]
STATE_DOCS = [*FORM_DOCS, "tally_minutes"]

# code, name, category, subjects, granting level, kinds, legal basis, order,
# rules, quota, vote, documents, consultation days, coefficients
TYPES = [
    ("LDTT", "Lao động tiên tiến", "title", ["person"], "commune", TITLE_KINDS, f"Điều 24 {LAW}", 10,
     [{"kind": "rating", "min": "good", "years": 1}, NO_DISCIPLINE],
     {}, MAJORITY, TITLE_DOCS, 0, {"person": 0.3}),
    ("CSTDCS", "Chiến sĩ thi đua cơ sở", "title", ["person"], "commune", TITLE_KINDS, f"Điều 23 {LAW}", 20,
     [{"kind": "award", "award": "LDTT", "years": 1},
      {"kind": "any_of", "rules": [{"kind": "rating", "min": "excellent", "years": 1},
                                   {"kind": "initiative", "scope": "unit", "count": 1, "window": 1}]},
      NO_DISCIPLINE],
     {"of_award": "LDTT", "max_pct": 15, "rounding": "floor"}, MAJORITY, INITIATIVE_DOCS, 0, {"person": 1.0}),
    ("CSTD_TINH", "Chiến sĩ thi đua cấp bộ, ban, ngành, tỉnh", "title", ["person"], "province", TITLE_KINDS,
     f"Điều 22 {LAW}", 30,
     [{"kind": "award", "award": "CSTDCS", "years": 3},
      {"kind": "initiative", "scope": "province", "count": 1, "window": 3},
      NO_DISCIPLINE],
     {}, SECRET_90, INITIATIVE_DOCS + ["tally_minutes"], 0, {"person": 3.0}),
    ("CSTDTQ", "Chiến sĩ thi đua toàn quốc", "title", ["person"], "state", TITLE_KINDS, f"Điều 21 {LAW}", 40,
     [{"kind": "award", "award": "CSTD_TINH", "years": 2, "step": 3, "end_offset": -1},
      {"kind": "initiative", "scope": "national", "count": 1, "window": 6},
      NO_DISCIPLINE],
     {}, SECRET_90, INITIATIVE_DOCS + ["tally_minutes"], 10, {"person": 4.5}),
    ("TTLDTT", "Tập thể lao động tiên tiến", "title", ["unit"], "commune", TITLE_KINDS, f"Điều 28 {LAW}", 50,
     [{"kind": "rating", "min": "good", "years": 1},
      {"kind": "members_award_share", "award": "LDTT", "min_pct": 50, "strict": True},
      {"kind": "no_member_discipline", "min_level": "warning"}],
     {}, MAJORITY, TITLE_DOCS, 0, {"unit": 0.8}),
    ("TTLDXS", "Tập thể lao động xuất sắc", "title", ["unit"], "province", TITLE_KINDS, f"Điều 27 {LAW}", 60,
     [{"kind": "award", "award": "TTLDTT", "years": 1},
      {"kind": "rating", "min": "excellent", "years": 1},
      {"kind": "members_rating_share", "min": "completed", "min_pct": 100},
      {"kind": "members_award_share", "award": "LDTT", "min_pct": 70, "strict": False},
      {"kind": "members_award_count", "award": "CSTDCS", "count": 1},
      {"kind": "no_member_discipline", "min_level": "warning"}],
     {}, MAJORITY, TITLE_DOCS, 0, {"unit": 1.5}),
    ("CO_TINH", "Cờ thi đua cấp bộ, ban, ngành, tỉnh", "title", ["unit"], "province", TITLE_KINDS,
     f"Điều 26 {LAW}", 70,
     [{"kind": "award", "award": "TTLDXS", "years": 1},
      {"kind": "manual", "message": "Dẫn đầu cụm, khối thi đua hoặc phong trào thi đua do bộ, tỉnh tổ chức"}],
     {}, SECRET_90, TITLE_DOCS + ["tally_minutes"], 0, {"unit": 8.0}),
    ("CO_CP", "Cờ thi đua của Chính phủ", "title", ["unit"], "state", TITLE_KINDS, f"Điều 25 {LAW}", 80,
     [{"kind": "award", "award": "CO_TINH", "years": 1},
      {"kind": "manual", "message": "Tiêu biểu xuất sắc trong các tập thể dẫn đầu cụm, khối thi đua"}],
     {}, SECRET_90, STATE_DOCS, 0, {"unit": 12.0}),
    ("GK", "Giấy khen", "form", ["person", "unit", "household"], "commune", ALL_KINDS, f"Điều 75 {LAW}", 90,
     [{"kind": "rating", "min": "good", "years": 1, "subjects": ["person", "unit"]},
      {**NO_DISCIPLINE, "subjects": ["person"]},
      {"kind": "manual", "message": "Hộ gia đình có thành tích được cộng đồng ghi nhận", "subjects": ["household"]}],
     {}, MAJORITY, FORM_DOCS, 0, {"person": 0.3, "unit": 0.6, "household": 0.45}),
    ("BK_TINH", "Bằng khen cấp bộ, ban, ngành, tỉnh", "form", ["person", "unit"], "province", ALL_KINDS,
     f"Điều 74 {LAW}", 100,
     [{"kind": "rating", "min": "excellent", "years": 2}, {**NO_DISCIPLINE, "subjects": ["person"]}],
     {}, MAJORITY, FORM_DOCS, 0, {"person": 1.0, "unit": 2.0}),
    ("BK_TTG", "Bằng khen của Thủ tướng Chính phủ", "form", ["person", "unit"], "state", ALL_KINDS,
     f"Điều 73 {LAW}", 110,
     [{"kind": "earlier_award", "award": "BK_TINH", "min_years_before": 5},
      {"kind": "rating", "min": "excellent", "years": 5},
      {"kind": "initiative", "scope": "unit", "count": 5, "window": 5, "subjects": ["person"]},
      {**NO_DISCIPLINE, "subjects": ["person"]}],
     {}, SECRET_90, STATE_DOCS, 0, {"person": 3.5, "unit": 7.0}),
    ("HCLD3", "Huân chương Lao động hạng Ba", "form", ["person", "unit"], "state", ALL_KINDS,
     f"Điều 44 {LAW}", 120,
     [{"kind": "earlier_award", "award": "BK_TTG", "min_years_before": 5},
      {"kind": "rating", "min": "good", "years": 5},
      {"kind": "rating_count", "min": "excellent", "count": 1, "window": 5},
      {"kind": "award_count", "award": "CSTDCS", "count": 3, "window": 5, "subjects": ["person"]},
      {"kind": "award_count", "award": "TTLDXS", "count": 3, "window": 5, "subjects": ["unit"]},
      {**NO_DISCIPLINE, "subjects": ["person"]}],
     {}, SECRET_90, STATE_DOCS, 10, {"person": 4.5, "unit": 9.0}),
    ("GDVH", "Gia đình văn hóa", "title", ["household"], "commune", TITLE_KINDS, "Nghị định số 86/2023/NĐ-CP", 130,
     [{"kind": "manual", "message": "Đạt các tiêu chuẩn Gia đình văn hóa (Phụ lục I Nghị định 86/2023/NĐ-CP)"}],
     {}, MAJORITY, ["proposal_letter", "minutes"], 10, {"household": 0.1}),
    ("THON_VH", "Thôn, tổ dân phố văn hóa", "title", ["unit"], "commune", TITLE_KINDS, "Nghị định số 86/2023/NĐ-CP", 140,
     [{"kind": "manual", "message": "Đạt các tiêu chuẩn Thôn, tổ dân phố văn hóa (Phụ lục II Nghị định 86/2023/NĐ-CP)"}],
     {}, MAJORITY, ["proposal_letter", "achievement_report", "minutes"], 10, {"unit": 1.5}),
]

BASE_SALARIES = [
    (1_800_000, datetime.date(2023, 7, 1), "Nghị định số 24/2023/NĐ-CP"),
    (2_340_000, datetime.date(2024, 7, 1), "Nghị định số 73/2024/NĐ-CP"),
]


def seed(apps, schema_editor):
    AwardType = apps.get_model("awards", "AwardType")
    AwardRuleSet = apps.get_model("awards", "AwardRuleSet")
    BaseSalary = apps.get_model("awards", "BaseSalary")
    for (code, name, category, subjects, level, kinds, basis, order,
         rules, quota, vote, documents, consultation, coefficients) in TYPES:
        award_type = AwardType.objects.create(
            code=code, name=name, category=category, subject_types=subjects, granting_level=level, kinds=kinds,
            legal_basis=basis, valid_from=REGIME_START, order=order,
        )
        AwardRuleSet.objects.create(
            award_type=award_type, organisation=None, valid_from=REGIME_START, rules=rules, quota_rule=quota,
            vote_rule=vote, required_documents=documents, consultation_days=consultation, coefficients=coefficients,
            note="Mặc định theo quy định hiện hành",
        )
    for amount, valid_from, basis in BASE_SALARIES:
        BaseSalary.objects.create(amount=amount, valid_from=valid_from, legal_basis=basis)


def unseed(apps, schema_editor):
    apps.get_model("awards", "AwardRuleSet").objects.all().delete()
    apps.get_model("awards", "AwardType").objects.all().delete()
    apps.get_model("awards", "BaseSalary").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("awards", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
