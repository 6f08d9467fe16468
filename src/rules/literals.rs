//! Literal extraction for the prefilter: the byte strings that every match of an anchor rule
//! must contain, so one Aho-Corasick pass can rule a file out.
//!
//! `build.rs` includes this file too, to run the same parse and extraction over the embedded
//! packs when the binary is built; so it uses nothing of the crate but [`Provider`]'s ids.

use crate::finding::Provider;
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Class, Hir, HirKind};

/// Shortest literal worth prefiltering on; shorter ones hit nearly every file.
pub const MIN_LITERAL_LEN: usize = 3;

/// Length from which a literal counts as rare in source code.
const SELECTIVE_LEN: usize = 6;

/// Widest character class the extractor spells out as alternative literals.
const MAX_EXPANDED_CLASS: usize = 4;

/// Parses a rule regex the way it is compiled: bytes, ASCII classes.
pub fn parse(source: &str) -> Result<Hir, Box<regex_syntax::Error>> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(source)
        .map_err(Box::new)
}

/// Lower-cased literals, at least one of which occurs (ASCII case-insensitively) in every match
/// of the pattern `hir` was parsed from, or `None` when no such set of useful literals exists.
///
/// `hir` is the byte-level, ASCII-only translation the rules use (`unicode(false)`), so `(?i)`
/// shows up as two-letter classes (`[Oo]`); folding those back into lower-case literals keeps
/// the set small, and the prefilter matches case-insensitively anyway.
pub fn required_literals(hir: &Hir) -> Option<Vec<String>> {
    let hir = fold_case_pairs(hir.clone());
    let mut sets = affix_sets(&hir);
    sets.extend(required_set(&hir));
    sets.into_iter().max_by(selectivity)
}

/// Every set of literals the pattern needs, as [`required_literals`] finds them: the prefixes,
/// the suffixes and each mandatory piece. A match contains a member of every set, so checking
/// them all rules a regex out of far more files than its one most selective set: a pattern
/// naming the provider and `payout` is not even compiled for a file that never says `payout`.
pub fn required_sets(hir: &Hir) -> Vec<Vec<String>> {
    let hir = fold_case_pairs(hir.clone());
    let mut sets = affix_sets(&hir);
    mandatory_sets(&hir, &mut sets);
    let mut sets: Vec<Vec<String>> = sets
        .into_iter()
        .filter_map(|set| {
            if set.len() <= MAX_GATE_SET {
                Some(set)
            } else {
                core_set(&set)
            }
        })
        .collect();
    sets.sort();
    sets.dedup();
    sets
}

/// Largest literal set kept as it is for gating; bigger ones are spelling variants.
const MAX_GATE_SET: usize = 16;

/// A set of spellings (`"paid"`, `'paid'`, `\tpaid`...) reduced to their words: each member
/// contains its word, so a text holding a member holds a word, and the automaton that looks
/// for them all stays small. `None` when a word would be too short to tell anything.
fn core_set(set: &[String]) -> Option<Vec<String>> {
    let words: Vec<String> = set
        .iter()
        .map(|l| {
            l.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .to_string()
        })
        .collect();
    words
        .iter()
        .all(|w| w.len() >= MIN_LITERAL_LEN)
        .then(|| dedup(words))
}

/// The literal prefixes and the literal suffixes of every match, where each is a finite set of
/// useful literals.
fn affix_sets(hir: &Hir) -> Vec<Vec<String>> {
    [ExtractKind::Prefix, ExtractKind::Suffix]
        .into_iter()
        .filter_map(|kind| {
            let mut extractor = Extractor::new();
            // Expand quote and separator classes (`['"]`, `[-_]`), not whitespace or wider
            // ones: `\s` alone would turn one literal into six that all contain it.
            extractor.kind(kind).limit_class(MAX_EXPANDED_CLASS);
            let seq = extractor.extract(hir);
            let lits = seq.literals()?;
            let set: Vec<String> = lits
                .iter()
                .map(|l| String::from_utf8_lossy(l.as_bytes()).to_ascii_lowercase())
                .collect();
            (!set.is_empty() && set.iter().all(|l| l.len() >= MIN_LITERAL_LEN)).then(|| dedup(set))
        })
        .collect()
}

