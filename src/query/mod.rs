//! The saved-query catalogue (`queries/NN-name.rq`, embedded in the binary or read from a
//! folder), parameter binding (values are RDF terms, never pasted text), time limits, and
//! query results as an aligned table, CSV, TSV, SPARQL JSON or XML. Queries see the union of
//! all named graphs as their default graph.

mod table;

use std::io::Write;
use std::path::Path;
use std::sync::LazyLock;
use std::time::Duration;

use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{Literal, NamedNode, Term, Variable};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{CancellationToken, QueryResults, SparqlEvaluator};
use regex::Regex;

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
    /// Where the text comes from, for messages: the `.rq` file, `queries/NAME.rq (built
    /// in)` or `--sparql`.
    pub origin: String,
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
            origin: file_name.to_string(),
            name,
            title,
            description,
            params,
            text: text.to_string(),
        }
    }

    /// As [`SavedQuery::parse`], naming where the text comes from in messages.
    pub fn with_origin(mut self, origin: impl Into<String>) -> SavedQuery {
        self.origin = origin.into();
        self
    }
}

/// Why a query could not be run.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("no saved query named {0:?} (see `privacy-kg queries`)")]
    Unknown(String),
    /// `location` is `FILE:LINE:COLUMN` where the parser says where.
    #[error("{location}: syntax error in query {name}: {message}")]
    Syntax {
        name: String,
        location: String,
        message: String,
    },
    #[error("query {name} stopped after the {seconds} s time limit; narrow it with --param, or allow it more time")]
    Timeout { name: String, seconds: f64 },
    #[error("query {name}: {message}")]
    Evaluation { name: String, message: String },
    #[error("parameter {0:?}: expected name=value")]
    BadParam(String),
    #[error("parameter {param:?}: {message}")]
    BadValue { param: String, message: String },
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
        .map(|(n, t)| SavedQuery::parse(n, t).with_origin(format!("queries/{n} (built in)")))
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
            out.push(
                SavedQuery::parse(&path.file_name().unwrap().to_string_lossy(), &text)
                    .with_origin(path.display().to_string()),
            );
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
        return Ok(
            SavedQuery::parse(&path.file_name().unwrap().to_string_lossy(), &text)
                .with_origin(wanted),
        );
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

/// Parses `name=value` parameters into RDF terms: a value in `<…>` is an IRI (checked), an
/// integer is an `xsd:integer`, anything else a plain string literal, whatever quotes,
/// brackets or braces it holds. Values are bound as terms, so no value can change the
/// query's text.
pub fn parse_params(raw: &[String]) -> Result<Vec<(String, Term)>, QueryError> {
    raw.iter()
        .map(|p| {
            let (k, v) = p
                .split_once('=')
                .ok_or_else(|| QueryError::BadParam(p.clone()))?;
            let name = k.trim().trim_start_matches(['?', '$']).to_string();
            Variable::new(&name).map_err(|e| QueryError::BadValue {
                param: name.clone(),
                message: format!("not a valid variable name ({e})"),
            })?;
            let term: Term = if v.starts_with('<') && v.ends_with('>') && v.len() >= 2 {
                NamedNode::new(&v[1..v.len() - 1])
                    .map_err(|e| QueryError::BadValue {
                        param: name.clone(),
                        message: format!("{v} is not a valid IRI ({e}); give a plain value without <…> to match it as text"),
                    })?
                    .into()
            } else if let Ok(n) = v.parse::<i64>() {
                Literal::from(n).into()
            } else {
                Literal::new_simple_literal(v).into()
            };
            Ok((name, term))
        })
        .collect()
}

/// A term as SPARQL source text. Oxigraph writes IRIs and literals in N-Triples syntax, a
/// subset of SPARQL's: quotes, backslashes and line breaks in a literal are escaped, and an
/// IRI cannot hold `>` (it was checked when built), so the text is exactly one term.
pub fn sparql_term(term: &Term) -> Result<String, QueryError> {
    match term {
        Term::NamedNode(_) | Term::Literal(_) => Ok(term.to_string()),
        other => Err(QueryError::BadValue {
            param: other.to_string(),
            message: "only IRIs and literals can be bound".into(),
        }),
    }
}

/// The query text with the parameters written into it as one `VALUES` row after the query,
/// for whoever needs a self-contained query (a SPARQL endpoint, a planner that sees the
/// constants). Each value is written by [`sparql_term`], never pasted as given, and the
/// result is parsed again to make sure it is still one query.
pub fn inline_params(query: &SavedQuery, params: &[(String, Term)]) -> Result<String, QueryError> {
    if params.is_empty() {
        return Ok(query.text.clone());
    }
    let mut vars = String::new();
    let mut row = String::new();
    for (name, term) in params {
        let var = Variable::new(name).map_err(|_| QueryError::BadParam(name.clone()))?;
        vars.push_str(&format!(" {var}"));
        row.push_str(&format!(" {}", sparql_term(term)?));
    }
    let text = format!(
        "{}\nVALUES ({vars} ) {{ ({row} ) }}\n",
        query.text.trim_end()
    );
    let _checked = parse(query, &text)?;
    Ok(text)
}

