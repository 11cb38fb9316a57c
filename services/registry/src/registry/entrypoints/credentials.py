"""python -m registry new-credential <system> <family> [<family> …]: a new bearer token for an
integrated system, printed once, and the REGISTRY_CREDENTIALS entry that stores only its hash."""

import json
import secrets
import sys

from registry.application.intake import EDGE_FAMILIES
from registry.entrypoints.auth import hashed

FAMILIES = sorted(EDGE_FAMILIES)


def main(args: list[str]) -> int:
    if len(args) < 2 or any(f not in FAMILIES for f in args[1:]):
        print(f"usage: python -m registry new-credential <system> <family> … (families: {', '.join(FAMILIES)})", file=sys.stderr)
        return 2
    token = secrets.token_urlsafe(32)
    entry = {hashed(token): {"system": args[0], "families": args[1:]}}
    print(f"token (give it to {args[0]}; it is not kept anywhere): {token}")
    print(f"REGISTRY_CREDENTIALS entry: {json.dumps(entry)[1:-1]}")
    return 0
