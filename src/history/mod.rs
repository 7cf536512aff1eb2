//! Policy histories: every version of every policy file of a git repository loaded as its
//! own policy graph, linked to the version of the same file before it
//! (`prov:wasRevisionOf`), incrementally (a run reads only the commits after the last one
//! the store records); and [`diff`], the practices that changed between versions.
//!
//! The versions come from [`crate::corpus::git`] as plain documents and go through the
//! same text → extract → graph stages as any other document, in parallel, into the store's
//! bulk loader. What this module adds is the bookkeeping between versions: which one came
//! before, which are only re-crawls of the same text, and where the last run stopped.

pub mod diff;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::mpsc::sync_channel;
use std::time::{Duration, Instant};

use oxigraph::model::vocab::rdf;
use oxigraph::model::{GraphName, Literal, NamedNode, NamedOrBlankNode, Quad, Term};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::corpus::git::{self, GitError, PathFilter, Version};
use crate::corpus::CorpusError;
use crate::extract::{self, PracticeKind};
use crate::graph::{self, PolicyIds};
use crate::pipeline::{self, Options};
use crate::store::{Store, StoreError};
use crate::vocab::{ns, Vocabulary};

/// Which versions to load.
#[derive(Debug, Clone, Default)]
pub struct HistoryOptions {
    /// Only versions dated on or after this day (`YYYY-MM-DD`).
    pub since: Option<String>,
    /// Only versions dated on or before this day (`YYYY-MM-DD`).
    pub until: Option<String>,
    /// Only files whose path in the repository matches this glob.
    pub paths: Option<String>,
}

