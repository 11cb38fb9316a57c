"""A generated county as CSV files for the registry's import (seeded, reproducible):
county → party committees → general branches → branches of 10–60 members, with secretaries."""

import csv
import random
from pathlib import Path

from devstack.city import org_tree

KIND_NAMES = {"working_committee": "县委", "party_committee": "党委", "general_branch": "党总支", "branch": "党支部"}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰海燕"


def write_county(directory: Path, orgs: int = 300, members: int = 10_000, seed: int = 7) -> dict[str, Path]:
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    tree = org_tree(rng, orgs)
    org_rows = [(o.org_id, f"{o.org_id}{KIND_NAMES[o.kind]}", o.kind, o.parent_id or "") for o in tree]
    branches = [o.org_id for o in tree if o.kind == "branch"]
    people, roles = [], []
    for org_id, *_ in org_rows:  # every organisation has a secretary
        pid = f"p{len(people)}"
        people.append((pid, _name(rng), org_id))
        roles.append((org_id, pid, "secretary"))
    while len(people) < members:
        org_id = rng.choice(branches)
        pid = f"p{len(people)}"
        people.append((pid, _name(rng), org_id))
        if rng.random() < 0.05:
            roles.append((org_id, pid, "committee_member"))
    files = {"orgs": directory / "orgs.csv", "members": directory / "members.csv", "roles": directory / "roles.csv"}
    _write(files["orgs"], ["org_id", "name", "kind", "parent_id"], org_rows)
    _write(files["members"], ["person_id", "name", "org_id", "status", "email", "phone"],
           [(p, n, o, "full", f"{p}@example.org", "") for p, n, o in people])  # fmt: skip
    _write(files["roles"], ["org_id", "person_id", "role"], roles)
    return files


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _write(path: Path, header: list[str], rows: list[tuple]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
