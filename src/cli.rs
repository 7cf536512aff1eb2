//! The command line's edge: what each command does with the library, progress bars,
//! human-readable summaries, context-rich errors and exit codes.
//!
//! Exit codes: 0 success; 1 the command failed, or nothing could be done (bad store, bad
//! query, unwritable output, no input readable); 2 bad usage (from the argument parser);
//! 3 the command finished but some inputs were skipped (each reported on standard error
//! with its reason; with `--strict`, documents with warnings too).

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::bench;
use crate::corpus;
use crate::eval;
use crate::export::{self, QuadWriter};
use crate::graph::{self, GraphOptions, Record};
use crate::pipeline::{self, Options, Progress};
use crate::publish;
use crate::query::{self, ResultFormat};
use crate::run_report::{Problem, RunReport};
use crate::store::Store;
use crate::vocab::{Scheme, Vocabulary};

/// How a command ended, beyond plain success or failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// Finished, but some inputs were skipped.
    SomeInputsFailed,
}

/// Turns a command's result into the process exit code, printing the error chain.
pub fn exit(result: Result<Outcome>) -> ExitCode {
    match result {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::SomeInputsFailed) => ExitCode::from(3),
        // A reader that stopped early (`| head`) is not an error.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            let mut msg = format!("privacy-kg: error: {e}");
            for cause in e.chain().skip(1) {
                msg.push_str(&format!(": {cause}"));
            }
            eprintln!("{msg}");
            ExitCode::from(1)
        }
    }
}

/// Settings shared by `build` and `extract`.
pub struct ExtractSettings {
    pub base: String,
    pub jobs: Option<usize>,
    pub ontology: Option<PathBuf>,
    pub max_bytes: u64,
    /// Only this shard of the inputs (`--shard K/N`).
    pub shard: Option<corpus::Shard>,
    /// Per-document time limit for extraction.
    pub max_seconds: Option<u64>,
    /// Documents with warnings are skipped and count as failures.
    pub strict: bool,
    /// Where to write the run's report as JSON.
    pub report: Option<PathBuf>,
}

impl ExtractSettings {
    fn vocabulary(&self) -> Result<Vocabulary> {
        load_vocabulary(self.ontology.as_deref())
    }

    fn options(&self) -> Result<Options> {
        graph::check_base(&self.base).context("--base")?;
        Ok(Options {
            graph: GraphOptions {
                base: self.base.clone(),
            },
            jobs: self.jobs,
            limits: corpus::Limits {
                max_bytes: self.max_bytes,
                shard: self.shard,
                max_time: self.max_seconds.map(Duration::from_secs),
            },
            strict: self.strict,
        })
    }
}

fn load_vocabulary(dir: Option<&Path>) -> Result<Vocabulary> {
    Ok(match dir {
        Some(d) => Vocabulary::from_dir(d)?,
        None => Vocabulary::embedded()?,
    })
}

fn progress_bar(len: u64, what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {msg} [{bar:40}] {pos}/{len} ({per_sec}, eta {eta})",
        )
        .unwrap()
        .progress_chars("=> "),
    );
    bar.set_message(what.to_string());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// `privacy-kg build`
pub fn build(
    paths: &[String],
    store_path: Option<&Path>,
    settings: ExtractSettings,
    run_queries: Option<QueryRun>,
    license: Option<&str>,
) -> Result<Outcome> {
    let vocab = settings.vocabulary()?;
    let options = settings.options()?;
    if let Some(l) = license {
        oxigraph::model::NamedNode::new(l).with_context(|| format!("--license {l}: not an IRI"))?;
    }
    let mut store = match store_path {
        Some(p) => Store::open_for_loading(p)?,
        None => Store::memory()?,
    };
    let started = publish::now();
    let bar = progress_bar(0, "extracting");
    let summary = pipeline::build(paths, &mut store, &vocab, &options, &|p| match p {
        Progress::Found(n) => bar.set_length(n as u64),
        Progress::Done(_) => bar.inc(1),
    })?;
    bar.finish_and_clear();
    let published = publish::publish_build(
        &store,
        &options.graph.base,
        started,
        paths,
        &summary,
        license,
    )
    .context("recording the build's provenance and describing the dataset")?;
    for f in &summary.failed {
        eprintln!("privacy-kg: skipped {f}");
    }
    let report = RunReport::new(
        "build",
        summary.loaded,
        summary.unchanged,
        summary.failed.clone(),
        summary.warnings.clone(),
    );
    for w in &summary.warnings {
        eprintln!("privacy-kg: warning: {w}");
    }
    let mut out = std::io::stdout().lock();
    let where_ = store_path
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "memory".into());
    writeln!(out, "privacy-kg build: {where_}")?;
    writeln!(
        out,
        "  documents   {} loaded, {} unchanged, {} replaced, {} skipped",
        summary.loaded,
        summary.unchanged,
        summary.replaced,
        summary.failed.len()
    )?;
    if summary.rebuilt_beside {
        writeln!(
            out,
            "  rebuilt     beside the old store, then swapped in (a fifth or more of it changed)"
        )?;
    }
    write_loaded(
        &mut out,
        &summary.practices,
        summary.quads_loaded,
        Some(summary.store_quads),
        summary.store_graphs,
    )?;
    let secs = summary.elapsed.as_secs_f64();
    writeln!(
        out,
        "  time        {secs:.2} s ({:.0} documents/s)",
        (summary.loaded + summary.unchanged) as f64 / secs.max(1e-9)
    )?;
    writeln!(out, "  warnings    {}", summary.warnings.len())?;
    writeln!(
        out,
        "  published   build {}; dataset description: {} triples, {} policies, {} practices{}",
        published.0,
        published.1.triples,
        published.1.policies,
        published.1.practices,
        published
            .1
            .license
            .as_deref()
            .map(|l| format!(", licence {l}"))
            .unwrap_or_default()
    )?;
    drop(out);
    let outcome = finish_run(report, &settings)?;
    if let Some(run) = run_queries {
        if run_all_queries(&store, &run.catalogue()?, ResultFormat::Table, run.timeout)? > 0 {
            return Ok(Outcome::SomeInputsFailed);
        }
    }
    Ok(outcome)
}

