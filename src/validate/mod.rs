//! `privacy-kg validate`: checks the store against the SHACL shapes of `ontology/shapes.ttl`
//! and reports violations readably.
//!
//! No light SHACL crate exists for Rust (the ones that do pull a whole reasoner or an async
//! stack), so this implements the subset of SHACL Core the shapes use by translating every
//! constraint into one SPARQL query over the store, which also keeps validation as fast as
//! Oxigraph's indexes: node shapes with `sh:targetClass`; property shapes whose `sh:path` is
//! a predicate, with `sh:minCount`, `sh:maxCount`, `sh:class`, `sh:datatype`, `sh:nodeKind`,
//! `sh:in`, `sh:hasValue`, `sh:pattern` and `sh:message`; and SHACL-SPARQL `sh:sparql`
//! constraints, run once with `$this` free. A shapes file using any other `sh:` term is
//! rejected rather than half-checked.

use std::fmt;
use std::io::Cursor;

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::Term;
use oxigraph::sparql::SparqlEvaluator;

use crate::store::Store;
use crate::vocab::ns;

/// The shapes built into the binary.
pub const EMBEDDED_SHAPES: &str = include_str!("../../ontology/shapes.ttl");

const SH: &str = "http://www.w3.org/ns/shacl#";

/// The `sh:` terms the translation understands.
const SUPPORTED: &[&str] = &[
    "NodeShape",
    "PropertyShape",
    "SPARQLConstraint",
    "targetClass",
    "property",
    "path",
    "minCount",
    "maxCount",
    "class",
    "datatype",
    "nodeKind",
    "IRI",
    "Literal",
    "BlankNode",
    "in",
    "hasValue",
    "pattern",
    "message",
    "sparql",
    "select",
];

/// Prefixes declared for `sh:select` queries.
const PREFIXES: &[(&str, &str)] = &[
    ("pp", ns::PP),
    ("dpv", ns::DPV),
    ("pd", ns::PD),
    ("oa", ns::OA),
    ("prov", ns::PROV),
    ("xsd", ns::XSD),
    ("rdf", ns::RDF),
    ("rdfs", ns::RDFS),
    ("skos", ns::SKOS),
    ("dct", ns::DCT),
];

/// Why validation could not run.
#[derive(Debug, thiserror::Error)]
pub enum ValidateError {
    #[error("shapes {file}: {message}")]
    Shapes { file: String, message: String },
    #[error("validating: {0}")]
    Query(String),
}

/// One constraint, ready to run: a SELECT whose rows `?this` (and `?value`) are violations.
#[derive(Debug, Clone)]
pub struct Constraint {
    /// The node shape it belongs to.
    pub shape: String,
    /// What it says, e.g. `pp:statedIn sh:minCount 1`.
    pub description: String,
    pub message: Option<String>,
    pub query: String,
}

/// The shapes compiled into constraints.
#[derive(Debug, Clone)]
pub struct Shapes {
    /// (node shape, target class)
    pub targets: Vec<(String, String)>,
    pub constraints: Vec<Constraint>,
}

/// A focus node that breaks a constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub focus: String,
    pub value: Option<String>,
}

/// The violations of one constraint.
#[derive(Debug, Clone)]
pub struct Finding {
    pub constraint: Constraint,
    /// How many violations in all.
    pub count: usize,
    /// The first of them.
    pub examples: Vec<Violation>,
}

/// The outcome of a validation.
#[derive(Debug, Clone)]
pub struct Report {
    /// (node shape, target class, focus nodes)
    pub targets: Vec<(String, String, usize)>,
    pub constraints: usize,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn conforms(&self) -> bool {
        self.findings.is_empty()
    }

    pub fn violations(&self) -> usize {
        self.findings.iter().map(|f| f.count).sum()
    }
}

/// A short name for an IRI in messages.
pub fn short(iri: &str) -> String {
    for (p, n) in PREFIXES
        .iter()
        .chain(&[("sh", SH), ("pps", "https://w3id.org/privacy-kg/shapes#")])
    {
        if let Some(l) = iri.strip_prefix(n) {
            return format!("{p}:{l}");
        }
    }
    format!("<{iri}>")
}