/// Adds the literal set of every piece the pattern cannot match without.
fn mandatory_sets(hir: &Hir, out: &mut Vec<Vec<String>>) {
    match hir.kind() {
        HirKind::Capture(cap) => mandatory_sets(&cap.sub, out),
        HirKind::Repetition(rep) if rep.min >= 1 => mandatory_sets(&rep.sub, out),
        HirKind::Concat(parts) => parts.iter().for_each(|p| mandatory_sets(p, out)),
        HirKind::Literal(_) | HirKind::Alternation(_) => out.extend(required_set(hir)),
        _ => {}
    }
}

/// Orders literal sets by how few files they are likely to hit: a set naming a provider in
/// every literal first (an import keyword or a column suffix is in every codebase, a provider
/// name is not), then the longest shortest literal up to [`SELECTIVE_LEN`], then the fewest
/// literals, then the longest shortest literal. Past a handful of bytes a literal is rare
/// enough, while every extra spelling (`.status` `->status` `['status`...) costs automaton
/// size and chances to hit.
fn selectivity(a: &Vec<String>, b: &Vec<String>) -> std::cmp::Ordering {
    let names_provider = |s: &Vec<String>| {
        s.iter()
            .all(|l| Provider::ALL.iter().any(|p| l.contains(p.id())))
    };
    let min_len = |s: &Vec<String>| s.iter().map(String::len).min().unwrap_or(0);
    names_provider(a)
        .cmp(&names_provider(b))
        .then(
            min_len(a)
                .min(SELECTIVE_LEN)
                .cmp(&min_len(b).min(SELECTIVE_LEN)),
        )
        .then(b.len().cmp(&a.len()))
        .then(min_len(a).cmp(&min_len(b)))
}

/// Rewrites hand-written case classes (`[Oo]xa[Pp]ay`) as lower-case literals and lets the
/// smart constructors merge them with their neighbours, so `[Oo]xa[Pp]ay` yields `oxapay`.
fn fold_case_pairs(hir: Hir) -> Hir {
    match hir.into_kind() {
        HirKind::Class(Class::Unicode(c)) => {
            match case_pair(c.iter().map(|r| (r.start(), r.end()))) {
                Some(ch) => Hir::literal(ch.to_string().into_bytes()),
                None => Hir::class(Class::Unicode(c)),
            }
        }
        HirKind::Class(Class::Bytes(c)) => {
            match case_pair(
                c.iter()
                    .map(|r| (char::from(r.start()), char::from(r.end()))),
            ) {
                Some(ch) => Hir::literal(ch.to_string().into_bytes()),
                None => Hir::class(Class::Bytes(c)),
            }
        }
        HirKind::Concat(parts) => Hir::concat(parts.into_iter().map(fold_case_pairs).collect()),
        HirKind::Alternation(alts) => {
            Hir::alternation(alts.into_iter().map(fold_case_pairs).collect())
        }
        HirKind::Capture(mut cap) => {
            cap.sub = Box::new(fold_case_pairs(*cap.sub));
            Hir::capture(cap)
        }
        HirKind::Repetition(mut rep) => {
            rep.sub = Box::new(fold_case_pairs(*rep.sub));
            Hir::repetition(rep)
        }
        HirKind::Literal(lit) => Hir::literal(lit.0),
        HirKind::Look(look) => Hir::look(look),
        HirKind::Empty => Hir::empty(),
    }
}

/// The lower-case letter when a class is exactly one ASCII letter in both cases.
fn case_pair(ranges: impl Iterator<Item = (char, char)>) -> Option<char> {
    let chars: Vec<char> = ranges.flat_map(|(a, b)| (a..=b).take(3)).take(3).collect();
    match chars.as_slice() {
        [a, b] if a.is_ascii_alphabetic() && a.eq_ignore_ascii_case(b) => {
            Some(a.to_ascii_lowercase())
        }
        _ => None,
    }
}

/// A set of literals one of which every match contains, found anywhere in the pattern's
/// mandatory structure (not only at its ends); the set whose shortest member is longest wins.
fn required_set(hir: &Hir) -> Option<Vec<String>> {
    let set = match hir.kind() {
        HirKind::Literal(lit) => vec![String::from_utf8_lossy(&lit.0).to_ascii_lowercase()],
        HirKind::Capture(cap) => return required_set(&cap.sub),
        HirKind::Repetition(rep) if rep.min >= 1 => return required_set(&rep.sub),
        HirKind::Alternation(alts) => {
            let mut all = Vec::new();
            for alt in alts {
                all.extend(required_set(alt)?);
            }
            dedup(all)
        }
        HirKind::Concat(parts) => {
            return parts.iter().filter_map(required_set).max_by(selectivity);
        }
        _ => return None,
    };
    set.iter()
        .all(|l| l.len() >= MIN_LITERAL_LEN)
        .then_some(set)
}

