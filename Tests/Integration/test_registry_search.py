"""GET /servers against a fixed corpus of 200 servers: relevance (the expected top 3 of 20 queries, typos among
them), fused scores, filters, projection, and stable pagination with `seed`."""
import urllib.parse

import pytest

from gateway import ADMIN_KEY, Gateway
from registry_client import call
from registry_corpus import ALL, JUDGEMENTS
from running import running

NAMESPACE = "corpus"


@pytest.fixture(scope="module")
def corpus():
    instance = Gateway().start()
    call(instance, "PUT", f"/namespaces/{NAMESPACE}", expect=201)
    for name, display, description in ALL:
        call(instance, "PUT", f"/servers/{NAMESPACE}/{name}", {"displayName": display, "description": description},
             expect=201)
    call(instance, "PATCH", f"/servers/{NAMESPACE}/github", {"repositoryUrl": "https://github.com/acme/gh-mcp.git"})
    yield from running(instance)


def search(gateway, **query):
    return call(gateway, "GET", "/servers?" + urllib.parse.urlencode(query))


@pytest.mark.parametrize("query,expected", JUDGEMENTS, ids=[query for query, _ in JUDGEMENTS])
def test_relevance(corpus, query, expected):
    answer = search(corpus, q=query)
    top = [server["slug"] for server in answer["servers"][:3]]
    assert set(top) == expected, [(s["slug"], s["score"]) for s in answer["servers"][:6]]
    scores = [server["score"] for server in answer["servers"]]
    assert scores == sorted(scores, reverse=True) and all(score > 0 for score in scores)


def test_browse_has_no_score_and_counts_everything(corpus):
    answer = search(corpus, pageSize=100)
    assert answer["pagination"] == {"currentPage": 1, "pageSize": 100, "totalPages": 2, "totalCount": 200}
    assert all(server["score"] is None for server in answer["servers"])


def test_seed_gives_a_stable_shuffle_across_ten_pages(corpus):
    def pages(seed):
        return [[server["id"] for server in search(corpus, seed=seed, pageSize=20, page=page)["servers"]]
                for page in range(1, 11)]
    first = pages(7)
    ids = [server_id for page in first for server_id in page]
    assert len(ids) == 200 and len(set(ids)) == 200, "ten pages cover every server once"
    assert pages(7) == first, "the same seed gives the same pages"
    other = pages(8)
    assert other != first and sorted(id for page in other for id in page) == sorted(ids)
    unseeded = [server["id"] for server in search(corpus, pageSize=100)["servers"]]
    assert unseeded != ids[:100]
    past = search(corpus, seed=7, pageSize=20, page=11)
    assert past["servers"] == [] and past["pagination"]["totalCount"] == 200


def test_seeded_search_pages_do_not_overlap(corpus):
    pages = [search(corpus, q="github slack docker", seed=3, pageSize=4, page=page)["servers"] for page in (1, 2, 3)]
    ids = [server["id"] for page in pages for server in page]
    assert len(ids) == len(set(ids))
    assert pages == [search(corpus, q="github slack docker", seed=3, pageSize=4, page=page)["servers"]
                     for page in (1, 2, 3)]


def test_filters_and_projection(corpus):
    assert search(corpus, namespace="elsewhere")["servers"] == []
    exact = search(corpus, qualifiedName=f"{NAMESPACE}/pdf-merge")["servers"]
    assert [server["slug"] for server in exact] == ["pdf-merge"]
    by_id = search(corpus, ids=exact[0]["id"])["servers"]
    assert [server["slug"] for server in by_id] == ["pdf-merge"]
    repo = search(corpus, repoOwner="ACME", repoName="gh-mcp")["servers"]
    assert [server["slug"] for server in repo] == ["github"]
    assert search(corpus, repoOwner="other")["servers"] == []
    assert search(corpus, verified="1")["servers"] == [] and len(search(corpus, verified="false")["servers"]) == 10
    assert search(corpus, isDeployed="true")["servers"] == []
    # A projection keeps only the fields asked for, required ones included: not validated against the full shape.
    status, _, answer = corpus.request("GET", "/servers?q=pdf&fields=qualifiedName,score", key=ADMIN_KEY)
    assert status == 200
    projected = answer["servers"]
    assert projected and all(set(server) == {"qualifiedName", "score"} for server in projected)
    small = search(corpus, q="pdf", topK=10)
    assert small["pagination"]["totalCount"] <= 10


def test_unknown_fields_and_far_pages(corpus):
    # `fields` is any string to the contract: names a summary does not have are passed over.
    status, _, answer = corpus.request("GET", "/servers?q=pdf&fields=slug,colour", key=ADMIN_KEY)
    assert status == 200 and answer["servers"] and all(set(server) == {"slug"} for server in answer["servers"])
    everything = search(corpus, q="pdf", fields="colour")["servers"]
    assert everything and all("qualifiedName" in server for server in everything)
    far = search(corpus, page=9_007_199_254_740_991, pageSize=100)
    assert far["servers"] == [] and far["pagination"]["totalCount"] == 200


@pytest.mark.parametrize("query", [
    "pageSize=101", "pageSize=0", "page=0", "page=9007199254740992", "topK=501", "topK=9", "seed=x", "remote=maybe",
    "colour=red", "ids=", "ids=pdf-merge", "ids=00000000-0000-0000-0000-00000000000g",
    "ids=6f1c2a9e-0b7d-0c3e-8f00-1234567890ab",
])
def test_bad_queries_are_400(corpus, query):
    call(corpus, "GET", "/servers?" + query, expect=400)