/// Why a history could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error(transparent)]
    Git(#[from] GitError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Corpus(#[from] CorpusError),
    #[error("{option}: {value:?} is not a date (expected YYYY-MM-DD)")]
    BadDate { option: &'static str, value: String },
}

/// Progress of a history load: the number of versions found, then one tick per version.
pub enum HistoryProgress {
    Found(usize),
    Done,
}

/// What a history load did.
#[derive(Debug, Default, Clone)]
pub struct HistorySummary {
    /// Commits read (those after the last run's).
    pub commits: usize,
    /// The commit the previous run stopped at, when there was one.
    pub resumed_after: Option<String>,
    /// `HEAD`, now recorded as the last commit read.
    pub head: Option<String>,
    /// File versions written by those commits (what the progress bar counts).
    pub versions: usize,
    /// Distinct versions extracted and loaded.
    pub loaded: usize,
    /// Versions whose text (without the Wayback header) equals the version before them.
    pub unchanged: usize,
    /// Versions dated the same day as the version before them: the first of the day is kept
    /// (a version's IRI is its organisation and day).
    pub same_day: usize,
    /// Versions dated outside `--since`/`--until`.
    pub outside_dates: usize,
    /// Versions dated by their commit, having no Wayback header.
    pub dated_by_commit: usize,
    /// Loaded versions that revise an earlier version.
    pub revisions: usize,
    /// Policy files deleted by the commits read.
    pub deleted: usize,
    /// Versions that could not be read, with the reason.
    pub failed: Vec<String>,
    pub warnings: Vec<String>,
    /// Practices loaded, by kind: (affirmed, negated).
    pub practices: BTreeMap<&'static str, (usize, usize)>,
    pub quads_loaded: usize,
    pub store_quads: usize,
    pub store_graphs: usize,
    pub elapsed: Duration,
}

/// The latest version of a file the store (or this run) holds.
#[derive(Debug, Clone)]
struct Latest {
    policy: String,
    date: String,
    text_sha256: String,
}

/// A version to extract, with the version it revises.
struct Job {
    version: Version,
    previous: Option<String>,
}

enum Outcome {
    Loaded {
        kinds: Vec<(PracticeKind, bool)>,
        warnings: Vec<String>,
        quads: Vec<Quad>,
    },
    /// A version not extracted (unreadable, unchanged, same day, out of range).
    Skipped,
}

fn check_date(option: &'static str, value: &Option<String>) -> Result<(), HistoryError> {
    if let Some(v) = value {
        let b = v.as_bytes();
        let ok = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !ok {
            return Err(HistoryError::BadDate {
                option,
                value: v.clone(),
            });
        }
    }
    Ok(())
}

/// The IRI of the record of imports from one repository and path glob.
pub fn import_iri(base: &str, repo: &Path, paths: Option<&str>) -> String {
    let canonical = repo.canonicalize().unwrap_or_else(|_| repo.to_path_buf());
    let mut h = Sha256::new();
    h.update(canonical.to_string_lossy().as_bytes());
    h.update([0]);
    h.update(paths.unwrap_or("").as_bytes());
    format!("{base}history/{}", &crate::corpus::hex(&h.finalize())[..16])
}

/// The text of a literal or IRI cell, empty when unbound.
pub(crate) fn cell(row: &[Option<Term>], i: usize) -> String {
    match row.get(i) {
        Some(Some(Term::Literal(l))) => l.value().to_string(),
        Some(Some(Term::NamedNode(n))) => n.as_str().to_string(),
        _ => String::new(),
    }
}

/// The last commit an import read, from its record.
fn last_commit(store: &Store, import: &str) -> Result<Option<String>, StoreError> {
    let rows = store.select(&format!(
        "SELECT ?c WHERE {{ GRAPH <{import}> {{ <{import}> <{pp}lastCommit> ?c }} }}",
        pp = ns::PP
    ))?;
    Ok(rows.first().map(|r| cell(r, 0)).filter(|c| !c.is_empty()))
}

/// The latest version of each file that git imports have loaded, by path.
fn latest_versions(store: &Store) -> Result<HashMap<String, Latest>, StoreError> {
    let rows = store.select(&format!(
        "SELECT ?path ?policy ?date ?sha WHERE {{ GRAPH ?policy {{ ?policy <{pp}gitPath> ?path ; <{pp}textSha256> ?sha ; <{pp}archived> ?date }} }}",
        pp = ns::PP
    ))?;
    let mut out: HashMap<String, Latest> = HashMap::new();
    for row in rows {
        let latest = Latest {
            policy: cell(&row, 1),
            date: cell(&row, 2),
            text_sha256: cell(&row, 3),
        };
        let path = cell(&row, 0);
        match out.get(&path) {
            Some(l) if (l.date.as_str(), l.policy.as_str()) >= (&latest.date, &latest.policy) => {}
            _ => {
                out.insert(path, latest);
            }
        }
    }
    Ok(out)
}

fn pp(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{}{local}", ns::PP))
}

/// What a history version adds to its policy graph: where in the repository it came from,
/// its text digest, and the version it revises.
fn history_quads(ids: &PolicyIds, facts: [(&str, String); 3], previous: Option<&str>) -> Vec<Quad> {
    let policy = NamedNode::new_unchecked(&ids.policy);
    let g = GraphName::NamedNode(policy.clone());
    let q = |p: NamedNode, o: Term| {
        Quad::new(NamedOrBlankNode::NamedNode(policy.clone()), p, o, g.clone())
    };
    let mut out: Vec<Quad> = facts
        .into_iter()
        .map(|(p, v)| q(pp(p), Literal::new_simple_literal(v).into()))
        .collect();
    if let Some(prev) = previous {
        out.push(q(
            NamedNode::new_unchecked(format!("{}wasRevisionOf", ns::PROV)),
            NamedNode::new_unchecked(prev).into(),
        ));
    }
    out
}

/// The record of this import: repository, path glob and the last commit read.
fn import_quads(import: &str, repo: &Path, paths: Option<&str>, head: &str) -> Vec<Quad> {
    let s = NamedNode::new_unchecked(import);
    let g = GraphName::NamedNode(s.clone());
    let q =
        |p: NamedNode, o: Term| Quad::new(NamedOrBlankNode::NamedNode(s.clone()), p, o, g.clone());
    let canonical = repo.canonicalize().unwrap_or_else(|_| repo.to_path_buf());
    let mut out = vec![
        q(rdf::TYPE.into(), pp("HistoryImport").into()),
        q(
            pp("repository"),
            Literal::new_simple_literal(canonical.to_string_lossy()).into(),
        ),
        q(pp("lastCommit"), Literal::new_simple_literal(head).into()),
    ];
    if let Some(glob) = paths {
        out.push(q(pp("pathGlob"), Literal::new_simple_literal(glob).into()));
    }
    out
}

/// Loads the history of every policy file of the repository at `repo` into `store`.
///
/// Versions are read oldest commit first. A version whose text (without the Wayback header)
/// equals the previous version of its file is a re-crawl and is skipped; every other one
/// is extracted into its own policy graph, dated by its Wayback header (else its commit),
/// and linked to the previous version with `prov:wasRevisionOf`. At the end the store
/// records `HEAD` as the last commit read, so the next run reads only newer commits. As in
/// [`pipeline::build`], everything is committed at once at the end.
pub fn load(
    repo: &Path,
    store: &Store,
    vocab: &Vocabulary,
    options: &Options,
    history: &HistoryOptions,
    progress: &(dyn Fn(HistoryProgress) + Sync),
) -> Result<HistorySummary, HistoryError> {
    let started = Instant::now();
    check_date("--since", &history.since)?;
    check_date("--until", &history.until)?;
    let filter = PathFilter::new(history.paths.as_deref())?;
    let base = &options.graph.base;
    let import = import_iri(base, repo, history.paths.as_deref());
    let resumed_after = last_commit(store, &import)?;
    let mut latest = latest_versions(store)?;

    let mut summary = HistorySummary {
        resumed_after: resumed_after.clone(),
        ..Default::default()
    };

    // Which versions to extract is decided in commit order by one thread, which owns the
    // repository (gix's handle is not shared between threads) and knows each file's previous
    // version; extraction runs in parallel behind it.
    let (job_tx, job_rx) = sync_channel::<Job>(64);
    let (tx, rx) = sync_channel::<Outcome>(64);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs.unwrap_or(0))
        .build()
        .expect("thread pool");
    let mut loader = store.bulk_load();
    let mut load_result = Ok(());
    let mut read_result = Ok(Counts::default());
    std::thread::scope(|scope| {
        let skip_tx = tx.clone();
        let latest = &mut latest;
        let filter = &filter;
        let resumed_after = resumed_after.as_deref();
        let producer = scope.spawn(move || -> Result<Counts, GitError> {
            let plan = git::history(repo, resumed_after, filter)?;
            let mut counts = Counts {
                commits: plan.commits.len(),
                head: plan.head.clone(),
                versions: plan.changes.len(),
                deleted: plan.deleted,
                ..Default::default()
            };
            progress(HistoryProgress::Found(plan.changes.len()));
            for change in &plan.changes {
                let version = match plan.read(change, options.limits) {
                    Ok(v) => v,
                    Err(e) => {
                        counts.failed.push(e.to_string());
                        let _ = skip_tx.send(Outcome::Skipped);
                        continue;
                    }
                };
                let date = version.doc.meta.archived.clone().unwrap_or_default();
                let before = latest.get(&change.path);
                if history.since.as_ref().is_some_and(|s| &date < s)
                    || history.until.as_ref().is_some_and(|u| &date > u)
                {
                    counts.outside_dates += 1;
                } else if before.is_some_and(|b| b.text_sha256 == version.text_sha256) {
                    counts.unchanged += 1;
                } else if before.is_some_and(|b| b.date == date) {
                    counts.same_day += 1;
                } else {
                    counts.dated_by_commit += usize::from(version.dated_by_commit);
                    let ids = PolicyIds::new(&version.doc, base);
                    let previous = latest
                        .insert(
                            change.path.clone(),
                            Latest {
                                policy: ids.policy,
                                date,
                                text_sha256: version.text_sha256.clone(),
                            },
                        )
                        .map(|p| p.policy);
                    counts.revisions += usize::from(previous.is_some());
                    if job_tx.send(Job { version, previous }).is_err() {
                        break;
                    }
                    continue;
                }
                let _ = skip_tx.send(Outcome::Skipped);
            }
            Ok(counts)
        });
        let extract_tx = tx;
        scope.spawn(move || {
            pool.install(|| {
                job_rx.into_iter().par_bridge().for_each_init(
                    extract::Scratch::default,
                    |scratch, job| {
                        let outcome = extract_version(job, vocab, options, scratch);
                        let _ = extract_tx.send(outcome);
                    },
                );
            });
        });
        let summary = &mut summary;
        let quads = rx.into_iter().flat_map(|outcome| {
            progress(HistoryProgress::Done);
            match outcome {
                Outcome::Skipped => Vec::new(),
                Outcome::Loaded {
                    kinds,
                    warnings,
                    quads,
                } => {
                    summary.loaded += 1;
                    summary.warnings.extend(warnings);
                    for (kind, negated) in kinds {
                        let e = summary.practices.entry(kind.as_str()).or_default();
                        if negated {
                            e.1 += 1
                        } else {
                            e.0 += 1
                        }
                    }
                    summary.quads_loaded += quads.len();
                    quads
                }
            }
        });
        load_result = loader.load_iter(quads);
        read_result = producer.join().expect("history reader thread");
    });
    // A history that could not be read leaves the store as it was: the load is dropped
    // uncommitted.
    let counts = read_result?;
    load_result?;
    loader.commit()?;
    store.load_ontology(vocab)?;
    if let Some(head) = &counts.head {
        store.remove_graphs(std::slice::from_ref(&import))?;
        store
            .oxigraph()
            .extend(import_quads(&import, repo, history.paths.as_deref(), head))
            .map_err(StoreError::from)?;
    }
    summary.commits = counts.commits;
    summary.head = counts.head;
    summary.versions = counts.versions;
    summary.deleted = counts.deleted;
    summary.unchanged = counts.unchanged;
    summary.same_day = counts.same_day;
    summary.outside_dates = counts.outside_dates;
    summary.dated_by_commit = counts.dated_by_commit;
    summary.revisions = counts.revisions;
    summary.failed = counts.failed;
    let stats = store.stats()?;
    summary.store_quads = stats.quads;
    summary.store_graphs = stats.graphs;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// What the reading thread decided about the versions.
#[derive(Debug, Default)]
struct Counts {
    commits: usize,
    head: Option<String>,
    versions: usize,
    deleted: usize,
    unchanged: usize,
    same_day: usize,
    outside_dates: usize,
    dated_by_commit: usize,
    revisions: usize,
    failed: Vec<String>,
}

fn extract_version(
    job: Job,
    vocab: &Vocabulary,
    options: &Options,
    scratch: &mut extract::Scratch,
) -> Outcome {
    let Job { version, previous } = job;
    let Version {
        doc,
        path,
        commit,
        text_sha256,
        ..
    } = version;
    let p = pipeline::process(doc, vocab, scratch);
    let (ids, mut quads) = graph::quads(&p.doc, &p.seg, &p.extraction, vocab, &options.graph);
    quads.extend(history_quads(
        &ids,
        [
            ("gitPath", path),
            ("gitCommit", commit),
            ("textSha256", text_sha256),
        ],
        previous.as_deref(),
    ));
    let warnings = p
        .doc
        .warnings
        .iter()
        .chain(&p.extraction.warnings)
        .map(|w| format!("{}: {w}", p.doc.source))
        .collect();
    Outcome::Loaded {
        kinds: p
            .extraction
            .practices
            .iter()
            .map(|pr| (pr.kind, pr.negated))
            .collect(),
        warnings,
        quads,
    }
}
