//! One compact, readable JSON-LD document per policy: short terms from a fixed `@context`
//! (pp:, dpv:, pd:, prov:, oa: and the concept prefixes), the policy as the root node with
//! its organisation, its practices (through the reverse of `pp:statedIn`) and their
//! evidence nested where first referenced, all inside the policy's named graph.
//!
//! Neither oxigraph nor sophia compacts JSON-LD, and a general compaction algorithm buys
//! nothing when the shape of the graph is known: the document is written with serde_json
//! against the fixed context below. Anything the context has no term for still round-trips
//! (as a compact IRI key with expanded values), so parsing the document back always yields
//! the policy's graph.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{GraphNameRef, NamedNodeRef, NamedOrBlankNode, Quad, Term};
use serde_json::{json, Map, Value};

use crate::store::{Store, StoreError};
use crate::vocab::ns;

/// The fixed context of every compact document.
pub const CONTEXT: &str = r#"{
  "pp": "https://w3id.org/privacy-kg/ns#",
  "ppd": "https://w3id.org/privacy-kg/data/",
  "ppp": "https://w3id.org/privacy-kg/purpose/",
  "ppr": "https://w3id.org/privacy-kg/recipient/",
  "ppk": "https://w3id.org/privacy-kg/practice/",
  "ppc": "https://w3id.org/privacy-kg/condition/",
  "dpv": "https://w3id.org/dpv#",
  "pd": "https://w3id.org/dpv/pd#",
  "prov": "http://www.w3.org/ns/prov#",
  "oa": "http://www.w3.org/ns/oa#",
  "dct": "http://purl.org/dc/terms/",
  "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
  "xsd": "http://www.w3.org/2001/XMLSchema#",
  "PrivacyPolicy": "pp:PrivacyPolicy",
  "Organisation": "pp:Organisation",
  "Practice": "pp:Practice",
  "Evidence": "pp:Evidence",
  "SpecificResource": "oa:SpecificResource",
  "TextQuoteSelector": "oa:TextQuoteSelector",
  "TextPositionSelector": "oa:TextPositionSelector",
  "label": "rdfs:label",
  "domain": "pp:domain",
  "organisation": {"@id": "pp:organisation", "@type": "@id"},
  "archived": {"@id": "pp:archived", "@type": "xsd:date"},
  "source": {"@id": "dct:source", "@type": "@id"},
  "title": "dct:title",
  "sourceFile": "pp:sourceFile",
  "sha256": "pp:sha256",
  "extractorVersion": "pp:extractorVersion",
  "practices": {"@reverse": "pp:statedIn"},
  "statedIn": {"@id": "pp:statedIn", "@type": "@id"},
  "kind": {"@id": "pp:kind", "@type": "@id"},
  "negated": "pp:negated",
  "rule": {"@id": "dpv:hasRule", "@type": "@id"},
  "actor": {"@id": "pp:actor", "@type": "@id"},
  "modality": {"@id": "pp:modality", "@type": "@id"},
  "controller": {"@id": "dpv:hasDataController", "@type": "@id"},
  "processing": {"@id": "dpv:hasProcessing", "@type": "@id"},
  "personalData": {"@id": "dpv:hasPersonalData", "@type": "@id"},
  "purpose": {"@id": "dpv:hasPurpose", "@type": "@id"},
  "recipient": {"@id": "dpv:hasRecipient", "@type": "@id"},
  "condition": {"@id": "pp:condition", "@type": "@id"},
  "conditionText": "pp:conditionText",
  "minimumAge": "pp:minimumAge",
  "derivedFrom": {"@id": "prov:wasDerivedFrom", "@type": "@id"},
  "hasSource": {"@id": "oa:hasSource", "@type": "@id"},
  "selector": {"@id": "oa:hasSelector", "@type": "@id"},
  "exact": "oa:exact",
  "prefix": "oa:prefix",
  "suffix": "oa:suffix",
  "start": "oa:start",
  "end": "oa:end"
}"#;

/// How a term of the context writes its values.
#[derive(Debug, Clone, PartialEq)]
enum Coercion {
    /// No `@type`: strings, numbers and booleans are native JSON.
    None,
    /// `"@type": "@id"`: IRIs are strings.
    Id,
    /// `"@type": datatype`: literals of that datatype are their lexical form.
    Datatype(String),
}

