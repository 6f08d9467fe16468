//! Rebuild when embedded data changes: `include_dir!` does not tell cargo about the files it
//! embeds, so edits under rules/ and templates/ would otherwise be ignored until a source
//! file changes.
fn main() {
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-changed=templates");
}
