import HTTP
import Testing

@testable import MCP

@Suite struct CallContextTests {
    @Test func onlyParameterHeadersTravelInAnyCaseAndInOrder() {
        let headers: HTTPHeaders = [
            "Mcp-Param-Region": "eu", "Authorization": "Bearer secret", "MCP-PARAM-TENANT": "a",
            "mcp-param-": "empty name", "Mcp-Params": "no dash", "Mcp-Param": "too short", "X-Mcp-Param-A": "b",
            "mcp-param-region": "us",
        ]
        let forwarded = MCPCallContext.forwarded(from: headers)
        #expect(
            forwarded.fields.map(\.name) == ["Mcp-Param-Region", "MCP-PARAM-TENANT", "mcp-param-", "mcp-param-region"])
        #expect(forwarded.fields.map(\.value) == ["eu", "a", "empty name", "us"])
    }

    @Test func aNameThatOnlyFoldsToThePrefixWithoutBeingLettersIsNotOne() {
        // Control bytes OR 0x20 give '-' and digits; only letters fold.
        let headers: HTTPHeaders = ["mcp\rparam-x": "1", "MCP\u{0D}PARAM\u{0D}X": "2", "mCp-PaRaM-x": "3"]
        #expect(MCPCallContext.forwarded(from: headers).fields.map(\.value) == ["3"])
    }
}
