//! What a store holds, counted once and then kept up to date from build to build: its
//! statements, and the distinct subjects of each class (`rdf:type` statements in the named
//! graphs but a few meta graphs). Counting them over the whole store after every build read
//! all of it: the statements took 48 s and the classes 300 s of a 100,000-policy build, and
//! most of a rebuild after 1% at 10,000 policies.
//!
//! The counts live in a file in the store's folder ([`COUNTS_FILE`]), outside the RDF data.
//! Whatever writes the store takes the file away first (a build reads it then deletes it,
//! `load` and history imports delete it) and only a finished build writes it again, so a
//! killed or foreign write leaves no counts and the next build counts afresh.
//!
//! A build counts the statements it adds by counting what it feeds: each document goes into
//! a graph of its own that the store did not have, and its statements are distinct
//! (`graph::quads` writes a practice stated twice once); graphs replaced in place are counted
//! before and after.
//!
//! Counting a build's changes to the classes rests on one property of the graphs privacy-kg
//! makes: a subject whose IRI is its graph's IRI or lies under it (`{policy}/practice/…`) is
//! typed in that graph only, so its pairs are counted per graph without looking elsewhere.
//! Every other typed subject (an organisation, a provenance agent) may be typed in many
//! graphs: for those the build notes in how many graphs each (subject, class) pair appeared
//! and disappeared, and the store says, one index seek per pair, in how many it is typed now.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use oxigraph::model::vocab::rdf;
use oxigraph::model::{GraphName, GraphNameRef, NamedNodeRef, NamedOrBlankNode, Quad, Term};

use super::{Store, StoreError};

/// The file, in a store's folder, holding the store's [`StoreCounts`] as the last build left
/// them (JSON).
pub const COUNTS_FILE: &str = "privacy-kg-counts.json";

/// Where earlier versions kept the entities per class alone: taken away with the counts, so
/// that such a version finds none after a newer one wrote the store.
const OLD_CLASS_COUNTS_FILE: &str = "privacy-kg-class-counts.json";

/// Distinct subjects per class IRI.
pub type ClassCounts = BTreeMap<String, u64>;

/// What a store holds, as a build left it.
#[derive(Debug, Default, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StoreCounts {
    /// Statements in every graph, the default graph and the meta graphs included.
    pub statements: u64,
    /// Distinct subjects per class.
    pub classes: ClassCounts,
}

/// A typed subject and its class, as IRIs (a blank subject as `_:id`).
pub type TypedPair = (String, String);

/// How a build changed the typed statements of a store: the net change of the pairs whose
/// subject lies under its graph, per class, and for the other pairs in how many graphs each
/// appeared and from how many it went.
#[derive(Debug, Default, Clone)]
pub struct ClassTally {
    /// Graphs whose statements are not counted.
    ignored: Vec<String>,
    under_graph: HashMap<String, i64>,
    /// (graphs that now type the pair and did not, graphs that did and no longer do).
    shared: HashMap<TypedPair, (u64, u64)>,
}

/// The counts a store held when a build began, and what the build changed.
#[derive(Debug, Clone)]
pub struct CountChanges {
    pub before: StoreCounts,
    /// Statements added less statements removed.
    pub statements: i64,
    pub tally: ClassTally,
}

impl CountChanges {
    /// Starting from `before`, nothing changed yet; the `ignored` graphs' typing not counted.
    pub fn from(before: StoreCounts, ignored: Vec<String>) -> CountChanges {
        CountChanges {
            before,
            statements: 0,
            tally: ClassTally::ignoring(ignored),
        }
    }

    /// Counts `quads` as new to the store: distinct statements none of which it held.
    pub fn added(&mut self, quads: &[Quad]) {
        self.statements += quads.len() as i64;
        self.tally.gained(quads);
    }

    /// Counts a graph that held `before` when the build began and holds `after` now.
    pub fn changed(&mut self, graph: &str, before: &GraphCounts, after: &GraphCounts) {
        self.statements += after.statements as i64 - before.statements as i64;
        self.tally.changed(graph, &before.typed, &after.typed);
    }

    /// The store's statements now.
    pub fn statements_now(&self) -> u64 {
        (self.before.statements as i64 + self.statements).max(0) as u64
    }
}

/// What one named graph holds: its statements and its typed pairs.
#[derive(Debug, Default, Clone)]
pub struct GraphCounts {
    pub statements: usize,
    pub typed: HashSet<TypedPair>,
}

/// Whether a subject IRI is its graph's IRI or was minted under it.
fn under(subject: &str, graph: &str) -> bool {
    subject
        .strip_prefix(graph)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/') || rest.starts_with('#'))
}

