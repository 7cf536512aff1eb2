//! The `privacy-kg` command line: argument parsing only; the work is in `privacy_kg::cli`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use privacy_kg::cli;

#[derive(Parser)]
#[command(
    name = "privacy-kg",
    version,
    about = "Privacy policies in, knowledge graph out: extract practices into DPV-aligned RDF, load Oxigraph, answer saved SPARQL queries"
)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct ExtractArgs {
    /// Base IRI of the data
    #[arg(long, default_value = privacy_kg::graph::DEFAULT_BASE)]
    base: String,
    /// Worker threads (default: all cores)
    #[arg(long, short = 'j')]
    jobs: Option<usize>,
    /// Folder of ontology .ttl files replacing the built-in ones
    #[arg(long)]
    ontology: Option<PathBuf>,
    /// Skip documents (files, JSONL lines) larger than this many bytes
    #[arg(long, default_value_t = privacy_kg::corpus::DEFAULT_MAX_BYTES)]
    max_bytes: u64,
    /// Take only shard K of N (e.g. 2/8): a deterministic 1/N of the documents, chosen by
    /// a hash of each document's id, so N machines can each extract one part
    #[arg(long, value_name = "K/N", value_parser = privacy_kg::corpus::Shard::parse)]
    shard: Option<privacy_kg::corpus::Shard>,
    /// Stop extracting a document after this many seconds, keeping what was found (0: no
    /// limit)
    #[arg(long, default_value_t = privacy_kg::corpus::DEFAULT_MAX_SECONDS)]
    max_seconds: u64,
    /// Skip documents that have warnings, as failures (exit code 3)
    #[arg(long)]
    strict: bool,
    /// Write every skipped input and warning, and counts by reason, to FILE as JSON
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
}

#[derive(clap::Args)]
struct StoreArgs {
    /// Store directory
    #[arg(long, default_value = "privacy-kg.db")]
    store: PathBuf,
}

