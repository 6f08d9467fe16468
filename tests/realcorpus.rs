//! The scan scored on real code: the twenty public repositories of `../shared/realcorpus/`
//! against the hand-written expectations in `tests/realcorpus/<provider>/<repo>.tsv`.
//!
//! The corpus is not part of the project (it is test data kept beside it, as CI has it), so
//! without it this test says it skipped and passes. With it, it prints the per-repository
//! table the README quotes and fails when a figure falls below the floors: the floors sit a
//! little under the figures this engine reached, so a change that loses real-code recall or
//! starts flagging known non-touchpoints is caught here, not by a user.
//!
//! What is measured, per repository and in total:
//! - touchpoints found: a row counts when a warning or error finding in its file covers its
//!   line (from `line` to `end_line`: a finding covers its whole statement);
//! - exact: the covering finding also has the row's category;
//! - files: files with a touchpoint row that get any finding;
//! - `none` flagged: known non-touchpoint lines that a finding covers;
//! - functions: among found rows inside a function, the covering finding names that function;
//! - plan: the labelled functions that `plan`'s inventory names.

use makepay_migrate::finding::{Confidence, Finding, Severity};
use makepay_migrate::scan::{scan, ScanOptions};
use makepay_migrate::walk::WalkOptions;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

// A directory of data sits beside this file, so the module's path is spelled out.
#[path = "common/tsv.rs"]
mod tsv;

/// Floors on the corpus totals (see the module doc), a little under what this engine reaches
/// (found 0.900, files 258/266, 3 of 90 known non-touchpoints flagged, functions 1.000,
/// plan 0.960, 117 error findings on unlabelled lines); the first run, before the provider
/// graph, gave 0.573, 243/268, 14, 0.975, 0.648, and before mentions were judged by their line
/// (#17) 348 errors sat on unlabelled lines. Files hit fell by four when namespace lines and a
/// date-format helper stopped counting: those files' only findings were such names. The
/// issue's own targets are found 0.85, files 0.95, at most 5 flagged, functions 0.92, plan
/// 0.85: the floors stay above them.
const MIN_FOUND: f64 = 0.89;
const MIN_FILES: f64 = 0.955;
const MAX_NONE_FLAGGED: usize = 4;
const MIN_FUNCTIONS: f64 = 0.99;
const MIN_PLAN: f64 = 0.94;
/// Error findings on lines no label covers (neither a touchpoint nor a known non-touchpoint):
/// not all are wrong (the labels are not exhaustive), but a name or a prose line at `error` is
/// what makes a reader stop reading.
const MAX_UNLABELLED_ERRORS: usize = 125;

struct Row {
    path: String,
    line: usize,
    category: String,
    function: String,
}

fn read_rows(file: &Path) -> Vec<Row> {
    tsv::rows(file, 4)
        .into_iter()
        .map(|c| Row {
            line: tsv::line(file, &c[1]),
            path: c[0].clone(),
            category: c[2].clone(),
            function: c[3].clone(),
        })
        .collect()
}

fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("MAKEPAY_REALCORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/realcorpus"));
    dir.is_dir().then_some(dir)
}

