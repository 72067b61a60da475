"""The registry search benchmark's helpers: a generated corpus of servers published through the API, the wrk script
that rotates the query mix, and the same FTS5 queries run directly on the store with Python's sqlite3.

Usage: registry.py populate URL KEY COUNT | lua KEY | sqlite DATABASE SECONDS
"""
import concurrent.futures
import http.client
import io
import json
import random
import sqlite3
import sys
import time
import urllib.parse
import zipfile

SUBJECTS = [
    "github", "gitlab", "bitbucket", "slack", "discord", "teams", "zoom", "postgres", "mysql", "sqlite", "mongodb",
    "redis", "elasticsearch", "stripe", "paypal", "shopify", "quickbooks", "xero", "salesforce", "hubspot", "zendesk",
    "intercom", "jira", "linear", "asana", "trello", "notion", "confluence", "airtable", "gmail", "outlook",
    "calendar", "drive", "dropbox", "box", "onedrive", "s3", "kubernetes", "docker", "terraform", "aws", "gcp",
    "azure", "cloudflare", "vercel", "netlify", "heroku", "datadog", "sentry", "pagerduty", "grafana", "prometheus",
    "spotify", "youtube", "twitch", "reddit", "twitter", "linkedin", "instagram", "weather", "maps", "flights",
    "hotels", "translate", "pdf", "excel", "csv", "markdown", "browser", "scraper", "search", "news", "finance",
    "crypto", "stocks", "payments", "invoices", "email", "sms", "twilio", "sendgrid", "mailchimp", "figma", "miro",
    "canva", "openai", "anthropic", "huggingface", "arxiv", "wikipedia", "pubmed", "weatherstack", "openweather",
    "recipes", "fitness", "strava", "garmin", "homeassistant", "philips-hue", "sonos", "obsidian", "evernote",
    "todoist", "clickup", "monday", "webflow", "wordpress", "ghost", "contentful", "sanity", "supabase",
    "firebase", "neon", "planetscale", "snowflake", "bigquery", "databricks", "tableau", "looker", "segment",
]
KINDS = [
    "mcp", "api", "tools", "connector", "sync", "search", "admin", "analytics", "bridge", "assistant", "explorer",
    "monitor", "reports", "export", "import", "agent", "gateway", "manager", "helper", "toolkit",
]
VERBS = ["search", "list", "get", "create", "update", "delete", "send", "export", "sync", "query", "summarize",
         "schedule", "archive", "upload", "download", "translate", "analyze", "watch"]
NOUNS = {
    "github": ["issues", "pull_requests", "repositories", "gists", "workflows", "releases"],
    "slack": ["messages", "channels", "threads", "reminders", "users"],
    "postgres": ["tables", "rows", "queries", "indexes", "migrations"],
    "stripe": ["charges", "refunds", "customers", "invoices", "subscriptions"],
    "weather": ["forecasts", "alerts", "conditions", "radar"],
    "calendar": ["events", "invitations", "availability"],
}
GENERIC_NOUNS = ["records", "items", "documents", "files", "reports", "contacts", "tasks", "projects", "notes",
                 "tickets", "metrics", "logs", "orders", "products", "comments", "pages"]
PHRASES = [
    "Connects your agent to {s} with {n} tools.", "Read and write {s} data from any MCP client.",
    "A {k} for {s}: {v} {noun} and more.", "Unofficial {s} {k} with search and bulk actions.",
    "Lets assistants {v} {noun} in {s} safely, with read-only mode.", "{S} for teams: {v} {noun} on a schedule.",
]

