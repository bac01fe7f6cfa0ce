"""Import of units: codes, names, kinds and parents, applied parents first in one transaction."""

import itertools
from dataclasses import dataclass

from django.utils.translation import gettext as _

from audit.services import audit_record_many
from thiduakt.lib.vn import fold

from ..bulk import BATCH, CHUNK, rewrite_subtree_paths
from ..models import Unit
from .rows import (
    CREATE,
    UNCHANGED,
    UPDATE,
    Choices,
    ImportPreview,
    ImportRow,
    apply_file,
    by_codes,
    choice,
    flag_duplicate_codes,
    preview_file,
    text,
)

UNIT_COLUMNS = ("code", "name", "kind", "parent_code")
LEVEL_OF_KIND = {
    Unit.Kind.MINISTRY: Unit.Level.PROVINCE,
    Unit.Kind.PROVINCE: Unit.Level.PROVINCE,
    Unit.Kind.COMMUNE: Unit.Level.COMMUNE,
}

# Vietnamese words people type in these columns, folded (no accents, lower case), beyond the codes and the
# Vietnamese labels of the choices, which are accepted too.
KIND_ALIASES = {
    "bo": Unit.Kind.MINISTRY,
    "bo, nganh": Unit.Kind.MINISTRY,
    "tinh": Unit.Kind.PROVINCE,
    "thanh pho": Unit.Kind.PROVINCE,
    "xa": Unit.Kind.COMMUNE,
    "phuong": Unit.Kind.COMMUNE,
    "so": Unit.Kind.DEPARTMENT,
    "truong": Unit.Kind.SCHOOL,
    "thon": Unit.Kind.HAMLET,
    "to dan pho": Unit.Kind.HAMLET,
}

# Units -----------------------------------------------------------------------------------------------


@dataclass
class _UnitPlan:
    preview: ImportPreview
    units: dict  # code → Unit, every unit of the database the import reads
    depth: dict  # code → depth in the tree as it will be after the import


def _clean_unit_row(row: ImportRow, kinds: Choices) -> None:
    row.data = {
        "code": text(row, "code", max_length=32),
        "name": text(row, "name", max_length=255),
        "kind": choice(row, "kind", kinds, _("Unknown unit kind %(value)s. Allowed: %(allowed)s.")),
        "parent_code": text(row, "parent_code", max_length=32, required=False),
    }


def _load_units(codes: set[str], *, lock: bool) -> dict:
    """The units with these codes and all their ancestors, by code."""
    queryset = Unit.objects.only("pk", "code", "name", "kind", "level", "parent_id", "path", "short_name")
    units = by_codes(queryset.select_for_update(no_key=True) if lock else queryset, codes)
    loaded = {unit.pk for unit in units.values()}
    ancestor_ids = sorted({pk for unit in units.values() for pk in unit.ancestor_ids} - loaded)
    for start in range(0, len(ancestor_ids), CHUNK):
        for unit in queryset.filter(pk__in=ancestor_ids[start : start + CHUNK]):
            units[unit.code] = unit
    return units


def _final_depths(file_parent: dict, units: dict) -> tuple[dict, list[list[str]]]:
    """Depth of every unit on the chains of the file's units once the file is applied, and the cycles.

    A unit in the file hangs under its `parent_code`; any other unit under its present parent. The tree in
    the database has no cycle, so every cycle goes through a unit of the file."""
    code_of_pk = {unit.pk: code for code, unit in units.items()}

    def parent_of(code):
        if code in file_parent:
            return file_parent[code]
        unit = units.get(code)
        return code_of_pk.get(unit.parent_id) if unit is not None and unit.parent_id else None

    depth, cycles = {}, []
    for start in file_parent:
        chain, on_chain, code = [], {}, start
        while code is not None and code not in depth:
            if code in on_chain:
                cycle = chain[on_chain[code] :]
                cycles.append(cycle)
                depth.update(dict.fromkeys(cycle, 0))
                break
            if code not in file_parent and code not in units:  # unknown parent, reported elsewhere
                depth[code] = -1
                break
            on_chain[code] = len(chain)
            chain.append(code)
            code = parent_of(code)
        base = depth.get(code, -1)
        for code in reversed(chain):
            if code in depth:
                base = depth[code]
            else:
                base += 1
                depth[code] = base
    return depth, cycles