/// The context compiled: prefixes, and for each property IRI its term and coercion.
struct Compiled {
    context: Value,
    prefixes: Vec<(String, String)>,
    properties: HashMap<String, (String, Coercion)>,
    classes: HashMap<String, String>,
}

fn compiled() -> &'static Compiled {
    static C: OnceLock<Compiled> = OnceLock::new();
    C.get_or_init(|| {
        let context: Value = serde_json::from_str(CONTEXT).expect("the fixed context is JSON");
        let obj = context.as_object().expect("an object");
        let mut prefixes = Vec::new();
        for (k, v) in obj {
            if let Some(s) = v.as_str() {
                if s.ends_with(['#', '/']) {
                    prefixes.push((k.clone(), s.to_string()));
                }
            }
        }
        // Longest namespace first, so ppd: wins over a shorter prefix of it.
        prefixes.sort_by_key(|(_, ns)| std::cmp::Reverse(ns.len()));
        let expand = |c: &str| -> String {
            match c.split_once(':') {
                Some((p, l)) => prefixes
                    .iter()
                    .find(|(k, _)| k == p)
                    .map(|(_, ns)| format!("{ns}{l}"))
                    .unwrap_or_else(|| c.to_string()),
                None => c.to_string(),
            }
        };
        let mut properties = HashMap::new();
        let mut classes = HashMap::new();
        for (k, v) in obj {
            match v {
                Value::String(s) if !s.ends_with(['#', '/']) => {
                    let iri = expand(s);
                    if k.starts_with(|c: char| c.is_ascii_uppercase()) {
                        classes.insert(iri, k.clone());
                    } else {
                        properties.insert(iri, (k.clone(), Coercion::None));
                    }
                }
                Value::Object(def) => {
                    let Some(id) = def.get("@id").and_then(Value::as_str) else {
                        continue; // the reverse term, handled apart
                    };
                    let coercion = match def.get("@type").and_then(Value::as_str) {
                        Some("@id") => Coercion::Id,
                        Some(dt) => Coercion::Datatype(expand(dt)),
                        None => Coercion::None,
                    };
                    properties.insert(expand(id), (k.clone(), coercion));
                }
                _ => {}
            }
        }
        Compiled {
            context,
            prefixes,
            properties,
            classes,
        }
    })
}

/// An IRI as a compact IRI when a prefix of the context covers it.
fn compact_iri(iri: &str) -> String {
    for (p, ns) in &compiled().prefixes {
        if let Some(local) = iri.strip_prefix(ns.as_str()) {
            // A local name with characters JSON-LD would misread stays a full IRI.
            if !local.is_empty() && !local.starts_with("//") && !local.contains(['#', '?']) {
                return format!("{p}:{local}");
            }
        }
    }
    iri.to_string()
}

fn node_id(n: &NamedOrBlankNode) -> String {
    match n {
        NamedOrBlankNode::NamedNode(n) => n.as_str().to_string(),
        NamedOrBlankNode::BlankNode(b) => format!("_:{}", b.as_str()),
    }
}

fn term_id(t: &Term) -> Option<String> {
    match t {
        Term::NamedNode(n) => Some(n.as_str().to_string()),
        Term::BlankNode(b) => Some(format!("_:{}", b.as_str())),
        _ => None,
    }
}

/// A node reference in a value: full IRIs for `@id` (document-relative IRIs must not appear).
fn id_string(id: &str) -> String {
    if id.starts_with("_:") {
        id.to_string()
    } else {
        compact_iri(id)
    }
}

/// A literal as a JSON-LD value under a term with the given coercion.
fn literal_value(l: &oxigraph::model::Literal, coercion: &Coercion) -> Value {
    let dt = l.datatype();
    if let Some(lang) = l.language() {
        return json!({"@value": l.value(), "@language": lang});
    }
    match coercion {
        Coercion::Datatype(d) if d == dt.as_str() => return Value::String(l.value().to_string()),
        Coercion::None if dt == xsd::STRING => return Value::String(l.value().to_string()),
        Coercion::None if dt == xsd::BOOLEAN && matches!(l.value(), "true" | "false") => {
            return Value::Bool(l.value() == "true");
        }
        Coercion::None if dt == xsd::INTEGER => {
            // Only canonical forms: a JSON number converts back to its canonical lexical form.
            if let Ok(n) = l.value().parse::<i64>() {
                if n.to_string() == l.value() {
                    return Value::from(n);
                }
            }
        }
        _ => {}
    }
    if dt == xsd::STRING {
        json!({"@value": l.value()})
    } else {
        json!({"@value": l.value(), "@type": compact_iri(dt.as_str())})
    }
}

