import HTTP
import JSON
import Platform
import Reactor

extension Configuration {
    /// Reads the file (if any), then applies environment overrides, then checks the result.
    public static func load(path: String?, environment: [String: String]) throws(ConfigurationError) -> Configuration {
        var configuration = Configuration()
        if let path {
            guard let data = FileSystem.contents(of: path) else {
                throw ConfigurationError(field: path, problem: "cannot read the file")
            }
            let document: JSONValue
            do {
                document = try JSONParser.parse(data)
            } catch {
                throw ConfigurationError(field: path, problem: "invalid JSON: \(error)")
            }
            try configuration.apply(ConfigObject(document, path: ""))
        }
        try configuration.applyEnvironment(environment)
        try configuration.validate()
        return configuration
    }

    mutating func apply(_ object: ConfigObject) throws(ConfigurationError) {
        try object.rejectUnknown([
            "listen", "loops", "database", "shutdownGraceSeconds", "logRequests", "http", "upstream", "egress",
            "metrics", "connect", "mcp", "policy", "json", "mock", "triggers", "registry", "publicBaseUrl",
            "secretKeyFile",
        ])
        try applyRegistry(object)
        try object.read("publicBaseUrl", into: &publicBaseUrl)
        try object.read("secretKeyFile", into: &secretKeyFile)
        try object.read("listen", into: &listen)
        try object.read("loops", into: &loops, range: 0...1024)
        try object.read("database", into: &database)
        try object.read("shutdownGraceSeconds", into: &shutdownGraceSeconds, range: 0...3600)
        try object.read("logRequests", into: &logRequests)
        if let section = try object.section("http") {
            try section.rejectUnknown([
                "maxHeaderBytes", "maxLineBytes", "maxBodyBytes", "headerTimeoutSeconds", "idleTimeoutSeconds",
                "bodyTimeoutSeconds", "maxConnections", "maxPendingOutputBytes", "maxBufferedBodyBytesPerLoop",
                "lingerSeconds",
            ])
            try section.read("maxHeaderBytes", into: &http.maxHeaderBytes, range: 1_024...1_048_576)
            try section.read("maxLineBytes", into: &http.maxLineBytes, range: 256...1_048_576)
            try section.read("maxBodyBytes", into: &http.maxBodyBytes, range: 0...1_073_741_824)
            try section.read("headerTimeoutSeconds", into: &http.headerTimeoutSeconds, range: 0.01...3600)
            try section.read("idleTimeoutSeconds", into: &http.idleTimeoutSeconds, range: 0.01...86_400)
            try section.read("bodyTimeoutSeconds", into: &http.bodyTimeoutSeconds, range: 0.01...86_400)
            try section.read("maxConnections", into: &http.maxConnections, range: 1...1_000_000)
            try section.read("maxPendingOutputBytes", into: &http.maxPendingOutputBytes, range: 1_024...1_073_741_824)
            try section.read(
                "maxBufferedBodyBytesPerLoop", into: &http.maxBufferedBodyBytesPerLoop, range: 0...68_719_476_736)
            try section.read("lingerSeconds", into: &http.lingerSeconds, range: 0...60)
        }
        if let section = try object.section("upstream") {
            try section.rejectUnknown([
                "connectTimeoutSeconds", "tlsHandshakeTimeoutSeconds", "responseTimeoutSeconds", "idleTimeoutSeconds",
                "maxIdlePerHost", "caFile", "callTimeoutSeconds",
            ])
            try section.read("connectTimeoutSeconds", into: &upstream.connectTimeoutSeconds, range: 0.01...600)
            try section.read(
                "tlsHandshakeTimeoutSeconds", into: &upstream.tlsHandshakeTimeoutSeconds, range: 0.01...600)
            try section.read("responseTimeoutSeconds", into: &upstream.responseTimeoutSeconds, range: 0.01...86_400)
            try section.read("callTimeoutSeconds", into: &upstream.callTimeoutSeconds, range: 0.01...86_400)
            try section.read("idleTimeoutSeconds", into: &upstream.idleTimeoutSeconds, range: 0.01...86_400)
            try section.read("maxIdlePerHost", into: &upstream.maxIdlePerHost, range: 0...100_000)
            try section.readOptional("caFile", into: &upstream.caFile)
        }
        if let section = try object.section("egress") {
            try section.rejectUnknown(["allow"])
            var cidrs: [String] = []
            try section.read("allow", into: &cidrs)
            egress.allow = try Self.cidrs(cidrs, field: section.name("allow"))
        }
        if let section = try object.section("metrics") {
            try section.rejectUnknown(["listen", "upstreamLabels"])
            try section.read("listen", into: &metrics.listen)
            try section.read("upstreamLabels", into: &metrics.upstreamLabels)
        }
        if let section = try object.section("connect") {
            try section.rejectUnknown(["listen"])
            try section.read("listen", into: &connect.listen)
        }
        if let section = try object.section("mcp") {
            try section.rejectUnknown(["allowedOrigins", "maxUpstreamMessageBytes", "toolsListTimeoutSeconds"])
            try section.read("allowedOrigins", into: &mcp.allowedOrigins)
            try section.read(
                "maxUpstreamMessageBytes", into: &mcp.maxUpstreamMessageBytes, range: 1_024...1_073_741_824)
            try section.read("toolsListTimeoutSeconds", into: &mcp.toolsListTimeoutSeconds, range: 0.01...600)
        }
        if let section = try object.section("mock") {
            try section.rejectUnknown(["engine", "eventIntervalSeconds", "llm"])
            try section.read("engine", into: &mock.engine)
            try section.read("eventIntervalSeconds", into: &mock.eventIntervalSeconds, range: 0...86_400)
            guard ["schema", "llm"].contains(mock.engine) else {
                throw ConfigurationError(field: section.name("engine"), problem: "expected \"schema\" or \"llm\"")
            }
            if let llm = try section.section("llm") {
                try llm.rejectUnknown(["baseUrl", "model", "apiKey", "timeoutSeconds", "historyCalls"])
                try llm.read("baseUrl", into: &mock.llm.baseUrl)
                try llm.read("model", into: &mock.llm.model)
                try llm.read("apiKey", into: &mock.llm.apiKey)
                try llm.read("timeoutSeconds", into: &mock.llm.timeoutSeconds, range: 0.01...3600)
                try llm.read("historyCalls", into: &mock.llm.historyCalls, range: 0...1000)
            }
        }
        if let section = try object.section("policy") {
            try section.rejectUnknown(["maxPatternLength", "maxPatternProgramSize", "credentialRefreshSeconds"])
            try section.read("maxPatternLength", into: &policy.maxPatternLength, range: 1...500)
            try section.read("maxPatternProgramSize", into: &policy.maxPatternProgramSize, range: 10...100_000)
            try section.read("credentialRefreshSeconds", into: &policy.credentialRefreshSeconds, range: 0.05...60)
        }
        if let section = try object.section("triggers") {
            try section.rejectUnknown([
                "subscriptionTtlSeconds", "retryUnitSeconds", "allowHttpHosts", "secretOverlapSeconds",
                "deliveryTimeoutSeconds", "maxEventBytes", "signatureToleranceSeconds", "pollIntervalSeconds",
                "renewRetrySeconds", "streamRetrySeconds", "streamRetryMaxSeconds", "streamIdleSeconds",
                "deliveryBatchEvents", "deliveryBatchBytes",
            ])
            try section.read("subscriptionTtlSeconds", into: &triggers.subscriptionTtlSeconds, range: 1...31_536_000)
            try section.read("retryUnitSeconds", into: &triggers.retryUnitSeconds, range: 0.001...3600)
            try section.read("allowHttpHosts", into: &triggers.allowHttpHosts)
            triggers.allowHttpHosts = triggers.allowHttpHosts.map { $0.lowercased() }
            try section.read("secretOverlapSeconds", into: &triggers.secretOverlapSeconds, range: 0...604_800)
            try section.read("deliveryTimeoutSeconds", into: &triggers.deliveryTimeoutSeconds, range: 0.01...600)
            try section.read("maxEventBytes", into: &triggers.maxEventBytes, range: 1_024...16_777_216)
            try section.read(
                "signatureToleranceSeconds", into: &triggers.signatureToleranceSeconds, range: 1...3600)
            try section.read("pollIntervalSeconds", into: &triggers.pollIntervalSeconds, range: 0.01...86_400)
            try section.read("renewRetrySeconds", into: &triggers.renewRetrySeconds, range: 0.01...86_400)
            try section.read("streamRetrySeconds", into: &triggers.streamRetrySeconds, range: 0.01...3_600)
            try section.read("streamRetryMaxSeconds", into: &triggers.streamRetryMaxSeconds, range: 0.01...86_400)
            try section.read("streamIdleSeconds", into: &triggers.streamIdleSeconds, range: 1...86_400)
            try section.read("deliveryBatchEvents", into: &triggers.deliveryBatchEvents, range: 1...10_000)
            try section.read("deliveryBatchBytes", into: &triggers.deliveryBatchBytes, range: 1...1_073_741_824)
        }
        try applyJSON(object)
    }

