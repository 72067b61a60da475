"""The contract the responses are validated against: ../shared/spec/openapi.json."""
import json
import os

SPEC = json.load(open(os.path.join(os.path.dirname(__file__), "../../../shared/spec/openapi.json")))


def schema(name):
    """A component schema with its $refs resolvable against the whole document."""
    return {"$ref": f"#/components/schemas/{name}", "components": SPEC["components"]}
