//! The scan: walk the tree, prefilter each file on the anchor literals, match the rules on the
//! files that hit, gate them by provider context, and return sorted [`Finding`]s.
//!
//! Two passes: the first finds the repo's own provider wrappers (functions in a module or class
//! named after the provider); the second revisits the files that hit the prefilter and mention
//! a wrapper's name, because the functions calling a wrapper never name the provider. A caller
//! file names it still, in the import or the type of the wrapper it uses, so files that miss
//! the prefilter are never read twice.

pub mod context;
mod edges;
mod matcher;
mod members;
mod mentions;
mod progress;

pub use matcher::{candidates, candidates_within, Candidate, FileText, Within};

use crate::encoding::{self, TextEncoding};
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
    /// Report the mentions of a provider's name that are the repository's own names
    /// (namespaces, text domains, package names), at `info`: the full inventory of names.
    pub mentions: bool,
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
    /// Scanned files that were not UTF-8 (UTF-16 with a BOM, or legacy 8-bit text such as
    /// Windows-1252) and were decoded to be matched. An 8-bit file that misses the prefilter
    /// needs no decoding (its ASCII was searched as it is) and is not counted here.
    pub decoded: usize,
    pub skipped: Skipped,
    /// Mentions of a provider's name that ask for no change.
    pub mentions: Mentions,
    /// Files that could not be read and walker errors, one line each.
    pub warnings: Vec<String>,
}

/// Mentions of a provider's name judged by what their line does (see `scan::mentions`).
#[derive(Debug, Default, Serialize)]
pub struct Mentions {
    /// The repository's own names (namespace, package, text domain, asset handle, a
    /// provider-named helper that does no provider work): left out of `findings` unless
    /// `--mentions` asks for them, then reported at `info`.
    pub names: usize,
    /// Log, exception and UI messages: reported at `info`.
    pub messages: usize,
}

#[derive(Debug, Default, Serialize)]
pub struct Skipped {
    pub binary: usize,
    pub too_large: usize,
    /// Always 0: non-UTF-8 text is decoded now (see [`Summary::decoded`]). Kept because the
    /// JSON summary is a versioned contract whose fields are never removed.
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
#[derive(Default)]
struct FileResult {
    findings: Vec<Finding>,
    defs: Vec<WrapperDef>,
    /// What the file's mentions of a provider's name are (see [`mentions`]), applied when the
    /// scan's findings are gathered.
    mentions: Vec<mentions::Judged>,
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
    let decoded = AtomicUsize::new(0);
    let warnings = Mutex::new(Vec::new());
    let results: Mutex<BTreeMap<String, FileResult>> = Mutex::new(BTreeMap::new());
    let hit_files: Mutex<Vec<(Entry, Language)>> = Mutex::new(Vec::new());
    // Code files that missed the prefilter: only the provider graph may read them again.
    let other_code: Mutex<Vec<(Entry, Language)>> = Mutex::new(Vec::new());
    // Dotenv files, hit or not: the graph's environment edge reads them.
    let env_files: Mutex<Vec<Entry>> = Mutex::new(Vec::new());
    let progress = progress::Progress::new(opts.progress);
    let no_wrappers = WrapperIndex::new(Vec::new());

