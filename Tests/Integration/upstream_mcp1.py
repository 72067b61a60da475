"""A handshake-only upstream MCP server for the integration tests, on the 1.x Python SDK (`mcp<2`, FastMCP,
stateful Streamable HTTP): it knows initialize and sessions, and no 2026-07-28. Run with the 1.x venv's python.

Prints its port once listening; options in upstream_serving.arguments, features in upstream_features."""
from mcp.server.fastmcp import Context, FastMCP

from upstream_features import register
from upstream_serving import arguments, serve


def main():
    args = arguments(__doc__)
    server = FastMCP("fixture-upstream-1", instructions="A handshake-only test upstream.", json_response=args.json)
    register(server, Context, "fixture-upstream-1", args.log, args.extra_tools)
    serve(server.streamable_http_app(), args)


main()
