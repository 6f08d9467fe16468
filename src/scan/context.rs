//! Provider context: which candidates count. Anchors always do; medium terms need an anchor of
//! the same provider in the file; generic terms need a provider-scoped function. The repo's own
//! wrapper functions extend scope to their call sites (see [`WrapperIndex`]).

use super::matcher::Candidate;
use crate::finding::{Category, Confidence, Provider, Severity};
use crate::lang::{Language, RegionKind, SyntaxView};
use crate::rules::Rule;
use crate::text::LineIndex;
use aho_corasick::AhoCorasick;
use regex::Regex;
use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

/// At top level there is no function to scope by; a generic term counts when an anchor or
/// medium term of the provider is at most this many lines away.
const TOP_LEVEL_WINDOW: usize = 6;

/// Categories that make a function a provider wrapper, most telling first: a call to the
/// wrapper is reported with the first of these its body holds. White-label payments and static
/// addresses come before invoice creation because their requests carry invoice fields too
/// (`lifetime`, `to_currency`): a white-label wrapper is not an invoice wrapper. Payouts stay
/// late: a shared client accessor that merely reads the payout key is no payout wrapper.
pub const WRAPPER_CATEGORIES: [Category; 10] = [
    Category::WhiteLabel,
    Category::StaticAddress,
    Category::InvoiceCreation,
    Category::PaymentLookup,
    Category::Payout,
    Category::CallbackVerification,
    Category::IpAllowlist,
    Category::RequestSigning,
    Category::Endpoint,
    Category::StatusHandling,
];

/// Names too common to treat as a wrapper's, even when a wrapper defines them.
pub const COMMON_NAMES: &[&str] = &[
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
    "parse",
    "save",
    "perform",
    "dispatch",
    "ServeHTTP",
];

/// A function of the repo's own that talks to a provider, so its callers are provider code.
#[derive(Debug, Clone, PartialEq)]
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

/// Functions (and top-level lines) where a provider is known to be in play.
#[derive(Default, Clone)]
struct Scopes {
    functions: HashSet<(usize, Provider)>,
    top_level: Vec<(usize, Provider)>,
    /// Classes, structs and type aliases whose body (outside their methods) holds provider
    /// evidence: request and response types, status enums, provider models. Their other
    /// fields are the provider's too (`uuid`, a status member), as a function's lines are.
    classes: HashSet<(usize, Provider)>,
    /// Byte ranges the provider graph lends a provider: a webhook handler reached by its route.
    regions: Vec<(Range<usize>, Provider)>,
}

impl Scopes {
    fn add(&mut self, function: Option<usize>, line: usize, provider: Provider) {
        match function {
            Some(f) => {
                self.functions.insert((f, provider));
            }
            None => self.top_level.push((line, provider)),
        }
    }

    /// Scopes the class around `offset` (outside any function) to `provider`.
    fn add_class(
        &mut self,
        view: &SyntaxView,
        function: Option<usize>,
        offset: usize,
        provider: Provider,
    ) {
        if function.is_none() {
            if let Some(k) = view.class_at(offset) {
                self.classes.insert((k, provider));
            }
        }
    }

    /// Whether `function` (or a function enclosing it) or, at top level, a nearby line or the
    /// class around `offset` is scoped to `provider`.
    fn covers(
        &self,
        view: &SyntaxView,
        function: Option<usize>,
        line: usize,
        offset: usize,
        provider: Provider,
    ) -> bool {
        let functions = view.functions();
        let lent = self
            .regions
            .iter()
            .any(|(r, p)| *p == provider && r.contains(&offset));
        lent || match function {
            Some(f) => {
                let inner = &functions[f].range;
                self.functions.iter().any(|&(g, p)| {
                    let outer = &functions[g].range;
                    p == provider && outer.start <= inner.start && inner.end <= outer.end
                })
            }
            None => {
                self.top_level
                    .iter()
                    .any(|&(l, p)| p == provider && l.abs_diff(line) <= TOP_LEVEL_WINDOW)
                    || view
                        .class_at(offset)
                        .is_some_and(|k| self.classes.contains(&(k, provider)))
            }
        }
    }
}