/// Ends a `build` or `extract` run: the summary of problems by reason on standard error,
/// the JSON report where asked, and the outcome. A run that read no document at all could
/// do nothing and fails (exit 1); one that skipped some inputs (or, with `--strict`, had
/// warnings) finishes with exit 3.
fn finish_run(mut report: RunReport, settings: &ExtractSettings) -> Result<Outcome> {
    let result = if report.documents + report.unchanged == 0 {
        Err(if report.skipped.is_empty() {
            anyhow!("no documents found in the inputs given (folders are searched for .txt, .md, .html, .htm, .jsonl files and files without extension)")
        } else {
            anyhow!(
                "nothing could be done: none of the {} inputs could be read (the reasons are above)",
                report.skipped.len()
            )
        })
    } else if report.failures() > 0 || (settings.strict && !report.warnings.is_empty()) {
        Ok(Outcome::SomeInputsFailed)
    } else {
        Ok(Outcome::Ok)
    };
    report.exit_code = match &result {
        Ok(Outcome::Ok) => 0,
        Ok(Outcome::SomeInputsFailed) => 3,
        Err(_) => 1,
    };
    eprint!("{}", report.summary());
    if let Some(path) = &settings.report {
        let mut f = BufWriter::new(
            File::create(path)
                .with_context(|| format!("cannot create the report {}", path.display()))?,
        );
        report
            .write_json(&mut f)
            .and_then(|_| f.flush())
            .with_context(|| format!("writing the report {}", path.display()))?;
    }
    result
}

/// Output formats of `extract`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExtractFormat {
    Jsonl,
    Nq,
    Trig,
    Ttl,
    Nt,
}