fn dedup(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    /// Literals of `pattern` parsed the way rule regexes are.
    fn required_literals(pattern: &str) -> Option<Vec<String>> {
        let hir = super::parse(pattern).expect("test patterns are valid");
        super::required_literals(&hir)
    }

    #[test]
    fn prefix_and_case() {
        assert_eq!(
            required_literals(r"(?i)api\.oxapay\.com").unwrap(),
            vec!["api.oxapay.com"]
        );
        assert_eq!(
            required_literals(r"(?-u:\b)(?:OXAPAY|CRYPTOMUS)_\w+").unwrap(),
            vec!["cryptomus_", "oxapay_"]
        );
    }

    #[test]
    fn suffix_and_inner() {
        assert_eq!(required_literals(r"\w+_api_key").unwrap(), vec!["_api_key"]);
        assert_eq!(
            required_literals(r"\w+\.oxapay\.\w+").unwrap(),
            vec![".oxapay."]
        );
        assert_eq!(
            required_literals(r"[\w.-]+/(?:oxapay|OxaPay)[\w./-]*\s+v\d").unwrap(),
            vec!["oxapay"]
        );
    }

    #[test]
    fn most_selective_set_wins() {
        assert_eq!(
            required_literals(r"(?:from|import)\s+oxapay").unwrap(),
            vec!["oxapay"]
        );
        assert_eq!(
            required_literals(r#"gem\s+['"]cryptomus"#).unwrap(),
            // Both quoted spellings are longer, but past a handful of bytes one literal beats two.
            vec!["cryptomus"]
        );
        assert_eq!(
            required_literals(r"(?i)(?:oxapay|cryptomus)_track_id").unwrap(),
            vec!["cryptomus_track_id", "oxapay_track_id"]
        );
        assert_eq!(
            required_literals(r"<artifactId>[\w.-]*cryptomus[\w.-]*</artifactId>").unwrap(),
            vec!["cryptomus"]
        );
        let folded =
            required_literals(r":[ \t]*(?:[Oo]xa[Pp]ay|OXAPAY)_?(?:[Ss]tatus|STATE)").unwrap();
        assert!(folded.iter().all(|l| l.contains("oxapay")), "{folded:?}");
    }

    #[test]
    fn every_mandatory_piece_is_a_set() {
        let hir = super::parse(r"OXAPAY_[A-Z0-9_]*(?:PAYOUT|SEND)[A-Z_]*").unwrap();
        assert_eq!(
            super::required_sets(&hir),
            vec![
                vec!["oxapay_".to_string()],
                vec!["payout".into(), "send".into()]
            ]
        );
        let hir = super::parse(r"(?i)status\s*==\s*\w+").unwrap();
        assert_eq!(super::required_sets(&hir), vec![vec!["status".to_string()]]);
        assert!(super::required_sets(&super::parse(r"\w+\s*=").unwrap()).is_empty());
    }

    #[test]
    fn spelling_variants_gate_on_their_words() {
        let hir =
            super::parse(r#"['"`\s](?:paid|Paid|PAID|expired|Expired|EXPIRED|new|New)['"`\s]"#)
                .unwrap();
        let sets = super::required_sets(&hir);
        assert!(
            sets.iter().all(|s| s.len() <= super::MAX_GATE_SET),
            "{sets:?}"
        );
        assert!(
            sets.contains(&vec!["expired".into(), "new".into(), "paid".into()]),
            "{sets:?}"
        );
        let spellings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            super::core_set(&spellings(&["\"paid\"", "'paid'", "\tpaid", "paying`"])),
            Some(spellings(&["paid", "paying"]))
        );
        assert_eq!(super::core_set(&spellings(&["\"ok\"", "'paid'"])), None);
    }

    #[test]
    fn too_short_is_none() {
        assert_eq!(required_literals(r"\bok\b"), None);
        assert_eq!(required_literals(r"[a-z]+"), None);
    }
}