/// The scope that one file's evidence opens: computed once per wrapper round and shared by
/// [`generic_ranges`] and [`gate`]. Generic candidates never open scope, so the anchors,
/// medium terms and calls alone decide it.
pub struct Opened {
    /// Providers with a live anchor in the file: it scopes the whole file for medium terms.
    file_scoped: HashSet<Provider>,
    /// Lines whose own comment names a provider (`track_id = Column(...)  # OxaPay trackId`):
    /// the mention stays informational, but it gives a medium term on that line its context.
    commented: HashSet<(usize, Provider)>,
    /// What wrapper calls scope on their own.
    by_calls: Scopes,
    /// Calls, anchors and accepted medium terms together: where generic terms count.
    all: Scopes,
}

impl Opened {
    /// An anchor scopes its whole file for medium terms; a wrapper call is weaker evidence and
    /// scopes only its own function. `named` are the providers the file's path names
    /// ([`named_by_path`]).
    /// `lent` are byte ranges the provider graph scopes (a webhook handler reached by route).
    pub fn new(
        rules: &[Rule],
        cands: &[Candidate],
        calls: &[WrapperCall],
        wrappers: &[WrapperDef],
        view: &SyntaxView,
        named: &[Provider],
        lent: &[(Range<usize>, Provider)],
    ) -> Self {
        let anchored: HashSet<Provider> = cands
            .iter()
            .filter(|c| is_live(c) && rules[c.rule].confidence == Confidence::High)
            .map(|c| rules[c.rule].provider)
            .collect();
        // A file inside `src/cryptomus/` (a signing helper that names nothing but `md5` and
        // `btoa`) is the provider's client code: its path scopes it for medium terms. Generic
        // terms still need an anchor, a call or an accepted medium term.
        let file_scoped: HashSet<Provider> = anchored.iter().chain(named).copied().collect();
        let commented = cands
            .iter()
            .filter(|c| !is_live(c) && rules[c.rule].confidence == Confidence::High)
            .map(|c| (c.line, rules[c.rule].provider))
            .collect();
        let mut by_calls = Scopes {
            regions: lent.to_vec(),
            ..Scopes::default()
        };
        for call in calls {
            by_calls.add(call.function, call.line, wrappers[call.def].provider);
        }
        let mut opened = Opened {
            file_scoped,
            commented,
            all: by_calls.clone(),
            by_calls,
        };
        // Classes whose methods hold the provider's host, keys or signing: its client (class 4).
        let mut clients: Vec<(usize, Provider)> = Vec::new();
        for c in cands {
            let scopes = match rules[c.rule].confidence {
                Confidence::High => is_live(c),
                Confidence::Medium => is_live(c) && opened.medium_ok(rules, view, c),
                Confidence::Low => false,
            };
            if scopes {
                let p = rules[c.rule].provider;
                opened.all.add(c.function, c.line, p);
                opened.all.add_class(view, c.function, c.span.start, p);
                let client_work = matches!(
                    rules[c.rule].category,
                    Category::Endpoint | Category::Credentials | Category::RequestSigning
                );
                if let (Some(_), true, Some(k)) =
                    (c.function, client_work, view.class_at(c.span.start))
                {
                    clients.push((k, p));
                }
            }
        }
        // Every method of a client class is the provider's code: the constructor that stores
        // the keys, the helper that builds the headers, the operation that names nothing. A
        // class is a client by its name too: an app's `OrderService` or generated `Merchant`
        // class with one signing method keeps its other methods to itself.
        for (k, p) in clients {
            if !is_client_name(&view.classes()[k].name) {
                continue;
            }
            let class = &view.classes()[k].range;
            for (f, span) in view.functions().iter().enumerate() {
                if class.start <= span.range.start && span.range.end <= class.end {
                    opened.all.add(Some(f), 0, p);
                }
            }
        }
        // The functions of a module (`internal/cryptomus/client.go`, `oxapay_client.py`) or the
        // methods of a class (`OxapayGateway.parse`) named after a provider that the file
        // anchors are that provider's client code even where they name nothing of it
        // themselves: a method that passes "payment" to the module's request helper, or a
        // response-envelope check in a private helper, is still the provider's.
        for (f, span) in view.functions().iter().enumerate() {
            let class = span
                .name
                .rsplit_once('.')
                .map(|(class, _)| class.to_ascii_lowercase());
            for &p in &anchored {
                if named.contains(&p) || class.as_ref().is_some_and(|c| c.contains(p.id())) {
                    opened.all.add(Some(f), 0, p);
                }
            }
        }
        opened
    }