fn output(path: Option<&Path>) -> Result<Box<dyn Write>> {
    Ok(match path {
        Some(p) => Box::new(BufWriter::new(
            File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    })
}

/// Whether a path names a gzip file.
fn is_gzip(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}

/// Where `extract` writes: a file (gzip-compressed when its name ends in `.gz`) or standard
/// output.
enum Output {
    Plain(Box<dyn Write>),
    Gzip(flate2::write::GzEncoder<BufWriter<File>>),
}

impl Output {
    fn open(path: Option<&Path>) -> Result<Output> {
        match path {
            Some(p) if is_gzip(p) => {
                let file =
                    File::create(p).with_context(|| format!("cannot create {}", p.display()))?;
                // The fastest level: compression must not become the bottleneck of a
                // parallel extraction; it still takes N-Quads to about a tenth.
                Ok(Output::Gzip(flate2::write::GzEncoder::new(
                    BufWriter::with_capacity(1 << 20, file),
                    flate2::Compression::fast(),
                )))
            }
            _ => Ok(Output::Plain(output(path)?)),
        }
    }

    fn writer(&mut self) -> &mut dyn Write {
        match self {
            Output::Plain(w) => w,
            Output::Gzip(w) => w,
        }
    }

    /// Flushes, and writes the gzip trailer.
    fn finish(self) -> std::io::Result<()> {
        match self {
            Output::Plain(mut w) => w.flush(),
            Output::Gzip(w) => w.finish()?.flush(),
        }
    }
}

/// One document ready to write, made on a worker thread.
struct Serialised {
    source: String,
    warnings: Vec<String>,
    /// N-Quads or a JSONL line.
    bytes: Vec<u8>,
    /// For the formats written through Oxigraph's serialisers (prefixes, nesting).
    quads: Vec<oxigraph::model::Quad>,
}

/// `privacy-kg extract`
pub fn extract(
    paths: &[String],
    format: ExtractFormat,
    with_text: bool,
    out_path: Option<&Path>,
    settings: ExtractSettings,
) -> Result<Outcome> {
    let vocab = settings.vocabulary()?;
    let options = settings.options()?;
    let (files, errors) = corpus::discover(paths);
    let mut skipped: Vec<Problem> = errors.iter().map(Problem::skipped).collect();
    let mut warnings: Vec<Problem> = Vec::new();
    let mut documents = 0;
    for e in &errors {
        eprintln!("privacy-kg: skipped {e}");
    }
    let bar = progress_bar(files.len() as u64, "extracting");
    let mut out = Output::open(out_path)?;
    let rdf = match format {
        ExtractFormat::Jsonl | ExtractFormat::Nq => None,
        ExtractFormat::Trig => Some(export::Format::TriG),
        ExtractFormat::Ttl => Some(export::Format::Turtle),
        ExtractFormat::Nt => Some(export::Format::NTriples),
    };
    enum Target<'a> {
        Quads(Box<QuadWriter<&'a mut dyn Write>>),
        Bytes(&'a mut dyn Write),
    }
    let mut target = match rdf {
        Some(f) => Target::Quads(Box::new(QuadWriter::new(f, out.writer())?)),
        None => Target::Bytes(out.writer()),
    };
    // Serialising runs on the worker threads, beside extraction; the sink only writes.
    let serialise = |p: pipeline::Processed| {
        let warnings = p
            .doc
            .warnings
            .iter()
            .chain(&p.extraction.warnings)
            .cloned()
            .collect();
        let mut bytes = Vec::new();
        let mut quads = Vec::new();
        match format {
            ExtractFormat::Nq => {
                graph::write_nquads(
                    &p.doc,
                    &p.seg,
                    &p.extraction,
                    &vocab,
                    &options.graph,
                    &mut bytes,
                );
            }
            ExtractFormat::Jsonl => {
                let record = Record::new(
                    &p.doc,
                    &p.seg,
                    &p.extraction,
                    &vocab,
                    &options.graph.base,
                    with_text,
                );
                serde_json::to_writer(&mut bytes, &record).expect("records serialise");
                bytes.push(b'\n');
            }
            _ => quads = graph::quads(&p.doc, &p.seg, &p.extraction, &vocab, &options.graph).1,
        }
        Serialised {
            source: p.doc.source,
            warnings,
            bytes,
            quads,
        }
    };
    pipeline::map_in_order(files, &vocab, &options, serialise, |result| {
        bar.inc(1);
        match result {
            Err(e) if !e.is_failure() => {
                bar.suspend(|| eprintln!("privacy-kg: warning: {e}"));
                warnings.push(Problem::skipped(&e));
            }
            Err(e) => {
                bar.suspend(|| eprintln!("privacy-kg: skipped {e}"));
                skipped.push(Problem::skipped(&e));
            }
            Ok(s) => {
                let problems: Vec<Problem> = s
                    .warnings
                    .iter()
                    .map(|w| Problem::warning(&s.source, w))
                    .collect();
                if settings.strict && !problems.is_empty() {
                    for w in problems {
                        let w = w.refused_by_strict();
                        bar.suspend(|| eprintln!("privacy-kg: skipped {w}"));
                        skipped.push(w);
                    }
                    return Ok(());
                }
                for w in problems {
                    bar.suspend(|| eprintln!("privacy-kg: warning: {w}"));
                    warnings.push(w);
                }
                documents += 1;
                match &mut target {
                    Target::Quads(w) => {
                        for q in &s.quads {
                            w.write(q)?;
                        }
                    }
                    Target::Bytes(w) => w.write_all(&s.bytes)?,
                }
            }
        }
        Ok(())
    })
    .context("writing the extraction")?;
    bar.finish_and_clear();
    if let Target::Quads(w) = target {
        w.finish().context("writing the extraction")?;
    }
    out.finish().context("writing the extraction")?;
    finish_run(
        RunReport::new("extract", documents, 0, skipped, warnings),
        &settings,
    )
}

/// `privacy-kg load`
pub fn load(files: &[PathBuf], store_path: &Path, ontology: Option<&Path>) -> Result<Outcome> {
    let vocab = load_vocabulary(ontology)?;
    let store = Store::open_for_loading(store_path)?;
    let started = std::time::Instant::now();
    let read = store.load_files(files, &vocab)?;
    let secs = started.elapsed().as_secs_f64();
    let stats = store.stats()?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "privacy-kg load: {}", store_path.display())?;
    writeln!(
        out,
        "  files       {}\n  triples     {read} read; the store holds {} in {} graphs\n  time        {secs:.2} s ({:.0} quads/s)",
        files.len(),
        stats.quads,
        stats.graphs,
        read as f64 / secs.max(1e-9)
    )?;
    Ok(Outcome::Ok)
}

/// `privacy-kg optimize`: compacts the store and reports the time and its size before and
/// after.
pub fn optimize(store_path: &Path) -> Result<Outcome> {
    let store = open_existing(store_path)?;
    let before = crate::store::disk_bytes(store_path);
    let started = std::time::Instant::now();
    store
        .optimize()
        .with_context(|| format!("optimizing the store {}", store_path.display()))?;
    let secs = started.elapsed().as_secs_f64();
    // Closed first: RocksDB deletes the files the compaction replaced when it lets them go.
    drop(store);
    let after = crate::store::disk_bytes(store_path);
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "privacy-kg optimize: {}\n  time        {secs:.2} s\n  size        {:.1} MB before, {:.1} MB after",
        store_path.display(),
        before as f64 / 1e6,
        after as f64 / 1e6
    )?;
    Ok(Outcome::Ok)
}

/// `privacy-kg queries`
pub fn list_queries() -> Result<Outcome> {
    let mut out = std::io::stdout().lock();
    for q in query::catalogue() {
        writeln!(out, "{:<34} {}", q.name, q.title)?;
        for (name, meaning) in &q.params {
            writeln!(out, "{:<34}   --param {name}=…  {meaning}", "")?;
        }
    }
    Ok(Outcome::Ok)
}

/// What `privacy-kg query` runs.
pub enum QueryTarget {
    Named(String),
    Sparql(String),
    All,
    Missing,
}

fn open_existing(path: &Path) -> Result<Store> {
    if !path.exists() {
        bail!(
            "no store at {} (run `privacy-kg build PATH...` first, or pass --store DIR)",
            path.display()
        );
    }
    Ok(Store::open(path)?)
}

/// Which saved queries to run, and for how long each.
#[derive(Debug, Clone, Default)]
pub struct QueryRun {
    /// A folder of `.rq` files instead of the built-in catalogue.
    pub dir: Option<PathBuf>,
    /// Each query's time limit.
    pub timeout: Option<Duration>,
}

impl QueryRun {
    fn catalogue(&self) -> Result<Vec<query::SavedQuery>> {
        Ok(match &self.dir {
            Some(d) => query::catalogue_from_dir(d)?,
            None => query::catalogue(),
        })
    }
}

/// `privacy-kg query`
pub fn query(
    store_path: &Path,
    target: QueryTarget,
    params: &[String],
    format: ResultFormat,
    run: QueryRun,
    explain: Option<&Path>,
) -> Result<Outcome> {
    let timeout = run.timeout;
    let saved = match target {
        QueryTarget::Missing => {
            bail!("name a saved query, give --sparql TEXT, or --all (see `privacy-kg queries`)")
        }
        QueryTarget::All => {
            let catalogue = run.catalogue()?;
            let store = open_existing(store_path)?;
            return Ok(
                if run_all_queries(&store, &catalogue, format, timeout)? > 0 {
                    Outcome::SomeInputsFailed
                } else {
                    Outcome::Ok
                },
            );
        }
        QueryTarget::Sparql(text) => {
            query::SavedQuery::parse("command-line", &text).with_origin("--sparql")
        }
        QueryTarget::Named(name) => query::resolve(&run.catalogue()?, &name)?,
    };
    let params = query::parse_params(params)?;
    let store = open_existing(store_path)?;
    if let Some(t) = timeout {
        hard_stop_after(t + QUERY_GRACE, &saved.name);
    }
    let mut out = BufWriter::new(std::io::stdout().lock());
    query::run_with(
        &store,
        &saved,
        &params,
        format,
        &mut out,
        query::RunOptions { timeout, explain },
    )?;
    out.flush()?;
    Ok(Outcome::Ok)
}

/// How long a query may go on after its `--timeout` before the process stops it.
const QUERY_GRACE: Duration = Duration::from_secs(2);

/// Oxigraph checks its cancellation token when it reads the store, not inside an in-memory
/// join or sort, so a cancelled query can go on for long. Past `--timeout` and a grace
/// period, the process ends with the time-out message: the store is only read, and a
/// RocksDB store is safe to leave without closing it.
fn hard_stop_after(limit: Duration, name: &str) {
    let message = query::QueryError::Timeout {
        name: name.to_string(),
        seconds: (limit - QUERY_GRACE).as_secs_f64(),
    }
    .to_string();
    std::thread::spawn(move || {
        std::thread::sleep(limit);
        eprintln!("privacy-kg: error: {message}");
        std::process::exit(1);
    });
}

/// Runs every query of `catalogue`, each within `timeout` when given. A query that fails or
/// runs out of time is reported on standard error, naming its file, and the run goes on
/// with the next; returns how many failed.
fn run_all_queries(
    store: &Store,
    catalogue: &[query::SavedQuery],
    format: ResultFormat,
    timeout: Option<Duration>,
) -> Result<usize> {
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut failed = 0;
    for q in catalogue {
        writeln!(out, "\n== {} — {}", q.name, q.title)?;
        let params: Vec<_> = if q.params.iter().any(|(n, _)| n == "org") {
            writeln!(out, "   (with --param org=igroops.com)")?;
            query::parse_params(&["org=igroops.com".to_string()])?
        } else {
            Vec::new()
        };
        let result = match timeout {
            None => query::run(store, q, &params, format, &mut out).map(|_| ()),
            Some(limit) => run_within(store, q, params, format, limit).and_then(|results| {
                out.write_all(&results)?;
                Ok(())
            }),
        };
        if let Err(e) = result {
            out.flush()?;
            eprintln!(
                "privacy-kg: {}: {e}; going on with the next query",
                q.origin
            );
            failed += 1;
        }
    }
    out.flush()?;
    if failed > 0 {
        eprintln!(
            "privacy-kg: {failed} of {} queries failed or ran out of time (listed above)",
            catalogue.len()
        );
    }
    Ok(failed)
}

/// Runs one query on a thread of its own, its results gathered in memory, and waits at most
/// `limit` and a grace period: the query is cancelled at `limit`, and one that does not
/// notice (Oxigraph looks at the token only when it reads the store) is left behind, its
/// results dropped, so that the next query can start.
fn run_within(
    store: &Store,
    q: &query::SavedQuery,
    params: Vec<(String, oxigraph::model::Term)>,
    format: ResultFormat,
    limit: Duration,
) -> Result<Vec<u8>, query::QueryError> {
    let (send, receive) = std::sync::mpsc::channel();
    let (store, q2) = (store.clone(), q.clone());
    std::thread::spawn(move || {
        let mut results = Vec::new();
        let outcome = query::run_with(
            &store,
            &q2,
            &params,
            format,
            &mut results,
            query::RunOptions {
                timeout: Some(limit),
                explain: None,
            },
        );
        let _ = send.send(outcome.map(|_| results));
    });
    receive
        .recv_timeout(limit + QUERY_GRACE)
        .unwrap_or(Err(query::QueryError::Timeout {
            name: q.name.clone(),
            seconds: limit.as_secs_f64(),
        }))
}

/// Output formats of `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Nq,
    Trig,
    Ttl,
    Nt,
    Rdfxml,
    /// Expanded JSON-LD of the whole store (full IRIs, streaming)
    Jsonld,
    /// One compact JSON-LD document per policy, with a readable @context
    JsonldCompact,
}

