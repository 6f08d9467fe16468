//! Rule regexes are checked when rules load and compiled when first used. A run matches only a
//! few rules against the few files that pass the prefilter, while compiling all of them up
//! front cost more than scanning a 200 MB tree.
//!
//! They match bytes with ASCII classes (`\w`, `\s`, `\b`, `(?i)`): source code identifiers,
//! keys and URLs are ASCII, and Unicode classes multiply the automata's size and build time.
//! Only match spans are ever asked for, so no capture groups are compiled: that and sharing one
//! compiled regex between rules that repeat a pattern halve what a hit file costs to set up.

use super::literals::{parse, required_literals, required_sets};
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
    literals: Literals,
    compiled: OnceLock<Regex>,
    /// The same regex without a prefilter, for small files; see [`LazyRegex::for_file`].
    lean: OnceLock<Regex>,
}

/// What a pattern needs of a text, in lower case.
#[derive(Debug, PartialEq)]
struct Literals {
    /// The most selective set one of whose members every match contains (the prefilter's).
    best: Option<Vec<String>>,
    /// Every such set: a match holds a member of each.
    all: Vec<Vec<String>>,
}

impl Literals {
    fn of(hir: &Hir) -> Self {
        Literals {
            best: required_literals(hir),
            all: required_sets(hir),
        }
    }
}

/// A precomputed entry: `(source, best set, every set)`.
type Precomputed = (
    &'static str,
    Option<&'static [&'static str]>,
    &'static [&'static [&'static str]],
);

/// What `build.rs` found for every distinct regex of the embedded packs that parses, sorted by
/// source.
static PRECOMPUTED: &[Precomputed] = include!(concat!(env!("OUT_DIR"), "/embedded_literals.rs"));

/// The build's parse of `source`, if it made one: the same function of the source text that
/// [`Literals::of`] computes at run time.
fn precomputed(source: &str) -> Option<Literals> {
    let owned = |set: &[&str]| set.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    PRECOMPUTED
        .binary_search_by(|(s, _, _)| (*s).cmp(source))
        .ok()
        .map(|i| {
            let (_, best, all) = PRECOMPUTED[i];
            Literals {
                best: best.map(owned),
                all: all.iter().map(|set| owned(set)).collect(),
            }
        })
}

impl LazyRegex {
    /// Checks the syntax now, so a bad pattern is a load error with its location; the same parse
    /// yields the literals the pattern needs. A pattern of the embedded packs was parsed when
    /// the binary was built, which spares every run most of its start-up time.
    pub fn new(source: &str) -> Result<Self, Box<regex_syntax::Error>> {
        let (hir, literals) = match precomputed(source) {
            Some(literals) => (None, literals),
            None => {
                let hir = parse(source)?;
                let literals = Literals::of(&hir);
                (Some(hir), literals)
            }
        };
        Ok(LazyRegex(Arc::new(Inner {
            source: source.to_string(),
            hir,
            literals,
            compiled: OnceLock::new(),
            lean: OnceLock::new(),
        })))
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.0.source
    }

    /// Lower-case literals one of which every match contains, if the pattern has such a set:
    /// the most selective one.
    pub fn required(&self) -> Option<&[String]> {
        self.0.literals.best.as_deref()
    }

    /// Every literal of every set the pattern needs, for the index that finds them in a file.
    pub fn needed_literals(&self) -> impl Iterator<Item = &String> {
        self.0.literals.all.iter().flatten()
    }

    /// False when the pattern cannot match a text whose literals are `present`: then it need not
    /// be compiled or run at all.
    pub fn may_match(&self, present: &Present<'_>) -> bool {
        self.0
            .literals
            .all
            .iter()
            .all(|set| set.iter().any(|l| present.contains(l)))
    }
}

/// Files up to this size are searched by regexes built without a literal prefilter. Building
/// one (often a Teddy searcher over case variants) costs more than the lazy DFA spends reading
/// a file this small, and a scan with few hits builds each regex for one or two files.
pub const LEAN_UP_TO: usize = 64 * 1024;

impl LazyRegex {
    /// The compiled regex to search a file of `len` bytes with (or a part of one): built
    /// without a prefilter for small files, with one for big ones.
    pub fn for_file(&self, len: usize) -> &Regex {
        if len <= LEAN_UP_TO {
            self.0.lean.get_or_init(|| self.build(false))
        } else {
            self
        }
    }

    fn build(&self, prefilter: bool) -> Regex {
        let mut builder = Builder::new();
        builder
            .syntax(syntax::Config::new().unicode(false).utf8(false))
            .configure(
                Config::new()
                    .utf8_empty(false)
                    .which_captures(WhichCaptures::Implicit)
                    .dfa(false)
                    .auto_prefilter(prefilter),
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
    }
}

impl Deref for LazyRegex {
    type Target = Regex;

    /// The regex built with a prefilter, for any haystack.
    fn deref(&self) -> &Regex {
        self.0.compiled.get_or_init(|| self.build(true))
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
        assert!(re.0.lean.get().is_none());
        assert!(re.for_file(100).is_match(b"track_id"));
        assert!(
            re.0.lean.get().is_some(),
            "a small file gets the lean build"
        );
        let big = vec![b'x'; LEAN_UP_TO + 1];
        assert!(!re.for_file(big.len()).is_match(&big));
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
        for (source, _, _) in PRECOMPUTED {
            let hir = parse(source).expect("the table holds only patterns that parse");
            assert_eq!(precomputed(source), Some(Literals::of(&hir)), "{source}");
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
