//! The provider graph's command edge: a bot platform's command that sends a provider request
//! (a Bots.Business `/*CMD command: /getTxInfo CMD*/` file calling the payment library) is run
//! by name from other commands (`Bot.run({ command: "getTxInfo" })`): each run is a touchpoint
//! of that operation, though its file names nothing of the provider.

use super::*;

/// Runs of the commands whose own code sends a provider request. Commands do not import one
/// another, so every code file that runs one is read; the edge runs only where a command
/// file sends a provider request at all.
pub(super) fn command_runs(
    results: &mut BTreeMap<String, FileResult>,
    code: &[(Entry, Language)],
    threads: usize,
) {
    // Command name → (its file, the finding that says what it sends).
    let mut sending: BTreeMap<String, (String, Finding)> = BTreeMap::new();
    for (entry, r) in with_results(results, code) {
        let best = r
            .findings
            .iter()
            .filter(|f| f.severity > Severity::Info)
            .filter_map(|f| {
                let rank = CALLED_CATEGORIES.iter().position(|c| *c == f.category)?;
                Some((rank, f))
            })
            .min_by_key(|(rank, _)| *rank);
        let Some((_, f)) = best else {
            continue;
        };
        let Ok(src) = crate::encoding::read_to_string(&entry.path) else {
            continue;
        };
        if let Some((name, _, _)) = graph::routes::declared_command(&src) {
            sending.insert(name.to_string(), (entry.rel.clone(), f.clone()));
        }
    }
    if sending.is_empty() {
        return;
    }
    let finder = aho_corasick::AhoCorasick::new(["Bot.run"]).expect("a valid automaton");
    let index = graph::imports::FileIndex::new(code.iter().map(|(e, _)| e.rel.clone()));
    let found = revisit(code, threads, &finder, &index, |file| {
        let builder = file.builder();
        graph::routes::command_runs(&file.src)
            .into_iter()
            .filter_map(|(name, at)| {
                let (path, source) = sending.get(name)?;
                if *path == file.entry.rel {
                    return None;
                }
                let head = Head {
                    rule: format!("{}-command-run", source.provider.id()),
                    provider: source.provider,
                    category: source.category,
                    severity: source.severity,
                    confidence: Confidence::Medium,
                    message: format!(
                        "Runs `/{name}`, a bot command that sends the {} request",
                        source.provider
                    ),
                    replacement: source.replacement.clone(),
                };
                let span = at..at + "Bot.run".len();
                let mut finding = builder.make(head, &span, file.view.function_at(at));
                finding.via.push(crate::finding::Via {
                    path: path.clone(),
                    line: source.line,
                    what: format!("command /{name} sends the request ({})", source.rule),
                });
                Some(finding)
            })
            .collect()
    });
    merge_derived(results, found, |g, f| g.category == f.category);
}