/// `privacy-kg export`
pub fn export(
    store_path: &Path,
    format: ExportFormat,
    out_path: Option<&Path>,
    policy: Option<&str>,
) -> Result<Outcome> {
    let store = open_existing(store_path)?;
    if format == ExportFormat::JsonldCompact {
        if let Some(policy) = policy {
            let doc = export::compact::policy_document_from_store(&store, policy)?
                .with_context(|| format!("no policy graph named {policy} in the store"))?;
            let mut out = output(out_path)?;
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
            out.flush()?;
            return Ok(Outcome::Ok);
        }
        let Some(dir) = out_path else {
            bail!("--format jsonld-compact writes one file per policy: give -o DIR (or --policy IRI for one document)");
        };
        let n = export::compact_documents(&store, dir)?;
        eprintln!("privacy-kg: wrote {n} documents into {}", dir.display());
        return Ok(Outcome::Ok);
    }
    if policy.is_some() {
        bail!("--policy goes with --format jsonld-compact");
    }
    let format = match format {
        ExportFormat::Nq => export::Format::NQuads,
        ExportFormat::Trig => export::Format::TriG,
        ExportFormat::Ttl => export::Format::Turtle,
        ExportFormat::Nt => export::Format::NTriples,
        ExportFormat::Rdfxml => export::Format::RdfXml,
        ExportFormat::Jsonld => export::Format::JsonLd,
        ExportFormat::JsonldCompact => unreachable!("handled above"),
    };
    let mut out = output(out_path)?;
    export::store(&store, format, &mut out)?;
    out.flush()?;
    Ok(Outcome::Ok)
}

