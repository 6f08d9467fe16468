//! The provider graph's edges, run after per-file matching: each re-analyses or revisits the
//! files near provider code and adds the findings per-file matching cannot see (see
//! [`crate::graph`] for the edges' own logic), each with `via` provenance.

use super::*;

mod commands;
mod env;
mod responses;
mod types;

/// Runs the provider graph's edges over what per-file matching found: only over the files near
/// provider code, and not at all when there is none.
pub(super) fn derive(
    rules: &RuleSet,
    results: &mut BTreeMap<String, FileResult>,
    code: &[(Entry, Language)],
    env: &[Entry],
    threads: usize,
) {
    let hit: Vec<&str> = code
        .iter()
        .map(|(e, _)| e.rel.as_str())
        .filter(|rel| {
            results
                .get(*rel)
                .is_some_and(|r| r.findings.iter().any(|f| f.severity > Severity::Info))
        })
        .collect();
    if hit.is_empty() {
        return;
    }
    let near = graph::nearby(code, &hit, threads);
    relink(rules, results, &near, threads);
    route_handlers(rules, results, code, threads);
    symbol_uses(results, &near, threads);
    request_calls(results, &near, threads);
    imported_calls(results, &near, threads);
    client_calls(rules, results, &near, threads);
    commands::command_runs(results, code, threads);
    responses::response_reads(rules, results, &near);
    types::referenced_types(rules, results, &near, threads);
    env::env_definitions(rules, results, code, env);
}

/// Whether a file is a provider client module: it holds the provider's base URL, keys or
/// signing (the class 4), not merely calls that do.
fn is_client(r: &FileResult) -> bool {
    r.findings.iter().any(|f| {
        f.severity > Severity::Info
            && matches!(
                f.category,
                Category::Endpoint | Category::Credentials | Category::RequestSigning
            )
    })
}

/// The code files that have a result, in path order, with it.
fn with_results<'a>(
    results: &'a BTreeMap<String, FileResult>,
    code: &'a [(Entry, Language)],
) -> impl Iterator<Item = (&'a Entry, &'a FileResult)> {
    code.iter()
        .filter_map(|(entry, _)| results.get(&entry.rel).map(|r| (entry, r)))
}

/// The provider graph's pass: files linked to provider code by an import or a Go package are
/// analysed again with the linked providers in context; what that adds says how it was reached.
fn relink(
    rules: &RuleSet,
    results: &mut BTreeMap<String, FileResult>,
    code: &[(Entry, Language)],
    threads: usize,
) {
    // First hop: from the files that name the provider themselves. Second hop: from the files
    // the first hop showed doing provider work (a request helper that only the provider's
    // services import), never back into files already reached.
    let first = link_once(rules, results, code, threads, &BTreeMap::new(), |f| {
        f.confidence == Confidence::High
    });
    link_once(rules, results, code, threads, &first, |f| {
        f.category != Category::Other
    });
}

/// One hop of [`relink`] from the files whose findings `anchoring` accepts; returns the links
/// it made, and skips files `done` already holds.
fn link_once(
    rules: &RuleSet,
    results: &mut BTreeMap<String, FileResult>,
    code: &[(Entry, Language)],
    threads: usize,
    done: &BTreeMap<String, graph::Link>,
    anchoring: impl Fn(&Finding) -> bool,
) -> BTreeMap<String, graph::Link> {
    let anchors: BTreeMap<String, graph::Anchor> = code
        .iter()
        .filter_map(|(entry, _)| {
            let r = results.get(&entry.rel)?;
            let found = r
                .findings
                .iter()
                .filter(|f| f.severity > Severity::Info && anchoring(f));
            let mut providers: Vec<Provider> = found.clone().map(|f| f.provider).collect();
            providers.sort();
            providers.dedup();
            let line = found.map(|f| f.line).min()?;
            Some((entry.rel.clone(), graph::Anchor { providers, line }))
        })
        .collect();
    let mut links = graph::link(&anchors, code, threads);
    links.retain(|rel, _| !done.contains_key(rel));
    if links.is_empty() {
        return links;
    }
    let wrappers = WrapperIndex::new(results.values().flat_map(|r| r.defs.clone()).collect());
    let linked: Vec<(&(Entry, Language), &graph::Link)> = code
        .iter()
        .filter_map(|file| links.get(&file.0.rel).map(|l| (file, l)))
        .collect();
    let relinked = crate::par::map(&linked, threads, |((entry, lang), link)| {
        let src = crate::encoding::read_to_string(&entry.path).ok()?;
        let lent = Lent {
            providers: link.providers.clone(),
            regions: Vec::new(),
        };
        let result = analyze_linked(rules, &entry.rel, *lang, &src, &wrappers, &lent);
        let result = with_provenance(
            result,
            results.get(&entry.rel),
            std::slice::from_ref(&link.via),
        );
        Some((entry.rel.clone(), result))
    });
    results.extend(relinked);
    links
}

/// What a constant or method-table entry may hold for its uses to be touchpoints: a value the
/// migration replaces where it is used.
/// Keys are left out: a key constant is passed along to every client call, and its definition
/// and the request that sends it are the touchpoints already.
const SYMBOL_CATEGORIES: [Category; 8] = [
    Category::Endpoint,
    Category::InvoiceCreation,
    Category::WhiteLabel,
    Category::StaticAddress,
    Category::PaymentLookup,
    Category::Payout,
    Category::CallbackConfig,
    Category::CheckoutRedirect,
];

