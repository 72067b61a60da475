import Registry

extension Configuration {
    /// The `registry` section: limits of the registry API.
    public struct RegistrySection: Sendable {
        /// Candidates each search index contributes to a `GET /servers?q=` ranking without `topK`.
        public var defaultTopK = 100
        /// The largest `topK` a request may ask for.
        public var maxTopK = 500
    }

    mutating func applyRegistry(_ object: ConfigObject) throws(ConfigurationError) {
        guard let section = try object.section("registry") else { return }
        try section.rejectUnknown(["defaultTopK", "maxTopK"])
        try section.read("maxTopK", into: &registry.maxTopK, range: 10...500)
        try section.read("defaultTopK", into: &registry.defaultTopK, range: 10...registry.maxTopK)
    }

    var registrySettings: RegistrySettings {
        RegistrySettings(defaultTopK: registry.defaultTopK, maxTopK: registry.maxTopK, jsonLimits: jsonLimits)
    }
}