def units_plan(preview: ImportPreview, *, lock: bool = False) -> _UnitPlan:
    kinds = Choices.of(Unit.Kind, KIND_ALIASES)
    for row in preview.rows:
        _clean_unit_row(row, kinds)
    flag_duplicate_codes(preview.rows)
    file_codes = {row.data["code"] for row in preview.rows if row.data["code"]}
    parent_codes = {row.data["parent_code"] for row in preview.rows if row.data["parent_code"]}
    units = _load_units(file_codes | parent_codes, lock=lock)

    for row in preview.rows:
        parent_code = row.data["parent_code"]
        if parent_code and parent_code not in file_codes and parent_code not in units:
            row.errors.append(
                _("Parent unit code %(code)s exists neither in this file nor in the system.") % {"code": parent_code}
            )
    file_parent = {row.data["code"]: row.data["parent_code"] or None for row in preview.rows if row.data["code"]}
    depth, cycles = _final_depths(file_parent, units)
    rows_by_code = {row.data["code"]: row for row in preview.rows if row.data["code"]}
    for cycle in cycles:
        for index, code in enumerate(cycle):
            if code in rows_by_code:
                loop = cycle[index:] + cycle[:index] + [code]
                rows_by_code[code].errors.append(
                    _("Unit %(code)s would become its own ancestor: %(cycle)s.")
                    % {"code": code, "cycle": " → ".join(loop)}
                )

    code_of_pk = {unit.pk: code for code, unit in units.items()}
    for row in preview.rows:
        if row.errors:
            continue
        unit = units.get(row.data["code"])
        if unit is None:
            row.action = CREATE
            continue
        current = {"name": unit.name, "kind": unit.kind, "parent_code": code_of_pk.get(unit.parent_id)}
        wanted = {
            "name": row.data["name"],
            "kind": row.data["kind"],
            "parent_code": row.data["parent_code"] or None,
        }
        row.changes = {name: [current[name], value] for name, value in wanted.items() if current[name] != value}
        row.action = UPDATE if row.changes else UNCHANGED
    return _UnitPlan(preview=preview, units=units, depth=depth)


def units_preview(source) -> ImportPreview:
    return preview_file(source, kind="units", columns=UNIT_COLUMNS, plan=units_plan)


def units_apply(*, by, source) -> ImportPreview:
    """Create and update the file's units, parents first, in one transaction; all or nothing."""
    return apply_file(source, kind="units", columns=UNIT_COLUMNS, plan=units_plan, write=units_write, by=by)


def units_write(plan: _UnitPlan, *, by) -> None:
    units = plan.units
    pending = sorted(
        (row for row in plan.preview.rows if row.action in (CREATE, UPDATE)),
        key=lambda row: plan.depth[row.data["code"]],
    )
    events = []
    for _depth, group in itertools.groupby(pending, key=lambda row: plan.depth[row.data["code"]]):
        group = list(group)
        events += _create_units([row for row in group if row.action == CREATE], units)
        events += [_update_unit(row, units) for row in group if row.action == UPDATE]
    audit_record_many(actor=by, events=events)


def _create_units(rows: list[ImportRow], units: dict) -> list[tuple]:
    """One level of new units: their parents exist already, with their final paths."""
    if not rows:
        return []
    created = []
    for row in rows:
        data = row.data
        created.append(
            Unit(
                code=data["code"],
                name=data["name"],
                kind=data["kind"],
                level=LEVEL_OF_KIND.get(data["kind"], Unit.Level.GRASSROOTS),
                parent=units[data["parent_code"]] if data["parent_code"] else None,
                search_name=fold(f"{data['code']} {data['name']}"),
            )
        )
    Unit.objects.bulk_create(created, batch_size=BATCH)
    for unit in created:
        unit.path = unit.compute_path()
        units[unit.code] = unit
    Unit.objects.bulk_update(created, ["path"], batch_size=BATCH)
    return [
        (
            "unit.imported_create",
            unit,
            {
                "code": unit.code,
                "name": unit.name,
                "kind": unit.kind,
                "level": unit.level,
                "parent_code": row.data["parent_code"] or None,
                "row": row.number,
            },
        )
        for row, unit in zip(rows, created, strict=True)
    ]


def _update_unit(row: ImportRow, units: dict) -> tuple:
    unit = units[row.data["code"]]
    old_path = unit.path
    unit.name, unit.kind = row.data["name"], row.data["kind"]
    if "parent_code" in row.changes:
        unit.parent = units[row.data["parent_code"]] if row.data["parent_code"] else None
    unit.save()  # an unchanged parent is read afresh here: its path may have moved earlier in this import
    if unit.path != old_path:
        # The whole former subtree follows, in the database and in the units this import still uses.
        rewrite_subtree_paths(old_prefix=old_path, new_prefix=unit.path)
        for other in units.values():
            if other.path.startswith(old_path):
                other.path = unit.path + other.path[len(old_path) :]
    return ("unit.imported_update", unit, {**row.changes, "row": row.number})
