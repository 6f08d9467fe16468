//! Property: planning is idempotent. Random non-overlapping edits (marker comments on random
//! lines of random files, in LF or CRLF, with or without a BOM, plus env-template lines) applied
//! once leave nothing for a second plan to do, and nothing else in the file changes.

use makepay_migrate::apply::edit::{apply_edits, Edit};
use makepay_migrate::apply::env::env_edit;
use makepay_migrate::apply::fixes::annotate;
use makepay_migrate::apply::textfile::TextFile;
use makepay_migrate::finding::{Category, Confidence, Finding, Provider, Severity};
use makepay_migrate::lang::Language;
use proptest::prelude::*;

fn finding(line: usize, rule: &str) -> Finding {
    Finding {
        rule: rule.to_string(),
        provider: Provider::Oxapay,
        category: Category::Endpoint,
        severity: Severity::Warning,
        confidence: Confidence::High,
        path: "app.py".into(),
        line,
        column: 1,
        end_line: line,
        end_column: 2,
        function: None,
        snippet: String::new(),
        message: "m".into(),
        replacement: "Use MakePay payment links.".into(),
        fingerprint: String::new(),
        via: Vec::new(),
        mention: None,
    }
}

fn source() -> impl Strategy<Value = (Vec<String>, bool, bool, bool)> {
    (
        prop::collection::vec("(    )?[a-z]{1,8} = [0-9]{1,3}", 1..30),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
}

fn render(lines: &[String], crlf: bool, bom: bool, final_newline: bool) -> Vec<u8> {
    let eol = if crlf { "\r\n" } else { "\n" };
    let mut s = if bom {
        "\u{feff}".to_string()
    } else {
        String::new()
    };
    s.push_str(&lines.join(eol));
    if final_newline {
        s.push_str(eol);
    }
    s.into_bytes()
}

/// The annotation plan with findings re-located to where their lines are now.
fn plan(file: &TextFile, marked: &[(String, &str)]) -> Vec<Edit> {
    let findings: Vec<Finding> = file
        .text
        .lines()
        .enumerate()
        .filter_map(|(i, l)| {
            marked
                .iter()
                .find(|(line, _)| l.trim_end_matches('\r') == line)
                .map(|(_, rule)| finding(i + 1, rule))
        })
        .collect();
    let refs: Vec<&Finding> = findings.iter().collect();
    annotate(Language::Python, file, &refs).edits
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 200,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn annotating_twice_changes_nothing(
        (lines, crlf, bom, final_newline) in source(),
        picks in prop::collection::btree_set(0usize..30, 0..10),
        rules in prop::collection::vec(prop::sample::select(vec!["oxapay-a", "oxapay-b"]), 10),
    ) {
        // Distinct line texts, so a finding can be found again after lines shift.
        let lines: Vec<String> = lines.iter().enumerate().map(|(i, l)| format!("{l}{i}")).collect();
        let marked: Vec<(String, &str)> = picks
            .iter()
            .filter(|&&i| i < lines.len())
            .zip(&rules)
            .map(|(&i, &r)| (lines[i].clone(), r))
            .collect();
        let bytes = render(&lines, crlf, bom, final_newline);
        let file = TextFile::parse(&bytes).unwrap();
        let edits = plan(&file, &marked);
        prop_assert_eq!(edits.len(), marked.len());
        let once = apply_edits(&file.text, edits);
        prop_assert!(once.conflicts.is_empty());
        let written = file.encode(&once.text).unwrap();
        let reread = TextFile::parse(&written).unwrap();
        prop_assert!(plan(&reread, &marked).is_empty(), "second plan not empty:\n{}", once.text);
        // Only marker lines were added: removing them gives the original bytes back.
        let stripped: String = once
            .text
            .split_inclusive('\n')
            .filter(|l| !l.contains("makepay-migrate:"))
            .collect();
        prop_assert_eq!(file.encode(&stripped).unwrap(), bytes.clone());
    }

    #[test]
    fn env_lines_are_added_once(
        (lines, crlf, bom, final_newline) in source(),
        legacy_at in 0usize..30,
    ) {
        let mut lines: Vec<String> = lines.iter().map(|l| l.trim().replace(' ', "").to_uppercase()).collect();
        let at = legacy_at % (lines.len() + 1);
        lines.insert(at, "OXAPAY_MERCHANT_API_KEY=".into());
        let bytes = render(&lines, crlf, bom, final_newline);
        let file = TextFile::parse(&bytes).unwrap();
        let edit = env_edit(&file).expect("a legacy line is present");
        let once = apply_edits(&file.text, vec![edit]);
        let reread = TextFile::parse(&file.encode(&once.text).unwrap()).unwrap();
        prop_assert!(env_edit(&reread).is_none());
        prop_assert_eq!(once.text.ends_with('\n'), final_newline);
        prop_assert_eq!(once.text.matches("MAKEPAY_").count(), 3);
    }

    #[test]
    fn disjoint_edits_all_apply_like_a_splice(
        text in "[a-z\n]{0,60}",
        cuts in prop::collection::btree_set(0usize..=60, 0..12),
        reps in prop::collection::vec("[A-Z]{0,3}", 6),
    ) {
        let cuts: Vec<usize> = cuts.into_iter().filter(|&c| c <= text.len()).collect();
        let edits: Vec<Edit> = cuts
            .chunks(2)
            .zip(&reps)
            .map(|(pair, rep)| Edit {
                range: pair[0]..*pair.get(1).unwrap_or(&pair[0]),
                text: rep.clone(),
                origin: format!("e{}", pair[0]),
            })
            .collect();
        let mut expected = text.clone();
        for e in edits.iter().rev() {
            expected.replace_range(e.range.clone(), &e.text);
        }
        let applied = apply_edits(&text, edits.into_iter().rev().collect());
        prop_assert!(applied.conflicts.is_empty());
        prop_assert_eq!(applied.text, expected);
    }
}
