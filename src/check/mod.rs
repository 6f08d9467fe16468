//! `makepay-migrate check`: the CI gate. A scan's findings go through the policy (which paths
//! and categories block), inline suppressions and the baseline, in that order, and the gate
//! fails on what is left.
//!
//! Exit codes: 0 pass, 1 gate failed, 2 usage or policy error, 3 internal error (a panic or an
//! I/O failure while writing results is never reported as a pass).

pub mod baseline;
pub mod config;
pub mod init;
mod output;
pub use output::json_document;
pub mod suppress;

use crate::cli::CheckArgs;
use crate::encoding;
use crate::finding::{Finding, Provider};
use crate::rules::RuleSet;
use crate::scan::{scan, ScanOptions, ScanOutcome};
use crate::walk::{self, WalkOptions};
use baseline::Baseline;
use config::{Allowance, Policy};
use serde::Serialize;
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use suppress::{Invalid, Suppression, Suppressions};

/// Why a check could not give a verdict.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// Bad arguments, policy, baseline or rules: the user can fix it (exit 2).
    #[error("{0:#}")]
    Usage(anyhow::Error),
    /// Something broke while checking or writing results (exit 3).
    #[error("internal error: {0:#}")]
    Internal(anyhow::Error),
}

/// A finding that does not fail the gate, and why.
#[derive(Debug, Serialize)]
pub struct Allowed {
    pub reason: Allowance,
    #[serde(flatten)]
    pub finding: Finding,
}

/// A finding silenced by a suppression comment.
#[derive(Debug, Serialize)]
pub struct Suppressed {
    /// `path:line` of the suppression comment.
    pub by: String,
    #[serde(flatten)]
    pub finding: Finding,
}

/// The gate's verdict and everything that led to it.
#[derive(Debug)]
pub struct CheckOutcome {
    /// The scan after the policy's ignores and severity overrides.
    pub scan: ScanOutcome,
    /// New blocking findings: these fail the gate.
    pub blocking: Vec<Finding>,
    pub allowed: Vec<Allowed>,
    pub suppressed: Vec<Suppressed>,
    /// Blocking findings accepted by the baseline.
    pub baselined: Vec<Finding>,
    /// Baseline entries that no longer occur.
    pub fixed: Vec<baseline::Entry>,
    pub unused: Vec<Suppression>,
    pub invalid: Vec<Invalid>,
    pub strict: bool,
    pub policy_source: Option<PathBuf>,
    pub cutover_complete: bool,
}

impl CheckOutcome {
    pub fn passed(&self) -> bool {
        let unused_fail = self.strict && !self.unused.is_empty();
        self.blocking.is_empty() && self.invalid.is_empty() && !unused_fail
    }

    /// The blocking findings as a scan outcome, for the shared printers.
    fn blocking_outcome(&self) -> ScanOutcome {
        ScanOutcome {
            root: self.scan.root.clone(),
            findings: self.blocking.clone(),
            summary: Default::default(),
        }
    }
}

/// Sorts findings through policy, suppressions and baseline. Pure: no I/O.
pub fn evaluate(
    scan: ScanOutcome,
    policy: &Policy,
    found: Suppressions,
    baseline: Option<&Baseline>,
    strict: bool,
) -> CheckOutcome {
    let Suppressions {
        valid: suppressions,
        invalid,
    } = found;
    let accepted: BTreeSet<&str> = baseline.map(Baseline::fingerprints).unwrap_or_default();
    let mut used = vec![false; suppressions.len()];
    let (mut blocking, mut allowed, mut suppressed, mut baselined) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for f in &scan.findings {
        if let Some(i) = suppressions.iter().position(|s| s.applies_to(f)) {
            used[i] = true;
            let s = &suppressions[i];
            suppressed.push(Suppressed {
                by: format!("{}:{}", s.path, s.line),
                finding: f.clone(),
            });
            continue;
        }
        match policy.judge(f) {
            Err(reason) => allowed.push(Allowed {
                reason,
                finding: f.clone(),
            }),
            Ok(()) if accepted.contains(f.fingerprint.as_str()) => baselined.push(f.clone()),
            Ok(()) => blocking.push(f.clone()),
        }
    }
    let present: BTreeSet<&str> = baselined
        .iter()
        .map(|f: &Finding| f.fingerprint.as_str())
        .collect();
    let fixed = baseline.map(|b| b.fixed(&present)).unwrap_or_default();
    let unused = suppressions
        .into_iter()
        .zip(used)
        .filter(|(_, u)| !u)
        .map(|(s, _)| s)
        .collect();
    CheckOutcome {
        scan,
        blocking,
        allowed,
        suppressed,
        baselined,
        fixed,
        unused,
        invalid,
        strict,
        policy_source: policy.source.clone(),
        cutover_complete: policy.cutover_complete,
    }
}