/// The statements of one graph, by subject, in a fixed order.
struct Graph {
    by_subject: BTreeMap<String, Vec<(String, Term)>>,
}

impl Graph {
    fn new(quads: &[Quad]) -> Graph {
        let mut by_subject: BTreeMap<String, Vec<(String, Term)>> = BTreeMap::new();
        for q in quads {
            by_subject
                .entry(node_id(&q.subject))
                .or_default()
                .push((q.predicate.as_str().to_string(), q.object.clone()));
        }
        for v in by_subject.values_mut() {
            v.sort_by(|a, b| (&a.0, a.1.to_string()).cmp(&(&b.0, b.1.to_string())));
            v.dedup();
        }
        Graph { by_subject }
    }
}

struct Writer<'a> {
    graph: &'a Graph,
    /// Nodes already written in full.
    done: BTreeSet<String>,
    /// The IRI of `pp:statedIn`, written through the reverse term on the policy.
    stated_in: String,
}

impl Writer<'_> {
    /// A node object, nesting the nodes it references that are not written yet.
    fn node(&mut self, id: &str, skip_stated_in: bool) -> Value {
        self.done.insert(id.to_string());
        let c = compiled();
        let mut obj = Map::new();
        obj.insert("@id".into(), Value::String(id_string(id)));
        let empty = Vec::new();
        let props = self.graph.by_subject.get(id).unwrap_or(&empty).clone();
        let mut types = Vec::new();
        let mut values: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for (p, o) in &props {
            if p == rdf::TYPE.as_str() {
                if let Some(t) = term_id(o) {
                    types.push(Value::String(
                        c.classes.get(&t).cloned().unwrap_or_else(|| id_string(&t)),
                    ));
                    continue;
                }
            }
            if skip_stated_in && *p == self.stated_in {
                continue;
            }
            let (key, coercion) = c
                .properties
                .get(p)
                .cloned()
                .unwrap_or_else(|| (compact_iri(p), Coercion::None));
            let value = match o {
                Term::Literal(l) => literal_value(l, &coercion),
                _ => {
                    let target = term_id(o).unwrap_or_default();
                    let nest =
                        self.graph.by_subject.contains_key(&target) && !self.done.contains(&target);
                    if nest {
                        self.node(&target, false)
                    } else if coercion == Coercion::Id {
                        Value::String(id_string(&target))
                    } else {
                        json!({"@id": id_string(&target)})
                    }
                }
            };
            values.entry(key).or_default().push(value);
        }
        if !types.is_empty() {
            obj.insert(
                "@type".into(),
                if types.len() == 1 {
                    types.remove(0)
                } else {
                    Value::Array(types)
                },
            );
        }
        for (k, mut v) in values {
            obj.insert(
                k,
                if v.len() == 1 {
                    v.remove(0)
                } else {
                    Value::Array(v)
                },
            );
        }
        obj.into()
    }
}

/// The compact document of one policy graph, given its quads (all in the graph named
/// `policy`).
pub fn policy_document(policy: &str, quads: &[Quad]) -> Value {
    let graph = Graph::new(quads);
    let stated_in = format!("{}statedIn", ns::PP);
    let mut w = Writer {
        graph: &graph,
        done: BTreeSet::new(),
        stated_in: stated_in.clone(),
    };
    // The practices stated in this policy, nested under it through the reverse term.
    let practices: Vec<String> = graph
        .by_subject
        .iter()
        .filter(|(_, props)| {
            props
                .iter()
                .any(|(p, o)| *p == stated_in && term_id(o).as_deref() == Some(policy))
        })
        .map(|(s, _)| s.clone())
        .collect();
    let mut root = match w.node(policy, false) {
        Value::Object(m) => m,
        _ => unreachable!(),
    };
    // Written first so the organisation and the policy's own links nest before practices.
    let mut nested = Vec::new();
    for p in &practices {
        if !w.done.contains(p) {
            nested.push(w.node(p, true));
        } else {
            // Nested elsewhere already: still state the link.
            nested.push(json!({"@id": id_string(p)}));
        }
    }
    if !nested.is_empty() {
        root.insert("practices".into(), Value::Array(nested));
    }
    let mut items = vec![Value::Object(root)];
    let rest: Vec<String> = graph
        .by_subject
        .keys()
        .filter(|s| !w.done.contains(*s))
        .cloned()
        .collect();
    for s in rest {
        if !w.done.contains(&s) {
            items.push(w.node(&s, false));
        }
    }
    json!({
        "@context": compiled().context.clone(),
        "@id": policy,
        "@graph": items,
    })
}

