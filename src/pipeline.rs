//! The per-document stages wired together — corpus → text → extract → graph — run in
//! parallel over a corpus, and streamed either into the store's bulk loader (`build`) or
//! to a writer in input order (`extract`). Nothing here holds more than a bounded number
//! of documents at once.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::sync_channel;
use std::time::{Duration, Instant};

use oxigraph::model::{NamedOrBlankNode, Quad};
use rayon::prelude::*;

use crate::corpus::{self, CorpusError, Document, Limits};
use crate::extract::{self, Extraction, PracticeKind};
use crate::graph::{self, GraphOptions, PolicyIds};
use crate::run_report::Problem;
use crate::store::{self, CountChanges, GraphCounts, Replacement, Store, StoreCounts, StoreError};
use crate::text::{self, Segmented};
use crate::vocab::Vocabulary;

/// A document carried through text and extraction.
pub struct Processed {
    pub doc: Document,
    pub seg: Segmented,
    pub extraction: Extraction,
}

/// Segments and extracts one document, within the default time limit.
pub fn process(doc: Document, vocab: &Vocabulary, scratch: &mut extract::Scratch) -> Processed {
    process_timed(doc, vocab, scratch, None, Limits::default().max_time)
}

/// [`process`], adding the time spent segmenting and extracting to `clock`.
fn process_timed(
    doc: Document,
    vocab: &Vocabulary,
    scratch: &mut extract::Scratch,
    clock: Option<&StageClock>,
    max_time: Option<Duration>,
) -> Processed {
    let started = Instant::now();
    let deadline = max_time.map(|t| started + t);
    let (mut seg, stopped) = text::segment_until(doc.format, &doc.text, deadline);
    let segmented = Instant::now();
    // The owner's own name as a subject is the first party ("Acme collects …").
    let owner = extract::Owner::new(doc.meta.domain.as_deref(), doc.meta.organization.as_deref());
    let mut extraction = extract_within(&mut seg, &owner, vocab, scratch, deadline);
    if let Some(at) = stopped {
        extraction.warnings.push(format!(
            "stopped at the time limit per document ({} s) while splitting sentences, at byte {at} of the text; the rest was not extracted (raise the limit with --max-seconds)",
            max_time.unwrap_or_default().as_secs_f64()
        ));
    } else if seg.sentences.is_empty() {
        extraction
            .warnings
            .push("no text left after removing markup; nothing extracted".to_string());
    }
    if let Some(clock) = clock {
        StageClock::add(&clock.text, segmented - started);
        StageClock::add(&clock.extract, segmented.elapsed());
    }
    Processed {
        doc,
        seg,
        extraction,
    }
}

/// Sentences extracted between two looks at the clock: far more than any real policy has
/// (a long one has a thousand), so only a document of megabytes is extracted in slices.
/// Context does not cross a slice boundary: a list item whose lead-in is in the slice
/// before, or "this information" in a slice's first sentence, is read without it, and a
/// block cut between two slices is judged for its language in each.
const SLICE_SENTENCES: usize = 20_000;

/// Extracts a document, in slices when it is long enough for the time limit to matter,
/// stopping with a warning once `deadline` has passed; practices found until then are kept.
fn extract_within(
    seg: &mut Segmented,
    owner: &extract::Owner,
    vocab: &Vocabulary,
    scratch: &mut extract::Scratch,
    deadline: Option<Instant>,
) -> Extraction {
    let total = seg.sentences.len();
    let Some(deadline) = deadline.filter(|_| total > SLICE_SENTENCES) else {
        return extract::extract_for(seg, owner, vocab, scratch);
    };
    let mut out = Extraction::default();
    // The slices share the document's text (offsets stay valid); blocks and sentences are
    // renumbered from the slice's first block.
    let mut part = Segmented {
        text: std::mem::take(&mut seg.text),
        ..Segmented::default()
    };
    let mut first = 0;
    while first < total {
        if Instant::now() > deadline {
            out.warnings.push(format!(
                "stopped at the time limit per document after {first} of {total} sentences, at byte {} of the text; the rest was not extracted (raise the limit with --max-seconds)",
                seg.sentences[first].start
            ));
            break;
        }
        // A block longer than a slice (one huge line) is cut between its sentences.
        let last = (first + SLICE_SENTENCES).min(total);
        let b0 = seg.sentences[first].block;
        let b1 = seg.sentences[last - 1].block + 1;
        part.blocks = seg.blocks[b0..b1]
            .iter()
            .map(|b| text::Block {
                lead_in: b.lead_in.and_then(|l| l.checked_sub(b0)),
                section: b.section.and_then(|h| h.checked_sub(b0)),
                ..b.clone()
            })
            .collect();
        part.sentences = seg.sentences[first..last]
            .iter()
            .map(|s| text::Sentence {
                block: s.block - b0,
                ..*s
            })
            .collect();
        let found = extract::extract_for(&part, owner, vocab, scratch);
        out.practices
            .extend(found.practices.into_iter().map(|mut p| {
                p.sentence += first;
                p
            }));
        for w in found.warnings {
            if !out.warnings.contains(&w) {
                out.warnings.push(w);
            }
        }
        first = last;
    }
    seg.text = std::mem::take(&mut part.text);
    out
}

