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

mod replace;
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
}

/// Bound on the bulk loader's buffers: memory stays flat however large the corpus.
pub const BULK_LOAD_MEMORY_MB: usize = 256;

impl Store {
    /// Opens or creates the store in a directory.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let shown = path.display().to_string();
        if path.is_file() {
            return Err(StoreError::NotADirectory { path: shown });
        }
        let inner = oxigraph::store::Store::open(path).map_err(|source| {
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
        Ok(Store {
            inner,
            path: Some(path.to_path_buf()),
        })
    }

    /// A throw-away store in memory.
    pub fn memory() -> Result<Store, StoreError> {
        Ok(Store {
            inner: oxigraph::store::Store::new()?,
            path: None,
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
        let mut prepared = SparqlEvaluator::new()
            .parse_query(query)
            .map_err(|e| StoreError::Query(e.to_string()))?;
        if union {
            prepared.dataset_mut().set_default_graph_as_union();
        }
        match prepared.on_store(&self.inner).execute() {
            Ok(QueryResults::Solutions(solutions)) => {
                let vars: Vec<_> = solutions.variables().to_vec();
                let mut rows = Vec::new();
                for s in solutions {
                    let s = s.map_err(|e| StoreError::Query(e.to_string()))?;
                    rows.push(vars.iter().map(|v| s.get(v).cloned()).collect());
                }
                Ok(rows)
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
                .with_max_memory_size_in_megabytes(BULK_LOAD_MEMORY_MB),
        }
    }

    /// Bulk-loads RDF files with named graphs — N-Quads (`.nq`) or TriG (`.trig`), each
    /// gzip-compressed when its name ends in `.gz` — in one bulk load of bounded memory,
    /// committed once at the end (a failure leaves the store as it was), then loads the
    /// ontology graph. Quads already in the store are not duplicated, so loading the
    /// shards of a corpus gives the graph one build of the whole corpus gives. Returns the
    /// number of quads read.
    pub fn load_files(&self, files: &[PathBuf], vocab: &Vocabulary) -> Result<u64, StoreError> {
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
        self.load_ontology(vocab)?;
        Ok(read)
    }

    pub fn stats(&self) -> Result<Stats, StoreError> {
        Ok(Stats {
            quads: self.inner.len()?,
            graphs: self.inner.named_graphs().count(),
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
