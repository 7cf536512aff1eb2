//! The speed-and-scale benchmark harness behind `privacy-kg bench`.
//!
//! From one source corpus (by default the 4,317 ToS;DR policies) it writes replicated
//! corpora of the wanted sizes as JSONL, each copy of a document under its own id and web
//! domain, so every copy is a distinct organisation with distinct policy graphs
//! ([`generate`]). For each size it runs, each in a child process of the same binary so
//! that each phase's peak RSS is its own ([`child`], [`phase`]):
//!
//! 1. **lexicon scan** — the floor of any lexicon-driven extractor: one case-insensitive
//!    Aho-Corasick automaton over every normalised label of the ontology, run over the raw
//!    text of every document;
//! 2. **extract** — `privacy-kg extract --format nq` itself, to an N-Quads file, then
//!    again to `/dev/null` (the extraction without the disk);
//! 3. **oxigraph load** — Oxigraph's own bulk loader loading that file into a fresh store
//!    (when the disk holds a second store but not the file beside it, the same quads
//!    through a pipe from a second extraction);
//! 4. **build** — extraction streamed into the bulk loader of a fresh on-disk store
//!    ([`crate::pipeline::build`]), with its time split by stage;
//! 5. **queries** — every saved query against that store, parameters bound to an
//!    organisation present in every size;
//! 6. **rebuild** — on the largest size of at most 10,000 documents, 1% of the documents
//!    rewritten and the store rebuilt.
//!
//! After every phase a size's raw results go to `checkpoint-N.json` in the work folder
//! ([`checkpoint`]), so an interrupted run goes on with `--resume`.
//!
//! The [`Report`] prints as plain tables or serialises as JSON (and is read back from it
//! by `bench --render`), ending with the targets judged on the run ([`targets`]). Nothing
//! here asserts on timings.

mod checkpoint;
mod child;
pub mod generate;
pub mod phase;
pub mod targets;

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub use child::Usage;
pub use phase::{BuildOutput, OptimizeOutput, OxigraphLoadOutput, Phase, QueryOutput, ScanOutput};

/// Why the benchmark could not run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("corpus: {0}")]
    Corpus(String),
    #[error("{0}")]
    Other(String),
}

/// The default source corpus, relative to the project folder.
pub const DEFAULT_CORPUS: &str = "../shared/corpora/tosdr-privacy";

/// The size whose store is rebuilt after rewriting 1% of its documents: the largest at most
/// this.
pub const INCREMENTAL_MAX_SIZE: usize = 10_000;

/// Share of the documents rewritten for the incremental rebuild.
pub const INCREMENTAL_FRACTION: f64 = 0.01;

/// What to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// The `privacy-kg` binary run for each phase.
    pub exe: PathBuf,
    /// The source corpus: files, folders, globs or JSONL, as `build` takes them.
    pub corpus: Vec<String>,
    /// Corpus sizes in documents; run in increasing order.
    pub sizes: Vec<usize>,
    /// Dated versions per organisation in the generated corpora: 1 makes every document its
    /// own undated organisation; more makes policy histories ([`generate::generate`]).
    pub versions: usize,
    /// Where corpora, N-Quads files and stores go; a fresh temporary folder, removed at the
    /// end, when `None`.
    pub work: Option<PathBuf>,
    /// Worker threads for scan, extract and build; all cores when `None`.
    pub jobs: Option<usize>,
    /// Compact each built store (`privacy-kg optimize`, timed on its own) before the
    /// queries read it.
    pub optimize: bool,
    pub queries: bool,
    pub incremental: bool,
    /// The organisation (registrable domain) bound to `org` parameters; by default the
    /// domain of the longest document under 100 kB of the smallest corpus.
    pub org: Option<String>,
    /// A query still running after this long is stopped and reported as timed out.
    pub query_timeout: Duration,
    /// Empty the page cache before each saved query and run each twice
    /// ([`drop_page_cache`]): a store that fits in memory is otherwise still cached from its
    /// build when its queries run, one that does not is read from disk, and the first runs
    /// of two sizes measure different things.
    pub cold_queries: bool,
    /// The file written to empty the page cache: [`DROP_CACHES`] (tests point it elsewhere).
    pub drop_caches: PathBuf,
    /// Keep stores and N-Quads files (and a temporary work folder) instead of removing them
    /// once measured.
    pub keep: bool,
    /// Take what an earlier, interrupted run of the same binary measured in `work` (its
    /// `checkpoint-N.json` files) and run only what it had not; needs `work`.
    pub resume: bool,
}

impl Config {
    /// The defaults of `privacy-kg bench`, running `exe`.
    pub fn new(exe: PathBuf) -> Config {
        Config {
            exe,
            corpus: vec![DEFAULT_CORPUS.to_string()],
            sizes: vec![4317, 10_000, 100_000],
            versions: 1,
            work: None,
            jobs: None,
            optimize: true,
            queries: true,
            incremental: true,
            org: None,
            query_timeout: Duration::from_secs(120),
            cold_queries: false,
            drop_caches: PathBuf::from(DROP_CACHES),
            keep: false,
            resume: false,
        }
    }
}

/// One phase's line of the table: resources used and rates (`None` where a rate means
/// nothing for the phase).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PhaseRow {
    pub phase: String,
    #[serde(flatten)]
    pub usage: Usage,
    pub documents_per_s: Option<f64>,
    /// Megabytes of policy text per second of wall time per core used.
    pub mb_per_s_per_core: Option<f64>,
    pub practices_per_s: Option<f64>,
    pub triples_per_s: Option<f64>,
}

/// Where the build's time went, seconds. Per-document stages are summed over documents
/// (so over worker threads); `load` is the loading thread's busy time plus the commit.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Split {
    /// `read_s + text_s`: corpus reading, decoding and repair, then normalisation and
    /// segmentation.
    pub read_normalise_s: f64,
    pub read_s: f64,
    pub text_s: f64,
    pub extract_s: f64,
    pub graph_s: f64,
    /// `feed_s + commit_s + ontology_s`.
    pub load_s: f64,
    pub feed_s: f64,
    pub commit_s: f64,
    /// Replacing the ontology graph after the commit (one transaction, which waits for
    /// RocksDB to compact what the load ingested).
    pub ontology_s: f64,
    /// Counting the store's quads for the summary.
    pub stats_s: f64,
    /// Recording provenance and describing the dataset after the build.
    pub publish_s: f64,
    /// The build's wall time and its process's CPU time.
    pub wall_s: f64,
    pub cpu_s: f64,
}