    mutating func applyJSON(_ object: ConfigObject) throws(ConfigurationError) {
        guard let section = try object.section("json") else { return }
        try section.rejectUnknown(["maxDepth", "maxObjectMembers", "maxNodes"])
        // Parsing, writing and freeing a tree recurse once per level: the depth stays far below a thread's stack.
        try section.read("maxDepth", into: &json.maxDepth, range: 1...1_000)
        try section.read("maxObjectMembers", into: &json.maxObjectMembers, range: 1...10_000_000)
        try section.read("maxNodes", into: &json.maxNodes, range: 1...100_000_000)
    }

    /// An extra address is empty (off) or a numeric IP and port that no other listener uses (port 0 excepted:
    /// the kernel picks a free one for each).
    private static func validateSecondListener(_ value: String, field: String, others: [String: String])
        throws(ConfigurationError)
    {
        guard !value.isEmpty else { return }
        guard let address = SocketAddress(hostPort: value) else {
            throw ConfigurationError(
                field: field, problem: "expected empty or a numeric IP and port such as 127.0.0.1:9090")
        }
        for (name, other) in others.sorted(by: { $0.key < $1.key })
        where address.port != 0 && SocketAddress(hostPort: other) == address {
            throw ConfigurationError(field: field, problem: "must differ from \(name)")
        }
    }

