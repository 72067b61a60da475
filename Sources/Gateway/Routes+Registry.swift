import HTTP
import Policy
import Registry

/// The registry's routes, one line each; their errors take the registry's `{"error": message}` shape.
extension RouteTable {
    static func addRegistryRoutes(to group: inout RouteGroup, _ service: RegistryService) {
        group.registryErrors = true
        group.get("/namespaces", .registry(.namespaces, .read, service, service.listNamespaces))
        group.post("/namespaces", .registry(.namespaces, .write, service, service.createNamespace))
        group.put("/namespaces/{name}", .registry(.namespaces, .write, service, service.putNamespace))
        group.delete("/namespaces/{name}", .registry(.namespaces, .write, service, service.deleteNamespace))
        group.put(
            "/namespaces/{namespace}/servers/{server}",
            .registry(.servers, .write, service, service.putNamespaceServer))
        group.get("/servers", .registry(.servers, .read, service, service.listServers))
        // `ns/name` as two segments, or as one with `%2F` (or a namespace-only server's single name).
        for pattern in ["/servers/{namespace}/{server}", "/servers/{qualifiedName}"] {
            group.get(pattern + "/download", .registry(.servers, .read, service, service.downloadBundle))
            group.put(pattern + "/releases", .registry(.servers, .write, service, service.putRelease))
            group.get(pattern + "/releases", .registry(.servers, .read, service, service.listReleases))
            group.get(pattern + "/releases/{id}", .registry(.servers, .read, service, service.getRelease))
            group.get(pattern + "/releases/{id}/stream", .registry(.servers, .read, service, service.streamRelease))
            group.post(pattern + "/releases/{id}/resume", .registry(.servers, .write, service, service.resumeRelease))
            group.get(pattern, .registry(.servers, .read, service, service.getServer))
            group.put(pattern, .registry(.servers, .write, service, service.putServer))
            group.patch(pattern, .registry(.servers, .write, service, service.patchServer))
            group.delete(pattern, .registry(.servers, .write, service, service.deleteServer))
        }
    }
}

extension Endpoint {
    /// A registry handler: any valid credential reaches it; the handler asks the policy about the namespace the
    /// path names (a qualified name's first part) before it writes.
    static func registry(
        _ resource: Resource, _ operation: Operation, _ service: RegistryService,
        _ handler: @escaping @Sendable (RegistryRequest) throws(APIError) -> Void
    ) -> Endpoint {
        .authenticated { exchange, principal throws(APIError) in
            try handler(
                RegistryRequest(
                    request: exchange.request, parameters: exchange.parameters, principal: principal,
                    resource: resource, operation: operation, service: service, writer: exchange.writer,
                    client: exchange.client))
        }
    }
}
