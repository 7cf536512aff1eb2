//! What a linked-data publisher needs beside the policy graphs: the provenance of every build
//! (a `prov:Activity` with the software agent and its version, start and end times and the
//! inputs it used), kept in the graph `{base}provenance`, and a VoID/DCAT description of the
//! store (size, classes, vocabularies, distributions with media types, licence, conformance
//! to DPV), kept in the graph `{base}void` and replaced after every build.
//!
//! Both live in graphs of their own so that a policy's graph stays exactly what was extracted
//! from it: rebuilding the same input still yields the same policy graphs.

use oxigraph::model::vocab::{rdf, rdfs, xsd};
use oxigraph::model::{
    GraphName, GraphNameRef, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, Term,
};

use crate::pipeline::BuildSummary;
use crate::store::{CountChanges, Store, StoreCounts, StoreError};
use crate::vocab::ns;

pub const VOID: &str = "http://rdfs.org/ns/void#";
pub const DCAT: &str = "http://www.w3.org/ns/dcat#";
pub const OWL: &str = "http://www.w3.org/2002/07/owl#";

/// The DPV specification the data conforms to (`dct:conformsTo`).
pub const DPV_SPEC: &str = "https://w3id.org/dpv";

/// The graph holding one `prov:Activity` per build.
pub fn provenance_graph(base: &str) -> String {
    format!("{base}provenance")
}

pub use crate::graph::description_graph;

/// The IRI of the dataset (the whole store).
pub fn dataset_iri(base: &str) -> String {
    format!("{base}dataset")
}

/// The software agent of this version of privacy-kg.
pub fn agent_iri(base: &str) -> String {
    format!("{base}agent/privacy-kg/{}", crate::EXTRACTOR_VERSION)
}

/// The current time as an `xsd:dateTime` lexical form (UTC).
pub fn now() -> String {
    oxsdatatypes::DateTime::now().to_string()
}

/// What one build did, as recorded in its `prov:Activity`.
#[derive(Debug, Clone, Default)]
pub struct BuildRecord {
    /// `xsd:dateTime` lexical forms.
    pub started: String,
    pub ended: String,
    /// The inputs as given on the command line (files, folders, globs).
    pub inputs: Vec<String>,
    /// The policy versions whose text this build read and extracted (new or changed ones).
    pub policies: Vec<String>,
    pub loaded: usize,
    pub unchanged: usize,
    pub replaced: usize,
    pub failed: usize,
}

impl BuildRecord {
    /// The record of a build that began at `started` on `inputs` and did what `summary`
    /// says, ending now.
    pub fn of_build(started: String, inputs: &[String], summary: &BuildSummary) -> BuildRecord {
        let mut policies = summary.graphs_written.clone();
        policies.sort();
        policies.dedup();
        BuildRecord {
            started,
            ended: now(),
            inputs: inputs.to_vec(),
            policies,
            loaded: summary.loaded,
            unchanged: summary.unchanged,
            replaced: summary.replaced,
            failed: summary.failed.len(),
        }
    }

    /// The activity's IRI: `{base}build/{start time}`, unique per build.
    pub fn iri(&self, base: &str) -> String {
        let stamp: String = self
            .started
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
            .collect();
        format!("{base}build/{stamp}")
    }
}

fn nn(iri: &str) -> NamedNode {
    NamedNode::new_unchecked(iri)
}

fn t(ns: &str, local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{ns}{local}"))
}

/// Collects quads of one graph.
struct Quads {
    graph: GraphName,
    out: Vec<Quad>,
}

impl Quads {
    fn new(graph: &str) -> Quads {
        Quads {
            graph: GraphName::NamedNode(nn(graph)),
            out: Vec::new(),
        }
    }

    fn add(&mut self, s: &NamedNode, p: NamedNode, o: impl Into<Term>) {
        self.out.push(Quad::new(
            NamedOrBlankNode::NamedNode(s.clone()),
            p,
            o.into(),
            self.graph.clone(),
        ));
    }
}

/// A `file:` IRI for a local path: absolute, with every byte outside the unreserved set and
/// `/` percent-encoded, so any path makes a valid IRI.
pub fn file_iri(path: &str) -> String {
    let abs = std::fs::canonicalize(path)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|_| {
            let cwd = std::env::current_dir().unwrap_or_default();
            cwd.join(path).to_string_lossy().into_owned()
        });
    let mut out = String::from("file://");
    for b in abs.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The provenance quads of one build: [`activity_quads`], then a `prov:used` of each policy.
pub fn build_quads(base: &str, build: &BuildRecord) -> Vec<Quad> {
    let mut quads = activity_quads(base, build);
    let used = UsedPolicy::of(base, build);
    quads.extend(build.policies.iter().map(|p| used.quad(p)));
    quads
}

