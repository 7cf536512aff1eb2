//! The measured phases, run inside a child process (`privacy-kg bench-phase …`) that
//! prints what it measured as one JSON object on standard output.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use aho_corasick::AhoCorasick;
use oxigraph::io::RdfFormat;
use oxigraph::model::{Literal, NamedNode, Quad};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::BenchError;
use crate::corpus;
use crate::pipeline::{self, Options};
use crate::publish;
use crate::query::{self, ResultFormat};
use crate::store::Store;
use crate::vocab::{self, Vocabulary};

/// One phase and its arguments.
#[derive(Debug, Clone)]
pub enum Phase {
    /// The lexicon floor: every normalised label of the ontology in one case-insensitive
    /// Aho-Corasick automaton, run over the raw text of every document.
    Scan {
        inputs: Vec<String>,
        jobs: Option<usize>,
    },
    /// Oxigraph's own bulk loader loading an N-Quads file (`-`: standard input) into a fresh
    /// store.
    OxigraphLoad { store: PathBuf, file: PathBuf },
    /// `pipeline::build` into an on-disk store, as `privacy-kg build` runs it.
    Build {
        store: PathBuf,
        inputs: Vec<String>,
        jobs: Option<usize>,
    },
    /// `Store::optimize` (`privacy-kg optimize`) on a built store.
    Optimize { store: PathBuf },
    /// One saved query against a store, run twice when the first run took under 10 s or
    /// `twice` says so.
    Query {
        store: PathBuf,
        name: String,
        params: Vec<String>,
        twice: bool,
    },
}

/// What the lexicon scan measured.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ScanOutput {
    pub documents: usize,
    pub bytes: u64,
    /// Distinct normalised labels in the automaton.
    pub labels: usize,
    /// Overlapping label matches found.
    pub matches: u64,
    /// Automaton searches, summed over documents (and so over threads), seconds.
    pub scan_s: f64,
    /// Reading the raw texts (file or JSONL line), summed over documents, seconds.
    pub read_s: f64,
    /// The whole scan, from first read to last match, seconds.
    pub wall_s: f64,
}

/// What a build did and where its time went (seconds).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BuildOutput {
    pub loaded: usize,
    pub unchanged: usize,
    pub replaced: usize,
    pub failed: usize,
    pub warnings: usize,
    pub practices: usize,
    pub negated: usize,
    pub quads_loaded: usize,
    pub store_quads: usize,
    pub store_graphs: usize,
    pub elapsed_s: f64,
    pub check_s: f64,
    pub read_s: f64,
    pub text_s: f64,
    pub extract_s: f64,
    pub graph_s: f64,
    pub load_s: f64,
    pub commit_s: f64,
    #[serde(default)]
    pub ontology_s: f64,
    pub stats_s: f64,
    /// Recording the build's provenance and describing the dataset (VoID), as
    /// `privacy-kg build` does after the load; 0 in checkpoints from before it was timed.
    #[serde(default)]
    pub publish_s: f64,
}

/// What Oxigraph's bulk loader did (seconds).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OxigraphLoadOutput {
    /// `load_from_reader`, parsing and sorting into files.
    pub load_s: f64,
    /// `commit`: ingesting the files into RocksDB.
    pub commit_s: f64,
    /// One write transaction after the commit (a quad inserted, then removed). RocksDB makes
    /// it wait until compaction has merged the ingested files, the same wait `build` pays for
    /// its ontology graph, so load + commit + this is the like-for-like reference.
    #[serde(default)]
    pub first_write_s: f64,
    /// Whether the quads came through a pipe from a concurrent `extract -j 1` (the disk could
    /// not hold the N-Quads file beside the store) rather than from a file.
    #[serde(default)]
    pub streamed: bool,
}

/// How long the compaction took.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OptimizeOutput {
    pub optimize_s: f64,
}

/// One query's times (milliseconds) and result size.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct QueryOutput {
    pub rows: usize,
    /// Opening the store.
    pub open_ms: f64,
    /// The first run after opening the store, results written as CSV to nowhere.
    pub first_ms: f64,
    /// The same query again, when the first run took under 10 s.
    pub second_ms: Option<f64>,
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn other(e: impl std::fmt::Display) -> BenchError {
    BenchError::Other(e.to_string())
}

