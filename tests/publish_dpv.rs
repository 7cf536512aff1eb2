//! DPV alignment: every concept the extractor can emit maps to a DPV 2.3 term, every DPV term
//! the ontology or the graph uses is one that exists in DPV 2.3, and the DPV statements the
//! graph makes about practices (rules, processing, sale) are there.

use std::collections::BTreeSet;

use oxigraph::model::Term;
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use privacy_kg::store::Store;
use privacy_kg::vocab::{ns, Vocabulary};

mod common;
use common::sample_memory_store;

/// The DPV terms privacy-kg uses. A mapping to a new term must be added here on purpose, and the
/// term must be in the verified DPV 2.3 list (`tests/fixtures/dpv-2.3-terms.txt`).
const USED: &[&str] = &[
    // properties written on practices
    "dpv:hasPersonalData",
    "dpv:hasPurpose",
    "dpv:hasRecipient",
    "dpv:hasRule",
    "dpv:Prohibition",
    // schema alignment (ontology/privacy-kg.ttl)
    "dpv:DataController",
    "dpv:Organisation",
    "dpv:PrivacyNotice",
    "dpv:Process",
    // processing operations of practice kinds
    "dpv:Collect",
    "dpv:Disclose",
    "dpv:Share",
    "dpv:Store",
    "dpv:Use",
    // practice kinds that are not processing, and conditions
    "dpv:Child",
    "dpv:Consent",
    "dpv:ConsentControl",
    "dpv:Contract",
    "dpv:LegalObligation",
    "dpv:NoticeUpdated",
    "dpv:RightsFulfilment",
    "dpv:TechnicalMeasure",
    "dpv:Tracking",
    // recipients
    "dpv:DataProcessor",
    "dpv:GovernmentalOrganisation",
    "dpv:JudicialOrganisation",
    "dpv:LawEnforcementOrganisation",
    "dpv:Recipient",
    "dpv:ThirdParty",
    // purposes
    "dpv:AccountManagement",
    "dpv:Advertising",
    "dpv:CommunicationManagement",
    "dpv:CustomerCare",
    "dpv:CustomerOrderManagement",
    "dpv:CustomerRelationshipManagement",
    "dpv:DeliveryOfGoods",
    "dpv:DirectMarketing",
    "dpv:DisputeManagement",
    "dpv:EnforceSecurity",
    "dpv:FraudPreventionAndDetection",
    "dpv:IdentityVerification",
    "dpv:ImproveExistingProductsAndServices",
    "dpv:LegalCompliance",
    "dpv:Marketing",
    "dpv:MisusePreventionAndDetection",
    "dpv:OrganisationGovernance",
    "dpv:PaymentManagement",
    "dpv:Personalisation",
    "dpv:PersonalisedAdvertising",
    "dpv:ProvidePersonalisedRecommendations",
    "dpv:RecruitmentManagement",
    "dpv:RequestedServiceProvision",
    "dpv:ResearchAndDevelopment",
    "dpv:SellDataToThirdParties",
    "dpv:ServicePersonalisation",
    "dpv:ServiceProvision",
    "dpv:ServiceRegistration",
    "dpv:ServiceUsageAnalytics",
    "dpv:TargetedAdvertising",
    "dpv:TechnicalServiceProvision",
    // data: DPV core
    "dpv:AnonymisedData",
    "dpv:InferredPersonalData",
    "dpv:NonPersonalData",
    "dpv:PersonalData",
    "dpv:ProvidedPersonalData",
    "dpv:SensitivePersonalData",
];

/// The personal-data categories (pd:) used; kept apart because there are many.
fn used_pd() -> BTreeSet<String> {
    let text = include_str!("../ontology/dpv-alignment.ttl");
    let mut out = BTreeSet::new();
    for word in text.split(|c: char| c.is_whitespace() || c == ';' || c == ',') {
        if let Some(local) = word.strip_prefix("pd:") {
            let local = local.trim_end_matches('.');
            if !local.is_empty() {
                out.insert(format!("pd:{local}"));
            }
        }
    }
    out
}

/// The verified DPV 2.3 terms, from the fixture file.
fn verified() -> BTreeSet<String> {
    let text = include_str!("fixtures/dpv-2.3-terms.txt");
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap().trim();
        let Some((prefix, terms)) = line.split_once(':') else {
            continue;
        };
        for t in terms.split_whitespace() {
            out.insert(format!("{prefix}:{t}"));
        }
    }
    out
}