/// Makes the statements that a build used (read and extracted) a policy version.
struct UsedPolicy {
    activity: NamedNode,
    graph: GraphName,
}

impl UsedPolicy {
    fn of(base: &str, build: &BuildRecord) -> UsedPolicy {
        UsedPolicy {
            activity: nn(&build.iri(base)),
            graph: GraphName::NamedNode(nn(&provenance_graph(base))),
        }
    }

    fn quad(&self, policy: &str) -> Quad {
        Quad::new(
            self.activity.clone(),
            t(ns::PROV, "used"),
            nn(policy),
            self.graph.clone(),
        )
    }
}

/// The provenance quads of one build but the policies it used: the activity, its agent and
/// its inputs.
pub fn activity_quads(base: &str, build: &BuildRecord) -> Vec<Quad> {
    let mut q = Quads::new(&provenance_graph(base));
    let prov = |l: &str| t(ns::PROV, l);
    let activity = nn(&build.iri(base));
    let agent = nn(&agent_iri(base));
    q.add(&agent, rdf::TYPE.into(), prov("SoftwareAgent"));
    q.add(
        &agent,
        rdfs::LABEL.into(),
        Literal::new_simple_literal(format!("privacy-kg {}", crate::EXTRACTOR_VERSION)),
    );
    q.add(
        &agent,
        t(OWL, "versionInfo"),
        Literal::new_simple_literal(crate::EXTRACTOR_VERSION),
    );
    q.add(&activity, rdf::TYPE.into(), prov("Activity"));
    q.add(
        &activity,
        rdfs::LABEL.into(),
        Literal::new_simple_literal("privacy-kg build"),
    );
    q.add(
        &activity,
        t(ns::DCT, "description"),
        Literal::new_simple_literal(format!(
            "{} documents extracted, {} unchanged, {} replaced, {} skipped",
            build.loaded, build.unchanged, build.replaced, build.failed
        )),
    );
    q.add(&activity, prov("wasAssociatedWith"), agent.clone());
    for (p, time) in [
        ("startedAtTime", &build.started),
        ("endedAtTime", &build.ended),
    ] {
        q.add(
            &activity,
            prov(p),
            Literal::new_typed_literal(time, xsd::DATE_TIME),
        );
    }
    for input in &build.inputs {
        let Ok(iri) = NamedNode::new(file_iri(input)) else {
            continue;
        };
        q.add(&iri, rdf::TYPE.into(), prov("Entity"));
        q.add(&iri, rdfs::LABEL.into(), Literal::new_simple_literal(input));
        q.add(&activity, prov("used"), iri);
    }
    q.out
}

/// The `prov:used` statements of policies written per transaction. A transaction holds its
/// writes in memory until it commits: one for the 100,000 policies of a 100,000-document
/// build took the end of the build some 180 MB up, and it would grow with the corpus.
const USED_PER_TRANSACTION: usize = 10_000;

/// What recording a build added to the store.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The activity's IRI.
    pub activity: String,
    /// The statements of the activity, its agent and inputs that were not there already.
    pub new: Vec<Quad>,
    /// The `prov:used` statements of policies that were not there already.
    pub used: usize,
}

impl Recorded {
    /// Every statement the store gained.
    pub fn statements(&self) -> usize {
        self.new.len() + self.used
    }
}

/// Adds the build's activity to the provenance graph (earlier builds stay): the policies it
/// used a few thousand per transaction, then the activity itself, so an activity typed
/// `prov:Activity` is recorded whole.
pub fn record_build(
    store: &Store,
    base: &str,
    build: &BuildRecord,
) -> Result<Recorded, StoreError> {
    let activity = build.iri(base);
    // A new activity's own statements are new without asking the store: only the agent's
    // and the inputs', which earlier builds may have recorded, are looked up. A look-up per
    // policy was 100,000 seeks at 100,000 policies, into a store larger than memory.
    let fresh = NamedNodeRef::new(&activity).is_ok_and(|a| {
        store
            .oxigraph()
            .quads_for_pattern(Some(a.into()), None, None, None)
            .next()
            .is_none()
    });
    let used_policy = UsedPolicy::of(base, build);
    let mut used = 0;
    let mut policies_seen = std::collections::HashSet::new();
    let policies: Vec<&String> = build
        .policies
        .iter()
        .filter(|p| policies_seen.insert(p.as_str()))
        .collect();
    for chunk in policies.chunks(USED_PER_TRANSACTION) {
        let mut tx = store.oxigraph().start_transaction()?;
        for policy in chunk {
            let q = used_policy.quad(policy);
            if fresh || !tx.contains(&q)? {
                tx.insert(&q);
                used += 1;
            }
        }
        tx.commit()?;
    }
    let quads = activity_quads(base, build);
    let mut seen = std::collections::HashSet::with_capacity(quads.len());
    let mut tx = store.oxigraph().start_transaction()?;
    let mut new = Vec::with_capacity(quads.len());
    for q in &quads {
        if !seen.insert(q) {
            continue;
        }
        let own = matches!(&q.subject, NamedOrBlankNode::NamedNode(s) if s.as_str() == activity);
        if (fresh && own) || !tx.contains(q)? {
            tx.insert(q);
            new.push(q.clone());
        }
    }
    tx.commit()?;
    Ok(Recorded {
        activity,
        new,
        used,
    })
}

