//! The MCP server: each tool confines its paths to the client's roots, runs the blocking work
//! of [`super::tools`] off the protocol's thread (with start and end progress when the client
//! asked for progress), and turns failures into MCP errors carrying the CLI's own message.

use super::page;
use super::paths::Roots;
use super::resources;
use super::tools::{
    self, ApplyParams, BriefParams, CheckParams, ExplainParams, FileParams, PlanParams,
    PreviewParams, ScanParams,
};
use crate::check::Failure;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::ToolCallContext;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ErrorData,
    Implementation, ListResourcesResult, PaginatedRequestParams, ProgressNotificationParam,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, ServerCapabilities,
    ServerConfig,
};
use rmcp::service::{RequestContext, RoleServer};
use rmcp::{tool, tool_handler, tool_router, ServerHandler};

/// The name of the one tool that writes; registered only under `--allow-write`.
pub const WRITE_TOOL: &str = "apply_write";

#[derive(Clone)]
pub struct Server {
    roots: Roots,
    tool_router: ToolRouter<Server>,
}

#[tool_router]
impl Server {
    pub fn new(roots: Roots, allow_write: bool) -> Server {
        let mut tool_router = Self::tool_router();
        if !allow_write {
            tool_router.remove_route(WRITE_TOOL);
        }
        Server { roots, tool_router }
    }

    #[tool(
        description = "Scan a directory or file for OxaPay and Cryptomus touchpoints. Returns \
        the `scan --format json` document (version, root, findings with rule, category, \
        path:line, function, snippet and MakePay replacement, summary); findings are paged \
        (`page` says how many there are and the next offset)."
    )]
    async fn scan(
        &self,
        Parameters(p): Parameters<ScanParams>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let root = self.roots.for_client(&ctx.peer).await?.resolve(&p.path)?;
        let doc = blocking(&ctx, "scan", move || {
            let mut doc = tools::scan_json(&root, p.provider, p.min_confidence, &p.filter)?;
            page::page_array(&mut doc, "findings", p.page);
            anyhow::Ok(doc)
        })
        .await?;
        Ok(CallToolResult::structured(doc))
    }

    #[tool(
        description = "The findings that remain in one file (the agent's current file), from \
        a scan of its whole repository. Call it after an edit to see whether the legacy call \
        is gone."
    )]
    async fn findings_in_file(
        &self,
        Parameters(p): Parameters<FileParams>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let roots = self.roots.for_client(&ctx.peer).await?;
        let root = roots.resolve(&p.path)?;
        let file = roots.resolve(root.join(&p.file))?;
        if !file.starts_with(&root) {
            return Err(ErrorData::invalid_params(
                format!(
                    "{} is not inside {}; pass the repository that holds it as `path`",
                    p.file,
                    root.display()
                ),
                None,
            ));
        }
        let doc = blocking(&ctx, "findings_in_file", move || {
            tools::findings_in_file(&root, &file, p.page)
        })
        .await?;
        Ok(CallToolResult::structured(doc))
    }

    #[tool(
        description = "The migration plan (`plan --format json`): stack and MakePay SDK install \
        line, risks, ordered steps naming files and functions, legacy status tables, tests to \
        add, inventory. With `markdown: true` the Markdown plan is the text content."
    )]
    async fn plan(
        &self,
        Parameters(p): Parameters<PlanParams>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let root = self.roots.for_client(&ctx.peer).await?.resolve(&p.path)?;
        let (doc, markdown) = blocking(&ctx, "plan", move || {
            tools::plan_json(&root, p.provider, &p.filter, p.markdown)
        })
        .await?;
        let mut result = CallToolResult::structured(doc);
        if let Some(md) = markdown {
            result.content = vec![ContentBlock::text(md)];
        }
        Ok(result)
    }

    #[tool(
        description = "The agent-ready Markdown brief for migrating this repository off one \
        provider: its inventory, stack, risks, migration map, phase prompts, webhook facts and \
        verification checklist."
    )]
    async fn brief(
        &self,
        Parameters(p): Parameters<BriefParams>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let root = self.roots.for_client(&ctx.peer).await?.resolve(&p.path)?;
        let text = blocking(&ctx, "brief", move || tools::brief_text(&root, p.provider)).await?;
        Ok(CallToolResult::success(vec![ContentBlock::text(text)]))
    }

    #[tool(
        description = "Explain a rule id or a category: what it finds, why it matters, the \
        MakePay replacement, and the migration guide's facts for it (phases with field \
        mappings and status rules; the webhook signature scheme for callback categories)."
    )]
    async fn explain(
        &self,
        Parameters(p): Parameters<ExplainParams>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let doc = blocking(&ctx, "explain", move || tools::explain(&p.topic)).await?;
        Ok(CallToolResult::structured(doc))
    }

    #[tool(
        description = "The changes `apply` would make (MakePay scaffolds, env lines, timing-safe \
        compares), as unified diffs. Never writes."
    )]
    async fn apply_preview(
        &self,
        Parameters(p): Parameters<PreviewParams>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let root = self
            .roots
            .for_client(&ctx.peer)
            .await?
            .resolve(&p.apply.path)?;
        let doc = blocking(&ctx, "apply_preview", move || {
            tools::apply_preview(&root, &p.apply.only, p.page)
        })
        .await?;
        Ok(CallToolResult::structured(doc))
    }

    #[tool(
        name = "apply_write",
        description = "Write the changes `apply_preview` shows. Refused when the git tree has \
        uncommitted changes or is not a git work tree; files are replaced atomically and a file \
        changed since planning is skipped. Only present when the server runs with --allow-write."
    )]
    async fn apply_write(
        &self,
        Parameters(p): Parameters<ApplyParams>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let root = self.roots.for_client(&ctx.peer).await?.resolve(&p.path)?;
        let doc = blocking(&ctx, WRITE_TOOL, move || tools::apply_write(&root, &p.only)).await?;
        Ok(CallToolResult::structured(doc))
    }

    #[tool(
        description = "The CI gate (`check --format json`): passed, blocking findings (paged), \
        allowed, suppressed, baselined, and baseline entries now fixed. Done when `passed` is \
        true."
    )]
    async fn check(
        &self,
        Parameters(p): Parameters<CheckParams>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let roots = self.roots.for_client(&ctx.peer).await?;
        let root = roots.resolve(&p.path)?;
        let config = p.config.map(|c| roots.resolve(root.join(c))).transpose()?;
        let baseline = p
            .baseline
            .map(|b| roots.resolve(root.join(b)))
            .transpose()?;
        let doc = blocking(&ctx, "check", move || {
            tools::check_json(&root, config, baseline, p.page).map_err(|e| match e {
                Failure::Usage(e) => invalid(&e),
                Failure::Internal(e) => ErrorData::internal_error(format!("{e:#}"), None),
            })
        })
        .await?;
        Ok(CallToolResult::structured(doc))
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .build(),
        )
        .with_server_info(Implementation::new(
            "makepay-migrate",
            env!("CARGO_PKG_VERSION"),
        ))
        .with_instructions(
            "Migrate OxaPay and Cryptomus integrations to MakePay. Start with `plan` (or `scan`), \
             use `findings_in_file` after each edit, `explain` for a rule's MakePay replacement, \
             and `check` until it passes. Resources hold the migration guides' facts.",
        )
    }

    /// Dispatches to the router, except that a call of `apply_write` on a read-only server says
    /// how to enable it rather than only that the tool does not exist.
    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        if request.name == WRITE_TOOL && !self.tool_router.has_route(WRITE_TOOL) {
            return Err(ErrorData::invalid_params(
                "apply_write is not available: this server was started without --allow-write \
                 (use apply_preview to see the changes, or restart it as \
                 `makepay-migrate mcp --allow-write`)",
                None,
            ));
        }
        let call = ToolCallContext::new(self, request, context);
        self.tool_router.call(call).await
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        Ok(ListResourcesResult::with_all_items(resources::list()))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let contents = resources::read(&request.uri)?;
        Ok(ReadResourceResult::new(vec![contents]).into())
    }
}

