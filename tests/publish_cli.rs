//! Provenance and the dataset description as `privacy-kg build` writes them, the evidence
//! selectors' context, and the per-policy compact JSON-LD export, through the binary.

use std::path::Path;
use std::process::Output;

mod common;
use common::{bin, built_samples, samples};

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// CSV rows (without the header) of a query.
fn query(store: &Path, sparql: &str) -> Vec<String> {
    let out = ok(bin()
        .args(["query", "--format", "csv", "--store"])
        .arg(store)
        .args(["--sparql", sparql])
        .output()
        .unwrap());
    out.lines().skip(1).map(|l| l.trim().to_string()).collect()
}

const PREFIXES: &str = "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX void: <http://rdfs.org/ns/void#> PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dct: <http://purl.org/dc/terms/> PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX pp: <https://w3id.org/privacy-kg/ns#> ";

#[test]
fn builds_record_provenance_and_describe_the_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("kg.db");
    let licence = "https://creativecommons.org/licenses/by/4.0/";
    let summary = ok(bin()
        .args(["build", "--license", licence, "--store"])
        .arg(&store)
        .arg(samples())
        .output()
        .unwrap());
    assert!(summary.contains("published"), "{summary}");

    // One activity, by this version of privacy-kg, with times and the inputs it used.
    let activities = query(
        &store,
        &format!("{PREFIXES} SELECT ?a ?v ?start ?end (COUNT(DISTINCT ?p) AS ?policies) WHERE {{ GRAPH <https://w3id.org/privacy-kg/id/provenance> {{ ?a a prov:Activity ; prov:wasAssociatedWith ?agent ; prov:startedAtTime ?start ; prov:endedAtTime ?end . ?agent a prov:SoftwareAgent ; <http://www.w3.org/2002/07/owl#versionInfo> ?v . ?a prov:used ?p . ?p a pp:PrivacyPolicy }} }} GROUP BY ?a ?v ?start ?end"),
    );
    // The policies are typed in their own graphs, not in the provenance graph.
    assert!(activities.is_empty(), "{activities:?}");
    let activities = query(
        &store,
        &format!("{PREFIXES} SELECT ?a ?v ?start ?end (COUNT(DISTINCT ?p) AS ?policies) WHERE {{ GRAPH <https://w3id.org/privacy-kg/id/provenance> {{ ?a a prov:Activity ; prov:wasAssociatedWith ?agent ; prov:startedAtTime ?start ; prov:endedAtTime ?end . ?agent <http://www.w3.org/2002/07/owl#versionInfo> ?v . ?a prov:used ?p }} GRAPH ?p {{ ?p a pp:PrivacyPolicy }} }} GROUP BY ?a ?v ?start ?end"),
    );
    assert_eq!(activities.len(), 1, "{activities:?}");
    let cols: Vec<&str> = activities[0].split(',').collect();
    assert_eq!(cols[1], env!("CARGO_PKG_VERSION"));
    assert!(cols[2] <= cols[3], "started after it ended: {cols:?}");
    assert_eq!(cols[4], "5");
    let inputs = query(
        &store,
        &format!("{PREFIXES} SELECT ?i WHERE {{ ?a prov:used ?i . ?i a prov:Entity ; <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(STRSTARTS(STR(?i), \"file:///\")) }}"),
    );
    assert_eq!(inputs.len(), 1, "{inputs:?}");

    // The description: size, licence, DPV, distributions with media types.
    let described = query(
        &store,
        &format!("{PREFIXES} SELECT ?triples ?classes ?licence WHERE {{ GRAPH <https://w3id.org/privacy-kg/id/void> {{ ?d a void:Dataset, dcat:Dataset ; void:triples ?triples ; void:classes ?classes ; dct:license ?licence ; dct:conformsTo <https://w3id.org/dpv> }} }}"),
    );
    assert_eq!(described.len(), 1, "{described:?}");
    let cols: Vec<&str> = described[0].split(',').collect();
    assert!(cols[0].parse::<usize>().unwrap() > 1000);
    // pp:Organisation, pp:PrivacyPolicy, pp:Practice, pp:Evidence, the two selectors, …
    assert!(cols[1].parse::<usize>().unwrap() >= 6, "{cols:?}");
    assert_eq!(cols[2], licence);
    let media = query(
        &store,
        &format!("{PREFIXES} SELECT DISTINCT ?m WHERE {{ ?d dcat:distribution ?x . ?x dcat:mediaType ?m }} ORDER BY ?m"),
    );
    assert!(
        media.iter().any(|m| m.ends_with("application/n-quads")),
        "{media:?}"
    );
    assert!(
        media.iter().any(|m| m.ends_with("application/ld+json")),
        "{media:?}"
    );
    let policies = query(
        &store,
        &format!("{PREFIXES} SELECT ?n WHERE {{ ?d void:classPartition ?c . ?c void:class pp:PrivacyPolicy ; void:entities ?n }}"),
    );
    assert_eq!(policies, ["5"]);

    // A rebuild with nothing new: a second activity that used no policy, licence kept.
    build_samples_into(&store);
    let counts = query(
        &store,
        &format!("{PREFIXES} SELECT ?a (COUNT(?p) AS ?n) WHERE {{ ?a a prov:Activity OPTIONAL {{ ?a prov:used ?p FILTER(!STRSTARTS(STR(?p), \"file:\")) }} }} GROUP BY ?a ORDER BY ?a"),
    );
    assert_eq!(counts.len(), 2, "{counts:?}");
    assert!(counts[1].ends_with(",0"), "{counts:?}");
    let kept = query(
        &store,
        &format!("{PREFIXES} SELECT ?l WHERE {{ GRAPH <https://w3id.org/privacy-kg/id/void> {{ ?d a void:Dataset ; dct:license ?l }} }}"),
    );
    assert_eq!(kept, [licence]);
}