/// Where a build's time went, stage by stage. The per-document stages (`read`, `text`,
/// `extract`, `graph`) are sums of per-document durations over all worker threads, so with
/// several threads they can add up to more than the build's wall time; `check`, `load` and
/// `commit` are wall times of one thread.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct StageTimes {
    /// Finding which documents the store already holds unchanged (reads every input once
    /// more when the store is not empty) and dropping the graphs of changed ones.
    pub check: Duration,
    /// Reading inputs into documents: file or JSONL line, decoding, mojibake repair,
    /// metadata, SHA-256.
    pub read: Duration,
    /// Normalising and segmenting the text ([`text::segment`]).
    pub text: Duration,
    /// Finding mentions and practices ([`extract::extract`]).
    pub extract: Duration,
    /// Turning extractions into quads ([`graph::quads`]).
    pub graph: Duration,
    /// Time the loading thread was busy handing quads to the bulk loader (which writes them
    /// in background threads and makes this thread wait when they fall behind), not counting
    /// time waiting for extracted documents.
    pub load: Duration,
    /// The bulk load's final commit (and, beside, swapping the new store in).
    pub commit: Duration,
    /// Replacing the ontology graph after the commit: one transaction, which waits until
    /// RocksDB has compacted what the load ingested below its write-stall limit, so at
    /// scale this is mostly that compaction.
    pub ontology: Duration,
    /// Counting the store's graphs (their own index) and, when it kept no counts, its
    /// statements (a full scan) for the summary.
    pub stats: Duration,
    /// In a rebuild beside the store: copying the graphs kept from the old store (a thread
    /// of its own, alongside extraction).
    pub copy: Duration,
}

/// Per-stage time accumulators shared by the worker threads: one relaxed atomic addition
/// per document and stage, nothing measurable beside the work itself.
#[derive(Debug, Default)]
struct StageClock {
    read: AtomicU64,
    text: AtomicU64,
    extract: AtomicU64,
    graph: AtomicU64,
}

impl StageClock {
    fn add(counter: &AtomicU64, d: Duration) {
        counter.fetch_add(d.as_nanos() as u64, Ordering::Relaxed);
    }

    fn get(counter: &AtomicU64) -> Duration {
        Duration::from_nanos(counter.load(Ordering::Relaxed))
    }
}

/// An iterator whose `next` calls are timed into a stage counter: wrapped around the corpus
/// reader, which `par_bridge` drives from whichever worker asks for the next document.
struct Timed<'a, I> {
    inner: I,
    counter: &'a AtomicU64,
}

impl<I: Iterator> Iterator for Timed<'_, I> {
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        let started = Instant::now();
        let item = self.inner.next();
        StageClock::add(self.counter, started.elapsed());
        item
    }
}

/// Settings shared by `build` and `extract`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub graph: GraphOptions,
    /// Worker threads; all cores when `None`.
    pub jobs: Option<usize>,
    pub limits: Limits,
    /// Documents with warnings are skipped, as failures (`--strict`).
    pub strict: bool,
}

/// What happened to the documents, reported as they finish.
pub enum Progress<'a> {
    /// The number of input files found.
    Found(usize),
    /// One document done (loaded, unchanged or failed).
    Done(&'a str),
}