/// A failure the caller can fix (bad arguments, rules, policy, dirty tree), with the CLI's
/// message.
fn invalid(e: &anyhow::Error) -> ErrorData {
    ErrorData::invalid_params(format!("{e:#}"), None)
}

/// Runs `work` on tokio's blocking pool (a scan holds a core for seconds), bracketed by
/// progress notifications when the request carried a progress token.
async fn blocking<T, E, F>(
    ctx: &RequestContext<RoleServer>,
    what: &str,
    work: F,
) -> Result<T, ErrorData>
where
    T: Send + 'static,
    E: Into<ToolError>,
    F: FnOnce() -> Result<T, E> + Send + 'static,
{
    let token = ctx.meta.get_progress_token();
    let progress = |step: f64, message: String| {
        let token = token.clone();
        let peer = ctx.peer.clone();
        async move {
            if let Some(token) = token {
                let param = ProgressNotificationParam::new(token, step)
                    .with_total(1.0)
                    .with_message(message);
                // A client that stopped listening for progress still gets the result.
                let _ = peer.notify_progress(param).await;
            }
        }
    };
    progress(0.0, format!("{what}: started")).await;
    let outcome = tokio::task::spawn_blocking(move || work().map_err(Into::into))
        .await
        .map_err(|_| {
            ErrorData::internal_error(format!("{what} panicked; please report it"), None)
        })?;
    progress(1.0, format!("{what}: done")).await;
    outcome.map_err(|ToolError(e)| e)
}

/// A tool's failure as the MCP error it is reported as.
pub struct ToolError(ErrorData);

impl From<anyhow::Error> for ToolError {
    fn from(e: anyhow::Error) -> Self {
        ToolError(invalid(&e))
    }
}

impl From<ErrorData> for ToolError {
    fn from(e: ErrorData) -> Self {
        ToolError(e)
    }
}