/// The provider graph's symbol edge: a top-level or class-level definition whose line holds a
/// provider value (`const INVOICE_URL = 'https://api.oxapay.com/...'`, `'createPayout' =>
/// '/v1/payout'`) makes each use of its name a touchpoint, in its own file and in the files that
/// import it or share its Go package.
fn symbol_uses(
    results: &mut BTreeMap<String, FileResult>,
    code: &[(Entry, Language)],
    threads: usize,
) {
    use graph::symbols::{defined_name, moves_only, uses, Kind};
    let mut symbols: Vec<(String, Kind, Finding)> = Vec::new();
    for (entry, r) in with_results(results, code) {
        let defining: Vec<&Finding> = r
            .findings
            .iter()
            .filter(|f| {
                f.severity > Severity::Info
                    && f.function.is_none()
                    && SYMBOL_CATEGORIES.contains(&f.category)
            })
            .collect();
        if defining.is_empty() {
            continue;
        }
        let Ok(src) = crate::encoding::read_to_string(&entry.path) else {
            continue;
        };
        let lines: Vec<&str> = src.lines().collect();
        for f in defining {
            let Some(line) = lines.get(f.line - 1) else {
                continue;
            };
            let Some((name, kind, value_at)) = defined_name(line) else {
                continue;
            };
            // The provider token must be in the value, not in the name or before it.
            let token_at = line
                .char_indices()
                .nth(f.column - 1)
                .map_or(line.len(), |(i, _)| i);
            if token_at >= value_at
                && !symbols
                    .iter()
                    .any(|(n, _, d)| *n == name && d.path == f.path)
            {
                symbols.push((name, kind, f.clone()));
            }
        }
    }
    if symbols.is_empty() {
        return;
    }
    let names = aho_corasick::AhoCorasick::new(symbols.iter().map(|(n, _, _)| n.as_str()))
        .expect("identifiers form a valid automaton");
    let index = graph::imports::FileIndex::new(code.iter().map(|(e, _)| e.rel.clone()));
    let used = revisit(code, threads, &names, &index, |file| {
        let rel = &file.entry.rel;
        let mut found = Vec::new();
        for (name, kind, def) in &symbols {
            if !(def.path == *rel || file.imported.contains(&def.path))
                || !file.src.contains(name.as_str())
            {
                continue;
            }
            for at in uses(&file.src, &file.view, name, *kind) {
                let line = file.lines.line_of(at) + 1;
                let statement = file
                    .view
                    .statement_at(at)
                    .unwrap_or_else(|| file.lines.line_range(&file.src, line - 1));
                if (def.path == *rel && line == def.line) || moves_only(&file.src[statement]) {
                    continue;
                }
                let head = Head {
                    rule: format!("{}-symbol-use", def.provider.id()),
                    provider: def.provider,
                    category: def.category,
                    severity: def.severity,
                    confidence: Confidence::Medium,
                    message: format!("Uses `{name}` ({} {} value)", def.provider, def.category),
                    replacement: def.replacement.clone(),
                };
                let mut finding =
                    file.builder()
                        .make(head, &(at..at + name.len()), file.view.function_at(at));
                finding.via.push(crate::finding::Via {
                    path: def.path.clone(),
                    line: def.line,
                    what: format!("{name} is defined here ({})", def.rule),
                });
                found.push(finding);
            }
        }
        found
    });
    merge_derived(results, used, |g, f| g.category == f.category);
}

/// A code file an edge of the provider graph looks at again.
struct Revisited<'a> {
    entry: &'a Entry,
    lang: Language,
    src: String,
    view: SyntaxView,
    lines: LineIndex,
    /// The repository files it imports, and for Go the other files of its package.
    imported: Vec<String>,
}

impl<'a> Revisited<'a> {
    /// Reads and parses `entry` as `lang`, with no imports resolved.
    fn read(entry: &'a Entry, lang: Language) -> Option<Self> {
        let src = crate::encoding::read_to_string(&entry.path).ok()?;
        Some(Revisited {
            entry,
            lang,
            view: build_view(lang, &src),
            lines: LineIndex::new(&src),
            src,
            imported: Vec::new(),
        })
    }

    fn builder(&self) -> FindingBuilder<'_> {
        FindingBuilder {
            rel: &self.entry.rel,
            src: &self.src,
            view: &self.view,
            lines: &self.lines,
        }
    }
}

