import JSON

extension HTTPResponse {
    /// An error answer in the API's `{"error": code, "message": text}` shape, rendered by `APIError`.
    public static func error(_ status: Int, _ code: String, _ message: String) -> HTTPResponse {
        APIError(status, code, message).response
    }

    /// A JSON response.
    public static func json(_ status: Int, _ value: JSONValue, headers: HTTPHeaders = [:]) -> HTTPResponse {
        var fields = headers
        if fields.spans.isEmpty { fields = .json } else { fields.set("Content-Type", "application/json") }
        return HTTPResponse(status: status, headers: fields, body: JSONWriter.bytes(value))
    }

    /// The error code the API uses for a status the HTTP layer produces on its own.
    static func code(for status: Int) -> String {
        switch status {
        case 408: "request_timeout"
        case 413: "payload_too_large"
        case 431: "header_too_large"
        case 501: "not_implemented"
        case 503: "service_unavailable"
        case 505: "http_version_not_supported"
        default: "bad_request"
        }
    }
}
