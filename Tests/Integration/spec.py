"""The contract the responses are validated against: ../shared/spec/openapi.json beside the checkout
(or the file named by SWITCHBOARD_SPEC)."""
import json
import os

PATH = os.environ.get("SWITCHBOARD_SPEC") or os.path.normpath(
    os.path.join(os.path.dirname(__file__), "../../../shared/spec/openapi.json"))
if not os.path.exists(PATH):
    raise FileNotFoundError(f"the OpenAPI contract is not at {PATH}: check out ../shared beside the repository "
                            "or set SWITCHBOARD_SPEC")
SPEC = json.load(open(PATH))


def schema(name):
    """A component schema with its $refs resolvable against the whole document."""
    return {"$ref": f"#/components/schemas/{name}", "components": SPEC["components"]}