/// What a build did.
#[derive(Debug, Default, Clone)]
pub struct BuildSummary {
    /// Documents read and extracted into the store.
    pub loaded: usize,
    /// Documents whose bytes and extractor version match what the store holds: not redone.
    pub unchanged: usize,
    /// Documents replaced because their bytes changed.
    pub replaced: usize,
    /// Inputs that could not be read (or, with `strict`, were read with warnings), each
    /// naming the input and the reason.
    pub failed: Vec<Problem>,
    /// Problems with documents that were still loaded, and notes that lose nothing (a
    /// blank JSONL line).
    pub warnings: Vec<Problem>,
    /// Practices loaded, by kind: (affirmed, negated).
    pub practices: BTreeMap<&'static str, (usize, usize)>,
    pub quads_loaded: usize,
    pub store_quads: usize,
    pub store_graphs: usize,
    pub elapsed: Duration,
    /// Where the time went.
    pub stages: StageTimes,
    /// The store was built anew beside the old one and swapped in (most of it changed).
    pub rebuilt_beside: bool,
    /// The graphs of the documents this build extracted into the store, new or replaced
    /// (not those extracted again unchanged for a rebuild beside), in the order they came.
    pub graphs_written: Vec<String>,
    /// The store's counts (statements, entities per class) when the build began and what it
    /// changed, for the dataset description; none when the store held no counts a build
    /// could trust.
    pub count_changes: Option<CountChanges>,
}

/// Counts practices by kind into a summary's table: (stated, negated) per kind.
pub(crate) fn tally_practices(
    practices: &mut BTreeMap<&'static str, (usize, usize)>,
    kinds: impl IntoIterator<Item = (PracticeKind, bool)>,
) {
    for (kind, negated) in kinds {
        let e = practices.entry(kind.as_str()).or_default();
        if negated {
            e.1 += 1
        } else {
            e.0 += 1
        }
    }
}

fn pool(jobs: Option<usize>) -> rayon::ThreadPool {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(n) = jobs {
        b = b.num_threads(n.max(1));
    }
    b.build().expect("thread pool")
}

enum Outcome {
    Loaded {
        id: String,
        policy: PolicyIds,
        /// SHA-256 of the document's bytes.
        sha256: String,
        kinds: Vec<(PracticeKind, bool)>,
        warnings: Vec<Problem>,
        quads: Vec<Quad>,
    },
    Failed(CorpusError),
    /// Statements of a graph kept as it is, copied from the store a rebuild beside replaces.
    Copied(Vec<Quad>),
}

/// The share of the documents a store holds that must be extracted again (changed, or
/// sharing a graph with a changed one) from which a build no longer replaces them one
/// transaction at a time but builds a new store beside the old one and swaps it in: a
/// transaction per document costs ~6.5× a bulk load of it (1,000 ToS;DR policies all
/// changed: 98.6 s in place against 15.1 s for a fresh build), so past about a sixth of the
/// store the bulk load of everything wins (see docs/robustness.md).
pub const REBUILD_BESIDE_SHARE: f64 = 0.2;