/// Runs `check` and turns every outcome, including a panic, into its exit code.
pub fn run(args: CheckArgs) -> ExitCode {
    anstream::ColorChoice::write_global(args.color.choice());
    let result = std::panic::catch_unwind(|| check(&args));
    match result {
        Ok(Ok(true)) => ExitCode::SUCCESS,
        Ok(Ok(false)) => ExitCode::from(1),
        Ok(Err(Failure::Usage(e))) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
        Ok(Err(e @ Failure::Internal(_))) => {
            eprintln!("error: {e}");
            ExitCode::from(3)
        }
        Err(_) => {
            eprintln!("error: internal error (panic); please report it");
            ExitCode::from(3)
        }
    }
}

/// The whole check; `Ok(passed)`.
fn check(args: &CheckArgs) -> Result<bool, Failure> {
    let (result, rules) = outcome(args)?;
    output::write_all(args, &result, rules.rules()).map_err(Failure::Internal)?;
    Ok(result.passed())
}

/// The gate's verdict for `args` without printing it (the baseline is still rewritten under
/// `--update-baseline`), with the rules it ran: `check` prints it, the MCP server returns it.
pub fn outcome(args: &CheckArgs) -> Result<(CheckOutcome, RuleSet), Failure> {
    let root = &args.path;
    if !root.is_dir() {
        return Err(Failure::Usage(anyhow::anyhow!(
            "{}: not a directory (check takes the repository root)",
            root.display()
        )));
    }
    let rules = crate::load_rule_set(&args.rule_args.rules, args.rule_args.provider)
        .map_err(Failure::Usage)?;
    // Suppressions and overrides may name either provider's rules, even under `--provider`.
    let known = match args.rule_args.provider {
        None => known_targets(&rules),
        Some(_) => known_targets(
            &crate::load_rule_set(&args.rule_args.rules, None).map_err(Failure::Usage)?,
        ),
    };
    let policy = Policy::discover(root, args.config.as_deref(), &known)
        .map_err(|e| Failure::Usage(e.into()))?;
    let baseline = match (&args.baseline, args.update_baseline) {
        (Some(path), false) => Some(Baseline::read(path).map_err(Failure::Usage)?),
        _ => None,
    };
    let opts = ScanOptions {
        paths: vec![root.clone()],
        walk: WalkOptions::default(),
        min_confidence: crate::finding::Confidence::Low,
        progress: false,
        mentions: false,
    };
    let mut outcome = scan(&rules, &opts).map_err(Failure::Internal)?;
    let own = own_files(root, args);
    outcome.findings = std::mem::take(&mut outcome.findings)
        .into_iter()
        .filter(|f| !own.contains(&f.path))
        .filter_map(|f| policy.adjust(f))
        .collect();
    let suppressions = collect_suppressions(root, &policy, &known).map_err(Failure::Internal)?;
    let mut result = evaluate(
        outcome,
        &policy,
        suppressions,
        baseline.as_ref(),
        args.strict,
    );
    if let (Some(path), true) = (&args.baseline, args.update_baseline) {
        let accepted = Baseline::from_findings(result.blocking.iter().chain(&result.baselined));
        accepted
            .write(path)
            .map_err(|e| Failure::Internal(anyhow::anyhow!("{}: {e}", path.display())))?;
        eprintln!(
            "wrote {} ({} finding{})",
            path.display(),
            accepted.findings.len(),
            if accepted.findings.len() == 1 {
                ""
            } else {
                "s"
            }
        );
        result.baselined.append(&mut result.blocking);
    }
    Ok((result, rules))
}

/// The check's own files inside the repository (policy, baseline, outputs), relative to `root`:
/// a baseline quotes the snippets it accepts, so scanning it would find them all again.
fn own_files(root: &Path, args: &CheckArgs) -> HashSet<String> {
    let Ok(root) = root.canonicalize() else {
        return HashSet::new();
    };
    let default_policy = args.path.join(config::FILE_NAME);
    [
        args.config.as_ref(),
        Some(&default_policy),
        args.baseline.as_ref(),
        args.output.as_ref(),
        args.sarif.as_ref(),
        args.junit.as_ref(),
        args.json.as_ref(),
    ]
    .into_iter()
    .flatten()
    .filter_map(|p| {
        let dir = p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let full = dir.canonicalize().ok()?.join(p.file_name()?);
        full.starts_with(&root)
            .then(|| walk::relative(&full, &root))
    })
    .collect()
}

