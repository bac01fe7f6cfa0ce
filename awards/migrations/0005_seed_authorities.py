"""Who decides each of the fourteen award types, from 01/01/2024 (Law 06/2022 in force), as levels of the unit
tree (Unit.Level); awards.routes climbs the proposing unit's ancestors to the first council of that level.

The reform of 01/07/2025 (two-level local government, Decree 129/2025) abolished the district: the commune chair
took over from the district chair Thôn/TDP văn hóa, TTLĐTT and CSTĐCS (Art. 80(2) → Decree 129/2025), and keeps
LĐTT, Giấy khen and Gia đình văn hóa (Art. 80(3)). Districts are not a level of the unit tree, so the nearest
level a route can reach before the reform is the same as after it: commune for the village titles, grassroots
for the titles and Giấy khen that a head of unit (with legal personality, a provincial department, an
enterprise) or the commune chair decides (Art. 80(1), (3), (4)). No deciding level changes in this
representation, so each award type has one row, open-ended; VERSIONS takes a second row for a code the day a
level really differs (the seed closes the earlier row on the later one's valid_from).

Province-level awards are decided by the provincial chair or a minister (Art. 79). State-level awards are
proposed by the province or ministry to the central level, outside this system (Arts 78, 83); their level is
"national" and the route ends at the province without a decision."""

import datetime

from django.db import migrations

LAW_START = datetime.date(2024, 1, 1)
ART_78 = "Điều 78, Điều 83 Luật Thi đua, khen thưởng 2022"
ART_79 = "Điều 79 Luật Thi đua, khen thưởng 2022"
ART_80 = "Điều 80 Luật Thi đua, khen thưởng 2022; Nghị định số 129/2025/NĐ-CP (từ 01/07/2025)"
VILLAGE = (
    "Điều 80 Luật Thi đua, khen thưởng 2022 (Chủ tịch UBND cấp huyện đến 30/06/2025); "
    "Nghị định số 129/2025/NĐ-CP (Chủ tịch UBND cấp xã từ 01/07/2025)"
)
FAMILY = "Điều 80 Luật Thi đua, khen thưởng 2022; Nghị định số 86/2023/NĐ-CP; Nghị định số 129/2025/NĐ-CP"

# code → versions (valid from, deciding level, legal basis), oldest first.
VERSIONS = {
    "LDTT": [(LAW_START, "grassroots", ART_80)],
    "CSTDCS": [(LAW_START, "grassroots", ART_80)],
    "TTLDTT": [(LAW_START, "grassroots", ART_80)],
    "GK": [(LAW_START, "grassroots", ART_80)],
    "GDVH": [(LAW_START, "commune", FAMILY)],
    "THON_VH": [(LAW_START, "commune", VILLAGE)],
    "CSTD_TINH": [(LAW_START, "province", ART_79)],
    "TTLDXS": [(LAW_START, "province", ART_79)],
    "CO_TINH": [(LAW_START, "province", ART_79)],
    "BK_TINH": [(LAW_START, "province", ART_79)],
    "CSTDTQ": [(LAW_START, "national", ART_78)],
    "CO_CP": [(LAW_START, "national", ART_78)],
    "BK_TTG": [(LAW_START, "national", ART_78)],
    "HCLD3": [(LAW_START, "national", ART_78)],
}


def seed(apps, schema_editor):
    AwardType = apps.get_model("awards", "AwardType")
    Authority = apps.get_model("awards", "Authority")
    award_types = {award_type.code: award_type for award_type in AwardType.objects.filter(code__in=VERSIONS)}
    for code, versions in VERSIONS.items():
        if code not in award_types:  # an organisation that removed an award type keeps it removed
            continue
        ends = [valid_from for valid_from, _level, _basis in versions[1:]] + [None]
        for (valid_from, level, basis), valid_to in zip(versions, ends, strict=True):
            Authority.objects.create(
                award_type=award_types[code],
                deciding_level=level,
                valid_from=valid_from,
                valid_to=valid_to,
                legal_basis=basis,
            )


def unseed(apps, schema_editor):
    apps.get_model("awards", "Authority").objects.filter(award_type__code__in=VERSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [("awards", "0004_nominations")]
    operations = [migrations.RunPython(seed, unseed)]