/// Reads, extracts and bulk-loads the documents of `inputs` into `store`. Documents the
/// store already holds with the same bytes and extractor version are skipped; changed ones
/// are replaced.
///
/// New documents stream into the store as they are extracted ([`Store::document_load`]): a
/// build that fails or is killed halfway leaves each new document whole or absent (the one
/// graph it may leave half-written has no marker and is removed when the store is next
/// opened). Changed documents are replaced one transaction per few documents, each old or
/// new after a kill; but when at least [`REBUILD_BESIDE_SHARE`] of the store must be
/// extracted again (a new extractor version, a corpus rewritten), the whole store is built
/// anew beside the old one — every input extracted, the graphs no input makes (documents
/// not among the inputs, the provenance) copied — and swapped in by renaming
/// ([`Store::swap_in`]), so a kill leaves the old store or the new one, and `store` is the
/// new one afterwards.
pub fn build(
    inputs: &[String],
    store: &mut Store,
    vocab: &Vocabulary,
    options: &Options,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<BuildSummary, StoreError> {
    let started = Instant::now();
    let mut summary = BuildSummary::default();
    let clock = StageClock::default();
    let (files, errors) = corpus::discover(inputs);
    summary.failed.extend(errors.iter().map(Problem::skipped));
    progress(Progress::Found(files.len()));

    // Which documents are already there, and which of them changed.
    // Only ids and SHA-256s are compared, so this pass reads the inputs but decodes
    // nothing; the main pass below then passes over the unchanged documents the same way.
    let loaded = store.loaded_documents()?;
    let mut unchanged: HashMap<String, String> = HashMap::new();
    let mut stale = Vec::new();
    let mut inputs_ids = std::collections::HashSet::new();
    if !loaded.is_empty() {
        let shas: Vec<(String, String)> = pool(options.jobs).install(|| {
            corpus::fingerprints(files.clone(), options.limits)
                .par_bridge()
                .collect()
        });
        for (id, sha) in shas {
            if let Some(old) = loaded.get(&id) {
                if old.sha256 == sha && old.extractor_version == crate::EXTRACTOR_VERSION {
                    unchanged.insert(id.clone(), sha);
                } else {
                    stale.push(id.clone());
                }
            }
            inputs_ids.insert(id);
        }
    }
    // Changed documents are not removed here but replaced one transaction per document as
    // they are extracted (see store::Replacement), so a build killed at any moment leaves
    // each of them whole, old or new; documents sharing a graph with one are redone too.
    let replacing = Replacement::new(store, &loaded, &stale, &inputs_ids);
    for id in replacing.documents() {
        unchanged.remove(id);
    }
    summary.unchanged = unchanged.len();
    let unchanged: corpus::Known = std::sync::Arc::new(unchanged);
    let redo = replacing.documents().count();
    let beside = store
        .path()
        .filter(|_| redo > 0 && redo as f64 >= REBUILD_BESIDE_SHARE * loaded.len() as f64)
        .map(Store::beside_path);
    let meta = graph::meta_graphs(&options.graph.base);
    let (count_changes, replaced_before) = counting(store, beside.is_some(), &replacing, meta)?;
    summary.count_changes = count_changes;
    summary.stages.check = started.elapsed();

    // In place, or into a new store beside the live one that is swapped in at the end.
    let (beside_store, unchanged, mode) = match &beside {
        None => (None, unchanged, Mode::InPlace(Box::new(replacing))),
        Some(beside) => {
            let mut old_graphs: HashMap<String, String> = replacing
                .documents()
                .filter_map(|id| Some((id.to_string(), replacing.old_graph(id)?.to_string())))
                .collect();
            drop(replacing);
            let changed: std::collections::HashSet<String> = old_graphs.keys().cloned().collect();
            // The unchanged inputs are extracted again rather than copied across: reading a
            // graph back out of Oxigraph (every term decoded through a look-up) costs 3–4×
            // extracting it afresh (docs/robustness.md). Only the graphs no input makes
            // (documents not among the inputs, the provenance) are copied.
            for id in unchanged.keys() {
                if let Some(doc) = loaded.get(id) {
                    old_graphs
                        .entry(id.clone())
                        .or_insert_with(|| doc.graph.clone());
                }
            }
            // Left by a rebuild killed before its swap: never the live store.
            if beside.exists() {
                std::fs::remove_dir_all(beside)
                    .map_err(|e| StoreError::Swap(beside.display().to_string(), e))?;
            }
            let mode = Mode::Beside {
                old: store,
                old_graphs,
                changed,
            };
            (
                Some(Store::open_for_loading(beside)?),
                std::sync::Arc::new(HashMap::new()),
                mode,
            )
        }
    };
    let rewritten = stream(
        &files,
        unchanged,
        beside_store.as_ref().unwrap_or(store),
        mode,
        vocab,
        options,
        progress,
        &clock,
        &mut summary,
    )?;
    if let Some(changes) = &mut summary.count_changes {
        count_rewritten(store, changes, &replaced_before, &rewritten)?;
    }
    if let (Some(new), Some(beside)) = (beside_store, &beside) {
        drop(new);
        let swapping = Instant::now();
        store.swap_in(beside)?;
        summary.stages.commit += swapping.elapsed();
        summary.rebuilt_beside = true;
    }
    summary.stages.read = StageClock::get(&clock.read);
    summary.stages.text = StageClock::get(&clock.text);
    summary.stages.extract = StageClock::get(&clock.extract);
    summary.stages.graph = StageClock::get(&clock.graph);
    // Counted over the whole store only when it kept no counts: a full scan took 48 s at
    // 100,000 policies.
    let counting = Instant::now();
    summary.store_quads = match &summary.count_changes {
        Some(changes) => changes.statements_now() as usize,
        None => store.oxigraph().len()?,
    };
    summary.store_graphs = store.graph_count()?;
    summary.stages.stats = counting.elapsed();
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// What graphs held, by graph.
type GraphsCounted = HashMap<String, GraphCounts>;

/// How a build counts its changes to the store's statements and entities per class. The
/// counts the store kept are taken away first, before anything is written, so a build
/// killed midway leaves none to trust, and used when they agree with the store
/// ([`Store::counts_agree`]); a store holding nothing but `meta` graphs is counted now
/// (cheap). Without counts to start from, nothing is counted; a store built beside
/// starts empty, so every statement it gets is counted; in place, the graphs being replaced
/// are counted now (returned) and again once they are ([`count_rewritten`]): few, or the
/// store would be built beside.
fn counting(
    store: &Store,
    beside: bool,
    replacing: &Replacement,
    meta: Vec<String>,
) -> Result<(Option<CountChanges>, GraphsCounted), StoreError> {
    let counts_before = match store.take_counts()? {
        Some(counts) if store.counts_agree(&counts, &meta)? => Some(counts),
        _ => {
            let only_meta = store.oxigraph().named_graphs().all(|g| {
                matches!(g, Ok(NamedOrBlankNode::NamedNode(n)) if meta.iter().any(|m| m == n.as_str()))
            });
            match only_meta {
                true => Some(StoreCounts {
                    statements: store.oxigraph().len()? as u64,
                    classes: Default::default(),
                }),
                false => None,
            }
        }
    };
    let mut replaced_before = GraphsCounted::new();
    let changes = match (beside, counts_before) {
        (true, _) => Some(CountChanges::from(StoreCounts::default(), meta)),
        (false, None) => None,
        (false, Some(before)) => {
            for g in replacing
                .documents()
                .filter_map(|id| replacing.old_graph(id))
            {
                if !replaced_before.contains_key(g) {
                    replaced_before.insert(g.to_string(), store.graph_counts(g)?);
                }
            }
            Some(CountChanges::from(before, meta))
        }
    };
    Ok((changes, replaced_before))
}

/// Counts the graphs replaced in place (`replaced_before`: as they were when the build
/// began) and those changed documents were written into (`rewritten`) as they are now.
fn count_rewritten(
    store: &Store,
    changes: &mut CountChanges,
    replaced_before: &GraphsCounted,
    rewritten: &HashSet<String>,
) -> Result<(), StoreError> {
    let none = GraphCounts::default();
    let mut graphs: Vec<&String> = replaced_before.keys().chain(rewritten).collect();
    graphs.sort();
    graphs.dedup();
    for g in graphs {
        let after = store.graph_counts(g)?;
        let before = replaced_before.get(g).unwrap_or(&none);
        changes.changed(g, before, &after);
    }
    Ok(())
}

/// Where a build's documents go.
enum Mode<'s> {
    /// Into the store itself: changed documents through their transactions.
    InPlace(Box<Replacement<'s>>),
    /// Into a new, empty store: every input is extracted and bulk-loaded, and every graph of
    /// `old` is copied across but the old graphs of the inputs (`old_graphs`: id → graph;
    /// the ids of those that changed in `changed`) and the ontology (loaded afresh).
    Beside {
        old: &'s Store,
        old_graphs: HashMap<String, String>,
        changed: std::collections::HashSet<String>,
    },
}

/// Statements copied per message from the old store in a rebuild beside: about one
/// policy's, so that the channel (64 messages) holds no more than it does with documents.
const COPY_CHUNK: usize = 2_000;

/// The main pass of a build: extracts the documents of `files` but `unchanged` in parallel
/// and streams them into `target` (with a copy of the old store's kept graphs, beside), then
/// commits.
#[allow(clippy::too_many_arguments)]
fn stream(
    files: &[std::path::PathBuf],
    unchanged: corpus::Known,
    target: &Store,
    mut mode: Mode,
    vocab: &Vocabulary,
    options: &Options,
    progress: &(dyn Fn(Progress) + Sync),
    clock: &StageClock,
    summary: &mut BuildSummary,
) -> Result<HashSet<String>, StoreError> {
    // The store whose graphs a new document must not take: the old one, beside.
    let known = match &mode {
        Mode::InPlace(_) => target,
        Mode::Beside { old, .. } => *old,
    };
    // Graphs not copied in a rebuild beside: those extracted again, and the ontology.
    let skipped: std::collections::HashSet<String> = match &mode {
        Mode::InPlace(_) => Default::default(),
        Mode::Beside { old_graphs, .. } => old_graphs
            .values()
            .cloned()
            .chain([crate::vocab::ns::ONTOLOGY_GRAPH.to_string()])
            .collect(),
    };
    let mut arrived = std::collections::HashSet::new();
    // The graphs changed documents were written into, in place.
    let mut rewritten = HashSet::new();
    let (tx, rx) = sync_channel::<Outcome>(64);
    let pool = pool(options.jobs);
    let (mut loader, mut journal) = target.document_load()?;
    let mut journal_result = Ok(());
    let mut seen_graphs: HashMap<String, String> = HashMap::new();
    let mut load_result = Ok(());
    let mut replace_result = Ok(());
    let mut copy_result = Ok(());
    let mut waiting = Duration::ZERO;
    let mut loading = Duration::ZERO;
    let mut copying = Duration::ZERO;
    std::thread::scope(|scope| {
        if let Mode::Beside { .. } = &mode {
            let (tx, skipped, copy_result, copying) =
                (tx.clone(), &skipped, &mut copy_result, &mut copying);
            scope.spawn(move || {
                let started = Instant::now();
                *copy_result = copy_graphs(known, skipped, &tx);
                *copying = started.elapsed();
            });
        }
        let files = files.to_vec();
        scope.spawn(move || {
            pool.install(|| {
                Timed {
                    inner: corpus::documents_except(files, options.limits, unchanged),
                    counter: &clock.read,
                }
                .par_bridge()
                .for_each_init(extract::Scratch::default, |scratch, doc| {
                    let outcome = match doc {
                        Err(e) => Outcome::Failed(e),
                        Ok(doc) => {
                            let p = process_timed(
                                doc,
                                vocab,
                                scratch,
                                Some(clock),
                                options.limits.max_time,
                            );
                            let graphing = Instant::now();
                            let (policy, quads) =
                                graph::quads(&p.doc, &p.seg, &p.extraction, vocab, &options.graph);
                            StageClock::add(&clock.graph, graphing.elapsed());
                            let warnings: Vec<Problem> = p
                                .doc
                                .warnings
                                .iter()
                                .chain(&p.extraction.warnings)
                                .map(|w| Problem::warning(&p.doc.source, w))
                                .collect();
                            Outcome::Loaded {
                                id: p.doc.id,
                                policy,
                                sha256: p.doc.sha256,
                                kinds: p
                                    .extraction
                                    .practices
                                    .iter()
                                    .map(|p| (p.kind, p.negated))
                                    .collect(),
                                warnings,
                                quads,
                            }
                        }
                    };
                    let _ = tx.send(outcome);
                });
            });
            drop(tx);
        });
        let summary = &mut *summary;
        let waiting = &mut waiting;
        let mode = &mut mode;
        let replace_result = &mut replace_result;
        let journal = &mut journal;
        let journal_result = &mut journal_result;
        let arrived = &mut arrived;
        let rewritten = &mut rewritten;
        let outcomes = std::iter::from_fn(|| {
            let asked = Instant::now();
            let outcome = rx.recv().ok();
            *waiting += asked.elapsed();
            outcome
        });
        let quads = outcomes.flat_map(|outcome| match outcome {
            Outcome::Copied(quads) => {
                if let Some(changes) = &mut summary.count_changes {
                    changes.added(&quads);
                }
                quads
            }
            Outcome::Failed(e) => {
                progress(Progress::Done(e.path()));
                if e.is_failure() {
                    summary.failed.push(Problem::skipped(&e));
                } else {
                    summary.warnings.push(Problem::skipped(&e));
                }
                Vec::new()
            }
            Outcome::Loaded { id, warnings, .. } if options.strict && !warnings.is_empty() => {
                progress(Progress::Done(&id));
                summary
                    .failed
                    .extend(warnings.into_iter().map(Problem::refused_by_strict));
                Vec::new()
            }
            Outcome::Loaded {
                id,
                policy,
                sha256,
                kinds,
                warnings,
                quads,
            } => {
                progress(Progress::Done(&id));
                // Another document of the same organisation and archive date (in this build
                // or an earlier one) is another version: its own graph, never merged.
                let mut quads = quads;
                let mut graph_name = policy.policy.clone();
                // A changed document's own old graph is free: it is removed in the
                // transaction that writes the new version (store::Replacement), or not
                // copied beside.
                let own_old_graph = match &*mode {
                    Mode::InPlace(replacing) => replacing.old_graph(&id),
                    Mode::Beside { old_graphs, .. } => old_graphs.get(&id).map(String::as_str),
                };
                let taken = |iri: &str| {
                    seen_graphs.contains_key(iri)
                        || (own_old_graph != Some(iri) && known.has_graph(iri).unwrap_or(true))
                };
                if taken(&policy.policy) {
                    let mut attempt = 0;
                    let mut other = graph::other_version_iri(&policy.policy, &sha256, attempt);
                    while taken(&other) {
                        attempt += 1;
                        other = graph::other_version_iri(&policy.policy, &sha256, attempt);
                    }
                    graph::rename_policy(&mut quads, &policy.policy, &other);
                    graph_name.clone_from(&other);
                    seen_graphs.insert(other, id.clone());
                } else {
                    seen_graphs.insert(policy.policy.clone(), id.clone());
                }
                summary.warnings.extend(warnings);
                // An unchanged document extracted again for a rebuild beside is counted as
                // unchanged (it was, before the build), not as loaded.
                let again = matches!(&*mode, Mode::Beside { old_graphs, changed, .. }
                    if old_graphs.contains_key(&id) && !changed.contains(&id));
                if !again {
                    summary.graphs_written.push(graph_name.clone());
                    summary.loaded += 1;
                    tally_practices(&mut summary.practices, kinds);
                    summary.quads_loaded += quads.len();
                }
                match &mut *mode {
                    Mode::InPlace(replacing) if replacing.contains(&id) => {
                        rewritten.insert(graph_name);
                        if let Err(e) = replacing.add(&id, quads) {
                            if replace_result.is_ok() {
                                *replace_result = Err(e);
                            }
                        }
                        return Vec::new();
                    }
                    Mode::Beside { old_graphs, .. } if old_graphs.contains_key(&id) => {
                        arrived.insert(id.clone());
                    }
                    _ => {}
                }
                // The streaming load's crash rules (Store::document_load): journal first,
                // marker last.
                if let Err(e) = journal.record(&graph_name, &sha256) {
                    if journal_result.is_ok() {
                        *journal_result = Err(e);
                    }
                    return Vec::new();
                }
                store::marker_last(&mut quads);
                // A graph no store had: every statement in it is new, and they are distinct
                // (graph::quads).
                if let Some(changes) = &mut summary.count_changes {
                    changes.added(&quads);
                }
                quads
            }
        });
        let feeding = Instant::now();
        load_result = loader.load_iter(quads);
        loading = feeding.elapsed();
    });
    load_result?;
    replace_result?;
    journal_result?;
    copy_result?;
    let committing = Instant::now();
    match mode {
        Mode::InPlace(replacing) => {
            let replaced = replacing.finish()?;
            summary.replaced = replaced.documents;
            for id in &replaced.kept {
                summary.warnings.push(kept_warning(id));
            }
        }
        Mode::Beside {
            old,
            old_graphs,
            changed,
        } => {
            // A document none of whose graph's documents could be read again keeps its old
            // version, as in place: its graph is copied now.
            let came: std::collections::HashSet<&String> =
                arrived.iter().filter_map(|id| old_graphs.get(id)).collect();
            let mut kept: Vec<(&String, &String)> = old_graphs
                .iter()
                .filter(|(_, g)| !came.contains(g))
                .collect();
            kept.sort();
            let mut copied = std::collections::HashSet::new();
            for (id, g) in kept {
                summary.warnings.push(if changed.contains(id) {
                    kept_warning(id)
                } else {
                    Problem::warning(
                        id,
                        "unchanged, but could not be read again for the rebuild (see above): its graph was copied as it was",
                    )
                });
                if copied.insert(g) {
                    let quads = graph_quads(old, g)?;
                    if let Some(changes) = &mut summary.count_changes {
                        changes.added(&quads);
                    }
                    loader.load_iter(quads)?;
                }
            }
            summary.replaced = arrived.iter().filter(|id| changed.contains(*id)).count();
        }
    }
    loader.commit()?;
    journal.finish()?;
    summary.stages.commit = committing.elapsed();
    // After the load on purpose: this transaction waits until RocksDB has compacted the
    // files the load ingested below its write-stall limit. Made first instead (tried), the
    // build ends sooner but leaves that compaction to the readers: the organisation
    // look-up then took 10× as long on a 10,000-document store.
    let settling = Instant::now();
    let ontology = crate::vocab::ns::ONTOLOGY_GRAPH;
    let ontology_before = match summary.count_changes.is_some() {
        true => target.graph_counts(ontology)?,
        false => GraphCounts::default(),
    };
    target.load_ontology(vocab)?;
    if let Some(changes) = &mut summary.count_changes {
        changes.changed(ontology, &ontology_before, &target.graph_counts(ontology)?);
    }
    summary.stages.ontology = settling.elapsed();
    summary.stages.copy = copying;
    summary.stages.load = loading.saturating_sub(waiting);
    Ok(rewritten)
}

fn kept_warning(id: &str) -> Problem {
    Problem::warning(
        id,
        "changed, but its new version could not be read (see above): the store keeps the previous one",
    )
}

/// The statements of one graph of a store.
fn graph_quads(store: &Store, graph: &str) -> Result<Vec<Quad>, StoreError> {
    let Ok(g) = oxigraph::model::NamedNodeRef::new(graph) else {
        return Ok(Vec::new());
    };
    Ok(store
        .oxigraph()
        .quads_for_pattern(None, None, None, Some(g.into()))
        .collect::<Result<_, _>>()?)
}

/// Sends every statement of `old`'s named graphs but `skipped` to the loader, in chunks.
fn copy_graphs(
    old: &Store,
    skipped: &std::collections::HashSet<String>,
    tx: &std::sync::mpsc::SyncSender<Outcome>,
) -> Result<(), StoreError> {
    let mut chunk = Vec::with_capacity(COPY_CHUNK);
    for g in old.oxigraph().named_graphs() {
        let g = g?;
        let oxigraph::model::NamedOrBlankNode::NamedNode(name) = &g else {
            continue;
        };
        if skipped.contains(name.as_str()) {
            continue;
        }
        for q in old
            .oxigraph()
            .quads_for_pattern(None, None, None, Some(name.as_ref().into()))
        {
            chunk.push(q?);
            if chunk.len() >= COPY_CHUNK {
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(COPY_CHUNK));
                if tx.send(Outcome::Copied(full)).is_err() {
                    return Ok(());
                }
            }
        }
    }
    if !chunk.is_empty() {
        let _ = tx.send(Outcome::Copied(chunk));
    }
    Ok(())
}

/// Runs corpus → text → extract over the inputs in parallel, handing each result to
/// `sink` in input order. Errors for unreadable inputs go to `sink` too, in order.
pub fn for_each_in_order(
    files: Vec<std::path::PathBuf>,
    vocab: &Vocabulary,
    options: &Options,
    sink: impl FnMut(Result<Processed, CorpusError>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    map_in_order(files, vocab, options, |p| p, sink)
}

/// [`for_each_in_order`] with a per-document step `map` (serialising, say) run on the
/// worker threads too. Reading, extraction and `map` run in parallel (workers take the next
/// input as they free up); only handing the results to `sink` in input order is
/// sequential. Results that finish ahead of an earlier, slower document wait in a reorder
/// buffer, and the channel between workers and `sink` is bounded, so memory stays bounded.
pub fn map_in_order<T: Send>(
    files: Vec<std::path::PathBuf>,
    vocab: &Vocabulary,
    options: &Options,
    map: impl Fn(Processed) -> T + Sync,
    mut sink: impl FnMut(Result<T, CorpusError>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let pool = pool(options.jobs);
    let (tx, rx) = sync_channel::<(usize, Result<T, CorpusError>)>(64);
    let map = &map;
    std::thread::scope(|scope| {
        scope.spawn(move || {
            pool.install(|| {
                corpus::documents(files, options.limits)
                    .enumerate()
                    .par_bridge()
                    .try_for_each_init(extract::Scratch::default, |scratch, (i, d)| {
                        // A closed channel means the sink failed: the rest is not needed.
                        tx.send((
                            i,
                            d.map(|d| {
                                map(process_timed(
                                    d,
                                    vocab,
                                    scratch,
                                    None,
                                    options.limits.max_time,
                                ))
                            }),
                        ))
                        .map_err(|_| ())
                    })
            })
            .ok();
            drop(tx);
        });
        // Owned here, so that returning early drops it and unblocks the workers.
        let rx = rx;
        let mut next = 0usize;
        let mut waiting: BTreeMap<usize, Result<T, CorpusError>> = BTreeMap::new();
        for (i, r) in rx.iter() {
            waiting.insert(i, r);
            while let Some(r) = waiting.remove(&next) {
                next += 1;
                // On an error, returning drops the receiver: the workers' sends fail and
                // they stop.
                sink(r)?;
            }
        }
        Ok(())
    })
}
