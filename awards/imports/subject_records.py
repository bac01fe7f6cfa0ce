"""The sheets whose rows belong to a person, a unit or a household: ratings and awards."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from audit.services import audit_record_many
from organizations.bulk import BATCH, update_grouped
from organizations.imports.rows import CREATE, UNCHANGED, UPDATE, Choices, ImportPreview, ImportRow, choice, text

from ..models import AwardRecord, AwardType, Rating
from ..models.catalogue import AwardKind
from .cells import (
    HOUSEHOLD,
    PERSON,
    UNIT,
    Subjects,
    date,
    flag_duplicates,
    in_chunks,
    subject_choices,
    subject_ids,
    year,
)

RATING_COLUMNS = ("subject_type", "subject_code", "year", "rating")
AWARD_COLUMNS = ("subject_type", "subject_code", "award_code", "year", "kind", "decision_number", "decision_date")

# Folded (no accents, lower case) words and abbreviations people type, beyond the codes and the labels.
RATING_ALIASES = {
    "htxsnv": Rating.Level.EXCELLENT,
    "hoan thanh xuat sac nhiem vu": Rating.Level.EXCELLENT,
    "xuat sac": Rating.Level.EXCELLENT,
    "httnv": Rating.Level.GOOD,
    "hoan thanh tot nhiem vu": Rating.Level.GOOD,
    "tot": Rating.Level.GOOD,
    "htnv": Rating.Level.COMPLETED,
    "hoan thanh nhiem vu": Rating.Level.COMPLETED,
    "hoan thanh": Rating.Level.COMPLETED,
    "khtnv": Rating.Level.FAILED,
    "khong hoan thanh nhiem vu": Rating.Level.FAILED,
    "khong hoan thanh": Rating.Level.FAILED,
}
KIND_ALIASES = {
    "thuong xuyen": AwardKind.REGULAR,
    "cong trang": AwardKind.REGULAR,
    "dot xuat": AwardKind.SUDDEN,
    "theo phong trao": AwardKind.CAMPAIGN,
    "chuyen de": AwardKind.CAMPAIGN,
    "cong hien": AwardKind.CONTRIBUTION,
    "nien han": AwardKind.SENIORITY,
    "doi ngoai": AwardKind.FOREIGN,
}


@dataclass
class SheetPlan:
    preview: ImportPreview
    subjects: Subjects
    existing: dict  # key → the record already in the system
    award_types: dict | None = None  # code → AwardType


def _subject(row: ImportRow, types: Choices) -> dict:
    return {
        "subject_type": choice(row, "subject_type", types, _("Unknown subject type %(value)s. Allowed: %(allowed)s.")),
        "subject_code": text(row, "subject_code", max_length=32),
    }


def _complete(row: ImportRow, *names: str) -> bool:
    return not any(row.data[name] in (None, "") for name in names)


def _set_subject(record, subject_type: str, subject) -> None:
    setattr(record, subject_type, subject)


def _load_existing(model, subjects: Subjects, rows, types, key, *, lock: bool) -> dict:
    queryset = model.objects.order_by()
    if lock:
        queryset = queryset.select_for_update(no_key=True)
    existing = {}
    for subject_type, pks in subject_ids(subjects, rows, *types).items():
        for record in in_chunks(queryset, f"{subject_type}_id", pks):
            existing[key(subject_type, record)] = record
    return existing


def _classify(row: ImportRow, record, current: dict) -> None:
    if record is None:
        row.action = CREATE
        return
    row.changes = {name: [value, row.data[name]] for name, value in current.items() if value != row.data[name]}
    row.action = UPDATE if row.changes else UNCHANGED


# Ratings ---------------------------------------------------------------------------------------------


def ratings_plan(preview: ImportPreview, *, subjects: Subjects, lock: bool = False) -> SheetPlan:
    types = subject_choices(PERSON, UNIT)
    levels = Choices.of(Rating.Level, RATING_ALIASES)
    for row in preview.rows:
        row.data = {
            **_subject(row, types),
            "year": year(row, "year"),
            "rating": choice(row, "rating", levels, _("Unknown rating %(value)s. Allowed: %(allowed)s.")),
        }
    key_columns = ("subject_type", "subject_code", "year")
    flag_duplicates(
        preview.rows, lambda row: tuple(row.data[n] for n in key_columns) if _complete(row, *key_columns) else None
    )
    subjects.load((row.data["subject_type"], row.data["subject_code"]) for row in preview.rows)
    for row in preview.rows:
        subjects.check(row, row.data["subject_type"], row.data["subject_code"])

    def key(subject_type, rating):
        return subject_type, getattr(rating, f"{subject_type}_id"), rating.year

    existing = _load_existing(Rating, subjects, preview.rows, (PERSON, UNIT), key, lock=lock)
    for row in preview.rows:
        if row.errors:
            continue
        subject = subjects.get(row.data["subject_type"], row.data["subject_code"])
        rating = subject and existing.get((row.data["subject_type"], subject.pk, row.data["year"]))
        _classify(row, rating, {"rating": rating.rating} if rating else {})
    return SheetPlan(preview=preview, subjects=subjects, existing=existing)


def ratings_write(plan: SheetPlan, *, by) -> None:
    creates = [row for row in plan.preview.rows if row.action == CREATE]
    updates = [row for row in plan.preview.rows if row.action == UPDATE]
    created = []
    for row in creates:
        rating = Rating(year=row.data["year"], rating=row.data["rating"])
        _set_subject(
            rating, row.data["subject_type"], plan.subjects.get(row.data["subject_type"], row.data["subject_code"])
        )
        created.append(rating)
    Rating.objects.bulk_create(created, batch_size=BATCH)
    updated = []
    for row in updates:
        subject = plan.subjects.get(row.data["subject_type"], row.data["subject_code"])
        rating = plan.existing[row.data["subject_type"], subject.pk, row.data["year"]]
        rating.rating = row.data["rating"]
        updated.append(rating)
    update_grouped(Rating, [(rating.pk, {"rating": rating.rating}) for rating in updated])
    events = [
        ("history.rating_imported", rating, {**_data(row, RATING_COLUMNS), "row": row.number})
        for row, rating in zip(creates, created, strict=True)
    ]
    events += [
        ("history.rating_updated", rating, {**row.changes, "row": row.number})
        for row, rating in zip(updates, updated, strict=True)
    ]
    audit_record_many(actor=by, events=events)


def _data(row: ImportRow, columns) -> dict:
    return {name: row.data[name] for name in columns}


# Awards ----------------------------------------------------------------------------------------------


def _clean_award_row(row: ImportRow, types: Choices, kinds: Choices, award_types: dict) -> None:
    row.data = {
        **_subject(row, types),
        "award_code": text(row, "award_code", max_length=20).upper(),
        "year": year(row, "year"),
        "kind": choice(
            row, "kind", kinds, _("Unknown kind %(value)s. Allowed: %(allowed)s."), default=AwardKind.REGULAR
        ),
        "decision_number": text(row, "decision_number", max_length=50),
        "decision_date": date(row, "decision_date", required=False),
    }
    data = row.data
    award_type = award_types.get(data["award_code"])
    if data["award_code"] and award_type is None:
        row.errors.append(
            _("Unknown award code %(code)s: the instructions sheet of the template lists the codes.")
            % {"code": data["award_code"]}
        )
    if award_type and data["subject_type"] and not award_type.fits(data["subject_type"]):
        row.errors.append(
            _("Award %(code)s is not granted to subject type %(type)s; it is for: %(allowed)s.")
            % {"code": award_type.code, "type": data["subject_type"], "allowed": ", ".join(award_type.subject_types)}
        )
    if award_type and data["kind"] and data["kind"] not in award_type.kinds:
        row.errors.append(
            _("Kind %(kind)s is not allowed for award %(code)s; allowed: %(allowed)s.")
            % {"kind": data["kind"], "code": award_type.code, "allowed": ", ".join(award_type.kinds)}
        )
    if data["decision_date"] and data["year"] and data["decision_date"].year < data["year"]:
        row.errors.append(
            _("The decision date %(date)s is before the award year %(year)s.")
            % {"date": data["decision_date"].strftime("%d/%m/%Y"), "year": data["year"]}
        )


AWARD_KEY = ("subject_type", "subject_code", "award_code", "year", "decision_number")


def awards_plan(preview: ImportPreview, *, subjects: Subjects, lock: bool = False) -> SheetPlan:
    award_types = {award_type.code: award_type for award_type in AwardType.objects.all()}
    types = subject_choices(PERSON, UNIT, HOUSEHOLD)
    kinds = Choices.of(AwardKind, KIND_ALIASES)
    for row in preview.rows:
        _clean_award_row(row, types, kinds, award_types)
    flag_duplicates(
        preview.rows, lambda row: tuple(row.data[n] for n in AWARD_KEY) if _complete(row, *AWARD_KEY) else None
    )
    subjects.load((row.data["subject_type"], row.data["subject_code"]) for row in preview.rows)
    for row in preview.rows:
        subjects.check(row, row.data["subject_type"], row.data["subject_code"])

    by_id = {award_type.pk: award_type for award_type in award_types.values()}

    def key(subject_type, record):
        record.award_type = by_id[record.award_type_id]  # str() of the record names its code: no query
        return (
            subject_type,
            getattr(record, f"{subject_type}_id"),
            record.award_type.code,
            record.year,
            record.decision_number,
        )

    existing = _load_existing(AwardRecord, subjects, preview.rows, (PERSON, UNIT, HOUSEHOLD), key, lock=lock)
    for row in preview.rows:
        if row.errors:
            continue
        data = row.data
        subject = subjects.get(data["subject_type"], data["subject_code"])
        record = subject and existing.get(
            (data["subject_type"], subject.pk, data["award_code"], data["year"], data["decision_number"])
        )
        _classify(row, record, {"kind": record.kind, "decision_date": record.decision_date} if record else {})
        if row.action == UPDATE and record.source != AwardRecord.Source.IMPORT:
            row.errors.append(
                _("This award was recorded from an award decision in the system; the import does not change it.")
            )
    return SheetPlan(preview=preview, subjects=subjects, existing=existing, award_types=award_types)


def awards_write(plan: SheetPlan, *, by) -> None:
    creates = [row for row in plan.preview.rows if row.action == CREATE]
    updates = [row for row in plan.preview.rows if row.action == UPDATE]
    created = []
    for row in creates:
        data = row.data
        record = AwardRecord(
            award_type=plan.award_types[data["award_code"]],
            year=data["year"],
            kind=data["kind"],
            decision_number=data["decision_number"],
            decision_date=data["decision_date"],
            issuer="",
            source=AwardRecord.Source.IMPORT,
        )
        _set_subject(record, data["subject_type"], plan.subjects.get(data["subject_type"], data["subject_code"]))
        created.append(record)
    AwardRecord.objects.bulk_create(created, batch_size=BATCH)
    updated, writes = [], []
    for row in updates:
        data = row.data
        subject = plan.subjects.get(data["subject_type"], data["subject_code"])
        record = plan.existing[
            data["subject_type"], subject.pk, data["award_code"], data["year"], data["decision_number"]
        ]
        values = {name: data[name] for name in row.changes}
        for name, value in values.items():
            setattr(record, name, value)
        updated.append(record)
        writes.append((record.pk, values))
    update_grouped(AwardRecord, writes)
    events = [
        ("history.award_imported", record, {**_data(row, AWARD_COLUMNS), "row": row.number})
        for row, record in zip(creates, created, strict=True)
    ]
    events += [
        ("history.award_updated", record, {**row.changes, "row": row.number})
        for row, record in zip(updates, updated, strict=True)
    ]
    audit_record_many(actor=by, events=events)
