import JSON

/// An answer that is not a success: thrown by handlers, rendered once by `response` into the API's
/// `{"error": code, "message": text}` body (or the JSON-RPC body of a 424).
public struct APIError: Error, Sendable {
    /// The HTTP status.
    public let status: Int
    /// The body's `error` member.
    public let code: String
    public let message: String
    /// Headers the answer needs (`Allow`, `WWW-Authenticate`).
    public var headers: HTTPHeaders = [:]
    /// A body other than `{"error","message"}`: the JSON-RPC error a 424 carries.
    public var body: JSONValue?

    /// An error of any status; the named constructors below are the API's usual ones.
    public init(_ status: Int, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    /// 400 `bad_request`: a query or body the endpoint cannot read.
    public static func badRequest(_ message: String) -> APIError { APIError(400, "bad_request", message) }
    /// 400 `validation_error`: the message names the field first (`mcpUrl: …`).
    public static func validation(_ message: String) -> APIError { APIError(400, "validation_error", message) }
    /// 403 `forbidden`: a valid credential that the policy refuses.
    public static func forbidden(_ message: String) -> APIError { APIError(403, "forbidden", message) }
    /// 404 `not_found`.
    public static func notFound(_ message: String) -> APIError { APIError(404, "not_found", message) }
    /// 409 `conflict`: the request contradicts the resource as it is.
    public static func conflict(_ message: String) -> APIError { APIError(409, "conflict", message) }
    /// 422 `tool_error`: the tool ran and reported a failure.
    public static func toolError(_ message: String) -> APIError { APIError(422, "tool_error", message) }
    /// 500 `internal_error`.
    public static func `internal`(_ message: String) -> APIError { APIError(500, "internal_error", message) }
    /// 502 `upstream_error`: the upstream failed or could not be reached.
    public static func upstream(_ message: String) -> APIError { APIError(502, "upstream_error", message) }

    /// 401 for a missing, invalid or expired credential, without saying which.
    public static let unauthorized: APIError = {
        var error = APIError(
            401, "unauthorized", "a valid API key or service token is required: Authorization: Bearer <credential>")
        error.headers.set("WWW-Authenticate", "Bearer")
        return error
    }()

    /// 405 naming the methods the path has.
    public static func methodNotAllowed(_ method: String, allowed: [String]) -> APIError {
        var error = APIError(405, "method_not_allowed", "\(method) is not allowed here")
        error.headers.set("Allow", allowed.joined(separator: ", "))
        return error
    }

    /// 424 with a JSON-RPC error as the body: the call depends on something the caller must do first
    /// (authorize the connection upstream).
    public static func failedDependency(_ rpcError: JSONValue) -> APIError {
        var error = APIError(424, "failed_dependency", rpcError["error"]?["message"]?.stringValue ?? "")
        error.body = rpcError
        return error
    }

    /// The one rendering of an error answer.
    public var response: HTTPResponse {
        let value = body ?? .object([JSONMember("error", .string(code)), JSONMember("message", .string(message))])
        return HTTPResponse.json(status, value, headers: headers).advisingRetry
    }

    /// The registry's rendering: `{"error": message}`, the only member its endpoints document.
    public var registryResponse: HTTPResponse {
        let value = body ?? .object([JSONMember("error", .string(message))])
        return HTTPResponse.json(status, value, headers: headers).advisingRetry
    }
}

extension HTTPResponse {
    /// Whether asking again unchanged can get another answer: a success, a timeout, a rate limit, a server-side
    /// failure. Clients that retry by default (Stainless retries 409 and 5xx) are told not to retry the others.
    public var retryMayHelp: Bool { status < 400 || status == 408 || status == 429 || status >= 500 }

    /// This response with `x-should-retry: false` when a retry cannot change it.
    public var advisingRetry: HTTPResponse {
        var response = self
        if !retryMayHelp { response.headers.set("x-should-retry", "false") }
        return response
    }
}