/// Reads each code file that `mentions` matches, parses it, resolves its imports and collects
/// what `derive` finds there: the shared walk of the symbol, call and client edges.
fn revisit(
    code: &[(Entry, Language)],
    threads: usize,
    mentions: &aho_corasick::AhoCorasick,
    index: &graph::imports::FileIndex,
    derive: impl Fn(&Revisited<'_>) -> Vec<Finding> + Sync,
) -> Vec<(String, Vec<Finding>)> {
    crate::par::map(code, threads, |(entry, lang)| {
        let src = crate::encoding::read_to_string(&entry.path).ok()?;
        if !mentions.is_match(&src) {
            return None;
        }
        let mut imported: Vec<String> = graph::resolved(index, &entry.rel, *lang, &src)
            .into_iter()
            .map(|(t, _)| t)
            .collect();
        if lang.family() == Language::Go {
            imported.extend(index.package_mates(&entry.rel));
        }
        let file = Revisited {
            entry,
            lang: *lang,
            view: build_view(*lang, &src),
            lines: LineIndex::new(&src),
            src,
            imported,
        };
        let found = derive(&file);
        (!found.is_empty()).then(|| (entry.rel.clone(), found))
    })
}

/// Adds what an edge derived to the files' results, leaving out a finding whose line already
/// holds one that `same` says it repeats.
fn merge_derived(
    results: &mut BTreeMap<String, FileResult>,
    derived: Vec<(String, Vec<Finding>)>,
    same: impl Fn(&Finding, &Finding) -> bool,
) {
    for (rel, found) in derived {
        let result = results.entry(rel).or_default();
        for f in found {
            if !result
                .findings
                .iter()
                .any(|g| g.line == f.line && same(g, &f))
            {
                result.findings.push(f);
            }
        }
        assign_fingerprints(&mut result.findings);
    }
}

/// The provider graph's request edge: in every file with provider findings, the lines that send
/// a request (an HTTP client call, or a call of a function that makes one there: the
/// repository's own request helper) are touchpoints when their statement, or else their
/// function, carries provider evidence; they take that evidence's category. A call of a helper
/// that sends a provider request is one in any nearby file, evidence or not: it takes the
/// operation its path or its function names.
fn request_calls(
    results: &mut BTreeMap<String, FileResult>,
    code: &[(Entry, Language)],
    threads: usize,
) {
    let is_provider_file = |rel: &str| {
        results
            .get(rel)
            .is_some_and(|r| r.findings.iter().any(|f| f.severity > Severity::Info))
    };
    let (mine, others): (Vec<_>, Vec<_>) = code.iter().partition(|(e, _)| is_provider_file(&e.rel));
    let mut parsed = crate::par::map(&mine, threads, |(entry, lang)| {
        let src = crate::encoding::read_to_string(&entry.path).ok()?;
        let view = build_view(*lang, &src);
        let calls = graph::requests::library_calls(*lang, &src, &view);
        Some((entry.rel.clone(), *lang, src, view, calls))
    });
    // The functions that send a provider request are the repository's request helpers: a call
    // of one is a provider request wherever it is, even where nothing else names the provider
    // (`this.request("/payment", "POST", params)` in a service that extends the client).
    // Helpers whose request shows no provider evidence (a generic `post` in a provider file)
    // still count where the call site shows it; `None` marks them.
    let mut helpers: BTreeMap<Language, BTreeMap<String, Option<RequestSource>>> = BTreeMap::new();
    for (rel, lang, src, view, calls) in &parsed {
        let Some(result) = results.get(rel) else {
            continue;
        };
        let lines = LineIndex::new(src);
        for call in calls {
            let at = call.callee.start;
            let Some(f) = view.function_at(at) else {
                continue;
            };
            let source = request_evidence(&result.findings, view, &lines, at, Some(f)).map(
                |(source, evidence)| RequestSource {
                    provider: source.provider,
                    category: match evidence {
                        Evidence::Own(category) => category,
                        Evidence::Client => helper_call_category(src, view, at, Some(f)),
                    },
                    severity: source.severity,
                    replacement: source.replacement.clone(),
                    path: rel.clone(),
                    line: lines.line_of(at) + 1,
                },
            );
            let name = view.functions()[f].short_name().to_string();
            let entry = helpers
                .entry(lang.family())
                .or_default()
                .entry(name)
                .or_default();
            if entry.is_none() {
                *entry = source;
            }
        }
    }
    // The other nearby files matter only where they call a helper that sends a provider
    // request: only those are parsed.
    let sending: Vec<&str> = helpers
        .values()
        .flat_map(|m| {
            m.iter()
                .filter(|(_, s)| s.is_some())
                .map(|(n, _)| n.as_str())
        })
        .collect();
    if !sending.is_empty() {
        let finder =
            aho_corasick::AhoCorasick::new(&sending).expect("identifiers form a valid automaton");
        parsed.extend(crate::par::map(&others, threads, |(entry, lang)| {
            let src = crate::encoding::read_to_string(&entry.path).ok()?;
            if !finder.is_match(&src) {
                return None;
            }
            let view = build_view(*lang, &src);
            Some((entry.rel.clone(), *lang, src, view, Vec::new()))
        }));
    }
    let none = BTreeMap::new();
    for (rel, lang, src, view, mut calls) in parsed {
        let family_helpers = helpers.get(&lang.family()).unwrap_or(&none);
        let names: Vec<String> = family_helpers.keys().cloned().collect();
        calls.extend(graph::requests::helper_calls(&src, &view, &names));
        if calls.is_empty() {
            continue;
        }
        let result = results.entry(rel.clone()).or_default();
        let lines = LineIndex::new(&src);
        let builder = FindingBuilder {
            rel: &rel,
            src: &src,
            view: &view,
            lines: &lines,
        };
        let mut added = Vec::new();
        for call in calls {
            let at = call.callee.start;
            let line = lines.line_of(at) + 1;
            let function = view.function_at(at);
            let helper = call
                .helper
                .as_ref()
                .and_then(|h| family_helpers.get(h))
                .and_then(Option::as_ref);
            let evidence = match request_evidence(&result.findings, &view, &lines, at, function) {
                Some((source, evidence)) => {
                    let (category, what) = match evidence {
                        Evidence::Own(category) => (
                            category,
                            format!("the request carries {} ({})", source.rule, source.category),
                        ),
                        Evidence::Client
                            if super::mentions::declares_namespace(&source.snippet) =>
                        {
                            (
                                helper_call_category(&src, &view, at, function),
                                format!(
                                    "its file declares a package or namespace named after {}",
                                    source.provider
                                ),
                            )
                        }
                        Evidence::Client => (
                            helper_call_category(&src, &view, at, function),
                            format!(
                                "its class holds the {} client's {} ({})",
                                source.provider, source.category, source.rule
                            ),
                        ),
                    };
                    let at_source = RequestSource {
                        provider: source.provider,
                        category,
                        severity: source.severity,
                        replacement: source.replacement.clone(),
                        path: rel.clone(),
                        line: source.line,
                    };
                    (at_source, what)
                }
                None => {
                    let Some(h) = helper else {
                        continue;
                    };
                    let what = format!(
                        "`{}` sends the {} request here",
                        call.helper.as_deref().unwrap_or(""),
                        h.provider
                    );
                    let category = match h.category {
                        Category::Endpoint => helper_call_category(&src, &view, at, function),
                        own => own,
                    };
                    (
                        RequestSource {
                            category,
                            ..h.clone()
                        },
                        what,
                    )
                }
            };
            let (source, what) = evidence;
            let head = request_head(&source, call.helper.as_deref());
            let via = (source.path != rel || source.line != line).then(|| crate::finding::Via {
                path: source.path.clone(),
                line: source.line,
                what,
            });
            if result
                .findings
                .iter()
                .chain(&added)
                .any(|f: &Finding| f.line == line && f.category == head.category)
            {
                continue;
            }
            let mut finding = builder.make(head, &call.callee, function);
            finding.via.extend(via);
            added.push(finding);
        }
        result.findings.extend(added);
        assign_fingerprints(&mut result.findings);
    }
}

/// Where a request call's provider evidence is: in its own statement or function, or in the
/// request helper it calls.
#[derive(Clone)]
struct RequestSource {
    provider: Provider,
    /// What its own request does: `endpoint` for a generic request helper.
    category: Category,
    severity: Severity,
    replacement: String,
    path: String,
    line: usize,
}

/// What a request call finding says.
fn request_head(source: &RequestSource, helper: Option<&str>) -> Head {
    let provider = source.provider;
    let message = match helper {
        Some(h) => format!("Call of `{h}`, the repository's {provider} request helper"),
        None => format!("Request to the {provider} API"),
    };
    Head {
        rule: format!("{}-request-call", provider.id()),
        provider,
        category: source.category,
        severity: source.severity,
        confidence: Confidence::Medium,
        message,
        replacement: source.replacement.clone(),
    }
}

/// The operation a call of a request helper performs, by the path it passes
/// (`this.request("/payment/qr", ...)` is white-label) or else by its function's name.
fn helper_call_category(
    src: &str,
    view: &SyntaxView,
    at: usize,
    function: Option<usize>,
) -> Category {
    let stmt = view.statement_at(at).unwrap_or(at..src.len().min(at + 200));
    let rest = call_arguments(&src[at..stmt.end.max(at)]);
    let path = rest.split(['"', '\'', '`']).nth(1).filter(|p| {
        p.starts_with('/')
            || p.chars()
                .all(|c| c.is_ascii_alphanumeric() || "/-_".contains(c))
    });
    let words: Vec<String> = path
        .map(str::to_string)
        .into_iter()
        .chain(
            function
                .map(|f| view.functions()[f].short_name().to_string())
                .filter(|name| !graph::requests::is_sending_name(name)),
        )
        .collect();
    for w in &words {
        let c = graph::clients::category_of(std::slice::from_ref(w));
        if c != Category::Endpoint {
            return c;
        }
    }
    Category::Endpoint
}

/// The argument list of the call that `text` starts with (callee first), to its closing
/// parenthesis: a path literal later in the statement (`async with session.request(m, url) as
/// r:` and the block under it) is not the call's.
fn call_arguments(text: &str) -> &str {
    let Some(open) = text.find('(') else {
        return text;
    };
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (i, c) in text[open..].char_indices() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'' | '`') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => {
                depth -= 1;
                if depth == 0 {
                    return &text[..open + i + 1];
                }
            }
            _ => {}
        }
    }
    text
}

