//! Rules: the YAML model, loading and validation, compilation into one [`RuleSet`], and the
//! inline self-tests (`rules test`).

mod lazy;
mod literals;
mod load;
mod model;
mod present;
pub mod selftest;

pub use lazy::LazyRegex;
pub use load::{load_rules, parse_pack, LoadError, RuleSource};
pub use model::Scope;
pub use present::{LiteralIndex, Present};

use crate::finding::{Category, Confidence, Provider, Severity};
use crate::lang::{Language, RegionKind};

/// Where a rule was defined, for error messages and `rules list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub line: u64,
    pub column: u64,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One inline test case of a rule.
#[derive(Debug, Clone)]
pub struct TestCase {
    pub lang: Option<Language>,
    pub path: Option<String>,
    pub code: String,
}

/// A validated, compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub provider: Provider,
    pub category: Category,
    pub severity: Severity,
    pub confidence: Confidence,
    pub message: String,
    pub replacement: String,
    /// Empty means every language.
    pub languages: Vec<Language>,
    /// Regions a match may start in (comments are handled separately for anchors).
    pub regions: Vec<RegionKind>,
    /// Alternatives: a match of any of them is a candidate. Empty for a file-name rule.
    pub patterns: Vec<LazyRegex>,
    /// Only files whose relative path matches; with no patterns, the file itself is the finding.
    pub filename: Option<LazyRegex>,
    pub all: Vec<LazyRegex>,
    pub not: Vec<LazyRegex>,
    pub absent: Vec<LazyRegex>,
    pub within: Scope,
    pub matches: Vec<TestCase>,
    pub no_matches: Vec<TestCase>,
    pub origin: Origin,
    /// Prefilter literals (lower-case); only anchors (`High`) have them.
    pub literals: Vec<String>,
}

impl Rule {
    /// Whether the rule runs on files of `lang` at all: lockfiles only carry dependency
    /// entries, unknown text files only anchors.
    pub fn applies_to(&self, lang: Language) -> bool {
        let by_kind = match lang {
            Language::Lockfile => self.category == Category::Dependency,
            Language::Text => self.confidence == Confidence::High,
            _ => true,
        };
        by_kind && (self.languages.is_empty() || self.languages.contains(&lang))
    }

    /// Every content regex of the rule (not the file-name one).
    pub fn regexes(&self) -> impl Iterator<Item = &LazyRegex> {
        self.patterns
            .iter()
            .chain(&self.all)
            .chain(&self.not)
            .chain(&self.absent)
    }
}

/// Rules often repeat a pattern (a function-definition `absent`, an order-status read): one
/// compiled regex per distinct source, however many rules use it.
fn share_identical_regexes(rules: &mut [Rule]) {
    let mut seen: std::collections::HashMap<String, LazyRegex> = std::collections::HashMap::new();
    for rule in rules {
        let regexes = rule
            .patterns
            .iter_mut()
            .chain(&mut rule.all)
            .chain(&mut rule.not)
            .chain(&mut rule.absent)
            .chain(&mut rule.filename);
        for re in regexes {
            *re = seen
                .entry(re.as_str().to_string())
                .or_insert_with(|| re.clone())
                .clone();
        }
    }
}

/// All rules of a run, plus the prefilter built from their anchor literals.
pub struct RuleSet {
    rules: Vec<Rule>,
    literals: Vec<String>,
    /// The literals as one ASCII case-insensitive alternation: the regex engine turns it into a
    /// SIMD literal search with case variants, as ripgrep does for `-i -F`.
    /// `None` when no rule has literals (nothing can hit).
    prefilter: Option<regex::bytes::Regex>,
    /// File-name rules without content patterns: a path hit needs analysis whatever it holds.
    file_names: regex::RegexSet,
    /// The literals of every rule regex, to tell per file which regexes may match.
    required: LiteralIndex,
    /// The providers whose rules are loaded.
    providers: Vec<Provider>,
}

impl RuleSet {
    /// Compiles `rules` (already validated) for the given providers, sorted by id.
    pub fn new(mut rules: Vec<Rule>, providers: &[Provider]) -> anyhow::Result<Self> {
        rules.retain(|r| providers.contains(&r.provider));
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        share_identical_regexes(&mut rules);
        let mut literals: Vec<String> = rules.iter().flat_map(|r| r.literals.clone()).collect();
        literals.sort();
        literals.dedup();
        // A literal containing another one never decides anything: drop it.
        let all = literals.clone();
        literals.retain(|l| !all.iter().any(|m| m != l && l.contains(m.as_str())));
        let alternation: Vec<String> = literals.iter().map(|l| regex::escape(l)).collect();
        let prefilter = if alternation.is_empty() {
            None
        } else {
            Some(
                regex::bytes::RegexBuilder::new(&alternation.join("|"))
                    .case_insensitive(true)
                    .unicode(false)
                    .build()?,
            )
        };
        let file_names = regex::RegexSet::new(
            rules
                .iter()
                .filter(|r| r.patterns.is_empty())
                .filter_map(|r| r.filename.as_ref().map(|f| f.as_str())),
        )?;
        let required = LiteralIndex::new(rules.iter().flat_map(Rule::regexes));
        Ok(RuleSet {
            rules,
            literals,
            prefilter,
            file_names,
            required,
            providers: providers.to_vec(),
        })
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The prefilter's literal set, as `rules literals` prints it.
    pub fn literals(&self) -> &[String] {
        &self.literals
    }

    /// Which of the rules' literals `text` contains; see [`LazyRegex::may_match`].
    pub fn present_in(&self, text: &[u8]) -> Present<'_> {
        self.required.present_in(text)
    }

    /// Which of the rules' literals lie inside the `ranges` of `text`.
    pub fn present_within(&self, text: &[u8], ranges: &[std::ops::Range<usize>]) -> Present<'_> {
        self.required
            .present_in_parts(ranges.iter().map(|r| &text[r.clone()]))
    }

    /// True when the file at `rel` holding `bytes` may hold an anchor, or its path names a
    /// provider (which scopes it as an anchor would); false rules it out.
    pub fn prefilter_hit(&self, rel: &str, bytes: &[u8]) -> bool {
        self.prefilter.as_ref().is_some_and(|p| p.is_match(bytes))
            || self.file_names.is_match(rel)
            || self.providers.iter().any(|p| p.named_in(rel))
    }
}
