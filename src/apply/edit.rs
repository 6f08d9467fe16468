//! Edits: byte-range replacements in one file's text. Overlapping edits are never merged or
//! applied in some order that happens to work: the whole overlapping group is reported and
//! skipped, so a reviewer sees every change that was not made.
//!
//! Edits with the same `origin` belong together (a rewritten compare and the import it needs):
//! when one of them overlaps something, all of that origin's edits in the file are withdrawn, so
//! a half-applied fix never breaks the code.

use std::ops::Range;

/// One replacement of `range` (byte offsets into the text) by `text`; an empty range inserts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub text: String,
    /// What asked for it (a change kind); edits of one origin are applied all or none.
    pub origin: String,
}

impl Edit {
    pub fn insert(at: usize, text: String, origin: impl Into<String>) -> Edit {
        Edit {
            range: at..at,
            text,
            origin: origin.into(),
        }
    }

    /// Two insertions at one point overlap (their order would be a guess); an insertion touching
    /// a replacement's boundary does not.
    fn overlaps(&self, other: &Edit) -> bool {
        let (a, b) = (&self.range, &other.range);
        match (a.is_empty(), b.is_empty()) {
            (true, true) => a.start == b.start,
            (true, false) => b.start < a.start && a.start < b.end,
            (false, true) => a.start < b.start && b.start < a.end,
            (false, false) => a.start < b.end && b.start < a.end,
        }
    }
}

/// The result of applying a set of edits to one text.
#[derive(Debug)]
pub struct Applied {
    pub text: String,
    pub applied: Vec<Edit>,
    /// Groups of mutually overlapping edits, none of which was applied.
    pub conflicts: Vec<Vec<Edit>>,
    /// Edits that overlapped nothing but share an origin with a conflicting edit.
    pub withdrawn: Vec<Edit>,
}

impl Applied {
    /// Origins of every edit not applied, sorted and deduplicated.
    pub fn skipped_origins(&self) -> Vec<&str> {
        let mut o: Vec<&str> = self
            .conflicts
            .iter()
            .flatten()
            .chain(&self.withdrawn)
            .map(|e| e.origin.as_str())
            .collect();
        o.sort_unstable();
        o.dedup();
        o
    }
}

/// Applies every edit that overlaps no other and whose origin has no overlapping edit;
/// the rest are returned untouched.
pub fn apply_edits(text: &str, mut edits: Vec<Edit>) -> Applied {
    edits.sort_by(|a, b| {
        (a.range.start, a.range.end, &a.origin).cmp(&(b.range.start, b.range.end, &b.origin))
    });
    let mut groups: Vec<Vec<Edit>> = Vec::new();
    for edit in edits {
        match groups.last_mut() {
            Some(group) if group.iter().any(|g| g.overlaps(&edit)) => group.push(edit),
            _ => groups.push(vec![edit]),
        }
    }
    let tainted: Vec<String> = groups
        .iter()
        .filter(|g| g.len() > 1)
        .flatten()
        .map(|e| e.origin.clone())
        .collect();
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    let mut applied = Vec::new();
    let mut conflicts = Vec::new();
    let mut withdrawn = Vec::new();
    for mut group in groups {
        if group.len() > 1 {
            conflicts.push(group);
            continue;
        }
        let edit = group.pop().expect("groups are never empty");
        if tainted.contains(&edit.origin) {
            withdrawn.push(edit);
            continue;
        }
        out.push_str(&text[cursor..edit.range.start]);
        out.push_str(&edit.text);
        cursor = edit.range.end;
        applied.push(edit);
    }
    out.push_str(&text[cursor..]);
    Applied {
        text: out,
        applied,
        conflicts,
        withdrawn,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(range: Range<usize>, text: &str) -> Edit {
        Edit {
            range,
            text: text.into(),
            origin: text.into(),
        }
    }

    #[test]
    fn disjoint_edits_apply_in_offset_order() {
        let r = apply_edits(
            "abcdef",
            vec![edit(4..5, "E"), edit(0..1, "A"), edit(2..2, "+")],
        );
        assert_eq!(r.text, "Ab+cdEf");
        assert!(r.conflicts.is_empty());
    }

    #[test]
    fn overlapping_edits_are_all_skipped_and_reported() {
        let r = apply_edits(
            "abcdef",
            vec![edit(0..3, "X"), edit(2..4, "Y"), edit(5..6, "Z")],
        );
        assert_eq!(r.text, "abcdeZ");
        assert_eq!(r.conflicts.len(), 1);
        assert_eq!(r.conflicts[0].len(), 2);
    }

    #[test]
    fn an_origin_with_a_conflict_is_withdrawn_everywhere() {
        let fix = |range, text: &str| Edit {
            range,
            text: text.into(),
            origin: "fix".into(),
        };
        let r = apply_edits(
            "import x\nif a == b:\n",
            vec![
                fix(0..0, "import hmac\n"),
                edit(0..0, "# note\n"),
                fix(12..18, "eq(a, b)"),
            ],
        );
        assert_eq!(r.text, "import x\nif a == b:\n");
        assert_eq!(r.withdrawn.len(), 1);
        assert_eq!(r.skipped_origins(), vec!["# note\n", "fix"]);
    }

    #[test]
    fn two_insertions_at_one_point_conflict_but_boundaries_do_not() {
        let r = apply_edits("ab", vec![edit(1..1, "x"), edit(1..1, "y")]);
        assert_eq!(r.text, "ab");
        assert_eq!(r.conflicts.len(), 1);
        let r = apply_edits("ab", vec![edit(0..1, "A"), edit(1..1, "+")]);
        assert_eq!(r.text, "A+b");
        assert!(r.conflicts.is_empty());
    }
}
