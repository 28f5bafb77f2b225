use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    // The migrations are embedded in the binary (`embed_migrations!`), which notices edits to the
    // files it read but not a new migration's folder; this makes cargo rebuild for that too.
    println!("cargo:rerun-if-changed=migrations");
    embed_git_commit();
}

/// Sets FLAGPOLE_GIT_COMMIT for `flagpole --version`: `git rev-parse --short HEAD`, or the
/// variable of that name when a packager sets it (a build from a tarball has no .git), or
/// "unknown".
fn embed_git_commit() {
    println!("cargo:rerun-if-env-changed=FLAGPOLE_GIT_COMMIT");
    let commit = std::env::var("FLAGPOLE_GIT_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or_else(|| git(&["rev-parse", "--short", "HEAD"]))
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=FLAGPOLE_GIT_COMMIT={}", commit.trim());

    // Rebuild when HEAD moves: HEAD itself (a checkout) and the branch it points at (a commit).
    // In a worktree .git is a file, so ask git where they are; a path that does not exist would
    // make cargo rerun this script on every build, so only existing ones are named.
    let (Some(git_dir), Some(common_dir)) = (
        git(&["rev-parse", "--git-dir"]),
        git(&["rev-parse", "--git-common-dir"]),
    ) else {
        return;
    };
    let (git_dir, common_dir) = (absolute(&git_dir), absolute(&common_dir));
    let mut watched = vec![git_dir.join("HEAD"), common_dir.join("packed-refs")];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(common_dir.join(branch));
    }
    for path in watched.iter().filter(|p| p.exists()) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| ".".into()))
}

fn absolute(path: &str) -> PathBuf {
    let path = Path::new(path);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        manifest_dir().join(path)
    }
}

/// A git command's trimmed output, run in this package's directory; None if git is missing,
/// this is not a checkout, or the command fails.
fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(manifest_dir())
        .args(args)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}