    /// Whether a medium term counts: its provider is anchored in the file, a comment on its own
    /// line names the provider, or a wrapper call scopes its function.
    fn medium_ok(&self, rules: &[Rule], view: &SyntaxView, c: &Candidate) -> bool {
        let provider = rules[c.rule].provider;
        self.file_scoped.contains(&provider)
            || (is_live(c) && self.commented.contains(&(c.line, provider)))
            || self
                .by_calls
                .covers(view, c.function, c.line, c.span.start, provider)
    }
}

/// The functions that use a top-level constant whose value holds a provider anchor (`const
/// BASE = "https://api.oxapay.com/"` and `HTTP.post({ url: BASE + path, body })`): they are the
/// provider's code as if the value were written in them, so their generic terms (the `merchant`
/// field of that body) count.
pub fn constant_users(
    rules: &[Rule],
    cands: &[Candidate],
    view: &SyntaxView,
    src: &str,
    lines: &LineIndex,
) -> Vec<(Range<usize>, Provider)> {
    let functions = view.functions();
    let mut out: Vec<(Range<usize>, Provider)> = Vec::new();
    for c in cands {
        if c.function.is_some() || !is_live(c) || rules[c.rule].confidence != Confidence::High {
            continue;
        }
        let line = lines.line_range(src, c.line);
        let Some((name, kind, value_at)) = crate::graph::symbols::defined_name(&src[line.clone()])
        else {
            continue;
        };
        if c.span.start < line.start + value_at {
            continue;
        }
        let provider = rules[c.rule].provider;
        for at in crate::graph::symbols::uses(src, view, &name, kind) {
            if let Some(f) = view.function_at(at) {
                let range = functions[f].range.clone();
                if !out.iter().any(|(r, p)| *r == range && *p == provider) {
                    out.push((range, provider));
                }
            }
        }
    }
    out
}

/// Whether a class's name says it talks to an API: named after a provider, or a client,
/// gateway, session or base service (`CryptomusClient`, `BaseService`, `PaymentGateway`).
fn is_client_name(name: &str) -> bool {
    !named_by_text(name.as_bytes()).is_empty()
        || [
            "Client",
            "Api",
            "API",
            "Sdk",
            "SDK",
            "Gateway",
            "Session",
            "Connection",
            "Requester",
            "RequestBuilder",
            "BaseService",
        ]
        .iter()
        .any(|w| name.ends_with(w))
}

/// The providers whose name `bytes` spell, in any case.
pub fn named_by_text(bytes: &[u8]) -> Vec<Provider> {
    Provider::ALL
        .into_iter()
        .filter(|p| {
            let id = p.id().as_bytes();
            bytes.windows(id.len()).any(|w| w.eq_ignore_ascii_case(id))
        })
        .collect()
}

/// The providers whose name the path (relative to the scan root) spells.
pub fn named_by_path(path: &str) -> Vec<Provider> {
    Provider::ALL
        .into_iter()
        .filter(|p| p.named_in(path))
        .collect()
}

fn is_live(c: &Candidate) -> bool {
    c.region != RegionKind::Comment
}