fn show(t: &Term) -> String {
    match t {
        Term::NamedNode(n) => short(n.as_str()),
        Term::BlankNode(b) => format!("_:{}", b.as_str()),
        Term::Literal(l) => {
            let v: String = l.value().chars().take(80).collect();
            format!("{v:?}")
        }
        #[allow(unreachable_patterns)]
        other => other.to_string(),
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let focus: usize = self.targets.iter().map(|t| t.2).sum();
        writeln!(
            f,
            "{} shapes, {} constraints, {} focus nodes:",
            self.targets.len(),
            self.constraints,
            focus
        )?;
        for (shape, class, n) in &self.targets {
            writeln!(f, "  {:<28} {:<26} {n:>8}", short(shape), short(class))?;
        }
        if self.conforms() {
            return writeln!(f, "conforms: no violations");
        }
        writeln!(
            f,
            "does not conform: {} violations of {} constraints",
            self.violations(),
            self.findings.len()
        )?;
        for finding in &self.findings {
            let c = &finding.constraint;
            writeln!(
                f,
                "\n{}  {}  ({} violations)",
                short(&c.shape),
                c.description,
                finding.count
            )?;
            if let Some(m) = &c.message {
                writeln!(f, "  {m}")?;
            }
            for v in &finding.examples {
                match &v.value {
                    Some(value) => writeln!(f, "    {}  value {value}", v.focus)?,
                    None => writeln!(f, "    {}", v.focus)?,
                }
            }
            if finding.count > finding.examples.len() {
                writeln!(
                    f,
                    "    … and {} more",
                    finding.count - finding.examples.len()
                )?;
            }
        }
        Ok(())
    }
}

/// Rows of a SELECT over the union of the store's graphs; an error carries the query, as
/// the constraints' queries are generated.
fn select(store: &Store, query: &str) -> Result<Vec<Vec<Option<Term>>>, String> {
    store
        .select_union(query)
        .map_err(|e| format!("{e}\n{query}"))
}

fn iri_of(t: &Option<Term>) -> Option<String> {
    match t {
        Some(Term::NamedNode(n)) => Some(n.as_str().to_string()),
        _ => None,
    }
}

fn lit_of(t: &Option<Term>) -> Option<String> {
    match t {
        Some(Term::Literal(l)) => Some(l.value().to_string()),
        _ => None,
    }
}

/// A term as SPARQL syntax.
fn sparql_term(t: &Term) -> String {
    t.to_string()
}

/// SPARQL's string literal syntax for a regular expression.
fn sparql_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

impl Shapes {
    /// The shapes built into the binary.
    pub fn embedded() -> Result<Shapes, ValidateError> {
        Self::parse("ontology/shapes.ttl", EMBEDDED_SHAPES)
    }