/// Ends a build that began at `started` on `inputs` and did what `summary` says: records its
/// provenance ([`BuildRecord::of_build`], [`record_build`]) and replaces the dataset
/// description ([`describe`]), counting on what the build already knows of the store (its
/// statements, and its entities per class when the store kept them). Returns the activity's
/// IRI and the description.
pub fn publish_build(
    store: &Store,
    base: &str,
    started: String,
    inputs: &[String],
    summary: &BuildSummary,
    license: Option<&str>,
) -> Result<(String, Description), StoreError> {
    let record = BuildRecord::of_build(started, inputs, summary);
    let recorded = record_build(store, base, &record)?;
    let mut counts = summary.count_changes.clone();
    if let Some(changes) = &mut counts {
        changes.added(&recorded.new);
        // The prov:used statements type nothing: counted, not tallied.
        changes.statements += recorded.used as i64;
    }
    let known = Known {
        statements: Some(summary.store_quads + recorded.statements()),
        counts,
    };
    let description = describe(
        store,
        &DescriptionOptions {
            base: base.to_string(),
            license: license.map(str::to_string),
        },
        known,
    )?;
    Ok((recorded.activity, description))
}

/// What a build knows of the store, so that the description need not count it again.
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// Every statement of the store, the old description's included.
    pub statements: Option<usize>,
    /// Its counts before the build and the build's changes to them, when the store kept
    /// counts (`statements` then comes from them).
    pub counts: Option<CountChanges>,
}

/// What the description says about the store, also printed by `build`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Description {
    pub triples: usize,
    pub graphs: usize,
    pub policies: usize,
    pub practices: usize,
    /// Entities per class, by class IRI.
    pub classes: Vec<(String, usize)>,
    pub license: Option<String>,
}

/// Settings of the description.
#[derive(Debug, Clone, Default)]
pub struct DescriptionOptions {
    pub base: String,
    /// The licence IRI of the data; `None` keeps the one a previous build configured.
    pub license: Option<String>,
}

/// The vocabularies the data uses (`void:vocabulary`).
pub const VOCABULARIES: &[&str] = &[
    ns::PP,
    ns::DPV,
    ns::PD,
    ns::SKOS,
    ns::PROV,
    ns::OA,
    ns::DCT,
    ns::RDFS,
];

/// The distributions of the dataset: a short name, a title and the IANA media type.
pub const DISTRIBUTIONS: &[(&str, &str, &str)] = &[
    (
        "nquads",
        "N-Quads dump of every graph (privacy-kg export --format nq)",
        "application/n-quads",
    ),
    (
        "trig",
        "TriG dump of every graph (privacy-kg export --format trig)",
        "application/trig",
    ),
    (
        "turtle",
        "Turtle dump, all graphs merged (privacy-kg export --format ttl)",
        "text/turtle",
    ),
    (
        "ntriples",
        "N-Triples dump, all graphs merged (privacy-kg export --format nt)",
        "application/n-triples",
    ),
    (
        "rdfxml",
        "RDF/XML dump, all graphs merged (privacy-kg export --format rdfxml)",
        "application/rdf+xml",
    ),
    (
        "jsonld",
        "Expanded JSON-LD dump of every graph (privacy-kg export --format jsonld)",
        "application/ld+json",
    ),
    (
        "jsonld-compact",
        "One compact JSON-LD document per policy (privacy-kg export --format jsonld-compact)",
        "application/ld+json",
    ),
];

fn count(store: &Store, query: &str) -> Result<usize, StoreError> {
    let rows = store.select(query)?;
    Ok(
        match rows.first().and_then(|r| r.first()).cloned().flatten() {
            Some(Term::Literal(l)) => l.value().parse().unwrap_or(0),
            _ => 0,
        },
    )
}