/// The ratios the issue sets targets for (`None` when a phase did not run).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Ratios {
    /// `extract --format nq` wall time / lexicon scan wall time (same corpus, same cores);
    /// the extraction with its output discarded where it was timed so (as in the build ratios
    /// below).
    pub extract_to_scan: Option<f64>,
    /// The build's extract stage / the scan's automaton searches, both summed per document.
    pub extract_stage_to_scan: Option<f64>,
    /// Build wall time / max(extract, Oxigraph bulk load) wall time; target ≤ 1.2. The load
    /// is load + commit, without the first write after it.
    pub build_to_max_extract_oxigraph_load: Option<f64>,
    /// The same with Oxigraph's load timed until the store takes its first write, as `build`
    /// is (its ontology transaction waits for the compaction the bulk load left).
    #[serde(default)]
    pub build_to_max_extract_oxigraph_ready: Option<f64>,
    /// Rebuild after rewriting 1% / full build, wall times; target ≤ 0.10.
    pub rebuild_to_full: Option<f64>,
}

/// One saved query at one size.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QueryTime {
    pub name: String,
    pub params: Vec<String>,
    pub rows: Option<usize>,
    pub open_ms: Option<f64>,
    pub first_ms: Option<f64>,
    pub second_ms: Option<f64>,
    pub peak_rss_mb: Option<f64>,
    /// Why there is no time: timed out or failed.
    pub error: Option<String>,
    /// Whether the page cache was emptied before the first run ([`Config::cold_queries`]).
    #[serde(default)]
    pub cold: bool,
}

impl QueryTime {
    /// A query with no time: `why` says whether it ran out of time, failed or was not run.
    fn failed(name: &str, params: Vec<String>, why: String) -> QueryTime {
        QueryTime {
            name: name.to_string(),
            params,
            rows: None,
            open_ms: None,
            first_ms: None,
            second_ms: None,
            peak_rss_mb: None,
            error: Some(why),
            cold: false,
        }
    }
}

/// The incremental rebuild.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Incremental {
    pub rewritten: usize,
    pub build: BuildOutput,
    #[serde(flatten)]
    pub usage: Usage,
}

/// Everything measured at one corpus size.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SizeReport {
    pub documents: usize,
    pub megabytes: f64,
    pub generate_s: f64,
    pub quads_per_policy: Option<f64>,
    pub nquads_bytes: Option<u64>,
    pub store_bytes: Option<u64>,
    /// The store's size after `optimize`.
    pub optimized_store_bytes: Option<u64>,
    pub phases: Vec<PhaseRow>,
    pub split: Option<Split>,
    pub ratios: Ratios,
    pub scan: Option<ScanOutput>,
    pub build: Option<BuildOutput>,
    pub oxigraph_load: Option<OxigraphLoadOutput>,
    pub optimize: Option<OptimizeOutput>,
    pub queries: Vec<QueryTime>,
    pub incremental: Option<Incremental>,
    /// Phases skipped or failed, and why.
    pub notes: Vec<String>,
}

/// The whole run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub corpus: String,
    pub source_documents: usize,
    pub source_megabytes: f64,
    /// Cores the phases could use: `--jobs`, at most the machine's.
    pub cores: usize,
    pub machine_cores: usize,
    pub jobs: Option<usize>,
    pub work: String,
    /// Dated versions per organisation in the generated corpora (1: undated, one each).
    pub versions: usize,
    /// The organisation bound to `org` parameters.
    pub org: Option<String>,
    pub query_timeout_s: f64,
    /// Whether each query's first run started from an empty page cache.
    pub cold_queries: bool,
    pub sizes: Vec<SizeReport>,
    /// The targets judged on this run ([`targets::check`]).
    #[serde(default)]
    pub targets: Vec<targets::TargetCheck>,
}

/// Where Linux takes the order to drop clean pages from its page cache.
const DROP_CACHES: &str = "/proc/sys/vm/drop_caches";

/// Writes dirty pages to disk, then empties the page cache through `control`
/// ([`DROP_CACHES`]), so the next query reads the store from disk (Linux, as root).
fn drop_page_cache(control: &Path) -> Result<(), BenchError> {
    // SAFETY: sync(2) takes no arguments and always succeeds.
    unsafe { libc::sync() };
    std::fs::write(control, "1\n").map_err(|e| {
        BenchError::Other(format!(
            "--cold-queries: cannot empty the page cache through {}: {e} (Linux only, as root)",
            control.display()
        ))
    })
}

/// Space kept free beside the estimates before writing a large file or store.
const DISK_MARGIN: u64 = 2_000_000_000;
/// Bytes of N-Quads and of store (as built) per byte of policy text, for the first size of a
/// run, before any size has measured its own: ToS;DR made 23.8 and 27 (1,985.5 MB of N-Quads
/// from 83.5 MB of text; 5.27 GB of store from 10,000 documents of 19.3 kB), rounded up.
const NQUADS_BYTES_PER_TEXT_BYTE: f64 = 25.0;
const STORE_BYTES_PER_TEXT_BYTE: f64 = 30.0;
/// Free space `optimize` needs beside the store, per byte of store. RocksDB writes a
/// compaction's files before it deletes the ones they replace, but Oxigraph compacts one
/// column family after another and RocksDB splits each into jobs, so the extra space is far
/// below the store's size: 0.3 GB at most beside the 53.6 GB 100,000-document history store
/// (sampled every 10 s while it compacted to 31.5 GB). A quarter of the store leaves room for
/// the largest column family (one of six quad indexes, or the strings) compacted at once.
const OPTIMIZE_SPACE_PER_STORE_BYTE: f64 = 0.25;

/// What the run carries from size to size: the binary's fingerprint, bytes per document of
/// the N-Quads file and of the store, to check that the next size fits on disk, and the
/// queries that ran out of time (they would again on a larger store, so they are not rerun).
#[derive(Default)]
struct State {
    /// The measuring binary's fingerprint, which every checkpoint carries.
    binary: String,
    nquads_per_doc: Option<f64>,
    store_per_doc: Option<f64>,
    timed_out: std::collections::BTreeMap<String, usize>,
}

struct Runner<'a> {
    config: &'a Config,
    work: PathBuf,
    log: &'a mut dyn FnMut(&str),
}

/// A phase that ran: its output (when it prints one) and what its process used.
struct Ran<T> {
    output: T,
    usage: Usage,
}

