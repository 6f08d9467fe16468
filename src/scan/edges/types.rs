//! The provider graph's type-reference edge (see [`crate::graph::types`]).

use super::*;

/// Categories of an operation whose function's signature and body name its payload types.
const OPERATION_CATEGORIES: [Category; 5] = [
    Category::InvoiceCreation,
    Category::WhiteLabel,
    Category::StaticAddress,
    Category::PaymentLookup,
    Category::Payout,
];

/// The provider graph's type-reference edge: the types a provider operation names in its
/// signature or body (`Promise<CreateWalletResponse>`, `-> BlockingWallet`, `call =
/// BlockWallet(...)`) are the provider's request and response types wherever they are
/// defined nearby, though their bodies hold only generic words: every member is reported.
pub(super) fn referenced_types(
    rules: &RuleSet,
    results: &mut BTreeMap<String, FileResult>,
    code: &[(Entry, Language)],
    threads: usize,
) {
    // Type name → (language family, provider, where an operation names it).
    let mut named: BTreeMap<String, (Language, Provider, String, usize)> = BTreeMap::new();
    for (entry, lang) in code {
        let Some(r) = results.get(&entry.rel) else {
            continue;
        };
        let operations: Vec<&Finding> = r
            .findings
            .iter()
            .filter(|f| {
                f.severity > Severity::Info
                    && f.function.is_some()
                    && OPERATION_CATEGORIES.contains(&f.category)
            })
            .collect();
        if operations.is_empty() {
            continue;
        }
        let Ok(src) = crate::encoding::read_to_string(&entry.path) else {
            continue;
        };
        let view = build_view(*lang, &src);
        let lines = LineIndex::new(&src);
        for span in view.functions() {
            let Some(f) = operations
                .iter()
                .find(|f| f.function.as_deref() == Some(span.name.as_str()))
            else {
                continue;
            };
            for name in graph::types::references(&src[span.range.clone()]) {
                named.entry(name.to_string()).or_insert((
                    lang.family(),
                    f.provider,
                    entry.rel.clone(),
                    lines.line_of(span.name_at) + 1,
                ));
            }
        }
    }
    report_types(rules, results, code, threads, &named);
    // Second hop: the types the payload types' members name (`status: StaticWalletStatus`,
    // `Result *StaticWalletResponse`) are the provider's too.
    let mut nested: BTreeMap<String, (Language, Provider, String, usize)> = BTreeMap::new();
    for (entry, lang) in code {
        let Some(r) = results.get(&entry.rel) else {
            continue;
        };
        for f in r
            .findings
            .iter()
            .filter(|f| f.rule.ends_with("-type-member"))
        {
            for name in graph::types::references(&f.snippet) {
                if !named.contains_key(name) {
                    nested.entry(name.to_string()).or_insert((
                        lang.family(),
                        f.provider,
                        entry.rel.clone(),
                        f.line,
                    ));
                }
            }
        }
    }
    report_types(rules, results, code, threads, &nested);
}

/// Reports the members of the types `named` holds (name → language family, provider, and
/// where they are named) wherever they are defined among `code`.
fn report_types(
    rules: &RuleSet,
    results: &mut BTreeMap<String, FileResult>,
    code: &[(Entry, Language)],
    threads: usize,
    named: &BTreeMap<String, (Language, Provider, String, usize)>,
) {
    if named.is_empty() {
        return;
    }
    let names =
        aho_corasick::AhoCorasick::new(named.keys()).expect("identifiers form a valid automaton");
    let index = graph::imports::FileIndex::new(code.iter().map(|(e, _)| e.rel.clone()));
    let found = revisit(code, threads, &names, &index, |file| {
        let mut types = BTreeMap::new();
        let mut via = Vec::new();
        for (k, class) in file.view.classes().iter().enumerate() {
            let Some((family, provider, path, line)) = named.get(&class.name) else {
                continue;
            };
            if *family != file.lang.family() {
                continue;
            }
            types.insert(k, members::TypeEvidence::payload(*provider));
            via.push((
                k,
                crate::finding::Via {
                    path: path.clone(),
                    line: *line,
                    what: format!("names `{}` as a provider payload type", class.name),
                },
            ));
        }
        let reported = results
            .get(&file.entry.rel)
            .map_or(&[][..], |r| r.findings.as_slice());
        let builder = file.builder();
        let mut out = members::report_members(rules.rules(), &builder, &types, reported);
        for f in &mut out {
            let offset = file.lines.line_range(&file.src, f.line - 1).start;
            if let Some((_, v)) = via
                .iter()
                .find(|(k, _)| file.view.class_at(offset) == Some(*k))
            {
                f.via.push(v.clone());
            }
        }
        out
    });
    merge_derived(results, found, |_, _| true);
}