/// The description graph's quads for the given figures.
pub fn description_quads(base: &str, d: &Description) -> Vec<Quad> {
    let mut q = Quads::new(&description_graph(base));
    let void = |l: &str| t(VOID, l);
    let dcat = |l: &str| t(DCAT, l);
    let dct = |l: &str| t(ns::DCT, l);
    let ds = nn(&dataset_iri(base));
    q.add(&ds, rdf::TYPE.into(), void("Dataset"));
    q.add(&ds, rdf::TYPE.into(), dcat("Dataset"));
    q.add(
        &ds,
        dct("title"),
        Literal::new_language_tagged_literal_unchecked("privacy-kg knowledge graph", "en"),
    );
    q.add(
        &ds,
        dct("description"),
        Literal::new_language_tagged_literal_unchecked(
            "Practices stated in website privacy policies (what is collected, used, shared, sold, retained, for which purposes and with whom, and what is not done), extracted by privacy-kg and aligned with the W3C Data Privacy Vocabulary. One named graph per policy version; every practice is traced to the sentence it came from.",
            "en",
        ),
    );
    q.add(
        &ds,
        dct("modified"),
        Literal::new_typed_literal(now(), xsd::DATE_TIME),
    );
    q.add(&ds, dct("conformsTo"), nn(DPV_SPEC));
    if let Some(l) = d.license.as_deref().and_then(|l| NamedNode::new(l).ok()) {
        q.add(&ds, dct("license"), l);
    }
    q.add(&ds, void("uriSpace"), Literal::new_simple_literal(base));
    q.add(&ds, void("triples"), Literal::from(d.triples as i64));
    q.add(&ds, void("classes"), Literal::from(d.classes.len() as i64));
    for v in VOCABULARIES {
        q.add(&ds, void("vocabulary"), nn(v));
    }
    for (class, n) in &d.classes {
        let local: String = class
            .rsplit(['#', '/'])
            .next()
            .unwrap_or(class)
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        let prefix = match class {
            c if c.starts_with(ns::PP) => "pp",
            c if c.starts_with(ns::PROV) => "prov",
            c if c.starts_with(ns::OA) => "oa",
            _ => "other",
        };
        let part = nn(&format!("{}/class/{prefix}-{local}", ds.as_str()));
        q.add(&ds, void("classPartition"), part.clone());
        q.add(&part, void("class"), nn(class));
        q.add(&part, void("entities"), Literal::from(*n as i64));
    }
    for (name, title, media) in DISTRIBUTIONS {
        let dist = nn(&format!("{}/distribution/{name}", ds.as_str()));
        q.add(&ds, dcat("distribution"), dist.clone());
        q.add(&dist, rdf::TYPE.into(), dcat("Distribution"));
        q.add(
            &dist,
            dct("title"),
            Literal::new_language_tagged_literal_unchecked(*title, "en"),
        );
        q.add(
            &dist,
            dcat("mediaType"),
            nn(&format!(
                "https://www.iana.org/assignments/media-types/{media}"
            )),
        );
        if let Some(l) = d.license.as_deref().and_then(|l| NamedNode::new(l).ok()) {
            q.add(&dist, dct("license"), l);
        }
    }
    q.out
}

/// Replaces the description graph: the store's statements and the distinct subjects of
/// each class outside the ontology and description graphs. What `known` gives is not
/// counted again: the statements and entities per class follow from the counts the last
/// build kept (checked when the build took them, [`Store::counts_agree`]) and this build's
/// changes ([`CountChanges`]); without them they are counted over the whole store, the
/// classes in memory that does not grow with it ([`entities_per_class`]). The counts are
/// kept for the next build.
pub fn describe(
    store: &Store,
    options: &DescriptionOptions,
    known: Known,
) -> Result<Description, StoreError> {
    let base = &options.base;
    let graph = description_graph(base);
    let graph_node = nn(&graph);
    let license = match &options.license {
        Some(l) => Some(l.clone()),
        None => previous_license(store, base)?,
    };
    let old_description = store
        .oxigraph()
        .quads_for_pattern(None, None, None, Some(graph_node.as_ref().into()))
        .count();
    store
        .oxigraph()
        .clear_graph(GraphNameRef::NamedNode(graph_node.as_ref()))?;
    let meta = crate::graph::meta_graphs(base);
    let meta: Vec<&str> = meta.iter().map(String::as_str).collect();
    let classes: Vec<(String, usize)> = match &known.counts {
        Some(changes) => changes
            .tally
            .apply(store, &changes.before.classes)?
            .into_iter()
            .map(|(c, n)| (c, n as usize))
            .collect(),
        None => entities_per_class(store, &meta)?,
    };
    let of = |class: &str| {
        classes
            .iter()
            .find(|(c, _)| c == class)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    };
    let triples = match known.statements {
        Some(n) => n.saturating_sub(old_description),
        None => store.oxigraph().len()?,
    };
    let mut d = Description {
        triples,
        graphs: 0,
        policies: of(&format!("{}PrivacyPolicy", ns::PP)),
        practices: of(&format!("{}Practice", ns::PP)),
        classes: classes.clone(),
        license,
    };
    let quads = description_quads(base, &d);
    let mut tx = store.oxigraph().start_transaction()?;
    for q in &quads {
        tx.insert(q.as_ref());
    }
    tx.commit()?;
    let description = store
        .oxigraph()
        .quads_for_pattern(None, None, None, Some(graph_node.as_ref().into()))
        .count();
    store.save_counts(&StoreCounts {
        statements: (triples + description) as u64,
        classes: classes
            .iter()
            .map(|(c, n)| (c.clone(), *n as u64))
            .collect(),
    })?;
    d.graphs = store.graph_count()?;
    Ok(d)
}

