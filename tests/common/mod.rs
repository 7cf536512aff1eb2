//! Helpers the end-to-end test files share: running the `privacy-kg` binary and reading what
//! it printed. Each test file uses a part of them.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use privacy_kg::pipeline::{self, Options};
use privacy_kg::store::Store;
use privacy_kg::vocab::Vocabulary;

/// The binary under test.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_privacy-kg"))
}

/// The sample corpus, `data/policies`.
pub fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/policies")
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run privacy-kg")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Creates the folder `dir` holding one file per (name, text), and returns it.
pub fn write_files<T: AsRef<str>>(dir: &Path, files: &[(&str, T)]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text.as_ref()).unwrap();
    }
    dir.to_path_buf()
}

/// The rows (without the header), as cells, of `privacy-kg query --format csv` on `store`
/// with `args` (a saved query's name and its parameters); panics if the query fails.
pub fn query_csv(store: &Path, args: &[&str]) -> Vec<Vec<String>> {
    let out = run(bin()
        .args(["query", "--format", "csv", "--store"])
        .arg(store)
        .args(args));
    assert!(out.status.success(), "{}", stderr(&out));
    let mut rows = csv_rows(&stdout(&out));
    rows.remove(0);
    rows
}

/// CSV rows as cells (the header row first).
pub fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut r = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// The samples built by the binary into `DIR/kg.db`; panics if the build fails.
pub fn built_samples(dir: &Path) -> PathBuf {
    let store = dir.join("kg.db");
    let out = run(bin().args(["build", "--store"]).arg(&store).arg(samples()));
    assert!(out.status.success(), "{}", stderr(&out));
    store
}

/// An in-memory store holding the ontology and the graphs of the five sample policies, built
/// through the library, with the vocabulary it was built with.
pub fn sample_memory_store() -> (Store, Vocabulary) {
    let vocab = Vocabulary::embedded().unwrap();
    let mut store = Store::memory().unwrap();
    let samples = samples().to_string_lossy().into_owned();
    let summary =
        pipeline::build(&[samples], &mut store, &vocab, &Options::default(), &|_| {}).unwrap();
    assert_eq!(summary.loaded, 5);
    (store, vocab)
}
