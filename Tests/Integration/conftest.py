import os
import sys
import uuid

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from gateway import Gateway  # noqa: E402
from running import running  # noqa: E402
from trigger_upstreams import EventsUpstream  # noqa: E402
from upstream import Upstream  # noqa: E402
from webhook_receiver import Receiver  # noqa: E402


@pytest.fixture(scope="module")
def gateway():
    yield from running(Gateway().start())


@pytest.fixture(scope="module")
def connect_gateway():
    """A gateway that may dial loopback upstreams (the test upstreams live there)."""
    yield from running(Gateway(env={"SWITCHBOARD_EGRESS_ALLOW": "127.0.0.0/8"}).start())


@pytest.fixture(scope="module")
def upstream():
    """An upstream that streams its answers (SSE)."""
    yield from running(Upstream().start())


@pytest.fixture(scope="module")
def json_upstream():
    """An upstream that answers with JSON bodies."""
    yield from running(Upstream(json_response=True).start())


@pytest.fixture(scope="module")
def events_upstream():
    """The Events test upstream in webhook and poll mode (upstream_events.py)."""
    yield from running(EventsUpstream())


@pytest.fixture
def receiver():
    """A webhook receiver that verifies every request with the official standardwebhooks library."""
    yield from running(Receiver(), stop=Receiver.close)


@pytest.fixture
def namespace():
    """A fresh namespace per test, so tests never see each other's connections."""
    return "ns-" + uuid.uuid4().hex[:12]