impl Runner<'_> {
    fn exe(&self) -> Command {
        Command::new(&self.config.exe)
    }

    fn jobs_args(&self, cmd: &mut Command) {
        if let Some(j) = self.config.jobs {
            cmd.arg("--jobs").arg(j.to_string());
        }
    }

    /// Runs a child; a failure (or a time-out) is a message naming the phase and the end of
    /// its log, to note and go on.
    fn child<T: DeserializeOwned>(
        &mut self,
        what: &str,
        cmd: Command,
        ok_codes: &[i32],
        limit: Option<Duration>,
        parse: bool,
    ) -> Result<Result<Ran<Option<T>>, String>, BenchError> {
        self.fed_child(what, cmd, Stdio::null(), ok_codes, limit, parse)
    }

    /// As [`Runner::child`], the child reading `stdin`.
    fn fed_child<T: DeserializeOwned>(
        &mut self,
        what: &str,
        mut cmd: Command,
        stdin: Stdio,
        ok_codes: &[i32],
        limit: Option<Duration>,
        parse: bool,
    ) -> Result<Result<Ran<Option<T>>, String>, BenchError> {
        let log = self.work.join("bench.log");
        (self.log)(&format!("  {what} …"));
        let f = child::run(&mut cmd, stdin, &log, limit)?;
        if f.timed_out {
            return Ok(Err(format!(
                "{what}: stopped after {:.0} s",
                f.usage.wall_s
            )));
        }
        if !f.code.is_some_and(|c| ok_codes.contains(&c)) {
            let tail = std::fs::read_to_string(&log)
                .map(|t| {
                    let lines: Vec<&str> = t.lines().collect();
                    lines[lines.len().saturating_sub(3)..].join(" | ")
                })
                .unwrap_or_default();
            return Ok(Err(format!("{what}: failed (exit {:?}): {tail}", f.code)));
        }
        (self.log)(&format!(
            "  {what}: {:.2} s, peak RSS {:.0} MB",
            f.usage.wall_s, f.usage.peak_rss_mb
        ));
        let output = if parse {
            match serde_json::from_slice(&f.stdout) {
                Ok(v) => Some(v),
                Err(e) => return Ok(Err(format!("{what}: unreadable report: {e}"))),
            }
        } else {
            None
        };
        Ok(Ok(Ran {
            output,
            usage: f.usage,
        }))
    }

    /// Oxigraph's bulk load (`load`, reading standard input) fed through a pipe by
    /// `extract --format nq -j 1` over `inputs`: the same quads as the extract phase, without
    /// a file on disk. One extraction thread, so the loader keeps most of the cores.
    fn streamed_oxigraph_load(
        &mut self,
        load: Command,
        inputs: &str,
    ) -> Result<Result<Ran<Option<OxigraphLoadOutput>>, String>, BenchError> {
        let mut feed = self.exe();
        feed.args(["extract", "--format", "nq", "-j", "1"])
            .arg(inputs)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(child::open_log(&self.work.join("bench.log"))?);
        let mut feeder = feed.spawn().map_err(|source| BenchError::Io {
            path: format!("{:?} (feeding Oxigraph's load)", feed.get_program()),
            source,
        })?;
        let pipe = feeder.stdout.take().expect("piped stdout");
        // Whatever the load did, the feeder is waited for: once the load has exited, the
        // pipe is closed and the feeder stops at its next write.
        let ran = self.fed_child(
            &format!("{} (streamed from extract -j 1)", checkpoint::OXIGRAPH_LOAD),
            load,
            Stdio::from(pipe),
            &[0],
            None,
            true,
        );
        let fed = feeder.wait().map_err(|source| BenchError::Io {
            path: "extract (feeding Oxigraph's load)".into(),
            source,
        })?;
        let ran = ran?;
        Ok(match fed.code() {
            Some(0 | 3) => ran,
            _ => ran.and(Err(format!(
                "{}: the extract feeding it failed ({fed})",
                checkpoint::OXIGRAPH_LOAD
            ))),
        })
    }

    fn phase_cmd(&self, name: &str) -> Command {
        let mut cmd = self.exe();
        cmd.arg("bench-phase").arg(name);
        cmd
    }

    fn fits(&self, bytes: f64) -> bool {
        child::free_bytes(&self.work).is_none_or(|free| bytes + DISK_MARGIN as f64 <= free as f64)
    }
}

fn remove(path: &Path) {
    if path.is_dir() {
        let _ = std::fs::remove_dir_all(path);
    } else if path.exists() {
        let _ = std::fs::remove_file(path);
    }
}

fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    }
}

/// A query's growth from the smallest size's time to the largest's: first runs, then second
/// runs where both sizes have one (with `--cold-queries`, cold growth then warm growth).
fn query_growth(smallest: &QueryTime, largest: &QueryTime) -> String {
    let first = ratio(largest.first_ms, smallest.first_ms);
    let second = ratio(largest.second_ms, smallest.second_ms);
    match (first, second) {
        (Some(a), Some(b)) => format!("{a:.1}× / {b:.1}×"),
        (Some(a), None) => format!("{a:.1}×"),
        (None, _) => "—".into(),
    }
}

fn per_s(n: f64, wall: f64) -> Option<f64> {
    (wall > 0.0).then(|| n / wall)
}

/// Parameters bound for a saved query: `org` to the organisation, `data` to "location",
/// and in a history corpus `since` to the date of every organisation's second version (so
/// that what its amendment collects is new); otherwise the query's defaults.
fn query_params(q: &crate::query::SavedQuery, org: Option<&str>, versions: usize) -> Vec<String> {
    q.params
        .iter()
        .filter_map(|(name, _)| match name.as_str() {
            "org" => org.map(|o| format!("org={o}")),
            "data" => Some("data=location".to_string()),
            "since" => history_since(versions),
            _ => None,
        })
        .collect()
}

/// The `since` parameter bound in a history corpus of `versions` versions per organisation:
/// the second version's date.
fn history_since(versions: usize) -> Option<String> {
    (versions > 1).then(|| format!("since={}", generate::version_date(1, versions)))
}

