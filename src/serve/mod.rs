//! `privacy-kg serve`: a read-only SPARQL 1.1 Protocol endpoint over the store.
//!
//! - `/sparql`, GET (`query=`) and POST (form-encoded `query=`, or `application/sparql-query`):
//!   SELECT/ASK results as SPARQL JSON, XML, CSV or TSV and CONSTRUCT/DESCRIBE graphs as
//!   Turtle, N-Triples or JSON-LD, chosen by the `Accept` header; the default graph is the
//!   union of all graphs (as for saved queries) unless `default-graph-uri` says otherwise.
//!   Updates are refused (403) and every query is cancelled after the time limit (503).
//! - `/`: a page where a person types a query and sees a table (rendered by the server, so
//!   it works without JavaScript).
//! - `/.well-known/void`: the dataset description, with this endpoint as `void:sparqlEndpoint`.
//! - any other path: the IRI `{base}{path}` described by content negotiation (HTML, Turtle,
//!   N-Triples, JSON-LD; a policy's JSON-LD is its compact document).
//!
//! The server is synchronous, like Oxigraph's API: a few worker threads take requests from
//! one listener; a query's time limit is a cancellation token fired by a watchdog.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Read;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfSerializer};
use oxigraph::model::{
    GraphName, NamedNode, NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, Quad, Term, Triple,
};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{CancellationToken, QueryResults, SparqlEvaluator};
use tiny_http::{Header, Method, Request, Response};

use crate::export::compact;
use crate::publish;
use crate::store::Store;
use crate::vocab::ns;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `host:port` to listen on (port 0 picks a free one).
    pub bind: String,
    /// Per-query time limit.
    pub timeout: Duration,
    /// Base IRI of the data, mapped to the server's root for dereferencing.
    pub base: String,
    /// Worker threads.
    pub threads: usize,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {bind}: {message}")]
    Bind { bind: String, message: String },
}

/// A bound server, ready to run.
pub struct Server {
    http: Arc<tiny_http::Server>,
    state: Arc<State>,
}

struct State {
    store: Store,
    settings: Settings,
    url: String,
}

/// A response before it is sent: status, content type, body.
struct Reply {
    status: u16,
    content_type: String,
    body: Vec<u8>,
    vary: bool,
}

impl Reply {
    fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            content_type: content_type.to_string(),
            body: body.into(),
            vary: false,
        }
    }

    fn text(status: u16, message: &str) -> Reply {
        Reply::new(status, "text/plain; charset=utf-8", format!("{message}\n"))
    }

    fn negotiated(mut self) -> Reply {
        self.vary = true;
        self
    }
}

impl Server {
    /// Listens on `settings.bind`.
    pub fn bind(store: Store, settings: Settings) -> Result<Server, ServeError> {
        let http = tiny_http::Server::http(&settings.bind).map_err(|e| ServeError::Bind {
            bind: settings.bind.clone(),
            message: e.to_string(),
        })?;
        let addr = http
            .server_addr()
            .to_ip()
            .map(|a| a.to_string())
            .unwrap_or_else(|| settings.bind.clone());
        Ok(Server {
            http: Arc::new(http),
            state: Arc::new(State {
                store,
                settings,
                url: format!("http://{addr}"),
            }),
        })
    }

    /// The server's root URL, e.g. `http://127.0.0.1:7878`.
    pub fn url(&self) -> &str {
        &self.state.url
    }

    /// Answers requests until the process ends.
    pub fn run(self) {
        let workers: Vec<_> = (0..self.state.settings.threads.max(1))
            .map(|_| {
                let http = Arc::clone(&self.http);
                let state = Arc::clone(&self.state);
                std::thread::spawn(move || {
                    while let Ok(request) = http.recv() {
                        handle(&state, request);
                    }
                })
            })
            .collect();
        for w in workers {
            let _ = w.join();
        }
    }
}

fn header(request: &Request, name: &'static str) -> Option<String> {
    request
        .headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str().to_string())
}