/// A DPV term as a CURIE; the namespaces themselves (`void:vocabulary dpv:`) are no terms.
fn curie(iri: &str) -> Option<String> {
    if let Some(l) = iri.strip_prefix(ns::PD).filter(|l| !l.is_empty()) {
        Some(format!("pd:{l}"))
    } else {
        iri.strip_prefix(ns::DPV)
            .filter(|l| !l.is_empty())
            .map(|l| format!("dpv:{l}"))
    }
}

/// A SELECT over the union of all graphs, as saved queries see the store.
fn select(store: &Store, query: &str) -> Vec<Vec<Option<Term>>> {
    let mut prepared = SparqlEvaluator::new().parse_query(query).unwrap();
    prepared.dataset_mut().set_default_graph_as_union();
    let QueryResults::Solutions(solutions) = prepared.on_store(store.oxigraph()).execute().unwrap()
    else {
        panic!("not a SELECT")
    };
    let vars = solutions.variables().to_vec();
    solutions
        .map(|s| {
            let s = s.unwrap();
            vars.iter().map(|v| s.get(v).cloned()).collect()
        })
        .collect()
}

/// Every DPV term anywhere in the store: subject, predicate or object.
fn dpv_terms_in(store: &Store) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for q in store.oxigraph().iter() {
        let q = q.unwrap();
        let mut iris = vec![q.predicate.as_str().to_string()];
        if let oxigraph::model::NamedOrBlankNode::NamedNode(n) = &q.subject {
            iris.push(n.as_str().to_string());
        }
        if let Term::NamedNode(n) = &q.object {
            iris.push(n.as_str().to_string());
        }
        out.extend(iris.iter().filter_map(|i| curie(i)));
    }
    out
}

#[test]
fn the_list_of_used_terms_is_verified_dpv_2_3() {
    let verified = verified();
    let used: BTreeSet<String> = USED
        .iter()
        .map(|s| s.to_string())
        .chain(used_pd())
        .collect();
    let unverified: Vec<_> = used.difference(&verified).collect();
    assert!(
        unverified.is_empty(),
        "terms not found in DPV 2.3: {unverified:?}"
    );
    // The spelling DPV 2.3 uses, not the American one some older lists have.
    assert!(used.contains("pd:BrowsingBehaviour"));
    assert!(!verified.contains("pd:BrowsingBehavior"));
}

#[test]
fn the_ontology_and_graph_use_only_listed_terms() {
    let (store, _) = sample_memory_store();
    let found = dpv_terms_in(&store);
    let used: BTreeSet<String> = USED
        .iter()
        .map(|s| s.to_string())
        .chain(used_pd())
        .collect();
    let unlisted: Vec<_> = found.difference(&used).collect();
    assert!(
        unlisted.is_empty(),
        "DPV terms used but not in the test's list (typo, or add them after checking DPV 2.3): {unlisted:?}"
    );
    let unused: Vec<_> = USED.iter().filter(|t| !found.contains(**t)).collect();
    assert!(unused.is_empty(), "listed but never used: {unused:?}");
}