static PEG_LOCATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^error at (\d+):(\d+): ").unwrap());

/// Parses a query's text, turning a syntax error into one that names the file, line and
/// column.
fn parse(
    query: &SavedQuery,
    text: &str,
) -> Result<oxigraph::sparql::PreparedSparqlQuery, QueryError> {
    parse_with(SparqlEvaluator::new(), query, text)
}

fn parse_with(
    evaluator: SparqlEvaluator,
    query: &SavedQuery,
    text: &str,
) -> Result<oxigraph::sparql::PreparedSparqlQuery, QueryError> {
    evaluator.parse_query(text).map_err(|e| {
        let message = e.to_string();
        let (location, message) = match locate_syntax_error(text) {
            Some((line, column, what)) => (format!("{}:{line}:{column}", query.origin), what),
            None => (query.origin.clone(), message),
        };
        QueryError::Syntax {
            name: query.name.clone(),
            location,
            message,
        }
    })
}

/// Line and column (1-based, in characters) of a syntax error, and what was expected there.
///
/// Oxigraph's parser reports the furthest place any rule read to, and it matches keywords
/// by reading as many characters as the keyword has: the place it reports lies one keyword
/// length past the error (or at the end of the text, when that is nearer). So the text is
/// parsed again with white space appended, and the error placed one expected keyword's
/// length before where that parse stopped.
fn locate_syntax_error(text: &str) -> Option<(usize, usize, String)> {
    const PAD: usize = 64;
    let padded = format!("{text}{}", " ".repeat(PAD));
    let message = SparqlEvaluator::new()
        .parse_query(&padded)
        .err()?
        .to_string();
    let c = PEG_LOCATION.captures(&message)?;
    let (line, column): (usize, usize) = (c[1].parse().ok()?, c[2].parse().ok()?);
    let expected = message[c.get(0)?.end()..]
        .trim_start_matches("expected ")
        .trim_start_matches("one of ")
        .to_string();
    // As a character offset into the padded text.
    let mut offset = padded
        .split_inclusive('\n')
        .take(line - 1)
        .map(|l| l.chars().count())
        .sum::<usize>()
        + column
        - 1;
    let keywords: Vec<&str> = expected.split(", ").collect();
    let only_keywords = keywords
        .iter()
        .all(|k| !k.is_empty() && k.chars().all(|ch| ch.is_alphanumeric() || ch == '_'));
    if only_keywords {
        let longest = keywords.iter().map(|k| k.chars().count()).max()?;
        offset = offset.saturating_sub(longest);
    }
    // Past the end of the text (in the padding): the error is the text's end. Trailing
    // white space is not where the error is either.
    let end = text.trim_end().chars().count();
    let offset = offset.min(end);
    let before: String = text.chars().take(offset).collect();
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    // The keywords listed are only the longest ones tried, which says little: name what
    // is there instead.
    let found: String = text
        .chars()
        .skip(offset)
        .take_while(|c| !c.is_whitespace())
        .take(30)
        .collect();
    let expected = match (only_keywords, found.is_empty()) {
        (_, true) => format!("the query ends too early (expected {expected})"),
        (true, false) => format!("unexpected {found:?}"),
        (false, false) => format!("expected {expected}, found {found:?}"),
    };
    Some((line, column, expected))
}

/// How to run a query beyond its parameters.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions<'a> {
    /// Stop the query after this long.
    pub timeout: Option<Duration>,
    /// Write Oxigraph's plan of the query, with the rows and time of each step, as JSON here
    /// once the results are written: the way to see why a query is slow.
    pub explain: Option<&'a Path>,
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
    run_with(store, query, params, format, out, RunOptions::default())
}

/// [`run`] with a time limit: past it the query is cancelled and [`QueryError::Timeout`]
/// returned (rows already written stay written).
pub fn run_with(
    store: &Store,
    query: &SavedQuery,
    params: &[(String, Term)],
    format: ResultFormat,
    out: &mut dyn Write,
    options: RunOptions,
) -> Result<usize, QueryError> {
    let Some(timeout) = options.timeout else {
        return evaluate(store, query, params, format, out, None, options.explain);
    };
    let token = CancellationToken::new();
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let watchdog = {
        let token = token.clone();
        std::thread::spawn(move || {
            if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = finished.recv_timeout(timeout)
            {
                token.cancel();
            }
        })
    };
    let result = evaluate(
        store,
        query,
        params,
        format,
        out,
        Some(token.clone()),
        options.explain,
    );
    drop(done);
    let _ = watchdog.join();
    match result {
        Err(QueryError::Evaluation { .. }) if token.is_cancelled() => Err(QueryError::Timeout {
            name: query.name.clone(),
            seconds: timeout.as_secs_f64(),
        }),
        other => other,
    }
}