/// The distinct subjects of each class (`rdf:type` statements outside the `meta` graphs),
/// by class IRI, in the order of the IRIs.
fn entities_per_class(store: &Store, meta: &[&str]) -> Result<Vec<(String, usize)>, StoreError> {
    let mut classes = Vec::new();
    for row in store.select(&format!(
        "SELECT ?c WHERE {{ GRAPH ?g {{ ?s a ?c }} FILTER({} && isIRI(?c)) }} GROUP BY ?c ORDER BY ?c",
        not_in(meta)
    ))? {
        if let Some(Term::NamedNode(c)) = &row[0] {
            classes.push(c.as_str().to_string());
        }
    }
    classes
        .into_iter()
        .map(|class| Ok((class.clone(), entities_of_class(store, &class, meta)?)))
        .collect()
}

/// A SPARQL filter expression: `?g` is none of `graphs`.
fn not_in(graphs: &[&str]) -> String {
    graphs
        .iter()
        .map(|g| format!("?g != <{g}>"))
        .collect::<Vec<_>>()
        .join(" && ")
}

/// The distinct subjects of one class outside the `meta` graphs.
///
/// `COUNT(DISTINCT ?s)` keeps every typed subject in a hash set: at 100,000 policies some
/// 30 million, which took the end of a build from under 1 to 2 GB (`REDUCED` would not help:
/// Oxigraph's optimiser evaluates it as `DISTINCT`). An on-disk store gives `?s a <class>`
/// from its predicate–object–subject–graph index, one subject after another, so the subjects
/// are counted as changes of subject as [`Store::for_each_row`] streams them, holding none.
/// A store in memory keeps no such order and is counted with `DISTINCT`.
fn entities_of_class(store: &Store, class: &str, meta: &[&str]) -> Result<usize, StoreError> {
    let typed = format!("GRAPH ?g {{ ?s a <{class}> }} FILTER({})", not_in(meta));
    if store.path().is_some() {
        value_changes(store, &format!("SELECT ?s WHERE {{ {typed} }}"))
    } else {
        count(
            store,
            &format!("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {typed} }}"),
        )
    }
}

/// How often the first column of a SELECT's rows changes from one row to the next: its
/// distinct values when equal values come together. Rows are streamed, not collected; a query
/// projecting only that column reads nothing else back from the store's strings.
fn value_changes(store: &Store, query: &str) -> Result<usize, StoreError> {
    let mut n = 0;
    let mut last: Option<Term> = None;
    store.for_each_row(query, false, |row| {
        if row[0] != last {
            n += 1;
            last.clone_from(&row[0]);
        }
    })?;
    Ok(n)
}

/// The licence a previous build configured, read from the description graph.
fn previous_license(store: &Store, base: &str) -> Result<Option<String>, StoreError> {
    let ds = nn(&dataset_iri(base));
    let license = t(ns::DCT, "license");
    let graph = nn(&description_graph(base));
    let found = store
        .oxigraph()
        .quads_for_pattern(
            Some(ds.as_ref().into()),
            Some(license.as_ref()),
            None,
            Some(GraphNameRef::NamedNode(graph.as_ref())),
        )
        .next()
        .transpose()?;
    Ok(found.and_then(|q| match q.object {
        Term::NamedNode(n) => Some(n.into_string()),
        _ => None,
    }))
}

/// The description graph of whichever base the store was built with: the first graph holding
/// a `void:Dataset`, as (graph IRI, dataset IRI).
pub fn find_description(store: &Store) -> Result<Option<(String, String)>, StoreError> {
    let rows = store.select(&format!(
        "SELECT ?g ?d WHERE {{ GRAPH ?g {{ ?d a <{VOID}Dataset> }} }} LIMIT 1"
    ))?;
    Ok(rows.first().and_then(|r| match (&r[0], &r[1]) {
        (Some(Term::NamedNode(g)), Some(Term::NamedNode(d))) => {
            Some((g.as_str().to_string(), d.as_str().to_string()))
        }
        _ => None,
    }))
}

