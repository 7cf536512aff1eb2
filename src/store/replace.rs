//! Replacing the graphs of documents whose bytes changed, atomically per document: the old
//! statements are removed and the new ones inserted in one Oxigraph transaction (a RocksDB
//! write batch, all or nothing even under `kill -9`), so a policy graph is always either its
//! complete old or its complete new version.
//!
//! A build normally changes few documents, so they go through transactions while the new
//! documents go through the bulk loader. Documents that share an old graph (two inputs of
//! the same policy version, merged) are replaced together, in one transaction, once every one
//! of them has been extracted again; a group whose new statements land in the old graph of a
//! group still waiting joins that group, so that no transaction removes statements another
//! one wrote in this build.

use std::collections::{HashMap, HashSet};

use oxigraph::model::{GraphName, NamedNodeRef, Quad};

use super::{LoadedDocument, Store, StoreError};

/// Statements gathered before a transaction is committed: enough that the per-transaction
/// cost (a snapshot, one write to the log) is small beside the writing, few enough that the
/// write batch (every statement in six indexes, in memory) stays at a few megabytes and a
/// killed build loses little of its work.
const BATCH_QUADS: usize = 5_000;

/// Documents that share an old graph, replaced together.
#[derive(Default)]
struct Group {
    /// Ids not extracted yet.
    waiting: HashSet<String>,
    /// Ids extracted: their new statements are in `quads`.
    arrived: Vec<String>,
    quads: Vec<Quad>,
    /// Old graphs of groups merged into this one, removed with it.
    also_remove: Vec<String>,
}

/// What a replacement did.
#[derive(Debug, Default, Clone)]
pub struct Replaced {
    /// Documents whose old graph was replaced by their new statements.
    pub documents: usize,
    /// Transactions committed.
    pub transactions: usize,
    /// Documents none of whose group could be extracted again: their old graph is kept as
    /// it was (the failure was reported with the document).
    pub kept: Vec<String>,
}

/// An atomic replacement of changed documents, fed their new statements as they are
/// extracted.
pub struct Replacement<'a> {
    store: &'a Store,
    /// The old graph of every document being replaced.
    old_graph: HashMap<String, String>,
    /// Groups not committed yet, by old graph.
    groups: HashMap<String, Group>,
    /// Old graphs merged into another group, and which.
    merged_into: HashMap<String, String>,
    /// Old graphs already removed in this build: new statements may have been written
    /// into them since, so they are never removed again.
    removed: HashSet<String>,
    batch_remove: Vec<String>,
    batch_quads: Vec<Quad>,
    batch_documents: usize,
    /// [`BATCH_QUADS`], smaller in tests.
    batch_limit: usize,
    done: Replaced,
}

