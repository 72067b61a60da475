"""A real upstream MCP server for the integration tests, on the official Python SDK 2.x (MCPServer, Streamable HTTP):
it offers 2026-07-28 through server/discover and the handshake era through initialize.

Prints its port once listening; options in upstream_serving.arguments, features in upstream_features."""
from mcp.server.mcpserver import Context, MCPServer

from upstream_features import register
from upstream_serving import arguments, serve


def main():
    args = arguments(__doc__)
    server = MCPServer("fixture-upstream", version="1.2.3", instructions="A test upstream.")
    register(server, Context, "fixture-upstream", args.log, args.extra_tools)
    serve(server.streamable_http_app(json_response=args.json), args)


main()