/// Applies provider gating to one file's candidates; generic terms need a scoped function.
pub fn gate(rules: &[Rule], cands: Vec<Candidate>, opened: &Opened, view: &SyntaxView) -> Gated {
    let kept = cands
        .into_iter()
        .filter(|c| match rules[c.rule].confidence {
            Confidence::High => true,
            Confidence::Medium => opened.medium_ok(rules, view, c),
            Confidence::Low => opened.all.covers(
                view,
                c.function,
                c.line,
                c.span.start,
                rules[c.rule].provider,
            ),
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

/// Where [`gate`] could keep a generic term, given what the anchor and medium candidates and
/// the wrapper calls open: the lines of every scoped function and the window around every scoped
/// top-level line, as byte ranges of whole lines, sorted and merged. Generic rules are matched
/// only there, which on a big file that names a provider in one function spares running (and
/// compiling) most of them.
pub fn generic_ranges(
    opened: &Opened,
    view: &SyntaxView,
    src: &str,
    lines: &LineIndex,
) -> Vec<Range<usize>> {
    let last = lines.line_count() - 1;
    let functions = view.functions();
    let mut spans: Vec<(usize, usize)> = opened
        .all
        .functions
        .iter()
        .map(|&(f, _)| {
            let r = &functions[f].range;
            (
                lines.line_of(r.start),
                lines.line_of(r.end.max(r.start + 1) - 1),
            )
        })
        .chain(opened.all.regions.iter().map(|(r, _)| {
            (
                lines.line_of(r.start),
                lines.line_of(r.end.max(r.start + 1) - 1),
            )
        }))
        .chain(opened.all.classes.iter().map(|&(k, _)| {
            let r = &view.classes()[k].range;
            (
                lines.line_of(r.start),
                lines.line_of(r.end.max(r.start + 1) - 1),
            )
        }))
        .chain(opened.all.top_level.iter().map(|&(l, _)| {
            (
                l.saturating_sub(TOP_LEVEL_WINDOW),
                (l + TOP_LEVEL_WINDOW).min(last),
            )
        }))
        .collect();
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (first, end) in spans {
        match merged.last_mut() {
            Some(prev) if first <= prev.1 + 1 => prev.1 = prev.1.max(end),
            _ => merged.push((first, end)),
        }
    }
    merged
        .into_iter()
        .map(|(first, end)| lines.line_range(src, first).start..lines.line_range(src, end).end)
        .collect()
}

/// What a function does with a provider, for judging whether it is a wrapper.
struct Evidence<'a> {
    confidence: Confidence,
    category: Category,
    severity: Severity,
    replacement: &'a str,
}

/// The wrapper functions a file defines, judged by what its kept candidates are and which
/// wrappers it calls itself (a function that calls a wrapper is one too).
#[allow(clippy::too_many_arguments)]
pub fn wrapper_defs(
    rules: &[Rule],
    gated: &Gated,
    calls: &[WrapperCall],
    known: &[WrapperDef],
    view: &SyntaxView,
    path: &str,
    lang: Language,
    lines: &LineIndex,
) -> Vec<WrapperDef> {
    let mut per_fn: BTreeMap<(usize, Provider), Vec<Evidence<'_>>> = BTreeMap::new();
    for (c, severity) in &gated.kept {
        if let (Some(f), true) = (c.function, *severity != Severity::Info) {
            let rule = &rules[c.rule];
            per_fn
                .entry((f, rule.provider))
                .or_default()
                .push(Evidence {
                    confidence: rule.confidence,
                    category: rule.category,
                    severity: rule.severity,
                    replacement: &rule.replacement,
                });
        }
    }
    for call in calls {
        if let Some(f) = call.function {
            let def = &known[call.def];
            per_fn.entry((f, def.provider)).or_default().push(Evidence {
                confidence: Confidence::Medium,
                category: def.category,
                severity: def.severity,
                replacement: &def.replacement,
            });
        }
    }
    let mut defs = Vec::new();
    let path_lower = path.to_ascii_lowercase();
    for ((f, provider), evidence) in per_fn {
        let span = &view.functions()[f];
        let name = span.short_name();
        if name.len() < 4 || COMMON_NAMES.contains(&name) {
            continue;
        }
        // The repo's provider wrapper lives in a module or class named after the provider
        // (`oxapay_client.py`, `internal/oxapay/`, `CryptomusClient`); application code that
        // merely uses the provider is not a wrapper, or every caller of every checkout
        // function would be reported.
        let named_for_provider = path_lower.contains(provider.id())
            || span.name.to_ascii_lowercase().contains(provider.id());
        if !named_for_provider {
            continue;
        }
        // What the function does, by the category order above; informational mentions
        // (generic request fields) were already left out. Within the category the most
        // confident evidence (the endpoint, not a request field) speaks for the wrapper.
        let best = WRAPPER_CATEGORIES.iter().find_map(|cat| {
            evidence
                .iter()
                .filter(|e| e.category == *cat)
                .max_by_key(|e| e.confidence)
        });
        if let Some(e) = best {
            defs.push(WrapperDef {
                name: name.to_string(),
                qualified: span.name.clone(),
                provider,
                category: e.category,
                severity: e.severity,
                replacement: e.replacement.to_string(),
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
            // A call, or a Rails controller callback naming it (`before_action :verify_ip`).
            let names = alternation.join("|");
            Regex::new(&format!(
                r"(?-u:\b)({names})\s*\(|(?-u:\b)(?:before|after|around)_action[ \t]+(?:[:\w]+,[ \t]*)*:({names})(?-u:\b)"
            ))
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

    /// Whether `src`, the file at `path`, mentions a wrapper that another file defines. A file
    /// that names only its own wrappers already had them in its first pass (the local fixpoint),
    /// so a second analysis would find exactly what the first did.
    /// `names` is an automaton over [`literals`](Self::literals); it must report overlapping
    /// matches, since one wrapper's name may be part of another's.
    pub fn names_foreign(&self, path: &str, src: &[u8], names: &AhoCorasick) -> bool {
        names.find_overlapping_iter(src).any(|m| {
            let name = self.literals[m.pattern().as_usize()].as_str();
            self.defs.iter().any(|d| d.name == name && d.path != path)
        })
    }

    /// Cheap text test: does `src` contain a call-shaped use of any wrapper name? The precise
    /// [`calls`](Self::calls) runs afterwards, once per fixpoint round.
    pub fn called_in(&self, src: &str) -> bool {
        self.calls.as_ref().is_some_and(|re| re.is_match(src))
    }

    fn is_wrapper_file(&self, path: &str, name: &str) -> bool {
        self.defs.iter().any(|d| d.path == path && d.name == name)
    }

    /// Calls to wrappers in `src` (the file at `path`), in code only, definitions excluded.
    pub fn calls(
        &self,
        path: &str,
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
            let m = caps
                .get(1)
                .or_else(|| caps.get(2))
                .expect("one of the two groups participates");
            if view.region_at(m.start()) != RegionKind::Code || is_definition(src, m.start()) {
                continue;
            }
            // A file that defines a function of the same name calls its own, unless the call
            // goes through another object (`$this->cryptomus->paymentInfo(...)` in a controller
            // with its own `paymentInfo` action).
            let defined_here = calls_own(src, m.start())
                && view.functions().iter().any(|f| {
                    f.short_name() == m.as_str() && !self.is_wrapper_file(path, m.as_str())
                });
            if defined_here || view.functions().iter().any(|f| f.name_at == m.start()) {
                continue;
            }
            let line = lines.line_of(m.start());
            // Never the function calling itself: `create_invoice` in a module may wrap a
            // method of the same name, but not recurse into itself.
            let function = view.function_at(m.start());
            let caller = function.map(|f| view.functions()[f].name.as_str());
            let def = self.defs.iter().position(|d| {
                d.name == m.as_str()
                    && d.family == lang.family()
                    && !(d.path == path && Some(d.qualified.as_str()) == caller)
            });
            if let Some(def) = def {
                out.push(WrapperCall {
                    def,
                    span: m.range(),
                    line,
                    function,
                });
            }
        }
        out
    }
}

/// The name a call of the identifier at `start` goes through (`client` in `client.send(`,
/// `$this` in `$this->send(`), `None` for a bare call, `Some("")` when the receiver is an
/// expression (`res.status(200).send(`).
pub fn receiver(src: &str, start: usize) -> Option<&str> {
    let before = src[..start].trim_end();
    let receiver = ["?->", "->", "?.", "::", "."]
        .iter()
        .find_map(|op| before.strip_suffix(op))?;
    let name_start = receiver
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .map_or(0, |i| i + 1);
    Some(&receiver[name_start..])
}

/// Whether the call of the identifier at `start` may be to the file's own function: a bare
/// call, or one through `this`, `self`, `static`, `parent` or `super`.
fn calls_own(src: &str, start: usize) -> bool {
    receiver(src, start).is_none_or(|name| {
        matches!(
            name,
            "this" | "$this" | "self" | "Self" | "static" | "parent" | "super" | "cls"
        )
    })
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

    #[test]
    fn calls_through_another_object_are_not_the_files_own() {
        let at = |src: &str| calls_own(src, src.find("paymentInfo").unwrap());
        assert!(at("paymentInfo($id)"));
        assert!(at("$this->paymentInfo($id)"));
        assert!(at("self.paymentInfo(id)"));
        assert!(at("static::paymentInfo($id)"));
        assert!(!at("$this->cryptomus->paymentInfo($id)"));
        assert!(!at("client?.paymentInfo(id)"));
        assert!(!at("Cryptomus::paymentInfo($id)"));
    }
}
