//! Writing planned changes: only inside the repository root, through a temporary file in the
//! same directory and a rename (so a crash never leaves half a file), keeping the file's mode,
//! and only if the file still holds exactly the bytes the plan was made from.

use super::change::FileChange;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum PathError {
    #[error("{0}: absolute paths are not allowed; give a path relative to the repository root")]
    Absolute(String),
    #[error("{0}: `..` would leave the repository root")]
    ParentDir(String),
    #[error("{0}: empty path")]
    Empty(String),
    #[error("{path}: resolves outside the repository root {root}")]
    Escapes { path: String, root: String },
}

/// Checks that `rel` is a plain relative path (no root, no `..`) and returns it joined to `root`.
pub fn contained(root: &Path, rel: &str) -> Result<PathBuf, PathError> {
    let p = Path::new(rel);
    if rel.is_empty() {
        return Err(PathError::Empty(rel.into()));
    }
    for c in p.components() {
        match c {
            Component::Normal(_) | Component::CurDir => {}
            Component::ParentDir => return Err(PathError::ParentDir(rel.into())),
            Component::RootDir | Component::Prefix(_) => {
                return Err(PathError::Absolute(rel.into()))
            }
        }
    }
    let joined = root.join(p);
    // Symlinked directories could still lead out: resolve the deepest existing ancestor.
    let existing = joined.ancestors().find(|a| a.exists()).unwrap_or(root);
    let real_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let real = existing
        .canonicalize()
        .unwrap_or_else(|_| existing.to_path_buf());
    if !real.starts_with(&real_root) {
        return Err(PathError::Escapes {
            path: rel.into(),
            root: root.display().to_string(),
        });
    }
    Ok(joined)
}

/// What happened to one change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOutcome {
    Written,
    Skipped(String),
}

/// Writes one change under `root`; I/O failures are errors, stale files are skips.
pub fn write_change(root: &Path, change: &FileChange) -> anyhow::Result<WriteOutcome> {
    let target = contained(root, &change.path)?;
    match &change.before {
        Some(before) => {
            let now = std::fs::read(&target)?;
            if &now != before {
                return Ok(WriteOutcome::Skipped(
                    "changed on disk since the plan was made; run apply again".into(),
                ));
            }
            let perms = std::fs::metadata(&target)?.permissions();
            let tmp = temp_beside(&target, &change.after)?;
            std::fs::set_permissions(tmp.path(), perms)?;
            tmp.persist(&target).map_err(|e| e.error)?;
        }
        None => {
            if target.exists() {
                return Ok(WriteOutcome::Skipped(
                    "already exists; existing files are never overwritten".into(),
                ));
            }
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let tmp = temp_beside(&target, &change.after)?;
            tmp.persist_noclobber(&target).map_err(|e| e.error)?;
        }
    }
    Ok(WriteOutcome::Written)
}

fn temp_beside(target: &Path, bytes: &[u8]) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = target.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".makepay-migrate-")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_must_stay_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        assert!(contained(dir.path(), "src/a.js").is_ok());
        assert!(matches!(
            contained(dir.path(), "../x"),
            Err(PathError::ParentDir(_))
        ));
        assert!(matches!(
            contained(dir.path(), "a/../../x"),
            Err(PathError::ParentDir(_))
        ));
        assert!(matches!(
            contained(dir.path(), "/etc/passwd"),
            Err(PathError::Absolute(_))
        ));
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_directory_out_of_the_root_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).unwrap();
        assert!(matches!(
            contained(dir.path(), "link/x.js"),
            Err(PathError::Escapes { .. })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn write_keeps_mode_and_skips_stale_files() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("run.sh");
        std::fs::write(&f, "a\n").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o755)).unwrap();
        let change = FileChange {
            path: "run.sh".into(),
            before: Some(b"a\n".to_vec()),
            after: b"b\n".to_vec(),
            reasons: vec![],
        };
        assert_eq!(
            write_change(dir.path(), &change).unwrap(),
            WriteOutcome::Written
        );
        assert_eq!(std::fs::read(&f).unwrap(), b"b\n");
        let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o755);
        // Planned from "a\n" but the file now holds "b\n": skipped, not clobbered.
        assert!(matches!(
            write_change(dir.path(), &change).unwrap(),
            WriteOutcome::Skipped(_)
        ));
        assert_eq!(std::fs::read(&f).unwrap(), b"b\n");
    }
}
