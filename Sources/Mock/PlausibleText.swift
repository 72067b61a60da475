import JSON
import Platform

/// Strings that look like what their property names and formats promise.
enum PlausibleText {
    static let firstNames = ["Ada", "Grace", "Linus", "Maya", "Omar", "Priya", "Sven", "Yuki", "Lena", "Tomás"]
    static let lastNames = ["Lovelace", "Hopper", "Okafor", "Nakamura", "Schmidt", "Patel", "García", "Kowalski"]
    static let nouns = [
        "roadmap", "invoice", "release", "budget", "onboarding", "migration", "launch", "review", "sprint", "report",
        "workshop", "campaign", "contract", "dashboard", "backlog",
    ]
    static let adjectives = ["quarterly", "urgent", "draft", "final", "shared", "internal", "weekly", "new"]

    static func string(_ random: inout SeededRandom, name: String, _ schema: JSONValue, themes: [String]) -> String {
        let text =
            formatted(&random, schema["format"]?.stringValue ?? "", name: name)
            ?? named(&random, name.lowercased(), themes: themes)
        return fitted(text, schema, &random)
    }

    /// Within `minLength` and `maxLength`.
    private static func fitted(_ text: String, _ schema: JSONValue, _ random: inout SeededRandom) -> String {
        var text = text
        if let minimum = schema["minLength"]?.intValue, text.count < minimum {
            text += random.characters(minimum - text.count)
        }
        if let maximum = schema["maxLength"]?.intValue, text.count > maximum { text = String(text.prefix(maximum)) }
        return text
    }

    private static func formatted(_ random: inout SeededRandom, _ format: String, name: String) -> String? {
        switch format {
        case "email", "idn-email": email(&random)
        case "date-time": PlausibleTime.dateTime(&random)
        case "date": String(PlausibleTime.dateTime(&random).prefix(10))
        case "time": String(PlausibleTime.dateTime(&random).dropFirst(11))
        case "uri", "url", "iri", "uri-reference", "iri-reference": url(&random, name: name)
        case "uuid": uuid(&random)
        case "ipv4": "10.\(random.int(0...255)).\(random.int(0...255)).\(random.int(1...254))"
        case "ipv6": "2001:db8::\(String(random.int(1...0xffff), radix: 16))"
        case "hostname", "idn-hostname": "\(random.pick(nouns)).example.com"
        case "duration": "PT\(random.int(1...90))M"
        default: nil
        }
    }

    private static func named(_ random: inout SeededRandom, _ name: String, themes: [String]) -> String {
        let key = name.replacingAll("_", with: "").replacingAll("-", with: "")
        if key.contains(substring: "email") { return email(&random) }
        if key.hasSuffix("url") || key.hasSuffix("uri") || key.hasSuffix("link") || key.hasSuffix("href")
            || key.contains(substring: "avatar") || key == "website"
        {
            return url(&random, name: name)
        }
        if key == "uuid" || key.hasSuffix("uuid") || key == "guid" { return uuid(&random) }
        if key == "id" || key.hasSuffix("id") { return identifier(&random, name: name) }
        if key.hasSuffix("at") && name.contains("_") || key.hasSuffix("date") || key.hasSuffix("time")
            || key.contains(substring: "timestamp")
            || ["created", "updated", "modified", "due", "start", "end"].contains(key)
        {
            return PlausibleTime.dateTime(&random)
        }
        if ["firstname", "givenname"].contains(key) { return random.pick(firstNames) }
        if ["lastname", "familyname", "surname"].contains(key) { return random.pick(lastNames) }
        if ["username", "login", "handle", "user", "owner", "author", "assignee", "creator"].contains(key) {
            return random.pick(firstNames).lowercased() + "-" + random.pick(lastNames).lowercased()
        }
        if key.hasSuffix("name")
            && (key.contains(substring: "display") || key.contains(substring: "full") || key == "realname")
            || ["sender", "reviewer", "organizer"].contains(key)
        {
            return random.pick(firstNames) + " " + random.pick(lastNames)
        }
        if ["name", "title", "subject", "summary", "label", "topic", "headline"].contains(key) || key.hasSuffix("name")
        {
            return title(&random, themes: themes)
        }
        if ["status", "state"].contains(key) { return random.pick(["open", "active", "pending", "closed"]) }
        if key == "currency" { return random.pick(["usd", "eur", "gbp"]) }
        if key.contains(substring: "color") || key.contains(substring: "colour") {
            return "#" + random.characters(6, from: "0123456789abcdef")
        }
        if key.contains(substring: "phone") { return "+1-555-01\(random.int(10...99))" }
        if key == "path" || key.hasSuffix("path") || key == "file" || key == "filename" {
            return "/workspace/\(random.pick(nouns))/\(random.pick(nouns))-\(random.int(1...99)).md"
        }
        if ["sha", "hash", "etag", "checksum", "commit"].contains(key) || key.hasSuffix("sha") {
            return random.characters(40, from: "0123456789abcdef")
        }
        if key == "ts" || key.hasSuffix("ts") {
            return "17\(random.characters(8, from: "0123456789")).00\(random.int(1000...9999))"
        }
        if key == "language" || key == "locale" || key == "lang" { return random.pick(["en", "de", "fr", "ja"]) }
        if key == "country" { return random.pick(["US", "DE", "JP", "BR"]) }
        if key.contains(substring: "timezone") || key == "tz" {
            return random.pick(["Europe/Berlin", "America/New_York", "UTC"])
        }
        if key.contains(substring: "mime") || key == "contenttype" {
            return random.pick(["text/plain", "application/pdf"])
        }
        if [
            "description", "body", "text", "content", "message", "comment", "note", "notes", "bio", "snippet",
            "details", "reason", "preview",
        ].contains(key) {
            return sentence(&random, themes: themes)
        }
        return words(&random, 2)
    }

    static func email(_ random: inout SeededRandom) -> String {
        "\(random.pick(firstNames).lowercased().filter(\.isASCII)).\(random.pick(lastNames).lowercased().filter(\.isASCII))@example.com"
    }

    static func url(_ random: inout SeededRandom, name: String) -> String {
        "https://example.com/\(random.pick(nouns))/\(random.characters(8))"
    }

    static func uuid(_ random: inout SeededRandom) -> String {
        let hex = "0123456789abcdef"
        return [8, 4, 4, 4, 12].map { random.characters($0, from: hex) }.joined(separator: "-")
    }

    /// An id with a prefix from its property name (`user_id` → `usr_…`-like `user_…`).
    static func identifier(_ random: inout SeededRandom, name: String) -> String {
        let stem = name.lowercased().filter(\.isLetter).replacingAll("id", with: "")
        return (stem.isEmpty ? "" : String(stem.prefix(4)) + "_") + random.characters(12)
    }

    static func words(_ random: inout SeededRandom, _ count: Int) -> String {
        (0..<count).map { index in index == 0 ? random.pick(adjectives) : random.pick(nouns) }.joined(separator: " ")
    }

    static func title(_ random: inout SeededRandom, themes: [String]) -> String {
        let subject = themes.isEmpty || random.chance(40) ? random.pick(nouns) : random.pick(themes)
        let text = "\(random.pick(adjectives)) \(subject) \(random.pick(nouns))"
        return text.prefix(1).uppercased() + text.dropFirst()
    }

    static func sentence(_ random: inout SeededRandom, themes: [String]) -> String {
        let subject = themes.isEmpty ? random.pick(nouns) : random.pick(themes)
        return "Notes on the \(random.pick(adjectives)) \(subject) \(random.pick(nouns)): next steps agreed."
    }
}