/// Runs a phase and returns its JSON report.
pub fn run(phase: &Phase) -> Result<serde_json::Value, BenchError> {
    let value = match phase {
        Phase::Scan { inputs, jobs } => serde_json::to_value(scan(inputs, *jobs)?),
        Phase::OxigraphLoad { store, file } => serde_json::to_value(oxigraph_load(store, file)?),
        Phase::Build {
            store,
            inputs,
            jobs,
        } => serde_json::to_value(build(store, inputs, *jobs)?),
        Phase::Optimize { store } => serde_json::to_value(optimize(store)?),
        Phase::Query {
            store,
            name,
            params,
            twice,
        } => serde_json::to_value(run_query(store, name, params, *twice)?),
    };
    value.map_err(other)
}

/// The automaton of the lexicon floor: every label of every concept, normalised as the
/// extractor normalises them, matched ASCII-case-insensitively.
pub fn lexicon_automaton(vocab: &Vocabulary) -> Result<(AhoCorasick, usize), BenchError> {
    let mut labels: Vec<String> = Vec::new();
    for c in &vocab.concepts {
        for l in &c.labels {
            let mut key = String::new();
            vocab::normalise_phrase(l, &mut key);
            if key.len() >= 2 {
                labels.push(key);
            }
        }
    }
    labels.sort();
    labels.dedup();
    let ac = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(&labels)
        .map_err(other)?;
    Ok((ac, labels.len()))
}

#[derive(Deserialize)]
struct TextOnly {
    text: String,
}

/// Raw texts of the inputs in order: one per file, one per JSONL line.
fn raw_texts(files: Vec<PathBuf>) -> impl Iterator<Item = Vec<u8>> + Send {
    files
        .into_iter()
        .flat_map(|path| -> Box<dyn Iterator<Item = Vec<u8>> + Send> {
            let jsonl = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("jsonl"));
            if jsonl {
                match File::open(&path) {
                    Ok(f) => Box::new(BufReader::new(f).lines().map_while(Result::ok).filter_map(
                        |line| {
                            serde_json::from_str::<TextOnly>(&line)
                                .ok()
                                .map(|r| r.text.into_bytes())
                        },
                    )),
                    Err(_) => Box::new(std::iter::empty()),
                }
            } else {
                Box::new(std::fs::read(&path).ok().into_iter())
            }
        })
}

fn pool(jobs: Option<usize>) -> Result<rayon::ThreadPool, BenchError> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(n) = jobs {
        b = b.num_threads(n.max(1));
    }
    b.build().map_err(other)
}

fn scan(inputs: &[String], jobs: Option<usize>) -> Result<ScanOutput, BenchError> {
    let vocab = Vocabulary::embedded().map_err(other)?;
    let (ac, labels) = lexicon_automaton(&vocab)?;
    let (files, errors) = corpus::discover(inputs);
    if let Some(e) = errors.into_iter().next() {
        return Err(BenchError::Corpus(e.to_string()));
    }
    let documents = AtomicU64::new(0);
    let bytes = AtomicU64::new(0);
    let matches = AtomicU64::new(0);
    let scan_ns = AtomicU64::new(0);
    let read_ns = AtomicU64::new(0);
    let started = Instant::now();
    let mut texts = raw_texts(files);
    let timed = std::iter::from_fn(|| {
        let t = Instant::now();
        let text = texts.next();
        read_ns.fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
        text
    });
    pool(jobs)?.install(|| {
        timed.par_bridge().for_each(|text| {
            let t = Instant::now();
            let n = ac.find_overlapping_iter(&text).count() as u64;
            scan_ns.fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
            matches.fetch_add(n, Ordering::Relaxed);
            documents.fetch_add(1, Ordering::Relaxed);
            bytes.fetch_add(text.len() as u64, Ordering::Relaxed);
        })
    });
    Ok(ScanOutput {
        documents: documents.into_inner() as usize,
        bytes: bytes.into_inner(),
        labels,
        matches: matches.into_inner(),
        scan_s: scan_ns.into_inner() as f64 / 1e9,
        read_s: read_ns.into_inner() as f64 / 1e9,
        wall_s: secs(started.elapsed()),
    })
}