# (query, kind) of the mix: single words, two words, typos (the trigram path) and words nothing has.
QUERIES = [
    ("github", "word"), ("slack", "word"), ("postgres", "word"), ("invoices", "word"), ("weather", "word"),
    ("kubernetes", "word"), ("calendar", "word"), ("translate", "word"),
    ("github issues", "two words"), ("slack messages", "two words"), ("stripe refunds", "two words"),
    ("docker containers", "two words"), ("weather forecasts", "two words"),
    ("githib", "typo"), ("postgress", "typo"), ("kubernets", "typo"), ("calender", "typo"), ("spotfy", "typo"),
    ("zzqxv", "no match"), ("flibbertigibbet", "no match"),
]


def corpus(count, seed=7):
    """`count` servers: (name, display name, description, tools), the same for the same seed."""
    rng = random.Random(seed)
    servers, taken = [], set()
    while len(servers) < count:
        subject, kind = rng.choice(SUBJECTS), rng.choice(KINDS)
        name = f"{subject}-{kind}"
        if name in taken:
            name = f"{name}-{rng.randrange(100, 100000)}"
        if name in taken:
            continue
        taken.add(name)
        nouns = NOUNS.get(subject, rng.sample(GENERIC_NOUNS, 4))
        tools = []
        for _ in range(rng.randint(3, 8)):
            verb, noun = rng.choice(VERBS), rng.choice(nouns)
            tools.append({"name": f"{verb}_{noun}", "description": f"{verb.title()} {noun.replace('_', ' ')} in "
                          f"{subject}", "inputSchema": {"type": "object", "properties": {"query": {"type": "string"}}}})
        description = rng.choice(PHRASES).format(s=subject, S=subject.title(), k=kind, n=len(tools),
                                                 v=rng.choice(VERBS), noun=rng.choice(nouns).replace("_", " "))
        display = f"{subject.replace('-', ' ').title()} {kind.title()}"
        servers.append((name, display, description, tools))
    return servers


def bundle():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("manifest.json", '{"name": "bench"}')
    return buffer.getvalue()


def populate(url, key, count):
    """Creates the corpus through the API: each server, then a stdio release whose server card holds its tools."""
    parsed = urllib.parse.urlsplit(url)
    headers = {"Authorization": f"Bearer {key}"}
    zipped = bundle()

    def send(connection, method, path, body, content_type="application/json"):
        connection.request(method, path, body=body, headers={**headers, "Content-Type": content_type})
        response = connection.getresponse()
        answer = response.read()
        if response.status >= 300:
            raise RuntimeError(f"{method} {path}: {response.status} {answer[:200]!r}")

    def publish(chunk):
        connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        for name, display, description, tools in chunk:
            send(connection, "PUT", f"/servers/bench/{name}",
                 json.dumps({"displayName": display, "description": description}))
            payload = json.dumps({"type": "stdio", "runtime": "node", "serverCard": {"tools": tools}}).encode()
            boundary = "bench-boundary"
            body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"payload\"\r\n\r\n".encode() + payload
                    + f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"bundle\"; filename=\"b.mcpb\"\r\n"
                      "\r\n".encode() + zipped + f"\r\n--{boundary}--\r\n".encode())
            send(connection, "PUT", f"/servers/bench/{name}/releases", body,
                 f"multipart/form-data; boundary={boundary}")
        connection.close()

    send(http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30), "PUT", "/namespaces/bench", None)
    servers = corpus(count)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(publish, [servers[start::4] for start in range(4)]))
    # Releases publish in the background: wait until every one has.
    deadline = time.time() + 300
    while time.time() < deadline:
        connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        connection.request("GET", "/servers?isDeployed=1&pageSize=1", headers=headers)
        total = json.loads(connection.getresponse().read())["pagination"]["totalCount"]
        if total == count:
            return
        time.sleep(0.5)
    raise RuntimeError(f"only {total} of {count} releases published")


def lua(key):
    """A wrk script that sends the query mix in turn."""
    paths = ", ".join(f'"/servers?q={urllib.parse.quote(query)}"' for query, _ in QUERIES)
    return f"""local paths = {{{paths}}}
local counter = 0
request = function()
    counter = counter + 1
    return wrk.format("GET", paths[(counter % #paths) + 1], {{["Authorization"] = "Bearer {key}"}})
end
"""


