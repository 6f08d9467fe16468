//! Provider context: which candidates count. Anchors always do; medium terms need an anchor of
//! the same provider in the file; generic terms need a provider-scoped function. The repo's own
//! wrapper functions extend scope to their call sites (see [`WrapperIndex`]).

use super::matcher::Candidate;
use crate::finding::{Category, Confidence, Provider, Severity};
use crate::lang::{Language, RegionKind, SyntaxView};
use crate::rules::Rule;
use crate::text::LineIndex;
use regex::Regex;
use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

/// At top level there is no function to scope by; a generic term counts when an anchor or
/// medium term of the provider is at most this many lines away.
const TOP_LEVEL_WINDOW: usize = 12;

/// Categories that make a function a provider wrapper, most telling first: a call to the
/// wrapper is reported with the first of these its body holds.
const WRAPPER_CATEGORIES: [Category; 8] = [
    Category::InvoiceCreation,
    Category::WhiteLabel,
    Category::StaticAddress,
    Category::PaymentLookup,
    Category::Payout,
    Category::CallbackVerification,
    Category::RequestSigning,
    Category::Endpoint,
];

/// Names too common to treat as a wrapper's, even when a wrapper defines them.
const COMMON_NAMES: &[&str] = &[
    "__init__",
    "__call__",
    "constructor",
    "init",
    "main",
    "handle",
    "handler",
    "request",
    "post",
    "get",
    "put",
    "send",
    "call",
    "execute",
    "run",
    "index",
    "create",
    "update",
    "process",
    "invoke",
    "apply",
    "build",
    "fetch",
    "new",
    "default",
    "store",
    "show",
    "verify",
    "validate",
    "callback",
    "webhook",
    "make",
    "setup",
    "boot",
    "register",
    "headers",
    "sign",
    "status",
    "check",
    "load",
    "save",
    "perform",
    "dispatch",
    "ServeHTTP",
];

/// A function of the repo's own that talks to a provider, so its callers are provider code.
#[derive(Debug, Clone)]
pub struct WrapperDef {
    pub name: String,
    pub qualified: String,
    pub provider: Provider,
    pub category: Category,
    pub severity: Severity,
    pub replacement: String,
    pub path: String,
    /// 1-based line of the definition.
    pub line: usize,
    pub family: Language,
}

/// A call to a wrapper function.
#[derive(Debug, Clone)]
pub struct WrapperCall {
    pub def: usize,
    pub span: Range<usize>,
    pub line: usize,
    pub function: Option<usize>,
}

/// Kept candidates, each with the severity it is reported at.
pub struct Gated {
    pub kept: Vec<(Candidate, Severity)>,
}

/// Applies provider gating to one file's candidates.
pub fn gate(
    rules: &[Rule],
    cands: Vec<Candidate>,
    calls: &[WrapperCall],
    wrappers: &[WrapperDef],
    view: &SyntaxView,
) -> Gated {
    let call_provider = |c: &WrapperCall| wrappers[c.def].provider;
    let is_live = |c: &Candidate| c.region != RegionKind::Comment;
    let tier = |c: &Candidate| rules[c.rule].confidence;
    let provider = |c: &Candidate| rules[c.rule].provider;

    let mut file_scoped: HashSet<Provider> = cands
        .iter()
        .filter(|c| is_live(c) && tier(c) == Confidence::High)
        .map(provider)
        .collect();
    file_scoped.extend(calls.iter().map(call_provider));

    let medium_ok =
        |c: &Candidate| tier(c) != Confidence::Medium || file_scoped.contains(&provider(c));
    let scoping: Vec<&Candidate> = cands
        .iter()
        .filter(|c| is_live(c) && tier(c) >= Confidence::Medium && medium_ok(c))
        .collect();
    let mut fn_scoped: HashSet<(usize, Provider)> = HashSet::new();
    let mut top_level: Vec<(usize, Provider)> = Vec::new();
    for (function, line, p) in scoping
        .iter()
        .map(|c| (c.function, c.line, provider(c)))
        .chain(calls.iter().map(|c| (c.function, c.line, call_provider(c))))
    {
        match function {
            Some(f) => {
                fn_scoped.insert((f, p));
            }
            None => top_level.push((line, p)),
        }
    }
    let functions = view.functions();
    let in_scoped_function = |f: usize, p: Provider| {
        let inner = &functions[f].range;
        fn_scoped.iter().any(|&(g, q)| {
            q == p && functions[g].range.start <= inner.start && inner.end <= functions[g].range.end
        })
    };

    let kept = cands
        .into_iter()
        .filter(|c| match tier(c) {
            Confidence::High => true,
            Confidence::Medium => medium_ok(c),
            Confidence::Low => match c.function {
                Some(f) => in_scoped_function(f, provider(c)),
                None => top_level
                    .iter()
                    .any(|&(l, p)| p == provider(c) && l.abs_diff(c.line) <= TOP_LEVEL_WINDOW),
            },
        })
        .map(|c| {
            let severity = if is_live(&c) {
                rules[c.rule].severity
            } else {
                Severity::Info
            };
            (c, severity)
        })
        .collect();
    Gated { kept }
}

