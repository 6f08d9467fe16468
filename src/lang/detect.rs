//! Language detection from file names, extensions and shebang lines.

use super::Language;
use std::path::Path;

/// File names that are dependency lockfiles. Their hashes (`sha512-...`) are bait.
const LOCKFILES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "composer.lock",
    "Cargo.lock",
    "poetry.lock",
    "Pipfile.lock",
    "uv.lock",
    "go.sum",
    "Gemfile.lock",
    "packages.lock.json",
    "gradle.lockfile",
];

/// Detects the language of `path`; `head` is the start of the file, read for a shebang when the
/// name says nothing.
pub fn detect_language(path: &Path, head: &[u8]) -> Language {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if let Some(lang) = by_name(name) {
        return lang;
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    if let Some(lang) = ext.as_deref().and_then(by_extension) {
        return lang;
    }
    by_shebang(head).unwrap_or(Language::Text)
}

fn by_name(name: &str) -> Option<Language> {
    if LOCKFILES.contains(&name) {
        return Some(Language::Lockfile);
    }
    let lower = name.to_ascii_lowercase();
    if lower == ".env" || lower.starts_with(".env.") || lower.ends_with(".env") {
        return Some(Language::Env);
    }
    if lower.starts_with("requirements") && lower.ends_with(".txt") {
        return Some(Language::Requirements);
    }
    match name {
        "Gemfile" | "Rakefile" | "Podfile" => Some(if name == "Gemfile" {
            Language::Gemfile
        } else {
            Language::Ruby
        }),
        "go.mod" => Some(Language::Gomod),
        "build.gradle" | "build.gradle.kts" | "settings.gradle" | "settings.gradle.kts" => {
            Some(Language::Gradle)
        }
        "Pipfile" => Some(Language::Toml),
        _ => None,
    }
}

fn by_extension(ext: &str) -> Option<Language> {
    Some(match ext {
        "php" | "phtml" | "inc" => Language::Php,
        "js" | "jsx" | "mjs" | "cjs" => Language::Javascript,
        "ts" | "tsx" | "mts" | "cts" => Language::Typescript,
        "py" | "pyi" => Language::Python,
        "go" => Language::Go,
        "java" => Language::Java,
        "kt" | "kts" => Language::Kotlin,
        "cs" => Language::Csharp,
        "rb" | "rake" | "gemspec" => Language::Ruby,
        "rs" => Language::Rust,
        "json" | "jsonc" => Language::Json,
        "yaml" | "yml" => Language::Yaml,
        "toml" => Language::Toml,
        "xml" | "csproj" | "fsproj" | "vbproj" | "props" | "config" => Language::Xml,
        // Key = value settings: Java properties, HOCON (Ktor, Play, Akka), INI.
        "properties" | "conf" | "hocon" | "ini" | "cfg" => Language::Properties,
        "html" | "htm" | "twig" | "vue" | "svelte" | "erb" | "ejs" | "hbs" => Language::Html,
        "md" | "markdown" | "rst" | "adoc" => Language::Markdown,
        "lock" => Language::Lockfile,
        _ => return None,
    })
}

fn by_shebang(head: &[u8]) -> Option<Language> {
    let first = head.split(|&b| b == b'\n').next()?;
    let line = std::str::from_utf8(first).ok()?;
    let interp = line.strip_prefix("#!")?;
    let words: Vec<&str> = interp.split_whitespace().collect();
    let program = match words.as_slice() {
        [env, prog, ..] if env.ends_with("/env") => *prog,
        [prog, ..] => prog.rsplit('/').next().unwrap_or(prog),
        [] => return None,
    };
    let program = program.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    match program {
        "python" => Some(Language::Python),
        "node" | "deno" | "bun" => Some(Language::Javascript),
        "php" => Some(Language::Php),
        "ruby" => Some(Language::Ruby),
        "ts-node" | "tsx" => Some(Language::Typescript),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(name: &str) -> Language {
        detect_language(Path::new(name), b"")
    }

    #[test]
    fn names_and_extensions() {
        assert_eq!(lang("src/app.tsx"), Language::Typescript);
        assert_eq!(lang("lib/x.cjs"), Language::Javascript);
        assert_eq!(lang(".env.example"), Language::Env);
        assert_eq!(lang("requirements-dev.txt"), Language::Requirements);
        assert_eq!(lang("package-lock.json"), Language::Lockfile);
        assert_eq!(lang("package.json"), Language::Json);
        assert_eq!(lang("App.csproj"), Language::Xml);
        assert_eq!(lang("build.gradle.kts"), Language::Gradle);
        assert_eq!(
            lang("src/main/resources/application.conf"),
            Language::Properties
        );
        assert_eq!(lang("Gemfile"), Language::Gemfile);
        assert_eq!(lang("go.mod"), Language::Gomod);
        assert_eq!(lang("notes.weird"), Language::Text);
    }

    #[test]
    fn shebangs() {
        let p = Path::new("bin/tool");
        assert_eq!(
            detect_language(p, b"#!/usr/bin/env python3\n"),
            Language::Python
        );
        assert_eq!(
            detect_language(p, b"#!/usr/bin/node\n"),
            Language::Javascript
        );
        assert_eq!(detect_language(p, b"#!/bin/sh\n"), Language::Text);
    }
}
