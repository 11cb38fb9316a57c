"""python -m devstack token <person_id> [--role operator|auditor] [--scope <org_id> …]: a bearer token
from the development issuer of a running `make run` (its key and address in .run/issuer/)."""

import argparse
import json
import sys

from devstack.issuer import FOLDER, SigningKey


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack token", description=__doc__)
    parser.add_argument("person_id")
    parser.add_argument("--role", choices=["operator", "auditor"], action="append", default=[])
    parser.add_argument("--scope", action="append", default=[], help="an organisation whose subtree the role covers")
    args = parser.parse_args(argv)
    where = FOLDER / "issuer.json"
    if not where.exists():
        print("no development issuer has run here: start `make run` first", file=sys.stderr)
        return 2
    issuer = json.loads(where.read_text())["issuer"]
    print(SigningKey(FOLDER).token(issuer, args.person_id, args.role, args.scope))
    return 0
