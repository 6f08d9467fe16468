//! Rule matching inside one file: every place a rule's own matcher accepts, before provider
//! gating decides which of them count.

use crate::finding::Confidence;
use crate::lang::{Language, RegionKind, SyntaxView};
use crate::rules::{Present, Rule, Scope};
use crate::text::LineIndex;
use regex_automata::Input;
use std::collections::HashMap;
use std::ops::Range;

/// A rule match that passed the rule's own conditions.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Index into the rule slice the matcher was given.
    pub rule: usize,
    pub span: Range<usize>,
    /// 0-based line of the match start.
    pub line: usize,
    pub region: RegionKind,
    /// Index into the view's functions.
    pub function: Option<usize>,
}

/// The parsed file a matcher works on.
pub struct FileText<'a> {
    /// Relative to the scan root, `/`-separated.
    pub path: &'a str,
    pub src: &'a str,
    pub lang: Language,
    pub view: &'a SyntaxView,
    pub lines: &'a LineIndex,
    /// The rule literals the file contains: regexes needing others are skipped uncompiled.
    pub present: &'a Present<'a>,
}

/// Part of a file to match in: byte ranges of whole lines, sorted and apart, with the rule
/// literals found inside them.
pub struct Within<'a> {
    pub ranges: &'a [Range<usize>],
    pub present: &'a Present<'a>,
}

/// Runs every rule in `rules` accepted by `select` over `file`; at most one candidate per
/// (line, rule), sorted by position.
pub fn candidates(
    rules: &[Rule],
    file: &FileText<'_>,
    select: impl Fn(&Rule) -> bool,
) -> Vec<Candidate> {
    search(rules, file, select, None)
}

/// [`candidates`] whose matches lie wholly inside `within`. Conditions on a match's scope
/// (`all`, `absent`) still read the whole scope, wherever it extends.
pub fn candidates_within(
    rules: &[Rule],
    file: &FileText<'_>,
    select: impl Fn(&Rule) -> bool,
    within: &Within<'_>,
) -> Vec<Candidate> {
    search(rules, file, select, Some(within))
}

fn search(
    rules: &[Rule],
    file: &FileText<'_>,
    select: impl Fn(&Rule) -> bool,
    within: Option<&Within<'_>>,
) -> Vec<Candidate> {
    let whole = 0..file.src.len();
    let (ranges, present) = within.map_or((std::slice::from_ref(&whole), file.present), |w| {
        (w.ranges, w.present)
    });
    let mut out = Vec::new();
    // `all`/`absent` verdicts per (rule, scope): a big function with many matches is read once
    // per rule, not once per match.
    let mut scopes: HashMap<(usize, usize, usize), bool> = HashMap::new();
    for (idx, rule) in rules.iter().enumerate() {
        if !select(rule) {
            continue;
        }
        if let Some(name) = &rule.filename {
            if !name.is_match(file.path.as_bytes()) {
                continue;
            }
            // A file-name rule reports the file's first line.
            if rule.patterns.is_empty() {
                if ranges.first().is_some_and(|r| r.start == 0) {
                    out.push(Candidate {
                        rule: idx,
                        span: file.lines.line_range(file.src, 0),
                        line: 0,
                        region: RegionKind::Code,
                        function: None,
                    });
                }
                continue;
            }
        }
        // An `all` condition the file cannot meet anywhere rules out every match.
        if !rule.all.iter().all(|re| re.may_match(file.present)) {
            continue;
        }
        let mut last_line = None;
        // Each range is searched with the whole file around it, so `^`, `$` and `\b` see
        // what is outside it.
        let mut hits: Vec<Range<usize>> = rule
            .patterns
            .iter()
            .filter(|re| re.may_match(present))
            .flat_map(|re| {
                ranges.iter().flat_map(move |r| {
                    let input = Input::new(file.src.as_bytes()).range(r.clone());
                    re.for_file(file.src.len())
                        .find_iter(input)
                        .map(|m| m.range())
                })
            })
            .filter_map(|r| char_aligned(file.src, r))
            .collect();
        hits.sort_by_key(|r| r.start);
        for span in hits {
            let line = file.lines.line_of(span.start);
            if last_line == Some(line) {
                continue;
            }
            if let Some(c) = accept(idx, rule, file, span, line, &mut scopes) {
                last_line = Some(line);
                out.push(c);
            }
        }
    }
    out.sort_by_key(|c| (c.span.start, c.rule));
    out
}