/// Runs the benchmark; `log` receives progress lines as phases start and end.
pub fn run(config: &Config, log: &mut dyn FnMut(&str)) -> Result<Report, BenchError> {
    let machine_cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let cores = config.jobs.unwrap_or(machine_cores).clamp(1, machine_cores);
    if config.resume && config.work.is_none() {
        return Err(BenchError::Other(
            "--resume needs the --work folder of the run it resumes".into(),
        ));
    }
    let (work, temporary) = match &config.work {
        Some(w) => (w.clone(), false),
        None => (
            std::env::temp_dir().join(format!("privacy-kg-bench-{}", std::process::id())),
            true,
        ),
    };
    std::fs::create_dir_all(&work).map_err(|source| BenchError::Io {
        path: work.display().to_string(),
        source,
    })?;
    if config.cold_queries && config.queries {
        // Fails now, not after hours of building, when this process may not do it.
        drop_page_cache(&config.drop_caches)?;
    }
    let source = generate::Source::open(&config.corpus)?;
    log(&format!(
        "source {}: {} documents, {:.1} MB; work folder {}",
        config.corpus.join(" "),
        source.documents,
        source.bytes as f64 / 1e6,
        work.display()
    ));
    let mut sizes = config.sizes.clone();
    sizes.sort_unstable();
    sizes.dedup();
    sizes.retain(|&n| n > 0);
    let incremental_size = sizes
        .iter()
        .copied()
        .filter(|&n| n <= INCREMENTAL_MAX_SIZE)
        .max();
    let mut report = Report {
        corpus: config.corpus.join(" "),
        source_documents: source.documents,
        source_megabytes: source.bytes as f64 / 1e6,
        cores,
        machine_cores,
        jobs: config.jobs,
        work: work.display().to_string(),
        versions: config.versions,
        org: config.org.clone(),
        query_timeout_s: config.query_timeout.as_secs_f64(),
        cold_queries: config.cold_queries,
        sizes: Vec::new(),
        targets: Vec::new(),
    };
    let mut runner = Runner {
        config,
        work: work.clone(),
        log,
    };
    let mut state = State {
        binary: checkpoint::fingerprint(&config.exe)?,
        ..State::default()
    };
    for &n in &sizes {
        let size = run_size(
            &mut runner,
            &source,
            n,
            cores,
            Some(n) == incremental_size && config.incremental,
            &mut report.org,
            &mut state,
        )?;
        report.sizes.push(size);
    }
    // A work folder of one's own keeps its checkpoints (a few kB each), so a finished run can
    // be extended by `--resume` with more sizes or skipped phases.
    if temporary && !config.keep {
        remove(&work);
    }
    report.targets = targets::check(&report);
    Ok(report)
}