/// What a request is for, most telling first: the operation its path names; a request known
/// only by its credentials, signing or callback handling goes to the provider's `endpoint`.
const REQUEST_CATEGORIES: [Category; 6] = [
    Category::WhiteLabel,
    Category::StaticAddress,
    Category::InvoiceCreation,
    Category::PaymentLookup,
    Category::Payout,
    Category::Endpoint,
];

/// The provider evidence a request call at `at` carries, and what it says of the call's
/// operation: the findings in its statement, else those of its function, else its client
/// class's or its namespace's.
fn request_evidence<'a>(
    findings: &'a [Finding],
    view: &SyntaxView,
    lines: &LineIndex,
    at: usize,
    function: Option<usize>,
) -> Option<(&'a Finding, Evidence)> {
    let live = findings.iter().filter(|f| f.severity > Severity::Info);
    let stmt = view.statement_at(at).unwrap_or(at..at + 1);
    let (first, last) = (lines.line_of(stmt.start) + 1, lines.line_of(stmt.end) + 1);
    let rank = |f: &&Finding| {
        REQUEST_CATEGORIES
            .iter()
            .position(|c| *c == f.category)
            .unwrap_or(REQUEST_CATEGORIES.len())
    };
    let in_statement = live.clone().filter(|f| f.line >= first && f.line <= last);
    let in_function = |name: &String| {
        live.clone()
            .filter(|f| f.function.as_ref() == Some(name))
            .min_by_key(rank)
    };
    // A file that declares itself part of the provider's namespace (`namespace Vendor\OxaPay\
    // Helpers;`) is the provider's client code, as a file under `oxapay/` is: its HTTP calls
    // are the provider's requests.
    let in_namespace = || {
        live.clone()
            .find(|f| super::mentions::declares_namespace(&f.snippet))
    };
    // A client class that holds the provider's base URL, keys or signing (class 4): each of its
    // methods' requests is the provider's, even one whose method names nothing itself
    // (`return await self(call)` in `get_balance`). It takes the operation its path or its
    // method's name says.
    let in_class = || {
        let class = &view.classes()[view.class_at(at)?];
        let (first, last) = (
            lines.line_of(class.range.start) + 1,
            lines.line_of(class.range.end) + 1,
        );
        live.clone().find(|f| {
            f.line >= first
                && f.line <= last
                && matches!(
                    f.category,
                    Category::Endpoint | Category::Credentials | Category::RequestSigning
                )
        })
    };
    if let Some(f) = in_statement
        .min_by_key(rank)
        .or_else(|| function.and_then(|g| in_function(&view.functions()[g].name)))
    {
        let category = if rank(&f) < REQUEST_CATEGORIES.len() {
            f.category
        } else {
            Category::Endpoint
        };
        return Some((f, Evidence::Own(category)));
    }
    in_class()
        .or_else(in_namespace)
        .map(|f| (f, Evidence::Client))
}