/// A typing statement with an IRI for a class in a named graph: (subject, class, graph),
/// a blank subject as its label (never under a graph).
struct Typing<'a> {
    subject: &'a str,
    blank: bool,
    class: &'a str,
    graph: &'a str,
}

impl Typing<'_> {
    fn of(q: &Quad) -> Option<Typing<'_>> {
        if q.predicate.as_ref() != rdf::TYPE {
            return None;
        }
        let (Term::NamedNode(class), GraphName::NamedNode(graph)) = (&q.object, &q.graph_name)
        else {
            return None;
        };
        let (subject, blank) = match &q.subject {
            NamedOrBlankNode::NamedNode(n) => (n.as_str(), false),
            NamedOrBlankNode::BlankNode(b) => (b.as_str(), true),
        };
        Some(Typing {
            subject,
            blank,
            class: class.as_str(),
            graph: graph.as_str(),
        })
    }

    fn pair(&self) -> TypedPair {
        let subject = if self.blank {
            format!("_:{}", self.subject)
        } else {
            self.subject.to_string()
        };
        (subject, self.class.to_string())
    }

    fn under_graph(&self) -> bool {
        !self.blank && under(self.subject, self.graph)
    }
}

impl ClassTally {
    /// A tally of nothing yet, leaving out the statements of the `ignored` graphs.
    pub fn ignoring(ignored: Vec<String>) -> ClassTally {
        ClassTally {
            ignored,
            ..ClassTally::default()
        }
    }

    fn counts(&self, graph: &str) -> bool {
        !self.ignored.iter().any(|g| g == graph)
    }

    /// Counts the typing statements among `quads` as new to their graphs: the statements of a
    /// graph the store did not have before this build (a new document's, or one copied into
    /// a new store), or statements a graph did not hold. Pairs repeated within `quads` count
    /// once.
    pub fn gained(&mut self, quads: &[Quad]) {
        let mut seen: HashSet<(&str, bool, &str, &str)> = HashSet::new();
        for t in quads.iter().filter_map(Typing::of) {
            if !self.counts(t.graph) || !seen.insert((t.subject, t.blank, t.class, t.graph)) {
                continue;
            }
            if t.under_graph() {
                *self.under_graph.entry(t.class.to_string()).or_default() += 1;
            } else {
                self.shared.entry(t.pair()).or_default().0 += 1;
            }
        }
    }

    /// Counts a graph that held the pairs `before` when the build began and holds `after` now.
    pub fn changed(
        &mut self,
        graph: &str,
        before: &HashSet<TypedPair>,
        after: &HashSet<TypedPair>,
    ) {
        if !self.counts(graph) {
            return;
        }
        for (pairs, others, sign) in [(after, before, 1i64), (before, after, -1)] {
            for pair in pairs.difference(others) {
                if under(&pair.0, graph) {
                    *self.under_graph.entry(pair.1.clone()).or_default() += sign;
                } else {
                    let e = self.shared.entry(pair.clone()).or_default();
                    if sign > 0 {
                        e.0 += 1
                    } else {
                        e.1 += 1
                    }
                }
            }
        }
    }

    /// The counts after the build: `before` changed by this tally, the pairs that may be
    /// typed in other graphs looked up in `store` (the ignored graphs not counted). When
    /// the store began with nothing typed (empty `before`: a fresh store, or one built
    /// beside), every graph typing a pair came through the tally, so nothing is looked up:
    /// at 100,000 policies that saves some 95,000 seeks into a store larger than memory.
    pub fn apply(&self, store: &Store, before: &ClassCounts) -> Result<ClassCounts, StoreError> {
        let mut delta: HashMap<&str, i64> = HashMap::new();
        for (class, n) in &self.under_graph {
            *delta.entry(class).or_default() += n;
        }
        for ((subject, class), (gained, lost)) in &self.shared {
            let (gained, lost) = (*gained as i64, *lost as i64);
            let now = match before.is_empty() {
                true => gained - lost,
                false => store.graphs_typing(subject, class, &self.ignored)? as i64,
            };
            let then = now - gained + lost;
            *delta.entry(class).or_default() += i64::from(now > 0) - i64::from(then > 0);
        }
        let mut after = before.clone();
        for (class, d) in delta {
            let n = after.entry(class.to_string()).or_default();
            *n = (*n as i64 + d).max(0) as u64;
        }
        after.retain(|_, n| *n > 0);
        Ok(after)
    }
}