/// Builds the samples into `store` (again), as `privacy-kg build` with no options.
fn build_samples_into(store: &Path) -> String {
    ok(bin()
        .args(["build", "--store"])
        .arg(store)
        .arg(samples())
        .output()
        .unwrap())
}

/// The organisations the dataset description counts.
fn described_organisations(store: &Path) -> usize {
    let n = query(
        store,
        &format!("{PREFIXES} SELECT ?n WHERE {{ GRAPH <https://w3id.org/privacy-kg/id/void> {{ ?d void:classPartition ?c . ?c void:class pp:Organisation ; void:entities ?n }} }}"),
    );
    n[0].parse().unwrap()
}

#[test]
fn what_load_adds_between_builds_is_in_the_next_description() {
    let dir = tempfile::tempdir().unwrap();
    let store = built_samples(dir.path());
    let counts = store.join("privacy-kg-counts.json");
    assert!(counts.exists(), "a build keeps its counts");
    let organisations = described_organisations(&store);
    // An organisation no sample names, typed in a graph of its own, loaded from a file.
    let extra = dir.path().join("extra.nq");
    std::fs::write(
        &extra,
        "<https://example.org/org/extra> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/privacy-kg/ns#Organisation> <https://example.org/graph/extra> .\n",
    )
    .unwrap();
    ok(bin()
        .args(["load", "--store"])
        .arg(&store)
        .arg(&extra)
        .output()
        .unwrap());
    assert!(!counts.exists(), "load counts nothing, so leaves no counts");
    build_samples_into(&store);
    assert!(counts.exists());
    assert_eq!(described_organisations(&store), organisations + 1);
    let void = "https://w3id.org/privacy-kg/id/void";
    let described = query(
        &store,
        &format!("{PREFIXES} SELECT ?n WHERE {{ GRAPH <{void}> {{ ?d a void:Dataset ; void:triples ?n }} }}"),
    );
    let outside = query(
        &store,
        &format!(
            "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{void}>) }}"
        ),
    );
    assert_eq!(described, outside, "the loaded statement is counted too");
}

#[test]
fn quote_selectors_carry_prefix_and_suffix() {
    let dir = tempfile::tempdir().unwrap();
    let store = built_samples(dir.path());
    let rows = query(
        &store,
        &format!("{PREFIXES} SELECT (COUNT(*) AS ?all) (COUNT(?p) AS ?prefixed) (COUNT(?s) AS ?suffixed) WHERE {{ ?q a oa:TextQuoteSelector OPTIONAL {{ ?q oa:prefix ?p }} OPTIONAL {{ ?q oa:suffix ?s }} }}"),
    );
    let cols: Vec<usize> = rows[0].split(',').map(|c| c.parse().unwrap()).collect();
    assert!(cols[0] > 20);
    // Only a quote at the very start (or end) of a text lacks a prefix (or suffix).
    assert!(cols[1] + 5 >= cols[0] && cols[2] + 5 >= cols[0], "{cols:?}");
    // The prefix and suffix are the text just before and after the quote.
    let around = query(
        &store,
        &format!("{PREFIXES} SELECT (COUNT(*) AS ?n) WHERE {{ ?q oa:exact ?e ; oa:prefix ?p ; oa:suffix ?s FILTER(STRSTARTS(?e, \"We do not sell, rent or trade your e-mail address\") && STRENDS(?p, \"the site or the public.\\n\") && STRSTARTS(?s, \" We may, however, use third part\")) }}"),
    );
    assert_eq!(around, ["1"]);
}

#[test]
fn compact_json_ld_export_writes_one_document_per_policy() {
    let dir = tempfile::tempdir().unwrap();
    let store = built_samples(dir.path());
    let out = dir.path().join("jsonld");
    ok(bin()
        .args(["export", "--format", "jsonld-compact", "-o"])
        .arg(&out)
        .arg("--store")
        .arg(&store)
        .output()
        .unwrap());
    let files: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 5, "{files:?}");
    let igroops = out.join("igroops.com_2018-04-11.jsonld");
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&igroops).unwrap()).unwrap();
    assert_eq!(doc["@context"]["dpv"], "https://w3id.org/dpv#");
    // One policy by IRI on standard output; without -o or --policy the format is refused.
    let one = ok(bin()
        .args([
            "export",
            "--format",
            "jsonld-compact",
            "--policy",
            "https://w3id.org/privacy-kg/id/policy/igroops.com/2018-04-11",
            "--store",
        ])
        .arg(&store)
        .output()
        .unwrap());
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&one).unwrap(),
        doc
    );
    let refused = bin()
        .args(["export", "--format", "jsonld-compact", "--store"])
        .arg(&store)
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
}
