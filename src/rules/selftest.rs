//! `rules test`: every rule's inline `match` and `no_match` cases, run through the same matcher
//! the scan uses (provider gating aside: a case is one rule on one snippet).

use super::{LiteralIndex, Rule, TestCase};
use crate::lang::{build_view, Language, RegionKind};
use crate::scan::{candidates, FileText};
use crate::text::LineIndex;

/// Language assumed for a case that names none: a C-like lexer (`//`, `/* */`, three quotes).
const DEFAULT_CASE_LANG: Language = Language::Javascript;

/// One failed expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFailure {
    pub rule: String,
    pub origin: String,
    pub what: String,
}

impl std::fmt::Display for CaseFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.rule, self.origin, self.what)
    }
}

/// Totals of a self-test run.
#[derive(Debug, Default)]
pub struct SelfTestReport {
    pub rules: usize,
    pub cases: usize,
    pub failures: Vec<CaseFailure>,
}

/// Whether `rule` reports anything in `case` (outside comments, unless the rule asks for them).
pub fn rule_matches(rule: &Rule, case: &TestCase) -> bool {
    !match_spans(rule, case).is_empty()
}

/// Byte ranges of `case.code` where `rule` reports a finding.
pub fn match_spans(rule: &Rule, case: &TestCase) -> Vec<std::ops::Range<usize>> {
    let lang = case.lang.unwrap_or(DEFAULT_CASE_LANG);
    let view = build_view(lang, &case.code);
    let lines = LineIndex::new(&case.code);
    // The same literal gate as a scan, so a case also proves the rule's literals are right.
    let index = LiteralIndex::new(rule.regexes());
    let present = index.present_in(case.code.as_bytes());
    let file = FileText {
        path: case.path.as_deref().unwrap_or(""),
        src: &case.code,
        lang,
        view: &view,
        lines: &lines,
        present: &present,
    };
    candidates(std::slice::from_ref(rule), &file, |_| true)
        .into_iter()
        .filter(|c| c.region != RegionKind::Comment || rule.regions.contains(&RegionKind::Comment))
        .map(|c| c.span)
        .collect()
}

pub fn run(rules: &[Rule]) -> SelfTestReport {
    let mut report = SelfTestReport {
        rules: rules.len(),
        ..Default::default()
    };
    for rule in rules {
        let mut fail = |what: String| {
            report.failures.push(CaseFailure {
                rule: rule.id.clone(),
                origin: rule.origin.to_string(),
                what,
            })
        };
        if rule.matches.is_empty() {
            fail("has no `match` case: every rule shows what it finds".into());
        }
        for (kind, cases, expected) in [
            ("match", &rule.matches, true),
            ("no_match", &rule.no_matches, false),
        ] {
            for (i, case) in cases.iter().enumerate() {
                report.cases += 1;
                if let Some(lang) = case.lang {
                    if !rule.applies_to(lang) {
                        fail(format!(
                            "{kind} case #{} is {lang}, a language the rule does not run on",
                            i + 1
                        ));
                        continue;
                    }
                }
                if rule_matches(rule, case) != expected {
                    let verdict = if expected {
                        "produced no finding"
                    } else {
                        "produced a finding"
                    };
                    fail(format!(
                        "{kind} case #{} {verdict}: {}",
                        i + 1,
                        one_line(&case.code)
                    ));
                }
            }
        }
    }
    report
}

fn one_line(code: &str) -> String {
    let flat = code.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > 100 {
        format!("{}...", flat.chars().take(100).collect::<String>())
    } else {
        flat
    }
}
