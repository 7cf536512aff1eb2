//! The saved-query catalogue (`queries/NN-name.rq`, embedded in the binary or read from a
//! folder), parameter binding, and query results as an aligned table, CSV, TSV, SPARQL
//! JSON or XML. Queries see the union of all named graphs as their default graph.

mod table;

use std::io::Write;
use std::path::Path;

use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{Literal, NamedNode, Term, Variable};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};

use crate::store::Store;

include!(concat!(env!("OUT_DIR"), "/queries.rs"));

/// One saved query with its header comments.
#[derive(Debug, Clone)]
pub struct SavedQuery {
    /// File name without `.rq`, e.g. `03-do-not-sell`.
    pub name: String,
    pub title: String,
    pub description: String,
    /// (name, meaning) of each `# param:` line.
    pub params: Vec<(String, String)>,
    pub text: String,
}

impl SavedQuery {
    pub fn parse(file_name: &str, text: &str) -> SavedQuery {
        let name = file_name.trim_end_matches(".rq").to_string();
        let mut title = String::new();
        let mut description = String::new();
        let mut params = Vec::new();
        for line in text
            .lines()
            .take_while(|l| l.trim_start().starts_with('#') || l.trim().is_empty())
        {
            let line = line.trim_start().trim_start_matches('#').trim();
            if let Some(t) = line.strip_prefix("title:") {
                title = t.trim().to_string();
            } else if let Some(d) = line.strip_prefix("description:") {
                description = d.trim().to_string();
            } else if let Some(p) = line.strip_prefix("param:") {
                let p = p.trim();
                let (n, meaning) = p
                    .split_once('—')
                    .or_else(|| p.split_once(" - "))
                    .or_else(|| p.split_once(':'))
                    .unwrap_or((p, ""));
                params.push((
                    n.trim().trim_start_matches(['?', '$']).to_string(),
                    meaning.trim().to_string(),
                ));
            }
        }
        SavedQuery {
            name,
            title,
            description,
            params,
            text: text.to_string(),
        }
    }
}

/// Why a query could not be run.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("no saved query named {0:?} (see `privacy-kg queries`)")]
    Unknown(String),
    #[error("query {name}: syntax error: {message}")]
    Syntax { name: String, message: String },
    #[error("query {name}: {message}")]
    Evaluation { name: String, message: String },
    #[error("parameter {0:?}: expected name=value")]
    BadParam(String),
    #[error("query {name} has no parameter {param:?} (it takes: {known})")]
    UnknownParam {
        name: String,
        param: String,
        known: String,
    },
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("writing results: {0}")]
    Write(#[from] std::io::Error),
}

/// The embedded catalogue.
pub fn catalogue() -> Vec<SavedQuery> {
    EMBEDDED
        .iter()
        .map(|(n, t)| SavedQuery::parse(n, t))
        .collect()
}