    let visit = |entry: Entry| {
        progress.tick();
        READ_BUFFER.with_borrow_mut(|buf| {
            if let Err(skip) = walk::read_into(&entry, opts.walk.max_filesize, buf) {
                note_skip(&entry, skip, &skips, &warnings);
                return;
            }
            // UTF-16 hides its ASCII from the byte prefilter: search the UTF-8 it decodes to.
            if encoding::needs_transcoding(buf) {
                *buf = encoding::decode(buf).0.into_owned().into_bytes();
                decoded.fetch_add(1, Ordering::Relaxed);
            }
            // The prefilter reads raw bytes (8-bit encodings keep ASCII as it is); only a file
            // that hits is decoded to text.
            if !rules.prefilter_hit(&entry.rel, buf) {
                scanned.fetch_add(1, Ordering::Relaxed);
                let lang = walk::language_of(&entry, buf);
                if lang.is_code() {
                    other_code.lock().unwrap().push((entry, lang));
                } else if lang == Language::Env {
                    env_files.lock().unwrap().push(entry);
                }
                return;
            }
            let (src, was) = encoding::decode(buf);
            if was != TextEncoding::Utf8 {
                decoded.fetch_add(1, Ordering::Relaxed);
            }
            scanned.fetch_add(1, Ordering::Relaxed);
            let lang = walk::language_of(&entry, buf);
            // In a lockfile only dependency rules run, and they name the provider's package:
            // an integrity hash that spells `sha512` is no reason to read 5 MB of JSON.
            if lang == Language::Lockfile && context::named_by_text(buf).is_empty() {
                return;
            }
            if lang.is_code() {
                hit_files.lock().unwrap().push((entry.clone(), lang));
            } else if lang == Language::Env {
                env_files.lock().unwrap().push(entry.clone());
            }
            let result = analyze(rules, &entry.rel, lang, &src, &no_wrappers);
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
    let mut env_files = env_files.into_inner().unwrap();
    env_files.sort_by(|a, b| a.rel.cmp(&b.rel));
    edges::derive(rules, &mut results, &code, &env_files, opts.walk.threads);
    progress.finish();

    let files_matched = results.len();
    let mut mentions = Mentions::default();
    let mut findings: Vec<Finding> = Vec::new();
    let helpers = mentions::standalone_helpers(
        results
            .values()
            .map(|r| (r.findings.as_slice(), r.mentions.as_slice())),
    );
    for mut r in results.into_values() {
        let (names, demoted) = mentions::settle(&mut r.findings, &r.mentions, &helpers);
        mentions.names += names.len();
        mentions.messages += demoted;
        findings.extend(r.findings);
        if opts.mentions {
            findings.extend(names);
        }
    }
    findings.retain(|f| f.confidence >= opts.min_confidence);
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
        decoded: decoded.load(Ordering::Relaxed),
        skipped: Skipped {
            binary: skips.get(Skip::Binary),
            too_large: skips.get(Skip::TooLarge),
            non_utf8: 0,
            unreadable: skips.get(Skip::Unreadable),
        },
        mentions,
        warnings,
    };
    Ok(ScanOutcome {
        root: display_root(&opts.paths),
        findings,
        summary,
    })
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
        let (src, _) = encoding::decode(&bytes);
        if !wrappers.names_foreign(&entry.rel, src.as_bytes(), &names) {
            return None;
        }
        let result = analyze(rules, &entry.rel, *lang, &src, wrappers);
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
    let mut regions = lent.regions.clone();
    regions.extend(context::constant_users(all, &cands, &view, src, &lines));
    let anchored = !cands.is_empty() || !named.is_empty() || !regions.is_empty();
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
        let opened = Opened::new(all, &cands, &calls, &index.defs, &view, &named, &regions);
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
    let members = members::member_findings(all, &gated.kept, &builder, &findings);
    findings.extend(members);
    let judged = mentions::judge(&findings, &view, &lines, src);
    drop_redundant_other(&mut findings);
    assign_fingerprints(&mut findings);
    FileResult {
        findings,
        defs: local,
        mentions: judged,
    }
}

/// Whether a finding is a bare mention of a provider's name (the identifier rules).
fn is_mention_rule(head: &Head) -> bool {
    head.category == Category::Other
        && (head.rule.ends_with("-identifier") || head.rule.ends_with("-identifier-string"))
}

/// The replacement text of the provider's first rule of `category`: what a derived finding,
/// which no rule reported, tells the migration to do.
fn replacement_for(rules: &[Rule], provider: Provider, category: Category) -> String {
    rules
        .iter()
        .find(|r| r.provider == provider && r.category == category)
        .map(|r| r.replacement.clone())
        .unwrap_or_default()
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

    /// A mention of the provider's name spans the statement only where it names what the
    /// statement declares (`private const CRYPTOMUS_STATUSES = [...]`, `type Cryptomus struct
    /// {...}`); inside a call or on the right of an assignment (`setup(name="cryptomus", ...)`,
    /// `$c = new OxaPayClient(...)`) it is only the name.
    fn mention_end(&self, span: &std::ops::Range<usize>) -> usize {
        match self.view.statement_at(span.start) {
            Some(stmt) if !self.src[stmt.start..span.start].contains(['(', '=']) => {
                self.statement_end(span)
            }
            _ => span.end,
        }
    }

    fn make(&self, head: Head, span: &std::ops::Range<usize>, function: Option<usize>) -> Finding {
        let (line, column) = self.lines.position(self.src, span.start);
        let end = if is_mention_rule(&head) {
            self.mention_end(span)
        } else {
            self.statement_end(span)
        };
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
            mention: None,
        }
    }

    fn rule_finding(&self, rule: &Rule, c: &Candidate, severity: Severity) -> Finding {
        // A parameter named after a provider field shapes a signature; review it, but the
        // call that passes the value is where the migration changes code.
        let severity = if severity == Severity::Error && self.view.in_parameters(c.span.start) {
            Severity::Warning
        } else {
            severity
        };
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