/// The policy versions in the store, by IRI.
pub fn policies(store: &Store) -> Result<Vec<String>, StoreError> {
    let rows = store.select(&format!(
        "SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?g a <{}PrivacyPolicy> }} }} ORDER BY ?g",
        ns::PP
    ))?;
    Ok(rows
        .into_iter()
        .filter_map(|r| match r.into_iter().next().flatten() {
            Some(Term::NamedNode(n)) => Some(n.into_string()),
            _ => None,
        })
        .collect())
}

/// The quads of a policy's graph.
pub fn policy_quads(store: &Store, policy: &str) -> Result<Vec<Quad>, StoreError> {
    let Ok(g) = NamedNodeRef::new(policy) else {
        return Ok(Vec::new());
    };
    store
        .oxigraph()
        .quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(g)))
        .map(|q| q.map_err(StoreError::from))
        .collect()
}

/// The compact document of a policy in the store; `None` when the store has no such graph.
pub fn policy_document_from_store(
    store: &Store,
    policy: &str,
) -> Result<Option<Value>, StoreError> {
    let quads = policy_quads(store, policy)?;
    Ok((!quads.is_empty()).then(|| policy_document(policy, &quads)))
}

/// A file name for a policy's document: its path after `policy/`, slashes as underscores.
pub fn file_name(policy: &str) -> String {
    let tail = policy
        .rsplit_once("/policy/")
        .map(|(_, t)| t)
        .unwrap_or(policy);
    let name: String = tail
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{name}.jsonld")
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{GraphName, Literal, NamedNode};

    #[test]
    fn context_terms_cover_the_practice_properties() {
        let c = compiled();
        let key = |iri: &str| c.properties.get(iri).map(|(k, _)| k.as_str());
        assert_eq!(
            key(&format!("{}hasPersonalData", ns::DPV)),
            Some("personalData")
        );
        assert_eq!(key(&format!("{}exact", ns::OA)), Some("exact"));
        assert_eq!(
            compact_iri("https://w3id.org/privacy-kg/data/EmailAddress"),
            "ppd:EmailAddress"
        );
        assert_eq!(
            compact_iri("https://w3id.org/dpv/pd#IPAddress"),
            "pd:IPAddress"
        );
    }

    #[test]
    fn a_practice_nests_under_its_policy_with_short_terms() {
        let g = GraphName::NamedNode(NamedNode::new_unchecked("https://x.org/policy/a/1"));
        let n = |s: &str| NamedNode::new_unchecked(s);
        let policy = "https://x.org/policy/a/1";
        let practice = "https://x.org/policy/a/1/practice/01";
        let quads = vec![
            Quad::new(
                n(policy),
                rdf::TYPE,
                n(&format!("{}PrivacyPolicy", ns::PP)),
                g.clone(),
            ),
            Quad::new(
                n(practice),
                rdf::TYPE,
                n(&format!("{}Practice", ns::PP)),
                g.clone(),
            ),
            Quad::new(
                n(practice),
                n(&format!("{}statedIn", ns::PP)),
                n(policy),
                g.clone(),
            ),
            Quad::new(
                n(practice),
                n(&format!("{}negated", ns::PP)),
                Literal::from(true),
                g.clone(),
            ),
            Quad::new(
                n(practice),
                n(&format!("{}hasPersonalData", ns::DPV)),
                n(&format!("{}EmailAddress", ns::DATA)),
                g.clone(),
            ),
        ];
        let doc = policy_document(policy, &quads);
        let root = &doc["@graph"][0];
        assert_eq!(root["@type"], "PrivacyPolicy");
        let p = &root["practices"][0];
        assert_eq!(p["negated"], true);
        assert_eq!(p["personalData"], "ppd:EmailAddress");
        assert!(p.get("statedIn").is_none(), "{p}");
    }
}
