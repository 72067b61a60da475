"""Property-based tests of the registry's paths against the contract with schemathesis: generated requests, valid
and invalid, must never get a 5xx or an answer that breaks the schema the contract documents for it. The run is
derandomized and bounded, so it is the same run each time."""
import copy

import hypothesis
import hypothesis.strategies as st
import pytest
import schemathesis
from schemathesis.specs.openapi.checks import allow_header_conformance, response_schema_conformance

from gateway import ADMIN_KEY, Gateway
from registry_client import call
from running import running
from spec import SPEC
from test_registry_releases import STDIO, mcpb, multipart, stream, upload

REGISTRY_PATHS = r"^/(namespaces(/\{name\}|/\{namespace\}/servers/\{server\})?" \
                 r"|servers(/\{qualifiedName\}(/download|/releases(/\{id\})?)?)?)$"
NAMESPACE_NAME = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$"
SERVER_NAME = "^[a-z0-9_-]*$"


def contract():
    """The contract, with the gaps where it contradicts itself filled in; each says why."""
    spec = copy.deepcopy(SPEC)
    paths = spec["paths"]

    def error(description, schema="RegistryError"):
        return {"description": description,
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}

    def parameter(operation, name):
        return next(p for p in operation["parameters"] if p["in"] == "path" and p["name"] == name)["schema"]

    for operations in paths.values():
        for operation in operations.values():
            # The document requires `bearerAuth` on every operation (its global `security`), yet several registry
            # operations list no 401: a request without a valid credential gets one all the same.
            operation["responses"].setdefault("401", error("Unauthorized"))
    # GET /namespaces bounds `page` and `pageSize` and enumerates `hasServers` but documents no answer for a
    # request outside them: a 400 in the namespaces' error shape is the one that fits.
    paths["/namespaces"]["get"]["responses"].setdefault("400", error("Bad request", "NamespacesError"))
    # The name-creating operations document "400 invalid name format" without giving the format; these are it
    # (a namespace of 3 to 39, a server of up to 64, or 3 to 39 on the deprecated path).
    parameter(paths["/namespaces/{name}"]["put"], "name")["pattern"] = NAMESPACE_NAME
    parameter(paths["/namespaces/{namespace}/servers/{server}"]["put"], "server")["pattern"] = SERVER_NAME
    parameter(paths["/servers/{qualifiedName}"]["put"], "qualifiedName")["pattern"] = "^[^/]*(/[a-z0-9_-]{1,64})?$"
    return spec


# The credential goes through the configuration, so that schemathesis knows which requests carry it and which of
# its negative cases leave it out on purpose. `deterministic` makes every run the same run.
CONFIG = schemathesis.Config.from_dict({
    "headers": {"Authorization": f"Bearer {ADMIN_KEY}"},
    "generation": {"max-examples": 40, "deterministic": True, "database": "none"},
})
schema = schemathesis.openapi.from_dict(contract(), config=CONFIG).include(path_regex=REGISTRY_PATHS).exclude(
    # A release upload is multipart with a JSON `payload` whose shape schemathesis cannot generate.
    method="PUT", path="/servers/{qualifiedName}/releases")


# What the fixture stores, for the path parameters to name now and then: random names almost always miss.
SEEDED = {"qualifiedName": ["acme/files", "acme/weather"], "namespace": ["acme"], "name": ["acme"], "id": []}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    # Deleting the stored servers would leave the other operations nothing to find.
    if context.operation.method.upper() == "DELETE" and context.operation.path.startswith("/servers"):
        return st.just(path_parameters)
    names = [name for name in path_parameters or {} if SEEDED.get(name)]
    choices = [path_parameters] + [{**path_parameters, name: value} for name in names for value in SEEDED[name]]
    if len(names) > 1:
        choices.append({**path_parameters, **{name: SEEDED[name][0] for name in names}})
    return st.sampled_from(choices)


@pytest.fixture(scope="module")
def registry():
    """A gateway holding a plain server and a published stdio server (tools, a bundle and a release)."""
    instance = Gateway().start()
    call(instance, "PUT", "/namespaces/acme", expect=201)
    call(instance, "PUT", "/servers/acme/weather", {"displayName": "Weather", "description": "Forecasts"},
         expect=201)
    call(instance, "PUT", "/servers/acme/files", {"displayName": "Files"}, expect=201)
    bundle = mcpb({"manifest.json": '{"name": "files"}'})
    status, _, answer = upload(instance, "acme/files", multipart([("payload", STDIO), ("bundle", bundle)]))
    assert status == 202, answer
    assert stream(instance, "acme/files", answer["deploymentId"])[-1][1]["status"] == "SUCCESS"
    SEEDED["id"] = [answer["deploymentId"]]
    yield from running(instance)


def excluded_checks(case):
    excluded = []
    # A `fields` projection keeps only the members it names, so it drops members the listing's schema requires.
    if (case.query or {}).get("fields"):
        excluded.append(response_schema_conformance)
    # `/servers/ns/download` and `/servers/ns/releases` are also the two-segment path of the server `ns/download`
    # (the form the deprecated operation's description names), whose methods the `Allow` header lists too.
    if case.operation.path in ("/servers/{qualifiedName}/download", "/servers/{qualifiedName}/releases"):
        excluded.append(allow_header_conformance)
    return excluded


@schema.parametrize()
@hypothesis.settings(deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
def test_registry_answers_follow_the_contract(case, registry):
    case.call_and_validate(base_url=registry.url, excluded_checks=excluded_checks(case))
