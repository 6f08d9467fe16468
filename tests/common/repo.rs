//! A committed temporary repository and `makepay-migrate apply` run on it: `apply --write`
//! refuses a tree git cannot review, so every test that writes commits first.

use std::path::Path;
use std::process::Output;

fn git(dir: &Path, args: &[&str]) {
    let ok = std::process::Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
        .args(args)
        .output()
        .unwrap();
    assert!(ok.status.success(), "git {args:?}: {ok:?}");
}

/// Commits everything under `dir`, making it a repository first if it is not one.
pub fn commit(dir: &Path) {
    if !dir.join(".git").exists() {
        git(dir, &["init", "-q"]);
    }
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", "state"]);
}

/// `makepay-migrate apply DIR EXTRA...`.
pub fn apply(dir: &Path, extra: &[&str]) -> Output {
    assert_cmd::Command::cargo_bin("makepay-migrate")
        .unwrap()
        .arg("apply")
        .arg(dir)
        .args(extra)
        .output()
        .unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
