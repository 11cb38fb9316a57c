"""The CSV files a member-management system exports, read into rows of the bulk import (samples:
services/registry/samples/). Every bad row is reported with its file and line, none is dropped quietly."""

import csv
from pathlib import Path

from pydantic import ValidationError

from registry.application.bulk_import import Problem, Row
from talk_contracts import data as d

# kind: (the event each row becomes, its data model, the columns expected)
SHAPES = {
    "orgs": ("org.registered.v1", d.OrgRegistered, ["org_id", "name", "kind", "parent_id"]),
    "members": ("member.joined.v1", d.MemberJoined, ["person_id", "name", "org_id", "status", "email", "phone"]),
    "roles": ("role.assigned.v1", d.RoleAssigned, ["org_id", "person_id", "role"]),
}


def read_rows(kind: str, path: Path) -> tuple[list[Row], list[Problem]]:
    type_name, model, columns = SHAPES[kind]
    rows, problems = [], []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            return [], [Problem(path.name, 1, f"missing columns {missing}; expected {','.join(columns)}")]
        for record in reader:
            line = reader.line_num
            values = {c: (record.get(c) or "").strip() or None for c in columns}
            try:
                rows.append(Row(path.name, line, type_name, model.model_validate(values)))
            except ValidationError as exc:
                detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False))
                problems.append(Problem(path.name, line, detail))
    return rows, problems


def read_files(files: dict[str, Path]) -> tuple[dict[str, list[Row]], list[Problem]]:
    """Every file read, by kind; the problems of all of them."""
    rows: dict[str, list[Row]] = {}
    problems: list[Problem] = []
    for kind, path in files.items():
        rows[kind], found = read_rows(kind, path)
        problems += found
    return rows, problems
