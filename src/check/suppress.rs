//! Inline suppressions: `makepay-migrate: allow <rule-id|category>[, ...] -- <reason>` in a real
//! comment (the syntax view decides what is a comment, so the marker in a string or in code does
//! nothing). A suppression covers its own line when it trails code, otherwise the next
//! statement, and a statement spanning several lines is covered from its first line to its end.

use crate::finding::{Category, Finding};
use crate::lang::{build_view, Language, RegionKind, SyntaxView};
use crate::text::LineIndex;
use serde::Serialize;
use std::collections::HashSet;

/// The marker that starts a suppression inside a comment.
pub const MARKER: &str = "makepay-migrate:";

/// One well-formed suppression comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suppression {
    pub path: String,
    /// 1-based position of the marker.
    pub line: usize,
    pub column: usize,
    /// Rule ids or category ids.
    pub targets: Vec<String>,
    pub reason: String,
    /// 1-based inclusive line range whose findings it covers.
    #[serde(skip)]
    pub covers: std::ops::RangeInclusive<usize>,
}

impl Suppression {
    pub fn applies_to(&self, f: &Finding) -> bool {
        f.path == self.path
            && self.covers.contains(&f.line)
            && self
                .targets
                .iter()
                .any(|t| *t == f.rule || t == f.category.id())
    }
}

/// A suppression comment that cannot be honoured; it fails the gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invalid {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// What comments say: of one file, or of a whole tree.
#[derive(Debug, Default)]
pub struct Suppressions {
    pub valid: Vec<Suppression>,
    pub invalid: Vec<Invalid>,
}

/// Reads every suppression in `src`. `known` holds the rule ids a suppression may name (category
/// ids are always allowed).
pub fn parse_file(rel: &str, lang: Language, src: &str, known: &HashSet<String>) -> Suppressions {
    let mut out = Suppressions::default();
    if lang.is_docs() || !src.contains(MARKER) {
        return out;
    }
    let view = build_view(lang, src);
    let lines = LineIndex::new(src);
    for (at, _) in src.match_indices(MARKER) {
        if view.region_at(at) != RegionKind::Comment {
            continue;
        }
        let (line, column) = lines.position(src, at);
        let body = comment_rest(src, &view, &lines, at + MARKER.len());
        match parse_body(body, known) {
            Ok((targets, reason)) => {
                let first = statement_start(src, &view, &lines, at);
                let last = statement_end(src, &view, &lines, first);
                out.valid.push(Suppression {
                    path: rel.to_string(),
                    line,
                    column,
                    targets,
                    reason,
                    covers: first + 1..=last + 1,
                });
            }
            Err(message) => out.invalid.push(Invalid {
                path: rel.to_string(),
                line,
                column,
                message,
            }),
        }
    }
    out
}

/// The comment text from `from` to the end of its line or of the comment, without a closing
/// delimiter (`*/`, `-->`).
fn comment_rest<'a>(src: &'a str, view: &SyntaxView, lines: &LineIndex, from: usize) -> &'a str {
    let line_end = lines.line_range(src, lines.line_of(from)).end;
    let end = (from..line_end)
        .find(|&o| view.region_at(o) != RegionKind::Comment)
        .unwrap_or(line_end);
    let text = src[from..end].trim_end();
    let text = text.strip_suffix("*/").unwrap_or(text);
    text.strip_suffix("-->").unwrap_or(text).trim()
}

/// Parses `allow a, b -- reason` into targets and reason.
fn parse_body(body: &str, known: &HashSet<String>) -> Result<(Vec<String>, String), String> {
    let Some(rest) = body.strip_prefix("allow") else {
        return Err(format!(
            "expected `{MARKER} allow <rule-id|category> -- <reason>`"
        ));
    };
    let (list, reason) = match rest.split_once("--") {
        Some((list, reason)) => (list, reason.trim()),
        None => (rest, ""),
    };
    let targets: Vec<String> = list
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    if targets.is_empty() {
        return Err("names no rule id or category to allow".into());
    }
    if let Some(unknown) = targets
        .iter()
        .find(|t| !known.contains(*t) && Category::from_id(t).is_none())
    {
        return Err(format!(
            "unknown rule id or category `{unknown}` (see `makepay-migrate rules list`)"
        ));
    }
    if reason.is_empty() {
        return Err("a reason is required: `... -- <why this stays>`".into());
    }
    Ok((targets, reason.to_string()))
}

