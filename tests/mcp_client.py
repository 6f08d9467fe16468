"""A real MCP client, the official Python SDK, driving `makepay-migrate mcp` over stdio.

Run by tests/mcp_python.rs: python3 tests/mcp_client.py BINARY FIXTURES_DIR
Each check compares the server's structured results with the CLI's own JSON for the same
fixture, so a server that drifts from the CLI fails here. Exits non-zero on the first failure.
"""

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client

BINARY, FIXTURES = sys.argv[1], Path(sys.argv[2]).resolve()
READ_ONLY_TOOLS = {"apply_preview", "brief", "check", "explain", "findings_in_file", "plan", "scan"}


def cli_json(cwd, *args):
    """`makepay-migrate ARGS...` in CWD, stdout parsed (exit 1 only means findings)."""
    out = subprocess.run([BINARY, *args], cwd=cwd, capture_output=True, text=True)
    assert out.returncode in (0, 1), f"{args}: exit {out.returncode}: {out.stderr}"
    return json.loads(out.stdout)


def server(cwd, *extra):
    return stdio_client(StdioServerParameters(command=BINARY, args=["mcp", *extra], cwd=str(cwd)))


async def structured(session, tool, arguments):
    result = await session.call_tool(tool, arguments)
    assert not result.is_error, f"{tool}: {result.content}"
    return result.structured_content


async def refused(session, tool, arguments, needle):
    """The call fails with an MCP error whose message contains NEEDLE."""
    try:
        result = await session.call_tool(tool, arguments)
    except Exception as e:  # the SDK raises its MCP error type for a JSON-RPC error
        assert needle in str(e), f"{tool}: {e}"
        return
    raise AssertionError(f"{tool} {arguments} was not refused: {result}")


async def read_only_session(repo):
    async with server(repo) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            assert init.server_info.name == "makepay-migrate", init
            print("ok: initialize")

            tools = (await session.list_tools()).tools
            names = {t.name for t in tools}
            assert names == READ_ONLY_TOOLS, names
            for t in tools:
                assert t.input_schema["type"] == "object", t.name
                assert "path" in t.input_schema.get("properties", {}) or t.name == "explain", t.name
            scan_schema = next(t for t in tools if t.name == "scan").input_schema
            assert {"provider", "min_confidence", "include", "exclude"} <= set(scan_schema["properties"])
            print("ok: tools/list with schemas, no apply_write")

            progress = []

            async def on_progress(value, total, message):
                progress.append((value, total, message))

            result = await session.call_tool("scan", {"path": "."}, progress_callback=on_progress)
            doc = result.structured_content
            cli = cli_json(repo, "scan", "--format", "json", ".")
            assert cli["findings"], "the fixture has findings"
            assert doc["findings"] == cli["findings"]
            assert doc["summary"] == cli["summary"]
            assert progress and progress[-1][0] == 1.0, progress
            print(f"ok: scan = CLI ({len(cli['findings'])} findings), {len(progress)} progress notifications")

            plan = await structured(session, "plan", {"path": "."})
            cli_plan = cli_json(repo, "plan", "--format", "json", ".")
            for key in cli_plan:
                if key != "root":  # the CLI echoes its argument, the server the resolved path
                    assert plan[key] == cli_plan[key], key
            print("ok: plan = CLI")

            check = await structured(session, "check", {"path": "."})
            cli_check = cli_json(repo, "check", "--format", "json", ".")
            for key in ("passed", "blocking", "allowed", "suppressed", "baselined", "summary"):
                assert check[key] == cli_check[key], key
            assert check["passed"] is False and check["blocking"]
            print(f"ok: check = CLI (passed={check['passed']}, {len(check['blocking'])} blocking)")

            one = cli["findings"][0]
            in_file = await structured(session, "findings_in_file", {"path": ".", "file": one["path"]})
            assert in_file["findings"] == [f for f in cli["findings"] if f["path"] == one["path"]]
            print("ok: findings_in_file")

            explained = await structured(session, "explain", {"topic": one["rule"]})
            assert explained["rules"][0]["id"] == one["rule"]
            assert explained["rules"][0]["replacement"] == one["replacement"]
            print("ok: explain")

            preview = await structured(session, "apply_preview", {"path": "."})
            assert preview["written"] is False and preview["changes"], preview
            assert all(c["diff"].startswith("---") or "+++" in c["diff"] for c in preview["changes"])
            print(f"ok: apply_preview ({len(preview['changes'])} changes, nothing written)")

            await refused(session, "scan", {"path": "/"}, "outside the allowed roots")
            await refused(session, "scan", {"path": ".."}, "outside the allowed roots")
            print("ok: paths outside the root refused")

            listed = (await session.list_resources()).resources
            uris = {str(r.uri) for r in listed}
            assert "makepay-migrate://makepay/webhook" in uris, uris
            webhook = await session.read_resource("makepay-migrate://makepay/webhook")
            facts = json.loads(webhook.contents[0].text)
            assert facts["webhook"]["signature_header"] == "x-makepay-signature"
            print(f"ok: resources ({len(listed)}), webhook reference read")


async def client_roots(parent, repo):
    """A client that declares roots confines the server to them, not to its start directory."""

    async def list_roots(context):
        return types.ListRootsResult(roots=[types.Root(uri=repo.as_uri())])

    async with server(parent) as (read, write):
        async with ClientSession(read, write, list_roots_callback=list_roots) as session:
            await session.initialize()
            doc = await structured(session, "scan", {"path": "."})
            assert doc["root"] == str(repo), doc["root"]
            sibling = next(p for p in parent.iterdir() if p.is_dir() and p != repo)
            await refused(session, "scan", {"path": str(sibling)}, "outside the allowed roots")
            print("ok: the client's roots replace the start directory")


async def writer_session(repo):
    async with server(repo, "--allow-write") as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            names = {t.name for t in (await session.list_tools()).tools}
            assert names == READ_ONLY_TOOLS | {"apply_write"}, names
            print("ok: apply_write listed with --allow-write")


async def main():
    repo = FIXTURES / "oxapay-express"
    await read_only_session(repo)
    await client_roots(FIXTURES, repo)
    await writer_session(repo)


asyncio.run(main())
