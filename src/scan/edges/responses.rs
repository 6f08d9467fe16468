//! The provider graph's response edge: the value a provider call returns
//! (`const payout = await client.payouts.create(...)`, `$invoice = $oxapay->createInvoice(...)`)
//! is the provider's response, so the fields read from it where it is in scope
//! (`payout.uuid`, `$invoice['payLink']`) are touchpoints of what their names hold: its IDs,
//! URLs, statuses, keys. Fields whose names say nothing (`amount`) are left to the rules.

use super::*;

/// How many lines after the call a response variable is followed when no named function
/// bounds it (a test's callback, a script's top level).
const UNBOUNDED_LINES: usize = 40;

/// Suffixes of the rules whose findings are provider calls that return a response.
const CALL_RULES: [&str; 4] = [
    "-client-call",
    "-imported-call",
    "-wrapper-call",
    "-request-call",
];

pub(super) fn response_reads(
    rules: &RuleSet,
    results: &mut BTreeMap<String, FileResult>,
    code: &[(Entry, Language)],
) {
    let mut derived: Vec<(String, Vec<Finding>)> = Vec::new();
    for (entry, lang) in code {
        let Some(r) = results.get(&entry.rel) else {
            continue;
        };
        let calls: Vec<&Finding> = r
            .findings
            .iter()
            .filter(|f| {
                f.severity > Severity::Info
                    && CALL_RULES.iter().any(|s| f.rule.ends_with(s))
                    && graph::responses::assigned(&f.snippet).is_some()
            })
            .collect();
        if calls.is_empty() {
            continue;
        }
        let Some(file) = Revisited::read(entry, *lang) else {
            continue;
        };
        let (src, view, lines, builder) = (&file.src, &file.view, &file.lines, file.builder());
        let mut out: Vec<Finding> = Vec::new();
        for call in calls {
            let line = &src[lines.line_range(src, call.line - 1)];
            let Some(var) = graph::responses::assigned(line) else {
                continue;
            };
            let start = lines.line_range(src, call.line - 1).end;
            let end = match view.function_at(start) {
                Some(f) => view.functions()[f].range.end,
                None => {
                    let last = (call.line + UNBOUNDED_LINES).min(lines.line_count()) - 1;
                    lines.line_range(src, last).end
                }
            };
            for (at, field) in graph::responses::reads(&src[start..end.max(start)], var) {
                // A status read is handled where it is compared: the rules see the states there
                // (`case info["status"]` is reported by its arms).
                let Some(category) =
                    members::name_category(field).filter(|c| *c != Category::StatusHandling)
                else {
                    continue;
                };
                let at = start + at;
                let read_line = lines.line_of(at) + 1;
                if r.findings
                    .iter()
                    .chain(&out)
                    .any(|f| f.line <= read_line && read_line <= f.end_line.max(f.line))
                {
                    continue;
                }
                let head = Head {
                    rule: format!("{}-response-read", call.provider.id()),
                    provider: call.provider,
                    category,
                    severity: Severity::Warning,
                    confidence: Confidence::Medium,
                    message: format!(
                        "Reads `{field}` from `{var}`, the {} response",
                        call.provider
                    ),
                    replacement: replacement_for(rules.rules(), call.provider, category),
                };
                let mut finding = builder.make(
                    head,
                    &(at..at + var.len() + 1 + field.len()),
                    view.function_at(at),
                );
                finding.via.push(crate::finding::Via {
                    path: entry.rel.clone(),
                    line: call.line,
                    what: format!("`{var}` holds the response of this call"),
                });
                out.push(finding);
            }
        }
        if !out.is_empty() {
            derived.push((entry.rel.clone(), out));
        }
    }
    merge_derived(results, derived, |_, _| true);
}