#[derive(Default, Clone, Copy)]
struct Tally {
    rows: usize,
    found: usize,
    exact: usize,
    files: usize,
    files_hit: usize,
    none: usize,
    none_flagged: usize,
    in_function: usize,
    function_right: usize,
    plan_functions: usize,
    plan_named: usize,
    unlabelled_errors: usize,
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        self.rows += o.rows;
        self.found += o.found;
        self.exact += o.exact;
        self.files += o.files;
        self.files_hit += o.files_hit;
        self.none += o.none;
        self.none_flagged += o.none_flagged;
        self.in_function += o.in_function;
        self.function_right += o.function_right;
        self.plan_functions += o.plan_functions;
        self.plan_named += o.plan_named;
        self.unlabelled_errors += o.unlabelled_errors;
    }

    fn row(&self, name: &str) -> String {
        format!(
            "| {name} | {} | {:.3} | {:.3} | {}/{} | {}/{} | {:.3} | {:.3} | {} |",
            self.rows,
            ratio(self.found, self.rows),
            ratio(self.exact, self.rows),
            self.files_hit,
            self.files,
            self.none_flagged,
            self.none,
            ratio(self.function_right, self.in_function),
            ratio(self.plan_named, self.plan_functions),
            self.unlabelled_errors,
        )
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

fn covers(f: &Finding, path: &str, line: usize) -> bool {
    f.path == path && f.line <= line && line <= f.end_line.max(f.line)
}

fn score(dir: &Path, rows: &[Row], misses: &mut Vec<String>) -> Tally {
    let rules = makepay_migrate::load_rule_set(&[], None).unwrap();
    let walk = WalkOptions::default();
    let opts = ScanOptions {
        paths: vec![dir.to_path_buf()],
        walk: walk.clone(),
        min_confidence: Confidence::Low,
        progress: false,
        mentions: false,
    };
    let mut outcome = scan(&rules, &opts).unwrap();
    outcome.findings.retain(|f| f.severity > Severity::Info);
    let findings = &outcome.findings;
    let plan = makepay_migrate::plan::build(&outcome, dir, &walk);
    let planned: BTreeSet<(String, String)> = plan
        .inventory
        .files
        .iter()
        .flat_map(|file| {
            file.scopes.iter().filter_map(|s| {
                s.function
                    .as_ref()
                    .map(|name| (file.path.clone(), name.clone()))
            })
        })
        .collect();

    let mut t = Tally::default();
    let mut files = BTreeSet::new();
    let mut labelled_functions = BTreeSet::new();
    for row in rows {
        let covering: Vec<&Finding> = findings
            .iter()
            .filter(|f| covers(f, &row.path, row.line))
            .collect();
        if row.category == "none" {
            t.none += 1;
            if let Some(f) = covering.first() {
                t.none_flagged += 1;
                misses.push(format!(
                    "flagged none {}:{} by {} ({})",
                    row.path, row.line, f.rule, f.category
                ));
            }
            continue;
        }
        t.rows += 1;
        files.insert(row.path.as_str());
        if row.function != "-" {
            labelled_functions.insert((row.path.clone(), row.function.clone()));
        }
        if covering.is_empty() {
            misses.push(format!(
                "missed {}:{} {} in {}",
                row.path, row.line, row.category, row.function
            ));
            continue;
        }
        t.found += 1;
        if covering.iter().any(|f| f.category.id() == row.category) {
            t.exact += 1;
        }
        if row.function != "-" {
            t.in_function += 1;
            if covering
                .iter()
                .any(|f| f.function.as_deref() == Some(row.function.as_str()))
            {
                t.function_right += 1;
            } else {
                misses.push(format!(
                    "function {}:{}: expected {}, got {}",
                    row.path,
                    row.line,
                    row.function,
                    covering[0].function.as_deref().unwrap_or("-")
                ));
            }
        }
    }
    t.files = files.len();
    for path in &files {
        if findings.iter().any(|f| f.path == *path) {
            t.files_hit += 1;
        } else {
            misses.push(format!("no finding in {path}"));
        }
    }
    for f in findings.iter().filter(|f| {
        f.severity == Severity::Error && !rows.iter().any(|r| covers(f, &r.path, r.line))
    }) {
        t.unlabelled_errors += 1;
        misses.push(format!(
            "unlabelled error {}:{} by {} ({})",
            f.path, f.line, f.rule, f.category
        ));
    }
    t.plan_functions = labelled_functions.len();
    t.plan_named = labelled_functions.intersection(&planned).count();
    t
}

#[test]
fn real_corpus_recall_precision_and_attribution() {
    let Some(corpus) = corpus_dir() else {
        println!("skipped: ../shared/realcorpus not present; the real-code score was not measured");
        return;
    };
    let expectations = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/realcorpus");
    let mut files: Vec<PathBuf> = Vec::new();
    for provider in ["cryptomus", "oxapay"] {
        for entry in std::fs::read_dir(expectations.join(provider)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "tsv") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert_eq!(
        files.len(),
        20,
        "one expectation file per corpus repository"
    );

    let details = std::env::var_os("REALCORPUS_DETAILS").is_some();
    let mut total = Tally::default();
    println!("| repository | rows | found | exact | files | none flagged | functions | plan | unlabelled errors |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for file in &files {
        let provider = file.parent().unwrap().file_name().unwrap();
        let repo = file.file_stem().unwrap().to_str().unwrap();
        let dir = corpus.join(provider).join(repo);
        assert!(dir.is_dir(), "{} is not in the corpus", dir.display());
        let mut misses = Vec::new();
        let t = score(&dir, &read_rows(file), &mut misses);
        println!("{}", t.row(repo));
        if details {
            for m in &misses {
                println!("    {m}");
            }
        }
        total.add(&t);
    }
    println!("{}", total.row("**all**"));

    let found = ratio(total.found, total.rows);
    let files_hit = ratio(total.files_hit, total.files);
    let functions = ratio(total.function_right, total.in_function);
    let plan = ratio(total.plan_named, total.plan_functions);
    assert!(
        found >= MIN_FOUND,
        "touchpoints found {found:.3} < {MIN_FOUND}"
    );
    assert!(
        files_hit >= MIN_FILES,
        "files hit {files_hit:.3} < {MIN_FILES}"
    );
    assert!(
        total.none_flagged <= MAX_NONE_FLAGGED,
        "{} known non-touchpoints flagged > {MAX_NONE_FLAGGED}",
        total.none_flagged
    );
    assert!(
        functions >= MIN_FUNCTIONS,
        "functions {functions:.3} < {MIN_FUNCTIONS}"
    );
    assert!(plan >= MIN_PLAN, "plan functions {plan:.3} < {MIN_PLAN}");
    assert!(
        total.unlabelled_errors <= MAX_UNLABELLED_ERRORS,
        "{} error findings on unlabelled lines > {MAX_UNLABELLED_ERRORS}",
        total.unlabelled_errors
    );
}