/// 0-based first line a suppression at `at` covers: its own line when code precedes the comment,
/// else the next line that holds code.
fn statement_start(src: &str, view: &SyntaxView, lines: &LineIndex, at: usize) -> usize {
    let line = lines.line_of(at);
    let start = lines.line_range(src, line).start;
    let trails_code = src[start..at]
        .char_indices()
        .any(|(i, c)| !c.is_whitespace() && view.region_at(start + i) == RegionKind::Code);
    if trails_code {
        return line;
    }
    (line + 1..lines.line_count())
        .find(|&l| has_code(src, view, lines, l))
        .unwrap_or(line)
}

fn has_code(src: &str, view: &SyntaxView, lines: &LineIndex, line: usize) -> bool {
    let r = lines.line_range(src, line);
    src[r.clone()]
        .char_indices()
        .any(|(i, c)| !c.is_whitespace() && view.region_at(r.start + i) != RegionKind::Comment)
}

/// 0-based last line of the statement starting on `first`: brackets in code are balanced across
/// lines, and a line that opens a block (`) {`, `else {`, a Python `:`) ends the statement there,
/// so a suppression above a function header does not cover the whole body.
fn statement_end(src: &str, view: &SyntaxView, lines: &LineIndex, first: usize) -> usize {
    let mut depth: i32 = 0;
    for line in first..lines.line_count() {
        let r = lines.line_range(src, line);
        let mut last_code: Option<char> = None;
        let mut before_last: Option<char> = None;
        for (i, c) in src[r.clone()].char_indices() {
            if view.region_at(r.start + i) != RegionKind::Code || c.is_whitespace() {
                continue;
            }
            match c {
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                _ => {}
            }
            if depth < 0 {
                return line;
            }
            before_last = last_code;
            last_code = Some(c);
        }
        let opens_block = match (before_last, last_code) {
            (Some(p), Some('{')) => depth == 1 && (p == ')' || p.is_alphanumeric()),
            (_, Some(':')) => depth == 0,
            _ => false,
        };
        if depth <= 0 || opens_block {
            return line;
        }
    }
    lines.line_count().saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> HashSet<String> {
        ["oxapay-api-host".to_string()].into_iter().collect()
    }

    fn parse(lang: Language, src: &str) -> Suppressions {
        parse_file("f", lang, src, &known())
    }

    #[test]
    fn marker_outside_comments_is_ignored() {
        let src = "x = \"makepay-migrate: allow endpoint -- r\"\n";
        let s = parse(Language::Python, src);
        assert!(s.valid.is_empty() && s.invalid.is_empty());
    }

    #[test]
    fn covers_a_multi_line_statement_from_its_first_line() {
        let src = "<?php\n// makepay-migrate: allow endpoint, oxapay-api-host -- old orders\n$r = post(\n  'https://api.oxapay.com',\n  [1, 2]\n);\n$next = 1;\n";
        let s = parse(Language::Php, src);
        assert_eq!(s.invalid, []);
        let sup = &s.valid[0];
        assert_eq!((sup.line, sup.column), (2, 4));
        assert_eq!(sup.targets, ["endpoint", "oxapay-api-host"]);
        assert_eq!(sup.reason, "old orders");
        assert_eq!(sup.covers, 3..=6);
    }

    #[test]
    fn trailing_comment_covers_its_own_line() {
        let src =
            "const a = 1; /* makepay-migrate: allow endpoint -- test double */\nconst b = 2;\n";
        let s = parse(Language::Javascript, src);
        assert_eq!(s.valid[0].covers, 1..=1);
        assert_eq!(s.valid[0].reason, "test double");
    }

    #[test]
    fn a_block_header_ends_the_statement() {
        let src = "// makepay-migrate: allow endpoint -- r\nfunction f() {\n  a();\n}\n";
        assert_eq!(parse(Language::Javascript, src).valid[0].covers, 2..=2);
        let py = "# makepay-migrate: allow endpoint -- r\ndef f(\n    a):\n    pass\n";
        assert_eq!(parse(Language::Python, py).valid[0].covers, 2..=3);
    }

    #[test]
    fn reason_and_known_target_are_required() {
        let src = "# makepay-migrate: allow endpoint\n# makepay-migrate: allow oxapay-nope -- r\n# makepay-migrate: allow -- r\n# makepay-migrate: deny endpoint -- r\n";
        let s = parse(Language::Python, src);
        assert!(s.valid.is_empty());
        let msgs: Vec<(usize, &str)> = s
            .invalid
            .iter()
            .map(|i| (i.line, i.message.as_str()))
            .collect();
        assert!(msgs[0].0 == 1 && msgs[0].1.contains("reason is required"));
        assert!(msgs[1].0 == 2 && msgs[1].1.contains("oxapay-nope"));
        assert!(msgs[2].0 == 3 && msgs[2].1.contains("names no rule"));
        assert!(msgs[3].0 == 4 && msgs[3].1.contains("expected"));
    }
}
