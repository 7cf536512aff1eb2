//! The Oxigraph store: opened on disk (RocksDB) or in memory, filled with the bulk loader,
//! one named graph per policy version, the ontology in its own graph, and the bookkeeping
//! that lets a rebuild replace only the documents whose bytes changed.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use oxigraph::io::RdfFormat;
use oxigraph::model::{GraphNameRef, NamedNode, NamedNodeRef, Quad, Term};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::StorageError;

use crate::vocab::{ns, Vocabulary};

mod counts;
mod replace;
pub use counts::{
    ClassCounts, ClassTally, CountChanges, GraphCounts, StoreCounts, TypedPair, COUNTS_FILE,
};
pub use replace::{Replaced, Replacement};

/// Why the store could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store {path} is in use by another process (a privacy-kg build, load, query, export or serve holds its lock; Oxigraph lets one process open a store): wait for it to finish, or stop it, then run this again")]
    Locked { path: String },
    #[error("store path {path} is a file, not a store directory")]
    NotADirectory { path: String },
    #[error("store {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: StorageError,
    },
    #[error("store: {0}")]
    Storage(#[from] StorageError),
    #[error("store: loading the ontology file {file}: {message}")]
    Ontology { file: String, message: String },
    #[error("store: {0}")]
    Query(String),
    #[error("{file}: {message}")]
    Load { file: String, message: String },
    #[error("store: load journal {0}: {1}")]
    Journal(String, #[source] std::io::Error),
    #[error("store: counts kept for the next build {0}: {1}")]
    Counts(String, #[source] std::io::Error),
    #[error("store {0}: rebuilding beside it and swapping the new store in: {1}")]
    Swap(String, #[source] std::io::Error),
}

/// Total size of the files under a store directory (or of one file), in bytes.
pub fn disk_bytes(path: &Path) -> u64 {
    walkdir::WalkDir::new(path)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

/// What the store holds about a document already loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedDocument {
    pub graph: String,
    pub sha256: String,
    pub extractor_version: String,
}

/// Counts of what the store holds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stats {
    pub quads: usize,
    pub graphs: usize,
}

/// An Oxigraph store holding privacy-kg graphs. A clone is one more handle on the same
/// open store (Oxigraph shares it), for a query run on another thread.
#[derive(Clone)]
pub struct Store {
    inner: oxigraph::store::Store,
    path: Option<PathBuf>,
    /// The bound it was opened with: a store swapped in is opened again the same way.
    max_open_files: Option<u32>,
}

/// Bound on the bulk loader's buffers: memory stays flat however large the corpus.
pub const BULK_LOAD_MEMORY_MB: usize = 256;

/// Environment variable overriding [`BULK_LOAD_MEMORY_MB`] for `build` and `load` (megabytes,
/// at least 1): less memory means smaller batches, so more, smaller sorted files. The crash
/// test sets it to 1 so that even a small build ingests many batches while it runs.
pub const LOAD_MEMORY_ENV: &str = "PRIVACY_KG_LOAD_MEMORY_MB";

/// The bulk loader's memory bound, in megabytes: [`LOAD_MEMORY_ENV`] or the default.
fn load_memory_mb() -> usize {
    env_number(LOAD_MEMORY_ENV, 1).unwrap_or(BULK_LOAD_MEMORY_MB)
}

/// A whole number of at least `min` from an environment variable; none when it is unset or
/// not such a number.
fn env_number<T: std::str::FromStr + PartialOrd>(name: &str, min: T) -> Option<T> {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse::<T>().ok())
        .filter(|n| *n >= min)
}

/// Environment variable bounding the number of files a store opened for loading
/// ([`Store::open_for_loading`]: `build`, `load`) keeps open: at least 32, default
/// [`LOADING_MAX_OPEN_FILES`]. Each open file's index stays in memory (0.36% of the file's
/// bytes, measured on a 10,000-document store), so the bound keeps a large build's memory
/// from growing with the store. Reads past the bound open files again and again (the
/// organisation look-up took 5× as long with a fifth of the files open), so stores opened
/// for queries keep every file open.
pub const MAX_OPEN_FILES_ENV: &str = "PRIVACY_KG_MAX_OPEN_FILES";

/// How many files a store opened for loading keeps open unless [`MAX_OPEN_FILES_ENV`] says
/// otherwise. A 10,000-document store has fewer (117), so the bound costs nothing there; on
/// the 100,000-document benchmark build (514–542 files at the end, more while compaction
/// runs) it cut the peak RSS from 981 MB unbounded to 763 MB (1.27× the 10,000-document
/// build, against 1.63×; 512 files: 795 MB), in the same time as with 512 (1,492 and
/// 1,489 s) and within the spread of unbounded runs (1,370–1,594 s). A bound of 256 took
/// 45% longer in an earlier run: compaction reopened files again and again.
pub const LOADING_MAX_OPEN_FILES: u32 = 384;

/// The bound on a loading store's open files: [`MAX_OPEN_FILES_ENV`], else
/// [`LOADING_MAX_OPEN_FILES`]; none (Oxigraph's own, from the process's descriptor limit)
/// when that limit leaves less room than the default asks.
fn loading_max_open_files() -> Option<u32> {
    open_files_bound(env_number(MAX_OPEN_FILES_ENV, 32), descriptor_limit())
}

/// The descriptors Oxigraph keeps aside for everything else the process opens when it
/// derives its own bound from the descriptor limit.
const OXIGRAPH_FD_RESERVE: u64 = 48;

/// [`loading_max_open_files`] from what the environment asks and the descriptor limit.
fn open_files_bound(asked: Option<u32>, descriptor_limit: Option<u64>) -> Option<u32> {
    if asked.is_some() {
        return asked;
    }
    let room = descriptor_limit.map(|limit| limit.saturating_sub(OXIGRAPH_FD_RESERVE));
    match room {
        Some(room) if room < u64::from(LOADING_MAX_OPEN_FILES) => None,
        _ => Some(LOADING_MAX_OPEN_FILES),
    }
}

/// The process's soft limit on open file descriptors, where the platform has one.
fn descriptor_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit only writes the struct it is given.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0 {
            // rlim_t is u64 here but narrower on some platforms.
            #[allow(clippy::unnecessary_cast)]
            return Some(limit.rlim_cur as u64);
        }
    }
    None
}

