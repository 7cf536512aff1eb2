//! Embeds the saved queries of `queries/` in the binary, so the tool runs from anywhere.

use std::fmt::Write;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=queries");
    println!("cargo:rerun-if-changed=ontology");
    // Read when the script runs, not when it is compiled: cargo reuses a compiled build
    // script for another checkout of the same package (a CI clone sharing the target dir).
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest_dir).join("queries");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("queries/ folder")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".rq"))
        .collect();
    names.sort();
    let mut out = String::from("/// The saved queries, (file name, text), in name order.\npub const EMBEDDED: &[(&str, &str)] = &[\n");
    // The path is spelled from CARGO_MANIFEST_DIR when the crate compiles, not written out
    // here: a build script's output reused for another checkout (same target dir) would
    // otherwise point at the first checkout's files.
    for n in &names {
        writeln!(
            out,
            "    ({n:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/queries/{n}\"))),"
        )
        .unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("queries.rs");
    std::fs::write(dest, out).unwrap();
}