/// What a request call's evidence says about its operation.
enum Evidence {
    /// Its statement or function shows the operation (or only `endpoint`).
    Own(Category),
    /// Only its client class or namespace is the provider's: the operation is the one its path
    /// or its function's name says.
    Client,
}

/// `result` with `via` on the findings `before` (the file's earlier result) did not have: what
/// the graph's edge added says how it was reached.
fn with_provenance(
    mut result: FileResult,
    before: Option<&FileResult>,
    via: &[crate::finding::Via],
) -> FileResult {
    let known: std::collections::HashSet<(usize, &str)> = before
        .map(|r| {
            r.findings
                .iter()
                .map(|f| (f.line, f.rule.as_str()))
                .collect()
        })
        .unwrap_or_default();
    for f in &mut result.findings {
        if !known.contains(&(f.line, f.rule.as_str())) && f.via.is_empty() {
            f.via.extend(via.iter().cloned());
        }
    }
    // Findings another edge derived are not any rule's and survive re-analysis.
    if let Some(before) = before {
        for f in &before.findings {
            if !f.via.is_empty()
                && !result
                    .findings
                    .iter()
                    .any(|g| g.line == f.line && g.rule == f.rule)
            {
                result.findings.push(f.clone());
            }
        }
    }
    result
}

/// A webhook handler the route edge found: its byte range, the target it serves (index into
/// the wanted targets), and the file and 1-based line of its route (0: named elsewhere).
type Handler = (std::ops::Range<usize>, usize, String, usize);

/// Where the provider's callbacks (and responses) arrive: the paths and WooCommerce hooks the
/// callback-config findings' URLs name, and the bot commands provider calls name for their
/// events, each with the finding that names it.
fn callback_targets(
    results: &BTreeMap<String, FileResult>,
    code: &[(Entry, Language)],
) -> Vec<(graph::routes::Target, Finding)> {
    let mut wanted: Vec<(graph::routes::Target, Finding)> = Vec::new();
    for (entry, r) in with_results(results, code) {
        let evidence: Vec<&Finding> = r
            .findings
            .iter()
            .filter(|f| f.severity > Severity::Info && f.category != Category::Other)
            .collect();
        if evidence.is_empty() {
            continue;
        }
        let Ok(src) = crate::encoding::read_to_string(&entry.path) else {
            continue;
        };
        let lines: Vec<&str> = src.lines().collect();
        for f in evidence {
            let line = lines.get(f.line - 1).unwrap_or(&"");
            let mut targets = graph::routes::commands(line);
            if f.category == Category::CallbackConfig {
                targets.extend(graph::routes::targets(line));
            }
            for t in targets {
                if !wanted.iter().any(|(w, _)| *w == t) {
                    wanted.push((t, f.clone()));
                }
            }
        }
    }
    wanted
}