fn run_size(
    r: &mut Runner,
    source: &generate::Source,
    n: usize,
    cores: usize,
    incremental: bool,
    org: &mut Option<String>,
    state: &mut State,
) -> Result<SizeReport, BenchError> {
    // A history corpus is another corpus: its files never stand in for the plain one's.
    let name = if r.config.versions > 1 {
        format!("{n}-v{}", r.config.versions)
    } else {
        n.to_string()
    };
    let ck_path = checkpoint::path(&r.work, &name);
    let mut ck = if r.config.resume {
        checkpoint::Checkpoint::resume(&ck_path, &state.binary)?
    } else {
        checkpoint::Checkpoint::fresh(&state.binary)
    };
    // Cold and warm first runs are not the same measurement: those of the other kind are
    // run again.
    ck.queries.retain(|t| t.cold == r.config.cold_queries);
    let corpus = r.work.join(format!("corpus-{name}.jsonl"));
    let nquads = r.work.join(format!("extract-{name}.nq"));
    let store = r.work.join(format!("store-{name}"));
    // What an earlier run measured stands only while what it measured on is still there:
    // the N-Quads file for Oxigraph's load still to run, and the store for the phases still
    // to read it. A deleted corpus is written again below (generation is deterministic), and
    // the phases measured on it stand.
    let queries_left = r.config.queries && ck.queries.len() < crate::query::catalogue().len();
    let store_needed = (r.config.optimize && ck.optimize.is_none())
        || queries_left
        || (incremental && ck.incremental.is_none());
    if ck.build.is_some() && store_needed && !store.is_dir() {
        ck.forget_store();
    }
    if ck.oxigraph.is_none() && ck.extract.as_ref().is_some_and(|e| e.to_file) && !nquads.is_file()
    {
        ck.extract = None;
    }
    let resumed: Vec<&str> = [
        ("corpus", ck.corpus.is_some()),
        (checkpoint::SCAN, ck.scan.is_some()),
        ("extract", ck.extract.is_some()),
        (checkpoint::OXIGRAPH_LOAD, ck.oxigraph.is_some()),
        (checkpoint::BUILD, ck.build.is_some()),
        (checkpoint::OPTIMIZE, ck.optimize.is_some()),
        ("queries", !ck.queries.is_empty()),
        ("rebuild", ck.incremental.is_some()),
    ]
    .into_iter()
    .filter_map(|(what, done)| done.then_some(what))
    .collect();
    if !resumed.is_empty() {
        (r.log)(&format!(
            "size {n}: resuming; already measured: {}",
            resumed.join(", ")
        ));
        ck.resumed = resumed.iter().map(|s| s.to_string()).collect();
    }

    if ck.corpus.is_none() {
        (r.log)(&format!("size {n}: generating the corpus"));
        let started = Instant::now();
        let generated = generate::generate(source, n, r.config.versions, &corpus)?;
        ck.corpus = Some(checkpoint::Corpus {
            documents: generated.documents,
            bytes: generated.bytes,
            sample_domain: generated.sample_domain,
            generate_s: started.elapsed().as_secs_f64(),
        });
        ck.save(&ck_path)?;
    } else if !corpus.is_file() {
        (r.log)(&format!("size {n}: writing the deleted corpus again"));
        generate::generate(source, n, r.config.versions, &corpus)?;
    }
    let generated = ck.corpus.clone().expect("generated above");
    if org.is_none() {
        *org = generated.sample_domain.clone();
    }
    let inputs = corpus.display().to_string();
    let megabytes = generated.bytes as f64 / 1e6;
    let docs = generated.documents as f64;
    // Disk needed per document: as the previous size measured, or, for the first size, from
    // the text's size and what the ToS;DR corpus measured.
    let text_per_doc = generated.bytes as f64 / docs.max(1.0);
    let nquads_per_doc = state
        .nquads_per_doc
        .unwrap_or(NQUADS_BYTES_PER_TEXT_BYTE * text_per_doc);
    let store_per_doc = state
        .store_per_doc
        .unwrap_or(STORE_BYTES_PER_TEXT_BYTE * text_per_doc);

    // 1. The lexicon floor.
    if ck.scan.is_none() {
        ck.forget_notes(checkpoint::SCAN);
        let mut cmd = r.phase_cmd("scan");
        r.jobs_args(&mut cmd);
        cmd.arg(&inputs);
        match r.child::<ScanOutput>(checkpoint::SCAN, cmd, &[0], None, true)? {
            Ok(ran) => ck.scan = Some((ran.output.expect("parsed"), ran.usage)),
            Err(note) => ck.notes.push(note),
        }
        ck.save(&ck_path)?;
    }

    // 2. extract --format nq, to a file when it and Oxigraph's store fit on disk.
    if ck.extract.is_none() {
        ck.forget_notes(checkpoint::EXTRACT);
        let to_file = r.fits((nquads_per_doc + store_per_doc) * docs);
        if !to_file {
            ck.notes.push(format!(
                "{}: written to /dev/null, not enough disk for the N-Quads file and a second store",
                checkpoint::EXTRACT
            ));
        }
        let extract_to = |r: &Runner, output: &Path| {
            let mut cmd = r.exe();
            cmd.args(["extract", "--format", "nq", "-o"]);
            cmd.arg(output);
            r.jobs_args(&mut cmd);
            cmd.arg(&inputs);
            cmd
        };
        let output = if to_file {
            nquads.as_path()
        } else {
            Path::new("/dev/null")
        };
        match r.child::<()>(
            checkpoint::EXTRACT,
            extract_to(r, output),
            &[0, 3],
            None,
            false,
        )? {
            Ok(ran) => {
                let discarded = if to_file {
                    let cmd = extract_to(r, Path::new("/dev/null"));
                    match r.child::<()>(checkpoint::EXTRACT_DISCARDED, cmd, &[0, 3], None, false)? {
                        Ok(again) => Some(again.usage),
                        Err(note) => {
                            ck.notes.push(note);
                            None
                        }
                    }
                } else {
                    None
                };
                ck.extract = Some(checkpoint::Extract {
                    usage: ran.usage,
                    to_file,
                    nquads_bytes: to_file
                        .then(|| std::fs::metadata(&nquads).ok().map(|m| m.len()))
                        .flatten(),
                    discarded,
                })
            }
            Err(note) => ck.notes.push(note),
        }
        ck.save(&ck_path)?;
    }
    let to_file = ck.extract.as_ref().is_some_and(|e| e.to_file);

    // 3. Oxigraph's own bulk loader on the same quads: from the file, or, when the disk
    // holds a second store but not the file beside it, through a pipe from a second
    // extraction (which then shares the cores with the loader).
    let streamed = !to_file && ck.extract.is_some() && r.fits(store_per_doc * docs);
    if ck.oxigraph.is_none() && (to_file || streamed) {
        ck.forget_notes(checkpoint::OXIGRAPH_LOAD);
        let ox_store = r.work.join(format!("oxigraph-store-{name}"));
        remove(&ox_store);
        let mut cmd = r.phase_cmd("oxigraph-load");
        cmd.arg("--store").arg(&ox_store);
        let ran = if to_file {
            cmd.arg(&nquads);
            r.child::<OxigraphLoadOutput>(checkpoint::OXIGRAPH_LOAD, cmd, &[0], None, true)?
        } else {
            cmd.arg("-");
            r.streamed_oxigraph_load(cmd, &inputs)?
        };
        match ran {
            Ok(ran) => ck.oxigraph = Some((ran.output.expect("parsed"), ran.usage)),
            Err(note) => ck.notes.push(note),
        }
        if !r.config.keep {
            remove(&ox_store);
        }
        ck.save(&ck_path)?;
    }
    if !r.config.keep {
        remove(&nquads);
    }

    // 4. build into a fresh store.
    if ck.build.is_none() {
        remove(&store);
        ck.forget_store();
        if r.fits(store_per_doc * docs) {
            let mut cmd = r.phase_cmd("build");
            cmd.arg("--store").arg(&store);
            r.jobs_args(&mut cmd);
            cmd.arg(&inputs);
            match r.child::<BuildOutput>(checkpoint::BUILD, cmd, &[0], None, true)? {
                Ok(ran) => {
                    ck.build = Some((ran.output.expect("parsed"), ran.usage));
                    ck.store_bytes = Some(crate::store::disk_bytes(&store));
                }
                Err(note) => ck.notes.push(note),
            }
        } else {
            ck.notes.push(format!(
                "{}: skipped, not enough disk for the store (so were the queries and the rebuild)",
                checkpoint::BUILD
            ));
        }
        ck.save(&ck_path)?;
    }
    let built = ck.build.is_some();

    // 5. Compaction, timed apart from the build: the queries read the compacted store.
    if r.config.optimize && built && ck.optimize.is_none() {
        ck.forget_notes(checkpoint::OPTIMIZE);
        if ck
            .store_bytes
            .is_none_or(|b| r.fits(b as f64 * OPTIMIZE_SPACE_PER_STORE_BYTE))
        {
            let mut cmd = r.phase_cmd("optimize");
            cmd.arg("--store").arg(&store);
            match r.child::<OptimizeOutput>(checkpoint::OPTIMIZE, cmd, &[0], None, true)? {
                Ok(ran) => {
                    ck.optimize = Some((ran.output.expect("parsed"), ran.usage));
                    ck.optimized_store_bytes = Some(crate::store::disk_bytes(&store));
                    // Queries an earlier run measured after skipping this read the store as
                    // built: they run again on the compacted one.
                    ck.queries.clear();
                }
                Err(note) => ck.notes.push(note),
            }
        } else {
            ck.notes.push(format!(
                "{}: skipped, not enough disk to compact the store; the queries read the store as built",
                checkpoint::OPTIMIZE
            ));
        }
        ck.save(&ck_path)?;
    }

    // 6. Saved queries on the store, each checkpointed as it ends.
    if r.config.queries && built {
        for q in crate::query::catalogue() {
            if ck.queries.iter().any(|t| t.name == q.name) {
                continue;
            }
            let params = query_params(&q, org.as_deref(), r.config.versions);
            if let Some(at) = state.timed_out.get(&q.name) {
                let why = format!(
                    "query {}: not run, it ran out of time at {at} documents",
                    q.name
                );
                ck.queries.push(QueryTime::failed(&q.name, params, why));
                continue;
            }
            let mut cmd = r.phase_cmd("query");
            cmd.arg("--store").arg(&store).arg(&q.name);
            if r.config.cold_queries {
                drop_page_cache(&r.config.drop_caches)?;
                cmd.arg("--twice");
            }
            for p in &params {
                cmd.arg("--param").arg(p);
            }
            let limit = Some(r.config.query_timeout);
            let what = format!("query {}", q.name);
            let ran = r.child::<QueryOutput>(&what, cmd, &[0], limit, true)?;
            let t = match ran {
                Ok(ran) => {
                    let o = ran.output.expect("parsed");
                    QueryTime {
                        name: q.name.clone(),
                        params,
                        rows: Some(o.rows),
                        open_ms: Some(o.open_ms),
                        first_ms: Some(o.first_ms),
                        second_ms: o.second_ms,
                        peak_rss_mb: Some(ran.usage.peak_rss_mb),
                        error: None,
                        cold: r.config.cold_queries,
                    }
                }
                Err(note) => QueryTime::failed(&q.name, params, note),
            };
            ck.queries.push(t);
            ck.save(&ck_path)?;
        }
        // In catalogue order, however many runs measured them.
        let order: Vec<String> = crate::query::catalogue()
            .into_iter()
            .map(|q| q.name)
            .collect();
        ck.queries
            .sort_by_key(|t| order.iter().position(|n| *n == t.name));
    }
    // A query that ran out of time at this size would again on a larger store.
    for t in &ck.queries {
        if t.error
            .as_deref()
            .is_some_and(|e| e.contains("stopped after"))
        {
            state.timed_out.entry(t.name.clone()).or_insert(n);
        }
    }

    // 7. Incremental rebuild after rewriting 1% of the documents.
    if incremental && built && ck.incremental.is_none() {
        ck.forget_notes(checkpoint::REBUILD);
        let rewritten = generate::rewrite(&corpus, INCREMENTAL_FRACTION)?;
        let mut cmd = r.phase_cmd("build");
        cmd.arg("--store").arg(&store);
        r.jobs_args(&mut cmd);
        cmd.arg(&inputs);
        let what = format!("{} {rewritten} documents", checkpoint::REBUILD);
        match r.child::<BuildOutput>(&what, cmd, &[0], None, true)? {
            Ok(ran) => {
                ck.incremental = Some(Incremental {
                    rewritten,
                    build: ran.output.expect("parsed"),
                    usage: ran.usage,
                })
            }
            Err(note) => ck.notes.push(note),
        }
        ck.save(&ck_path)?;
    }
    if !r.config.keep {
        remove(&store);
    }

    let mut size = SizeReport {
        documents: generated.documents,
        megabytes,
        generate_s: generated.generate_s,
        quads_per_policy: None,
        nquads_bytes: ck.extract.as_ref().and_then(|e| e.nquads_bytes),
        store_bytes: ck.store_bytes,
        optimized_store_bytes: ck.optimized_store_bytes,
        phases: Vec::new(),
        split: None,
        ratios: Ratios::default(),
        scan: None,
        build: None,
        oxigraph_load: None,
        optimize: None,
        queries: ck.queries.clone(),
        incremental: ck.incremental.clone(),
        notes: ck.notes.clone(),
    };
    if !ck.resumed.is_empty() {
        size.notes.push(format!(
            "resumed from {}: {} measured by an earlier run of this binary",
            ck_path.display(),
            ck.resumed.join(", ")
        ));
    }
    let scan = ck.scan.clone();
    let extract = ck.extract.as_ref().map(|e| e.usage);
    let extract_discarded = ck.extract.as_ref().and_then(|e| e.discarded);
    let oxigraph = ck.oxigraph.clone();
    let build = ck.build.clone();
    let optimized = ck.optimize.clone();

    // Rates and ratios.
    let practices = build.as_ref().map(|(b, _)| b.practices as f64);
    let quads = build.as_ref().map(|(b, _)| b.quads_loaded as f64);
    let row = |phase: &str, usage: Usage, docs_rates: bool, extracted: bool| PhaseRow {
        phase: phase.to_string(),
        usage,
        documents_per_s: docs_rates.then(|| per_s(docs, usage.wall_s)).flatten(),
        mb_per_s_per_core: docs_rates
            .then(|| per_s(megabytes / cores as f64, usage.wall_s))
            .flatten(),
        practices_per_s: practices
            .filter(|_| extracted)
            .and_then(|p| per_s(p, usage.wall_s)),
        triples_per_s: quads.and_then(|q| per_s(q, usage.wall_s)),
    };
    if let Some((_, usage)) = &scan {
        let mut r = row(checkpoint::SCAN, *usage, true, false);
        r.triples_per_s = None;
        size.phases.push(r);
    }
    if let Some(usage) = extract {
        let phase = if to_file {
            checkpoint::EXTRACT
        } else {
            checkpoint::EXTRACT_DISCARDED
        };
        size.phases.push(row(phase, usage, true, true));
    }
    if let Some(usage) = extract_discarded {
        size.phases
            .push(row(checkpoint::EXTRACT_DISCARDED, usage, true, true));
    }
    if let Some((_, usage)) = &oxigraph {
        size.phases
            .push(row(checkpoint::OXIGRAPH_LOAD, *usage, false, false));
    }
    if let Some((b, usage)) = &build {
        size.phases.push(row(checkpoint::BUILD, *usage, true, true));
        size.quads_per_policy = (b.loaded > 0).then(|| b.quads_loaded as f64 / b.loaded as f64);
        size.split = Some(Split {
            read_normalise_s: b.read_s + b.text_s,
            read_s: b.read_s,
            text_s: b.text_s,
            extract_s: b.extract_s,
            graph_s: b.graph_s,
            load_s: b.load_s + b.commit_s + b.ontology_s,
            feed_s: b.load_s,
            commit_s: b.commit_s,
            ontology_s: b.ontology_s,
            stats_s: b.stats_s,
            publish_s: b.publish_s,
            wall_s: usage.wall_s,
            cpu_s: usage.cpu_s,
        });
    }
    if let Some((_, usage)) = &optimized {
        let mut row = row("optimize (compaction)", *usage, false, false);
        row.triples_per_s = None;
        size.phases.push(row);
    }
    if let Some(inc) = &size.incremental {
        let mut row = row("rebuild after 1% rewritten", inc.usage, true, false);
        row.practices_per_s = per_s(inc.build.practices as f64, inc.usage.wall_s);
        row.triples_per_s = per_s(inc.build.quads_loaded as f64, inc.usage.wall_s);
        size.phases.push(row);
    }
    let scan_wall = scan.as_ref().map(|(_, u)| u.wall_s);
    // Extraction alone: without waiting for the disk to take the N-Quads file where it was
    // also timed so.
    let extract_wall = extract_discarded.or(extract).map(|u| u.wall_s);
    let ox_ready_wall = oxigraph.as_ref().map(|(_, u)| u.wall_s);
    let ox_wall = oxigraph.as_ref().map(|(o, u)| u.wall_s - o.first_write_s);
    let larger = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        _ => None,
    };
    let build_wall = build.as_ref().map(|(_, u)| u.wall_s);
    size.ratios = Ratios {
        extract_to_scan: ratio(extract_wall, scan_wall),
        extract_stage_to_scan: ratio(
            build.as_ref().map(|(b, _)| b.extract_s),
            scan.as_ref().map(|(s, _)| s.scan_s),
        ),
        build_to_max_extract_oxigraph_load: ratio(build_wall, larger(extract_wall, ox_wall)),
        build_to_max_extract_oxigraph_ready: ratio(build_wall, larger(extract_wall, ox_ready_wall)),
        rebuild_to_full: ratio(
            size.incremental.as_ref().map(|i| i.usage.wall_s),
            build_wall,
        ),
    };
    state.nquads_per_doc = size
        .nquads_bytes
        .map(|b| b as f64 / docs)
        .or(state.nquads_per_doc);
    state.store_per_doc = size
        .store_bytes
        .map(|b| b as f64 / docs)
        .or(state.store_per_doc);
    size.scan = scan.map(|(s, _)| s);
    size.build = build.map(|(b, _)| b);
    size.oxigraph_load = oxigraph.map(|(o, _)| o);
    size.optimize = optimized.map(|(o, _)| o);
    Ok(size)
}

