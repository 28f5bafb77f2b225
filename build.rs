// The migrations are embedded in the binary (`embed_migrations!`), which notices edits to the
// files it read but not a new migration's folder; this makes cargo rebuild for that too.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