impl<'a> Replacement<'a> {
    /// Plans the replacement of `changed` documents (ids the store holds, per `loaded`).
    /// Every other document of `candidates` (the ids among this build's inputs) that shares
    /// an old graph with a changed one is replaced too, so must be extracted again: see
    /// [`Replacement::documents`].
    pub fn new(
        store: &'a Store,
        loaded: &HashMap<String, LoadedDocument>,
        changed: &[String],
        candidates: &HashSet<String>,
    ) -> Replacement<'a> {
        let mut by_graph: HashMap<&str, Vec<&str>> = HashMap::new();
        for (id, doc) in loaded {
            if candidates.contains(id) {
                by_graph.entry(&doc.graph).or_default().push(id);
            }
        }
        let mut old_graph = HashMap::new();
        let mut groups: HashMap<String, Group> = HashMap::new();
        for id in changed {
            let Some(doc) = loaded.get(id) else { continue };
            if groups.contains_key(&doc.graph) {
                continue;
            }
            let mut group = Group::default();
            for member in by_graph.get(doc.graph.as_str()).into_iter().flatten() {
                group.waiting.insert(member.to_string());
                old_graph.insert(member.to_string(), doc.graph.clone());
            }
            group.waiting.insert(id.clone());
            old_graph.insert(id.clone(), doc.graph.clone());
            groups.insert(doc.graph.clone(), group);
        }
        Replacement {
            store,
            old_graph,
            groups,
            merged_into: HashMap::new(),
            removed: HashSet::new(),
            batch_remove: Vec::new(),
            batch_quads: Vec::new(),
            batch_documents: 0,
            batch_limit: BATCH_QUADS,
            done: Replaced::default(),
        }
    }

    /// The ids of the documents replaced, changed or sharing a graph with a changed one.
    pub fn documents(&self) -> impl Iterator<Item = &str> {
        self.old_graph.keys().map(String::as_str)
    }

    /// Whether a document's statements go through this replacement.
    pub fn contains(&self, id: &str) -> bool {
        self.old_graph.contains_key(id)
    }

    /// The graph a document being replaced had before: its new version may take that name
    /// again, as the old graph goes in the same transaction.
    pub fn old_graph(&self, id: &str) -> Option<&str> {
        self.old_graph.get(id).map(String::as_str)
    }

    /// The group an old graph now belongs to.
    fn group_key(&self, graph: &str) -> String {
        let mut key = graph;
        while let Some(next) = self.merged_into.get(key) {
            key = next;
        }
        key.to_string()
    }

    /// Takes a document's new statements; commits its group once every member is in.
    pub fn add(&mut self, id: &str, quads: Vec<Quad>) -> Result<(), StoreError> {
        let Some(graph) = self.old_graph.get(id) else {
            return Ok(());
        };
        let key = self.group_key(graph);
        let Some(group) = self.groups.get_mut(&key) else {
            // The same id again (two inputs with one id) after its group was committed: its
            // statements are added, as the bulk loader merges them.
            self.batch_quads.extend(quads);
            return Ok(());
        };
        if !group.waiting.remove(id) {
            group.quads.extend(quads);
            return Ok(());
        }
        group.arrived.push(id.to_string());
        group.quads.extend(quads);
        if group.waiting.is_empty() {
            self.complete(&key)?;
        }
        Ok(())
    }

    /// A group whose members are all in: into the batch, or, when its new statements go
    /// into the old graph of a group still waiting, into that group.
    fn complete(&mut self, key: &str) -> Result<(), StoreError> {
        let Some(group) = self.groups.remove(key) else {
            return Ok(());
        };
        let targets: HashSet<&str> = group
            .quads
            .iter()
            .filter_map(|q| match &q.graph_name {
                GraphName::NamedNode(n) => Some(n.as_str()),
                _ => None,
            })
            .collect();
        let waiting_target = self
            .groups
            .iter()
            .find(|(k, g)| {
                !g.waiting.is_empty()
                    && (targets.contains(k.as_str())
                        || g.also_remove.iter().any(|a| targets.contains(a.as_str())))
            })
            .map(|(k, _)| k.clone());
        if let Some(target) = waiting_target {
            let into = self.groups.get_mut(&target).expect("found above");
            into.arrived.extend(group.arrived);
            into.quads.extend(group.quads);
            into.also_remove.push(key.to_string());
            into.also_remove.extend(group.also_remove);
            self.merged_into.insert(key.to_string(), target);
            return Ok(());
        }
        for g in std::iter::once(key.to_string()).chain(group.also_remove) {
            if self.removed.insert(g.clone()) {
                self.batch_remove.push(g);
            }
        }
        self.batch_documents += group.arrived.len();
        self.batch_quads.extend(group.quads);
        if self.batch_quads.len() >= self.batch_limit {
            self.commit_batch()?;
        }
        Ok(())
    }

    /// One transaction: the batch's old graphs removed, then its new statements inserted
    /// (removals first, so that no removal takes statements the batch itself writes).
    fn commit_batch(&mut self) -> Result<(), StoreError> {
        if self.batch_remove.is_empty() && self.batch_quads.is_empty() {
            return Ok(());
        }
        let mut tx = self.store.inner.start_transaction()?;
        for g in &self.batch_remove {
            if let Ok(g) = NamedNodeRef::new(g) {
                tx.remove_named_graph(g)?;
            }
        }
        tx.extend(&self.batch_quads);
        tx.commit()?;
        self.done.transactions += 1;
        self.done.documents += self.batch_documents;
        self.batch_remove.clear();
        self.batch_quads.clear();
        self.batch_documents = 0;
        Ok(())
    }

    /// Commits what is left: groups some of whose members never came (they could not be
    /// read again; they were reported) are replaced by the members that did, and groups
    /// none of whose members came keep their old graph.
    pub fn finish(mut self) -> Result<Replaced, StoreError> {
        // First the groups nothing came for, so that none of the others joins one of them:
        // their old graphs are kept whole.
        let mut nothing_came: Vec<String> = self
            .groups
            .iter()
            .filter(|(_, g)| g.arrived.is_empty())
            .map(|(k, _)| k.clone())
            .collect();
        nothing_came.sort();
        for key in nothing_came {
            if let Some(group) = self.groups.remove(&key) {
                let mut kept: Vec<String> = group.waiting.into_iter().collect();
                kept.sort();
                self.done.kept.extend(kept);
            }
        }
        let mut keys: Vec<String> = self.groups.keys().cloned().collect();
        keys.sort();
        for key in keys {
            // Merged into another group meanwhile: completed with it.
            if let Some(group) = self.groups.get_mut(&key) {
                group.waiting.clear();
                self.complete(&key)?;
            }
        }
        self.commit_batch()?;
        Ok(self.done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{Literal, NamedNode, QuadRef};

    fn quad(graph: &str, n: usize) -> Quad {
        Quad::new(
            NamedNode::new(format!("http://x/{graph}/s{n}")).unwrap(),
            NamedNode::new("http://x/p").unwrap(),
            Literal::from(n as i64),
            NamedNode::new(format!("http://x/{graph}")).unwrap(),
        )
    }

    fn quads(graph: &str, range: std::ops::Range<usize>) -> Vec<Quad> {
        range.map(|n| quad(graph, n)).collect()
    }

    fn store_with(graphs: &[(&str, std::ops::Range<usize>)]) -> Store {
        let store = Store::memory().unwrap();
        for (g, r) in graphs {
            for q in quads(g, r.clone()) {
                store.inner.insert(QuadRef::from(&q)).unwrap();
            }
        }
        store
    }

    fn loaded(docs: &[(&str, &str)]) -> HashMap<String, LoadedDocument> {
        docs.iter()
            .map(|(id, g)| {
                (
                    id.to_string(),
                    LoadedDocument {
                        graph: format!("http://x/{g}"),
                        sha256: String::new(),
                        extractor_version: String::new(),
                    },
                )
            })
            .collect()
    }

    fn ids(list: &[&str]) -> HashSet<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_changed_document_is_replaced_whole_and_only_when_committed() {
        let store = store_with(&[("a1", 0..10), ("b", 0..5)]);
        let loaded = loaded(&[("a", "a1"), ("b", "b")]);
        let mut r = Replacement::new(&store, &loaded, &["a".into()], &ids(&["a", "b"]));
        assert!(r.contains("a") && !r.contains("b"));
        r.add("a", quads("a2", 0..7)).unwrap();
        // Gathered in the batch, not written yet.
        assert_eq!(store.statements_per_graph().len(), 2);
        let done = r.finish().unwrap();
        assert_eq!(done.documents, 1);
        assert_eq!(
            store.statements_per_graph(),
            vec![("<http://x/a2>".into(), 7), ("<http://x/b>".into(), 5)]
        );
    }

    #[test]
    fn documents_sharing_a_graph_are_replaced_together() {
        // b is unchanged but shares a's graph: replacing the graph without b's new
        // statements would lose b.
        let store = store_with(&[("ab", 0..10)]);
        let loaded = loaded(&[("a", "ab"), ("b", "ab")]);
        let mut r = Replacement::new(&store, &loaded, &["a".into()], &ids(&["a", "b"]));
        r.batch_limit = 1;
        let mut redo: Vec<&str> = r.documents().collect();
        redo.sort();
        assert_eq!(redo, ["a", "b"]);
        r.add("a", quads("ab", 100..103)).unwrap();
        assert_eq!(
            store.statements_per_graph(),
            vec![("<http://x/ab>".into(), 10)],
            "a alone"
        );
        r.add("b", quads("ab", 200..204)).unwrap();
        assert_eq!(
            store.statements_per_graph(),
            vec![("<http://x/ab>".into(), 7)]
        );
        assert_eq!(r.finish().unwrap().documents, 2);
    }

    #[test]
    fn a_group_writing_into_the_old_graph_of_a_waiting_group_joins_it() {
        // a's new version lands in c's old graph: committing a first and c later would make
        // c's removal take a's new statements.
        let store = store_with(&[("g1", 0..4), ("g2", 0..6)]);
        let loaded = loaded(&[("a", "g1"), ("c", "g2")]);
        let mut r = Replacement::new(
            &store,
            &loaded,
            &["a".into(), "c".into()],
            &ids(&["a", "c"]),
        );
        r.batch_limit = 1;
        r.add("a", quads("g2", 100..103)).unwrap();
        assert_eq!(
            store.statements_per_graph().len(),
            2,
            "nothing written while c waits"
        );
        r.add("c", quads("g2", 200..202)).unwrap();
        assert_eq!(
            store.statements_per_graph(),
            vec![("<http://x/g2>".into(), 5)]
        );
        let done = r.finish().unwrap();
        assert_eq!((done.documents, done.transactions), (2, 1));
    }

    #[test]
    fn a_changed_document_that_never_comes_keeps_its_old_graph() {
        let store = store_with(&[("a1", 0..10), ("c1", 0..3)]);
        let loaded = loaded(&[("a", "a1"), ("c", "c1")]);
        let mut r = Replacement::new(
            &store,
            &loaded,
            &["a".into(), "c".into()],
            &ids(&["a", "c"]),
        );
        r.add("c", quads("c2", 0..2)).unwrap();
        let done = r.finish().unwrap();
        assert_eq!(done.kept, ["a"]);
        assert_eq!(
            store.statements_per_graph(),
            vec![("<http://x/a1>".into(), 10), ("<http://x/c2>".into(), 2)]
        );
    }

    #[test]
    fn a_shared_graph_is_replaced_by_the_documents_that_came() {
        // b could not be read again: the graph gets a's new version and b is reported.
        let store = store_with(&[("ab", 0..10)]);
        let loaded = loaded(&[("a", "ab"), ("b", "ab")]);
        let mut r = Replacement::new(&store, &loaded, &["a".into()], &ids(&["a", "b"]));
        r.add("a", quads("ab", 100..103)).unwrap();
        let done = r.finish().unwrap();
        assert_eq!((done.documents, done.kept.len()), (1, 0));
        assert_eq!(
            store.statements_per_graph(),
            vec![("<http://x/ab>".into(), 3)]
        );
    }
}