fn opt(v: Option<f64>, digits: usize) -> String {
    match v {
        Some(v) => format!("{v:.digits$}"),
        None => "—".to_string(),
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "privacy-kg bench — source {} ({} documents, {:.1} MB); {} core(s) used of {}",
            self.corpus,
            self.source_documents,
            self.source_megabytes,
            self.cores,
            self.machine_cores
        )?;
        writeln!(
            f,
            "MB = 10^6 bytes of policy text; MB/s/core = MB / wall s / cores used; peak RSS per phase process"
        )?;
        for s in &self.sizes {
            if self.versions > 1 {
                writeln!(
                    f,
                    "\n== {} documents, {:.1} MB ({} histories of {} dated versions)",
                    s.documents,
                    s.megabytes,
                    s.documents.div_ceil(self.versions),
                    self.versions
                )?;
            } else {
                writeln!(
                    f,
                    "\n== {} documents, {:.1} MB ({:.2} copies of the source)",
                    s.documents,
                    s.megabytes,
                    s.documents as f64 / self.source_documents.max(1) as f64
                )?;
            }
            let width = s
                .phases
                .iter()
                .map(|p| p.phase.chars().count())
                .max()
                .unwrap_or(0)
                .max(30);
            writeln!(
                f,
                "{:<width$} {:>9} {:>9} {:>10} {:>12} {:>11} {:>9} {:>9}",
                "phase",
                "wall s",
                "docs/s",
                "MB/s/core",
                "practices/s",
                "triples/s",
                "RSS MB",
                "CPU s"
            )?;
            for p in &s.phases {
                writeln!(
                    f,
                    "{:<width$} {:>9.2} {:>9} {:>10} {:>12} {:>11} {:>9.0} {:>9.1}",
                    p.phase,
                    p.usage.wall_s,
                    opt(p.documents_per_s, 0),
                    opt(p.mb_per_s_per_core, 2),
                    opt(p.practices_per_s, 0),
                    opt(p.triples_per_s, 0),
                    p.usage.peak_rss_mb,
                    p.usage.cpu_s
                )?;
            }
            if let Some(b) = &s.build {
                writeln!(
                    f,
                    "  documents {} loaded, {} skipped; {} practices ({} negated); {} quads, {} per policy",
                    b.loaded,
                    b.failed,
                    b.practices,
                    b.negated,
                    b.quads_loaded,
                    opt(s.quads_per_policy, 1)
                )?;
            }
            let optimized = s
                .optimized_store_bytes
                .map(|b| format!(" ({:.0} MB after optimize)", b as f64 / 1e6))
                .unwrap_or_default();
            if let (Some(q), Some(st)) = (s.nquads_bytes, s.store_bytes) {
                writeln!(
                    f,
                    "  N-Quads file {:.0} MB; store {:.0} MB on disk{optimized}",
                    q as f64 / 1e6,
                    st as f64 / 1e6
                )?;
            } else if let Some(st) = s.store_bytes {
                writeln!(f, "  store {:.0} MB on disk{optimized}", st as f64 / 1e6)?;
            }
            if let Some(sp) = &s.split {
                let pct = |x: f64| {
                    let total = sp.read_normalise_s + sp.extract_s + sp.graph_s + sp.load_s;
                    if total > 0.0 {
                        100.0 * x / total
                    } else {
                        0.0
                    }
                };
                writeln!(
                    f,
                    "  build split, s (per-document stages summed over threads): read+normalise {:.2} ({:.0}%; read {:.2}, text {:.2}) · extract {:.2} ({:.0}%) · graph {:.2} ({:.0}%) · load {:.2} ({:.0}%; feeding {:.2}, commit {:.2}, ontology + compaction wait {:.2}); store count {:.2}; provenance + dataset description {:.2}; wall {:.2}, CPU {:.2}",
                    sp.read_normalise_s,
                    pct(sp.read_normalise_s),
                    sp.read_s,
                    sp.text_s,
                    sp.extract_s,
                    pct(sp.extract_s),
                    sp.graph_s,
                    pct(sp.graph_s),
                    sp.load_s,
                    pct(sp.load_s),
                    sp.feed_s,
                    sp.commit_s,
                    sp.ontology_s,
                    sp.stats_s,
                    sp.publish_s,
                    sp.wall_s,
                    sp.cpu_s
                )?;
            }
            if let Some(ox) = &s.oxigraph_load {
                writeln!(
                    f,
                    "  oxigraph bulk load, s: parse and sort {:.2} · commit {:.2} · first write after it (compaction wait) {:.2}{}",
                    ox.load_s,
                    ox.commit_s,
                    ox.first_write_s,
                    if ox.streamed {
                        " · read through a pipe from a concurrent extract -j 1 (no disk for the file)"
                    } else {
                        ""
                    }
                )?;
            }
            if let Some(sc) = &s.scan {
                writeln!(
                    f,
                    "  lexicon scan: {} labels, {} matches; automaton {:.2} s, reading {:.2} s (summed)",
                    sc.labels, sc.matches, sc.scan_s, sc.read_s
                )?;
            }
            let r = &s.ratios;
            writeln!(
                f,
                "  ratios: extract/scan {}× (wall), extract stage/automaton {}× (summed) · build/max(extract, oxigraph load) {} (target ≤ 1.2; {} with oxigraph's first write after its load) · rebuild/full {} (target ≤ 0.10)",
                opt(r.extract_to_scan, 1),
                opt(r.extract_stage_to_scan, 1),
                opt(r.build_to_max_extract_oxigraph_load, 2),
                opt(r.build_to_max_extract_oxigraph_ready, 2),
                opt(r.rebuild_to_full, 3)
            )?;
            if let Some(inc) = &s.incremental {
                writeln!(
                    f,
                    "  rebuild: {} documents rewritten → {} replaced, {} unchanged; check pass {:.2} s of {:.2} s",
                    inc.rewritten,
                    inc.build.replaced,
                    inc.build.unchanged,
                    inc.build.check_s,
                    inc.usage.wall_s
                )?;
            }
            for n in &s.notes {
                writeln!(f, "  note: {n}")?;
            }
        }
        let with_queries: Vec<&SizeReport> = self
            .sizes
            .iter()
            .filter(|s| !s.queries.is_empty())
            .collect();
        if let Some(first) = with_queries.first() {
            writeln!(
                f,
                "\n== saved queries, ms: {}{}",
                if self.cold_queries {
                    "first run after emptying the page cache (cold) / second run (warm)"
                } else {
                    "first run after opening the store / second run (when the first took under 10 s)"
                },
                self.org
                    .as_deref()
                    .map(|o| match history_since(self.versions) {
                        Some(since) => format!(" (org={o}, data=location, {since})"),
                        None => format!(" (org={o}, data=location)"),
                    })
                    .unwrap_or_default()
            )?;
            write!(f, "{:<40}", "query")?;
            for s in &with_queries {
                write!(f, " {:>17}", format!("{} docs", s.documents))?;
            }
            let growth = with_queries.len() > 1;
            if growth {
                write!(f, " {:>15}", "growth")?;
            }
            writeln!(f, " {:>8}", "rows")?;
            for (i, q) in first.queries.iter().enumerate() {
                write!(f, "{:<40}", q.name)?;
                for s in &with_queries {
                    let cell = match s.queries.get(i) {
                        Some(QueryTime {
                            first_ms: Some(a),
                            second_ms: Some(b),
                            ..
                        }) => format!("{a:.0} / {b:.0}"),
                        Some(QueryTime {
                            first_ms: Some(a), ..
                        }) => format!("{a:.0} / —"),
                        Some(QueryTime { error: Some(e), .. }) if e.contains("stopped after") => {
                            format!("> {:.0} s", self.query_timeout_s)
                        }
                        Some(QueryTime { error: Some(e), .. }) if e.contains("not run") => {
                            "(skipped)".to_string()
                        }
                        Some(QueryTime { error: Some(_), .. }) => "failed".to_string(),
                        _ => "—".to_string(),
                    };
                    write!(f, " {cell:>17}")?;
                }
                let last = with_queries.last().and_then(|s| s.queries.get(i));
                if growth {
                    let g = last
                        .map(|l| query_growth(q, l))
                        .unwrap_or_else(|| "—".into());
                    write!(f, " {g:>15}")?;
                }
                writeln!(
                    f,
                    " {:>8}",
                    last.and_then(|q| q.rows)
                        .map(|r| r.to_string())
                        .unwrap_or_else(|| "—".into())
                )?;
            }
            if growth {
                writeln!(
                    f,
                    "growth: time at {} documents / at {}, first runs / second runs where both sizes have one (target ≤ 12×); rows: at the largest size; a query that runs out of time is not rerun on larger stores",
                    with_queries.last().unwrap().documents,
                    first.documents
                )?;
            }
            for s in &with_queries {
                if let Some(q) = s.queries.iter().find(|q| q.name.starts_with("08-")) {
                    writeln!(
                        f,
                        "lookup of one organisation's practices (08) at {} documents: {} ms first run, {} ms second, {} rows",
                        s.documents,
                        opt(q.first_ms, 1),
                        opt(q.second_ms, 1),
                        q.rows.map(|r| r.to_string()).unwrap_or_else(|| "—".into())
                    )?;
                }
            }
            for s in &with_queries {
                for q in &s.queries {
                    if let Some(e) = &q.error {
                        writeln!(f, "  {} docs: {e}", s.documents)?;
                    }
                }
            }
        }
        if !self.targets.is_empty() {
            writeln!(f, "\n== targets, judged on this run")?;
            let width = self
                .targets
                .iter()
                .map(|t| t.target.chars().count())
                .max()
                .unwrap_or(0);
            for t in &self.targets {
                writeln!(
                    f,
                    "{:<12} {:<width$}  {}",
                    t.verdict.as_str(),
                    t.target,
                    t.measured
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timed(first_ms: Option<f64>, second_ms: Option<f64>) -> QueryTime {
        QueryTime {
            name: "01-collected-data-types".into(),
            params: Vec::new(),
            rows: Some(1),
            open_ms: Some(1.0),
            first_ms,
            second_ms,
            peak_rss_mb: Some(1.0),
            error: None,
            cold: true,
        }
    }

    #[test]
    fn growth_gives_second_runs_beside_first_runs_where_both_sizes_have_them() {
        let small = timed(Some(10.0), Some(4.0));
        assert_eq!(
            query_growth(&small, &timed(Some(150.0), Some(48.0))),
            "15.0× / 12.0×"
        );
        // A slow query at the larger size ran once: only first runs compare.
        assert_eq!(query_growth(&small, &timed(Some(150.0), None)), "15.0×");
        assert_eq!(
            query_growth(&timed(Some(10.0), None), &timed(Some(150.0), Some(48.0))),
            "15.0×"
        );
        // Timed out at the larger size: no growth.
        assert_eq!(query_growth(&small, &timed(None, None)), "—");
    }
}
