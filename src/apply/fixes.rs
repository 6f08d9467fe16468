//! Finding-driven edits: mechanical fixes keyed by rule (non-timing-safe legacy signature
//! compares become timing-safe) and `makepay-migrate:` marker comments above findings.
//!
//! Both only ever touch code they can read unambiguously; everything else becomes a note for the
//! reviewer. Both are idempotent: a fixed compare no longer matches its rule, and a line already
//! carrying a marker for a rule is not marked again.

use super::edit::Edit;
use super::textfile::TextFile;
use crate::finding::{Category, Finding};
use crate::lang::{build_view, Language, RegionKind};
use crate::text::LineIndex;
use regex::Regex;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// The marker every annotation starts with; lines holding it are never annotated themselves.
pub const MARKER: &str = "makepay-migrate:";

/// Edits and reviewer notes for one file.
#[derive(Debug, Default)]
pub struct FileFixes {
    pub edits: Vec<Edit>,
    pub notes: Vec<String>,
}

/// Whether `finding` is a plain `==`/`===` compare of a legacy callback signature.
pub fn is_unsafe_compare(finding: &Finding) -> bool {
    finding.category == Category::CallbackVerification
        && finding.rule.contains("unsafe")
        && finding.rule.contains("compare")
}

// An operand the rewrite can move verbatim: a name followed by member accesses, indexing and
// calls without nested parentheses. Anything more complex is left to a person.
const OPERAND: &str =
    r#"\$?[A-Za-z_][\w$]*(?:(?:\.|->|::|\?\.)[A-Za-z_$][\w$]*|\[[^\[\]\n]*\]|\([^()\n]*\))*"#;

static COMPARE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?P<l>{OPERAND})\s*(?P<op>===|!==|==|!=)\s*(?P<r>{OPERAND})"
    ))
    .expect("valid regex")
});
static SIGNATURE_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)hmac|sign|sig|digest|hash|expected|calc|computed").expect("valid regex")
});
static LEAD_OK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[(,{;]|[^=!<>]=|&&|\|\||(?:^|[^\w$])(?:return|if|not|and|or|elif|assert))\s*$",
    )
    .expect("valid regex")
});
static TAIL_OK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:$|[);:{,]|&&|\|\||(?:and|or|then)(?:\s|$))").expect("valid regex")
});
static JS_CRYPTO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:import\s+\*\s+as\s+([\w$]+)\s+from|import\s+([\w$]+)\s+from|(?:const|let|var)\s+([\w$]+)\s*=\s*require\()\s*['"](?:node:)?crypto['"]"#)
        .expect("valid regex")
});
static PY_HMAC: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^import\s+(?:[\w.]+\s*,\s*)*hmac\b").expect("valid regex"));
static PY_FIRST_IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^(?:import\s|from\s+(?:[^_\s]|_[^_])\S*\s+import\s)").expect("valid regex")
});
static GO_HMAC: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?m)^\s*(?:import\s+)?"crypto/hmac""#).expect("valid regex"));
static GO_IMPORT_BLOCK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^import \(\r?\n").expect("valid regex"));

/// Rewrites each unsafe compare in `findings` (all in this file) into a timing-safe one.
pub fn timing_safe(lang: Language, file: &TextFile, findings: &[&Finding]) -> FileFixes {
    let mut out = FileFixes::default();
    let text = &file.text;
    let index = LineIndex::new(text);
    let mut lines: Vec<usize> = findings.iter().map(|f| f.line - 1).collect();
    lines.sort_unstable();
    lines.dedup();
    let mut needs_import = false;
    for (line, finding) in lines
        .iter()
        .filter_map(|&l| findings.iter().find(|f| f.line - 1 == l).map(|f| (l, f)))
    {
        if line >= index.line_count() {
            continue;
        }
        let range = index.line_range(text, line);
        let src = &text[range.clone()];
        let Some(cmp) = find_compare(src) else {
            out.notes.push(format!(
                "{}:{}: {}: compare too complex to rewrite safely; make it timing-safe by hand",
                finding.path, finding.line, finding.rule
            ));
            continue;
        };
        let rewritten = match lang {
            Language::Php => Some(format!(
                "{}hash_equals((string) {}, (string) {})",
                cmp.not, cmp.left, cmp.right
            )),
            Language::Python => Some(format!(
                "{}hmac.compare_digest({}, {})",
                if cmp.not.is_empty() { "" } else { "not " },
                cmp.left,
                cmp.right
            )),
            Language::Javascript | Language::Typescript => js_crypto_name(text).map(|c| {
                format!(
                    "{}((a, b) => a.length === b.length && {c}.timingSafeEqual(a, b))(Buffer.from(String({})), Buffer.from(String({})))",
                    cmp.not, cmp.left, cmp.right
                )
            }),
            Language::Go => Some(format!(
                "{}hmac.Equal([]byte({}), []byte({}))",
                cmp.not, cmp.left, cmp.right
            )),
            _ => None,
        };
        let Some(rewritten) = rewritten else {
            out.notes.push(format!(
                "{}:{}: {}: no mechanical timing-safe fix for {lang} here; fix by hand",
                finding.path, finding.line, finding.rule
            ));
            continue;
        };
        needs_import = true;
        out.edits.push(Edit {
            range: range.start + cmp.span.start..range.start + cmp.span.end,
            text: rewritten,
            origin: "timing-safe".into(),
        });
    }
    if needs_import {
        match import_edit(lang, file) {
            Ok(Some(edit)) => out.edits.push(edit),
            Ok(None) => {}
            Err(why) => {
                let path = findings.first().map_or("", |f| f.path.as_str());
                out.notes
                    .push(format!("{path}: timing-safe fix skipped: {why}"));
                out.edits.clear();
            }
        }
    }
    out
}

struct Compare<'a> {
    span: std::ops::Range<usize>,
    left: &'a str,
    right: &'a str,
    /// `!` when the compare was an inequality.
    not: &'static str,
}

