//! Rebuilds when embedded data changes (`include_dir!` does not tell cargo about the files it
//! embeds), and parses the embedded rule packs' regexes once, here, instead of at every start:
//! `$OUT_DIR/embedded_literals.rs` maps each distinct pattern that parses to the literal sets
//! every match needs, computed by the same `src/rules/literals.rs` the loader uses. A pattern that
//! fails to parse is left out, so the loader reports it with its location as it does for any
//! `--rules` pack; so is anything in a pack this script cannot read.
use std::collections::BTreeMap;
use std::path::Path;

#[path = "src/rules/literals.rs"]
#[allow(dead_code)]
mod literals;

/// The provider ids `literals.rs` prefers in a literal (the crate's `Provider` is not available
/// to a build script; a unit test checks the table against the crate's own parse).
mod finding {
    pub struct Provider(&'static str);

    impl Provider {
        pub const ALL: [Provider; 2] = [Provider("oxapay"), Provider("cryptomus")];

        pub fn id(&self) -> &str {
            self.0
        }
    }
}

/// The regex-bearing fields of a pack; everything else is the loader's business.
#[derive(serde::Deserialize)]
struct Pack {
    rules: Vec<Patterns>,
}

#[derive(serde::Deserialize)]
struct Patterns {
    pattern: Option<String>,
    filename: Option<String>,
    #[serde(default)]
    any: Vec<String>,
    #[serde(default)]
    all: Vec<String>,
    #[serde(default)]
    not: Vec<String>,
    #[serde(default)]
    absent: Vec<String>,
}

/// A pattern's most selective literal set and every set it needs.
type Literals = (Option<Vec<String>>, Vec<Vec<String>>);

fn main() {
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-changed=templates");
    println!("cargo:rerun-if-changed=src/rules/literals.rs");

    let mut table: BTreeMap<String, Literals> = BTreeMap::new();
    let mut packs = Vec::new();
    collect_yaml(Path::new("rules"), &mut packs);
    for path in packs {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(pack) = serde_saphyr::from_str::<Pack>(&text) else {
            continue;
        };
        for rule in pack.rules {
            let sources = rule
                .pattern
                .into_iter()
                .chain(rule.filename)
                .chain(rule.any)
                .chain(rule.all)
                .chain(rule.not)
                .chain(rule.absent);
            for source in sources {
                if let Ok(hir) = literals::parse(&source) {
                    let best = literals::required_literals(&hir);
                    table.insert(source, (best, literals::required_sets(&hir)));
                }
            }
        }
    }

    let mut out = String::from("&[\n");
    for (source, (best, all)) in &table {
        let best = match best {
            Some(lits) => format!("Some(&{lits:?})"),
            None => "None".to_string(),
        };
        let all: Vec<String> = all.iter().map(|set| format!("&{set:?}")).collect();
        out.push_str(&format!(
            "    ({source:?}, {best}, &[{}]),\n",
            all.join(", ")
        ));
    }
    out.push_str("]\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("embedded_literals.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}

/// Every `.yaml`/`.yml` file under `dir`, in a stable order.
fn collect_yaml(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_yaml(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}
