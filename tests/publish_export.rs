//! Every export format parses back into a dataset isomorphic (sophia's blank-node-aware
//! isomorphism) to what the store holds: the whole-store dumps, and each policy's compact
//! JSON-LD document against that policy's graph.

use oxigraph::io::{RdfFormat, RdfParser, RdfSerializer};
use oxigraph::model::{GraphName, Quad};
use privacy_kg::export::{self, compact, Format};
use sophia::api::prelude::*;
use sophia::api::quad::Spog;
use sophia::api::term::SimpleTerm;

mod common;
use common::sample_memory_store;

type Dataset = Vec<Spog<SimpleTerm<'static>>>;

/// Quads as a sophia dataset: written as N-Quads, duplicates dropped, read by sophia's
/// parser, so the comparison never trusts oxigraph's own equality.
fn to_sophia(quads: &[Quad]) -> Dataset {
    let mut w = RdfSerializer::from_format(RdfFormat::NQuads).for_writer(Vec::new());
    for q in quads {
        w.serialize_quad(q).unwrap();
    }
    let text = String::from_utf8(w.finish().unwrap()).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort_unstable();
    lines.dedup();
    let text = lines.join("\n");
    sophia::turtle::parser::nq::NQuadsParser::new()
        .parse_str(&text)
        .collect_quads()
        .unwrap()
}

fn isomorphic(a: &[Quad], b: &[Quad]) -> bool {
    sophia::isomorphism::isomorphic_datasets(&to_sophia(a), &to_sophia(b)).unwrap()
}

fn parse(format: RdfFormat, bytes: &[u8]) -> Vec<Quad> {
    RdfParser::from_format(format)
        .for_slice(bytes)
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{format} does not parse: {e}"))
}

fn in_default_graph(quads: &[Quad]) -> Vec<Quad> {
    quads
        .iter()
        .map(|q| {
            Quad::new(
                q.subject.clone(),
                q.predicate.clone(),
                q.object.clone(),
                GraphName::DefaultGraph,
            )
        })
        .collect()
}

#[test]
fn whole_store_dumps_round_trip() {
    let (store, _) = sample_memory_store();
    let held: Vec<Quad> = store.oxigraph().iter().map(Result::unwrap).collect();
    assert!(held.len() > 1000);
    let merged = in_default_graph(&held);
    for (format, rdf) in [
        (Format::NQuads, RdfFormat::NQuads),
        (Format::TriG, RdfFormat::TriG),
        (
            Format::JsonLd,
            RdfFormat::JsonLd {
                profile: oxigraph::io::JsonLdProfileSet::empty(),
            },
        ),
        (Format::Turtle, RdfFormat::Turtle),
        (Format::NTriples, RdfFormat::NTriples),
        (Format::RdfXml, RdfFormat::RdfXml),
    ] {
        let mut out = Vec::new();
        export::store(&store, format, &mut out).unwrap();
        let back = parse(rdf, &out);
        let expected = if format.has_graphs() { &held } else { &merged };
        assert!(
            isomorphic(&back, expected),
            "{format:?} does not round-trip"
        );
    }
}

#[test]
fn compact_documents_round_trip_per_policy() {
    let (store, _) = sample_memory_store();
    let policies = compact::policies(&store).unwrap();
    assert_eq!(policies.len(), 5);
    for policy in &policies {
        let doc = compact::policy_document_from_store(&store, policy)
            .unwrap()
            .unwrap();
        let text = serde_json::to_vec(&doc).unwrap();
        let back = parse(
            RdfFormat::JsonLd {
                profile: oxigraph::io::JsonLdProfileSet::empty(),
            },
            &text,
        );
        let graph = compact::policy_quads(&store, policy).unwrap();
        assert!(
            isomorphic(&back, &graph),
            "{policy}: compact document differs from the graph ({} vs {} quads)",
            back.len(),
            graph.len()
        );
    }
}

#[test]
fn compact_documents_are_readable() {
    let (store, _) = sample_memory_store();
    let policy = compact::policies(&store)
        .unwrap()
        .into_iter()
        .find(|p| p.contains("igroops.com"))
        .unwrap();
    let doc = compact::policy_document_from_store(&store, &policy)
        .unwrap()
        .unwrap();
    let root = &doc["@graph"][0];
    assert_eq!(root["@type"], "PrivacyPolicy");
    assert_eq!(root["archived"], "2018-04-11");
    assert_eq!(root["organisation"]["domain"], "igroops.com");
    let practices = root["practices"].as_array().unwrap();
    // "We do not sell, rent or trade your e-mail address to third parties."
    let sell = practices
        .iter()
        .find(|p| p["kind"] == "ppk:sell" && p["negated"] == true)
        .expect("the negated sale, with short terms");
    assert_eq!(sell["rule"], "dpv:Prohibition");
    let data = sell["personalData"].to_string();
    assert!(data.contains("ppd:EmailAddress"), "{data}");
    let evidence = &sell["derivedFrom"];
    let selectors = evidence["selector"].to_string();
    assert!(selectors.contains("TextQuoteSelector") && selectors.contains("\"exact\""));
    // No full IRIs where the context has a prefix.
    let text = serde_json::to_string(&doc["@graph"]).unwrap();
    assert!(
        !text.contains("https://w3id.org/dpv#"),
        "uncompacted DPV IRI"
    );
    assert!(
        !text.contains("http://www.w3.org/ns/oa#"),
        "uncompacted oa IRI"
    );
}
