//! Walking the tree: the `ignore` crate's parallel walker with our ignore file, plus reading
//! each file once and sorting out what cannot be scanned (binary, huge, unreadable). Text in any
//! encoding is scanned: see [`crate::encoding`].

use crate::lang::{detect_language, Language};
use ignore::overrides::OverrideBuilder;
use ignore::{WalkBuilder, WalkState};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Per-directory ignore file of our own, beside `.gitignore` and `.ignore`.
pub const IGNORE_FILE: &str = ".makepay-migrate-ignore";

#[derive(Debug, Clone)]
pub struct WalkOptions {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub hidden: bool,
    pub no_ignore: bool,
    pub max_filesize: u64,
    /// 0 lets the walker choose (one per core).
    pub threads: usize,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            include: Vec::new(),
            exclude: Vec::new(),
            hidden: false,
            no_ignore: false,
            max_filesize: 10 * 1024 * 1024,
            threads: 0,
        }
    }
}

/// Why a file was not scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    Binary,
    TooLarge,
    Unreadable,
}

/// Counts of files not scanned, by reason; reported in every summary.
#[derive(Debug, Default, Serialize)]
pub struct SkipCounts {
    pub binary: AtomicUsize,
    pub too_large: AtomicUsize,
    pub unreadable: AtomicUsize,
}