/// Rule ids a suppression or severity override may name: every loaded rule and the synthetic
/// wrapper-call rules.
fn known_targets(rules: &RuleSet) -> HashSet<String> {
    rules
        .rules()
        .iter()
        .map(|r| r.id.clone())
        .chain(
            Provider::ALL
                .iter()
                .map(|p| format!("{}-wrapper-call", p.id())),
        )
        .collect()
}

/// Finds every suppression comment under `root`, walking like the scan does.
fn collect_suppressions(
    root: &Path,
    policy: &Policy,
    known: &HashSet<String>,
) -> anyhow::Result<Suppressions> {
    let found = Mutex::new(Suppressions::default());
    let opts = WalkOptions::default();
    let visit = |entry: walk::Entry| {
        if policy.ignores(&entry.rel) {
            return;
        }
        let Ok(bytes) = walk::read(&entry, opts.max_filesize) else {
            return;
        };
        // The marker is ASCII, so raw bytes tell unless they are UTF-16; only hits are decoded.
        if !encoding::needs_transcoding(&bytes)
            && memchr::memmem::find(&bytes, suppress::MARKER.as_bytes()).is_none()
        {
            return;
        }
        let (src, _) = encoding::decode(&bytes);
        let lang = walk::language_of(&entry, src.as_bytes());
        let mut parsed = suppress::parse_file(&entry.rel, lang, &src, known);
        let mut found = found.lock().unwrap();
        found.valid.append(&mut parsed.valid);
        found.invalid.append(&mut parsed.invalid);
    };
    walk::walk(&[root.to_path_buf()], root, &opts, &visit, &|_| {})?;
    let mut found = found.into_inner().unwrap();
    found.valid.sort_by(|a: &Suppression, b| {
        (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column))
    });
    found
        .invalid
        .sort_by(|a: &Invalid, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Category;

    fn outcome(findings: Vec<Finding>) -> ScanOutcome {
        ScanOutcome {
            root: ".".into(),
            findings,
            summary: Default::default(),
        }
    }

    fn at(line: usize, fingerprint: &str) -> Finding {
        Finding {
            line,
            end_line: line,
            fingerprint: fingerprint.into(),
            ..Finding::sample()
        }
    }

    fn allow(line: usize, target: &str) -> Suppression {
        Suppression {
            path: "src/pay.php".into(),
            line,
            column: 4,
            targets: vec![target.into()],
            reason: "r".into(),
            covers: line + 1..=line + 1,
        }
    }

    #[test]
    fn suppressions_then_policy_then_baseline() {
        let findings = vec![
            at(2, "a"),
            at(5, "b"),
            at(7, "c"),
            Finding {
                category: Category::CallbackVerification,
                ..at(9, "d")
            },
        ];
        let found = Suppressions {
            valid: vec![allow(1, "endpoint"), allow(20, "payout")],
            invalid: Vec::new(),
        };
        let baseline = Baseline::from_findings(&[at(5, "b"), at(40, "gone")]);
        let o = evaluate(
            outcome(findings),
            &Policy::default(),
            found,
            Some(&baseline),
            false,
        );
        let lines = |v: &[Finding]| v.iter().map(|f| f.line).collect::<Vec<_>>();
        assert_eq!(o.suppressed[0].finding.line, 2);
        assert_eq!(o.suppressed[0].by, "src/pay.php:1");
        assert_eq!(lines(&o.baselined), [5]);
        assert_eq!(lines(&o.blocking), [7]);
        assert_eq!(o.allowed[0].reason, Allowance::NotBlockingCategory);
        assert_eq!(o.fixed.len(), 1);
        assert_eq!(o.fixed[0].fingerprint, "gone");
        assert_eq!(o.unused, [allow(20, "payout")]);
        assert!(!o.passed());
    }

    #[test]
    fn strict_fails_on_unused_suppressions_only() {
        let found = || Suppressions {
            valid: vec![allow(1, "payout")],
            invalid: Vec::new(),
        };
        let policy = Policy::default();
        assert!(evaluate(outcome(Vec::new()), &policy, found(), None, false).passed());
        assert!(!evaluate(outcome(Vec::new()), &policy, found(), None, true).passed());
    }
}