impl Store {
    /// The statements and typed pairs of one named graph.
    pub fn graph_counts(&self, graph: &str) -> Result<GraphCounts, StoreError> {
        let Ok(g) = NamedNodeRef::new(graph) else {
            return Ok(GraphCounts::default());
        };
        let mut statements = 0;
        for q in self
            .inner
            .quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(g)))
        {
            q?;
            statements += 1;
        }
        Ok(GraphCounts {
            statements,
            typed: self.typed_in_graph(graph)?,
        })
    }

    /// Whether `counts` can be those of this store: they count its build activities (the
    /// distinct `prov:Activity` subjects outside the `meta` graphs) right. A build by a
    /// version that kept no counts adds an activity and leaves counts that are off by one.
    pub fn counts_agree(&self, counts: &StoreCounts, meta: &[String]) -> Result<bool, StoreError> {
        let activity = format!("{}Activity", crate::vocab::ns::PROV);
        let activity = NamedNodeRef::new_unchecked(&activity);
        let mut subjects = HashSet::new();
        for q in self
            .inner
            .quads_for_pattern(None, Some(rdf::TYPE), Some(activity.into()), None)
        {
            let q = q?;
            if let GraphName::NamedNode(g) = &q.graph_name {
                if !meta.iter().any(|m| m == g.as_str()) {
                    subjects.insert(q.subject);
                }
            }
        }
        let kept = counts.classes.get(activity.as_str()).copied().unwrap_or(0);
        Ok(subjects.len() as u64 == kept)
    }

    /// The (subject, class) pairs typed in one named graph.
    pub fn typed_in_graph(&self, graph: &str) -> Result<HashSet<TypedPair>, StoreError> {
        let Ok(g) = NamedNodeRef::new(graph) else {
            return Ok(HashSet::new());
        };
        let mut pairs = HashSet::new();
        for q in self.inner.quads_for_pattern(
            None,
            Some(rdf::TYPE),
            None,
            Some(GraphNameRef::NamedNode(g)),
        ) {
            if let Some(t) = Typing::of(&q?) {
                pairs.insert(t.pair());
            }
        }
        Ok(pairs)
    }

    /// In how many named graphs but `meta` `subject` is typed `class`.
    fn graphs_typing(
        &self,
        subject: &str,
        class: &str,
        meta: &[String],
    ) -> Result<usize, StoreError> {
        let (Ok(s), Ok(c)) = (NamedNodeRef::new(subject), NamedNodeRef::new(class)) else {
            // A blank subject cannot be looked up by its label: counted as still typed.
            return Ok(1);
        };
        let mut n = 0;
        for q in self
            .inner
            .quads_for_pattern(Some(s.into()), Some(rdf::TYPE), Some(c.into()), None)
        {
            if let GraphName::NamedNode(g) = &q?.graph_name {
                if !meta.iter().any(|m| m == g.as_str()) {
                    n += 1;
                }
            }
        }
        Ok(n)
    }

    /// The counts the last build left, and deletes them: from now on they are only right
    /// again once a build has written them anew ([`Store::save_counts`]). None when there
    /// are none (or they cannot be read): the next build counts afresh.
    pub fn take_counts(&self) -> Result<Option<StoreCounts>, StoreError> {
        let Some(dir) = &self.path else {
            return Ok(None);
        };
        let counts = std::fs::read(dir.join(COUNTS_FILE))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok());
        self.forget_counts()?;
        Ok(counts)
    }

    /// Forgets the counts: for writers that do not count what they change.
    pub fn forget_counts(&self) -> Result<(), StoreError> {
        let Some(dir) = &self.path else {
            return Ok(());
        };
        for name in [COUNTS_FILE, OLD_CLASS_COUNTS_FILE] {
            let path = dir.join(name);
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(StoreError::Counts(path.display().to_string(), e)),
            }
        }
        Ok(())
    }

    /// Keeps the store's counts for the next build (written whole, then renamed into
    /// place). Nothing for a store in memory.
    pub fn save_counts(&self, counts: &StoreCounts) -> Result<(), StoreError> {
        let Some(dir) = &self.path else {
            return Ok(());
        };
        write_replacing(
            &dir.join(COUNTS_FILE),
            &serde_json::to_vec_pretty(counts).unwrap_or_default(),
        )
    }
}

/// Writes a file whole under a temporary name, then renames it over `path`.
fn write_replacing(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let mut tmp = path.as_os_str().to_os_string();
    tmp.push(".tmp");
    let fail = |e| StoreError::Counts(path.display().to_string(), e);
    std::fs::write(&tmp, bytes).map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(fail)
}
