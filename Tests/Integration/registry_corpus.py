"""A fixed corpus of 200 servers for the search tests, and relevance judgements: for each query the three servers
that must make its top 3. Each topic has three servers that name it and one distractor that only mentions the topic
in its description; the rest of the corpus is about unrelated things."""

TOPICS = {
    "weather": [
        ("weather-now", "Weather Now", "Current weather conditions and hourly forecasts for any city"),
        ("open-weather", "Open Weather", "Weather data from OpenWeatherMap: forecasts, radar and air quality"),
        ("weather-alerts", "Weather Alerts", "Severe weather warnings pushed as they are issued"),
        ("trip-planner", "Trip Planner", "Plans road trips with fuel stops; mentions weather along the route"),
    ],
    "github": [
        ("github", "GitHub", "Issues, pull requests and repositories on GitHub"),
        ("github-actions", "GitHub Actions", "Trigger and inspect GitHub Actions workflow runs"),
        ("gh-gists", "GitHub Gists", "Create, list and search gists on GitHub"),
        ("code-review", "Code Review", "Reviews diffs from any forge, github among them"),
    ],
    "postgres": [
        ("postgres", "Postgres", "Query a Postgres database with read-only SQL"),
        ("postgres-admin", "Postgres Admin", "Postgres roles, vacuum and index maintenance"),
        ("pg-migrate", "Postgres Migrations", "Apply and roll back Postgres schema migrations"),
        ("data-export", "Data Export", "Exports tables to CSV from several engines, postgres included"),
    ],
    "slack": [
        ("slack", "Slack", "Send messages and read channels in Slack"),
        ("slack-search", "Slack Search", "Search Slack message history across channels"),
        ("slack-status", "Slack Status", "Set your Slack status and do-not-disturb"),
        ("standup-bot", "Standup Bot", "Collects daily standups and posts a digest, for example to slack"),
    ],
    "kubernetes": [
        ("kubernetes", "Kubernetes", "Inspect pods, deployments and logs in a Kubernetes cluster"),
        ("kubernetes-helm", "Kubernetes Helm", "Install and upgrade Helm charts on Kubernetes"),
        ("k8s-events", "Kubernetes Events", "Watch Kubernetes cluster events as they happen"),
        ("cloud-costs", "Cloud Costs", "Cloud spend reports per service, kubernetes namespaces too"),
    ],
    "stripe": [
        ("stripe", "Stripe", "Stripe payments: charges, refunds and customers"),
        ("stripe-billing", "Stripe Billing", "Stripe subscriptions, invoices and payment links"),
        ("stripe-radar", "Stripe Radar", "Review Stripe payment fraud signals"),
        ("bookkeeper", "Bookkeeper", "Reconciles bank lines with invoices; imports stripe payouts"),
    ],
    "calendar": [
        ("calendar", "Calendar", "Read and create events in your calendar"),
        ("google-calendar", "Google Calendar", "Google Calendar events, free/busy and invitations"),
        ("calendar-sync", "Calendar Sync", "Keep two calendar accounts in sync"),
        ("meeting-notes", "Meeting Notes", "Transcribes meetings and files notes next to the calendar invite"),
    ],
    "gmail": [
        ("gmail", "Gmail", "Read, search and send Gmail messages"),
        ("gmail-labels", "Gmail Labels", "Organise Gmail with labels and filters"),
        ("gmail-drafts", "Gmail Drafts", "Write and schedule Gmail drafts"),
        ("inbox-zero", "Inbox Zero", "Triage coach for any mailbox, gmail or otherwise"),
    ],
    "translate": [
        ("translate", "Translate", "Translate text between 100 languages"),
        ("deepl-translate", "DeepL Translate", "Translate documents with DeepL"),
        ("translate-subtitles", "Translate Subtitles", "Translate subtitle files and keep their timing"),
        ("language-tutor", "Language Tutor", "Vocabulary drills; can translate a word on request"),
    ],
    "pdf": [
        ("pdf", "PDF", "Extract text and tables from PDF files"),
        ("pdf-forms", "PDF Forms", "Fill and flatten PDF forms"),
        ("pdf-merge", "PDF Merge", "Merge, split and reorder PDF pages"),
        ("receipt-scanner", "Receipt Scanner", "Reads receipts from photos or a pdf"),
    ],
    "spotify": [
        ("spotify", "Spotify", "Control Spotify playback and queues"),
        ("spotify-playlists", "Spotify Playlists", "Create and curate Spotify playlists"),
        ("spotify-stats", "Spotify Stats", "Your top Spotify artists and tracks"),
        ("party-dj", "Party DJ", "Picks songs by mood from a connected spotify account"),
    ],
    "jira": [
        ("jira", "Jira", "Create and transition Jira issues"),
        ("jira-sprints", "Jira Sprints", "Plan Jira sprints and read burndown"),
        ("jira-reports", "Jira Reports", "Jira velocity and cycle time reports"),
        ("release-notes", "Release Notes", "Drafts release notes from merged work, jira tickets included"),
    ],
    "notion": [
        ("notion", "Notion", "Search and edit Notion pages"),
        ("notion-databases", "Notion Databases", "Query and update Notion databases"),
        ("notion-export", "Notion Export", "Export Notion workspaces to Markdown"),
        ("wiki-sync", "Wiki Sync", "Mirrors a wiki into several tools, notion one of them"),
    ],
    "docker": [
        ("docker", "Docker", "List, start and stop Docker containers"),
        ("docker-compose", "Docker Compose", "Bring Docker Compose stacks up and down"),
        ("docker-registry", "Docker Registry", "Browse images and tags in a Docker registry"),
        ("ci-runner", "CI Runner", "Runs build pipelines on your machines, docker optional"),
    ],
    "youtube": [
        ("youtube", "YouTube", "Search YouTube videos and read transcripts"),
        ("youtube-analytics", "YouTube Analytics", "Channel views and watch time from YouTube"),
        ("youtube-upload", "YouTube Upload", "Upload videos to YouTube with metadata"),
        ("podcast-clipper", "Podcast Clipper", "Cuts highlight clips for social networks such as youtube"),
    ],
}