/// A named node for a checked IRI, for callers outside this module.
pub fn iri(s: &str) -> Option<NamedNodeRef<'_>> {
    NamedNodeRef::new(s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Typed statements where counting distinct subjects matters: an organisation typed in two
    /// policy graphs, an evidence node of two classes, a concept in the ontology graph.
    fn typed_statements(store: &Store) {
        let ty = |s: &str, c: &str, g: &str| {
            Quad::new(nn(s), rdf::TYPE, nn(c), GraphName::NamedNode(nn(g)))
        };
        let pp = |l: &str| format!("{}{l}", ns::PP);
        let quads = [
            ty(
                "https://e.org/org/a",
                &pp("Organisation"),
                "https://e.org/policy/a/1",
            ),
            ty(
                "https://e.org/org/a",
                &pp("Organisation"),
                "https://e.org/policy/a/2",
            ),
            ty(
                "https://e.org/policy/a/1/p/1",
                &pp("Practice"),
                "https://e.org/policy/a/1",
            ),
            ty(
                "https://e.org/policy/a/2/p/1",
                &pp("Practice"),
                "https://e.org/policy/a/2",
            ),
            ty(
                "https://e.org/policy/a/1/e/1",
                &pp("Evidence"),
                "https://e.org/policy/a/1",
            ),
            ty(
                "https://e.org/policy/a/1/e/1",
                &format!("{}SpecificResource", ns::OA),
                "https://e.org/policy/a/1",
            ),
            ty("https://e.org/concept", &pp("Practice"), ns::ONTOLOGY_GRAPH),
            ty(
                "https://e.org/dataset",
                &format!("{VOID}Dataset"),
                "https://e.org/void",
            ),
        ];
        for q in &quads {
            store.oxigraph().insert(q).unwrap();
        }
    }

    #[test]
    fn each_class_counts_its_subjects_once_outside_the_meta_graphs() {
        let meta = [ns::ONTOLOGY_GRAPH, "https://e.org/void"];
        let expected = vec![
            (format!("{}SpecificResource", ns::OA), 1),
            (format!("{}Evidence", ns::PP), 1),
            (format!("{}Organisation", ns::PP), 1),
            (format!("{}Practice", ns::PP), 2),
        ];
        let memory = Store::memory().unwrap();
        typed_statements(&memory);
        assert_eq!(entities_per_class(&memory, &meta).unwrap(), expected);
        // On disk the count relies on the index order: an organisation typed in two graphs
        // is one subject.
        let dir = tempfile::tempdir().unwrap();
        let disk = Store::open(&dir.path().join("store")).unwrap();
        typed_statements(&disk);
        assert_eq!(entities_per_class(&disk, &meta).unwrap(), expected);
    }

    /// A corpus record: id, organisation, date, text.
    type Record = [String; 4];

    /// Writes a JSONL corpus to `dir/name`; returns its path.
    fn corpus(dir: &std::path::Path, name: &str, records: &[Record]) -> String {
        let lines: String = records
            .iter()
            .map(|[id, org, date, text]| {
                serde_json::json!({"id": id, "organization": org, "date": date, "text": text})
                    .to_string()
                    + "\n"
            })
            .collect();
        let path = dir.join(name);
        std::fs::write(&path, lines).unwrap();
        path.display().to_string()
    }

    /// What a build and its publication say and what the store holds.
    struct Published {
        described: Description,
        /// The statements the build said the store held when it ended.
        built: usize,
        /// Entities per class counted over the whole store.
        counted: Vec<(String, usize)>,
        /// Statements outside the description graph.
        statements: usize,
        /// Statements the store held before the description was replaced: the old
        /// description's, the new provenance's not.
        before_description: usize,
    }

    /// Builds `corpus` into the store at `path` and publishes the build as `privacy-kg build`
    /// does.
    fn build_and_publish(path: &std::path::Path, corpus: &str) -> Published {
        let vocab = crate::vocab::Vocabulary::embedded().unwrap();
        let options = crate::pipeline::Options::default();
        let base = options.graph.base.clone();
        let mut store = Store::open(path).unwrap();
        let inputs = [corpus.to_string()];
        let summary =
            crate::pipeline::build(&inputs, &mut store, &vocab, &options, &|_| {}).unwrap();
        let before_description = store.stats().unwrap().quads;
        let (_, described) = publish_build(&store, &base, now(), &inputs, &summary, None).unwrap();
        let graph = description_graph(&base);
        let description = store
            .oxigraph()
            .quads_for_pattern(None, None, None, Some(nn(&graph).as_ref().into()))
            .count();
        Published {
            described,
            built: summary.store_quads,
            counted: entities_per_class(&store, &[ns::ONTOLOGY_GRAPH, &graph]).unwrap(),
            statements: store.stats().unwrap().quads - description,
            before_description,
        }
    }

    fn entities(d: &Description, class: &str) -> usize {
        d.classes
            .iter()
            .find(|(c, _)| c.ends_with(&format!("#{class}")))
            .map(|(_, n)| *n)
            .unwrap_or(0)
    }

    const COLLECT: &str = "We collect your email address and your location to provide the service. We share your device identifiers with advertising partners. We do not sell your personal information.";
    const REGISTER: &str = "We collect your name and phone number when you register. We use your browsing history for analytics. We may disclose your information to law enforcement.";

    #[test]
    fn the_counts_builds_keep_up_to_date_are_those_a_full_count_gives() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        let store = dir.join("kg.db");
        let counts_file = store.join(crate::store::COUNTS_FILE);
        let check = |step: &str, p: Published| {
            assert_eq!(p.described.classes, p.counted, "{step}: entities per class");
            assert_eq!(p.described.triples, p.statements, "{step}: statements");
            assert_eq!(p.built, p.before_description, "{step}: statements built");
            assert!(
                counts_file.exists(),
                "{step}: counts kept for the next build"
            );
            p.described
        };
        // Acme publishes two versions: one organisation typed in two graphs.
        let mut docs: Vec<Record> = ["Acme", "Acme", "B", "C", "D", "E", "F", "G"]
            .iter()
            .enumerate()
            .map(|(i, org)| {
                let text = if i % 2 == 0 { COLLECT } else { REGISTER };
                [
                    format!("doc-{i}"),
                    org.to_string(),
                    format!("2020-0{}-01", i + 1),
                    text.into(),
                ]
            })
            .collect();

        // A fresh store: everything counted as it is loaded.
        let first = check(
            "fresh",
            build_and_publish(&store, &corpus(dir, "a.jsonl", &docs)),
        );
        assert_eq!((first.policies, entities(&first, "Organisation")), (8, 7));

        // In place: one of Acme's documents changed (one more practice), a new version of
        // Acme's.
        docs[1][3] = format!("{REGISTER} We use your location for advertising.");
        docs.push([
            "doc-8".into(),
            "Acme".into(),
            "2021-01-01".into(),
            REGISTER.into(),
        ]);
        let second = check(
            "in place",
            build_and_publish(&store, &corpus(dir, "b.jsonl", &docs)),
        );
        assert_eq!((second.policies, entities(&second, "Organisation")), (9, 7));
        assert_eq!(entities(&second, "Activity"), 2);

        // An organisation's only document replaced by another organisation's: it goes.
        docs[7][1] = "H".into();
        docs[7][3] = COLLECT.into();
        let third = check(
            "replaced",
            build_and_publish(&store, &corpus(dir, "c.jsonl", &docs)),
        );
        assert_eq!(entities(&third, "Organisation"), 7);

        // Most documents changed: the store is built beside and swapped in.
        for d in docs.iter_mut().take(6) {
            d[3] = format!("{} We retain your data for two years.", d[3]);
        }
        let last = corpus(dir, "d.jsonl", &docs);
        check("beside", build_and_publish(&store, &last));

        // Kept counts are used, not recounted: counts changed by hand come back as they were
        // left (the build changed nothing but its provenance).
        let read = || -> StoreCounts {
            serde_json::from_slice(&std::fs::read(&counts_file).unwrap()).unwrap()
        };
        let practice = format!("{}Practice", ns::PP);
        let mut kept = read();
        let practices = kept.classes[&practice];
        kept.classes.insert(practice.clone(), practices + 100);
        kept.statements += 1000;
        std::fs::write(&counts_file, serde_json::to_vec(&kept).unwrap()).unwrap();
        let edited = build_and_publish(&store, &last);
        assert_eq!(edited.described.practices as u64, practices + 100);
        assert_eq!(edited.built, edited.before_description + 1000);
        assert_eq!(edited.described.triples, edited.statements + 1000);

        // Counts that do not match the store's builds (one by a version that kept none) are
        // not trusted: the store is counted afresh, its statements too. So is a store
        // without counts, or with counts as earlier versions kept them (classes alone).
        let mut wrong = read();
        *wrong
            .classes
            .get_mut(&format!("{}Activity", ns::PROV))
            .unwrap() += 1;
        std::fs::write(&counts_file, serde_json::to_vec(&wrong).unwrap()).unwrap();
        check("recounted", build_and_publish(&store, &last));
        std::fs::remove_file(&counts_file).unwrap();
        check("no counts", build_and_publish(&store, &last));
        let old_file = store.join("privacy-kg-class-counts.json");
        std::fs::write(&old_file, serde_json::to_vec(&read().classes).unwrap()).unwrap();
        std::fs::rename(&old_file, &counts_file).unwrap();
        check(
            "counts of an earlier version",
            build_and_publish(&store, &last),
        );
    }

    /// `record_build` says which statements are new without asking the store about the
    /// activity's own, and writes the policies used in several transactions: what it
    /// returns must still be exactly what the store gained.
    #[test]
    fn recording_a_build_returns_the_statements_the_store_gained() {
        let store = Store::memory().unwrap();
        let base = "https://example.org/";
        let all = |s: &Store| s.oxigraph().len().unwrap();
        // More policies than one transaction takes, one of them twice; an input twice.
        let mut policies: Vec<String> = (0..USED_PER_TRANSACTION + 10)
            .map(|i| format!("https://example.org/policy/p{i}/1"))
            .collect();
        policies.push(policies[3].clone());
        let first = BuildRecord {
            started: "2026-12-01T23:00:00Z".into(),
            ended: "2026-12-01T23:00:02Z".into(),
            inputs: vec!["data/policies".into(), "data/policies".into()],
            policies,
            loaded: USED_PER_TRANSACTION + 10,
            ..Default::default()
        };
        let recorded = record_build(&store, base, &first).unwrap();
        assert_eq!(recorded.used, USED_PER_TRANSACTION + 10);
        assert_eq!(recorded.statements(), all(&store));
        // The same record again adds nothing.
        let again = record_build(&store, base, &first).unwrap();
        assert_eq!(again.statements(), 0, "{again:?}");
        // A later build on the same input: its own statements only, not the agent's or the
        // input's again.
        let second = BuildRecord {
            started: "2026-12-02T08:00:00Z".into(),
            ended: "2026-12-02T08:00:01Z".into(),
            inputs: vec!["data/policies".into()],
            policies: vec!["https://example.org/policy/p0/1".into()],
            ..Default::default()
        };
        let before = all(&store);
        let recorded = record_build(&store, base, &second).unwrap();
        assert_eq!(before + recorded.statements(), all(&store));
        assert_eq!(recorded.used, 1);
        assert!(recorded
            .new
            .iter()
            .all(|q| q.subject.to_string() == format!("<{}>", recorded.activity)));
    }

    #[test]
    fn file_iris_are_valid_for_any_path() {
        let iri = file_iri("some dir/ä#x.txt");
        assert!(iri.starts_with("file:///"), "{iri}");
        assert!(iri.ends_with("some%20dir/%C3%A4%23x.txt"), "{iri}");
        assert!(NamedNode::new(&iri).is_ok());
    }

    #[test]
    fn a_build_is_an_activity_with_agent_times_and_inputs() {
        let b = BuildRecord {
            started: "2026-12-01T23:00:00.5Z".into(),
            ended: "2026-12-01T23:00:02Z".into(),
            inputs: vec!["data/policies".into()],
            policies: vec!["https://example.org/policy/a/1".into()],
            loaded: 1,
            ..Default::default()
        };
        let base = "https://example.org/";
        let quads = build_quads(base, &b);
        let activity = b.iri(base);
        assert_eq!(activity, "https://example.org/build/20261201T230000.5Z");
        let has = |s: &str, p: &str, o: &str| {
            quads.iter().any(|q| {
                q.subject.to_string() == format!("<{s}>")
                    && q.predicate.as_str() == p
                    && match &q.object {
                        Term::NamedNode(n) => n.as_str() == o,
                        Term::Literal(l) => l.value() == o,
                        _ => false,
                    }
            })
        };
        let prov = |l: &str| format!("{}{l}", ns::PROV);
        assert!(has(&activity, rdf::TYPE.as_str(), &prov("Activity")));
        assert!(has(&activity, &prov("wasAssociatedWith"), &agent_iri(base)));
        assert!(has(
            &agent_iri(base),
            rdf::TYPE.as_str(),
            &prov("SoftwareAgent")
        ));
        assert!(has(
            &agent_iri(base),
            &format!("{OWL}versionInfo"),
            crate::EXTRACTOR_VERSION
        ));
        assert!(has(
            &activity,
            &prov("startedAtTime"),
            "2026-12-01T23:00:00.5Z"
        ));
        assert!(has(&activity, &prov("endedAtTime"), "2026-12-01T23:00:02Z"));
        assert!(has(
            &activity,
            &prov("used"),
            "https://example.org/policy/a/1"
        ));
        assert!(has(&activity, &prov("used"), &file_iri("data/policies")));
        assert!(quads
            .iter()
            .all(|q| q.graph_name.to_string() == "<https://example.org/provenance>"));
    }
}