def words(query):
    return "".join(c if c.isalnum() else " " for c in query.lower()).split()


def word_expression(terms):
    return " OR ".join(f'"{term}"*' for term in terms)


def trigram_expression(terms):
    pieces = []
    for term in terms:
        for start in range(len(term) - 2):
            if term[start:start + 3] not in pieces:
                pieces.append(term[start:start + 3])
    return " OR ".join(f'"{piece}"' for piece in pieces)


def edits(a, b):
    """The optimal-string-alignment distance, as the gateway computes it."""
    table = [list(range(len(b) + 1))] + [[i] + [0] * len(b) for i in range(1, len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1,
                              table[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
    return table[len(a)][len(b)]


def nearest(word, candidates):
    allowed = 1 if len(word) <= 4 else 2
    distances = [(candidate, edits(word, candidate)) for candidate in candidates]
    best = min([d for _, d in distances if d <= allowed], default=None)
    return [candidate for candidate, d in distances if d == best][:3]


# The statements a search runs, as the gateway writes them (Sources/Store/ServerSearch.swift).
RANKED = "SELECT rowid FROM server_words WHERE server_words MATCH ? " \
         "ORDER BY bm25(server_words, 10.0, 8.0, 2.0, 1.0), server_words.rowid LIMIT ?"
VISIBLE = "SELECT s.seq, s.id, s.repository_url FROM servers s JOIN namespaces n ON n.name = s.namespace " \
          "WHERE s.seq IN ({marks}) AND (s.unlisted = 0 OR n.owner_key_id = ?)"
ANY = "SELECT 1 FROM server_words WHERE server_words MATCH ? LIMIT 1"
SIMILAR = "SELECT t.term FROM server_term_trigrams JOIN server_terms t ON t.seq = server_term_trigrams.rowid " \
          "WHERE server_term_trigrams MATCH ? ORDER BY bm25(server_term_trigrams), t.seq LIMIT 50"
PAGE = "SELECT * FROM servers s JOIN namespaces n ON n.name = s.namespace WHERE s.seq IN ({marks})"


def sqlite_reference(path, seconds, top_k=100):
    """The statements of each search in the mix, run on one thread with statements prepared once; prints
    searches/s and the p99 of one search."""
    database = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    owner = database.execute("SELECT owner_key_id FROM namespaces WHERE name = 'bench'").fetchone()[0]

    def ranked(expression):
        seqs = [row[0] for row in database.execute(RANKED, (expression, top_k))]
        if seqs:
            database.execute(VISIBLE.format(marks=",".join("?" * len(seqs))), (*seqs, owner)).fetchall()
        return seqs

    def search(query):
        terms = words(query)
        found = ranked(word_expression(terms))
        near = []
        for term in terms:
            if len(term) >= 3 and not database.execute(ANY, (word_expression([term]),)).fetchone():
                near += nearest(term, [row[0] for row in database.execute(SIMILAR, (trigram_expression([term]),))])
        if near:
            found += ranked(" OR ".join(f'"{term}"' for term in near))
        page = found[:10]
        if page:
            database.execute(PAGE.format(marks=",".join("?" * len(page))), page).fetchall()

    latencies, started, index = [], time.perf_counter(), 0
    while time.perf_counter() - started < seconds:
        before = time.perf_counter()
        search(QUERIES[index % len(QUERIES)][0])
        latencies.append(time.perf_counter() - before)
        index += 1
    elapsed = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99)] * 1000
    print(f"{len(latencies) / elapsed:.0f} {p99:.3f}")


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "populate":
        populate(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif command == "lua":
        print(lua(sys.argv[2]))
    elif command == "sqlite":
        sqlite_reference(sys.argv[2], float(sys.argv[3]))
    else:
        sys.exit(__doc__)
