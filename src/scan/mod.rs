//! The scan: walk the tree, prefilter each file on the anchor literals, match the rules on the
//! files that hit, gate them by provider context, and return sorted [`Finding`]s.
//!
//! Two passes: the first finds the repo's own provider wrappers (functions in a module or class
//! named after the provider); the second revisits the files that hit the prefilter and mention
//! a wrapper's name, because the functions calling a wrapper never name the provider. A caller
//! file names it still, in the import or the type of the wrapper it uses, so files that miss
//! the prefilter are never read twice.

pub mod context;
mod matcher;
mod progress;

pub use matcher::{candidates, candidates_within, Candidate, FileText, Within};

use crate::finding::{Category, Confidence, Finding, Provider, Severity};
use crate::graph;
use crate::lang::{build_view, Language, SyntaxView};
use crate::rules::{Rule, RuleSet};
use crate::text::LineIndex;
use crate::walk::{self, Entry, Skip, SkipCounts, WalkOptions};
use context::{gate, generic_ranges, wrapper_defs, Opened, WrapperDef, WrapperIndex};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// What to scan and how.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub paths: Vec<PathBuf>,
    pub walk: WalkOptions,
    pub min_confidence: Confidence,
    /// Show a spinner on stderr when it is a terminal and the scan takes a while.
    pub progress: bool,
}

/// The result of a scan: the public JSON contract's payload.
#[derive(Debug, Serialize)]
pub struct ScanOutcome {
    pub root: String,
    pub findings: Vec<Finding>,
    pub summary: Summary,
}

#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub files_scanned: usize,
    /// Files that hit the anchor prefilter (or call a provider wrapper).
    pub files_matched: usize,
    pub findings: usize,
    pub by_provider: BTreeMap<Provider, usize>,
    pub by_category: BTreeMap<Category, usize>,
    pub by_severity: BTreeMap<Severity, usize>,
    pub skipped: Skipped,
    /// Files that could not be read and walker errors, one line each.
    pub warnings: Vec<String>,
}

#[derive(Debug, Default, Serialize)]
pub struct Skipped {
    pub binary: usize,
    pub too_large: usize,
    pub non_utf8: usize,
    pub unreadable: usize,
}

