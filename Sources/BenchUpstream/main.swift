// A minimal MCP server (Streamable HTTP, JSON responses) on Switchboard's own HTTP stack, for
// scripts/bench/mcp.sh: fast enough that the upstream is never what a proxy benchmark measures.
// Usage: switchboard-bench-upstream 127.0.0.1:9100 [loops]
import Dispatch
import Foundation
import HTTP
import JSON
import Reactor

final class BenchMCPHandler: HTTPHandler {
    static let initializeResult: JSONValue = .object([
        JSONMember("protocolVersion", "2025-11-25"),
        JSONMember("capabilities", .object([JSONMember("tools", .object([]))])),
        JSONMember("serverInfo", .object([JSONMember("name", "bench-upstream"), JSONMember("version", "1.0.0")])),
    ])
    static let tools: JSONValue = .object([
        JSONMember(
            "tools",
            .array([
                .object([
                    JSONMember("name", "echo"), JSONMember("description", "Echo the text back."),
                    JSONMember(
                        "inputSchema",
                        .object([
                            JSONMember("type", "object"), JSONMember("required", .array(["text"])),
                            JSONMember(
                                "properties", .object([JSONMember("text", .object([JSONMember("type", "string")]))])),
                        ])),
                ])
            ]))
    ])

    func handle(_ request: HTTPRequest, _ writer: HTTPResponseWriter) {
        guard request.method == "POST", let message = try? JSONParser.parse(request.body),
            let method = message["method"]?.stringValue
        else { return writer.respond(HTTPResponse(status: 400)) }
        guard let id = message["id"] else { return writer.respond(HTTPResponse(status: 202)) }
        let result: JSONValue
        switch method {
        case "initialize": result = Self.initializeResult
        case "tools/list": result = Self.tools
        case "tools/call":
            let text = message["params"]?["arguments"]?["text"] ?? ""
            result = .object([
                JSONMember("content", .array([.object([JSONMember("type", "text"), JSONMember("text", text)])]))
            ])
        default: result = .object([])
        }
        var headers = HTTPHeaders()
        if method == "initialize" { headers.set("Mcp-Session-Id", "bench-session") }
        writer.respond(
            .json(
                200, .object([JSONMember("jsonrpc", "2.0"), JSONMember("id", id), JSONMember("result", result)]),
                headers: headers))
    }
}

let arguments = CommandLine.arguments
guard arguments.count >= 2, let address = SocketAddress(hostPort: arguments[1]) else {
    FileHandle.standardError.write(Data("usage: switchboard-bench-upstream IP:PORT [loops]\n".utf8))
    exit(2)
}
let group = try EventLoopGroup(count: arguments.count > 2 ? Int(arguments[2]) ?? 1 : 1)
let server = HTTPServer(group: group, configuration: HTTPServerConfiguration()) { _ in BenchMCPHandler() }
group.start()
_ = try server.start(on: address)
dispatchMain()
