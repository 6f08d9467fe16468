//! Import edges: which repository files a source file pulls in, by the language's own
//! import syntax, resolved against the files the walk saw.
//!
//! Resolution is by path, not by a build system: a relative specifier (`./client`, `from .api
//! import`, `require_relative 'sign'`) is joined to the importer's directory; a qualified name
//! (`use Vendor\Pkg\Client;`, `import ru.x.Cryptomus;`, `from pkg.api import`) matches the file
//! whose path ends with it; a Go import path matches the package directory it ends with, and
//! the files of one Go package see each other. That is what a reader does with an unfamiliar
//! repository, and it needs no composer.json, tsconfig or GOPATH to be right most of the time.

use crate::lang::Language;
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// One import written in a file: the specifier as written and its 0-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    pub spec: String,
    pub line: usize,
}

fn patterns(family: Language) -> &'static [Regex] {
    static CACHE: OnceLock<BTreeMap<Language, Vec<Regex>>> = OnceLock::new();
    let all = CACHE.get_or_init(|| {
        let build = |ps: &[&str]| -> Vec<Regex> {
            ps.iter()
                .map(|p| Regex::new(p).expect("import patterns are valid"))
                .collect()
        };
        BTreeMap::from([
            (
                Language::Javascript,
                build(&[
                    r#"(?m)^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]"#,
                    r#"(?m)^\s*import\s*['"]([^'"]+)['"]"#,
                    r#"\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)"#,
                    r#"\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)"#,
                ]),
            ),
            (
                Language::Python,
                build(&[
                    r"(?m)^\s*from\s+(\.*[\w.]*)\s+import\s+\(?\s*([\w, \t]+)",
                    r"(?m)^\s*import\s+([\w.]+)",
                ]),
            ),
            (
                Language::Php,
                build(&[
                    r"(?m)^\s*use\s+\\?([\w\\]+)",
                    r#"\b(?:require|include)(?:_once)?\s*\(?\s*(?:__DIR__\s*\.\s*)?['"]([^'"]+\.php)['"]"#,
                ]),
            ),
            (
                Language::Java,
                build(&[r"(?m)^\s*import\s+(?:static\s+)?([\w.]+)"]),
            ),
            (Language::Go, build(&[r#"(?m)^\s*(?:import\s+)?(?:\w+\s+)?"([\w./-]+)"\s*$"#])),
            (
                Language::Ruby,
                build(&[r#"(?m)^\s*require(?:_relative)?\s*\(?\s*['"]([^'"]+)['"]"#]),
            ),
            (
                Language::Rust,
                build(&[r"(?m)^\s*(?:pub\s+)?mod\s+(\w+)\s*;", r"(?m)^\s*use\s+crate::([\w:]+)"]),
            ),
            (Language::Csharp, build(&[r"(?m)^\s*using\s+([\w.]+)\s*;"])),
        ])
    });
    all.get(&family.family()).map_or(&[], Vec::as_slice)
}

/// The imports `src` writes, in order. Python's `from pkg import a, b` yields `pkg.a` and
/// `pkg.b` as well as `pkg`, since either may be the module.
pub fn imports(lang: Language, src: &str) -> Vec<Import> {
    let line_of = |at: usize| src[..at].bytes().filter(|&b| b == b'\n').count();
    let mut out = Vec::new();
    for re in patterns(lang) {
        for caps in re.captures_iter(src) {
            let m = caps
                .get(1)
                .expect("every import pattern captures the specifier");
            let line = line_of(m.start());
            out.push(Import {
                spec: m.as_str().to_string(),
                line,
            });
            if let Some(names) = caps.get(2) {
                let sep = if m.as_str().ends_with('.') { "" } else { "." };
                for name in names.as_str().split(',') {
                    let name = name.split_whitespace().next().unwrap_or("");
                    if !name.is_empty() {
                        out.push(Import {
                            spec: format!("{}{sep}{name}", m.as_str()),
                            line,
                        });
                    }
                }
            }
        }
    }
    out.sort_by_key(|i| i.line);
    out
}

/// The code files of a scan, indexed for resolving specifiers: every lookup goes through a
/// file name or a directory, never over the whole list (a monorepo has many thousand files,
/// and every import of every revisited file is resolved).
pub struct FileIndex {
    /// Relative paths, `/`-separated.
    paths: BTreeSet<String>,
    /// File name (last segment) → paths.
    by_name: BTreeMap<String, Vec<String>>,
    /// Directory → the paths directly in it.
    by_dir: BTreeMap<String, Vec<String>>,
    /// Last segment of a directory → the directories that end with it.
    dirs_by_last: BTreeMap<String, Vec<String>>,
}

/// What a relative import in TypeScript may name, in the order it is tried.
const TS_EXTENSIONS: &[&str] = &[
    "",
    ".ts",
    ".tsx",
    ".js",
    ".jsx",
    ".mjs",
    ".cjs",
    "/index.ts",
    "/index.js",
];

/// The same for JavaScript: where a package ships its sources and their compiled output side by
/// side (`base.ts` and `base.js`), `require("./base")` in a `.js` file is the `.js` one.
const JS_EXTENSIONS: &[&str] = &[
    "",
    ".js",
    ".jsx",
    ".mjs",
    ".cjs",
    "/index.js",
    ".ts",
    ".tsx",
    "/index.ts",
];

impl FileIndex {
    pub fn new(paths: impl IntoIterator<Item = String>) -> Self {
        let paths: BTreeSet<String> = paths.into_iter().collect();
        let mut by_name: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut by_dir: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for p in &paths {
            let name = p.rsplit('/').next().unwrap_or(p);
            by_name.entry(name.to_string()).or_default().push(p.clone());
            by_dir
                .entry(parent(p).to_string())
                .or_default()
                .push(p.clone());
        }
        let mut dirs_by_last: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for dir in by_dir.keys() {
            let last = dir.rsplit('/').next().unwrap_or(dir);
            dirs_by_last
                .entry(last.to_string())
                .or_default()
                .push(dir.clone());
        }
        FileIndex {
            paths,
            by_name,
            by_dir,
            dirs_by_last,
        }
    }

    /// The repository files `import` (written in the file at `from`) refers to.
    pub fn resolve(&self, from: &str, lang: Language, import: &Import) -> Vec<String> {
        let dir = parent(from);
        let spec = import.spec.as_str();
        match lang.family() {
            Language::Javascript if spec.starts_with('.') => {
                let base = join(dir, spec);
                let compiled = [".js", ".jsx", ".mjs", ".cjs"]
                    .iter()
                    .any(|ext| from.ends_with(ext));
                let order = if compiled {
                    JS_EXTENSIONS
                } else {
                    TS_EXTENSIONS
                };
                self.first(order.iter().map(|ext| format!("{base}{ext}")))
            }
            Language::Python => {
                let dots = spec.len() - spec.trim_start_matches('.').len();
                let module = spec[dots..].replace('.', "/");
                let candidates = |base: String| {
                    let base = base.trim_end_matches('/').to_string();
                    [format!("{base}.py"), format!("{base}/__init__.py")]
                };
                if dots > 0 {
                    let mut up = dir.to_string();
                    for _ in 1..dots {
                        up = parent(&up).to_string();
                    }
                    self.first(candidates(join(&up, &module)))
                } else {
                    self.ending_with(&candidates(module))
                }
            }
            Language::Php if spec.ends_with(".php") => {
                let name = spec.rsplit('/').next().unwrap_or(spec);
                let local = join(dir, spec.trim_start_matches('/'));
                let mut found = self.first([local]);
                if found.is_empty() {
                    found = self.ending_with(&[format!("/{name}")]);
                }
                found
            }
            Language::Php => self.ending_with(&[qualified_tail(spec, '\\', ".php")]),
            Language::Java => {
                let tail = |ext: &str| qualified_tail(spec, '.', ext);
                self.ending_with(&[tail(".java"), tail(".kt"), tail(".kts")])
            }
            Language::Ruby => {
                let rb = if spec.ends_with(".rb") {
                    spec.to_string()
                } else {
                    format!("{spec}.rb")
                };
                let mut found = self.first([join(dir, &rb)]);
                if found.is_empty() {
                    found = self.ending_with(&[format!("/{rb}"), rb.clone()]);
                }
                found
            }
            Language::Go => self.in_directory_ending_with(spec, ".go"),
            Language::Rust => {
                let module = spec.split("::").next().unwrap_or(spec);
                let mut found = self.first([join(dir, &format!("{module}.rs"))]);
                if found.is_empty() {
                    found = self
                        .ending_with(&[format!("src/{module}.rs"), format!("src/{module}/mod.rs")]);
                }
                found
            }
            _ => Vec::new(),
        }
    }

    /// The other files of the same Go package: a package is its directory.
    pub fn package_mates(&self, path: &str) -> Vec<String> {
        self.by_dir
            .get(parent(path))
            .into_iter()
            .flatten()
            .filter(|p| p.as_str() != path && p.ends_with(".go"))
            .cloned()
            .collect()
    }

    fn first(&self, candidates: impl IntoIterator<Item = String>) -> Vec<String> {
        candidates
            .into_iter()
            .find(|c| self.paths.contains(c))
            .into_iter()
            .collect()
    }

    /// Files whose path is one of `tails` or ends with `/` + one of them.
    fn ending_with(&self, tails: &[String]) -> Vec<String> {
        let mut out: Vec<String> = tails
            .iter()
            .map(|t| t.trim_start_matches('/'))
            .filter(|t| !t.is_empty())
            .flat_map(|t| {
                let name = t.rsplit('/').next().unwrap_or(t);
                self.by_name
                    .get(name)
                    .into_iter()
                    .flatten()
                    .filter(move |p| {
                        p.as_str() == t
                            || (p.ends_with(t) && p.as_bytes()[p.len() - t.len() - 1] == b'/')
                    })
            })
            .cloned()
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Files directly in a directory whose path the import path ends with (Go).
    fn in_directory_ending_with(&self, spec: &str, ext: &str) -> Vec<String> {
        let last = spec.rsplit('/').next().unwrap_or(spec);
        let mut out: Vec<String> = self
            .dirs_by_last
            .get(last)
            .into_iter()
            .flatten()
            .filter(|dir| spec == dir.as_str() || spec.ends_with(&format!("/{dir}")))
            .flat_map(|dir| self.by_dir.get(dir).into_iter().flatten())
            .filter(|p| p.ends_with(ext))
            .cloned()
            .collect();
        out.sort();
        out
    }
}

/// `Vendor\Pkg\Client` → `Pkg/Client.php`: the last two segments, which PSR-4 and Java's
/// package layout both keep as directories, whatever prefix the autoloader maps.
fn qualified_tail(spec: &str, sep: char, ext: &str) -> String {
    let parts: Vec<&str> = spec.split(sep).filter(|s| !s.is_empty()).collect();
    let tail = &parts[parts.len().saturating_sub(2)..];
    format!("/{}{ext}", tail.join("/"))
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// Joins a relative specifier to a directory, folding `.` and `..`.
fn join(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> FileIndex {
        FileIndex::new(
            [
                "src/services/base.ts",
                "src/services/base.js",
                "src/index.ts",
                "src/index.js",
                "tests/pay.test.ts",
                "pkg/api/client.py",
                "pkg/api/__init__.py",
                "pkg/util.py",
                "src/Service/Cryptomus.php",
                "src/main/java/ru/x/util/Req.java",
                "payment.go",
                "cryptomus.go",
                "lib/cryptomus/signature.rb",
            ]
            .map(String::from),
        )
    }

    fn resolve(from: &str, lang: Language, src: &str) -> Vec<String> {
        let idx = index();
        imports(lang, src)
            .iter()
            .flat_map(|i| idx.resolve(from, lang, i))
            .collect()
    }

    #[test]
    fn javascript_relative_imports_resolve_with_extensions_and_index() {
        assert_eq!(
            resolve(
                "tests/pay.test.ts",
                Language::Typescript,
                "import { Client } from '../src';\n"
            ),
            vec!["src/index.ts"]
        );
        assert_eq!(
            resolve(
                "src/index.ts",
                Language::Typescript,
                "const b = require('./services/base');\nimport x from 'axios';\n"
            ),
            vec!["src/services/base.ts"]
        );
        // Compiled output beside its sources: JavaScript requires JavaScript.
        assert_eq!(
            resolve(
                "src/index.js",
                Language::Javascript,
                "var base_1 = require(\"./services/base\");\n"
            ),
            vec!["src/services/base.js"]
        );
    }

    #[test]
    fn python_relative_and_absolute_imports() {
        assert_eq!(
            resolve("pkg/api/x.py", Language::Python, "from ..util import fmt\n"),
            vec!["pkg/util.py"]
        );
        assert_eq!(
            resolve("main.py", Language::Python, "from pkg.api import client\n"),
            vec!["pkg/api/__init__.py", "pkg/api/client.py"]
        );
    }

    #[test]
    fn qualified_names_match_path_tails() {
        assert_eq!(
            resolve(
                "app/Http/Pay.php",
                Language::Php,
                "<?php\nuse Vendor\\Service\\Cryptomus;\n"
            ),
            vec!["src/Service/Cryptomus.php"]
        );
        assert_eq!(
            resolve(
                "src/main/java/ru/x/A.java",
                Language::Java,
                "import ru.x.util.Req;\n"
            ),
            vec!["src/main/java/ru/x/util/Req.java"]
        );
        assert_eq!(
            resolve(
                "lib/cryptomus.rb",
                Language::Ruby,
                "require 'cryptomus/signature'\n"
            ),
            vec!["lib/cryptomus/signature.rb"]
        );
    }

    #[test]
    fn go_files_of_one_package_see_each_other() {
        assert_eq!(index().package_mates("payment.go"), vec!["cryptomus.go"]);
    }
}