    static func cidrs(_ texts: [String], field: String) throws(ConfigurationError) -> [EgressPolicy.CIDR] {
        var cidrs: [EgressPolicy.CIDR] = []
        for text in texts {
            guard let cidr = EgressPolicy.CIDR(text.trimmingWhitespace()) else {
                throw ConfigurationError(field: field, problem: "\(text) is not a CIDR such as 127.0.0.0/8 or ::1/128")
            }
            cidrs.append(cidr)
        }
        return cidrs
    }

    static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else {
                return nil
            }
            bytes.append(byte)
        }
        return bytes
    }

    mutating func applyEnvironment(_ environment: [String: String]) throws(ConfigurationError) {
        if let value = environment["SWITCHBOARD_LISTEN"] { listen = value }
        if let value = environment["SWITCHBOARD_DATABASE"] { database = value }
        if let value = environment["SWITCHBOARD_LOOPS"] {
            guard let parsed = Int(value), (0...1024).contains(parsed) else {
                throw ConfigurationError(field: "SWITCHBOARD_LOOPS", problem: "expected an integer from 0 to 1024")
            }
            loops = parsed
        }
        if let value = environment["SWITCHBOARD_ADMIN_KEY"] { adminKey = value }
        if let value = environment["SWITCHBOARD_EGRESS_ALLOW"] {
            egress.allow = try Self.cidrs(
                value.split(separator: ",").map(String.init), field: "SWITCHBOARD_EGRESS_ALLOW")
        }
        if let value = environment["SWITCHBOARD_PUBLIC_BASE_URL"] { publicBaseUrl = value }
        if let value = environment["SWITCHBOARD_MOCK_LLM_API_KEY"] { mock.llm.apiKey = value }
        if let value = environment["SWITCHBOARD_SECRET_KEY"] {
            guard let key = Self.hexBytes(value), key.count == 32 else {
                throw ConfigurationError(
                    field: "SWITCHBOARD_SECRET_KEY", problem: "expected 64 hexadecimal digits (32 bytes)")
            }
            secretKey = key
        }
    }

    func validate() throws(ConfigurationError) {
        guard SocketAddress(hostPort: listen) != nil else {
            throw ConfigurationError(field: "listen", problem: "expected a numeric IP and port such as 127.0.0.1:8080")
        }
        try Self.validateSecondListener(metrics.listen, field: "metrics.listen", others: ["listen": listen])
        try Self.validateSecondListener(
            connect.listen, field: "connect.listen", others: ["listen": listen, "metrics.listen": metrics.listen])
        if mock.engine == "llm" && UpstreamURL(mock.llm.baseUrl) == nil {
            throw ConfigurationError(
                field: "mock.llm.baseUrl", problem: "expected an absolute http or https URL when mock.engine is \"llm\""
            )
        }
        guard !database.isEmpty else { throw ConfigurationError(field: "database", problem: "must not be empty") }
        if !publicBaseUrl.isEmpty, UpstreamURL(publicBaseUrl) == nil {
            throw ConfigurationError(field: "publicBaseUrl", problem: "expected an absolute http or https URL")
        }
        if let adminKey, adminKey.utf8.count < 16 || !adminKey.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
            throw ConfigurationError(
                field: "SWITCHBOARD_ADMIN_KEY", problem: "must be at least 16 visible ASCII characters")
        }
    }
}

