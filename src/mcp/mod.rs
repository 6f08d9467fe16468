//! `makepay-migrate mcp`: the tool as a Model Context Protocol server over stdio, so a coding
//! agent asks it again and again during a migration (what remains in this file, what does the
//! gate say now, what replaces this rule) instead of shelling out and parsing text.
//!
//! stdout carries the protocol only; every log line goes to stderr.

mod explain;
mod page;
mod paths;
mod resources;
mod server;
mod tools;

use crate::cli::McpArgs;
use rmcp::ServiceExt;
use std::process::ExitCode;

/// Serves MCP on stdin/stdout until the client disconnects.
pub fn run(args: &McpArgs) -> anyhow::Result<ExitCode> {
    let roots = paths::Roots::start_dir()?;
    let server = server::Server::new(roots, args.allow_write);
    // One protocol thread is plenty: the tools' work runs on tokio's blocking pool.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let service = server
            .serve(rmcp::transport::stdio())
            .await
            .map_err(|e| anyhow::anyhow!("MCP initialisation failed: {e}"))?;
        service.waiting().await?;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
