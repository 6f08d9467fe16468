//! Rule regexes are checked when rules load and compiled when first used. A run matches only a
//! few rules against the few files that pass the prefilter, while compiling all of them up
//! front cost more than scanning a 200 MB tree.
//!
//! They match bytes with ASCII classes (`\w`, `\s`, `\b`, `(?i)`): source code identifiers,
//! keys and URLs are ASCII, and Unicode classes multiply the automata's size and build time.
//! Only match spans are ever asked for, so no capture groups are compiled: that and sharing one
//! compiled regex between rules that repeat a pattern halve what a hit file costs to set up.

use super::literals::{parse, required_literals};
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
    /// The load-time parse, kept so compiling does not parse the pattern a second time; `None`
    /// for a pattern the build parsed.
    hir: Option<Hir>,
    /// Lower-case literals one of which every match contains; `None` when there is no such set.
    required: Option<Vec<String>>,
    compiled: OnceLock<Regex>,
}

/// What `build.rs` found for every distinct regex of the embedded packs that parses:
/// `(source, required literals)`, sorted by source.
static PRECOMPUTED: &[(&str, Option<&[&str]>)] =
    include!(concat!(env!("OUT_DIR"), "/embedded_literals.rs"));

/// The build's parse of `source`, if it made one: the same function of the source text that
/// [`LazyRegex::new`] would otherwise compute.
fn precomputed(source: &str) -> Option<Option<&'static [&'static str]>> {
    PRECOMPUTED
        .binary_search_by(|(s, _)| (*s).cmp(source))
        .ok()
        .map(|i| PRECOMPUTED[i].1)
}

impl LazyRegex {
    /// Checks the syntax now, so a bad pattern is a load error with its location; the same parse
    /// yields the literals the pattern needs. A pattern of the embedded packs was parsed when
    /// the binary was built, which spares every run most of its start-up time.
    pub fn new(source: &str) -> Result<Self, Box<regex_syntax::Error>> {
        let (hir, required) = match precomputed(source) {
            Some(required) => (
                None,
                required.map(|l| l.iter().map(|s| s.to_string()).collect()),
            ),
            None => {
                let hir = parse(source)?;
                let required = required_literals(&hir);
                (Some(hir), required)
            }
        };
        Ok(LazyRegex(Arc::new(Inner {
            source: source.to_string(),
            hir,
            required,
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
                        .dfa(false),
                );
            // Syntax was checked at load; what is left is the compiled-size limit, which a
            // hand-written rule pattern does not reach. Fail closed: match nothing, say why.
            let built = match &self.0.hir {
                Some(hir) => builder.build_from_hir(hir),
                None => builder.build(&self.0.source),
            };
            built.unwrap_or_else(|e| {
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

    /// The build's table must say exactly what the run-time parse says, or embedded rules would
    /// gate on other literals than `--rules` copies of them.
    #[test]
    fn precomputed_literals_match_the_runtime_parse() {
        assert!(PRECOMPUTED.len() > 100, "build.rs found the embedded packs");
        assert!(
            PRECOMPUTED.windows(2).all(|w| w[0].0 < w[1].0),
            "sorted, distinct"
        );
        for (source, required) in PRECOMPUTED {
            let hir = parse(source).expect("the table holds only patterns that parse");
            let expected = required_literals(&hir);
            let got = required.map(|l| l.iter().map(|s| s.to_string()).collect::<Vec<_>>());
            assert_eq!(got, expected, "{source}");
        }
    }

    /// Every regex of the embedded rules is in the table (so build.rs reads every field that
    /// holds one), and a pattern outside it is still parsed and checked.
    #[test]
    fn every_embedded_regex_was_precomputed() {
        let rules = crate::rules::load_rules(&Default::default()).expect("embedded rules load");
        let regexes: Vec<&LazyRegex> = rules
            .iter()
            .flat_map(|r| r.regexes().chain(r.filename.iter()))
            .collect();
        assert!(regexes.len() > 300);
        for re in regexes {
            assert!(precomputed(re.as_str()).is_some(), "{}", re.as_str());
            assert!(re.0.hir.is_none(), "{}", re.as_str());
        }
        let fresh = LazyRegex::new(r"not_in_any_pack_\d+").unwrap();
        assert!(fresh.0.hir.is_some());
        assert_eq!(
            fresh.required(),
            Some(&["not_in_any_pack_".to_string()][..])
        );
    }
}
