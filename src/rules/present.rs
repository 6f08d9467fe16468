//! Which rule literals a file contains. A file that passes the prefilter is read once more by a
//! case-insensitive Aho-Corasick automaton over every literal the rules' regexes need; a regex
//! whose literals are all missing is then neither compiled nor run. That keeps the cost of a hit
//! file close to one pass over it however many rules there are, and spares compiling the
//! hundreds of rule regexes a typical file can never match.

use super::LazyRegex;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use std::collections::HashSet;
use std::sync::OnceLock;

/// The distinct literals of a set of regexes, with the automaton that finds them (built on first
/// use: most runs that load rules never analyse a file).
#[derive(Debug)]
pub struct LiteralIndex {
    literals: Vec<String>,
    automaton: OnceLock<AhoCorasick>,
}

impl LiteralIndex {
    pub fn new<'r>(regexes: impl IntoIterator<Item = &'r LazyRegex>) -> Self {
        let mut literals: Vec<String> = regexes
            .into_iter()
            .flat_map(LazyRegex::needed_literals)
            .cloned()
            .collect();
        literals.sort();
        literals.dedup();
        LiteralIndex {
            literals,
            automaton: OnceLock::new(),
        }
    }

    /// The literals that occur in `text`, ASCII case-insensitively.
    pub fn present_in(&self, text: &[u8]) -> Present<'_> {
        self.present_in_parts([text])
    }

    /// The literals that occur in any of `parts`, none spanning two of them: for the regexes
    /// that are only ever run inside those parts.
    pub fn present_in_parts<'t>(&self, parts: impl IntoIterator<Item = &'t [u8]>) -> Present<'_> {
        let automaton = self.automaton.get_or_init(|| {
            // A contiguous NFA builds in a fraction of a DFA's time, and it only ever reads
            // the few files that hit the prefilter.
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .kind(Some(AhoCorasickKind::ContiguousNFA))
                .build(&self.literals)
                .expect("a few hundred short literals fit any automaton")
        });
        let mut found = HashSet::new();
        for text in parts {
            for m in automaton.find_overlapping_iter(text) {
                found.insert(self.literals[m.pattern().as_usize()].as_str());
                if found.len() == self.literals.len() {
                    return Present { found };
                }
            }
        }
        Present { found }
    }
}

/// The literals found in one text; see [`LazyRegex::may_match`].
#[derive(Debug)]
pub struct Present<'a> {
    found: HashSet<&'a str>,
}

impl Present<'_> {
    pub fn contains(&self, literal: &str) -> bool {
        self.found.contains(literal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_overlapping_literals_in_any_case() {
        let regexes = [
            LazyRegex::new(r"(?i)api\.oxapay\.com").unwrap(),
            LazyRegex::new(r"oxapay_\w+").unwrap(),
            LazyRegex::new(r"cryptomus").unwrap(),
            LazyRegex::new(r"\w+").unwrap(),
        ];
        let index = LiteralIndex::new(&regexes);
        let present = index.present_in(b"const BASE = 'https://API.OxaPay.com' // OXAPAY_KEY");
        assert!(present.contains("api.oxapay.com"));
        assert!(present.contains("oxapay_"));
        assert!(!present.contains("cryptomus"));
        assert!(regexes[0].may_match(&present));
        assert!(regexes[1].may_match(&present));
        assert!(!regexes[2].may_match(&present));
        // A regex without required literals may always match.
        assert!(regexes[3].may_match(&present));
    }

    #[test]
    fn parts_are_searched_apart() {
        let regexes = [
            LazyRegex::new(r"oxapay").unwrap(),
            LazyRegex::new(r"cryptomus").unwrap(),
        ];
        let index = LiteralIndex::new(&regexes);
        let present = index.present_in_parts([&b"pay = 'oxa"[..], b"pay'", b"cryptomus"]);
        assert!(
            !present.contains("oxapay"),
            "a literal split over two parts is not there"
        );
        assert!(present.contains("cryptomus"));
    }
}
