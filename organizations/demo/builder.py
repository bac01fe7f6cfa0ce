"""The demo province: a fictional province after the 2025 reform (two-level local government: the province
and its communes, no districts), built for `seed_demo`.

Rows are written with bulk_create, which bypasses Model.save(): `path` and `search_name` are computed
here exactly as Unit.save(), Person.save() and Household.save() compute them. Units are inserted one
tree level at a time, because a unit's path needs its parent's primary key.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from organizations.models import Council, CouncilMember, Employment, Household, Person, Unit
from thiduakt.lib import permissions
from thiduakt.lib.vn import fold

from . import names
from .names import PERSONAS, Persona

DEMO_PASSWORD = "thiduakt2026"
DEFAULT_SEED = 2026
UNITS_PER_SCALE = 100
PEOPLE_PER_SCALE = 3_300
HOUSEHOLDS_PER_HAMLET = 3
BATCH = 2_000

REFORM_DAY = date(2025, 7, 1)  # communes and wards of the two-level local government take office
DEPARTMENT_MERGER_DAY = date(2025, 3, 1)

Kind, Level = Unit.Kind, Unit.Level
LEADER, WORKER, OTHER = (
    Person.PositionKind.LEADER,
    Person.PositionKind.DIRECT_WORKER,
    Person.PositionKind.OTHER,
)
MALE, FEMALE = Person.Gender.MALE, Person.Gender.FEMALE


@dataclass(eq=False)
class UnitPlan:
    code: str
    name: str
    kind: str
    level: str
    staff: str  # key of names.POSITIONS
    parent: "UnitPlan | None" = None
    short_name: str = ""
    valid_from: date | None = None
    valid_to: date | None = None
    weight: float = 0.0  # share of the people
    head_title: str = ""
    deputy_title: str = ""
    predecessors: list["UnitPlan"] = field(default_factory=list)
    obj: Unit | None = None

    @property
    def depth(self) -> int:
        return 0 if self.parent is None else self.parent.depth + 1


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder), so the parts add up exactly."""
    weight_sum = sum(weights) or 1.0
    raw = [w * total / weight_sum for w in weights]
    parts = [int(r) for r in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


class DemoBuilder:
    def __init__(self, *, scale: int, seed: int):
        self.scale = scale
        self.rng = random.Random(seed)
        self.units: list[UnitPlan] = []
        self.communes: list[UnitPlan] = []
        self.by_code: dict[str, UnitPlan] = {}
        self.people_of: dict[str, list[Person]] = {}
        self.employments: list[Employment] = []
        self.person_seq = 0
        self.counts: dict[str, int] = {}

    # Plan -----------------------------------------------------------------------------------------

    def add(self, plan: UnitPlan) -> UnitPlan:
        self.units.append(plan)
        self.by_code[plan.code] = plan
        return plan

    def plan_units(self) -> None:
        rng, scale = self.rng, self.scale
        code = names.PROVINCE_CODE
        province = self.add(UnitPlan(code, names.PROVINCE_NAME, Kind.PROVINCE, Level.PROVINCE, "province", weight=6))
        self.province = province
        for suffix, name, short, head, deputy in names.DEPARTMENTS:
            self.add(
                UnitPlan(
                    f"{code}.{suffix}",
                    name,
                    Kind.DEPARTMENT,
                    Level.PROVINCE,
                    "department",
                    province,
                    short,
                    weight=(60 if suffix == "SGD" else 45) * rng.uniform(0.7, 1.3),
                    head_title=head,
                    deputy_title=deputy,
                )
            )
        merged_into = self.by_code[f"{code}.SNNMT"]
        merged_into.valid_from = DEPARTMENT_MERGER_DAY
        for suffix, name, short in names.MERGED_DEPARTMENTS:
            merged_into.predecessors.append(
                self.add(
                    UnitPlan(
                        f"{code}.{suffix}",
                        name,
                        Kind.DEPARTMENT,
                        Level.PROVINCE,
                        "department",
                        province,
                        short,
                        valid_to=DEPARTMENT_MERGER_DAY - timedelta(days=1),
                    )
                )
            )

        commune_count = 6 * scale
        old_commune_count = 5
        places = self.place_names(commune_count + old_commune_count)
        high_schools = 3 * scale
        health_facilities = 2 * scale
        fixed = 1 + len(names.DEPARTMENTS) + len(names.MERGED_DEPARTMENTS) + old_commune_count
        hamlet_count = max(
            commune_count,
            UNITS_PER_SCALE * scale - fixed - high_schools - health_facilities - 4 * commune_count,
        )

        education, health = self.by_code[f"{code}.SGD"], self.by_code[f"{code}.SYT"]
        for k in range(high_schools):
            patron = names.HIGH_SCHOOL_PATRONS[k] if k < len(names.HIGH_SCHOOL_PATRONS) else places[k]
            self.add(
                UnitPlan(
                    f"{education.code}.THPT{k + 1:03d}",
                    f"Trường THPT {patron}",
                    Kind.SCHOOL,
                    Level.GRASSROOTS,
                    "school",
                    education,
                    f"THPT {patron}",
                    weight=60 * rng.uniform(0.7, 1.3),
                )
            )
        for k in range(health_facilities):
            if k < len(names.HEALTH_FACILITIES):
                name = names.HEALTH_FACILITIES[k]
            else:
                name = f"Trung tâm Y tế khu vực {places[k]}"
            self.add(
                UnitPlan(
                    f"{health.code}.YT{k + 1:03d}",
                    name,
                    Kind.OTHER,
                    Level.GRASSROOTS,
                    "hospital",
                    health,
                    weight=110 * rng.uniform(0.6, 1.4),
                )
            )

        old_communes = []
        for k in range(old_commune_count):
            place = places[commune_count + k]
            old_communes.append(
                self.add(
                    UnitPlan(
                        f"{code}.CU.X{k + 1:02d}",
                        f"Xã {place}",
                        Kind.COMMUNE,
                        Level.COMMUNE,
                        "commune",
                        province,
                        valid_to=REFORM_DAY - timedelta(days=1),
                    )
                )
            )

        hamlets_per_commune = allocate(hamlet_count, [rng.uniform(0.6, 1.4) for _ in range(commune_count)])
        for k in range(commune_count):
            self.plan_commune(k, places[k], max(1, hamlets_per_commune[k]))
        # Two communes formed on 2025-07-01 by merging old ones: their history goes on under the new unit.
        self.communes[0].predecessors.extend(old_communes[:2])
        self.communes[1 % commune_count].predecessors.extend(old_communes[2:])

    def plan_commune(self, k: int, place: str, hamlets: int) -> None:
        rng = self.rng
        is_ward = k % 5 == 4
        word = "Phường" if is_ward else "Xã"
        commune = self.add(
            UnitPlan(
                f"{names.PROVINCE_CODE}.{'P' if is_ward else 'X'}{k + 1:03d}",
                f"{word} {place}",
                Kind.COMMUNE,
                Level.COMMUNE,
                "commune",
                self.province,
                valid_from=REFORM_DAY,
                weight=22 * rng.uniform(0.8, 1.2),
                head_title=f"Chủ tịch Ủy ban nhân dân {word.lower()}",
                deputy_title=f"Phó Chủ tịch Ủy ban nhân dân {word.lower()}",
            )
        )
        self.communes.append(commune)
        for suffix, school, weight in (("MN", "Mầm non", 22), ("TH", "Tiểu học", 30), ("THCS", "THCS", 32)):
            self.add(
                UnitPlan(
                    f"{commune.code}.{suffix}",
                    f"Trường {school} {place}",
                    Kind.SCHOOL,
                    Level.GRASSROOTS,
                    "school",
                    commune,
                    f"{suffix} {place}",
                    weight=weight * rng.uniform(0.7, 1.3),
                )
            )
        hamlet_names = rng.sample(names.HAMLET_NAMES, len(names.HAMLET_NAMES))
        for j in range(hamlets):
            if is_ward:
                name, head, deputy = f"Tổ dân phố {j + 1}", "Tổ trưởng tổ dân phố", "Tổ phó tổ dân phố"
            else:
                name = f"Thôn {hamlet_names[j]}" if j < len(hamlet_names) else f"Thôn {j + 1}"
                head, deputy = "Trưởng thôn", "Phó Trưởng thôn"
            self.add(
                UnitPlan(
                    f"{commune.code}.T{j + 1:02d}",
                    name,
                    Kind.HAMLET,
                    Level.GRASSROOTS,
                    "hamlet",
                    commune,
                    weight=3,
                    head_title=head,
                    deputy_title=deputy,
                )
            )

    def place_names(self, count: int) -> list[str]:
        pool = [f"{a} {b}" for a in names.PLACE_FIRST for b in names.PLACE_SECOND if a != b]
        self.rng.shuffle(pool)
        result = list(pool[:count])
        round_ = 2
        while len(result) < count:  # only beyond scale ~90
            result.extend(f"{place} {round_}" for place in pool[: count - len(result)])
            round_ += 1
        return result

    # Units -----------------------------------------------------------------------------------------

    def insert_units(self) -> None:
        for depth in range(max(plan.depth for plan in self.units) + 1):
            level_plans = [plan for plan in self.units if plan.depth == depth]
            for plan in level_plans:
                plan.obj = Unit(
                    code=plan.code,
                    name=plan.name,
                    short_name=plan.short_name,
                    kind=plan.kind,
                    level=plan.level,
                    parent=plan.parent.obj if plan.parent else None,
                    valid_from=plan.valid_from,
                    valid_to=plan.valid_to,
                    search_name=fold(f"{plan.code} {plan.name} {plan.short_name}"),
                )
            objs = Unit.objects.bulk_create([plan.obj for plan in level_plans], batch_size=BATCH)
            for obj in objs:
                obj.path = f"{obj.parent.path if obj.parent else ''}{obj.pk:08d}/"
            Unit.objects.bulk_update(objs, ["path"], batch_size=500)
        through = Unit.successor_of.through
        links = [
            through(from_unit_id=plan.obj.pk, to_unit_id=old.obj.pk) for plan in self.units for old in plan.predecessors
        ]
        through.objects.bulk_create(links)
        self.counts["units"] = len(self.units)

    # People ----------------------------------------------------------------------------------------

    def plan_people(self) -> None:
        active = [plan for plan in self.units if plan.weight > 0]
        sizes = allocate(PEOPLE_PER_SCALE * self.scale, [plan.weight for plan in active])
        personas: dict[str, list[Persona]] = {}
        for persona in PERSONAS:
            if persona.slot:
                unit_code = f"{names.PROVINCE_CODE}.{persona.unit}" if persona.unit else names.PROVINCE_CODE
                personas.setdefault(unit_code, []).append(persona)
        for plan, size in zip(active, sizes, strict=True):
            minimum = 2 if plan.staff == "hamlet" else 4
            self.people_of[plan.code] = self.staff_unit(plan, max(size, minimum), personas.get(plan.code, []))

    def staff_unit(self, plan: UnitPlan, size: int, personas: list[Persona]) -> list[Person]:
        rng = self.rng
        head, deputy, managers, workers, others = names.POSITIONS[plan.staff]
        head, deputy = plan.head_title or head, plan.deputy_title or deputy
        deputies = {"province": 3, "department": 3, "hospital": 3, "commune": 2, "hamlet": 1}.get(plan.staff, 1)
        manager_count = min(max(1, size // 8), max(0, size - 1 - deputies)) if managers else 0
        positions = [(head, LEADER)] + [(deputy, LEADER)] * min(deputies, size - 1)
        positions += [(rng.choice(managers), LEADER) for _ in range(manager_count)]
        while len(positions) < size:
            if workers and rng.random() < 0.85:
                positions.append((rng.choice(workers), WORKER))
            else:
                positions.append((rng.choice(others), OTHER))
        slots = {"head": 0, "deputy": 1, "staff": len(positions) - 1}
        chosen = {slots[persona.slot]: persona for persona in personas}
        female_share = {"school": 0.7, "hospital": 0.6}.get(plan.staff, 0.45)
        people = []
        for index, (position, kind) in enumerate(positions):
            persona = chosen.get(index)
            if persona is not None:
                full_name, gender = persona.name, persona.gender
                position = persona.position or position
                birth = self.birth_date(kind)
            else:
                gender = FEMALE if rng.random() < (0.3 if kind == LEADER else female_share) else MALE
                full_name, birth = self.full_name(gender), self.birth_date(kind)
            self.person_seq += 1
            person = Person(
                code=f"{names.PROVINCE_CODE}{self.person_seq:07d}",
                full_name=full_name,
                gender=gender,
                birth_date=birth,
                position=position,
                position_kind=kind,
                search_name=fold(full_name),
            )
            person.plan, person.persona = plan, persona
            people.append(person)
        return people

    def full_name(self, gender: str) -> str:
        rng = self.rng
        family = rng.choices(self.family_names, self.family_weights)[0]
        key = "female" if gender == FEMALE else "male"
        return f"{family} {rng.choice(names.MIDDLE_NAMES[key])} {rng.choice(names.GIVEN_NAMES[key])}"

    family_names = [name for name, _ in names.FAMILY_NAMES]
    family_weights = [weight for _, weight in names.FAMILY_NAMES]

    def birth_date(self, kind: str) -> date:
        first, last = (
            (date(1966, 1, 1), date(1984, 12, 31)) if kind == LEADER else (date(1967, 1, 1), date(2002, 12, 31))
        )
        return first + timedelta(days=self.rng.randrange((last - first).days))

    def start_date(self, birth: date) -> date:
        year = self.rng.randint(min(max(birth.year + 22, 1995), 2024), 2024)
        return date(year, self.rng.randint(1, 12), self.rng.randint(1, 28))

    def insert_people(self, users: dict[int, object]) -> None:
        everyone = [person for people in self.people_of.values() for person in people]
        for person in everyone:
            person.unit_id = person.plan.obj.pk
            user = users.get(id(person))
            person.user_id = user.pk if user else None
        Person.objects.bulk_create(everyone, batch_size=BATCH)
        for person in everyone:
            self.employ(person)
        Employment.objects.bulk_create(self.employments, batch_size=BATCH)
        self.counts["people"] = len(everyone)
        self.counts["employments"] = len(self.employments)

    def employ(self, person: Person) -> None:
        """A current Employment row; people of merged units also get their row in the old unit."""
        plan, rng = person.plan, self.rng
        start = self.start_date(person.birth_date)
        if plan.valid_from and plan.kind in (Kind.COMMUNE, Kind.DEPARTMENT):
            if plan.predecessors:
                old = rng.choice(plan.predecessors)
                self.employments.append(
                    Employment(
                        person_id=person.pk,
                        unit_id=old.obj.pk,
                        position=person.position,
                        position_kind=person.position_kind,
                        start=min(start, old.valid_to),
                        end=old.valid_to,
                    )
                )
            start = plan.valid_from
        self.employments.append(
            Employment(
                person_id=person.pk,
                unit_id=plan.obj.pk,
                position=person.position,
                position_kind=person.position_kind,
                start=start,
            )
        )

    def insert_households(self) -> None:
        households = []
        for plan in self.units:
            if plan.kind != Kind.HAMLET:
                continue
            for _ in range(HOUSEHOLDS_PER_HAMLET):
                head_name = self.full_name(self.rng.choice([MALE, MALE, FEMALE]))
                households.append(
                    Household(
                        code=f"HGD{len(households) + 1:07d}",
                        head_name=head_name,
                        unit_id=plan.obj.pk,
                        address=f"{plan.name}, {plan.parent.name}, {names.PROVINCE_NAME}",
                        search_name=fold(head_name),
                    )
                )
        Household.objects.bulk_create(households, batch_size=BATCH)
        self.counts["households"] = len(households)

    # Users, councils, roles -------------------------------------------------------------------------

    def council_seats(self) -> list[tuple[str, str, date, list[tuple[Person, str, bool]]]]:
        """(unit code, council name, established on, [(person, role, voting)]) for each council."""
        role = CouncilMember.Role
        code = names.PROVINCE_CODE

        def people(suffix=""):
            return self.people_of[f"{code}.{suffix}" if suffix else code]

        province_seats = [
            (people()[0], role.CHAIR, True),
            (people("SNV")[0], role.VICE_CHAIR, True),
            (people("SNV")[1], role.STANDING, True),
            (people("STC")[0], role.MEMBER, True),
            *[(people(suffix)[0], role.MEMBER, True) for suffix in ("STP", "SXD", "SCT", "SKHCN")],
            (people("SNV")[-1], role.SECRETARY, False),
        ]
        education = people("SGD")
        education_seats = [
            (education[0], role.CHAIR, True),
            (education[1], role.VICE_CHAIR, True),
            *[(person, role.MEMBER, True) for person in education[4:7]],
            (education[-2], role.SECRETARY, False),
        ]
        seats = [
            (code, "Hội đồng Thi đua – Khen thưởng tỉnh Sông Hồng", date(2024, 10, 1), province_seats),
            (
                f"{code}.SGD",
                "Hội đồng Thi đua – Khen thưởng Sở Giáo dục và Đào tạo",
                date(2024, 10, 15),
                education_seats,
            ),
        ]
        for commune in self.communes[:2]:
            staff = self.people_of[commune.code]
            seats.append(
                (
                    commune.code,
                    f"Hội đồng Thi đua – Khen thưởng {commune.name}",
                    date(2025, 7, 15),
                    [
                        (staff[0], role.CHAIR, True),
                        (staff[1], role.VICE_CHAIR, True),
                        *[(person, role.MEMBER, True) for person in staff[3:6]],
                        (staff[-1], role.SECRETARY, False),
                    ],
                )
            )
        return seats

    def create_users(self, seats) -> dict[int, object]:
        """Persona users (password DEMO_PASSWORD) and, for council members who are not personas, users
        without a usable password. Returns {id(person): user}."""
        User = get_user_model()
        # Vietnamese order: first_name holds family and middle names, last_name the given name, so that
        # get_full_name() reads "Nguyễn Thị Hoà" and sorting by last_name sorts by given name, as lists do.
        # One hash for every persona: PBKDF2 is slow on purpose, and these passwords are printed anyway.
        password = make_password(DEMO_PASSWORD)
        persona_people = {
            person.persona.username: person for people in self.people_of.values() for person in people if person.persona
        }
        users, owners = [], []
        for persona in PERSONAS:
            family, middle, given = self.split_name(persona.name)
            users.append(
                User(
                    username=persona.username,
                    first_name=f"{family} {middle}",
                    last_name=given,
                    email=f"{persona.username}@{names.EMAIL_DOMAIN}",
                    password=password,
                    is_superuser=persona.username == "admin",
                    is_staff=persona.username == "admin",
                )
            )
            owners.append(persona_people.get(persona.username))
        seen = {id(person) for person in owners if person is not None}
        for _, _, _, members in seats:
            for person, _, _ in members:
                if id(person) in seen:
                    continue
                seen.add(id(person))
                family, middle, given = self.split_name(person.full_name)
                user = User(
                    username=person.code.lower(),
                    first_name=f"{family} {middle}",
                    last_name=given,
                    email=f"{person.code.lower()}@{names.EMAIL_DOMAIN}",
                )
                user.set_unusable_password()
                users.append(user)
                owners.append(person)
        User.objects.bulk_create(users)  # sets the pks (PostgreSQL, SQLite >= 3.35)
        self.users = {user.username: user for user in users}
        self.counts["users"] = len(users)
        return {id(person): user for user, person in zip(users, owners, strict=True) if person is not None}

    @staticmethod
    def split_name(full_name: str) -> tuple[str, str, str]:
        parts = full_name.split()
        return parts[0], " ".join(parts[1:-1]), parts[-1]

    def create_councils(self, seats) -> None:
        members = []
        for unit_code, name, established, council_seats in seats:
            council = Council.objects.create(unit=self.by_code[unit_code].obj, name=name, established_on=established)
            members += [
                CouncilMember(council=council, user_id=person.user_id, role=role, voting=voting, start=established)
                for person, role, voting in council_seats
            ]
            if unit_code == names.PROVINCE_CODE:
                self.province_council = council
        CouncilMember.objects.bulk_create(members)
        self.counts["councils"] = len(seats)
        self.counts["council_members"] = len(members)

    def grant_roles(self) -> None:
        user, unit = self.users.get, (lambda suffix: self.by_code[f"{names.PROVINCE_CODE}.{suffix}"].obj)
        permissions.grant_unit_role(user("canbo.sgd"), Unit.Role.OFFICER, unit("SGD"))
        permissions.grant_unit_role(user("thutruong.sgd"), Unit.Role.HEAD, unit("SGD"))
        permissions.grant_unit_role(user("canbo.syt"), Unit.Role.OFFICER, unit("SYT"))
        permissions.grant_unit_role(user("ky.tinh"), Unit.Role.SIGNER, self.province.obj)
        permissions.grant_secretariat(user("thuky.tinh"), self.province_council)

    # All together ----------------------------------------------------------------------------------

    def build(self) -> dict[str, int]:
        self.plan_units()
        self.insert_units()
        self.plan_people()
        seats = self.council_seats()
        users = self.create_users(seats)
        self.insert_people(users)
        self.insert_households()
        self.create_councils(seats)
        self.grant_roles()
        return self.counts


def logins_table() -> list[str]:
    rows = [("Tên đăng nhập", "Mật khẩu", "Vai trò")] + [(p.username, DEMO_PASSWORD, p.role) for p in PERSONAS]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return lines