/// The provider graph's route edge: the callback URLs the app sends name paths; the routes
/// registered for them are webhook handlers, analysed again with the handler scoped to the
/// provider, so their status checks, replies and missing signature checks are found.
fn route_handlers(
    rules: &RuleSet,
    results: &mut BTreeMap<String, FileResult>,
    code: &[(Entry, Language)],
    threads: usize,
) {
    use graph::routes::{command_handlers, hook_handlers, registrations, Target};
    let wanted = callback_targets(results, code);
    if wanted.is_empty() {
        return;
    }
    let finder = aho_corasick::AhoCorasick::new(wanted.iter().map(|(t, _)| t.literal()))
        .expect("literals form a valid automaton");
    // Routes live in the same application as the code that sends their URL: the callback
    // file's top-level directory (the whole tree for a file at the root).
    let top = |p: &str| p.split_once('/').map_or("", |(t, _)| t).to_string();
    let tops: Vec<String> = wanted.iter().map(|(_, f)| top(&f.path)).collect();
    // Registrations, with the handlers they name resolved in their own file first.
    let found = crate::par::map(code, threads, |(entry, lang)| {
        if !tops.iter().any(|t| t.is_empty() || *t == top(&entry.rel)) {
            return None;
        }
        let src = crate::encoding::read_to_string(&entry.path).ok()?;
        if !finder.is_match(&src) {
            return None;
        }
        let view = build_view(*lang, &src);
        let lines = LineIndex::new(&src);
        let mut regions: Vec<Handler> = Vec::new();
        let mut names: Vec<(graph::routes::Named, usize)> = Vec::new();
        for (i, (target, _)) in wanted.iter().enumerate() {
            let regs = match target {
                Target::Path(_) => registrations(&src, &view, target),
                Target::Hook(h) => hook_handlers(&src, &view, h),
                Target::Command { name, .. } => command_handlers(&src, name),
            };
            for reg in regs {
                let route_line = lines.line_of(reg.at) + 1;
                if let Some(body) = reg.body {
                    regions.push((body, i, entry.rel.clone(), route_line));
                }
                for name in reg.names {
                    match view
                        .functions()
                        .iter()
                        .find(|f| name.is(&f.name, &entry.rel))
                    {
                        Some(f) => {
                            regions.push((f.range.clone(), i, entry.rel.clone(), route_line))
                        }
                        None => names.push((name, i)),
                    }
                }
            }
        }
        (!regions.is_empty() || !names.is_empty()).then(|| (entry.rel.clone(), regions, names))
    });
    let mut by_file: BTreeMap<String, Vec<Handler>> = BTreeMap::new();
    for (rel, regions, _) in &found {
        by_file
            .entry(rel.clone())
            .or_default()
            .extend(regions.iter().cloned());
    }
    // Handlers named in one file and defined in another (a controller's method).
    let elsewhere: Vec<(graph::routes::Named, usize, String)> = found
        .iter()
        .flat_map(|(rel, _, names)| names.iter().map(move |(n, i)| (n.clone(), *i, rel.clone())))
        .collect();
    if !elsewhere.is_empty() {
        let names =
            aho_corasick::AhoCorasick::new(elsewhere.iter().map(|(n, _, _)| n.name.as_str()))
                .expect("identifiers form a valid automaton");
        let defined = crate::par::map(code, threads, |(entry, lang)| {
            let src = crate::encoding::read_to_string(&entry.path).ok()?;
            if !names.is_match(&src) {
                return None;
            }
            let view = build_view(*lang, &src);
            let hits: Vec<Handler> = elsewhere
                .iter()
                .flat_map(|(name, i, route_file)| {
                    view.functions()
                        .iter()
                        .filter(|f| name.is(&f.name, &entry.rel))
                        .map(|f| (f.range.clone(), *i, route_file.clone(), 0))
                        .collect::<Vec<_>>()
                })
                .collect();
            (!hits.is_empty()).then(|| (entry.rel.clone(), hits))
        });
        for (rel, hits) in defined {
            by_file.entry(rel).or_default().extend(hits);
        }
    }
    let handled: Vec<(&(Entry, Language), Vec<Handler>)> = code
        .iter()
        .filter_map(|file| by_file.remove(&file.0.rel).map(|h| (file, h)))
        .collect();
    let wrappers = WrapperIndex::new(results.values().flat_map(|r| r.defs.clone()).collect());
    let reanalysed = crate::par::map(&handled, threads, |((entry, lang), handlers)| {
        let src = crate::encoding::read_to_string(&entry.path).ok()?;
        let mut lent = Lent::default();
        let mut via = Vec::new();
        for (range, i, route_file, route_line) in handlers {
            let (target, config) = &wanted[*i];
            // Only the handler is the provider's: the file's other routes are the app's.
            lent.regions.push((range.clone(), config.provider));
            if via.is_empty() {
                let lit = target.literal();
                let (named, registered) = match target {
                    Target::Command { webhook, .. } => (
                        if *webhook {
                            format!("callback names command /{lit}")
                        } else {
                            format!("response goes to command /{lit}")
                        },
                        format!("command /{lit} declared here"),
                    ),
                    _ => (
                        format!("callback URL names /{lit}"),
                        format!("route for /{lit} registered here"),
                    ),
                };
                via.push(crate::finding::Via {
                    path: config.path.clone(),
                    line: config.line,
                    what: named,
                });
                if *route_line > 0 {
                    via.push(crate::finding::Via {
                        path: route_file.clone(),
                        line: *route_line,
                        what: registered,
                    });
                }
            }
        }
        let mut result = analyze_linked(rules, &entry.rel, *lang, &src, &wrappers, &lent);
        unverified_handlers(&mut result, &entry.rel, *lang, &src, handlers, &wanted);
        Some((
            entry.rel.clone(),
            with_provenance(result, results.get(&entry.rel), &via),
        ))
    });
    results.extend(reanalysed);
}

/// The provider operations a client function performs, most telling first: its callers
/// elsewhere are touchpoints of that operation.
const CALLED_CATEGORIES: [Category; 5] = [
    Category::WhiteLabel,
    Category::StaticAddress,
    Category::InvoiceCreation,
    Category::PaymentLookup,
    Category::Payout,
];