fn oxigraph_load(store: &Path, file: &Path) -> Result<OxigraphLoadOutput, BenchError> {
    let store = oxigraph::store::Store::open(store).map_err(other)?;
    let streamed = file == Path::new("-");
    let input: Box<dyn std::io::Read> = if streamed {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(File::open(file).map_err(|source| BenchError::Io {
            path: file.display().to_string(),
            source,
        })?)
    };
    let started = Instant::now();
    // The same memory bound as `build`'s loader, so both are compared on equal terms and
    // neither grows with the corpus.
    let mut loader = store
        .bulk_loader()
        .with_max_memory_size_in_megabytes(crate::store::BULK_LOAD_MEMORY_MB);
    loader
        .load_from_reader(RdfFormat::NQuads, BufReader::with_capacity(1 << 20, input))
        .map_err(other)?;
    let loaded = started.elapsed();
    loader.commit().map_err(other)?;
    let committed = started.elapsed();
    let marker = Quad::new(
        NamedNode::new_unchecked("urn:privacy-kg:bench:s"),
        NamedNode::new_unchecked("urn:privacy-kg:bench:p"),
        Literal::new_simple_literal("first write"),
        NamedNode::new_unchecked("urn:privacy-kg:bench:g"),
    );
    store.insert(&marker).map_err(other)?;
    store.remove(&marker).map_err(other)?;
    Ok(OxigraphLoadOutput {
        load_s: secs(loaded),
        commit_s: secs(committed - loaded),
        first_write_s: secs(started.elapsed() - committed),
        streamed,
    })
}

fn build(store: &Path, inputs: &[String], jobs: Option<usize>) -> Result<BuildOutput, BenchError> {
    let vocab = Vocabulary::embedded().map_err(other)?;
    let mut store = Store::open_for_loading(store).map_err(other)?;
    let options = Options {
        jobs,
        ..Options::default()
    };
    let started = publish::now();
    let s = pipeline::build(inputs, &mut store, &vocab, &options, &|_| {}).map_err(other)?;
    // What `privacy-kg build` does after the load: provenance and the dataset description.
    let publishing = Instant::now();
    publish::publish_build(&store, &options.graph.base, started, inputs, &s, None)
        .map_err(other)?;
    let publish_s = secs(publishing.elapsed());
    let st = s.stages;
    Ok(BuildOutput {
        loaded: s.loaded,
        unchanged: s.unchanged,
        replaced: s.replaced,
        failed: s.failed.len(),
        warnings: s.warnings.len(),
        practices: s.practices.values().map(|(a, n)| a + n).sum(),
        negated: s.practices.values().map(|(_, n)| n).sum(),
        quads_loaded: s.quads_loaded,
        store_quads: s.store_quads,
        store_graphs: s.store_graphs,
        elapsed_s: secs(s.elapsed),
        check_s: secs(st.check),
        read_s: secs(st.read),
        text_s: secs(st.text),
        extract_s: secs(st.extract),
        graph_s: secs(st.graph),
        load_s: secs(st.load),
        commit_s: secs(st.commit),
        ontology_s: secs(st.ontology),
        stats_s: secs(st.stats),
        publish_s,
    })
}

fn optimize(store: &Path) -> Result<OptimizeOutput, BenchError> {
    let store = Store::open(store).map_err(other)?;
    let started = Instant::now();
    store.optimize().map_err(other)?;
    Ok(OptimizeOutput {
        optimize_s: secs(started.elapsed()),
    })
}

fn run_query(
    store: &Path,
    name: &str,
    params: &[String],
    twice: bool,
) -> Result<QueryOutput, BenchError> {
    let saved = query::resolve(&query::catalogue(), name).map_err(other)?;
    let params = query::parse_params(params).map_err(other)?;
    let started = Instant::now();
    let store = Store::open(store).map_err(other)?;
    let open = started.elapsed();
    let mut times = Vec::new();
    let mut rows = 0;
    while times.len() < 2 && (twice || times.iter().all(|t| *t < Duration::from_secs(10))) {
        let started = Instant::now();
        rows = query::run(
            &store,
            &saved,
            &params,
            ResultFormat::Csv,
            &mut std::io::sink(),
        )
        .map_err(other)?;
        times.push(started.elapsed());
    }
    Ok(QueryOutput {
        rows,
        open_ms: secs(open) * 1e3,
        first_ms: secs(times[0]) * 1e3,
        second_ms: times.get(1).map(|t| secs(*t) * 1e3),
    })
}