/// A JSON object of the config file, read field by field with the field's full path in every error.
struct ConfigObject {
    let members: [JSONMember]
    let path: String

    init(_ value: JSONValue, path: String) throws(ConfigurationError) {
        guard let members = value.objectMembers else {
            throw ConfigurationError(field: path.isEmpty ? "(top level)" : path, problem: "expected an object")
        }
        self.members = members
        self.path = path
    }

    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func rejectUnknown(_ known: Set<String>) throws(ConfigurationError) {
        if let unknown = members.first(where: { !known.contains($0.key) }) {
            throw ConfigurationError(field: name(unknown.key), problem: "unknown field")
        }
    }

    func section(_ key: String) throws(ConfigurationError) -> ConfigObject? {
        guard let value = members.first(where: { $0.key == key })?.value else { return nil }
        return try ConfigObject(value, path: name(key))
    }

    func read(_ key: String, into target: inout String) throws(ConfigurationError) {
        guard let value = members.first(where: { $0.key == key })?.value else { return }
        guard let string = value.stringValue else {
            throw ConfigurationError(field: name(key), problem: "expected a string")
        }
        target = string
    }

    func readOptional(_ key: String, into target: inout String?) throws(ConfigurationError) {
        guard let value = members.first(where: { $0.key == key })?.value, value != .null else { return }
        guard let string = value.stringValue else {
            throw ConfigurationError(field: name(key), problem: "expected a string or null")
        }
        target = string
    }

    func read(_ key: String, into target: inout [String]) throws(ConfigurationError) {
        guard let value = members.first(where: { $0.key == key })?.value else { return }
        guard case .array(let elements) = value, elements.allSatisfy({ $0.stringValue != nil }) else {
            throw ConfigurationError(field: name(key), problem: "expected an array of strings")
        }
        target = elements.compactMap(\.stringValue)
    }

    func read(_ key: String, into target: inout Bool) throws(ConfigurationError) {
        guard let value = members.first(where: { $0.key == key })?.value else { return }
        guard let bool = value.boolValue else {
            throw ConfigurationError(field: name(key), problem: "expected true or false")
        }
        target = bool
    }

    func read(_ key: String, into target: inout Int, range: ClosedRange<Int>) throws(ConfigurationError) {
        guard let value = members.first(where: { $0.key == key })?.value else { return }
        guard let int = value.intValue, range.contains(int) else {
            throw ConfigurationError(
                field: name(key), problem: "expected an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        target = int
    }

    func read(_ key: String, into target: inout Double, range: ClosedRange<Double>) throws(ConfigurationError) {
        guard let value = members.first(where: { $0.key == key })?.value else { return }
        guard let double = value.doubleValue, range.contains(double) else {
            throw ConfigurationError(
                field: name(key), problem: "expected a number from \(range.lowerBound) to \(range.upperBound)")
        }
        target = double
    }
}
