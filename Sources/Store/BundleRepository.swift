/// The `server_bundles` table: the MCPB bundle of each server's latest stdio release.
public struct BundleRepository: Sendable {
    public init() {}

    /// Stores the bundle of `releaseID` as the server's, replacing an earlier one. The bytes are bound straight
    /// from the slice (of the upload they came in), not copied out first.
    public func put(
        _ bytes: ArraySlice<UInt8>, namespace: String, server: String, releaseID: String, createdAt: String,
        in database: Database
    ) throws(StoreError) {
        try database.execute(
            """
            INSERT INTO server_bundles (namespace, server, release_id, bytes, created_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (namespace, server) DO UPDATE SET release_id = excluded.release_id, bytes = excluded.bytes,
                created_at = excluded.created_at
            """,
            [.text(namespace), .text(server), .text(releaseID), .bytes(bytes), .text(createdAt)])
    }

    public func bundle(namespace: String, server: String, in database: Database) throws(StoreError) -> [UInt8]? {
        try database.query(
            "SELECT bytes FROM server_bundles WHERE namespace = ? AND server = ?", [.text(namespace), .text(server)]
        ).first?[0].blob
    }
}
