import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from gateway import Gateway  # noqa: E402


@pytest.fixture(scope="module")
def gateway():
    instance = Gateway().start()
    yield instance
    instance.stop()
