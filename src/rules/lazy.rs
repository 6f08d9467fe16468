//! Rule regexes are checked when rules load and compiled when first used. A run matches only a
//! few rules against the few files that pass the prefilter, while compiling all of them up
//! front cost more than scanning a 200 MB tree.
//!
//! They match bytes with ASCII classes (`\w`, `\s`, `\b`, `(?i)`): source code identifiers,
//! keys and URLs are ASCII, and Unicode classes multiply the automata's size and build time.
//! Only match spans are ever asked for, so no capture groups are compiled: that and sharing one
//! compiled regex between rules that repeat a pattern halve what a hit file costs to set up.

use super::literals::required_literals;
use super::present::Present;
use regex_automata::meta::{Builder, Config, Regex};
use regex_automata::nfa::thompson::WhichCaptures;
use regex_automata::util::syntax;
use regex_syntax::hir::Hir;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

/// Cheap to clone: clones share one compiled regex.
#[derive(Debug, Clone)]
pub struct LazyRegex(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    source: String,
    /// The load-time parse, kept so compiling does not parse the pattern a second time.
    hir: Hir,
    /// Lower-case literals one of which every match contains; `None` when there is no such set.
    required: Option<Vec<String>>,
    compiled: OnceLock<Regex>,
}

/// Parses `source` the way rule regexes are compiled: bytes, ASCII classes.
pub(super) fn parse(source: &str) -> Result<Hir, Box<regex_syntax::Error>> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(source)
        .map_err(Box::new)
}

impl LazyRegex {
    /// Checks the syntax now, so a bad pattern is a load error with its location; the same parse
    /// yields the literals the pattern needs.
    pub fn new(source: &str) -> Result<Self, Box<regex_syntax::Error>> {
        let hir = parse(source)?;
        Ok(LazyRegex(Arc::new(Inner {
            source: source.to_string(),
            required: required_literals(&hir),
            hir,
            compiled: OnceLock::new(),
        })))
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.0.source
    }

    /// Lower-case literals one of which every match contains, if the pattern has such a set.
    pub fn required(&self) -> Option<&[String]> {
        self.0.required.as_deref()
    }

    /// False when the pattern cannot match a text whose literals are `present`: then it need not
    /// be compiled or run at all.
    pub fn may_match(&self, present: &Present<'_>) -> bool {
        self.0
            .required
            .as_ref()
            .is_none_or(|lits| lits.iter().any(|l| present.contains(l)))
    }
}

impl Deref for LazyRegex {
    type Target = Regex;

    fn deref(&self) -> &Regex {
        self.0.compiled.get_or_init(|| {
            let mut builder = Builder::new();
            builder
                .syntax(syntax::Config::new().unicode(false).utf8(false))
                .configure(
                    Config::new()
                        .utf8_empty(false)
                        .which_captures(WhichCaptures::Implicit)
                        .dfa(false)
                        .onepass(false)
                        .backtrack(false),
                );
            // Syntax was checked at load; what is left is the compiled-size limit, which a
            // hand-written rule pattern does not reach. Fail closed: match nothing, say why.
            builder.build_from_hir(&self.0.hir).unwrap_or_else(|e| {
                eprintln!(
                    "warning: rule pattern `{}` cannot be compiled: {e}",
                    self.0.source
                );
                builder
                    .build(r"[^\s\S]")
                    .expect("an empty class is a valid regex")
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_checked_early_compiled_late() {
        assert!(LazyRegex::new("sign((").is_err());
        let re = LazyRegex::new(r"track_?id").unwrap();
        let shared = re.clone();
        assert!(re.0.compiled.get().is_none());
        assert!(re.is_match(b"trackid"));
        assert!(
            shared.0.compiled.get().is_some(),
            "clones share the compiled regex"
        );
        assert_eq!(re.as_str(), "track_?id");
    }

    #[test]
    fn required_literals_come_from_the_load_parse() {
        let re = LazyRegex::new(r"(?i)api\.oxapay\.com/v1").unwrap();
        assert_eq!(re.required(), Some(&["api.oxapay.com/v1".to_string()][..]));
        assert_eq!(LazyRegex::new(r"\w+").unwrap().required(), None);
    }
}
