//! Helpers the end-to-end test files share: running the `privacy-kg` binary and reading what
//! it printed. Each test file uses a part of them.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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