fn evaluate(
    store: &Store,
    query: &SavedQuery,
    params: &[(String, Term)],
    format: ResultFormat,
    out: &mut dyn Write,
    cancel: Option<CancellationToken>,
    explain: Option<&Path>,
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
    let mut evaluator = SparqlEvaluator::new();
    if let Some(token) = cancel {
        evaluator = evaluator.with_cancellation_token(token);
    }
    let mut prepared = parse_with(evaluator, query, &query.text)?;
    prepared.dataset_mut().set_default_graph_as_union();
    for (k, v) in params {
        let var = Variable::new(k).map_err(|_| QueryError::BadParam(k.clone()))?;
        prepared = prepared.substitute_variable(var, v.clone());
    }
    let eval_err = |e: &dyn std::fmt::Display| QueryError::Evaluation {
        name: query.name.clone(),
        message: e.to_string(),
    };
    let bound = prepared.on_store(store.oxigraph());
    let Some(plan_path) = explain else {
        let results = bound.execute().map_err(|e| eval_err(&e))?;
        return write_results(query, results, format, out);
    };
    let (results, explanation) = bound.compute_statistics().explain();
    let n = write_results(query, results.map_err(|e| eval_err(&e))?, format, out)?;
    let io = |source| QueryError::Io {
        path: plan_path.display().to_string(),
        source,
    };
    let mut file = std::io::BufWriter::new(std::fs::File::create(plan_path).map_err(io)?);
    explanation.write_in_json(&mut file).map_err(io)?;
    file.flush().map_err(io)?;
    Ok(n)
}

fn write_results(
    query: &SavedQuery,
    results: QueryResults<'_>,
    format: ResultFormat,
    out: &mut dyn Write,
) -> Result<usize, QueryError> {
    let eval_err = |e: &dyn std::fmt::Display| QueryError::Evaluation {
        name: query.name.clone(),
        message: e.to_string(),
    };
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
        assert!(matches!(
            parse_params(&["g=<http://x.org/> } #>".into()]),
            Err(QueryError::BadValue { .. })
        ));
        assert!(parse_params(&["bad name=x".into()]).is_err());
    }

    #[test]
    fn inlined_values_stay_one_term_whatever_they_hold() {
        let store = Store::memory().unwrap();
        let q = SavedQuery::parse(
            "t.rq",
            "# title: t\n# param: v — anything\nSELECT ?v WHERE {}",
        );
        for value in [
            "plain",
            "with \"quotes\" and 'apostrophes'",
            "x\" } UNION { ?s ?p ?o } #",
            "back\\slash\\\" ) }",
            "line\nbreak\r\ttab \u{1} control",
            "x > <y> >>",
            "",
        ] {
            let params = parse_params(&[format!("v={value}")]).unwrap();
            let text = inline_params(&q, &params).unwrap();
            let inlined = SavedQuery::parse("inlined.rq", &text);
            let mut out = Vec::new();
            let rows = run(&store, &inlined, &[], ResultFormat::Json, &mut out).unwrap();
            assert_eq!(rows, 1, "{value:?} -> {text}");
            let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
            assert_eq!(
                json["results"]["bindings"][0]["v"]["value"], value,
                "{value:?} -> {text}"
            );
        }
    }

    #[test]
    fn a_syntax_error_names_file_line_and_column() {
        let store = Store::memory().unwrap();
        let q = SavedQuery::parse(
            "x.rq",
            "# title: t\nSELECT ?s\nWHERE { ?s ?p ?o FILTER (?o = ) }\n",
        )
        .with_origin("queries/x.rq");
        let err = run(&store, &q, &[], ResultFormat::Csv, &mut Vec::new()).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("queries/x.rq:3:31:"), "{msg}");
        assert!(msg.contains("unexpected \")\""), "{msg}");
        assert!(msg.contains("syntax error"), "{msg}");
    }

    #[test]
    fn a_query_past_its_timeout_is_cancelled() {
        let store = Store::memory().unwrap();
        let mut tx = store.oxigraph().start_transaction().unwrap();
        // A ring: every node reaches every other, so the closure below has n² rows, each
        // found by reading the store (where Oxigraph looks at its cancellation token).
        let p = NamedNode::new("http://x.org/p").unwrap();
        let n = 5000;
        for i in 0..n {
            let a = NamedNode::new(format!("http://x.org/{i}")).unwrap();
            let b = NamedNode::new(format!("http://x.org/{}", (i + 1) % n)).unwrap();
            tx.insert(oxigraph::model::QuadRef::new(
                &a,
                &p,
                &b,
                oxigraph::model::GraphNameRef::DefaultGraph,
            ));
        }
        tx.commit().unwrap();
        let q = SavedQuery::parse(
            "slow.rq",
            "SELECT (COUNT(*) AS ?n) WHERE { ?a <http://x.org/p>* ?b }",
        );
        let started = std::time::Instant::now();
        let err = run_with(
            &store,
            &q,
            &[],
            ResultFormat::Csv,
            &mut Vec::new(),
            RunOptions {
                timeout: Some(Duration::from_millis(200)),
                explain: None,
            },
        )
        .unwrap_err();
        assert!(matches!(err, QueryError::Timeout { .. }), "{err}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}
