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

use oxigraph::model::vocab::{rdf, xsd};
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
    /// Commits read (those after the last run's, or all of them when re-read).
    pub commits: usize,
    /// The commit the previous run stopped at, when this run went on from there.
    pub resumed_after: Option<String>,
    /// Why this run read the history from its first commit although an earlier run had
    /// read it (its date range is not within the one recorded), when it did.
    pub reread: Option<String>,
    /// `HEAD`, now recorded as the last commit read.
    pub head: Option<String>,
    /// File versions written by those commits (what the progress bar counts).
    pub versions: usize,
    /// Distinct versions extracted and loaded.
    pub loaded: usize,
    /// Versions the store already held (read again because the history was re-read).
    pub already_loaded: usize,
    /// Versions whose text (without the Wayback header) equals the version before them.
    pub unchanged: usize,
    /// Loaded versions dated the same day as another version of their organisation, so
    /// given an IRI of their own (`{day}-{digest}`, see [`graph::other_version_iri`]).
    pub same_day: usize,
    /// Versions (and deletions) dated outside `--since`/`--until`.
    pub outside_dates: usize,
    /// Versions dated by their commit, having no Wayback header.
    pub dated_by_commit: usize,
    /// Loaded versions that revise an earlier version.
    pub revisions: usize,
    /// Policy files deleted by the commits read.
    pub deleted: usize,
    /// Versions marked as removed (`prov:invalidatedAtTime`) because their file was deleted.
    pub removed: usize,
    /// Versions already in the store whose `prov:wasRevisionOf` link was corrected because
    /// this run loaded a version between them and the one they revised.
    pub relinked: usize,
    /// Versions an earlier run with narrower dates loaded that turned out to be re-crawls of
    /// an older version this run loaded: removed, as one run over all dates would not have
    /// loaded them (also counted as "unchanged text").
    pub dropped: usize,
    /// Versions that could not be read, with the reason.
    pub failed: Vec<String>,
    pub warnings: Vec<String>,
    /// Practices loaded, by kind: (affirmed, negated).
    pub practices: BTreeMap<&'static str, (usize, usize)>,
    pub quads_loaded: usize,
    /// Named graphs in the store afterwards. (Its quads are not counted: that reads the
    /// whole store, the main cost of a small incremental run on a large store.)
    pub store_graphs: usize,
    pub elapsed: Duration,
}

/// The latest version of a file the store (or this run) holds.
#[derive(Debug, Clone)]
struct Latest {
    policy: String,
    text_sha256: String,
    /// Whether the file was deleted after this version.
    removed: bool,
}

/// A version a git import loaded before.
#[derive(Debug, Clone)]
struct Stored {
    policy: String,
    commit: String,
    text_sha256: String,
    previous: Option<String>,
    /// The commit that deleted the file after this version, when one did.
    removed_in: Option<String>,
    /// Commit time, archive date, IRI: the order of a file's versions.
    order: (String, String, String),
}

/// A version to extract, with the IRI chosen for it and the version it revises.
struct Job {
    version: Version,
    policy: String,
    commit_time: String,
    previous: Option<String>,
}

enum Outcome {
    Loaded {
        kinds: Vec<(PracticeKind, bool)>,
        warnings: Vec<String>,
        quads: Vec<Quad>,
    },
    /// A version not extracted (unreadable, unchanged, out of range, already loaded).
    Skipped,
}

/// Edits to versions already in the store, made after the load is committed.
#[derive(Debug, Default)]
struct Edits {
    /// (version, the link it has, the link it should have).
    relink: Vec<(String, Option<String>, Option<String>)>,
    /// (version, commit time, commit id) of a deletion that ended its file's history.
    remove: Vec<(String, String, String)>,
    /// Versions carrying a deletion that a re-read found to belong to a later version.
    unremove: Vec<String>,
    /// Versions an earlier run loaded that a re-read found to be re-crawls of an older
    /// version: their graphs are removed.
    drop: Vec<String>,
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

/// What an earlier run of an import recorded: the last commit it read, and the dates it
/// loaded versions for (`None`: unbounded; records made before dates were recorded count as
/// unbounded, as those runs treated them).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Record {
    last_commit: String,
    since: Option<String>,
    until: Option<String>,
}

