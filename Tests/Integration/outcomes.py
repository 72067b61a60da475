"""The comparable shape of MCP results, the same for every SDK generation (plain dicts in, plain JSON out), so a
result through the gateway can be compared with the same client's result direct to the upstream. Long texts become
their length and digest, to keep a failing comparison readable."""
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
