//! What one corpus size has measured so far, written to the work folder after every phase,
//! so that a run stopped part-way (a machine's session ending in the middle of a
//! 100,000-document store's queries) resumes with `--resume` where it stopped instead of
//! starting again.
//!
//! A checkpoint names the binary that measured (its length and SHA-256): figures from two
//! different builds are never mixed in one report.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{
    BenchError, BuildOutput, Incremental, OptimizeOutput, OxigraphLoadOutput, QueryTime,
    ScanOutput, Usage,
};

/// The corpus written for a size.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Corpus {
    pub documents: usize,
    pub bytes: u64,
    pub sample_domain: Option<String>,
    pub generate_s: f64,
}

/// The `extract --format nq` phase: its usage, and whether it wrote the N-Quads file (or
/// `/dev/null`, when the disk could not hold the file and a second store).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Extract {
    pub usage: Usage,
    pub to_file: bool,
    pub nquads_bytes: Option<u64>,
    /// After writing the file, the same extraction timed again with its output discarded
    /// ([`EXTRACT_DISCARDED`]): writing gigabytes of N-Quads makes the first run wait for
    /// the disk, and the extraction target is about extracting.
    #[serde(default)]
    pub discarded: Option<Usage>,
}

/// Every phase's raw result at one size, `None` (or missing queries) for what has not run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct Checkpoint {
    /// `{length}:{sha256}` of the binary that ran the phases.
    pub binary: String,
    pub corpus: Option<Corpus>,
    pub scan: Option<(ScanOutput, Usage)>,
    pub extract: Option<Extract>,
    pub oxigraph: Option<(OxigraphLoadOutput, Usage)>,
    pub build: Option<(BuildOutput, Usage)>,
    pub store_bytes: Option<u64>,
    pub optimize: Option<(OptimizeOutput, Usage)>,
    pub optimized_store_bytes: Option<u64>,
    pub queries: Vec<QueryTime>,
    pub incremental: Option<Incremental>,
    pub notes: Vec<String>,
    /// Phases taken from an earlier, interrupted run of the harness.
    #[serde(default)]
    pub resumed: Vec<String>,
}

/// Where the checkpoint of the corpus named `name` (its size, and its versions per
/// organisation when more than one) lives.
pub(super) fn path(work: &Path, name: &str) -> PathBuf {
    work.join(format!("checkpoint-{name}.json"))
}

/// `{length}:{sha256}` of the file at `exe`.
pub(super) fn fingerprint(exe: &Path) -> Result<String, BenchError> {
    use sha2::{Digest, Sha256};
    let io = |source| BenchError::Io {
        path: exe.display().to_string(),
        source,
    };
    let mut file = std::fs::File::open(exe).map_err(io)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut length = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        length += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok(format!(
        "{length}:{}",
        crate::corpus::hex(&hasher.finalize())
    ))
}

impl Checkpoint {
    /// The checkpoint left at `path` by an earlier run of the same binary, or an empty one
    /// when there is none. One written by another binary is an error: its figures would be
    /// mixed with this binary's.
    pub fn resume(path: &Path, binary: &str) -> Result<Checkpoint, BenchError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Checkpoint::fresh(binary));
            }
            Err(source) => {
                return Err(BenchError::Io {
                    path: path.display().to_string(),
                    source,
                });
            }
        };
        let ck: Checkpoint = serde_json::from_str(&text).map_err(|e| {
            BenchError::Other(format!(
                "{}: unreadable checkpoint ({e}); delete it to measure this size again",
                path.display()
            ))
        })?;
        if ck.binary != binary {
            return Err(BenchError::Other(format!(
                "{}: written by another privacy-kg binary, whose figures cannot be mixed with this one's; delete it to measure this size again, or run without --resume",
                path.display()
            )));
        }
        Ok(ck)
    }

    pub fn fresh(binary: &str) -> Checkpoint {
        Checkpoint {
            binary: binary.to_string(),
            ..Checkpoint::default()
        }
    }

    /// Writes the checkpoint (to a temporary file renamed over the old one, so a kill never
    /// leaves half a checkpoint).
    pub fn save(&self, path: &Path) -> Result<(), BenchError> {
        let tmp = path.with_extension("json.tmp");
        let text = serde_json::to_string_pretty(self).map_err(|e| BenchError::Io {
            path: tmp.display().to_string(),
            source: e.into(),
        })?;
        std::fs::write(&tmp, text).map_err(|source| BenchError::Io {
            path: tmp.display().to_string(),
            source,
        })?;
        std::fs::rename(&tmp, path).map_err(|source| BenchError::Io {
            path: path.display().to_string(),
            source,
        })
    }

    /// Forgets the build and everything measured on its store (the store is gone, or is
    /// about to be built again).
    pub fn forget_store(&mut self) {
        self.build = None;
        self.store_bytes = None;
        self.optimize = None;
        self.optimized_store_bytes = None;
        self.queries.clear();
        self.incremental = None;
        for phase in [BUILD, OPTIMIZE, REBUILD] {
            self.forget_notes(phase);
        }
    }

    /// Forgets what an earlier run noted about `phase` (skipped for want of disk, failed),
    /// before it runs again on `--resume`: otherwise the report would say a phase was
    /// skipped beside the figures it measured after all. Notes about a phase start with its
    /// name and a colon (or, for the rebuild, its name and what it rewrote).
    pub fn forget_notes(&mut self, phase: &str) {
        self.notes.retain(|n| {
            !n.strip_prefix(phase)
                .is_some_and(|rest| rest.starts_with(':') || rest.starts_with(' '))
        });
    }
}