fn find_compare(line: &str) -> Option<Compare<'_>> {
    COMPARE.captures_iter(line).find_map(|c| {
        let whole = c.get(0)?;
        let (l, r) = (c.name("l")?.as_str(), c.name("r")?.as_str());
        let signature_like = SIGNATURE_WORD.is_match(l) || SIGNATURE_WORD.is_match(r);
        let bounded =
            LEAD_OK.is_match(&line[..whole.start()]) && TAIL_OK.is_match(&line[whole.end()..]);
        (signature_like && bounded).then(|| Compare {
            span: whole.range(),
            left: l,
            right: r,
            not: if c["op"].starts_with('!') { "!" } else { "" },
        })
    })
}

fn js_crypto_name(text: &str) -> Option<String> {
    let c = JS_CRYPTO.captures(text)?;
    (1..=3)
        .find_map(|i| c.get(i))
        .map(|m| m.as_str().to_string())
}

/// The import the rewritten compare needs, if the file lacks it.
fn import_edit(lang: Language, file: &TextFile) -> Result<Option<Edit>, &'static str> {
    let text = &file.text;
    let eol = file.eol();
    match lang {
        Language::Python if !PY_HMAC.is_match(text) => {
            let at = PY_FIRST_IMPORT
                .find(text)
                .ok_or("no import block to add `import hmac` to")?
                .start();
            Ok(Some(Edit::insert(
                at,
                format!("import hmac{eol}"),
                "timing-safe",
            )))
        }
        Language::Go if !GO_HMAC.is_match(text) => {
            let at = GO_IMPORT_BLOCK
                .find(text)
                .ok_or("no `import (` block to add \"crypto/hmac\" to")?
                .end();
            Ok(Some(Edit::insert(
                at,
                format!("\t\"crypto/hmac\"{eol}"),
                "timing-safe",
            )))
        }
        Language::Javascript | Language::Typescript if js_crypto_name(text).is_none() => {
            Err("no `crypto` module binding in scope (import crypto from 'node:crypto')")
        }
        _ => Ok(None),
    }
}