/// The file, in the store's folder, listing the graphs a streaming document load
/// ([`Store::document_load`]) is writing, one `graph<TAB>sha256` line each, written before
/// the graph's first statement is handed to the loader. Removed once the load is committed;
/// found when the store is opened, it means a load was killed: see
/// [`Store::open`].
pub const LOAD_JOURNAL: &str = "privacy-kg-loading.tsv";

impl Store {
    /// Opens or creates the store in a directory.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with(path, None)
    }

    /// Opens or creates the store in a directory to load it (`build`, `load`): as
    /// [`Store::open`], with at most as many files open as [`MAX_OPEN_FILES_ENV`] says.
    pub fn open_for_loading(path: &Path) -> Result<Store, StoreError> {
        Store::open_with(path, loading_max_open_files())
    }

    fn open_with(path: &Path, max_open_files: Option<u32>) -> Result<Store, StoreError> {
        let shown = path.display().to_string();
        if path.is_file() {
            return Err(StoreError::NotADirectory { path: shown });
        }
        // A swap without RENAME_EXCHANGE killed between its two renames: the old store
        // is put back (the new one, complete, is dropped below).
        let set_aside = suffixed(path, SET_ASIDE_SUFFIX);
        if !path.exists() && set_aside.is_dir() {
            std::fs::rename(&set_aside, path)
                .map_err(|e| StoreError::Swap(set_aside.display().to_string(), e))?;
        }
        let options = match max_open_files {
            Some(n) => oxigraph::store::StoreOptions::default().with_max_open_files(n),
            None => oxigraph::store::StoreOptions::default(),
        };
        let inner = oxigraph::store::Store::open_with_options(path, options).map_err(|source| {
            let message = source.to_string();
            if message.contains("LOCK") || message.contains("lock") {
                StoreError::Locked {
                    path: shown.clone(),
                }
            } else {
                StoreError::Open {
                    path: shown.clone(),
                    source,
                }
            }
        })?;
        remove_unfinished_bulk_files(path);
        // What a rebuild beside left when killed (the new store unfinished, or the old one
        // after the swap), now that this store's lock is held. Never the live store.
        for leftover in [suffixed(path, BESIDE_SUFFIX), set_aside] {
            if leftover.is_dir() {
                let _ = std::fs::remove_dir_all(&leftover);
            }
        }
        let store = Store {
            inner,
            path: Some(path.to_path_buf()),
            max_open_files,
        };
        store.recover_interrupted_load()?;
        Ok(store)
    }

    /// Finishes what a killed streaming load ([`Store::document_load`]) left: every graph
    /// its journal lists whose document marker (`<g> pp:sha256 "…"` in `g`, the last
    /// statement written for a document) is missing or names another digest holds only
    /// part of its document, and is removed, in one transaction; then the journal goes.
    /// Killed during this, the journal is still there and the next open does it again.
    fn recover_interrupted_load(&self) -> Result<(), StoreError> {
        let Some(dir) = &self.path else {
            return Ok(());
        };
        let journal = dir.join(LOAD_JOURNAL);
        let text = match std::fs::read_to_string(&journal) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(StoreError::Journal(journal.display().to_string(), e)),
        };
        let partial = self.partial_graphs(&text);
        self.remove_graphs(&partial)?;
        std::fs::remove_file(&journal)
            .map_err(|e| StoreError::Journal(journal.display().to_string(), e))?;
        Ok(())
    }

    /// The graphs of a load journal's lines (`graph<TAB>sha256`) that are not whole: no
    /// marker with that digest. A line cut short by the kill names a graph whose statements
    /// were not handed to the loader yet, so is skipped.
    fn partial_graphs(&self, journal: &str) -> Vec<String> {
        let sha256 = NamedNodeRef::new_unchecked(crate::graph::iri::SHA256);
        let mut partial = Vec::new();
        for line in journal.lines() {
            let Some((graph, sha)) = line.split_once('\t') else {
                continue;
            };
            let Ok(g) = NamedNodeRef::new(graph) else {
                continue;
            };
            let whole = self
                .inner
                .quads_for_pattern(
                    Some(g.into()),
                    Some(sha256),
                    None,
                    Some(GraphNameRef::NamedNode(g)),
                )
                .filter_map(Result::ok)
                .any(|q| matches!(&q.object, Term::Literal(l) if l.value() == sha));
            if !whole {
                partial.push(graph.to_string());
            }
        }
        partial.sort();
        partial.dedup();
        partial
    }

    /// Where a rebuild beside this store builds the new one: the store's path with
    /// `.privacy-kg-rebuild` appended, in the same folder (so the swap is a rename on one
    /// file system).
    pub fn beside_path(path: &Path) -> PathBuf {
        suffixed(path, BESIDE_SUFFIX)
    }

    /// Replaces this store by the complete store at `beside` (built by a rebuild beside it,
    /// closed): this store is closed, the two folders are exchanged in one atomic rename
    /// (Linux `renameat2(RENAME_EXCHANGE)`), the old store deleted, and the new one opened
    /// in its place. So at every moment the store's path holds a whole store, the old or the
    /// new. Where the file system cannot exchange, two renames are used (the old store set
    /// aside as `….privacy-kg-old`, then the new one moved in); killed in between,
    /// [`Store::open`] puts the old one back.
    ///
    /// Between closing the old store and opening the new one the store's lock is not held:
    /// a command opening the store in that instant would see the old store moved under it.
    pub fn swap_in(&mut self, beside: &Path) -> Result<(), StoreError> {
        let Some(path) = self.path.clone() else {
            return Err(StoreError::Query(
                "a store in memory cannot be swapped".into(),
            ));
        };
        let fail = |e: std::io::Error| StoreError::Swap(path.display().to_string(), e);
        // Closes RocksDB (every handle of the build is gone by now).
        self.inner = oxigraph::store::Store::new()?;
        if exchange(beside, &path).is_err() {
            let set_aside = suffixed(&path, SET_ASIDE_SUFFIX);
            std::fs::rename(&path, &set_aside).map_err(fail)?;
            std::fs::rename(beside, &path).map_err(fail)?;
            let _ = std::fs::remove_dir_all(&set_aside);
        } else {
            let _ = std::fs::remove_dir_all(beside);
        }
        let max_open_files = self.max_open_files;
        *self = Store::open_with(&path, max_open_files)?;
        Ok(())
    }

    /// A throw-away store in memory.
    pub fn memory() -> Result<Store, StoreError> {
        Ok(Store {
            inner: oxigraph::store::Store::new()?,
            path: None,
            max_open_files: None,
        })
    }

    /// The Oxigraph store, for queries and dumps.
    pub fn oxigraph(&self) -> &oxigraph::store::Store {
        &self.inner
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The documents already loaded, by their id (path or JSONL id).
    pub fn loaded_documents(&self) -> Result<HashMap<String, LoadedDocument>, StoreError> {
        let query = format!(
            "SELECT ?g ?id ?sha ?v WHERE {{ GRAPH ?g {{ ?g <{pp}sourceFile> ?id ; <{pp}sha256> ?sha ; <{pp}extractorVersion> ?v }} }}",
            pp = ns::PP
        );
        let mut out = HashMap::new();
        for row in self.select(&query)? {
            let text = |i: usize| match &row[i] {
                Some(Term::Literal(l)) => l.value().to_string(),
                Some(Term::NamedNode(n)) => n.as_str().to_string(),
                _ => String::new(),
            };
            out.insert(
                text(1),
                LoadedDocument {
                    graph: text(0),
                    sha256: text(2),
                    extractor_version: text(3),
                },
            );
        }
        Ok(out)
    }

    /// Runs a SELECT over the store and returns its rows as vectors of optional terms.
    pub fn select(&self, query: &str) -> Result<Vec<Vec<Option<Term>>>, StoreError> {
        self.select_in(query, false)
    }

    /// [`Store::select`] with the union of the named graphs as the default graph, as saved
    /// queries see the store.
    pub fn select_union(&self, query: &str) -> Result<Vec<Vec<Option<Term>>>, StoreError> {
        self.select_in(query, true)
    }

    fn select_in(&self, query: &str, union: bool) -> Result<Vec<Vec<Option<Term>>>, StoreError> {
        let mut rows = Vec::new();
        self.for_each_row(query, union, |row| rows.push(row.to_vec()))?;
        Ok(rows)
    }

    /// Runs a SELECT and hands each row to `f` as it comes, in the order Oxigraph evaluates
    /// it, without collecting them (`union`: the union of the named graphs as the default
    /// graph).
    pub fn for_each_row(
        &self,
        query: &str,
        union: bool,
        mut f: impl FnMut(&[Option<Term>]),
    ) -> Result<(), StoreError> {
        let mut prepared = SparqlEvaluator::new()
            .parse_query(query)
            .map_err(|e| StoreError::Query(e.to_string()))?;
        if union {
            prepared.dataset_mut().set_default_graph_as_union();
        }
        match prepared.on_store(&self.inner).execute() {
            Ok(QueryResults::Solutions(solutions)) => {
                let vars: Vec<_> = solutions.variables().to_vec();
                let mut row = Vec::with_capacity(vars.len());
                for s in solutions {
                    let s = s.map_err(|e| StoreError::Query(e.to_string()))?;
                    row.clear();
                    row.extend(vars.iter().map(|v| s.get(v).cloned()));
                    f(&row);
                }
                Ok(())
            }
            Ok(_) => Err(StoreError::Query("not a SELECT query".into())),
            Err(e) => Err(StoreError::Query(e.to_string())),
        }
    }

    /// Removes whole named graphs, in one transaction.
    pub fn remove_graphs(&self, graphs: &[String]) -> Result<(), StoreError> {
        if graphs.is_empty() {
            return Ok(());
        }
        let mut tx = self.inner.start_transaction()?;
        for g in graphs {
            if let Ok(g) = NamedNodeRef::new(g) {
                tx.remove_named_graph(g)?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Replaces the ontology graph with the vocabulary's Turtle sources.
    pub fn load_ontology(&self, vocab: &Vocabulary) -> Result<(), StoreError> {
        let graph = NamedNode::new_unchecked(ns::ONTOLOGY_GRAPH);
        let mut tx = self.inner.start_transaction()?;
        tx.clear_graph(&graph)?;
        for (file, text) in &vocab.sources {
            tx.load_from_reader(
                oxigraph::io::RdfParser::from_format(RdfFormat::Turtle)
                    .with_default_graph(graph.clone())
                    .with_base_iri(ns::ONTOLOGY_GRAPH)
                    .map_err(|e| StoreError::Ontology {
                        file: file.clone(),
                        message: e.to_string(),
                    })?,
                Cursor::new(text.as_bytes()),
            )
            .map_err(|e| StoreError::Ontology {
                file: file.clone(),
                message: e.to_string(),
            })?;
        }
        tx.commit()?;
        Ok(())
    }

    /// A bulk load: quads are written to disk in the background and become visible, all at
    /// once, at [`BulkLoad::commit`]; dropped uncommitted, nothing is kept.
    pub fn bulk_load(&self) -> BulkLoad<'_> {
        BulkLoad {
            loader: self
                .inner
                .bulk_loader()
                .with_max_memory_size_in_megabytes(load_memory_mb()),
        }
    }

    /// A streaming load of whole documents, each into its own new graph: every batch of
    /// statements is written into the store as soon as it is sorted (Oxigraph's
    /// non-atomic bulk load), so RocksDB compacts while extraction goes on instead of all
    /// at the commit. Batches go in in the order they were fed, each atomically (one
    /// RocksDB ingestion), so the store always holds a prefix of the stream.
    ///
    /// That keeps a killed load sound under two rules the caller follows: a document's
    /// statements are fed together, its marker (`pp:sha256`, see [`marker_last`]) last,
    /// so a document is loaded exactly when its marker is in; and each document's graph
    /// and digest go into the [`LoadJournal`] before its statements are fed, so that the
    /// next [`Store::open`] removes the one graph a kill can leave half-written.
    pub fn document_load(&self) -> Result<(BulkLoad<'_>, LoadJournal), StoreError> {
        let journal = match &self.path {
            Some(dir) => {
                let path = dir.join(LOAD_JOURNAL);
                let file = std::fs::File::create(&path)
                    .map_err(|e| StoreError::Journal(path.display().to_string(), e))?;
                LoadJournal {
                    file: Some((file, path)),
                }
            }
            None => LoadJournal { file: None },
        };
        let loader = BulkLoad {
            loader: self
                .inner
                .bulk_loader()
                .with_max_memory_size_in_megabytes(load_memory_mb())
                .without_atomicity(),
        };
        Ok((loader, journal))
    }

    /// Bulk-loads RDF files with named graphs — N-Quads (`.nq`) or TriG (`.trig`), each
    /// gzip-compressed when its name ends in `.gz` — in one bulk load of bounded memory,
    /// committed once at the end (a failure leaves the store as it was), then loads the
    /// ontology graph. Quads already in the store are not duplicated, so loading the
    /// shards of a corpus gives the graph one build of the whole corpus gives. Returns the
    /// number of quads read.
    pub fn load_files(&self, files: &[PathBuf], vocab: &Vocabulary) -> Result<u64, StoreError> {
        // What these files add is not counted: the next build counts the store afresh.
        self.forget_counts()?;
        let mut loader = self.bulk_load();
        let mut read = 0u64;
        for file in files {
            let shown = file.display().to_string();
            let fail = |message: String| StoreError::Load {
                file: shown.clone(),
                message,
            };
            let name = file.to_string_lossy().to_ascii_lowercase();
            let (gzip, name) = match name.strip_suffix(".gz") {
                Some(n) => (true, n.to_string()),
                None => (false, name),
            };
            let format = if name.ends_with(".nq") || name.ends_with(".nquads") {
                RdfFormat::NQuads
            } else if name.ends_with(".trig") {
                RdfFormat::TriG
            } else {
                return Err(fail(
                    "not an N-Quads (.nq) or TriG (.trig) file, optionally gzip-compressed (.gz)"
                        .into(),
                ));
            };
            let input = std::fs::File::open(file).map_err(|e| fail(e.to_string()))?;
            let input = std::io::BufReader::with_capacity(1 << 20, input);
            let reader: Box<dyn std::io::Read> = if gzip {
                // Multi-member: concatenated gzip files (`cat a.nq.gz b.nq.gz`) are valid.
                Box::new(std::io::BufReader::with_capacity(
                    1 << 20,
                    flate2::read::MultiGzDecoder::new(input),
                ))
            } else {
                Box::new(input)
            };
            let mut error = None;
            let quads = oxigraph::io::RdfParser::from_format(format)
                .for_reader(reader)
                .map_while(|q| match q {
                    Ok(q) => Some(q),
                    Err(e) => {
                        error = Some(e.to_string());
                        None
                    }
                })
                .inspect(|_| read += 1);
            loader.load_iter(quads)?;
            if let Some(message) = error {
                return Err(fail(message));
            }
        }
        loader.commit()?;
        // After the commit on purpose: the transaction waits for RocksDB to compact what
        // was ingested, which readers would otherwise pay (see `pipeline::stream`).
        self.load_ontology(vocab)?;
        Ok(read)
    }

    /// Compacts the store's files into their final shape (a full RocksDB compaction, what
    /// `oxigraph optimize` does). A streaming build leaves recent data in overlapping,
    /// uncompressed files, so every index seek of a query merges several of them; after
    /// this each level is one sorted run, compressed below the top levels. Takes minutes on
    /// a large store and needs free disk for a copy of what it rewrites.
    pub fn optimize(&self) -> Result<(), StoreError> {
        Ok(self.inner.optimize()?)
    }

    pub fn stats(&self) -> Result<Stats, StoreError> {
        Ok(Stats {
            quads: self.inner.len()?,
            graphs: self.graph_count()?,
        })
    }

    /// The number of named graphs. Counted by a SPARQL query, which counts the graphs'
    /// encoded names: `named_graphs()` decodes every name, a look-up in the store's strings
    /// each (3.6 s at 100,000 policies, against 0.06).
    pub fn graph_count(&self) -> Result<usize, StoreError> {
        let rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { } }")?;
        Ok(match rows.first().and_then(|r| r.first()) {
            Some(Some(Term::Literal(n))) => n.value().parse().unwrap_or(0),
            _ => 0,
        })
    }

    /// Whether a named graph holds anything.
    pub fn has_graph(&self, graph: &str) -> Result<bool, StoreError> {
        match NamedNodeRef::new(graph) {
            Ok(g) => Ok(self
                .inner
                .quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(g)))
                .next()
                .is_some()),
            Err(_) => Ok(false),
        }
    }
}