impl SkipCounts {
    pub fn count(&self, skip: Skip) {
        let counter = match skip {
            Skip::Binary => &self.binary,
            Skip::TooLarge => &self.too_large,
            Skip::Unreadable => &self.unreadable,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn get(&self, skip: Skip) -> usize {
        match skip {
            Skip::Binary => &self.binary,
            Skip::TooLarge => &self.too_large,
            Skip::Unreadable => &self.unreadable,
        }
        .load(Ordering::Relaxed)
    }
}

/// A file found by the walk: where it is and what to call it.
///
/// No size: a `stat` per file costs more than the read it would size (the read itself stops one
/// byte past the cap), and the walker has none to give without one.
#[derive(Debug, Clone)]
pub struct Entry {
    pub path: PathBuf,
    /// Relative to the scan root, `/`-separated.
    pub rel: String,
}

/// Walks `roots` in parallel and calls `visit` for every regular file; `visit` runs on the
/// walker's threads. Errors from the walker itself (a directory that cannot be listed) go to
/// `on_error`.
pub fn walk(
    roots: &[PathBuf],
    base: &Path,
    opts: &WalkOptions,
    visit: &(dyn Fn(Entry) + Sync),
    on_error: &(dyn Fn(String) + Sync),
) -> anyhow::Result<()> {
    let mut builder = WalkBuilder::new(&roots[0]);
    for root in &roots[1..] {
        builder.add(root);
    }
    // Hidden entries are filtered here rather than by the walker, so that `.env*` files (where
    // provider keys live) are read by default; `.git` itself is never walked.
    let hidden = opts.hidden;
    builder
        .hidden(false)
        .filter_entry(move |e| {
            keep_hidden(e.file_name().to_str().unwrap_or(""), e.file_type(), hidden)
        })
        .follow_links(false)
        .threads(opts.threads);
    if opts.no_ignore {
        builder
            .ignore(false)
            .git_ignore(false)
            .git_global(false)
            .git_exclude(false)
            .parents(false);
    } else {
        // Respect .gitignore even outside a git checkout (a fixture, an unpacked tarball).
        builder
            .require_git(false)
            .add_custom_ignore_filename(IGNORE_FILE);
    }
    if !opts.include.is_empty() || !opts.exclude.is_empty() {
        let mut ov = OverrideBuilder::new(base);
        for glob in &opts.include {
            ov.add(glob)?;
        }
        for glob in &opts.exclude {
            ov.add(&format!("!{glob}"))?;
        }
        builder.overrides(ov.build()?);
    }
    builder.build_parallel().run(|| {
        Box::new(|result| {
            match result {
                Ok(dent) => {
                    let is_file = dent.file_type().is_some_and(|t| t.is_file());
                    if is_file {
                        visit(Entry {
                            rel: relative(dent.path(), base),
                            path: dent.into_path(),
                        });
                    }
                }
                Err(err) => on_error(err.to_string()),
            }
            WalkState::Continue
        })
    });
    Ok(())
}

/// Whether an entry named `name` passes the hidden-file rule: names without a leading dot
/// always do, `.git` never does, `.env*` files always do, other dot-names only with `--hidden`.
fn keep_hidden(name: &str, file_type: Option<std::fs::FileType>, hidden: bool) -> bool {
    if !name.starts_with('.') || name == "." || name == ".." {
        return true;
    }
    if name == ".git" {
        return false;
    }
    let is_file = file_type.is_some_and(|t| t.is_file());
    hidden || (is_file && name.starts_with(".env"))
}

/// `path` relative to `base`, `/`-separated, without a leading `./`.
pub fn relative(path: &Path, base: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    let s: Vec<String> = rel
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if s.is_empty() {
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    } else {
        s.join("/")
    }
}

/// Reads a file whole, or says why it cannot be scanned. Memory is bounded by the size cap.
pub fn read(entry: &Entry, max_filesize: u64) -> Result<Vec<u8>, Skip> {
    let mut bytes = Vec::new();
    read_into(entry, max_filesize, &mut bytes)?;
    Ok(bytes)
}

/// [`read`] into a buffer the caller reuses across files, so a scan of thousands of files does
/// not allocate (and fault in) a fresh buffer for each.
pub fn read_into(entry: &Entry, max_filesize: u64, buf: &mut Vec<u8>) -> Result<(), Skip> {
    use std::io::Read;
    buf.clear();
    let file = std::fs::File::open(&entry.path).map_err(|_| Skip::Unreadable)?;
    file.take(max_filesize + 1)
        .read_to_end(buf)
        .map_err(|_| Skip::Unreadable)?;
    if buf.len() as u64 > max_filesize {
        return Err(Skip::TooLarge);
    }
    if crate::encoding::is_binary(buf) {
        return Err(Skip::Binary);
    }
    Ok(())
}

/// The language of a file, from its name or its first line.
pub fn language_of(entry: &Entry, bytes: &[u8]) -> Language {
    detect_language(&entry.path, &bytes[..bytes.len().min(256)])
}

/// Parses `10M`, `512K`, `1G` or plain bytes.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (digits, mult) = match s.chars().last() {
        Some('k' | 'K') => (&s[..s.len() - 1], 1024),
        Some('m' | 'M') => (&s[..s.len() - 1], 1024 * 1024),
        Some('g' | 'G') => (&s[..s.len() - 1], 1024 * 1024 * 1024),
        _ => (s, 1),
    };
    digits
        .parse::<u64>()
        .map(|n| n * mult)
        .map_err(|_| format!("`{s}` is not a size (use bytes or a K, M, G suffix, e.g. 10M)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("10M"), Ok(10 * 1024 * 1024));
        assert_eq!(parse_size("512k"), Ok(512 * 1024));
        assert_eq!(parse_size("42"), Ok(42));
        assert!(parse_size("ten").is_err());
    }

    #[test]
    fn unreadable_entries_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let missing = Entry {
            path: dir.path().join("gone.js"),
            rel: "gone.js".into(),
        };
        assert_eq!(read(&missing, 1024), Err(Skip::Unreadable));
        let a_directory = Entry {
            path: dir.path().to_path_buf(),
            rel: ".".into(),
        };
        assert_eq!(read(&a_directory, 1024), Err(Skip::Unreadable));
    }

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative(Path::new("./a/b/c.js"), Path::new("./a")),
            "b/c.js"
        );
        assert_eq!(relative(Path::new("x.js"), Path::new("x.js")), "x.js");
    }
}