fn handle(state: &Arc<State>, mut request: Request) {
    let url = request.url().to_string();
    let (path, query_string) = url.split_once('?').unwrap_or((url.as_str(), ""));
    let params: Vec<(String, String)> = form_urlencoded::parse(query_string.as_bytes())
        .into_owned()
        .collect();
    let accept = header(&request, "Accept");
    let host = header(&request, "Host");
    let method = request.method().clone();
    let reply = match (path, &method) {
        ("/sparql", Method::Get) => sparql(state, &params, accept.as_deref()),
        ("/sparql", Method::Post) => {
            let content_type = header(&request, "Content-Type").unwrap_or_default();
            let mut body = Vec::new();
            match request.as_reader().take(16 << 20).read_to_end(&mut body) {
                Err(e) => Reply::text(400, &format!("cannot read the request body: {e}")),
                Ok(_) => post_sparql(state, &content_type, &body, &params, accept.as_deref()),
            }
        }
        ("/sparql", _) => Reply::text(405, "use GET or POST"),
        ("/", Method::Get) => page(state, &params),
        ("/.well-known/void", Method::Get) => void(state, accept.as_deref(), host.as_deref()),
        (_, Method::Get) => dereference(state, path, accept.as_deref()),
        _ => Reply::text(405, "this endpoint is read-only"),
    };
    let mut response = Response::from_data(reply.body).with_status_code(reply.status);
    if let Ok(h) = Header::from_bytes(&b"Content-Type"[..], reply.content_type.as_bytes()) {
        response = response.with_header(h);
    }
    if reply.vary {
        if let Ok(h) = Header::from_bytes(&b"Vary"[..], &b"Accept"[..]) {
            response = response.with_header(h);
        }
    }
    if let Ok(h) = Header::from_bytes(&b"Access-Control-Allow-Origin"[..], &b"*"[..]) {
        response = response.with_header(h);
    }
    let _ = request.respond(response);
}

// ---------------------------------------------------------------------------------------
// Content negotiation
// ---------------------------------------------------------------------------------------

/// The offer an `Accept` header prefers: highest quality, then the server's order. No header
/// takes the first offer; a header nothing satisfies gives `None` (406).
fn negotiate<'a, T: Copy>(accept: Option<&str>, offers: &[(&'a str, T)]) -> Option<(&'a str, T)> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return offers.first().copied();
    };
    let ranges: Vec<(String, f32)> = accept
        .split(',')
        .filter_map(|part| {
            let mut it = part.split(';');
            let media = it.next()?.trim().to_ascii_lowercase();
            let mut q = 1.0;
            for p in it {
                if let Some(v) = p.trim().strip_prefix("q=") {
                    q = v.trim().parse().unwrap_or(0.0);
                }
            }
            Some((media, q))
        })
        .collect();
    let mut best: Option<(f32, usize)> = None;
    for (i, (offer, _)) in offers.iter().enumerate() {
        let otype = offer.split_once('/').map(|(t, _)| t).unwrap_or(offer);
        // The most specific matching range decides the quality of an offer.
        let q = ranges
            .iter()
            .filter_map(|(m, q)| {
                let specificity = if m == offer {
                    2
                } else if *m == format!("{otype}/*") {
                    1
                } else if m == "*/*" {
                    0
                } else {
                    return None;
                };
                Some((specificity, *q))
            })
            .max_by_key(|(specificity, _)| *specificity)
            .map(|(_, q)| q)
            .unwrap_or(0.0);
        if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, i));
        }
    }
    best.map(|(_, i)| offers[i])
}

