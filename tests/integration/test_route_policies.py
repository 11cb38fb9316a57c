"""Every route declares who may call it (kernel.access): a route without a declared policy fails here.
Built from the services' real apps, as they start."""

import pytest
from fastapi.routing import APIRoute

from compliance.entrypoints.app import create_app as compliance_app
from kernel.access import has_policy
from notify.bootstrap import create_app as notify_app
from registry.bootstrap import bootstrap as registry_app
from talks.adapters.crypto import new_key
from talks.config import TalksSettings
from talks.entrypoints.app import create_app as talks_app

APPS = {
    "registry": lambda: registry_app(),
    "compliance": lambda: compliance_app(),
    "talks": lambda: talks_app(TalksSettings(TALKS_CONTENT_KEYS=new_key())),
    "notify": lambda: notify_app(),
}


@pytest.mark.parametrize("service", sorted(APPS))
def test_every_route_declares_its_policy(service):
    app = APPS[service]()
    routes = [r for r in app.routes if isinstance(r, APIRoute)]
    assert routes
    undeclared = sorted(f"{sorted(r.methods)} {r.path}" for r in routes if not has_policy(r.dependant))
    assert undeclared == [], f"{service}: routes with no declared policy"