fn accept(
    idx: usize,
    rule: &Rule,
    file: &FileText<'_>,
    span: Range<usize>,
    line: usize,
    scopes: &mut HashMap<(usize, usize, usize), bool>,
) -> Option<Candidate> {
    let region = file.view.region_at(span.start);
    // Anchors in comments and docs are still worth an informational note; nothing else is.
    let allowed = rule.regions.contains(&region)
        || (region == RegionKind::Comment && rule.confidence == Confidence::High);
    if !allowed {
        return None;
    }
    let line_text = &file.src[file.lines.line_range(file.src, line)];
    if rule.not.iter().any(|re| {
        re.may_match(file.present) && re.for_file(file.src.len()).is_match(line_text.as_bytes())
    }) {
        return None;
    }
    let function = file.view.function_at(span.start);
    if !rule.all.is_empty() || !rule.absent.is_empty() {
        let range = scope_range(rule.within, file, line, function);
        let holds = *scopes
            .entry((idx, range.start, range.end))
            .or_insert_with(|| {
                let scope = &file.src[range.clone()];
                rule.all
                    .iter()
                    .all(|re| re.for_file(file.src.len()).is_match(scope.as_bytes()))
                    && !rule.absent.iter().any(|re| {
                        re.may_match(file.present)
                            && re.for_file(file.src.len()).is_match(scope.as_bytes())
                    })
            });
        if !holds {
            return None;
        }
    }
    Some(Candidate {
        rule: idx,
        span,
        line,
        region,
        function,
    })
}

/// Byte-level patterns may start or end inside a multi-byte character (`[^"]` matches one byte
/// of it); findings start at a character and end after one.
fn char_aligned(src: &str, r: Range<usize>) -> Option<Range<usize>> {
    if !src.is_char_boundary(r.start) {
        return None;
    }
    let end = (r.end..=src.len()).find(|&e| src.is_char_boundary(e))?;
    Some(r.start..end)
}

/// The first line of the block holding `line`: see [`Scope::Block`].
fn block_header(src: &str, lines: &LineIndex, line: usize) -> usize {
    let text = |l: usize| &src[lines.line_range(src, l)];
    let indent = |t: &str| t.len() - t.trim_start().len();
    let own = indent(text(line));
    let header = (0..line).rev().find(|&l| {
        let t = text(l);
        let trimmed = t.trim();
        !trimmed.is_empty() && (indent(t) < own || (own == 0 && trimmed.starts_with('[')))
    });
    let Some(header) = header else {
        return 0;
    };
    let lone_bracket = matches!(text(header).trim(), "{" | "[" | "(");
    if lone_bracket {
        if let Some(above) = (0..header).rev().find(|&l| !text(l).trim().is_empty()) {
            return above;
        }
    }
    header
}

/// The text `all` and `absent` inspect. At top level, `function` scope is the whole file.
fn scope_range(
    scope: Scope,
    file: &FileText<'_>,
    line: usize,
    function: Option<usize>,
) -> Range<usize> {
    let lines_around = |n: usize| {
        let first = line.saturating_sub(n);
        let last = (line + n).min(file.lines.line_count() - 1);
        file.lines.line_range(file.src, first).start..file.lines.line_range(file.src, last).end
    };
    match scope {
        Scope::Line => lines_around(0),
        Scope::Lines(n) => lines_around(n),
        Scope::Block => {
            let first = block_header(file.src, file.lines, line);
            file.lines.line_range(file.src, first).start..lines_around(0).end
        }
        Scope::File => 0..file.src.len(),
        Scope::Function => match function {
            Some(f) => file.view.functions()[f].range.clone(),
            None => 0..file.src.len(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(src: &str, line: usize) -> usize {
        block_header(src, &LineIndex::new(src), line)
    }

    #[test]
    fn a_block_starts_at_its_header() {
        let json = "{\n  \"OxaPay\": {\n    \"ApiKey\": \"\"\n  },\n  \"Stripe\": {\n\n    \"SecretKey\": \"\"\n  }\n}\n";
        assert_eq!(header(json, 2), 1);
        assert_eq!(header(json, 6), 4);
        let allman =
            "public sealed class OxaPayOptions\n{\n    public string ApiKey { get; set; }\n}\n";
        assert_eq!(header(allman, 2), 0);
        let ini = "[oxapay]\napi_key = x\n\n[stripe]\nsecret_key = y\n";
        assert_eq!(header(ini, 1), 0);
        assert_eq!(header(ini, 4), 3);
        assert_eq!(header("api_key = x\n", 0), 0);
    }
}