/// Appended to a store's path for the store a rebuild builds beside it.
const BESIDE_SUFFIX: &str = ".privacy-kg-rebuild";
/// Appended to a store's path for the old store while a swap without exchange runs.
const SET_ASIDE_SUFFIX: &str = ".privacy-kg-old";

fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

/// Exchanges two paths atomically (Linux `renameat2` with `RENAME_EXCHANGE`; ext4, xfs,
/// btrfs and tmpfs support it). An error when the system or file system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let a = std::ffi::CString::new(a.as_os_str().as_bytes())?;
    let b = std::ffi::CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both are valid NUL-terminated paths that outlive the call.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Deletes the sorted files a bulk load killed before its commit left in the store folder
/// (`bulk-*.sst`: Oxigraph writes them there and ingests them only at the commit). They are
/// not part of the database, so the store is sound with them, but each can hold gigabytes.
/// Called with the store's lock held, so no other load can be writing them.
fn remove_unfinished_bulk_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("bulk-") && name.ends_with(".sst") {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Moves a policy document's marker — the statement `<g> pp:sha256 "…"` in its graph `g`,
/// what [`Store::loaded_documents`] reads to call a document loaded — to the end of its
/// statements, so that a streaming load ([`Store::document_load`]) cut anywhere leaves the
/// document either whole with its marker or without it. The order of the others does not
/// matter.
pub fn marker_last(quads: &mut [Quad]) {
    let is_marker = |q: &Quad| {
        q.predicate.as_str() == crate::graph::iri::SHA256
            && matches!((&q.subject, &q.graph_name),
                (oxigraph::model::NamedOrBlankNode::NamedNode(s), oxigraph::model::GraphName::NamedNode(g)) if s == g)
    };
    if let Some(i) = quads.iter().position(is_marker) {
        let last = quads.len() - 1;
        quads.swap(i, last);
    }
}

/// The journal of a streaming document load: which graphs it is writing, with the digest
/// each must end up marked with. In memory stores (nothing survives a crash) it is empty.
pub struct LoadJournal {
    file: Option<(std::fs::File, PathBuf)>,
}

impl LoadJournal {
    /// Notes that document `sha256` is about to be written into `graph`. Call before
    /// feeding any of its statements to the loader; one write, so a kill leaves at most the
    /// last line cut short, and the page cache keeps what was written when the process dies.
    pub fn record(&mut self, graph: &str, sha256: &str) -> Result<(), StoreError> {
        use std::io::Write;
        if let Some((file, path)) = &mut self.file {
            file.write_all(format!("{graph}\t{sha256}\n").as_bytes())
                .map_err(|e| StoreError::Journal(path.display().to_string(), e))?;
        }
        Ok(())
    }

    /// The load is committed: nothing is left to clear up.
    pub fn finish(self) -> Result<(), StoreError> {
        if let Some((file, path)) = self.file {
            drop(file);
            std::fs::remove_file(&path)
                .map_err(|e| StoreError::Journal(path.display().to_string(), e))?;
        }
        Ok(())
    }
}

/// An open bulk load.
pub struct BulkLoad<'a> {
    loader: oxigraph::store::BulkLoader<'a>,
}

