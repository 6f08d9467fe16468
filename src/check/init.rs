//! `makepay-migrate init`: a starter policy and a GitHub Actions workflow that runs the gate and
//! uploads SARIF. Existing files are never overwritten (created with `create_new`, so even a
//! file appearing between the check and the write is kept).

use super::config::FILE_NAME;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The starter policy: the defaults, spelled out and explained.
pub const STARTER_POLICY: &str = include_str!("templates/makepay-migrate.yaml");
/// The starter GitHub Actions workflow.
pub const STARTER_WORKFLOW: &str = include_str!("templates/workflow.yml");
/// Where the workflow goes, relative to the repository root.
pub const WORKFLOW_PATH: &str = ".github/workflows/makepay-migrate.yml";

/// What happened to one file.
#[derive(Debug, PartialEq, Eq)]
pub enum Written {
    Created(PathBuf),
    KeptExisting(PathBuf),
}

/// Writes the starter files under `root`.
pub fn init(root: &Path) -> std::io::Result<Vec<Written>> {
    [
        (root.join(FILE_NAME), STARTER_POLICY),
        (root.join(WORKFLOW_PATH), STARTER_WORKFLOW),
    ]
    .into_iter()
    .map(|(path, text)| write_new(path, text))
    .collect()
}

fn write_new(path: PathBuf, text: &str) -> std::io::Result<Written> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
    {
        Ok(mut file) => {
            file.write_all(text.as_bytes())?;
            Ok(Written::Created(path))
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(Written::KeptExisting(path)),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::config::Policy;

    #[test]
    fn starter_policy_parses_as_the_default() {
        let ids = Default::default();
        let p = Policy::parse("starter", STARTER_POLICY, &ids).unwrap();
        assert!(!p.cutover_complete);
        assert!(!STARTER_POLICY.contains(crate::check::suppress::MARKER));
    }

    #[test]
    fn never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "mine").unwrap();
        let done = init(dir.path()).unwrap();
        assert_eq!(
            done,
            [
                Written::KeptExisting(dir.path().join(FILE_NAME)),
                Written::Created(dir.path().join(WORKFLOW_PATH)),
            ]
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join(FILE_NAME)).unwrap(),
            "mine"
        );
        let again = init(dir.path()).unwrap();
        assert!(again.iter().all(|w| matches!(w, Written::KeptExisting(_))));
    }
}
