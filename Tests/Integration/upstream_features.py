"""The tools, resources and prompt every upstream fixture serves, registered on either SDK generation's server
(2.x MCPServer or 1.x FastMCP: their decorators agree). `label` names the server in the texts that tell upstreams
apart; `context_type` is that generation's Context, which the SDK injects by annotation."""
import asyncio

from upstream_serving import record_event


def register(server, context_type, label, log_path, extra_tools):
    @server.tool(description="Echo the text back.")
    def echo(text: str) -> str:
        return text

    @server.tool(description="Add two integers.")
    def add(a: int, b: int) -> int:
        return a + b

    @server.tool(description="Always fails.")
    def fail(message: str = "it failed") -> str:
        raise ValueError(message)

    @server.tool(description="Report progress, then finish.")
    async def progress(steps: int, ctx: context_type) -> str:
        for step in range(steps):
            await ctx.report_progress(step + 1, steps, f"step {step + 1}")
            await asyncio.sleep(0.05)
        return f"done after {steps} steps"

    @server.tool(description="Sleep, then answer.")
    async def sleep(seconds: float) -> str:
        try:
            await asyncio.sleep(seconds)
        except asyncio.CancelledError:
            record_event(log_path, "cancelled", "sleep")
            raise
        record_event(log_path, "finished", "sleep")
        return f"slept {seconds}"

    @server.tool(name="repo.search", description="Search a repository.")
    def repo_search(query: str, kind: str = "code") -> str:
        return f"{kind}:{query}"

    if extra_tools:

        @server.tool(description="A string of `size` bytes.")
        def large(size: int) -> str:
            return "x" * size

    @server.resource("text://greeting", name="greeting", description="A greeting.", mime_type="text/plain")
    def greeting() -> str:
        return f"Hello from {label}"

    @server.resource("text://notes/{topic}", name="note", description="A note on a topic.", mime_type="text/plain")
    def note(topic: str) -> str:
        return f"{label} note on {topic}"

    @server.prompt(description="Ask for a review of some code.")
    def review(code: str) -> str:
        return f"Please review this code ({label}): {code}"