/// `privacy-kg validate`: checks the store against the SHACL shapes (built in, or `shapes`)
/// and prints the report; a store that does not conform is an error (exit code 1).
pub fn validate(store_path: &Path, shapes: Option<&Path>, examples: usize) -> Result<Outcome> {
    let shapes = match shapes {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read {}", p.display()))?;
            crate::validate::Shapes::parse(&p.display().to_string(), &text)?
        }
        None => crate::validate::Shapes::embedded()?,
    };
    let store = open_existing(store_path)?;
    let report = crate::validate::validate(&store, &shapes, examples)?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    write!(out, "{report}")?;
    out.flush()?;
    if !report.conforms() {
        bail!(
            "the store does not conform to the shapes: {} violations",
            report.violations()
        );
    }
    Ok(Outcome::Ok)
}

/// `privacy-kg serve`: the read-only SPARQL endpoint, until the process is stopped.
pub fn serve(store_path: &Path, settings: crate::serve::Settings) -> Result<Outcome> {
    let store = open_existing(store_path)?;
    let server = crate::serve::Server::bind(store, settings)?;
    println!("privacy-kg serve: listening on {}", server.url());
    std::io::stdout().flush()?;
    server.run();
    Ok(Outcome::Ok)
}

/// `privacy-kg explain`
pub fn explain(file: &Path, ontology: Option<&Path>) -> Result<Outcome> {
    let vocab = load_vocabulary(ontology)?;
    let doc = corpus::read_file(file, corpus::Limits::default())?;
    let p = pipeline::process(doc, &vocab, &mut Default::default());
    let mut out = BufWriter::new(std::io::stdout().lock());
    let d = &p.doc;
    writeln!(out, "{}", d.source)?;
    writeln!(
        out,
        "  organisation {}  domain {}  archived {}  format {:?}",
        d.meta.organization.as_deref().unwrap_or("?"),
        d.meta.domain.as_deref().unwrap_or("?"),
        d.meta.archived.as_deref().unwrap_or("?"),
        d.format
    )?;
    for w in d.warnings.iter().chain(&p.extraction.warnings) {
        writeln!(out, "  warning: {w}")?;
    }
    let label = |m: &crate::extract::Mention| {
        format!(
            "{} «{}»",
            vocab.concept(m.concept).local_name(),
            &p.seg.text[m.start..m.end]
        )
    };
    let mut scratch = crate::vocab::MatchScratch::default();
    for (i, s) in p.seg.sentences.iter().enumerate() {
        let block = &p.seg.blocks[s.block];
        let marker = match block.kind {
            crate::text::BlockKind::Heading => "#",
            crate::text::BlockKind::ListItem => "-",
            crate::text::BlockKind::Paragraph => " ",
        };
        writeln!(
            out,
            "\n[{i}]{marker} {}",
            p.seg.sentence_text(i).replace('\n', " ")
        )?;
        let tokens = crate::text::tokens(&p.seg.text, s.start, s.end);
        let found = vocab.find(&p.seg.text, &tokens, &mut scratch);
        let mentions: Vec<String> = found
            .iter()
            .filter(|m| vocab.concept(m.concept).scheme != Scheme::PracticeKind)
            .map(|m| {
                let c = vocab.concept(m.concept);
                format!(
                    "{}:{}",
                    match c.scheme {
                        Scheme::DataType => "data",
                        Scheme::Purpose => "purpose",
                        Scheme::Recipient => "recipient",
                        Scheme::Condition => "condition",
                        Scheme::PracticeKind => "cue",
                    },
                    c.local_name()
                )
            })
            .collect();
        if !mentions.is_empty() {
            writeln!(out, "     mentions: {}", mentions.join(", "))?;
        }
        for pr in p.extraction.practices.iter().filter(|pr| pr.sentence == i) {
            let mut line = format!(
                "  => {}{} [{} {}, rule {}]",
                if pr.negated { "NOT " } else { "" },
                pr.kind.as_str(),
                pr.actor.as_str(),
                pr.modality.as_str(),
                pr.rule
            );
            if !pr.data.is_empty() {
                line.push_str(&format!(
                    " data: {}",
                    pr.data.iter().map(label).collect::<Vec<_>>().join(", ")
                ));
            }
            if !pr.recipients.is_empty() {
                line.push_str(&format!(
                    " to: {}",
                    pr.recipients
                        .iter()
                        .map(label)
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            if !pr.purposes.is_empty() {
                line.push_str(&format!(
                    " for: {}",
                    pr.purposes.iter().map(label).collect::<Vec<_>>().join(", ")
                ));
            }
            if let Some(c) = &pr.condition {
                line.push_str(&format!(" if: {}", label(c)));
            }
            if let Some(a) = pr.minimum_age {
                line.push_str(&format!(" minimum age: {a}"));
            }
            writeln!(out, "{line}")?;
        }
    }
    out.flush()?;
    Ok(Outcome::Ok)
}

/// Which gold standard `privacy-kg eval` scores against.
pub enum EvalTarget {
    PiExtract {
        split: eval::pi_extract::Split,
        context: eval::pi_extract::Context,
    },
    Opp115,
}

/// `privacy-kg eval`: scores the extractor on a gold standard and prints the report (a table,
/// or JSON), with `errors` false positives and false negatives of each kind when not 0.
pub fn eval(
    target: EvalTarget,
    dir: &Path,
    json: bool,
    errors: usize,
    ontology: Option<&Path>,
) -> Result<Outcome> {
    let vocab = load_vocabulary(ontology)?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    match target {
        EvalTarget::PiExtract { split, context } => {
            let report = eval::pi_extract::evaluate_with(dir, split, &vocab, context)?;
            let sample = (errors > 0).then(|| report.errors(errors));
            write_eval(&mut out, &report, sample.as_ref(), json)?;
        }
        EvalTarget::Opp115 => {
            let report = eval::opp115::evaluate(dir, &vocab)?;
            let sample = (errors > 0).then(|| report.errors(errors));
            write_eval(&mut out, &report, sample.as_ref(), json)?;
        }
    }
    out.flush()?;
    Ok(Outcome::Ok)
}

fn write_eval<R, E>(out: &mut impl Write, report: &R, errors: Option<&E>, json: bool) -> Result<()>
where
    R: serde::Serialize + std::fmt::Display,
    E: serde::Serialize + std::fmt::Display,
{
    if json {
        #[derive(serde::Serialize)]
        struct WithErrors<'a, R, E> {
            #[serde(flatten)]
            report: &'a R,
            #[serde(skip_serializing_if = "Option::is_none")]
            errors: Option<&'a E>,
        }
        serde_json::to_writer_pretty(&mut *out, &WithErrors { report, errors })?;
        writeln!(out)?;
    } else {
        write!(out, "{report}")?;
        if let Some(e) = errors {
            write!(out, "{e}")?;
        }
    }
    Ok(())
}

/// `privacy-kg bench`: runs the harness, progress on standard error, the report on standard
/// output as tables or JSON (and as JSON to `json_out`).
pub fn bench(mut config: bench::Config, json: bool, json_out: Option<&Path>) -> Result<Outcome> {
    if config.exe.as_os_str().is_empty() {
        config.exe = std::env::current_exe().context("finding the privacy-kg binary")?;
    }
    let report = bench::run(&config, &mut |line| eprintln!("privacy-kg bench: {line}"))?;
    write_bench_report(&report, json, json_out)
}

/// `privacy-kg bench --render REPORT.json`: the table (or JSON) of a report an earlier run
/// saved with `--json-out` or `--json`, its targets judged again by this binary.
pub fn bench_render(path: &Path, json: bool, json_out: Option<&Path>) -> Result<Outcome> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut report: bench::Report = serde_json::from_reader(std::io::BufReader::new(file))
        .with_context(|| {
            format!(
                "{} is not a report of privacy-kg bench (--json-out)",
                path.display()
            )
        })?;
    report.targets = bench::targets::check(&report);
    write_bench_report(&report, json, json_out)
}

/// Prints `report` as a table or JSON, and writes it as JSON to `json_out`.
fn write_bench_report(
    report: &bench::Report,
    json: bool,
    json_out: Option<&Path>,
) -> Result<Outcome> {
    if let Some(path) = json_out {
        let mut f = BufWriter::new(
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        );
        serde_json::to_writer_pretty(&mut f, report)?;
        writeln!(f)?;
        f.flush()?;
    }
    let mut out = BufWriter::new(std::io::stdout().lock());
    if json {
        serde_json::to_writer_pretty(&mut out, report)?;
        writeln!(out)?;
    } else {
        write!(out, "{report}")?;
    }
    out.flush()?;
    Ok(Outcome::Ok)
}

/// `privacy-kg bench-phase` (hidden): one measured phase of `bench`, in its own process;
/// prints what it measured as JSON.
pub fn bench_phase(phase: bench::Phase) -> Result<Outcome> {
    let value = bench::phase::run(&phase)?;
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, &value)?;
    writeln!(out)?;
    Ok(Outcome::Ok)
}

