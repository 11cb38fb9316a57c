"""contracts/asyncapi.json as the official AsyncAPI parser reads it (tools/asyncapi/, installed from
the npm registry by `make test`; skipped, saying so, where there is no Node.js)."""

import json
import shutil
import subprocess

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.unit
TOOL = ROOT / "tools/asyncapi"


def _parse(path) -> subprocess.CompletedProcess:
    node = shutil.which("node")
    if node is None or not (TOOL / "node_modules/@asyncapi/parser").exists():
        pytest.skip("the AsyncAPI parser is not installed (make test installs it with npm where Node.js is)")
    return subprocess.run([node, str(TOOL / "validate.mjs"), str(path)], capture_output=True, text=True, timeout=120)


def test_the_asyncapi_document_parses_without_errors():
    done = _parse(ROOT / "contracts/asyncapi.json")
    assert done.returncode == 0 and ", 0 errors" in done.stdout, done.stdout + done.stderr


def test_the_parser_refuses_a_broken_document(tmp_path):
    document = json.loads((ROOT / "contracts/asyncapi.json").read_text())
    channel = next(iter(document["channels"].values()))
    channel["messages"] = {"nowhere": {"$ref": "#/components/messages/nothing-of-that-name"}}
    broken = tmp_path / "asyncapi.json"
    broken.write_text(json.dumps(document))
    assert _parse(broken).returncode == 1
