//! The lexical view: comment and string spans from a small per-language syntax table.
//!
//! It serves formats no parser covers (configs, manifests, plain text) and is the fallback when
//! a parser fails, so a file is always scanned. It knows nothing of functions.

use super::{Language, RegionKind};
use std::ops::Range;

/// How one kind of string literal is delimited.
struct Quote {
    open: &'static str,
    close: &'static str,
    /// Backslash escapes the next byte.
    escapes: bool,
    /// May span lines; otherwise an unterminated literal ends at the end of the line.
    multiline: bool,
    /// A character literal (`'x'`, `'\n'`): only taken as a string when it closes within a few
    /// bytes, so Rust lifetimes and generics stay code.
    short: bool,
}

const fn q(open: &'static str, close: &'static str, multiline: bool) -> Quote {
    Quote {
        open,
        close,
        escapes: true,
        multiline,
        short: false,
    }
}

const DQ: Quote = q("\"", "\"", false);
const SQ: Quote = q("'", "'", false);
const BT: Quote = q("`", "`", true);
const CHAR: Quote = Quote {
    open: "'",
    close: "'",
    escapes: true,
    multiline: false,
    short: true,
};
const TRIPLE_DQ: Quote = q("\"\"\"", "\"\"\"", true);
const TRIPLE_SQ: Quote = q("'''", "'''", true);
const GO_RAW: Quote = Quote {
    open: "`",
    close: "`",
    escapes: false,
    multiline: true,
    short: false,
};

/// The comment and string syntax of one language.
struct Syntax {
    line_comments: &'static [&'static str],
    /// `#` starts a comment only at the start of a line or after whitespace (YAML, env files).
    hash_needs_space: bool,
    block_comments: &'static [(&'static str, &'static str)],
    quotes: &'static [Quote],
}

const C_LIKE: &[(&str, &str)] = &[("/*", "*/")];

fn syntax(lang: Language) -> Syntax {
    let s = |line_comments, block_comments, quotes| Syntax {
        line_comments,
        hash_needs_space: false,
        block_comments,
        quotes,
    };
    match lang {
        Language::Javascript | Language::Typescript => s(&["//"], C_LIKE, &[DQ, SQ, BT]),
        Language::Php => s(&["//", "#"], C_LIKE, &[DQ, SQ]),
        Language::Go => s(&["//"], C_LIKE, &[DQ, CHAR, GO_RAW]),
        Language::Java | Language::Csharp | Language::Rust => {
            s(&["//"], C_LIKE, &[TRIPLE_DQ, DQ, CHAR])
        }
        Language::Kotlin | Language::Gradle => s(&["//"], C_LIKE, &[TRIPLE_DQ, DQ, SQ]),
        Language::Python => s(&["#"], &[], &[TRIPLE_DQ, TRIPLE_SQ, DQ, SQ]),
        Language::Ruby | Language::Gemfile => s(&["#"], &[], &[DQ, SQ]),
        Language::Gomod => s(&["//"], &[], &[DQ]),
        Language::Env | Language::Yaml | Language::Toml | Language::Properties => Syntax {
            line_comments: &["#"],
            hash_needs_space: true,
            block_comments: &[],
            quotes: &[DQ, SQ],
        },
        Language::Requirements => Syntax {
            line_comments: &["#"],
            hash_needs_space: true,
            block_comments: &[],
            quotes: &[],
        },
        Language::Json | Language::Lockfile => s(&[], &[], &[DQ]),
        Language::Xml | Language::Html => s(&[], &[("<!--", "-->")], &[DQ]),
        Language::Markdown | Language::Text => s(&[], &[], &[]),
    }
}