impl BulkLoad<'_> {
    pub fn load(&mut self, quads: Vec<Quad>) -> Result<(), StoreError> {
        self.loader.load_quads(quads)?;
        Ok(())
    }

    /// Loads quads as they arrive from an iterator (a channel from the extractors).
    pub fn load_iter(&mut self, quads: impl IntoIterator<Item = Quad>) -> Result<(), StoreError> {
        self.loader.load_quads(quads)?;
        Ok(())
    }

    pub fn commit(self) -> Result<(), StoreError> {
        self.loader.commit()?;
        Ok(())
    }
}

/// The number of statements in each graph, sorted by graph: what the store tests compare.
#[cfg(test)]
impl Store {
    pub(crate) fn statements_per_graph(&self) -> Vec<(String, usize)> {
        let mut out: HashMap<String, usize> = HashMap::new();
        for q in self.inner.iter() {
            *out.entry(q.unwrap().graph_name.to_string()).or_default() += 1;
        }
        let mut out: Vec<_> = out.into_iter().collect();
        out.sort();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{Literal, QuadRef};

    fn quad(graph: &str, s: &str, p: &str, o: &str) -> Quad {
        Quad::new(
            NamedNode::new(s).unwrap(),
            NamedNode::new(p).unwrap(),
            Literal::new_simple_literal(o),
            NamedNode::new(graph).unwrap(),
        )
    }

    /// A policy graph of `n` statements, with its marker when `sha` is given.
    fn policy(graph: &str, n: usize, sha: Option<&str>) -> Vec<Quad> {
        let mut quads: Vec<Quad> = (0..n)
            .map(|i| quad(graph, &format!("{graph}/s{i}"), "http://x/p", "o"))
            .collect();
        if let Some(sha) = sha {
            quads.push(quad(graph, graph, crate::graph::iri::SHA256, sha));
        }
        quads
    }

    #[test]
    fn a_loading_store_keeps_a_bounded_number_of_files_open_unless_descriptors_are_scarce() {
        let default = Some(LOADING_MAX_OPEN_FILES);
        assert_eq!(open_files_bound(None, Some(20_000)), default);
        assert_eq!(open_files_bound(None, None), default);
        // What the environment asks wins, whatever the limit.
        assert_eq!(open_files_bound(Some(64), Some(20_000)), Some(64));
        assert_eq!(open_files_bound(Some(4_096), Some(1_024)), Some(4_096));
        // A descriptor limit with no room for the default leaves the bound to Oxigraph,
        // which derives it from that limit.
        let tight = u64::from(LOADING_MAX_OPEN_FILES) + OXIGRAPH_FD_RESERVE - 1;
        assert_eq!(open_files_bound(None, Some(tight)), None);
        assert_eq!(open_files_bound(None, Some(tight + 1)), default);
        assert_eq!(open_files_bound(None, Some(256)), None);
        assert!(descriptor_limit().is_some_and(|limit| limit > 0));
    }

    #[test]
    fn opening_after_a_killed_load_removes_the_journaled_graphs_without_their_marker() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kg.db");
        {
            let store = Store::open(&path).unwrap();
            for q in [
                policy("http://x/whole", 3, Some("aaa")),
                policy("http://x/cut", 2, None),
                policy("http://x/other-digest", 2, Some("bbb")),
                policy("http://x/foreign", 4, None),
            ]
            .concat()
            {
                store.inner.insert(QuadRef::from(&q)).unwrap();
            }
        }
        // As a load killed while writing "cut", before its marker: the last line cut short.
        std::fs::write(
            path.join(LOAD_JOURNAL),
            "http://x/whole\taaa\nhttp://x/cut\tccc\nhttp://x/other-digest\tddd\nhttp://x/nev",
        )
        .unwrap();
        let store = Store::open(&path).unwrap();
        assert_eq!(
            store.statements_per_graph(),
            vec![
                ("<http://x/foreign>".to_string(), 4),
                ("<http://x/whole>".to_string(), 4)
            ],
            "only the journaled graphs that are not whole go; a graph no load wrote stays"
        );
        assert!(!path.join(LOAD_JOURNAL).exists());
    }

    #[test]
    fn a_finished_document_load_leaves_no_journal_and_every_statement() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kg.db");
        let store = Store::open(&path).unwrap();
        let (mut loader, mut journal) = store.document_load().unwrap();
        assert!(path.join(LOAD_JOURNAL).exists());
        for (g, sha) in [("http://x/a", "1"), ("http://x/b", "2")] {
            journal.record(g, sha).unwrap();
            let mut quads = policy(g, 5, Some(sha));
            quads.rotate_right(3);
            marker_last(&mut quads);
            assert_eq!(
                quads.last().unwrap().predicate.as_str(),
                crate::graph::iri::SHA256
            );
            loader.load(quads).unwrap();
        }
        loader.commit().unwrap();
        journal.finish().unwrap();
        assert!(!path.join(LOAD_JOURNAL).exists());
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!(
            store.statements_per_graph(),
            vec![("<http://x/a>".into(), 6), ("<http://x/b>".into(), 6)]
        );
    }
}