# Servers about nothing the queries ask for: 200 in all with the topics' 60 relevant and 15 distractors.
_FILLER_SUBJECTS = [
    "recipes", "astronomy", "chess", "gardening", "sudoku", "poetry", "birding", "knitting", "origami", "cycling",
    "aquarium", "beekeeping", "pottery", "mahjong", "volcanoes", "crosswords", "tides", "fossils", "perfume",
    "typography", "railways", "lighthouses", "mushrooms", "kites", "geysers", "sailing", "calligraphy", "mosaics",
    "canoeing",
]
_FILLER_KINDS = ["guide", "tracker", "helper", "index", "journal"]

FILLERS = [
    (f"{subject}-{kind}", f"{subject.title()} {kind.title()}", f"A {kind} for {subject} enthusiasts")
    for subject in _FILLER_SUBJECTS for kind in _FILLER_KINDS
][:200 - 4 * len(TOPICS)]

ALL = [server for servers in TOPICS.values() for server in servers] + FILLERS
assert len(ALL) == 200


def relevant(topic):
    return {name for name, _, _ in TOPICS[topic][:3]}


# (query, expected top 3 as a set of server names); the last ones carry typos.
JUDGEMENTS = [
    ("weather", relevant("weather")),
    ("github", relevant("github")),
    ("postgres", relevant("postgres")),
    ("slack", relevant("slack")),
    ("kubernetes", relevant("kubernetes")),
    ("stripe payments", relevant("stripe")),
    ("calendar", relevant("calendar")),
    ("gmail", relevant("gmail")),
    ("translate", relevant("translate")),
    ("pdf", relevant("pdf")),
    ("spotify", relevant("spotify")),
    ("jira", relevant("jira")),
    ("notion", relevant("notion")),
    ("docker containers", relevant("docker")),
    ("youtube", relevant("youtube")),
    ("githib", relevant("github")),
    ("postgress", relevant("postgres")),
    ("kubernets", relevant("kubernetes")),
    ("calender", relevant("calendar")),
    ("spotfy", relevant("spotify")),
]