    /// Compiles a Turtle shapes file into constraints.
    pub fn parse(file: &str, text: &str) -> Result<Shapes, ValidateError> {
        let err = |message: String| ValidateError::Shapes {
            file: file.to_string(),
            message,
        };
        let g = Store::memory().map_err(|e| err(e.to_string()))?;
        g.oxigraph()
            .load_from_reader(RdfParser::from_format(RdfFormat::Turtle), Cursor::new(text))
            .map_err(|e| err(e.to_string()))?;
        // Refuse what is not understood.
        let used = select(
            &g,
            &format!(
                "SELECT DISTINCT ?t WHERE {{ {{ ?s ?t ?o }} UNION {{ ?s a ?t }} FILTER(STRSTARTS(STR(?t), \"{SH}\")) }}"
            ),
        )
        .map_err(err)?;
        let mut unsupported: Vec<String> = used
            .iter()
            .filter_map(|r| iri_of(&r[0]))
            .filter(|t| !SUPPORTED.contains(&&t[SH.len()..]))
            .map(|t| short(&t))
            .collect();
        let node_kinds = select(
            &g,
            &format!("SELECT DISTINCT ?k WHERE {{ ?s <{SH}nodeKind> ?k }}"),
        )
        .map_err(err)?;
        unsupported.extend(
            node_kinds
                .iter()
                .filter_map(|r| iri_of(&r[0]))
                .filter(|k| {
                    ![
                        format!("{SH}IRI"),
                        format!("{SH}Literal"),
                        format!("{SH}BlankNode"),
                    ]
                    .contains(k)
                })
                .map(|k| short(&k)),
        );
        let complex_paths = select(
            &g,
            &format!("SELECT ?p WHERE {{ ?s <{SH}path> ?p FILTER(!isIRI(?p)) }}"),
        )
        .map_err(err)?;
        if !complex_paths.is_empty() {
            unsupported.push("sh:path other than a predicate".into());
        }
        if !unsupported.is_empty() {
            unsupported.sort();
            unsupported.dedup();
            return Err(err(format!(
                "unsupported SHACL features: {}",
                unsupported.join(", ")
            )));
        }

        let mut targets = Vec::new();
        for r in select(
            &g,
            &format!(
                "SELECT ?shape ?class WHERE {{ ?shape <{SH}targetClass> ?class }} ORDER BY ?shape ?class"
            ),
        )
        .map_err(err)?
        {
            if let (Some(s), Some(c)) = (iri_of(&r[0]), iri_of(&r[1])) {
                targets.push((s, c));
            }
        }
        let mut constraints = Vec::new();
        for (shape, class) in &targets {
            // Property shapes.
            let props = select(
                &g,
                &format!(
                    "SELECT ?ps ?path ?min ?max ?class ?dt ?kind ?pattern ?msg ?hasValue WHERE {{
                        <{shape}> <{SH}property> ?ps . ?ps <{SH}path> ?path .
                        OPTIONAL {{ ?ps <{SH}minCount> ?min }} OPTIONAL {{ ?ps <{SH}maxCount> ?max }}
                        OPTIONAL {{ ?ps <{SH}class> ?class }} OPTIONAL {{ ?ps <{SH}datatype> ?dt }}
                        OPTIONAL {{ ?ps <{SH}nodeKind> ?kind }} OPTIONAL {{ ?ps <{SH}pattern> ?pattern }}
                        OPTIONAL {{ ?ps <{SH}message> ?msg }} OPTIONAL {{ ?ps <{SH}hasValue> ?hasValue }}
                    }} ORDER BY ?path"
                ),
            )
            .map_err(err)?;
            for r in props {
                let Some(path) = iri_of(&r[1]) else { continue };
                let message = lit_of(&r[8]);
                let target = format!("?this a <{class}> .");
                let p = short(&path);
                let mut add = |description: String, query: String| {
                    constraints.push(Constraint {
                        shape: shape.clone(),
                        description,
                        message: message.clone(),
                        query,
                    })
                };
                if let Some(min) = lit_of(&r[2]) {
                    add(
                        format!("{p} sh:minCount {min}"),
                        format!(
                            "SELECT ?this WHERE {{ {target} OPTIONAL {{ ?this <{path}> ?v }} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {min})"
                        ),
                    );
                }
                if let Some(max) = lit_of(&r[3]) {
                    add(
                        format!("{p} sh:maxCount {max}"),
                        format!(
                            "SELECT ?this WHERE {{ {target} ?this <{path}> ?v }} GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {max})"
                        ),
                    );
                }
                if let Some(c) = iri_of(&r[4]) {
                    add(
                        format!("{p} sh:class {}", short(&c)),
                        format!(
                            "SELECT ?this ?value WHERE {{ {target} ?this <{path}> ?value FILTER NOT EXISTS {{ ?value <{rdf}type>/<{rdfs}subClassOf>* <{c}> }} }}",
                            rdf = ns::RDF,
                            rdfs = ns::RDFS
                        ),
                    );
                }
                if let Some(dt) = iri_of(&r[5]) {
                    add(
                        format!("{p} sh:datatype {}", short(&dt)),
                        format!(
                            "SELECT ?this ?value WHERE {{ {target} ?this <{path}> ?value FILTER(!isLiteral(?value) || DATATYPE(?value) != <{dt}>) }}"
                        ),
                    );
                }
                if let Some(kind) = iri_of(&r[6]) {
                    let test = match &kind[SH.len()..] {
                        "IRI" => "isIRI",
                        "Literal" => "isLiteral",
                        _ => "isBlank",
                    };
                    add(
                        format!("{p} sh:nodeKind {}", short(&kind)),
                        format!(
                            "SELECT ?this ?value WHERE {{ {target} ?this <{path}> ?value FILTER(!{test}(?value)) }}"
                        ),
                    );
                }
                if let Some(pattern) = lit_of(&r[7]) {
                    add(
                        format!("{p} sh:pattern {pattern:?}"),
                        format!(
                            "SELECT ?this ?value WHERE {{ {target} ?this <{path}> ?value FILTER(isBlank(?value) || !REGEX(STR(?value), {})) }}",
                            sparql_string(&pattern)
                        ),
                    );
                }
                if let Some(v) = &r[9] {
                    let v = sparql_term(v);
                    add(
                        format!("{p} sh:hasValue {v}"),
                        format!(
                            "SELECT ?this WHERE {{ {target} FILTER NOT EXISTS {{ ?this <{path}> {v} }} }}"
                        ),
                    );
                }
                // sh:in: the list's members, in order.
                let members = select(
                    &g,
                    &format!(
                        "SELECT ?m WHERE {{ <{shape}> <{SH}property> ?ps . ?ps <{SH}path> <{path}> ; <{SH}in> ?l . ?l <{rdf}rest>*/<{rdf}first> ?m }}",
                        rdf = ns::RDF
                    ),
                )
                .map_err(err)?;
                if !members.is_empty() {
                    let list: Vec<String> = members
                        .iter()
                        .filter_map(|m| m[0].as_ref().map(sparql_term))
                        .collect();
                    let shown: Vec<String> = members
                        .iter()
                        .filter_map(|m| m[0].as_ref().map(show))
                        .collect();
                    add(
                        format!("{p} sh:in ({})", shown.join(" ")),
                        format!(
                            "SELECT ?this ?value WHERE {{ {target} ?this <{path}> ?value FILTER(?value NOT IN ({})) }}",
                            list.join(", ")
                        ),
                    );
                }
            }
            // SHACL-SPARQL constraints.
            let sparql = select(
                &g,
                &format!(
                    "SELECT ?select ?msg WHERE {{ <{shape}> <{SH}sparql> ?c . ?c <{SH}select> ?select OPTIONAL {{ ?c <{SH}message> ?msg }} }}"
                ),
            )
            .map_err(err)?;
            for r in sparql {
                let Some(q) = lit_of(&r[0]) else { continue };
                let prefixes: String = PREFIXES
                    .iter()
                    .map(|(p, n)| format!("PREFIX {p}: <{n}>\n"))
                    .collect();
                let message = lit_of(&r[1]);
                constraints.push(Constraint {
                    shape: shape.clone(),
                    description: "sh:sparql".into(),
                    message,
                    query: format!("{prefixes}{}", q.replace("$this", "?this")),
                });
            }
        }
        // Check now that every query parses, so a bad shapes file fails before any run.
        for c in &constraints {
            if let Err(e) = SparqlEvaluator::new().parse_query(&c.query) {
                return Err(err(format!("{} {}: {e}", short(&c.shape), c.description)));
            }
        }
        Ok(Shapes {
            targets,
            constraints,
        })
    }
}