/// Line-comment syntax of a language: (opening, closing); `None` where comments do not exist.
fn comment_syntax(lang: Language) -> Option<(&'static str, &'static str)> {
    use Language::*;
    match lang {
        Javascript | Typescript | Go | Java | Kotlin | Csharp | Rust | Php | Gradle | Gomod => {
            Some(("//", ""))
        }
        Python | Ruby | Env | Yaml | Toml | Properties | Requirements | Gemfile => Some(("#", "")),
        Html | Xml | Markdown => Some(("<!--", " -->")),
        Json | Lockfile | Text => None,
    }
}

/// One marker line per rule above each finding's line, in the file's comment syntax.
pub fn annotate(lang: Language, file: &TextFile, findings: &[&Finding]) -> FileFixes {
    let mut out = FileFixes::default();
    let Some((open, close)) = comment_syntax(lang) else {
        if let Some(f) = findings.first() {
            out.notes
                .push(format!("{}: {lang} has no comments; not annotated", f.path));
        }
        return out;
    };
    let text = &file.text;
    let index = LineIndex::new(text);
    let view = build_view(lang, text);
    let mut by_line: BTreeMap<usize, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        if f.line >= 1 && f.line - 1 < index.line_count() {
            by_line.entry(f.line - 1).or_default().push(f);
        }
    }
    for (line, fs) in by_line {
        let range = index.line_range(text, line);
        let src = &text[range.clone()];
        if src.contains(MARKER) {
            continue;
        }
        let indent_len = src.len() - src.trim_start().len();
        let previous = line
            .checked_sub(1)
            .map(|p| &text[index.line_range(text, p)])
            .unwrap_or("");
        if previous.trim_end().ends_with('\\') {
            continue; // a continued line: a comment line would break it
        }
        let in_code = view.region_at(range.start + indent_len) == RegionKind::Code
            && (lang != Language::Php || in_php_code(&text[..range.start]));
        if !in_code {
            out.notes.push(format!(
                "{}:{}: inside a string or comment; not annotated",
                fs[0].path,
                line + 1
            ));
            continue;
        }
        let indent = &src[..indent_len];
        let mut block = String::new();
        let mut seen = Vec::new();
        for f in fs {
            if seen.contains(&f.rule) || marker_above(text, &index, line, &f.rule) {
                continue;
            }
            seen.push(f.rule.clone());
            let replacement = f
                .replacement
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let body =
                format!("{MARKER} {} -> MakePay: {replacement}", f.rule).replace("-->", "->");
            block.push_str(&format!("{indent}{open} {body}{close}{}", file.eol()));
        }
        if !block.is_empty() {
            out.edits.push(Edit::insert(range.start, block, "annotate"));
        }
    }
    out
}

/// Whether a marker for `rule` already sits in the comment lines directly above `line`.
fn marker_above(text: &str, index: &LineIndex, line: usize, rule: &str) -> bool {
    let needle = format!("{MARKER} {rule} ");
    (0..line)
        .rev()
        .map(|l| &text[index.line_range(text, l)])
        .take_while(|l| l.contains(MARKER))
        .any(|l| l.contains(&needle))
}

/// PHP files switch between HTML and code: the last `<?` before the line must be unclosed.
fn in_php_code(before: &str) -> bool {
    match (before.rfind("<?"), before.rfind("?>")) {
        (Some(open), Some(close)) => open > close,
        (Some(_), None) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_bounded_signature_compares_only() {
        let c = find_compare("if ($calc !== $_SERVER['HTTP_HMAC']) { exit; }").unwrap();
        assert_eq!(
            (c.left, c.right, c.not),
            ("$calc", "$_SERVER['HTTP_HMAC']", "!")
        );
        let c = find_compare("if calc == request.headers.get('HMAC', ''):").unwrap();
        assert_eq!(c.right, "request.headers.get('HMAC', '')");
        assert!(find_compare("if (a.b + calc === sig) {").is_none());
        assert!(find_compare("if (calc === sig.x + 1) {").is_none());
        assert!(find_compare("if (count === total) {").is_none());
    }
}