impl Record {
    /// Whether every version this run would load from the commits up to the recorded one
    /// was within the recorded run's dates, so those commits need not be read again.
    fn covers(&self, history: &HistoryOptions) -> bool {
        let since_ok = match (&self.since, &history.since) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(a), Some(b)) => a <= b,
        };
        let until_ok = match (&self.until, &history.until) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(a), Some(b)) => a >= b,
        };
        since_ok && until_ok
    }
}

/// The record of an import's last run.
fn record(store: &Store, import: &str) -> Result<Option<Record>, StoreError> {
    let rows = store.select(&format!(
        "SELECT ?c ?since ?until WHERE {{ GRAPH <{import}> {{ <{import}> <{pp}lastCommit> ?c OPTIONAL {{ <{import}> <{pp}since> ?since }} OPTIONAL {{ <{import}> <{pp}until> ?until }} }} }}",
        pp = ns::PP
    ))?;
    let some = |s: String| Some(s).filter(|s| !s.is_empty());
    Ok(rows.first().and_then(|r| {
        some(cell(r, 0)).map(|c| Record {
            last_commit: c,
            since: some(cell(r, 1)),
            until: some(cell(r, 2)),
        })
    }))
}

/// Every version git imports have loaded of the file at `path`, read straight from the
/// store's indexes (`?v pp:gitPath "path"`, then the version's own statements): a run
/// looks up only the files its commits touch, however many versions the store holds.
fn stored_versions(store: &Store, path: &str) -> Result<Vec<Stored>, StoreError> {
    let ox = store.oxigraph();
    let git_path = pp("gitPath");
    let path_lit = Literal::new_simple_literal(path);
    let mut out = Vec::new();
    for q in ox.quads_for_pattern(
        None,
        Some(git_path.as_ref()),
        Some(path_lit.as_ref().into()),
        None,
    ) {
        let q = q.map_err(StoreError::from)?;
        let (NamedOrBlankNode::NamedNode(policy), GraphName::NamedNode(g)) =
            (&q.subject, &q.graph_name)
        else {
            continue;
        };
        if policy != g {
            continue;
        }
        let mut s = Stored {
            policy: policy.as_str().to_string(),
            commit: String::new(),
            text_sha256: String::new(),
            previous: None,
            removed_in: None,
            order: Default::default(),
        };
        for fact in ox.quads_for_pattern(
            Some(policy.as_ref().into()),
            None,
            None,
            Some(g.as_ref().into()),
        ) {
            let fact = fact.map_err(StoreError::from)?;
            let value = match &fact.object {
                Term::Literal(l) => l.value().to_string(),
                Term::NamedNode(n) => n.as_str().to_string(),
                _ => continue,
            };
            match fact.predicate.as_str().strip_prefix(ns::PP) {
                Some("gitCommit") => s.commit = value,
                Some("textSha256") => s.text_sha256 = value,
                Some("removedInCommit") => s.removed_in = Some(value),
                Some("gitCommitTime") => s.order.0 = value,
                Some("archived") => s.order.1 = value,
                _ if fact.predicate == prov("wasRevisionOf") => s.previous = Some(value),
                _ => {}
            }
        }
        s.order.2 = s.policy.clone();
        out.push(s);
    }
    Ok(out)
}

/// The latest stored version of a file: the end of its revision chain (the version no
/// other version of the file revises), the latest by commit time where there are several.
fn chain_end(versions: &[Stored]) -> Option<Latest> {
    let revised: std::collections::HashSet<&str> = versions
        .iter()
        .filter_map(|s| s.previous.as_deref())
        .collect();
    versions
        .iter()
        .filter(|s| !revised.contains(s.policy.as_str()))
        .max_by(|a, b| a.order.cmp(&b.order))
        .map(|s| Latest {
            policy: s.policy.clone(),
            text_sha256: s.text_sha256.clone(),
            removed: s.removed_in.is_some(),
        })
}

fn pp(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{}{local}", ns::PP))
}

fn prov(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{}{local}", ns::PROV))
}

fn in_graph(s: &str, p: NamedNode, o: Term) -> Quad {
    let node = NamedNode::new_unchecked(s);
    Quad::new(
        NamedOrBlankNode::NamedNode(node.clone()),
        p,
        o,
        GraphName::NamedNode(node),
    )
}

