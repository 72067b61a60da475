/// A release row. `payload` is the release's JSON payload without its scan credentials; `logs` a JSON array of
/// the pipeline's `DeploymentLogEntry` objects; `scan` what a published release found (JSON: `serverInfo`,
/// `tools`, `resources`, `prompts`, `events`); `sealedScanCredentials` its scan credentials, sealed by the caller,
/// kept only until the release ends.
public struct StoredRelease: Equatable, Sendable {
    public var id: String
    public var namespace: String
    public var server: String
    public var type: String
    public var status: String
    public var upstreamURL: String?
    public var payload: String
    public var logs: String
    public var scan: String?
    public var sealedScanCredentials: [UInt8]?
    public var createdAt: String
    public var updatedAt: String

    public init(
        id: String, namespace: String, server: String, type: String, status: String, upstreamURL: String?,
        payload: String, logs: String = "[]", sealedScanCredentials: [UInt8]? = nil, at time: String
    ) {
        self.id = id
        self.namespace = namespace
        self.server = server
        self.type = type
        self.status = status
        self.upstreamURL = upstreamURL
        self.payload = payload
        self.logs = logs
        self.sealedScanCredentials = sealedScanCredentials
        createdAt = time
        updatedAt = time
    }
}

/// The `releases` table.
public struct ReleaseRepository: Sendable {
    public init() {}

    private static let columns =
        "id, namespace, server, type, status, upstream_url, payload, logs, created_at, updated_at, scan, "
        + "sealed_scan_credentials"

    public func insert(_ release: StoredRelease, in database: Database) throws(StoreError) {
        try database.execute(
            "INSERT INTO releases (\(Self.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                .text(release.id), .text(release.namespace), .text(release.server), .text(release.type),
                .text(release.status), release.upstreamURL.map(SQLValue.text) ?? .null, .text(release.payload),
                .text(release.logs), .text(release.createdAt), .text(release.updatedAt),
                release.scan.map(SQLValue.text) ?? .null, release.sealedScanCredentials.map(SQLValue.blob) ?? .null,
            ])
    }

    /// Writes the status and logs of a release that is still running.
    public func update(_ release: StoredRelease, in database: Database) throws(StoreError) {
        try database.execute(
            "UPDATE releases SET status = ?, logs = ?, updated_at = ? WHERE id = ?",
            [.text(release.status), .text(release.logs), .text(release.updatedAt), .text(release.id)])
    }

    /// Writes how a release ended (its status, logs and scan) and deletes its scan credentials.
    public func finish(_ release: StoredRelease, in database: Database) throws(StoreError) {
        try database.execute(
            """
            UPDATE releases SET status = ?, logs = ?, updated_at = ?, scan = ?, sealed_scan_credentials = NULL
            WHERE id = ?
            """,
            [
                .text(release.status), .text(release.logs), .text(release.updatedAt),
                release.scan.map(SQLValue.text) ?? .null, .text(release.id),
            ])
    }

    public func release(_ id: String, namespace: String, server: String, in database: Database) throws(StoreError)
        -> StoredRelease?
    {
        try database.query(
            "SELECT \(Self.columns) FROM releases WHERE id = ? AND namespace = ? AND server = ?",
            [.text(id), .text(namespace), .text(server)]
        ).first.map(Self.release)
    }

    /// The server's releases, newest first.
    public func releases(namespace: String, server: String, in database: Database) throws(StoreError)
        -> [StoredRelease]
    {
        try database.query(
            "SELECT \(Self.columns) FROM releases WHERE namespace = ? AND server = ? ORDER BY seq DESC",
            [.text(namespace), .text(server)]
        ).map(Self.release)
    }

    /// What the server's last published release found, `nil` when none did.
    public func latestScan(namespace: String, server: String, in database: Database) throws(StoreError) -> String? {
        try database.query(
            """
            SELECT scan FROM releases WHERE namespace = ? AND server = ? AND status = 'SUCCESS' AND scan IS NOT NULL
            ORDER BY seq DESC LIMIT 1
            """, [.text(namespace), .text(server)]
        ).first?[0].text
    }

    private static func release(_ row: [SQLValue]) -> StoredRelease {
        var release = StoredRelease(
            id: row[0].text ?? "", namespace: row[1].text ?? "", server: row[2].text ?? "", type: row[3].text ?? "",
            status: row[4].text ?? "", upstreamURL: row[5].text, payload: row[6].text ?? "{}",
            logs: row[7].text ?? "[]", sealedScanCredentials: row[11].blob, at: row[8].text ?? "")
        release.updatedAt = row[9].text ?? ""
        release.scan = row[10].text
        return release
    }
}