/// `privacy-kg build --git-history REPO`: every version of every policy file of a git
/// repository, each its own policy graph linked to the one before it.
pub fn build_history(
    repo: &Path,
    store_path: Option<&Path>,
    settings: ExtractSettings,
    history: crate::history::HistoryOptions,
    run_queries: Option<QueryRun>,
) -> Result<Outcome> {
    let vocab = settings.vocabulary()?;
    let options = settings.options()?;
    let store = match store_path {
        Some(p) => Store::open_for_loading(p)?,
        None => Store::memory()?,
    };
    let bar = progress_bar(0, "versions");
    let summary = crate::history::load(repo, &store, &vocab, &options, &history, &|p| match p {
        crate::history::HistoryProgress::Found(n) => bar.set_length(n as u64),
        crate::history::HistoryProgress::Done => bar.inc(1),
    })
    .with_context(|| format!("reading the history of {}", repo.display()))?;
    bar.finish_and_clear();
    for f in &summary.failed {
        eprintln!("privacy-kg: skipped {f}");
    }
    for w in &summary.warnings {
        eprintln!("privacy-kg: warning: {w}");
    }
    let mut out = std::io::stdout().lock();
    let where_ = store_path
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "memory".into());
    writeln!(
        out,
        "privacy-kg build --git-history: {} -> {where_}",
        repo.display()
    )?;
    let short = |c: &Option<String>| {
        c.as_deref()
            .map_or("-".to_string(), |c| c[..12].to_string())
    };
    writeln!(
        out,
        "  commits     {} read (after {}, up to {})",
        summary.commits,
        short(&summary.resumed_after),
        short(&summary.head)
    )?;
    if let Some(why) = &summary.reread {
        writeln!(out, "  re-read     from the first commit: {why}")?;
    }
    writeln!(
        out,
        "  versions    {} seen: {} loaded ({} revising an earlier one, {} dated by commit, {} another version of the same day), {} unchanged text, {} outside the dates, {} already loaded, {} skipped",
        summary.versions,
        summary.loaded,
        summary.revisions,
        summary.dated_by_commit,
        summary.same_day,
        summary.unchanged,
        summary.outside_dates,
        summary.already_loaded,
        summary.failed.len()
    )?;
    if summary.deleted > 0 {
        writeln!(
            out,
            "  deleted     {} policy files ({} latest versions marked removed)",
            summary.deleted, summary.removed
        )?;
    }
    if summary.dropped > 0 {
        writeln!(
            out,
            "  dropped     {} versions an earlier run loaded: re-crawls of an older version now loaded",
            summary.dropped
        )?;
    }
    if summary.relinked > 0 {
        writeln!(
            out,
            "  relinked    {} loaded versions now revise a version this run loaded",
            summary.relinked
        )?;
    }
    write_loaded(
        &mut out,
        &summary.practices,
        summary.quads_loaded,
        None,
        summary.store_graphs,
    )?;
    let secs = summary.elapsed.as_secs_f64();
    writeln!(
        out,
        "  time        {secs:.2} s ({:.0} versions/s)",
        summary.versions as f64 / secs.max(1e-9)
    )?;
    writeln!(out, "  warnings    {}", summary.warnings.len())?;
    drop(out);
    if let Some(run) = run_queries {
        if run_all_queries(&store, &run.catalogue()?, ResultFormat::Table, run.timeout)? > 0 {
            return Ok(Outcome::SomeInputsFailed);
        }
    }
    Ok(if summary.failed.is_empty() {
        Outcome::Ok
    } else {
        Outcome::SomeInputsFailed
    })
}