/// What a history version adds to its policy graph: where in the repository it came from,
/// when it was committed, its text digest, and the version it revises.
fn history_quads(
    policy: &str,
    facts: [(&str, String); 3],
    commit_time: &str,
    previous: Option<&str>,
) -> Vec<Quad> {
    let mut out: Vec<Quad> = facts
        .into_iter()
        .map(|(p, v)| in_graph(policy, pp(p), Literal::new_simple_literal(v).into()))
        .collect();
    out.push(in_graph(
        policy,
        pp("gitCommitTime"),
        Literal::new_typed_literal(commit_time, xsd::DATE_TIME).into(),
    ));
    if let Some(prev) = previous {
        out.push(in_graph(
            policy,
            prov("wasRevisionOf"),
            NamedNode::new_unchecked(prev).into(),
        ));
    }
    out
}

/// The statements saying a version's file was deleted: the version stopped being the
/// organisation's policy at the deleting commit's time.
fn removal_quads(policy: &str, time: &str, commit: &str) -> [Quad; 2] {
    [
        in_graph(
            policy,
            prov("invalidatedAtTime"),
            Literal::new_typed_literal(time, xsd::DATE_TIME).into(),
        ),
        in_graph(
            policy,
            pp("removedInCommit"),
            Literal::new_simple_literal(commit).into(),
        ),
    ]
}

/// The record of this import: repository, path glob, the last commit read and the dates
/// the commits up to it were read for.
fn import_quads(import: &str, repo: &Path, history: &HistoryOptions, head: &str) -> Vec<Quad> {
    let canonical = repo.canonicalize().unwrap_or_else(|_| repo.to_path_buf());
    let lit = |v: &str| Literal::new_simple_literal(v).into();
    let mut out = vec![
        in_graph(import, rdf::TYPE.into(), pp("HistoryImport").into()),
        in_graph(import, pp("repository"), lit(&canonical.to_string_lossy())),
        in_graph(import, pp("lastCommit"), lit(head)),
    ];
    for (p, v) in [
        ("pathGlob", &history.paths),
        ("since", &history.since),
        ("until", &history.until),
    ] {
        if let Some(v) = v {
            out.push(in_graph(import, pp(p), lit(v)));
        }
    }
    out
}

/// Applies the edits to versions already in the store, in one transaction.
fn apply(store: &Store, edits: &Edits) -> Result<(), StoreError> {
    store.remove_graphs(&edits.drop)?;
    if edits.relink.is_empty() && edits.remove.is_empty() && edits.unremove.is_empty() {
        return Ok(());
    }
    let revision = prov("wasRevisionOf");
    let link = |v: &str, p: &str| in_graph(v, revision.clone(), NamedNode::new_unchecked(p).into());
    let mut tx = store
        .oxigraph()
        .start_transaction()
        .map_err(StoreError::from)?;
    for v in &edits.unremove {
        let g = NamedNode::new_unchecked(v.as_str());
        let gone: Vec<Quad> = tx
            .quads_for_pattern(Some(g.as_ref().into()), None, None, Some(g.as_ref().into()))
            .filter_map(Result::ok)
            .filter(|q| {
                q.predicate == prov("invalidatedAtTime") || q.predicate == pp("removedInCommit")
            })
            .collect();
        for q in &gone {
            tx.remove(q);
        }
    }
    for (v, old, new) in &edits.relink {
        if let Some(old) = old {
            tx.remove(&link(v, old));
        }
        if let Some(new) = new {
            tx.insert(&link(v, new));
        }
    }
    for (v, time, commit) in &edits.remove {
        for q in removal_quads(v, time, commit) {
            tx.insert(&q);
        }
    }
    tx.commit().map_err(StoreError::from)?;
    Ok(())
}