/// A catalogue read from a folder of `.rq` files.
pub fn catalogue_from_dir(dir: &Path) -> Result<Vec<SavedQuery>, QueryError> {
    let io = |source| QueryError::Io {
        path: dir.display().to_string(),
        source,
    };
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).map_err(io)? {
        let path = e.map_err(io)?.path();
        if path.extension().is_some_and(|x| x == "rq") {
            let text = std::fs::read_to_string(&path).map_err(|source| QueryError::Io {
                path: path.display().to_string(),
                source,
            })?;
            out.push(SavedQuery::parse(
                &path.file_name().unwrap().to_string_lossy(),
                &text,
            ));
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// Finds a query by full name (`03-do-not-sell`), number (`03`, `3`), name without number
/// (`do-not-sell`), or the path of an `.rq` file.
pub fn resolve(catalogue: &[SavedQuery], wanted: &str) -> Result<SavedQuery, QueryError> {
    let found = catalogue.iter().find(|q| {
        let (num, rest) = q.name.split_once('-').unwrap_or((&q.name, ""));
        q.name == wanted
            || rest == wanted
            || num == wanted
            || num.trim_start_matches('0') == wanted.trim_start_matches('0')
                && wanted.chars().all(|c| c.is_ascii_digit())
    });
    if let Some(q) = found {
        return Ok(q.clone());
    }
    let path = Path::new(wanted);
    if path.is_file() {
        let text = std::fs::read_to_string(path).map_err(|source| QueryError::Io {
            path: wanted.to_string(),
            source,
        })?;
        return Ok(SavedQuery::parse(
            &path.file_name().unwrap().to_string_lossy(),
            &text,
        ));
    }
    Err(QueryError::Unknown(wanted.to_string()))
}

/// How to print results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultFormat {
    Table,
    Csv,
    Tsv,
    Json,
    Xml,
}

/// Parses `name=value` parameters. A value in `<…>` is an IRI, anything else a string.
pub fn parse_params(raw: &[String]) -> Result<Vec<(String, Term)>, QueryError> {
    raw.iter()
        .map(|p| {
            let (k, v) = p
                .split_once('=')
                .ok_or_else(|| QueryError::BadParam(p.clone()))?;
            let term: Term = if v.starts_with('<') && v.ends_with('>') {
                NamedNode::new(&v[1..v.len() - 1])
                    .map_err(|_| QueryError::BadParam(p.clone()))?
                    .into()
            } else if let Ok(n) = v.parse::<i64>() {
                Literal::from(n).into()
            } else {
                Literal::new_simple_literal(v).into()
            };
            Ok((k.trim_start_matches(['?', '$']).to_string(), term))
        })
        .collect()
}

/// Runs a query against the store and writes its results. Returns the number of rows (or
/// triples) written.
pub fn run(
    store: &Store,
    query: &SavedQuery,
    params: &[(String, Term)],
    format: ResultFormat,
    out: &mut dyn Write,
) -> Result<usize, QueryError> {
    for (k, _) in params {
        if !query.params.is_empty() && !query.params.iter().any(|(n, _)| n == k) {
            return Err(QueryError::UnknownParam {
                name: query.name.clone(),
                param: k.clone(),
                known: query
                    .params
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
    }
    let mut prepared = SparqlEvaluator::new()
        .parse_query(&query.text)
        .map_err(|e| QueryError::Syntax {
            name: query.name.clone(),
            message: e.to_string(),
        })?;
    prepared.dataset_mut().set_default_graph_as_union();
    for (k, v) in params {
        let var = Variable::new(k).map_err(|_| QueryError::BadParam(k.clone()))?;
        prepared = prepared.substitute_variable(var, v.clone());
    }
    let eval_err = |e: &dyn std::fmt::Display| QueryError::Evaluation {
        name: query.name.clone(),
        message: e.to_string(),
    };
    let results = prepared
        .on_store(store.oxigraph())
        .execute()
        .map_err(|e| eval_err(&e))?;
    match results {
        QueryResults::Solutions(solutions) => {
            let variables: Vec<Variable> = solutions.variables().to_vec();
            if format == ResultFormat::Table {
                let mut rows = Vec::new();
                for s in solutions {
                    let s = s.map_err(|e| eval_err(&e))?;
                    rows.push(
                        variables
                            .iter()
                            .map(|v| s.get(v).map(table::display_term).unwrap_or_default())
                            .collect(),
                    );
                }
                let n = rows.len();
                table::write(
                    out,
                    &variables
                        .iter()
                        .map(|v| v.as_str().to_string())
                        .collect::<Vec<_>>(),
                    &rows,
                )?;
                return Ok(n);
            }
            let rf = match format {
                ResultFormat::Csv => QueryResultsFormat::Csv,
                ResultFormat::Tsv => QueryResultsFormat::Tsv,
                ResultFormat::Json => QueryResultsFormat::Json,
                ResultFormat::Xml | ResultFormat::Table => QueryResultsFormat::Xml,
            };
            let mut writer = QueryResultsSerializer::from_format(rf)
                .serialize_solutions_to_writer(out, variables)?;
            let mut n = 0;
            for s in solutions {
                let s = s.map_err(|e| eval_err(&e))?;
                writer.serialize(s.iter())?;
                n += 1;
            }
            writer.finish()?;
            Ok(n)
        }
        QueryResults::Boolean(b) => {
            match format {
                ResultFormat::Table => writeln!(out, "{b}")?,
                _ => {
                    let rf = match format {
                        ResultFormat::Csv => QueryResultsFormat::Csv,
                        ResultFormat::Tsv => QueryResultsFormat::Tsv,
                        ResultFormat::Xml => QueryResultsFormat::Xml,
                        _ => QueryResultsFormat::Json,
                    };
                    QueryResultsSerializer::from_format(rf).serialize_boolean_to_writer(out, b)?;
                }
            }
            Ok(1)
        }
        QueryResults::Graph(triples) => {
            let mut writer = RdfSerializer::from_format(RdfFormat::NTriples).for_writer(out);
            let mut n = 0;
            for t in triples {
                let t = t.map_err(|e| eval_err(&e))?;
                writer.serialize_triple(&t)?;
                n += 1;
            }
            writer.finish()?;
            Ok(n)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_saved_query_has_a_title_and_parses() {
        let cat = catalogue();
        assert!(cat.len() >= 10, "only {} saved queries", cat.len());
        for q in &cat {
            assert!(!q.title.is_empty(), "{} has no # title:", q.name);
            assert!(
                !q.description.is_empty(),
                "{} has no # description:",
                q.name
            );
            let _ = SparqlEvaluator::new()
                .parse_query(&q.text)
                .unwrap_or_else(|e| panic!("{}: {e}", q.name));
        }
    }

    #[test]
    fn resolves_by_number_and_name() {
        let cat = vec![SavedQuery::parse(
            "03-do-not-sell.rq",
            "# title: T\nSELECT * {}",
        )];
        assert_eq!(resolve(&cat, "3").unwrap().name, "03-do-not-sell");
        assert_eq!(resolve(&cat, "do-not-sell").unwrap().name, "03-do-not-sell");
        assert!(matches!(resolve(&cat, "nope"), Err(QueryError::Unknown(_))));
    }

    #[test]
    fn params_are_typed() {
        let p = parse_params(&[
            "org=igroops.com".into(),
            "n=3".into(),
            "g=<https://x.org/a>".into(),
        ])
        .unwrap();
        assert_eq!(
            p[0].1,
            Term::from(Literal::new_simple_literal("igroops.com"))
        );
        assert_eq!(p[1].1, Term::from(Literal::from(3)));
        assert!(matches!(p[2].1, Term::NamedNode(_)));
        assert!(parse_params(&["novalue".into()]).is_err());
    }
}
