//! The git working-tree check behind `--allow-dirty`: like `cargo fix`, `apply --write` refuses
//! to mix its edits with uncommitted work, so the user can always review or revert them alone.

use std::path::Path;
use std::process::Command;

/// The state of the working tree that contains a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TreeState {
    Clean,
    /// Paths with uncommitted changes (`git status --porcelain` lines).
    Dirty(Vec<String>),
    /// Not inside a git work tree (or git is not installed): nothing protects the files.
    NoRepo,
}

pub fn tree_state(root: &Path) -> TreeState {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["status", "--porcelain", "--untracked-files=normal"])
        .output();
    match out {
        Ok(o) if o.status.success() => {
            let lines: Vec<String> = String::from_utf8_lossy(&o.stdout)
                .lines()
                .map(str::to_string)
                .collect();
            if lines.is_empty() {
                TreeState::Clean
            } else {
                TreeState::Dirty(lines)
            }
        }
        _ => TreeState::NoRepo,
    }
}
