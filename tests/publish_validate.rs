//! SHACL validation: the samples conform, and a deliberately broken graph is caught, each
//! fault by the constraint it breaks.

use oxigraph::model::{GraphName, Literal, NamedNode, Quad, Term};
use privacy_kg::store::Store;
use privacy_kg::validate::{self, Shapes};
use privacy_kg::vocab::ns;

mod common;
use common::sample_memory_store;

fn n(iri: &str) -> NamedNode {
    NamedNode::new_unchecked(iri)
}

/// The first quad matching a predicate (and object, when given).
fn find(store: &Store, predicate: &str, object: Option<Term>) -> Quad {
    store
        .oxigraph()
        .quads_for_pattern(
            None,
            Some(n(predicate).as_ref()),
            object.as_ref().map(|o| o.as_ref()),
            None,
        )
        .next()
        .unwrap()
        .unwrap()
}

#[test]
fn the_samples_conform() {
    let (store, _) = sample_memory_store();
    let report = validate::validate(&store, &Shapes::embedded().unwrap(), 5).unwrap();
    assert!(report.conforms(), "{report}");
    let practices = report
        .targets
        .iter()
        .find(|(_, c, _)| c == &format!("{}Practice", ns::PP))
        .unwrap();
    assert!(practices.2 > 20, "{report}");
}

#[test]
fn a_broken_graph_is_caught() {
    let (store, _) = sample_memory_store();
    let db = store.oxigraph();
    let pp = |l: &str| format!("{}{l}", ns::PP);
    let dpv = |l: &str| format!("{}{l}", ns::DPV);
    let oa = |l: &str| format!("{}{l}", ns::OA);

    // 1. A practice loses the policy it is stated in.
    let stated = find(&store, &pp("statedIn"), None);
    db.remove(&stated).unwrap();
    // 2. A negated practice loses its prohibition.
    let rule = find(&store, &dpv("hasRule"), None);
    db.remove(&rule).unwrap();
    // 3. A text position ends before it starts.
    let end = find(&store, &oa("end"), None);
    db.remove(&end).unwrap();
    db.insert(&Quad::new(
        end.subject.clone(),
        end.predicate.clone(),
        Literal::from(-1),
        end.graph_name.clone(),
    ))
    .unwrap();
    // 4. A practice of an unknown kind, with a data type that is no concept.
    let kind = find(&store, &pp("kind"), None);
    let graph: GraphName = kind.graph_name.clone();
    db.insert(&Quad::new(
        kind.subject.clone(),
        n(&pp("kind")),
        n(&format!("{}teleport", ns::PRACTICE)),
        graph.clone(),
    ))
    .unwrap();
    db.insert(&Quad::new(
        kind.subject.clone(),
        n(&dpv("hasPersonalData")),
        n("https://example.org/not-a-concept"),
        graph,
    ))
    .unwrap();

    let report = validate::validate(&store, &Shapes::embedded().unwrap(), 5).unwrap();
    assert!(!report.conforms());
    let caught = |description: &str, focus: &str| {
        report.findings.iter().any(|f| {
            f.constraint.description.starts_with(description)
                && f.examples.iter().any(|v| v.focus.contains(focus))
        })
    };
    let subject = |q: &Quad| match &q.subject {
        oxigraph::model::NamedOrBlankNode::NamedNode(n) => n.as_str().to_string(),
        other => other.to_string(),
    };
    assert!(
        caught("pp:statedIn sh:minCount 1", &subject(&stated)),
        "{report}"
    );
    assert!(
        report.findings.iter().any(|f| f
            .constraint
            .message
            .as_deref()
            .is_some_and(|m| m.contains("dpv:Prohibition"))
            && f.examples.iter().any(|v| v.focus.contains(&subject(&rule)))),
        "{report}"
    );
    assert!(
        report.findings.iter().any(|f| f
            .constraint
            .message
            .as_deref()
            .is_some_and(|m| m.contains("starts before it ends"))),
        "{report}"
    );
    assert!(caught("pp:kind sh:maxCount 1", &subject(&kind)), "{report}");
    assert!(caught("pp:kind sh:in", &subject(&kind)), "{report}");
    assert!(
        caught("dpv:hasPersonalData sh:class", &subject(&kind)),
        "{report}"
    );
    // The report names what broke and where.
    let text = report.to_string();
    assert!(text.contains("does not conform"), "{text}");
    assert!(text.contains("pps:PracticeShape"), "{text}");
}

#[test]
fn the_command_exits_non_zero_on_a_broken_store() {
    let dir = tempfile::tempdir().unwrap();
    let store_path = dir.path().join("kg.db");
    let bin = env!("CARGO_BIN_EXE_privacy-kg");
    let samples = concat!(env!("CARGO_MANIFEST_DIR"), "/data/policies");
    let built = std::process::Command::new(bin)
        .args(["build", "--store"])
        .arg(&store_path)
        .arg(samples)
        .output()
        .unwrap();
    assert!(built.status.success());
    let ok = std::process::Command::new(bin)
        .args(["validate", "--store"])
        .arg(&store_path)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("conforms"));

    // Break it through SPARQL-free access: open the store, drop every pp:negated.
    {
        let store = Store::open(&store_path).unwrap();
        let negated: Vec<Quad> = store
            .oxigraph()
            .quads_for_pattern(
                None,
                Some(n(&format!("{}negated", ns::PP)).as_ref()),
                None,
                None,
            )
            .map(Result::unwrap)
            .collect();
        for q in &negated {
            store.oxigraph().remove(q).unwrap();
        }
    }
    let bad = std::process::Command::new(bin)
        .args(["validate", "--store"])
        .arg(&store_path)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let out = String::from_utf8_lossy(&bad.stdout);
    assert!(out.contains("pp:negated sh:minCount 1"), "{out}");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("does not conform"));
}
