//! The plan as Markdown for people: checkboxes so it can live in a PR description, each fact
//! said once (replacements in the step that does the work, not under every finding), and no
//! section that would be empty.

use super::steps::{StatusTable, Step};
use super::{Plan, Risk};
use std::fmt::Write as _;
use std::io::{self, Write};

/// Writes `plan` as Markdown.
pub fn render_markdown(plan: &Plan, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(markdown(plan).as_bytes())
}

fn markdown(plan: &Plan) -> String {
    let mut s = String::new();
    if plan.is_empty() {
        nothing_to_migrate(plan, &mut s);
        return s;
    }
    header(plan, &mut s);
    stacks(plan, &mut s);
    risks(plan, &mut s);
    order_of_work(plan, &mut s);
    tests(plan, &mut s);
    inventory(plan, &mut s);
    s
}

fn nothing_to_migrate(plan: &Plan, s: &mut String) {
    let _ = writeln!(s, "# Migration plan: nothing to migrate\n");
    let _ = writeln!(
        s,
        "`{}` holds no OxaPay or Cryptomus code or configuration.",
        plan.root
    );
    if plan.summary.mentions_in_comments > 0 {
        let _ = writeln!(
            s,
            "Provider mentions left in comments, docs or messages: {} (`makepay-migrate scan` lists them).",
            plan.summary.mentions_in_comments
        );
    }
}

fn header(plan: &Plan, s: &mut String) {
    let providers: Vec<&str> = plan.providers.iter().map(|p| p.display_name()).collect();
    let _ = writeln!(
        s,
        "# Migration plan: {} → MakePay\n",
        providers.join(" and ")
    );
    let sum = &plan.summary;
    let _ = write!(
        s,
        "`{}`: {} in {}",
        plan.root,
        count(sum.findings, "finding", "findings"),
        count(sum.files, "file", "files"),
    );
    if sum.functions > 0 {
        let _ = write!(s, " ({})", count(sum.functions, "function", "functions"));
    }
    let _ = writeln!(s, ".");
    if sum.mentions_in_comments > 0 {
        let _ = writeln!(
            s,
            "Left out: {} in comments, docs or messages (`makepay-migrate scan` lists them).",
            count(
                sum.mentions_in_comments,
                "provider mention",
                "provider mentions"
            )
        );
    }
    let _ = writeln!(
        s,
        "Work top to bottom: each step is safe once the ones above it are done, and legacy \
         payments keep reconciling until the last one."
    );
}

fn stacks(plan: &Plan, s: &mut String) {
    if plan.stacks.is_empty() {
        return;
    }
    let _ = writeln!(s, "\n## Stack\n");
    for st in &plan.stacks {
        let _ = write!(s, "- **{}**", st.label());
        if !st.manifests.is_empty() {
            let m: Vec<String> = st.manifests.iter().map(|m| format!("`{m}`")).collect();
            let _ = write!(s, ", from {}", m.join(", "));
        }
        let _ = write!(
            s,
            ", {} with findings",
            count(st.files_with_findings, "file", "files")
        );
        match &st.sdk_install {
            Some(cmd) => {
                let _ = writeln!(s, ". MakePay SDK: `{cmd}`");
            }
            None => {
                let _ = writeln!(
                    s,
                    ". No MakePay SDK for this stack: call the payment-links API directly."
                );
            }
        }
    }
}

fn risks(plan: &Plan, s: &mut String) {
    if plan.risks.is_empty() {
        return;
    }
    let _ = writeln!(s, "\n## Risks the scan saw\n");
    let mut last_kind = None;
    for r in &plan.risks {
        if last_kind != Some(r.kind) {
            let _ = writeln!(s, "- **{}.** {}", r.title, r.advice);
            last_kind = Some(r.kind);
        }
        let _ = write!(s, "  - [ ] {}", location(r));
        if let Some(snippet) = &r.snippet {
            let _ = write!(s, ": {}", inline_code(snippet));
        }
        if let Some(detail) = &r.detail {
            let _ = write!(s, "; {detail}");
        }
        let _ = writeln!(s);
    }
}

fn location(r: &Risk) -> String {
    match &r.function {
        Some(f) => format!("`{}:{}` in `{f}`", r.path, r.line),
        None => format!("`{}:{}`", r.path, r.line),
    }
}

fn order_of_work(plan: &Plan, s: &mut String) {
    let _ = writeln!(s, "\n## Order of work\n");
    for step in &plan.steps {
        step_item(step, s);
    }
    for step in plan.steps.iter().filter(|st| !st.status_tables.is_empty()) {
        for table in &step.status_tables {
            status_table(step.number, table, s);
        }
    }
}

fn step_item(step: &Step, s: &mut String) {
    let _ = writeln!(s, "- [ ] **{}. {}**", step.number, step.title);
    for a in &step.actions {
        let _ = writeln!(s, "  - {a}");
    }
    if !step.status_tables.is_empty() {
        let _ = writeln!(s, "  - Status tables below.");
    }
    if !step.replacements.is_empty() {
        let _ = writeln!(s, "  - What the scan found and its MakePay counterpart:");
        for r in &step.replacements {
            let _ = writeln!(s, "    - {} → {}", r.found, r.replacement);
        }
    }
    let _ = writeln!(s, "  - Files:");
    for f in &step.files {
        let _ = write!(s, "    - `{}`", f.path);
        if !f.functions.is_empty() {
            let names: Vec<String> = f
                .functions
                .iter()
                .map(|n| scope_label(n.as_deref()))
                .collect();
            let _ = write!(s, ": {}", names.join(", "));
        }
        if !f.lines.is_empty() {
            let _ = write!(s, " ({})", line_list(&f.lines));
        }
        let _ = writeln!(s);
    }
}