/// The wrapper functions a file defines, judged by what its kept candidates are.
pub fn wrapper_defs(
    rules: &[Rule],
    gated: &Gated,
    view: &SyntaxView,
    path: &str,
    lang: Language,
    lines: &LineIndex,
) -> Vec<WrapperDef> {
    let mut per_fn: BTreeMap<(usize, Provider), Vec<&Candidate>> = BTreeMap::new();
    for (c, severity) in &gated.kept {
        if let (Some(f), true) = (c.function, *severity != Severity::Info) {
            per_fn
                .entry((f, rules[c.rule].provider))
                .or_default()
                .push(c);
        }
    }
    let mut defs = Vec::new();
    for ((f, provider), cands) in per_fn {
        let span = &view.functions()[f];
        let name = span.short_name();
        if name.len() < 4 || COMMON_NAMES.contains(&name) {
            continue;
        }
        let best = WRAPPER_CATEGORIES.iter().find_map(|cat| {
            cands
                .iter()
                .find(|c| rules[c.rule].category == *cat)
                .map(|c| &rules[c.rule])
        });
        if let Some(rule) = best {
            defs.push(WrapperDef {
                name: name.to_string(),
                qualified: span.name.clone(),
                provider,
                category: rule.category,
                severity: rule.severity,
                replacement: rule.replacement.clone(),
                path: path.to_string(),
                line: lines.line_of(span.range.start) + 1,
                family: lang.family(),
            });
        }
    }
    defs
}

/// All wrapper definitions of a repo, compiled into one call-site matcher.
pub struct WrapperIndex {
    pub defs: Vec<WrapperDef>,
    calls: Option<Regex>,
    pub literals: Vec<String>,
}

impl WrapperIndex {
    pub fn new(mut defs: Vec<WrapperDef>) -> Self {
        defs.sort_by(|a, b| (&a.path, a.line, &a.name).cmp(&(&b.path, b.line, &b.name)));
        let mut names: Vec<String> = defs.iter().map(|d| d.name.clone()).collect();
        names.sort();
        names.dedup();
        let calls = (!names.is_empty()).then(|| {
            let alternation: Vec<String> = names.iter().map(|n| regex::escape(n)).collect();
            Regex::new(&format!(r"(?-u:\b)({})\s*\(", alternation.join("|")))
                .expect("escaped identifiers form a valid regex")
        });
        WrapperIndex {
            defs,
            calls,
            literals: names,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.defs.is_empty()
    }

    /// Whether files of `lang` could call any wrapper.
    pub fn serves(&self, lang: Language) -> bool {
        self.defs.iter().any(|d| d.family == lang.family())
    }

    /// Calls to wrappers in `src`, in code only, definitions excluded.
    pub fn calls(
        &self,
        src: &str,
        lang: Language,
        view: &SyntaxView,
        lines: &LineIndex,
    ) -> Vec<WrapperCall> {
        let Some(re) = &self.calls else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for caps in re.captures_iter(src) {
            let m = caps.get(1).expect("group 1 always participates");
            if view.region_at(m.start()) != RegionKind::Code || is_definition(src, m.start()) {
                continue;
            }
            let line = lines.line_of(m.start());
            let defines_here = view
                .functions()
                .iter()
                .any(|f| f.short_name() == m.as_str() && lines.line_of(f.range.start) == line);
            if defines_here {
                continue;
            }
            let def = self
                .defs
                .iter()
                .position(|d| d.name == m.as_str() && d.family == lang.family());
            if let Some(def) = def {
                out.push(WrapperCall {
                    def,
                    span: m.range(),
                    line,
                    function: view.function_at(m.start()),
                });
            }
        }
        out
    }
}

/// Whether the identifier at `start` is being defined (`def name(`, `function name(`...).
fn is_definition(src: &str, start: usize) -> bool {
    let before = src[..start].trim_end();
    ["def", "function", "fn", "func", "sub", "fun"]
        .iter()
        .any(|kw| {
            before.ends_with(kw)
                && before[..before.len() - kw.len()]
                    .chars()
                    .last()
                    .is_none_or(|c| !c.is_alphanumeric() && c != '_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_are_not_calls() {
        let src = "def create_invoice(x):\n    pass\ncreate_invoice(1)\n";
        assert!(is_definition(src, 4));
        assert!(!is_definition(src, src.rfind("create_invoice").unwrap()));
        assert!(!is_definition("undef create_invoice(", 6));
    }
}
