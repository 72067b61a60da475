"""MCP steps and the comparable shape of their results, the same for every SDK generation: `step_outcome` drives
the 2.x `Client` and the 1.x `ClientSession` alike (their method names agree), so a result through the gateway can be
compared with the same client's result direct to the upstream. Long texts become their length and digest, to keep a
failing comparison readable.

Steps: {"op": "list_tools"}, {"op": "call", "name": ..., "arguments": {...}}, {"op": "list_resources"},
{"op": "list_templates"}, {"op": "read", "uri": ...}, {"op": "list_prompts"},
{"op": "get_prompt", "name": ..., "arguments": {...}}."""
import hashlib


def short(text):
    if len(text) <= 200:
        return text
    return f"<{len(text)} bytes, sha256 {hashlib.sha256(text.encode()).hexdigest()[:16]}>"


def call_outcome(content, is_error, progress):
    """A tools/call result: the content blocks' texts, isError, and the (progress, total, message) updates seen."""
    return {"texts": [short(c.get("text", "")) for c in content], "isError": bool(is_error), "progress": progress}


def read_outcome(contents):
    """A resources/read result: each content's URI, MIME type and text."""
    return [{"uri": c["uri"], "mimeType": c.get("mimeType"), "text": short(c.get("text", ""))} for c in contents]


def prompt_outcome(messages):
    """A prompts/get result: each message's role and text."""
    return [{"role": m["role"], "text": m["content"].get("text")} for m in messages]


def wire(result):
    """A result as on the wire (camelCase names), whichever generation's models hold it."""
    return result.model_dump(mode="json", by_alias=True, exclude_none=True)


async def step_outcome(client, step):
    op = step["op"]
    if op == "list_tools":
        return sorted(tool["name"] for tool in wire(await client.list_tools())["tools"])
    if op == "call":
        updates = []

        async def on_progress(progress, total, message):
            updates.append([progress, total, message])

        result = wire(await client.call_tool(step["name"], step.get("arguments"), progress_callback=on_progress))
        return call_outcome(result["content"], result.get("isError"), updates)
    if op == "list_resources":
        return sorted(resource["uri"] for resource in wire(await client.list_resources())["resources"])
    if op == "list_templates":
        templates = wire(await client.list_resource_templates())["resourceTemplates"]
        return sorted(template["uriTemplate"] for template in templates)
    if op == "read":
        return read_outcome(wire(await client.read_resource(step["uri"]))["contents"])
    if op == "list_prompts":
        return sorted(prompt["name"] for prompt in wire(await client.list_prompts())["prompts"])
    if op == "get_prompt":
        return prompt_outcome(wire(await client.get_prompt(step["name"], step.get("arguments")))["messages"])
    raise ValueError(f"unknown step {op}")