const RESULT_OFFERS: &[(&str, QueryResultsFormat)] = &[
    ("application/sparql-results+json", QueryResultsFormat::Json),
    ("application/sparql-results+xml", QueryResultsFormat::Xml),
    ("text/csv", QueryResultsFormat::Csv),
    ("text/tab-separated-values", QueryResultsFormat::Tsv),
    ("application/json", QueryResultsFormat::Json),
    ("application/xml", QueryResultsFormat::Xml),
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum GraphFormat {
    Turtle,
    NTriples,
    JsonLd,
    RdfXml,
    Html,
}

const GRAPH_OFFERS: &[(&str, GraphFormat)] = &[
    ("text/turtle", GraphFormat::Turtle),
    ("application/n-triples", GraphFormat::NTriples),
    ("application/ld+json", GraphFormat::JsonLd),
    ("application/rdf+xml", GraphFormat::RdfXml),
];

fn rdf_format(f: GraphFormat) -> RdfFormat {
    match f {
        GraphFormat::NTriples => RdfFormat::NTriples,
        GraphFormat::JsonLd => RdfFormat::JsonLd {
            profile: JsonLdProfileSet::empty(),
        },
        GraphFormat::RdfXml => RdfFormat::RdfXml,
        GraphFormat::Turtle | GraphFormat::Html => RdfFormat::Turtle,
    }
}

fn serialize_triples(format: GraphFormat, triples: &[Triple]) -> Result<Vec<u8>, String> {
    let mut s = RdfSerializer::from_format(rdf_format(format));
    if matches!(format, GraphFormat::Turtle | GraphFormat::RdfXml) {
        for (p, iri) in crate::export::PREFIXES {
            s = s.with_prefix(*p, *iri).map_err(|e| e.to_string())?;
        }
    }
    let mut w = s.for_writer(Vec::new());
    for t in triples {
        w.serialize_triple(t).map_err(|e| e.to_string())?;
    }
    w.finish().map_err(|e| e.to_string())
}

// ---------------------------------------------------------------------------------------
// SPARQL protocol
// ---------------------------------------------------------------------------------------

fn post_sparql(
    state: &Arc<State>,
    content_type: &str,
    body: &[u8],
    url_params: &[(String, String)],
    accept: Option<&str>,
) -> Reply {
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match media.as_str() {
        "application/x-www-form-urlencoded" => {
            let mut params: Vec<(String, String)> =
                form_urlencoded::parse(body).into_owned().collect();
            params.extend(url_params.iter().cloned());
            sparql(state, &params, accept)
        }
        "application/sparql-query" => match std::str::from_utf8(body) {
            Ok(q) => {
                let mut params = vec![("query".to_string(), q.to_string())];
                params.extend(url_params.iter().filter(|(k, _)| k != "query").cloned());
                sparql(state, &params, accept)
            }
            Err(_) => Reply::text(400, "the query is not UTF-8"),
        },
        "application/sparql-update" => Reply::text(403, "updates are refused: this endpoint is read-only"),
        _ => Reply::text(
            415,
            "POST a query as application/x-www-form-urlencoded (query=...) or application/sparql-query",
        ),
    }
}

/// The outcome of running a query under the time limit.
enum Outcome {
    Solutions(Vec<oxigraph::model::Variable>, Vec<Vec<Option<Term>>>),
    Boolean(bool),
    Graph(Vec<Triple>),
}

enum RunError {
    Syntax(String),
    Update,
    Timeout(Duration),
    Evaluation(String),
}

fn run_query(
    state: &Arc<State>,
    text: &str,
    default_graphs: &[String],
    named_graphs: &[String],
) -> Result<Outcome, RunError> {
    let token = CancellationToken::new();
    let parsed = SparqlEvaluator::new()
        .with_cancellation_token(token.clone())
        .parse_query(text);
    let mut prepared = match parsed {
        Ok(p) => p,
        Err(e) => {
            return Err(if SparqlEvaluator::new().parse_update(text).is_ok() {
                RunError::Update
            } else {
                RunError::Syntax(e.to_string())
            })
        }
    };
    if default_graphs.is_empty() {
        prepared.dataset_mut().set_default_graph_as_union();
    } else {
        let graphs = default_graphs
            .iter()
            .filter_map(|g| NamedNode::new(g).ok())
            .map(GraphName::NamedNode)
            .collect();
        prepared.dataset_mut().set_default_graph(graphs);
    }
    if !named_graphs.is_empty() {
        let graphs = named_graphs
            .iter()
            .filter_map(|g| NamedNode::new(g).ok())
            .map(NamedOrBlankNode::NamedNode)
            .collect();
        prepared.dataset_mut().set_available_named_graphs(graphs);
    }
    // The query runs on its own thread; at the time limit its token is cancelled and the
    // client answered at once. Oxigraph checks the token whenever it reads the store, so the
    // evaluation stops soon after; one that computes without reading (a cross product of
    // patterns already read) goes on until it next reads, but nobody waits for it.
    let limit = state.settings.timeout;
    let (sender, receiver) = mpsc::channel();
    let worker_state = Arc::clone(state);
    let worker_token = token.clone();
    std::thread::spawn(move || {
        let fail = |e: String| {
            if worker_token.is_cancelled() {
                RunError::Timeout(limit)
            } else {
                RunError::Evaluation(e)
            }
        };
        let result = (|| match prepared
            .on_store(worker_state.store.oxigraph())
            .execute()
            .map_err(|e| fail(e.to_string()))?
        {
            QueryResults::Solutions(solutions) => {
                let vars = solutions.variables().to_vec();
                let mut rows = Vec::new();
                for s in solutions {
                    let s = s.map_err(|e| fail(e.to_string()))?;
                    rows.push(vars.iter().map(|v| s.get(v).cloned()).collect());
                }
                Ok(Outcome::Solutions(vars, rows))
            }
            QueryResults::Boolean(b) => Ok(Outcome::Boolean(b)),
            QueryResults::Graph(triples) => {
                let mut out = Vec::new();
                for t in triples {
                    out.push(t.map_err(|e| fail(e.to_string()))?);
                }
                Ok(Outcome::Graph(out))
            }
        })();
        let _ = sender.send(result);
    });
    match receiver.recv_timeout(limit) {
        Ok(result) => result,
        Err(_) => {
            token.cancel();
            Err(RunError::Timeout(limit))
        }
    }
}

fn run_error_reply(e: RunError) -> Reply {
    match e {
        RunError::Syntax(m) => Reply::text(400, &format!("query syntax error: {m}")),
        RunError::Update => Reply::text(403, "updates are refused: this endpoint is read-only"),
        RunError::Timeout(d) => Reply::text(
            503,
            &format!(
                "the query ran out of time ({} s); narrow it down",
                d.as_secs()
            ),
        ),
        RunError::Evaluation(m) => Reply::text(500, &format!("query evaluation failed: {m}")),
    }
}

fn sparql(state: &Arc<State>, params: &[(String, String)], accept: Option<&str>) -> Reply {
    if params.iter().any(|(k, _)| k == "update") {
        return Reply::text(403, "updates are refused: this endpoint is read-only");
    }
    let queries: Vec<&str> = params
        .iter()
        .filter(|(k, _)| k == "query")
        .map(|(_, v)| v.as_str())
        .collect();
    let query = match queries.as_slice() {
        [q] => *q,
        [] => return Reply::text(400, "give the query as the query parameter"),
        _ => return Reply::text(400, "give exactly one query parameter"),
    };
    let list = |name: &str| -> Vec<String> {
        params
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let outcome = match run_query(
        state,
        query,
        &list("default-graph-uri"),
        &list("named-graph-uri"),
    ) {
        Ok(o) => o,
        Err(e) => return run_error_reply(e),
    };
    match outcome {
        Outcome::Solutions(vars, rows) => {
            let Some((media, format)) = negotiate(accept, RESULT_OFFERS) else {
                return Reply::text(
                    406,
                    "SELECT results come as SPARQL JSON, SPARQL XML, CSV or TSV",
                );
            };
            let serialized = (|| -> Result<Vec<u8>, std::io::Error> {
                let mut w = QueryResultsSerializer::from_format(format)
                    .serialize_solutions_to_writer(Vec::new(), vars.clone())?;
                for row in &rows {
                    w.serialize(
                        vars.iter()
                            .zip(row)
                            .filter_map(|(v, t)| t.as_ref().map(|t| (v.as_ref(), t.as_ref()))),
                    )?;
                }
                w.finish()
            })();
            match serialized {
                Ok(body) => Reply::new(200, &content_type(media), body).negotiated(),
                Err(e) => Reply::text(500, &e.to_string()),
            }
        }
        Outcome::Boolean(b) => {
            let offers: Vec<_> = RESULT_OFFERS
                .iter()
                .filter(|(_, f)| matches!(f, QueryResultsFormat::Json | QueryResultsFormat::Xml))
                .copied()
                .collect();
            let Some((media, format)) = negotiate(accept, &offers) else {
                return Reply::text(406, "ASK results come as SPARQL JSON or SPARQL XML");
            };
            match QueryResultsSerializer::from_format(format)
                .serialize_boolean_to_writer(Vec::new(), b)
            {
                Ok(body) => Reply::new(200, &content_type(media), body).negotiated(),
                Err(e) => Reply::text(500, &e.to_string()),
            }
        }
        Outcome::Graph(triples) => {
            let Some((media, format)) = negotiate(accept, GRAPH_OFFERS) else {
                return Reply::text(406, "graphs come as Turtle, N-Triples, JSON-LD or RDF/XML");
            };
            match serialize_triples(format, &triples) {
                Ok(body) => Reply::new(200, &content_type(media), body).negotiated(),
                Err(e) => Reply::text(500, &e),
            }
        }
    }
}

fn content_type(media: &str) -> String {
    if media.starts_with("text/") {
        format!("{media}; charset=utf-8")
    } else {
        media.to_string()
    }
}

// ---------------------------------------------------------------------------------------
// The HTML query page
// ---------------------------------------------------------------------------------------

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// One triple as a row of an HTML table.
fn html_triple_row(html: &mut String, state: &State, t: &Triple) {
    let _ = write!(
        html,
        "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
        html_term(state, &Term::from(t.subject.clone())),
        html_term(state, &Term::from(t.predicate.clone())),
        html_term(state, &t.object)
    );
}

/// A term for a person: IRIs under the base link to their description on this server.
fn html_term(state: &State, t: &Term) -> String {
    match t {
        Term::NamedNode(n) => {
            let iri = n.as_str();
            let shown = crate::validate::short(iri);
            match iri.strip_prefix(state.settings.base.as_str()) {
                Some(rest) => format!("<a href=\"/{}\">{}</a>", escape(rest), escape(iri)),
                None => escape(&shown),
            }
        }
        Term::Literal(l) => escape(l.value()),
        other => escape(&other.to_string()),
    }
}

const DEFAULT_QUERY: &str = "PREFIX pp: <https://w3id.org/privacy-kg/ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?policy ?kind (COUNT(?practice) AS ?practices)
WHERE { ?practice a pp:Practice ; pp:statedIn ?policy ; pp:kind ?kind }
GROUP BY ?policy ?kind
ORDER BY ?policy ?kind";

fn page(state: &Arc<State>, params: &[(String, String)]) -> Reply {
    let query = params
        .iter()
        .find(|(k, _)| k == "query")
        .map(|(_, v)| v.as_str());
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>privacy-kg SPARQL</title>\
<style>body{{font-family:sans-serif;margin:1.5em;max-width:80em}}textarea{{width:100%;font-family:monospace}}\
table{{border-collapse:collapse;margin-top:1em}}td,th{{border:1px solid #bbb;padding:.2em .5em;text-align:left;vertical-align:top}}\
th{{background:#eee}}.error{{color:#a00;white-space:pre-wrap}}</style></head><body>\
<h1>privacy-kg</h1><p>SPARQL over the knowledge graph (the union of all graphs is the default graph). \
Endpoint: <code>{url}/sparql</code> &middot; <a href=\"/.well-known/void\">dataset description</a></p>\
<form method=\"get\" action=\"/\"><textarea name=\"query\" id=\"query\" rows=\"12\">{q}</textarea>\
<p><button type=\"submit\">Run query</button></p></form>",
        url = escape(&state.url),
        q = escape(query.unwrap_or(DEFAULT_QUERY))
    );
    if let Some(query) = query {
        match run_query(state, query, &[], &[]) {
            Err(e) => {
                let message = match e {
                    RunError::Syntax(m) => format!("Syntax error: {m}"),
                    RunError::Update => "Updates are refused: this endpoint is read-only.".into(),
                    RunError::Timeout(d) => {
                        format!("The query ran out of time ({} s).", d.as_secs())
                    }
                    RunError::Evaluation(m) => format!("Evaluation failed: {m}"),
                };
                let _ = write!(
                    html,
                    "<p class=\"error\" id=\"error\">{}</p>",
                    escape(&message)
                );
            }
            Ok(Outcome::Boolean(b)) => {
                let _ = write!(html, "<p id=\"answer\">{b}</p>");
            }
            Ok(Outcome::Solutions(vars, rows)) => {
                let _ = write!(
                    html,
                    "<p id=\"count\">{} rows</p><table id=\"results\"><thead><tr>",
                    rows.len()
                );
                for v in &vars {
                    let _ = write!(html, "<th>{}</th>", escape(v.as_str()));
                }
                html.push_str("</tr></thead><tbody>");
                for row in &rows {
                    html.push_str("<tr>");
                    for t in row {
                        let _ = write!(
                            html,
                            "<td>{}</td>",
                            t.as_ref().map(|t| html_term(state, t)).unwrap_or_default()
                        );
                    }
                    html.push_str("</tr>");
                }
                html.push_str("</tbody></table>");
            }
            Ok(Outcome::Graph(triples)) => {
                let _ = write!(html, "<p id=\"count\">{} triples</p><table id=\"results\"><thead><tr><th>subject</th><th>predicate</th><th>object</th></tr></thead><tbody>", triples.len());
                for t in &triples {
                    html_triple_row(&mut html, state, t);
                }
                html.push_str("</tbody></table>");
            }
        }
    }
    html.push_str("<h2>Saved queries</h2><ul>");
    for q in crate::query::catalogue() {
        if !q.params.is_empty() {
            continue;
        }
        let _ = write!(
            html,
            "<li><a href=\"/?query={}\">{}</a> &mdash; {}</li>",
            encode(&q.text),
            escape(&q.name),
            escape(&q.title)
        );
    }
    html.push_str("</ul></body></html>\n");
    Reply::new(200, "text/html; charset=utf-8", html)
}

// ---------------------------------------------------------------------------------------
// Dataset description and dereferenceable IRIs
// ---------------------------------------------------------------------------------------

fn void(state: &State, accept: Option<&str>, host: Option<&str>) -> Reply {
    let found = match publish::find_description(&state.store) {
        Ok(f) => f,
        Err(e) => return Reply::text(500, &e.to_string()),
    };
    let Some((graph, dataset)) = found else {
        return Reply::text(
            404,
            "the store has no dataset description (run privacy-kg build)",
        );
    };
    let mut triples: Vec<Triple> = match NamedNodeRef::new(&graph) {
        Ok(g) => state
            .store
            .oxigraph()
            .quads_for_pattern(None, None, None, Some(g.into()))
            .filter_map(Result::ok)
            .map(Triple::from)
            .collect(),
        Err(_) => Vec::new(),
    };
    let root = host
        .map(|h| format!("http://{h}"))
        .unwrap_or_else(|| state.url.clone());
    triples.push(Triple::new(
        NamedNode::new_unchecked(&dataset),
        NamedNode::new_unchecked(format!("{}sparqlEndpoint", publish::VOID)),
        NamedNode::new_unchecked(format!("{root}/sparql")),
    ));
    graph_reply(state, accept, &triples, None)
}

fn graph_reply(
    state: &State,
    accept: Option<&str>,
    triples: &[Triple],
    title: Option<&str>,
) -> Reply {
    let mut offers: Vec<(&str, GraphFormat)> = GRAPH_OFFERS.to_vec();
    offers.push(("text/html", GraphFormat::Html));
    let Some((media, format)) = negotiate(accept, &offers) else {
        return Reply::text(
            406,
            "available as Turtle, N-Triples, JSON-LD, RDF/XML or HTML",
        );
    };
    if format == GraphFormat::Html {
        return Reply::new(
            200,
            "text/html; charset=utf-8",
            html_description(state, title, triples),
        )
        .negotiated();
    }
    match serialize_triples(format, triples) {
        Ok(body) => Reply::new(200, &content_type(media), body).negotiated(),
        Err(e) => Reply::text(500, &e),
    }
}

fn html_description(state: &State, title: Option<&str>, triples: &[Triple]) -> String {
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\
<style>body{{font-family:sans-serif;margin:1.5em}}td,th{{border:1px solid #bbb;padding:.2em .5em;text-align:left;vertical-align:top}}table{{border-collapse:collapse}}</style>\
</head><body><h1>{t}</h1><p><a href=\"/\">query page</a></p><table id=\"description\"><tr><th>subject</th><th>predicate</th><th>object</th></tr>",
        t = escape(title.unwrap_or("description"))
    );
    for t in triples {
        html_triple_row(&mut html, state, t);
    }
    html.push_str("</table></body></html>\n");
    html
}

/// The IRI a request path names: `{base}{path}`, also when the path repeats the base's own
/// path (a server behind the base IRI's host).
fn iri_for_path(base: &str, path: &str) -> String {
    let decoded: String = percent_decode(path);
    let base_path = base
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or("/");
    let rest = decoded
        .strip_prefix(base_path)
        .unwrap_or_else(|| decoded.trim_start_matches('/'));
    format!("{base}{rest}")
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What the store says about an IRI: its own statements, the statements pointing at it, and
/// (depth-first, a few levels) the nodes of its own graph it points to whose IRIs extend its
/// graph's (evidence and selectors of a practice).
fn describe(store: &Store, iri: &str) -> Vec<Triple> {
    let Ok(subject) = NamedNodeRef::new(iri) else {
        return Vec::new();
    };
    let db = store.oxigraph();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let mut stack = vec![(subject.into_owned(), 0)];
    while let Some((s, depth)) = stack.pop() {
        if !seen.insert(s.as_str().to_string()) {
            continue;
        }
        for q in db
            .quads_for_pattern(
                Some(NamedOrBlankNodeRef::from(s.as_ref())),
                None,
                None,
                None,
            )
            .filter_map(Result::ok)
        {
            let Quad {
                subject,
                predicate,
                object,
                graph_name,
            } = q;
            if depth < 3 {
                if let (Term::NamedNode(o), GraphName::NamedNode(g)) = (&object, &graph_name) {
                    if o.as_str().starts_with(&format!("{}/", g.as_str())) && o.as_str() != iri {
                        stack.push((o.clone(), depth + 1));
                    }
                }
            }
            out.push(Triple::new(subject, predicate, object));
        }
    }
    // Incoming links, bounded: an organisation is named by every version of its policy.
    for q in db
        .quads_for_pattern(None, None, Some(subject.into()), None)
        .filter_map(Result::ok)
        .take(10_000)
    {
        out.push(Triple::new(q.subject, q.predicate, q.object));
    }
    out.sort_by_key(|t| t.to_string());
    out.dedup();
    out
}

fn dereference(state: &State, path: &str, accept: Option<&str>) -> Reply {
    let iri = iri_for_path(&state.settings.base, path);
    let triples = describe(&state.store, &iri);
    if triples.is_empty() {
        return Reply::text(404, &format!("nothing is known about <{iri}>"));
    }
    // A policy's JSON-LD is its compact, readable document.
    let wants_jsonld = negotiate(
        accept,
        &[
            ("text/turtle", false),
            ("application/n-triples", false),
            ("application/ld+json", true),
            ("application/rdf+xml", false),
            ("text/html", false),
        ],
    )
    .is_some_and(|(_, j)| j);
    if wants_jsonld {
        if let Ok(Some(doc)) = compact::policy_document_from_store(&state.store, &iri) {
            let is_policy = triples.iter().any(|t| {
                t.subject.to_string() == format!("<{iri}>")
                    && t.predicate.as_str() == oxigraph::model::vocab::rdf::TYPE.as_str()
                    && t.object.to_string() == format!("<{}PrivacyPolicy>", ns::PP)
            });
            if is_policy {
                return Reply::new(
                    200,
                    "application/ld+json",
                    serde_json::to_vec_pretty(&doc).unwrap_or_default(),
                )
                .negotiated();
            }
        }
    }
    graph_reply(state, accept, &triples, Some(&iri))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_follows_quality_then_server_order() {
        let pick = |a: Option<&str>| negotiate(a, RESULT_OFFERS).map(|(m, _)| m);
        assert_eq!(pick(None), Some("application/sparql-results+json"));
        assert_eq!(pick(Some("text/csv")), Some("text/csv"));
        assert_eq!(
            pick(Some(
                "application/sparql-results+json;q=0.5, application/sparql-results+xml"
            )),
            Some("application/sparql-results+xml")
        );
        assert_eq!(pick(Some("text/*")), Some("text/csv"));
        assert_eq!(pick(Some("*/*")), Some("application/sparql-results+json"));
        assert_eq!(pick(Some("image/png")), None);
        assert_eq!(
            negotiate(
                Some("text/html,application/xhtml+xml,*/*;q=0.8"),
                GRAPH_OFFERS
            )
            .map(|(m, _)| m),
            Some("text/turtle")
        );
    }

    #[test]
    fn paths_map_to_iris_under_the_base() {
        let base = "https://w3id.org/privacy-kg/id/";
        assert_eq!(
            iri_for_path(base, "/policy/igroops.com/2018-04-11"),
            "https://w3id.org/privacy-kg/id/policy/igroops.com/2018-04-11"
        );
        assert_eq!(
            iri_for_path(base, "/privacy-kg/id/org/igroops.com"),
            "https://w3id.org/privacy-kg/id/org/igroops.com"
        );
        assert_eq!(
            iri_for_path(base, "/org/a%20b"),
            "https://w3id.org/privacy-kg/id/org/a b"
        );
    }
}