/// Returns the string and comment spans of `src`, sorted and non-overlapping. Everything
/// outside them is code. Markdown is one comment: documentation is never code.
pub fn regions(lang: Language, src: &str) -> Vec<(Range<usize>, RegionKind)> {
    if lang == Language::Markdown {
        return vec![(0..src.len(), RegionKind::Comment)];
    }
    let syn = syntax(lang);
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        if let Some(end) = line_comment_end(&syn, bytes, i) {
            out.push((i..end, RegionKind::Comment));
            i = end;
        } else if let Some((_, close)) = syn
            .block_comments
            .iter()
            .find(|(open, _)| rest.starts_with(open.as_bytes()))
        {
            let end = find(bytes, i + 2, close.as_bytes()).map_or(bytes.len(), |e| e + close.len());
            out.push((i..end, RegionKind::Comment));
            i = end;
        } else if let Some(end) = syn
            .quotes
            .iter()
            .filter(|quote| rest.starts_with(quote.open.as_bytes()))
            .find_map(|quote| string_end(quote, bytes, i))
        {
            out.push((i..end, RegionKind::String));
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

fn line_comment_end(syn: &Syntax, bytes: &[u8], i: usize) -> Option<usize> {
    let rest = &bytes[i..];
    let opener = syn
        .line_comments
        .iter()
        .find(|c| rest.starts_with(c.as_bytes()))?;
    if syn.hash_needs_space && *opener == "#" && i > 0 && !bytes[i - 1].is_ascii_whitespace() {
        return None;
    }
    Some(find(bytes, i, b"\n").unwrap_or(bytes.len()))
}

/// End (exclusive) of the literal opening at `start`, or `None` when this is not a literal
/// (a character quote that is not a character literal).
fn string_end(quote: &Quote, bytes: &[u8], start: usize) -> Option<usize> {
    let body = start + quote.open.len();
    if quote.short {
        return char_literal_end(bytes, body);
    }
    let close = quote.close.as_bytes();
    let mut j = body;
    while j < bytes.len() {
        let b = bytes[j];
        if quote.escapes && b == b'\\' {
            j += 2;
            continue;
        }
        if bytes[j..].starts_with(close) {
            return Some(j + close.len());
        }
        if b == b'\n' && !quote.multiline {
            return Some(j);
        }
        j += 1;
    }
    Some(bytes.len())
}

/// `'x'`, `'ç'` or an escape such as `'\n'`, `'\u{1F600}'`; anything else (a Rust lifetime, a
/// generic `'a`) is code.
fn char_literal_end(bytes: &[u8], body: usize) -> Option<usize> {
    let rest = bytes.get(body..)?;
    let len = if rest.first() == Some(&b'\\') {
        let close = rest.iter().take(12).skip(2).position(|&b| b == b'\'')?;
        close + 2
    } else {
        let ch = std::str::from_utf8(&rest[..rest.len().min(4)])
            .or_else(|e| std::str::from_utf8(&rest[..e.valid_up_to()]))
            .ok()?
            .chars()
            .next()?;
        ch.len_utf8()
    };
    (rest.get(len) == Some(&b'\'')).then_some(body + len + 1)
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= hay.len() {
        return None;
    }
    memchr::memmem::find(&hay[from..], needle).map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(lang: Language, src: &str) -> Vec<(String, RegionKind)> {
        regions(lang, src)
            .into_iter()
            .map(|(r, k)| (src[r].to_string(), k))
            .collect()
    }

    #[test]
    fn js_strings_and_comments() {
        let got = kinds(
            Language::Javascript,
            "const u = 'https://x'; // note\nconst t = `a\n${b}`; /* c */",
        );
        assert_eq!(
            got,
            vec![
                ("'https://x'".into(), RegionKind::String),
                ("// note".into(), RegionKind::Comment),
                ("`a\n${b}`".into(), RegionKind::String),
                ("/* c */".into(), RegionKind::Comment),
            ]
        );
    }

    #[test]
    fn rust_lifetimes_are_code() {
        let got = kinds(Language::Rust, "fn f<'a>(x: &'a str) -> char { 'x' }");
        assert_eq!(got, vec![("'x'".into(), RegionKind::String)]);
    }

    #[test]
    fn yaml_hash_inside_value_is_not_a_comment() {
        let got = kinds(Language::Yaml, "url: http://a/#frag # real\n");
        assert_eq!(got, vec![("# real".into(), RegionKind::Comment)]);
    }

    #[test]
    fn escaped_quotes_stay_inside() {
        let got = kinds(Language::Php, r#"$a = "x\"y"; # c"#);
        assert_eq!(
            got,
            vec![
                (r#""x\"y""#.into(), RegionKind::String),
                ("# c".into(), RegionKind::Comment)
            ]
        );
    }
}