#[derive(Subcommand)]
enum Command {
    /// Extract policies and load them into the store (files, folders, globs, .jsonl), or
    /// every version of the policies in a git repository (--git-history)
    Build {
        #[arg(
            required_unless_present = "git_history",
            conflicts_with = "git_history"
        )]
        paths: Vec<String>,
        /// Read every version of every policy file of this git repository (one file per
        /// site, one commit per crawl); a second run reads only newer commits
        #[arg(long, value_name = "REPO")]
        git_history: Option<PathBuf>,
        /// With --git-history: only versions dated on or after this day (YYYY-MM-DD)
        #[arg(long, requires = "git_history", value_name = "DATE")]
        since: Option<String>,
        /// With --git-history: only versions dated on or before this day (YYYY-MM-DD)
        #[arg(long, requires = "git_history", value_name = "DATE")]
        until: Option<String>,
        /// With --git-history: only files whose path in the repository matches this glob
        #[arg(long = "paths", requires = "git_history", value_name = "GLOB")]
        paths_glob: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
        /// Use a throw-away in-memory store
        #[arg(long)]
        memory: bool,
        #[command(flatten)]
        extract: ExtractArgs,
        /// After building, answer every saved query
        #[arg(long)]
        queries: bool,
        /// With --queries: the saved queries of this folder of .rq files instead of the
        /// built-in ones
        #[arg(long, requires = "queries", value_name = "DIR")]
        queries_dir: Option<PathBuf>,
        /// With --queries: stop each query after this many seconds and go on with the next
        #[arg(long, requires = "queries", value_name = "SECS", value_parser = seconds)]
        query_timeout: Option<std::time::Duration>,
        /// Licence of the data (an IRI), written into the dataset description; kept from the
        /// previous build when not given
        #[arg(long, value_name = "IRI")]
        license: Option<String>,
    },
    /// Extract without a store, streaming one record per document
    Extract {
        #[arg(required = true)]
        paths: Vec<String>,
        #[arg(long, value_enum, default_value_t = cli::ExtractFormat::Jsonl)]
        format: cli::ExtractFormat,
        /// Include the normalised text in JSONL records
        #[arg(long)]
        with_text: bool,
        /// Output file (default: standard output)
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        extract: ExtractArgs,
    },
    /// Bulk-load N-Quads or TriG files (gzip-compressed when named .gz), such as the
    /// shards written by `extract --shard K/N --format nq -o FILE.nq.gz`, into the store
    Load {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        store: StoreArgs,
        /// Folder of ontology .ttl files replacing the built-in ones
        #[arg(long)]
        ontology: Option<PathBuf>,
    },
    /// Compact the store (a full RocksDB compaction, as `oxigraph optimize`): queries that
    /// seek an index for every practice run faster on a large store, which also gets smaller
    Optimize {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List the saved queries
    Queries,
    /// Run a saved query (by name, number or .rq file) or --sparql TEXT against the store
    Query {
        /// Saved query name, number or .rq file
        name: Option<String>,
        /// SPARQL text to run instead of a saved query
        #[arg(long, conflicts_with = "name")]
        sparql: Option<String>,
        /// Run every saved query
        #[arg(long, conflicts_with_all = ["name", "sparql"])]
        all: bool,
        /// Bind a query parameter: name=value (an IRI as <...>)
        #[arg(long = "param", short = 'p')]
        params: Vec<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Stop the query after this many seconds (with --all: each query, going on with
        /// the next)
        #[arg(long, value_name = "SECS", value_parser = seconds)]
        timeout: Option<std::time::Duration>,
        /// Also write Oxigraph's query plan, with rows and time per step, to this JSON file
        #[arg(long, value_name = "FILE", conflicts_with = "all")]
        explain: Option<PathBuf>,
        /// Saved queries from this folder of .rq files instead of the built-in ones
        #[arg(long, value_name = "DIR")]
        queries_dir: Option<PathBuf>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// What changed between versions of an organisation's policy: practices added, removed
    /// and changed, compared on meaning, with evidence sentences
    Diff {
        /// The organisation: its domain, its name or its IRI
        org: String,
        /// Compare the version in effect on this day (YYYY-MM-DD) ...
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// ... with the version in effect on this day (default: the latest); without
        /// --from and --to, every consecutive pair of versions
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        #[arg(long, value_enum, default_value_t = cli::DiffFormat::Table)]
        format: cli::DiffFormat,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Write a self-contained HTML report with charts and the evidence per organisation
    Report {
        /// The HTML file to write
        #[arg(long, value_name = "FILE")]
        html: PathBuf,
        /// Title of the page
        #[arg(long, default_value = "Privacy policy practices")]
        title: String,
        /// At most this many organisations in the table
        #[arg(long, default_value_t = 500)]
        max_organisations: usize,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Write the whole store as RDF, or one compact JSON-LD document per policy
    Export {
        #[arg(long, value_enum, default_value_t = cli::ExportFormat::Nq)]
        format: cli::ExportFormat,
        /// Output file (default: standard output); a folder for jsonld-compact
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// With jsonld-compact: only this policy's document (its IRI)
        #[arg(long, value_name = "IRI")]
        policy: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Check the store against the SHACL shapes (ontology/shapes.ttl) and report violations
    Validate {
        /// A shapes file instead of the built-in one
        #[arg(long)]
        shapes: Option<PathBuf>,
        /// Violations shown per constraint
        #[arg(long, default_value_t = 5)]
        examples: usize,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Serve the store as a read-only SPARQL 1.1 endpoint (/sparql), with a query page at /,
    /// the dataset description at /.well-known/void and dereferenceable IRIs
    Serve {
        /// Address to listen on
        #[arg(long, default_value = "127.0.0.1:7878")]
        bind: String,
        /// Stop a query still running after this many seconds
        #[arg(long, default_value_t = 30)]
        timeout: u64,
        /// Base IRI of the data, for dereferencing (GET /policy/... describes {base}policy/...)
        #[arg(long, default_value = privacy_kg::graph::DEFAULT_BASE)]
        base: String,
        /// Worker threads answering requests
        #[arg(long, default_value_t = 4)]
        threads: usize,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Print a policy sentence by sentence with what was extracted from each
    Explain {
        file: PathBuf,
        #[arg(long)]
        ontology: Option<PathBuf>,
    },
    /// Score the extractor against a public gold standard
    Eval {
        #[command(subcommand)]
        benchmark: Benchmark,
    },
    /// Measure speed and memory: scan, extract, Oxigraph's bulk load, build, queries and
    /// rebuild on the corpus replicated to each size
    Bench {
        /// Source corpus (files, folders, globs, .jsonl)
        #[arg(default_value = privacy_kg::bench::DEFAULT_CORPUS)]
        corpus: Vec<String>,
        /// Corpus sizes in documents, comma-separated; the source is replicated to reach them
        #[arg(long, value_delimiter = ',', default_value = "4317,10000,100000")]
        sizes: Vec<usize>,
        /// Dated versions per organisation (1-20): more than 1 makes each generated corpus a
        /// set of policy histories, a year apart, each version with an amendment, so that
        /// the history queries are timed on versions they compare
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=privacy_kg::bench::generate::MAX_VERSIONS as i64))]
        versions: u16,
        /// Folder for generated corpora, N-Quads files and stores (default: a temporary
        /// folder, removed at the end)
        #[arg(long)]
        work: Option<PathBuf>,
        /// Worker threads (default: all cores)
        #[arg(long, short = 'j')]
        jobs: Option<usize>,
        /// Print the report as JSON
        #[arg(long)]
        json: bool,
        /// Also write the JSON report to this file
        #[arg(long, value_name = "FILE")]
        json_out: Option<PathBuf>,
        /// Do not compact the built store before the queries (they then read it as built)
        #[arg(long)]
        skip_optimize: bool,
        /// Do not time the saved queries
        #[arg(long)]
        skip_queries: bool,
        /// Do not time the rebuild after rewriting 1% of the documents
        #[arg(long)]
        skip_incremental: bool,
        /// Organisation (registrable domain) bound to the queries' org parameter
        #[arg(long)]
        org: Option<String>,
        /// Stop a query still running after this many seconds
        #[arg(long, default_value_t = 120)]
        query_timeout: u64,
        /// Empty the operating system's page cache before each saved query (Linux, as root)
        /// and run each twice: the first run reads the store from disk at every size, the
        /// second is warm
        #[arg(long)]
        cold_queries: bool,
        /// Keep stores and N-Quads files once measured
        #[arg(long)]
        keep: bool,
        /// Go on with an interrupted run in the same --work folder: phases it measured (its
        /// checkpoint-N.json files, same binary only) are taken as they are, the rest run
        #[arg(long, requires = "work")]
        resume: bool,
        /// Print the report an earlier run saved with --json-out (or --json) instead of
        /// running: its table, with the targets judged by this binary
        #[arg(long, value_name = "REPORT.json", conflicts_with_all = ["corpus", "sizes", "versions", "work", "jobs", "skip_optimize", "skip_queries", "skip_incremental", "org", "query_timeout", "cold_queries", "keep", "resume"])]
        render: Option<PathBuf>,
    },
    /// One measured phase of `bench`, run in its own process
    #[command(hide = true)]
    BenchPhase {
        #[command(subcommand)]
        phase: BenchPhase,
    },
}

#[derive(Subcommand)]
enum BenchPhase {
    Scan {
        #[arg(required = true)]
        inputs: Vec<String>,
        #[arg(long, short = 'j')]
        jobs: Option<usize>,
    },
    OxigraphLoad {
        #[arg(long)]
        store: PathBuf,
        file: PathBuf,
    },
    Build {
        #[arg(long)]
        store: PathBuf,
        #[arg(required = true)]
        inputs: Vec<String>,
        #[arg(long, short = 'j')]
        jobs: Option<usize>,
    },
    Optimize {
        #[arg(long)]
        store: PathBuf,
    },
    Query {
        #[arg(long)]
        store: PathBuf,
        name: String,
        #[arg(long = "param")]
        params: Vec<String>,
        /// Run the query twice even when the first run takes 10 s or more
        #[arg(long)]
        twice: bool,
    },
}

#[derive(clap::Args)]
struct EvalArgs {
    /// Print the report as JSON
    #[arg(long)]
    json: bool,
    /// Also show N false positives and N false negatives with their text
    #[arg(long, value_name = "N", default_value_t = 0)]
    errors: usize,
    /// Folder of ontology .ttl files replacing the built-in ones
    #[arg(long)]
    ontology: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Benchmark {
    /// PI-Extract: personal-data spans labelled COLLECT, NOT_COLLECT, SHARE, NOT_SHARE
    /// (exact-span and overlap precision, recall, F1)
    PiExtract {
        /// Folder with CollectUse_true/, CollectUse_false/, Share_true/, Share_false/
        dir: PathBuf,
        #[arg(long, value_enum, default_value_t = Split::Train)]
        split: Split,
        /// Run the extractor on each sentence alone or on each document's sentences together
        #[arg(long, value_enum, default_value_t = Context::Document)]
        context: Context,
        #[command(flatten)]
        eval: EvalArgs,
    },
    /// OPP-115: practice categories of segments and attributes of policies
    Opp115 {
        /// Folder with sanitized_policies/ and consolidation/ (or annotations/)
        dir: PathBuf,
        #[command(flatten)]
        eval: EvalArgs,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Split {
    Train,
    Validation,
}

#[derive(Clone, Copy, ValueEnum)]
enum Context {
    Sentence,
    Document,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Csv,
    Tsv,
    Json,
    Xml,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let settings = |e: ExtractArgs| cli::ExtractSettings {
        base: e.base,
        jobs: e.jobs,
        ontology: e.ontology,
        max_bytes: e.max_bytes,
        shard: e.shard,
        max_seconds: (e.max_seconds > 0).then_some(e.max_seconds),
        strict: e.strict,
        report: e.report,
    };
    let result = match args.command {
        Command::Build {
            git_history: Some(repo),
            since,
            until,
            paths_glob,
            store,
            memory,
            extract,
            queries,
            queries_dir,
            query_timeout,
            ..
        } => cli::build_history(
            &repo,
            (!memory).then_some(store.store.as_path()),
            settings(extract),
            privacy_kg::history::HistoryOptions {
                since,
                until,
                paths: paths_glob,
            },
            queries.then_some(cli::QueryRun {
                dir: queries_dir,
                timeout: query_timeout,
            }),
        ),
        Command::Build {
            paths,
            store,
            memory,
            extract,
            queries,
            queries_dir,
            query_timeout,
            license,
            ..
        } => cli::build(
            &paths,
            (!memory).then_some(store.store.as_path()),
            settings(extract),
            queries.then_some(cli::QueryRun {
                dir: queries_dir,
                timeout: query_timeout,
            }),
            license.as_deref(),
        ),
        Command::Extract {
            paths,
            format,
            with_text,
            output,
            extract,
        } => cli::extract(
            &paths,
            format,
            with_text,
            output.as_deref(),
            settings(extract),
        ),
        Command::Load {
            files,
            store,
            ontology,
        } => cli::load(&files, &store.store, ontology.as_deref()),
        Command::Optimize { store } => cli::optimize(&store.store),
        Command::Queries => cli::list_queries(),
        Command::Query {
            name,
            sparql,
            all,
            params,
            format,
            timeout,
            explain,
            queries_dir,
            store,
        } => {
            let format = match format {
                Format::Table => privacy_kg::query::ResultFormat::Table,
                Format::Csv => privacy_kg::query::ResultFormat::Csv,
                Format::Tsv => privacy_kg::query::ResultFormat::Tsv,
                Format::Json => privacy_kg::query::ResultFormat::Json,
                Format::Xml => privacy_kg::query::ResultFormat::Xml,
            };
            let target = match (all, sparql, name) {
                (true, _, _) => cli::QueryTarget::All,
                (_, Some(text), _) => cli::QueryTarget::Sparql(text),
                (_, _, Some(name)) => cli::QueryTarget::Named(name),
                _ => cli::QueryTarget::Missing,
            };
            cli::query(
                &store.store,
                target,
                &params,
                format,
                cli::QueryRun {
                    dir: queries_dir,
                    timeout,
                },
                explain.as_deref(),
            )
        }
        Command::Diff {
            org,
            from,
            to,
            format,
            store,
        } => cli::diff(&store.store, &org, from.as_deref(), to.as_deref(), format),
        Command::Report {
            html,
            title,
            max_organisations,
            store,
        } => cli::report(
            &store.store,
            &html,
            privacy_kg::report::ReportOptions {
                title,
                max_organisations,
                ..Default::default()
            },
        ),
        Command::Export {
            format,
            output,
            policy,
            store,
        } => cli::export(&store.store, format, output.as_deref(), policy.as_deref()),
        Command::Validate {
            shapes,
            examples,
            store,
        } => cli::validate(&store.store, shapes.as_deref(), examples),
        Command::Serve {
            bind,
            timeout,
            base,
            threads,
            store,
        } => cli::serve(
            &store.store,
            privacy_kg::serve::Settings {
                bind,
                timeout: std::time::Duration::from_secs(timeout),
                base,
                threads,
            },
        ),
        Command::Explain { file, ontology } => cli::explain(&file, ontology.as_deref()),
        Command::Eval { benchmark } => {
            use privacy_kg::eval::pi_extract;
            let (target, dir, eval) = match benchmark {
                Benchmark::PiExtract {
                    dir,
                    split,
                    context,
                    eval,
                } => {
                    let split = match split {
                        Split::Train => pi_extract::Split::Train,
                        Split::Validation => pi_extract::Split::Validation,
                    };
                    let context = match context {
                        Context::Sentence => pi_extract::Context::Sentence,
                        Context::Document => pi_extract::Context::Document,
                    };
                    (cli::EvalTarget::PiExtract { split, context }, dir, eval)
                }
                Benchmark::Opp115 { dir, eval } => (cli::EvalTarget::Opp115, dir, eval),
            };
            cli::eval(
                target,
                &dir,
                eval.json,
                eval.errors,
                eval.ontology.as_deref(),
            )
        }
        Command::Bench {
            render: Some(report),
            json,
            json_out,
            ..
        } => cli::bench_render(&report, json, json_out.as_deref()),
        Command::Bench {
            corpus,
            sizes,
            versions,
            work,
            jobs,
            json,
            json_out,
            skip_optimize,
            skip_queries,
            skip_incremental,
            org,
            query_timeout,
            cold_queries,
            keep,
            resume,
            render: None,
        } => cli::bench(
            privacy_kg::bench::Config {
                corpus,
                sizes,
                versions: usize::from(versions),
                work,
                jobs,
                optimize: !skip_optimize,
                queries: !skip_queries,
                incremental: !skip_incremental,
                org,
                query_timeout: std::time::Duration::from_secs(query_timeout),
                cold_queries,
                keep,
                resume,
                // the binary (cli::bench sets it) and the page-cache file are the defaults
                ..privacy_kg::bench::Config::new(PathBuf::new())
            },
            json,
            json_out.as_deref(),
        ),
        Command::BenchPhase { phase } => cli::bench_phase(bench_phase(phase)),
    };
    cli::exit(result)
}

/// A duration given in (possibly fractional) seconds.
fn seconds(s: &str) -> Result<std::time::Duration, String> {
    s.parse::<f64>()
        .ok()
        .and_then(|f| std::time::Duration::try_from_secs_f64(f).ok())
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("{s:?} is not a positive number of seconds"))
}

fn bench_phase(phase: BenchPhase) -> privacy_kg::bench::Phase {
    use privacy_kg::bench::Phase;
    match phase {
        BenchPhase::Scan { inputs, jobs } => Phase::Scan { inputs, jobs },
        BenchPhase::OxigraphLoad { store, file } => Phase::OxigraphLoad { store, file },
        BenchPhase::Build {
            store,
            inputs,
            jobs,
        } => Phase::Build {
            store,
            inputs,
            jobs,
        },
        BenchPhase::Optimize { store } => Phase::Optimize { store },
        BenchPhase::Query {
            store,
            name,
            params,
            twice,
        } => Phase::Query {
            store,
            name,
            params,
            twice,
        },
    }
}