/// The names under which the phases report (progress lines, the report's rows, what a
/// resumed run took from its checkpoint), and with which their notes start.
pub const SCAN: &str = "lexicon scan";
pub const EXTRACT: &str = "extract --format nq";
/// The row of `extract --format nq -o /dev/null`: the extraction without the disk.
pub const EXTRACT_DISCARDED: &str = "extract --format nq (to /dev/null)";
pub const OXIGRAPH_LOAD: &str = "oxigraph bulk load";
pub const BUILD: &str = "build";
pub const OPTIMIZE: &str = "optimize";
pub const REBUILD: &str = "rebuild after rewriting";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forgetting_a_phase_keeps_the_notes_of_the_others() {
        let mut ck = Checkpoint::fresh("x");
        ck.notes = vec![
            "optimize: skipped, not enough disk to compact the store".into(),
            "optimize: failed (exit Some(1)): boom".into(),
            "build: skipped, not enough disk for the store".into(),
            "oxigraph bulk load (streamed from extract -j 1): failed (exit Some(1))".into(),
            "rebuild after rewriting 3 documents: failed (exit Some(1))".into(),
        ];
        ck.forget_notes(OPTIMIZE);
        assert_eq!(ck.notes.len(), 3, "{:?}", ck.notes);
        assert!(ck.notes.iter().all(|n| !n.starts_with("optimize")));
        ck.forget_notes(OXIGRAPH_LOAD);
        assert!(
            ck.notes.iter().all(|n| !n.starts_with("oxigraph")),
            "{:?}",
            ck.notes
        );
        ck.forget_store();
        assert!(ck.notes.is_empty(), "{:?}", ck.notes);
    }

    #[test]
    fn a_checkpoint_resumes_only_under_the_binary_that_wrote_it() {
        let tmp = tempfile::tempdir().unwrap();
        let path = path(tmp.path(), "7");
        // None yet: an empty checkpoint.
        let ck = Checkpoint::resume(&path, "1:aa").unwrap();
        assert!(ck.scan.is_none() && ck.queries.is_empty());

        let mut ck = Checkpoint::fresh("1:aa");
        ck.notes.push("a note".into());
        ck.store_bytes = Some(42);
        ck.save(&path).unwrap();
        let back = Checkpoint::resume(&path, "1:aa").unwrap();
        assert_eq!(back.notes, vec!["a note".to_string()]);
        assert_eq!(back.store_bytes, Some(42));

        let err = Checkpoint::resume(&path, "1:bb").unwrap_err().to_string();
        assert!(
            err.contains("checkpoint-7.json") && err.contains("another"),
            "{err}"
        );

        std::fs::write(&path, "{ not json").unwrap();
        let err = Checkpoint::resume(&path, "1:aa").unwrap_err().to_string();
        assert!(err.contains("unreadable checkpoint"), "{err}");
    }

    #[test]
    fn the_fingerprint_changes_with_the_bytes() {
        let tmp = tempfile::tempdir().unwrap();
        let f = tmp.path().join("exe");
        std::fs::write(&f, b"abc").unwrap();
        let a = fingerprint(&f).unwrap();
        assert_eq!(
            a,
            "3:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        std::fs::write(&f, b"abd").unwrap();
        assert_ne!(fingerprint(&f).unwrap(), a);
    }
}