thread_local! {
    /// One read buffer per walker thread, reused for every file it reads.
    static READ_BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Bound on the wrapper fixpoint inside one file (each round adds at least one wrapper).
const MAX_LOCAL_WRAPPERS: usize = 64;

/// Passes over the files that call wrappers; later passes run only when the previous one
/// changed what a wrapper is.
const WRAPPER_ROUNDS: usize = 3;

/// One analysed file's contribution.
struct FileResult {
    findings: Vec<Finding>,
    defs: Vec<WrapperDef>,
}

/// Runs a scan over `opts.paths` with `rules`.
pub fn scan(rules: &RuleSet, opts: &ScanOptions) -> anyhow::Result<ScanOutcome> {
    for p in &opts.paths {
        if !p.exists() {
            anyhow::bail!("{}: no such file or directory", p.display());
        }
    }
    let base = scan_base(&opts.paths);
    let skips = SkipCounts::default();
    let scanned = AtomicUsize::new(0);
    let warnings = Mutex::new(Vec::new());
    let results: Mutex<BTreeMap<String, FileResult>> = Mutex::new(BTreeMap::new());
    let hit_files: Mutex<Vec<(Entry, Language)>> = Mutex::new(Vec::new());
    // Code files that missed the prefilter: only the provider graph may read them again.
    let other_code: Mutex<Vec<(Entry, Language)>> = Mutex::new(Vec::new());
    let progress = progress::Progress::new(opts.progress);
    let no_wrappers = WrapperIndex::new(Vec::new());

    let visit = |entry: Entry| {
        progress.tick();
        READ_BUFFER.with_borrow_mut(|buf| {
            if let Err(skip) = walk::read_into(&entry, opts.walk.max_filesize, buf) {
                note_skip(&entry, skip, &skips, &warnings);
                return;
            }
            // The prefilter reads raw bytes; only a file that hits must be valid UTF-8 text.
            if !rules.prefilter_hit(&entry.rel, buf) {
                scanned.fetch_add(1, Ordering::Relaxed);
                let lang = walk::language_of(&entry, buf);
                if lang.is_code() {
                    other_code.lock().unwrap().push((entry, lang));
                }
                return;
            }
            let Ok(src) = std::str::from_utf8(buf) else {
                note_skip(&entry, Skip::NonUtf8, &skips, &warnings);
                return;
            };
            scanned.fetch_add(1, Ordering::Relaxed);
            let lang = walk::language_of(&entry, buf);
            // In a lockfile only dependency rules run, and they name the provider's package:
            // an integrity hash that spells `sha512` is no reason to read 5 MB of JSON.
            if lang == Language::Lockfile && context::named_by_text(buf).is_empty() {
                return;
            }
            if lang.is_code() {
                hit_files.lock().unwrap().push((entry.clone(), lang));
            }
            let result = analyze(rules, &entry.rel, lang, src, &no_wrappers);
            results.lock().unwrap().insert(entry.rel, result);
        });
    };
    let on_error = |e: String| warnings.lock().unwrap().push(e);
    walk::walk(&opts.paths, &base, &opts.walk, &visit, &on_error)?;

    let mut results = results.into_inner().unwrap();
    let files = hit_files.into_inner().unwrap();
    // The first pass judges each wrapper by its own file alone; revisited with the other
    // files' wrappers known, a wrapper may turn out to do more (a poller that only seemed to
    // map statuses calls the client's payment lookup). Its callers are then revisited with
    // the refined wrappers, a few rounds at most.
    let mut defs: Vec<WrapperDef> = results.values().flat_map(|r| r.defs.clone()).collect();
    for _ in 0..WRAPPER_ROUNDS {
        if defs.is_empty() {
            break;
        }
        let wrappers = WrapperIndex::new(defs.clone());
        results.extend(revisit_callers(rules, &wrappers, &files, opts.walk.threads));
        let refined: Vec<WrapperDef> = results.values().flat_map(|r| r.defs.clone()).collect();
        if refined == defs {
            break;
        }
        defs = refined;
    }
    // The graph's passes keep the first of equal candidates, so their input is in path order:
    // output must not depend on which walker thread saw a file first.
    let mut code = files;
    code.extend(other_code.into_inner().unwrap());
    code.sort_by(|a, b| a.0.rel.cmp(&b.0.rel));
    let hit: Vec<&str> = code
        .iter()
        .map(|(e, _)| e.rel.as_str())
        .filter(|rel| {
            results
                .get(*rel)
                .is_some_and(|r| r.findings.iter().any(|f| f.severity > Severity::Info))
        })
        .collect();
    if !hit.is_empty() {
        let near = graph::nearby(&code, &hit, opts.walk.threads);
        let threads = opts.walk.threads;
        relink(rules, &mut results, &near, threads);
        route_handlers(rules, &mut results, &code, threads);
        symbol_uses(&mut results, &near, threads);
        request_calls(&mut results, &near, threads);
        imported_calls(&mut results, &near, threads);
        client_calls(rules, &mut results, &near, threads);
    }
    progress.finish();

    let files_matched = results.len();
    let mut findings: Vec<Finding> = results
        .into_values()
        .flat_map(|r| r.findings)
        .filter(|f| f.confidence >= opts.min_confidence)
        .collect();
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));

    let mut warnings = warnings.into_inner().unwrap();
    warnings.sort();
    let summary = Summary {
        files_scanned: scanned.load(Ordering::Relaxed),
        files_matched,
        findings: findings.len(),
        by_provider: count_by(&findings, |f| f.provider),
        by_category: count_by(&findings, |f| f.category),
        by_severity: count_by(&findings, |f| f.severity),
        skipped: Skipped {
            binary: skips.get(Skip::Binary),
            too_large: skips.get(Skip::TooLarge),
            non_utf8: skips.get(Skip::NonUtf8),
            unreadable: skips.get(Skip::Unreadable),
        },
        warnings,
    };
    Ok(ScanOutcome {
        root: display_root(&opts.paths),
        findings,
        summary,
    })
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
        let src = std::fs::read_to_string(&entry.path).ok()?;
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
    for (entry, _) in code {
        let Some(r) = results.get(&entry.rel) else {
            continue;
        };
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
        let Ok(src) = std::fs::read_to_string(&entry.path) else {
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

impl Revisited<'_> {
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
        let src = std::fs::read_to_string(&entry.path).ok()?;
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
        let result = results.entry(rel).or_insert_with(|| FileResult {
            findings: Vec::new(),
            defs: Vec::new(),
        });
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
/// function, carries provider evidence; they take that evidence's category.
fn request_calls(
    results: &mut BTreeMap<String, FileResult>,
    code: &[(Entry, Language)],
    threads: usize,
) {
    let provider_files: Vec<&(Entry, Language)> = code
        .iter()
        .filter(|(e, _)| {
            results
                .get(&e.rel)
                .is_some_and(|r| r.findings.iter().any(|f| f.severity > Severity::Info))
        })
        .collect();
    let parsed = crate::par::map(&provider_files, threads, |(entry, lang)| {
        let src = std::fs::read_to_string(&entry.path).ok()?;
        let view = build_view(*lang, &src);
        let calls = graph::requests::library_calls(*lang, &src, &view);
        Some((entry.rel.clone(), *lang, src, view, calls))
    });
    let mut helpers: BTreeMap<Language, Vec<String>> = BTreeMap::new();
    for (_, lang, _, view, calls) in &parsed {
        for call in calls {
            if let Some(f) = view.function_at(call.callee.start) {
                let name = view.functions()[f].short_name().to_string();
                let names = helpers.entry(lang.family()).or_default();
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
    }
    for (rel, lang, src, view, mut calls) in parsed {
        let family_helpers = helpers.get(&lang.family()).map_or(&[][..], Vec::as_slice);
        calls.extend(graph::requests::helper_calls(&src, &view, family_helpers));
        let Some(result) = results.get_mut(&rel) else {
            continue;
        };
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
            let Some((source, category)) =
                request_evidence(&result.findings, &view, &lines, at, function)
            else {
                continue;
            };
            if result
                .findings
                .iter()
                .chain(&added)
                .any(|f: &Finding| f.line == line && f.category == category)
            {
                continue;
            }
            let message = match &call.helper {
                Some(h) => format!(
                    "Call of `{h}`, the repository's {} request helper",
                    source.provider
                ),
                None => format!("Request to the {} API", source.provider),
            };
            let head = Head {
                rule: format!("{}-request-call", source.provider.id()),
                provider: source.provider,
                category,
                severity: source.severity,
                confidence: Confidence::Medium,
                message,
                replacement: source.replacement.clone(),
            };
            let mut finding = builder.make(head, &call.callee, function);
            if source.line != line {
                finding.via.push(crate::finding::Via {
                    path: rel.clone(),
                    line: source.line,
                    what: format!("the request carries {} ({})", source.rule, source.category),
                });
            }
            added.push(finding);
        }
        result.findings.extend(added);
        assign_fingerprints(&mut result.findings);
    }
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

/// The provider evidence a request call at `at` carries, with the category the call takes: the
/// findings in its statement, else those of its function.
fn request_evidence<'a>(
    findings: &'a [Finding],
    view: &SyntaxView,
    lines: &LineIndex,
    at: usize,
    function: Option<usize>,
) -> Option<(&'a Finding, Category)> {
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
    let best = match in_statement.min_by_key(rank) {
        Some(f) => f,
        None => {
            let name = &view.functions()[function?].name;
            live.filter(|f| f.function.as_ref() == Some(name))
                .min_by_key(rank)?
        }
    };
    let category = if rank(&best) < REQUEST_CATEGORIES.len() {
        best.category
    } else {
        Category::Endpoint
    };
    Some((best, category))
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

/// Where the provider's callbacks arrive: the paths (and WooCommerce hooks) the callback-config
/// findings' URLs name, each with the finding that names it.
fn callback_targets(
    results: &BTreeMap<String, FileResult>,
    code: &[(Entry, Language)],
) -> Vec<(graph::routes::Target, Finding)> {
    let mut wanted: Vec<(graph::routes::Target, Finding)> = Vec::new();
    for (entry, _) in code {
        let Some(r) = results.get(&entry.rel) else {
            continue;
        };
        let config: Vec<&Finding> = r
            .findings
            .iter()
            .filter(|f| f.severity > Severity::Info && f.category == Category::CallbackConfig)
            .collect();
        if config.is_empty() {
            continue;
        }
        let Ok(src) = std::fs::read_to_string(&entry.path) else {
            continue;
        };
        let lines: Vec<&str> = src.lines().collect();
        for f in config {
            for t in graph::routes::targets(lines.get(f.line - 1).unwrap_or(&"")) {
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
    use graph::routes::{hook_handlers, registrations, Target};
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
        let src = std::fs::read_to_string(&entry.path).ok()?;
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
            let src = std::fs::read_to_string(&entry.path).ok()?;
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
        let src = std::fs::read_to_string(&entry.path).ok()?;
        let mut lent = Lent::default();
        let mut via = Vec::new();
        for (range, i, route_file, route_line) in handlers {
            let (target, config) = &wanted[*i];
            // Only the handler is the provider's: the file's other routes are the app's.
            lent.regions.push((range.clone(), config.provider));
            if via.is_empty() {
                via.push(crate::finding::Via {
                    path: config.path.clone(),
                    line: config.line,
                    what: format!("callback URL names /{}", target.literal()),
                });
                if *route_line > 0 {
                    via.push(crate::finding::Via {
                        path: route_file.clone(),
                        line: *route_line,
                        what: format!("route for /{} registered here", target.literal()),
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
    for (entry, _) in code {
        let Some(r) = results.get(&entry.rel) else {
            continue;
        };
        // A client holds the provider's base URL, keys or signing (issue's class 4).
        let client = r.findings.iter().any(|f| {
            f.severity > Severity::Info
                && matches!(
                    f.category,
                    Category::Endpoint | Category::Credentials | Category::RequestSigning
                )
        });
        if !client {
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
    for (entry, _) in code {
        let Some(r) = results.get(&entry.rel) else {
            continue;
        };
        let live = || r.findings.iter().filter(|f| f.severity > Severity::Info);
        let client = live().any(|f| {
            matches!(
                f.category,
                Category::Endpoint | Category::Credentials | Category::RequestSigning
            )
        });
        if !client {
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
                let replacement = rules
                    .rules()
                    .iter()
                    .find(|r| r.provider == *provider && r.category == category)
                    .map(|r| r.replacement.clone())
                    .unwrap_or_default();
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
        let config = &wanted[*i].1;
        if verifies
            || result
                .findings
                .iter()
                .all(|f| f.provider != config.provider)
        {
            continue;
        }
        let at = if route_file == rel && *route_line > 0 {
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

/// Counts a file that was not scanned, and names it when it could not even be read.
fn note_skip(entry: &Entry, skip: Skip, skips: &SkipCounts, warnings: &Mutex<Vec<String>>) {
    skips.count(skip);
    if skip == Skip::Unreadable {
        warnings
            .lock()
            .unwrap()
            .push(format!("{}: cannot be read", entry.rel));
    }
}

/// Second pass: files that mention a wrapper's name are analysed again with the wrappers known.
fn revisit_callers(
    rules: &RuleSet,
    wrappers: &WrapperIndex,
    files: &[(Entry, Language)],
    threads: usize,
) -> Vec<(String, FileResult)> {
    let names = aho_corasick::AhoCorasick::new(&wrappers.literals)
        .expect("identifier literals always build");
    crate::par::map(files, threads, |(entry, lang)| {
        if !wrappers.serves(*lang) {
            return None;
        }
        let bytes = std::fs::read(&entry.path).ok()?;
        if !wrappers.names_foreign(&entry.rel, &bytes, &names) {
            return None;
        }
        let src = std::str::from_utf8(&bytes).ok()?;
        let result = analyze(rules, &entry.rel, *lang, src, wrappers);
        Some((entry.rel.clone(), result))
    })
}

/// Matches, gates and builds findings for one file.
fn analyze(
    rules: &RuleSet,
    rel: &str,
    lang: Language,
    src: &str,
    wrappers: &WrapperIndex,
) -> FileResult {
    analyze_linked(rules, rel, lang, src, wrappers, &Lent::default())
}

/// What the provider graph lends a file it reached along an edge.
#[derive(Debug, Clone, Default)]
struct Lent {
    /// Providers of the files it imports or is imported by, or whose callbacks it handles:
    /// their medium terms count as in a file whose path names the provider.
    providers: Vec<Provider>,
    /// Byte ranges that are the provider's code (webhook handlers reached by route): generic
    /// terms count there as in a function that names the provider.
    regions: Vec<(std::ops::Range<usize>, Provider)>,
}

/// [`analyze`] with what the provider graph lends the file.
fn analyze_linked(
    rules: &RuleSet,
    rel: &str,
    lang: Language,
    src: &str,
    wrappers: &WrapperIndex,
    lent: &Lent,
) -> FileResult {
    let view = build_view(lang, src);
    let lines = LineIndex::new(src);
    let present = rules.present_in(src.as_bytes());
    let file = FileText {
        path: rel,
        src,
        lang,
        view: &view,
        lines: &lines,
        present: &present,
    };
    let all = rules.rules();
    // Medium and generic terms only ever count next to an anchor (even one in a comment, which
    // lends its own line context), in a file whose path names a provider, or near a wrapper
    // call: without any, matching them is wasted work (and on a big file, a lot of it).
    let mut cands = candidates(all, &file, |r| {
        r.applies_to(lang) && r.confidence == Confidence::High
    });
    let mut named = context::named_by_path(rel);
    named.extend(
        lent.providers
            .iter()
            .filter(|p| !named.contains(p))
            .collect::<Vec<_>>(),
    );
    let anchored = !cands.is_empty() || !named.is_empty() || !lent.regions.is_empty();
    let called = wrappers.serves(lang) && wrappers.called_in(src);
    let in_context = anchored || called;
    if in_context {
        cands.extend(candidates(all, &file, |r| {
            r.applies_to(lang) && r.confidence == Confidence::Medium
        }));
        cands.sort_by_key(|c| (c.span.start, c.rule));
    }
    let is_generic = |r: &Rule| r.applies_to(lang) && r.confidence == Confidence::Low;
    // Generic terms count only where the other evidence scopes them, so they are matched only
    // there; the place grows with the wrapper calls each round finds.
    let mut generic: Vec<Candidate> = Vec::new();
    let mut generic_within: Vec<std::ops::Range<usize>> = Vec::new();

    // Wrappers this file defines can be called from this file too (a module function around a
    // client method): grow them to a fixpoint, a few rounds at most.
    let mut local: Vec<WrapperDef> = Vec::new();
    let (index, calls, gated) = loop {
        let index = WrapperIndex::new(wrappers.defs.iter().chain(&local).cloned().collect());
        let calls = if index.serves(lang) {
            index.calls(rel, src, lang, &view, &lines)
        } else {
            Vec::new()
        };
        let opened = Opened::new(
            all,
            &cands,
            &calls,
            &index.defs,
            &view,
            &named,
            &lent.regions,
        );
        if in_context {
            let within = generic_ranges(&opened, &view, src, &lines);
            if within != generic_within {
                let present = rules.present_within(src.as_bytes(), &within);
                let place = Within {
                    ranges: &within,
                    present: &present,
                };
                generic = candidates_within(all, &file, is_generic, &place);
                generic_within = within;
            }
        }
        let mut round: Vec<Candidate> = cands.iter().chain(&generic).cloned().collect();
        round.sort_by_key(|c| (c.span.start, c.rule));
        let gated = gate(all, round, &opened, &view);
        let found = wrapper_defs(all, &gated, &calls, &index.defs, &view, rel, lang, &lines);
        let grown = found.len() > local.len();
        local = found;
        if !grown || local.len() > MAX_LOCAL_WRAPPERS {
            break (index, calls, gated);
        }
    };

    let builder = FindingBuilder {
        rel,
        src,
        view: &view,
        lines: &lines,
    };
    let mut findings: Vec<Finding> = gated
        .kept
        .iter()
        .map(|(c, severity)| builder.rule_finding(&all[c.rule], c, *severity))
        .collect();
    // A call from another file is a touchpoint the migration must change; a call inside the
    // wrapper's own file is reported only where the calling function shows nothing else, or
    // where the handler gates on it or maps statuses through it (`if (! $this->
    // hasValidSignature($payload))`, `before_action :verify_source_ip`, `apply_status(invoice,
    // payload["status"])`): the dual run must widen exactly those to MakePay's signature and
    // normalized states.
    let mut seen: std::collections::HashSet<(usize, Category)> =
        findings.iter().map(|f| (f.line, f.category)).collect();
    let busy: std::collections::HashSet<Option<usize>> =
        gated.kept.iter().map(|(c, _)| c.function).collect();
    for call in &calls {
        let def = &index.defs[call.def];
        let foreign = def.path != rel;
        let handler_step = matches!(
            def.category,
            Category::CallbackVerification | Category::IpAllowlist | Category::StatusHandling
        );
        if (foreign || handler_step || !busy.contains(&call.function))
            && seen.insert((call.line + 1, def.category))
        {
            findings.push(builder.call_finding(def, call));
        }
    }
    drop_redundant_other(&mut findings);
    assign_fingerprints(&mut findings);
    FileResult {
        findings,
        defs: local,
    }
}

struct FindingBuilder<'a> {
    rel: &'a str,
    src: &'a str,
    view: &'a SyntaxView,
    lines: &'a LineIndex,
}

/// What a finding says, independent of where it is.
struct Head {
    rule: String,
    provider: Provider,
    category: Category,
    severity: Severity,
    confidence: Confidence,
    message: String,
    replacement: String,
}

impl FindingBuilder<'_> {
    /// Where the finding ends: the end of the statement (or compound statement's header) its
    /// token is in, so a multi-line call or payload is one finding wherever the token sits;
    /// trailing blanks and the `{` or `:` that opens a block are not part of it.
    fn statement_end(&self, span: &std::ops::Range<usize>) -> usize {
        let Some(stmt) = self.view.statement_at(span.start) else {
            return span.end;
        };
        let text = self.src[..stmt.end].trim_end_matches(|c: char| c.is_whitespace() || c == '{');
        span.end.max(text.len())
    }

    fn make(&self, head: Head, span: &std::ops::Range<usize>, function: Option<usize>) -> Finding {
        let (line, column) = self.lines.position(self.src, span.start);
        let end = self.statement_end(span);
        let (end_line, end_column) = self.lines.position(self.src, end);
        let snippet = self.src[self.lines.line_range(self.src, line - 1)].trim();
        // Keys must not travel into CI logs, SARIF uploads or agent briefs.
        let snippet = match head.category {
            Category::Credentials | Category::Payout => {
                crate::redact::redact_key(snippet).unwrap_or_else(|| snippet.to_string())
            }
            _ => snippet.to_string(),
        };
        Finding {
            rule: head.rule,
            provider: head.provider,
            category: head.category,
            severity: head.severity,
            confidence: head.confidence,
            path: self.rel.to_string(),
            line,
            column,
            end_line,
            end_column,
            function: function.map(|f| self.view.functions()[f].name.clone()),
            snippet,
            message: head.message,
            replacement: head.replacement,
            fingerprint: String::new(),
            via: Vec::new(),
        }
    }

    fn rule_finding(&self, rule: &Rule, c: &Candidate, severity: Severity) -> Finding {
        let head = Head {
            rule: rule.id.clone(),
            provider: rule.provider,
            category: rule.category,
            severity,
            confidence: rule.confidence,
            message: rule.message.clone(),
            replacement: rule.replacement.clone(),
        };
        self.make(head, &c.span, c.function)
    }

    fn call_finding(&self, def: &WrapperDef, call: &context::WrapperCall) -> Finding {
        let head = Head {
            rule: format!("{}-wrapper-call", def.provider.id()),
            provider: def.provider,
            category: def.category,
            severity: def.severity,
            confidence: Confidence::Medium,
            message: format!(
                "calls `{}`, the repository's {} wrapper ({}:{})",
                def.qualified, def.provider, def.path, def.line
            ),
            replacement: def.replacement.clone(),
        };
        self.make(head, &call.span, call.function)
    }
}

/// `other` is the fallback category ("names the provider"); on a line that already says what it
/// does for the same provider, it only repeats it.
fn drop_redundant_other(findings: &mut Vec<Finding>) {
    let specific: std::collections::HashSet<(usize, Provider)> = findings
        .iter()
        .filter(|f| f.category != Category::Other && f.severity > Severity::Info)
        .map(|f| (f.line, f.provider))
        .collect();
    findings.retain(|f| f.category != Category::Other || !specific.contains(&(f.line, f.provider)));
}

/// Fingerprints hash what a finding is, not where: rule, path, function, whitespace-normalised
/// snippet and the occurrence index among identical tuples, so moving code does not churn them.
fn assign_fingerprints(findings: &mut [Finding]) {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let mut seen: HashMap<(String, Option<String>, String), usize> = HashMap::new();
    for f in findings.iter_mut() {
        let snippet = f.snippet.split_whitespace().collect::<Vec<_>>().join(" ");
        let key = (f.rule.clone(), f.function.clone(), snippet);
        let occurrence = seen.entry(key.clone()).or_insert(0);
        let mut h = Sha256::new();
        for part in [
            key.0.as_str(),
            &f.path,
            key.1.as_deref().unwrap_or(""),
            &key.2,
            &occurrence.to_string(),
        ] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        *occurrence += 1;
        f.fingerprint = h.finalize()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
    }
}

fn count_by<K: Ord>(findings: &[Finding], key: impl Fn(&Finding) -> K) -> BTreeMap<K, usize> {
    let mut m = BTreeMap::new();
    for f in findings {
        *m.entry(key(f)).or_insert(0) += 1;
    }
    m
}

/// The directory finding paths are relative to: the one directory given, the parent of the one
/// file given, or the current directory for several paths.
fn scan_base(paths: &[PathBuf]) -> PathBuf {
    match paths {
        [one] if one.is_dir() => one.clone(),
        [one] => one
            .parent()
            .map(|p| p.to_path_buf())
            .unwrap_or_else(|| PathBuf::from(".")),
        _ => PathBuf::from("."),
    }
}

fn display_root(paths: &[PathBuf]) -> String {
    match paths {
        [one] => one.display().to_string(),
        _ => ".".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::parse_pack;

    /// One anchor, one medium and one low rule, so gating is visible.
    const PACK: &str = r#"
rules:
  - id: oxapay-host
    category: endpoint
    severity: error
    confidence: high
    message: host
    replacement: r
    pattern: 'api\.oxapay\.com'
  - id: oxapay-track
    category: provider-id-storage
    severity: warning
    confidence: medium
    message: track
    replacement: r
    pattern: 'trackId'
  - id: oxapay-paid
    category: status-handling
    severity: warning
    confidence: low
    message: status
    replacement: r
    pattern: '"paid"'
"#;

    fn rules() -> RuleSet {
        let rules = parse_pack("t.yaml", Some(Provider::Oxapay), PACK).unwrap();
        RuleSet::new(rules, &Provider::ALL).unwrap()
    }

    fn found(src: &str, wrappers: &WrapperIndex) -> Vec<(usize, String)> {
        analyze(&rules(), "a.js", Language::Javascript, src, wrappers)
            .findings
            .into_iter()
            .map(|f| (f.line, f.rule))
            .collect()
    }

    #[test]
    fn medium_needs_an_anchor_in_the_file() {
        let none = WrapperIndex::new(Vec::new());
        assert_eq!(found("const t = res.trackId;\n", &none), vec![]);
        let anchored = "const u = 'https://api.oxapay.com';\nconst t = res.trackId;\n";
        assert_eq!(
            found(anchored, &none),
            vec![(1, "oxapay-host".into()), (2, "oxapay-track".into())]
        );
    }

    /// A comment naming the provider is informational itself, but it gives a medium term on
    /// its own line (and only there) the context an anchor would.
    #[test]
    fn a_provider_comment_gives_its_own_line_context() {
        let none = WrapperIndex::new(Vec::new());
        let src = "const t = res.trackId; // api.oxapay.com track\nconst u = res.trackId;\n";
        let findings = analyze(&rules(), "a.js", Language::Javascript, src, &none).findings;
        let kept: Vec<(usize, &str, Severity)> = findings
            .iter()
            .map(|f| (f.line, f.rule.as_str(), f.severity))
            .collect();
        assert_eq!(
            kept,
            vec![
                (1, "oxapay-track", Severity::Warning),
                (1, "oxapay-host", Severity::Info)
            ]
        );
    }

    #[test]
    fn low_needs_a_scoped_function() {
        let none = WrapperIndex::new(Vec::new());
        let src = "function a() {\n  get('https://api.oxapay.com');\n  if (s === \"paid\") {}\n}\n\
                   function b() {\n  if (s === \"paid\") {}\n}\n";
        assert_eq!(
            found(src, &none),
            vec![(2, "oxapay-host".into()), (3, "oxapay-paid".into())]
        );
    }

    /// The generic pass looks only at the scoped function and the window around a scoped
    /// top-level line, and a range sees the file around it (`^` is still the file's start).
    #[test]
    fn generic_terms_are_matched_only_where_they_could_count() {
        let rules = rules();
        let src = "\"paid\"\nfunction a() {\n  get('https://api.oxapay.com');\n  if (s === \"paid\") {}\n}\n\
                   function b() {\n  if (s === \"paid\") {}\n}\n"
            .to_string()
            + &"// filler\n".repeat(20)
            + "const base = 'https://api.oxapay.com';\nconst done = \"paid\";\n";
        let view = build_view(Language::Javascript, &src);
        let lines = LineIndex::new(&src);
        let present = rules.present_in(src.as_bytes());
        let file = FileText {
            path: "a.js",
            src: &src,
            lang: Language::Javascript,
            view: &view,
            lines: &lines,
            present: &present,
        };
        let cands = candidates(rules.rules(), &file, |r| r.confidence > Confidence::Low);
        let opened = Opened::new(rules.rules(), &cands, &[], &[], &view, &[], &[]);
        let within = generic_ranges(&opened, &view, &src, &lines);
        let text: Vec<&str> = within.iter().map(|r| &src[r.clone()]).collect();
        assert_eq!(text.len(), 2, "{text:?}");
        assert!(text[0].starts_with("function a()") && text[0].ends_with('}'));
        assert!(!text[0].contains("function b"));
        assert!(text[1].starts_with("// filler") && text[1].trim_end().ends_with("\"paid\";"));

        let present = rules.present_within(src.as_bytes(), &within);
        let place = Within {
            ranges: &within,
            present: &present,
        };
        let generic = candidates_within(
            rules.rules(),
            &file,
            |r| r.confidence == Confidence::Low,
            &place,
        );
        let lines_found: Vec<usize> = generic.iter().map(|c| c.line + 1).collect();
        assert_eq!(lines_found, vec![4, 30]);

        // Line 4 starts with `if`, but not the file: `^` matches there only in multi-line mode.
        let inner = [lines.line_range(&src, 3)];
        let starts = |pattern: &str| {
            let pack = format!(
                "rules:\n  - {{id: oxapay-start, category: status-handling, severity: warning, \
                 confidence: low, message: m, replacement: r, pattern: '{pattern}'}}\n"
            );
            let rule = parse_pack("t.yaml", Some(Provider::Oxapay), &pack).unwrap();
            let place = Within {
                ranges: &inner,
                present: &present,
            };
            candidates_within(&rule, &file, |_| true, &place).len()
        };
        assert_eq!(starts(r"^\s*if"), 0);
        assert_eq!(starts(r"(?m)^\s*if"), 1);
    }

    #[test]
    fn methods_of_a_provider_named_class_are_scoped() {
        let none = WrapperIndex::new(Vec::new());
        let class = |name: &str| {
            format!(
                "class {name} {{\n  create() {{ return get('https://api.oxapay.com'); }}\n\
                 \n  check(s) {{ return s === \"paid\"; }}\n}}\n"
            )
        };
        assert_eq!(
            found(&class("OxapayClient"), &none),
            vec![(2, "oxapay-host".into()), (4, "oxapay-paid".into())]
        );
        assert_eq!(
            found(&class("Checkout"), &none),
            vec![(2, "oxapay-host".into())]
        );
    }

    /// Every function of an anchored file whose path names the provider (a Go package, a
    /// wrapper module) is the provider's, like the methods of a provider-named class.
    #[test]
    fn functions_of_a_provider_named_module_are_scoped() {
        let none = WrapperIndex::new(Vec::new());
        let src = "const base = 'https://api.oxapay.com';\n\
                   function settled(s) {\n  return s === \"paid\";\n}\n";
        let at = |path: &str| -> Vec<(usize, String)> {
            analyze(&rules(), path, Language::Javascript, src, &none)
                .findings
                .into_iter()
                .map(|f| (f.line, f.rule))
                .collect()
        };
        assert_eq!(
            at("lib/oxapay/status.js"),
            vec![(1, "oxapay-host".into()), (3, "oxapay-paid".into())]
        );
        assert_eq!(at("lib/billing/status.js"), vec![(1, "oxapay-host".into())]);
    }

    /// A helper in a provider-named directory names nothing of the provider, yet it is the
    /// provider's client code: its medium terms count there (and, accepted, lend generic terms
    /// their context as anywhere), but a generic term alone still needs real evidence.
    #[test]
    fn a_provider_named_path_scopes_medium_terms() {
        let none = WrapperIndex::new(Vec::new());
        let at = |path: &str, src: &str| -> Vec<(usize, String)> {
            analyze(&rules(), path, Language::Javascript, src, &none)
                .findings
                .into_iter()
                .map(|f| (f.line, f.rule))
                .collect()
        };
        let track = "const t = res.trackId;\n";
        assert_eq!(
            at("src/OxaPay/track.js", track),
            vec![(1, "oxapay-track".into())]
        );
        assert_eq!(at("src/billing/track.js", track), vec![]);
        assert_eq!(
            at("src/oxapay/status.js", "if (s === \"paid\") {}\n"),
            vec![]
        );
    }

    #[test]
    fn wrapper_calls_scope_their_caller() {
        let wrapper = "function createInvoice() {\n  return post('https://api.oxapay.com/x');\n}\n";
        let rules = rules();
        let defs = analyze(
            &rules,
            "lib/oxapay.js",
            Language::Javascript,
            wrapper,
            &WrapperIndex::new(Vec::new()),
        )
        .defs;
        assert_eq!(defs.len(), 1);
        assert_eq!(defs[0].name, "createInvoice");
        let index = WrapperIndex::new(defs);
        let caller =
            "function buy() {\n  const r = createInvoice();\n  if (r.status === \"paid\") {}\n}\n\
                      function other() {\n  if (x === \"paid\") {}\n}\n";
        assert_eq!(
            found(caller, &index),
            vec![(2, "oxapay-wrapper-call".into()), (3, "oxapay-paid".into())]
        );
    }

    #[test]
    fn comments_are_info_and_do_not_scope() {
        let none = WrapperIndex::new(Vec::new());
        let result = analyze(
            &rules(),
            "a.js",
            Language::Javascript,
            "// moved off api.oxapay.com\nconst t = res.trackId;\n",
            &none,
        );
        let sev: Vec<(usize, Severity)> = result
            .findings
            .iter()
            .map(|f| (f.line, f.severity))
            .collect();
        assert_eq!(sev, vec![(1, Severity::Info)]);
    }

    #[test]
    fn credential_snippets_are_redacted() {
        let pack = PACK.replace("category: endpoint", "category: credentials");
        let rules = RuleSet::new(
            parse_pack("t.yaml", Some(Provider::Oxapay), &pack).unwrap(),
            &Provider::ALL,
        )
        .unwrap();
        let src =
            "const k = 'N7QW3XK2PL9M4TZ8'; // api.oxapay.com\nget('https://api.oxapay.com');\n";
        let none = WrapperIndex::new(Vec::new());
        let found = analyze(&rules, "a.js", Language::Javascript, src, &none).findings;
        assert!(found
            .iter()
            .all(|f| !f.snippet.contains("N7QW3XK2PL9M4TZ8")));
        assert!(found.iter().any(|f| f.snippet.contains("N7QW…(16 chars)")));
    }

    #[test]
    fn fingerprints_survive_inserted_lines() {
        let none = WrapperIndex::new(Vec::new());
        let a = analyze(
            &rules(),
            "a.js",
            Language::Javascript,
            "x('https://api.oxapay.com');\n",
            &none,
        );
        let b = analyze(
            &rules(),
            "a.js",
            Language::Javascript,
            "\n\n// hi\nx('https://api.oxapay.com');\n",
            &none,
        );
        assert_eq!(a.findings[0].fingerprint, b.findings[0].fingerprint);
        assert_ne!(a.findings[0].line, b.findings[0].line);
    }
}