/// The provider graph's call edge: a function of a provider client module (a file that holds
/// the provider's host, keys or signing) whose findings name an operation (`lookup` sends a
/// payment-info request) is a touchpoint wherever a file that imports the module calls it,
/// even when neither file is named after the provider. The app's own services that call such
/// a client are not clients themselves: their callers are not reported.
fn imported_calls(
    results: &mut BTreeMap<String, FileResult>,
    code: &[(Entry, Language)],
    threads: usize,
) {
    // (short name, defining file, its best finding)
    let mut defs: Vec<(String, String, Finding)> = Vec::new();
    for (entry, r) in with_results(results, code) {
        if !is_client(r) {
            continue;
        }
        let mut by_fn: BTreeMap<&str, &Finding> = BTreeMap::new();
        for f in r.findings.iter().filter(|f| f.severity > Severity::Info) {
            let (Some(name), Some(rank)) = (
                f.function.as_deref(),
                CALLED_CATEGORIES.iter().position(|c| *c == f.category),
            ) else {
                continue;
            };
            let better = by_fn.get(name).is_none_or(|g| {
                CALLED_CATEGORIES.iter().position(|c| *c == g.category) > Some(rank)
            });
            if better {
                by_fn.insert(name, f);
            }
        }
        for (name, f) in by_fn {
            let short = name.rsplit('.').next().unwrap_or(name);
            if short.len() >= 4 && !context::COMMON_NAMES.contains(&short) {
                defs.push((short.to_string(), entry.rel.clone(), f.clone()));
            }
        }
    }
    if defs.is_empty() {
        return;
    }
    let names = aho_corasick::AhoCorasick::new(defs.iter().map(|(n, _, _)| n.as_str()))
        .expect("identifiers form a valid automaton");
    let index = graph::imports::FileIndex::new(code.iter().map(|(e, _)| e.rel.clone()));
    let found = revisit(code, threads, &names, &index, |file| {
        let mut out = Vec::new();
        for (name, path, def) in defs.iter().filter(|(_, p, _)| file.imported.contains(p)) {
            let callee = graph::symbols::uses(
                &file.src,
                &file.view,
                name,
                graph::symbols::Kind::Identifier,
            );
            for at in callee {
                let defines = file.view.functions().iter().any(|f| f.name_at == at);
                if defines || !file.src[at + name.len()..].trim_start().starts_with('(') {
                    continue;
                }
                let head = Head {
                    rule: format!("{}-imported-call", def.provider.id()),
                    provider: def.provider,
                    category: def.category,
                    severity: def.severity,
                    confidence: Confidence::Medium,
                    message: format!(
                        "Calls `{name}` ({path}), which does {} {} work",
                        def.provider, def.category
                    ),
                    replacement: def.replacement.clone(),
                };
                let mut finding =
                    file.builder()
                        .make(head, &(at..at + name.len()), file.view.function_at(at));
                finding.via.push(crate::finding::Via {
                    path: path.clone(),
                    line: def.line,
                    what: format!("`{name}` does {} ({})", def.category, def.rule),
                });
                out.push(finding);
            }
        }
        out
    });
    merge_derived(results, found, |_, _| true);
}

/// A name that stands for a provider client in some files: a class of a client module, or a
/// name imported from a module whose specifier names the provider (an SDK package, the app's
/// `./oxapay` module).
struct ClientRoot {
    name: String,
    provider: Provider,
    /// The client module that defines it, if the repository does.
    defined_in: Option<String>,
}