#[test]
fn every_emittable_concept_has_a_dpv_term() {
    let (store, _) = sample_memory_store();
    let rows = select(
        &store,
        &format!(
            "PREFIX skos: <{skos}> PREFIX pp: <{pp}>
             SELECT ?c WHERE {{
               GRAPH <{g}> {{
                 ?c skos:inScheme ?s .
                 VALUES ?s {{ pp:DataTypes pp:Purposes pp:Recipients pp:PracticeKinds }}
                 FILTER NOT EXISTS {{
                   ?c skos:exactMatch|skos:closeMatch|skos:broadMatch|skos:relatedMatch ?d .
                   FILTER(STRSTARTS(STR(?d), \"https://w3id.org/dpv\"))
                 }}
               }}
             }}",
            skos = ns::SKOS,
            pp = ns::PP,
            g = ns::ONTOLOGY_GRAPH
        ),
    );
    let missing: Vec<String> = rows
        .iter()
        .map(|r| r[0].as_ref().unwrap().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "concepts without a DPV term: {missing:?}"
    );
    // And the scheme is not empty: the query above would pass on an empty ontology graph.
    let n = select(
        &store,
        &format!(
            "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{}> {{ ?c <{}inScheme> ?s }} }}",
            ns::ONTOLOGY_GRAPH,
            ns::SKOS
        ),
    );
    let Some(Term::Literal(l)) = &n[0][0] else {
        panic!()
    };
    assert!(l.value().parse::<usize>().unwrap() > 150);
}

#[test]
fn issue_examples_map_as_stated() {
    let vocab = Vocabulary::embedded().unwrap();
    let maps = |concept: &str, dpv: &str| {
        let id = vocab.by_iri(concept).unwrap_or_else(|| panic!("{concept}"));
        vocab.concept(id).dpv.iter().any(|d| d == dpv)
    };
    let d = |l: &str| format!("{}{l}", ns::DATA);
    let p = |l: &str| format!("{}{l}", ns::PURPOSE);
    let r = |l: &str| format!("{}{l}", ns::RECIPIENT);
    let k = |l: &str| format!("{}{l}", ns::PRACTICE);
    let pd = |l: &str| format!("{}{l}", ns::PD);
    let dpv = |l: &str| format!("{}{l}", ns::DPV);
    assert!(maps(&d("EmailAddress"), &pd("EmailAddress")));
    assert!(maps(&d("IPAddress"), &pd("IPAddress")));
    assert!(maps(&p("SaleOfData"), &dpv("SellDataToThirdParties")));
    assert!(maps(&p("Marketing"), &dpv("Marketing")));
    assert!(maps(
        &r("LawEnforcement"),
        &dpv("LawEnforcementOrganisation")
    ));
    assert!(maps(&k("collect"), &dpv("Collect")));
    assert!(maps(&k("retain"), &dpv("Store")));
}

#[test]
fn practices_carry_rules_processing_and_sale() {
    let (store, _) = sample_memory_store();
    let count = |q: &str| -> usize {
        let rows = select(&store, q);
        match &rows[0][0] {
            Some(Term::Literal(l)) => l.value().parse().unwrap(),
            other => panic!("{other:?}"),
        }
    };
    let prefixes = format!(
        "PREFIX pp: <{}> PREFIX dpv: <{}> PREFIX skos: <{}> ",
        ns::PP,
        ns::DPV,
        ns::SKOS
    );
    let negated = count(&format!(
        "{prefixes} SELECT (COUNT(*) AS ?n) WHERE {{ ?p a pp:Practice ; pp:negated true }}"
    ));
    assert!(negated > 0, "the samples state things they do not do");
    // Every negated practice is a prohibition, and no affirmed one is.
    assert_eq!(
        count(&format!(
            "{prefixes} SELECT (COUNT(*) AS ?n) WHERE {{ ?p a pp:Practice ; pp:negated true FILTER NOT EXISTS {{ ?p dpv:hasRule dpv:Prohibition }} }}"
        )),
        0
    );
    assert_eq!(
        count(&format!(
            "{prefixes} SELECT (COUNT(*) AS ?n) WHERE {{ ?p a pp:Practice ; pp:negated false ; dpv:hasRule ?r }}"
        )),
        0
    );
    // dpv:hasProcessing is not written (docs/graph.md materialises it from the kind), so every
    // kind a practice has must map to a DPV term.
    assert_eq!(
        count(&format!(
            "{prefixes} SELECT (COUNT(*) AS ?n) WHERE {{ ?p pp:kind ?k FILTER NOT EXISTS {{ ?k skos:exactMatch|skos:closeMatch|skos:relatedMatch ?d FILTER STRSTARTS(STR(?d), STR(dpv:)) }} }}"
        )),
        0
    );
    // Sale is the purpose dpv:SellDataToThirdParties on every sell practice.
    let sells = count(&format!(
        "{prefixes} SELECT (COUNT(*) AS ?n) WHERE {{ ?p pp:kind <{}sell> }}",
        ns::PRACTICE
    ));
    assert!(sells > 0);
    assert_eq!(
        count(&format!(
            "{prefixes} SELECT (COUNT(*) AS ?n) WHERE {{ ?p pp:kind <{}sell> FILTER NOT EXISTS {{ ?p dpv:hasPurpose ?c . ?c skos:exactMatch dpv:SellDataToThirdParties }} }}",
            ns::PRACTICE
        )),
        0
    );
}