/// Output formats of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Table,
    Json,
}

/// `privacy-kg diff ORG`
pub fn diff(
    store_path: &Path,
    org: &str,
    from: Option<&str>,
    to: Option<&str>,
    format: DiffFormat,
) -> Result<Outcome> {
    let store = open_existing(store_path)?;
    let diffs = crate::history::diff::diff(&store, org, from, to)?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    match format {
        DiffFormat::Table => crate::history::diff::write_table(&diffs, &mut out)?,
        DiffFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &diffs)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(Outcome::Ok)
}

/// `privacy-kg report --html FILE`
pub fn report(
    store_path: &Path,
    html: &Path,
    options: crate::report::ReportOptions,
) -> Result<Outcome> {
    let store = open_existing(store_path)?;
    let page = crate::report::html(&store, &options)?;
    std::fs::write(html, page).with_context(|| format!("cannot write {}", html.display()))?;
    eprintln!("privacy-kg: report written to {}", html.display());
    Ok(Outcome::Ok)
}

/// The practices (by kind) and triples a build or history load added, for its summary.
fn write_loaded(
    out: &mut impl Write,
    practices: &std::collections::BTreeMap<&'static str, (usize, usize)>,
    quads_loaded: usize,
    store_quads: Option<usize>,
    store_graphs: usize,
) -> std::io::Result<()> {
    let total: usize = practices.values().map(|(a, n)| a + n).sum();
    writeln!(out, "  practices   {total}")?;
    for (kind, (affirmed, negated)) in practices {
        writeln!(
            out,
            "    {kind:<13} {affirmed:>6} stated, {negated:>5} negated"
        )?;
    }
    match store_quads {
        Some(n) => writeln!(
            out,
            "  triples     {quads_loaded} loaded; the store holds {n} in {store_graphs} graphs"
        ),
        None => writeln!(
            out,
            "  triples     {quads_loaded} loaded; the store holds {store_graphs} graphs"
        ),
    }
}