/// Runs every constraint against the store; keeps up to `examples` violations of each.
pub fn validate(store: &Store, shapes: &Shapes, examples: usize) -> Result<Report, ValidateError> {
    let mut targets = Vec::new();
    for (shape, class) in &shapes.targets {
        let rows = select(
            store,
            &format!("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{class}> }}"),
        )
        .map_err(ValidateError::Query)?;
        let n = lit_of(&rows[0][0])
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        targets.push((shape.clone(), class.clone(), n));
    }
    let mut findings = Vec::new();
    for c in &shapes.constraints {
        let rows = select(store, &c.query).map_err(ValidateError::Query)?;
        if rows.is_empty() {
            continue;
        }
        let examples = rows
            .iter()
            .take(examples)
            .map(|r| Violation {
                focus: r[0].as_ref().map(show).unwrap_or_default(),
                value: r.get(1).and_then(|v| v.as_ref()).map(show),
            })
            .collect();
        findings.push(Finding {
            constraint: c.clone(),
            count: rows.len(),
            examples,
        });
    }
    Ok(Report {
        targets,
        constraints: shapes.constraints.len(),
        findings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_shapes_compile() {
        let s = Shapes::embedded().unwrap();
        assert!(s.targets.len() >= 6);
        assert!(s
            .constraints
            .iter()
            .any(|c| c.description == "pp:statedIn sh:minCount 1"));
        assert!(s
            .constraints
            .iter()
            .any(|c| c.description.starts_with("pp:kind sh:in (")));
    }

    #[test]
    fn unsupported_features_are_refused() {
        let ttl = "@prefix sh: <http://www.w3.org/ns/shacl#> .
            <urn:s> a sh:NodeShape ; sh:targetClass <urn:C> ;
                sh:property [ sh:path <urn:p> ; sh:qualifiedMinCount 1 ] .";
        let e = Shapes::parse("x.ttl", ttl).unwrap_err().to_string();
        assert!(e.contains("sh:qualifiedMinCount"), "{e}");
    }
}