/// Loads the history of every policy file of the repository at `repo` into `store`.
///
/// Versions are read oldest commit first. A version whose text (without the Wayback header)
/// equals the previous version of its file is a re-crawl and is skipped; every other one
/// is extracted into its own policy graph, dated by its Wayback header (else its commit),
/// and linked to the previous version with `prov:wasRevisionOf`; a second distinct version
/// of one day gets an IRI of its own ([`graph::other_version_iri`]). A file deleted by a
/// commit marks its latest version removed (`prov:invalidatedAtTime`). At the end the
/// store records `HEAD` and the dates read, so the next run with dates within them reads
/// only newer commits, and one with wider dates reads the whole history again, skipping
/// the versions already loaded. As in [`pipeline::build`], everything is committed at once
/// at the end.
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
    // The versions written here are not counted: the next build counts afresh.
    store.forget_counts()?;
    let recorded = record(store, &import)?;
    let (resumed_after, reread) = match &recorded {
        Some(r) if r.covers(history) => (Some(r.last_commit.clone()), None),
        Some(r) => (
            None,
            Some(format!(
                "the dates asked for are not within those the last run read ({} to {})",
                r.since.as_deref().unwrap_or("the first"),
                r.until.as_deref().unwrap_or("the last")
            )),
        ),
        None => (None, None),
    };
    let resuming = resumed_after.is_some();
    let mut latest: HashMap<String, Latest> = HashMap::new();

    let mut summary = HistorySummary {
        resumed_after: resumed_after.clone(),
        reread,
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
        let producer = scope.spawn(move || -> Result<Counts, HistoryError> {
            let plan = git::history(repo, resumed_after, filter)?;
            let mut counts = Counts {
                commits: plan.commits.len(),
                head: plan.head.clone(),
                versions: plan.changes.len() - plan.deleted,
                deleted: plan.deleted,
                ..Default::default()
            };
            // The versions earlier runs loaded, by file, read when the walk first meets it.
            let mut stored: HashMap<String, Vec<Stored>> = HashMap::new();
            let mut taken: std::collections::HashSet<String> = std::collections::HashSet::new();
            let outside = |date: &str| {
                history.since.as_deref().is_some_and(|s| date < s)
                    || history.until.as_deref().is_some_and(|u| date > u)
            };
            progress(HistoryProgress::Found(counts.versions));
            for change in &plan.changes {
                let commit = &plan.commits[change.commit];
                if !stored.contains_key(&change.path) {
                    let versions = stored_versions(store, &change.path)?;
                    // Going on from the last run, a file's previous version is the end of
                    // its chain in the store; reading from the first commit, the walk meets
                    // the stored versions in order.
                    if resuming {
                        if let Some(end) = chain_end(&versions) {
                            latest.insert(change.path.clone(), end);
                        }
                    }
                    stored.insert(change.path.clone(), versions);
                }
                let of_file = &stored[&change.path];
                if change.is_deletion() {
                    if outside(&commit.date) {
                        counts.outside_dates += 1;
                        continue;
                    }
                    // The version an earlier run marked removed by this commit, if any.
                    let recorded = of_file
                        .iter()
                        .find(|s| s.removed_in.as_deref() == Some(commit.id.as_str()))
                        .map(|s| &s.policy);
                    if let Some(l) = latest.get_mut(&change.path).filter(|l| !l.removed) {
                        l.removed = true;
                        counts.removed += 1;
                        if recorded != Some(&l.policy) {
                            counts.edits.remove.push((
                                l.policy.clone(),
                                commit.time.clone(),
                                commit.id.clone(),
                            ));
                        }
                    }
                    // A re-read that loaded a version between the one an earlier run marked
                    // and this deletion: the mark moves to that version.
                    if let Some(v) = recorded
                        .filter(|v| latest.get(&change.path).is_none_or(|l| l.policy != **v))
                    {
                        counts.edits.unremove.push(v.to_string());
                    }
                    continue;
                }
                // A version an earlier run loaded: it takes its place in the chain as it is.
                if let Some(s) = of_file.iter().find(|s| s.commit == commit.id) {
                    let _ = skip_tx.send(Outcome::Skipped);
                    // Loaded by an earlier run with narrower dates, but a re-crawl of the
                    // older version this run put before it: one run over all the dates
                    // would have skipped it, so it goes.
                    if !resuming
                        && latest.get(&change.path).is_some_and(|l| {
                            !l.removed && l.text_sha256 == s.text_sha256 && l.policy != s.policy
                        })
                    {
                        counts.unchanged += 1;
                        counts.edits.drop.push(s.policy.clone());
                        continue;
                    }
                    counts.already_loaded += 1;
                    let before = latest.get(&change.path).map(|l| l.policy.clone());
                    if before != s.previous && before.as_deref() != Some(s.policy.as_str()) {
                        counts
                            .edits
                            .relink
                            .push((s.policy.clone(), s.previous.clone(), before));
                    }
                    latest.insert(
                        change.path.clone(),
                        Latest {
                            policy: s.policy.clone(),
                            text_sha256: s.text_sha256.clone(),
                            // Its deletion, if any, is further on in this walk.
                            removed: false,
                        },
                    );
                    continue;
                }
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
                if outside(&date) {
                    counts.outside_dates += 1;
                } else if before.is_some_and(|b| !b.removed && b.text_sha256 == version.text_sha256)
                {
                    counts.unchanged += 1;
                } else {
                    counts.dated_by_commit += usize::from(version.dated_by_commit);
                    // The first version of an organisation's day keeps the plain IRI; any
                    // other distinct one gets a suffix from its text's digest.
                    let plain = PolicyIds::new(&version.doc, base).policy;
                    let mut policy = plain.clone();
                    let mut attempt = 0;
                    while taken.contains(&policy) || store.has_graph(&policy)? {
                        policy = graph::other_version_iri(&plain, &version.text_sha256, attempt);
                        attempt += 1;
                    }
                    counts.same_day += usize::from(attempt > 0);
                    taken.insert(policy.clone());
                    let previous = latest
                        .insert(
                            change.path.clone(),
                            Latest {
                                policy: policy.clone(),
                                text_sha256: version.text_sha256.clone(),
                                removed: false,
                            },
                        )
                        .map(|p| p.policy);
                    counts.revisions += usize::from(previous.is_some());
                    let job = Job {
                        version,
                        policy,
                        commit_time: commit.time.clone(),
                        previous,
                    };
                    if job_tx.send(job).is_err() {
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
                    pipeline::tally_practices(&mut summary.practices, kinds);
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
    apply(store, &counts.edits)?;
    store.load_ontology(vocab)?;
    if let Some(head) = &counts.head {
        store.remove_graphs(std::slice::from_ref(&import))?;
        store
            .oxigraph()
            .extend(import_quads(&import, repo, history, head))
            .map_err(StoreError::from)?;
    }
    summary.commits = counts.commits;
    summary.head = counts.head;
    summary.versions = counts.versions;
    summary.deleted = counts.deleted;
    summary.already_loaded = counts.already_loaded;
    summary.unchanged = counts.unchanged;
    summary.same_day = counts.same_day;
    summary.outside_dates = counts.outside_dates;
    summary.dated_by_commit = counts.dated_by_commit;
    summary.revisions = counts.revisions;
    summary.removed = counts.removed;
    summary.relinked = counts.edits.relink.len();
    summary.dropped = counts.edits.drop.len();
    summary.failed = counts.failed;
    summary.store_graphs = store.graph_count()?;
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
    already_loaded: usize,
    unchanged: usize,
    same_day: usize,
    outside_dates: usize,
    dated_by_commit: usize,
    revisions: usize,
    removed: usize,
    failed: Vec<String>,
    edits: Edits,
}

fn extract_version(
    job: Job,
    vocab: &Vocabulary,
    options: &Options,
    scratch: &mut extract::Scratch,
) -> Outcome {
    let Job {
        version,
        policy,
        commit_time,
        previous,
    } = job;
    let Version {
        doc,
        path,
        commit,
        text_sha256,
        ..
    } = version;
    let p = pipeline::process(doc, vocab, scratch);
    let (ids, mut quads) = graph::quads(&p.doc, &p.seg, &p.extraction, vocab, &options.graph);
    if ids.policy != policy {
        graph::rename_policy(&mut quads, &ids.policy, &policy);
    }
    quads.extend(history_quads(
        &policy,
        [
            ("gitPath", path),
            ("gitCommit", commit),
            ("textSha256", text_sha256),
        ],
        &commit_time,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn dates(since: Option<&str>, until: Option<&str>) -> HistoryOptions {
        HistoryOptions {
            since: since.map(String::from),
            until: until.map(String::from),
            paths: None,
        }
    }

    #[test]
    fn a_recorded_run_covers_only_dates_within_its_own() {
        let rec = |since: Option<&str>, until: Option<&str>| Record {
            last_commit: "c".into(),
            since: since.map(String::from),
            until: until.map(String::from),
        };
        let all = rec(None, None);
        assert!(all.covers(&dates(None, None)));
        assert!(all.covers(&dates(Some("2018-01-01"), Some("2019-01-01"))));
        let from_2018 = rec(Some("2018-01-01"), None);
        assert!(from_2018.covers(&dates(Some("2018-01-01"), None)));
        assert!(from_2018.covers(&dates(Some("2019-05-01"), Some("2020-01-01"))));
        assert!(!from_2018.covers(&dates(None, None)));
        assert!(!from_2018.covers(&dates(Some("2017-12-31"), None)));
        let until_2018 = rec(None, Some("2018-12-31"));
        assert!(until_2018.covers(&dates(None, Some("2018-06-01"))));
        assert!(!until_2018.covers(&dates(None, None)));
        assert!(!until_2018.covers(&dates(Some("2010-01-01"), Some("2019-01-01"))));
    }
}