fn status_table(step: usize, t: &StatusTable, s: &mut String) {
    let _ = writeln!(
        s,
        "\n### {} statuses (step {step})\n",
        t.provider.display_name()
    );
    let _ = writeln!(s, "{}", t.note);
    if !t.handled.is_empty() {
        let _ = writeln!(s, "The code names {} today.", code_list(&t.handled));
    }
    if !t.unhandled.is_empty() {
        let _ = writeln!(s, "No explicit branch yet for {}.", code_list(&t.unhandled));
    }
    let _ = writeln!(s, "\n| Status | Normalised | Grants goods | Handling |");
    let _ = writeln!(s, "|---|---|---|---|");
    for row in &t.rows {
        let _ = writeln!(
            s,
            "| `{}` | {} | {} | {} |",
            row.status,
            row.normalized,
            row.grants.label(),
            cell(&row.handling)
        );
    }
}

fn tests(plan: &Plan, s: &mut String) {
    if plan.tests.is_empty() {
        return;
    }
    let _ = writeln!(s, "\n## Tests to add\n");
    let runners: Vec<&str> = plan
        .stacks
        .iter()
        .filter_map(|st| st.test_runner.as_deref())
        .collect();
    let _ = write!(
        s,
        "Mock the MakePay SDK/API responses; never call production APIs"
    );
    if runners.is_empty() {
        let _ = writeln!(s, ".\n");
    } else {
        let _ = writeln!(s, " (existing runner: {}).\n", runners.join(", "));
    }
    for t in &plan.tests {
        let _ = writeln!(s, "- [ ] {}", t.name);
    }
}

fn inventory(plan: &Plan, s: &mut String) {
    let _ = writeln!(s, "\n## Inventory\n");
    let _ = writeln!(
        s,
        "Per file and function: what the scan found, on which lines, which step handles it, and \
         what stays in place during the dual run."
    );
    for file in &plan.inventory.files {
        let providers: Vec<&str> = file.providers.iter().map(|p| p.display_name()).collect();
        let _ = writeln!(
            s,
            "\n### `{}`\n\n{} · {}\n",
            file.path,
            language_name(file.language),
            providers.join(", ")
        );
        let _ = writeln!(
            s,
            "| Where | Concern | Lines | Found | Step | Keep for cutover |"
        );
        let _ = writeln!(s, "|---|---|---|---|---|---|");
        for scope in &file.scopes {
            let mut first = true;
            for c in &scope.concerns {
                let where_ = if first {
                    scope_label(scope.function.as_deref())
                } else {
                    String::new()
                };
                first = false;
                let step = plan
                    .steps
                    .iter()
                    .find(|st| st.id == c.step)
                    .map_or(String::new(), |st| st.number.to_string());
                let _ = writeln!(
                    s,
                    "| {where_} | {} | {} | {} | {step} | {} |",
                    c.category,
                    line_list(&c.lines),
                    cell(&c.messages().join("; ")),
                    c.keep.as_deref().unwrap_or("")
                );
            }
        }
    }
}

fn scope_label(function: Option<&str>) -> String {
    match function {
        Some(f) => format!("`{f}`"),
        None => "top level".to_string(),
    }
}

/// `3, 5–7, 12`: consecutive lines collapse into ranges.
fn line_list(lines: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let start = lines[i];
        let mut end = start;
        while i + 1 < lines.len() && lines[i + 1] == end + 1 {
            i += 1;
            end = lines[i];
        }
        parts.push(if end == start {
            start.to_string()
        } else {
            format!("{start}–{end}")
        });
        i += 1;
    }
    let label = if lines.len() == 1 { "line" } else { "lines" };
    format!("{label} {}", parts.join(", "))
}

/// Inline code that survives backticks inside it (template literals in JS snippets).
fn inline_code(text: &str) -> String {
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

fn code_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    quoted.join(", ")
}

/// Table cells cannot hold pipes or newlines.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn language_name(lang: crate::lang::Language) -> &'static str {
    use crate::lang::Language as L;
    match lang {
        L::Php => "PHP",
        L::Javascript => "JavaScript",
        L::Typescript => "TypeScript",
        L::Python => "Python",
        L::Go => "Go",
        L::Java => "Java",
        L::Kotlin => "Kotlin",
        L::Csharp => "C#",
        L::Ruby => "Ruby",
        L::Rust => "Rust",
        L::Env => "environment file",
        L::Json => "JSON",
        L::Yaml => "YAML",
        L::Toml => "TOML",
        L::Xml => "XML",
        L::Properties => "properties",
        L::Gradle => "Gradle",
        L::Requirements => "pip requirements",
        L::Gemfile => "Gemfile",
        L::Gomod => "go.mod",
        L::Html => "HTML",
        L::Markdown => "Markdown",
        L::Lockfile => "lockfile",
        L::Text => "text",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_collapse_into_ranges() {
        assert_eq!(line_list(&[7]), "line 7");
        assert_eq!(line_list(&[3, 5, 6, 7, 12]), "lines 3, 5–7, 12");
    }

    #[test]
    fn inline_code_survives_backticks() {
        assert_eq!(inline_code("a = 1"), "`a = 1`");
        assert_eq!(inline_code("url: `${base}/x`"), "`` url: `${base}/x` ``");
    }

    #[test]
    fn cells_escape_pipes() {
        assert_eq!(cell("a | b\nc"), "a \\| b c");
    }
}
