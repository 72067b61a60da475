import Registry

extension Configuration {
    /// The `registry` section: limits of the registry API.
    public struct RegistrySection: Sendable {
        /// Candidates each search index contributes to a `GET /servers?q=` ranking without `topK`.
        public var defaultTopK = 100
        /// The largest `topK` a request may ask for.
        public var maxTopK = 500
        /// The most indexed words a query word the index does not know (a typo) is compared with.
        public var typoCandidates = 500
        /// The largest `payload` part of a release upload (`PUT /servers/{q}/releases`).
        public var maxPayloadBytes = 262_144
        /// The largest file part of a release upload; the whole body is bounded by `http.maxBodyBytes` too.
        public var maxBundleBytes = 1_048_576
        /// The most bytes a bundle's entries may declare they unpack to, all together (against zip bombs).
        public var maxBundleUnpackedBytes = 67_108_864
    }

    mutating func applyRegistry(_ object: ConfigObject) throws(ConfigurationError) {
        guard let section = try object.section("registry") else { return }
        try section.rejectUnknown([
            "defaultTopK", "maxTopK", "typoCandidates", "maxPayloadBytes", "maxBundleBytes", "maxBundleUnpackedBytes",
        ])
        try section.read("maxPayloadBytes", into: &registry.maxPayloadBytes, range: 1_024...16_777_216)
        try section.read("maxBundleBytes", into: &registry.maxBundleBytes, range: 1_024...1_073_741_824)
        try section.read(
            "maxBundleUnpackedBytes", into: &registry.maxBundleUnpackedBytes, range: 1_024...68_719_476_736)
        try section.read("maxTopK", into: &registry.maxTopK, range: 10...500)
        try section.read("defaultTopK", into: &registry.defaultTopK, range: 10...registry.maxTopK)
        try section.read("typoCandidates", into: &registry.typoCandidates, range: 10...100_000)
    }

    var registrySettings: RegistrySettings {
        RegistrySettings(
            defaultTopK: registry.defaultTopK, maxTopK: registry.maxTopK, typoCandidates: registry.typoCandidates,
            maxPayloadBytes: registry.maxPayloadBytes, maxBundleBytes: registry.maxBundleBytes,
            maxBundleUnpackedBytes: registry.maxBundleUnpackedBytes,
            maxUpstreamMessageBytes: mcp.maxUpstreamMessageBytes,
            publicBaseURL: effectivePublicBaseURL, jsonLimits: jsonLimits)
    }
}