/// The provider graph's client edge: operation calls through a provider client object, in any
/// file that imports the client (`client.payouts.getInfo(...)` in a test, `$cryptomus->
/// payment()->create(...)` in a controller), categorised by the operation they name.
fn client_calls(
    rules: &RuleSet,
    results: &mut BTreeMap<String, FileResult>,
    code: &[(Entry, Language)],
    threads: usize,
) {
    use graph::clients::{bound, calls, category_of, imported_names};
    // Classes of client modules (they hold the base URL, keys or signing), and what their
    // methods do.
    let mut roots: Vec<ClientRoot> = Vec::new();
    let mut methods: BTreeMap<String, Category> = BTreeMap::new();
    for (entry, r) in with_results(results, code) {
        let live = || r.findings.iter().filter(|f| f.severity > Severity::Info);
        if !is_client(r) {
            continue;
        }
        for f in live() {
            let Some((class, method)) = f.function.as_deref().and_then(|n| n.rsplit_once('.'))
            else {
                continue;
            };
            // The class itself holds the base URL or keys: a signing utility is not a client.
            let holds = matches!(f.category, Category::Endpoint | Category::Credentials);
            if holds && class.len() >= 4 && !roots.iter().any(|r| r.name == class) {
                roots.push(ClientRoot {
                    name: class.to_string(),
                    provider: f.provider,
                    defined_in: Some(entry.rel.clone()),
                });
            }
            if REQUEST_CATEGORIES.contains(&f.category) && f.category != Category::Endpoint {
                methods.entry(method.to_string()).or_insert(f.category);
            }
        }
    }
    let index = graph::imports::FileIndex::new(code.iter().map(|(e, _)| e.rel.clone()));
    let mut needles: Vec<String> = roots.iter().map(|r| r.name.clone()).collect();
    needles.extend(Provider::ALL.iter().map(|p| p.id().to_string()));
    let finder = aho_corasick::AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .build(&needles)
        .expect("names form a valid automaton");
    let found = revisit(code, threads, &finder, &index, |file| {
        let (entry, lang, src, imported) = (file.entry, &file.lang, &file.src, &file.imported);
        // (name, provider, line of its import or definition)
        let mut mine: Vec<(String, Provider, usize)> = roots
            .iter()
            .filter(|r| {
                r.defined_in
                    .as_ref()
                    .is_some_and(|d| *d == entry.rel || imported.contains(d))
            })
            .map(|r| (r.name.clone(), r.provider, 0))
            .collect();
        let text_lines: Vec<&str> = src.lines().collect();
        for import in graph::imports::imports(*lang, src) {
            let spec = import.spec.to_ascii_lowercase();
            let Some(provider) = Provider::ALL.into_iter().find(|p| spec.contains(p.id())) else {
                continue;
            };
            // A module of this repository is a client only if it holds the provider's base URL
            // or keys (the roots above); a provider-named package path alone is not one.
            if !index.resolve(&entry.rel, *lang, &import).is_empty() {
                continue;
            }
            let line = text_lines.get(import.line).copied().unwrap_or("");
            for name in imported_names(line) {
                if !mine.iter().any(|(n, _, _)| *n == name) {
                    mine.push((name, provider, import.line + 1));
                }
            }
        }
        let (view, builder) = (&file.view, file.builder());
        let mut out = Vec::new();
        for (root, provider, origin) in &mine {
            let names = bound(src, std::slice::from_ref(root));
            for call in calls(src, view, &names) {
                let method = call.chain.last().map_or("", String::as_str);
                let category = methods
                    .get(method)
                    .copied()
                    .unwrap_or_else(|| category_of(&call.chain));
                let replacement = replacement_for(rules.rules(), *provider, category);
                let head = Head {
                    rule: format!("{}-client-call", provider.id()),
                    provider: *provider,
                    category,
                    severity: if category == Category::Endpoint {
                        Severity::Warning
                    } else {
                        Severity::Error
                    },
                    confidence: Confidence::Medium,
                    message: format!("{} client operation `{}`", provider, call.chain.join(".")),
                    replacement,
                };
                let at = call.method_at;
                let mut finding =
                    builder.make(head, &(at..at + method.len()), view.function_at(at));
                if *origin > 0 {
                    finding.via.push(crate::finding::Via {
                        path: entry.rel.clone(),
                        line: *origin,
                        what: format!("`{root}` is imported from a {provider} module here"),
                    });
                } else if let Some(def) = roots.iter().find(|r| r.name == *root) {
                    finding.via.push(crate::finding::Via {
                        path: def.defined_in.clone().unwrap_or_default(),
                        line: 1,
                        what: format!("`{root}` is a {provider} client class"),
                    });
                }
                out.push(finding);
            }
        }
        out
    });
    merge_derived(results, found, |_, _| true);
}

/// A webhook handler reached by the callback URL with no signature check in it is the riskiest
/// touchpoint there is: anyone who finds the route can mark orders paid. It is reported on the
/// route (or, for a handler named elsewhere, on the handler's first line).
fn unverified_handlers(
    result: &mut FileResult,
    rel: &str,
    lang: Language,
    src: &str,
    handlers: &[Handler],
    wanted: &[(graph::routes::Target, Finding)],
) {
    let view = build_view(lang, src);
    let lines = LineIndex::new(src);
    let builder = FindingBuilder {
        rel,
        src,
        view: &view,
        lines: &lines,
    };
    for (range, i, route_file, route_line) in handlers {
        let (first, last) = (lines.line_of(range.start) + 1, lines.line_of(range.end) + 1);
        let verifies = result.findings.iter().any(|f| {
            f.category == Category::CallbackVerification && f.line >= first && f.line <= last
        });
        let (target, config) = &wanted[*i];
        if verifies
            || !target.is_webhook()
            || result
                .findings
                .iter()
                .all(|f| f.provider != config.provider)
        {
            continue;
        }
        // A command's declaration is a comment header: the report goes on its first statement.
        let declared_in_code = !matches!(wanted[*i].0, graph::routes::Target::Command { .. });
        let at = if route_file == rel && *route_line > 0 && declared_in_code {
            lines.line_range(src, route_line - 1).start
        } else {
            range.start
        };
        let at = at + (src[at..].len() - src[at..].trim_start().len());
        let (check, replacement) = match config.provider {
            Provider::Oxapay => (
                "the HMAC header (HMAC-SHA512 of the raw body)",
                "Verify every callback before trusting it: HMAC-SHA512 of the raw body against the HMAC header for legacy OxaPay, x-makepay-signature (HMAC-SHA256 over \"{t}.{raw body}\") for MakePay.",
            ),
            Provider::Cryptomus => (
                "the body's sign (MD5 of base64 JSON plus the key)",
                "Verify every webhook before trusting it: the body's sign for legacy Cryptomus, x-makepay-signature (HMAC-SHA256 over \"{t}.{raw body}\") for MakePay.",
            ),
        };
        let head = Head {
            rule: format!("{}-unverified-webhook-route", config.provider.id()),
            provider: config.provider,
            category: Category::CallbackVerification,
            severity: Severity::Error,
            confidence: Confidence::Medium,
            message: format!(
                "Webhook handler for the {} callback URL never checks {check}",
                config.provider
            ),
            replacement: replacement.to_string(),
        };
        let end = src[at..].find('\n').map_or(src.len(), |i| at + i);
        let function = view.function_at(at);
        let finding = builder.make(head, &(at..end), function);
        if !result
            .findings
            .iter()
            .any(|f| f.line == finding.line && f.category == finding.category)
        {
            result.findings.push(finding);
        }
    }
    assign_fingerprints(&mut result.findings);
}
