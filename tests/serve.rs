//! `privacy-kg serve` over loopback with a real HTTP client (minreq): the SPARQL 1.1
//! Protocol with content negotiation, refused updates, the time limit, the dataset
//! description, dereferenceable IRIs; and the query page rendered in headless Chromium.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfParser};

mod common;
use common::{bin, built_samples};

/// A running server, stopped when dropped.
struct Served {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(extra: &[&str]) -> Served {
    let dir = tempfile::tempdir().unwrap();
    let store = built_samples(dir.path());
    let mut child = bin()
        .args(["serve", "--bind", "127.0.0.1:0", "--store"])
        .arg(&store)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .rsplit(' ')
        .next()
        .expect("the server prints its URL")
        .to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{line}");
    Served {
        child,
        url,
        _dir: dir,
    }
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

const SELECT: &str = "PREFIX pp: <https://w3id.org/privacy-kg/ns#> SELECT ?p WHERE { ?p a pp:PrivacyPolicy } ORDER BY ?p";
const CONSTRUCT: &str = "PREFIX pp: <https://w3id.org/privacy-kg/ns#> CONSTRUCT { ?p a pp:PrivacyPolicy ; pp:sha256 ?h } WHERE { ?p a pp:PrivacyPolicy ; pp:sha256 ?h }";

fn get(url: &str, accept: &str) -> minreq::Response {
    minreq::get(url)
        .with_header("Accept", accept)
        .with_timeout(60)
        .send()
        .unwrap()
}

fn content_type(r: &minreq::Response) -> String {
    r.headers.get("content-type").cloned().unwrap_or_default()
}

#[test]
fn sparql_protocol_over_loopback() {
    let s = serve(&[]);
    let sparql = format!("{}/sparql", s.url);

    // GET, results by Accept.
    let json = get(
        &format!("{sparql}?query={}", enc(SELECT)),
        "application/sparql-results+json",
    );
    assert_eq!(json.status_code, 200, "{}", json.as_str().unwrap());
    assert!(content_type(&json).starts_with("application/sparql-results+json"));
    let v: serde_json::Value = serde_json::from_str(json.as_str().unwrap()).unwrap();
    assert_eq!(v["results"]["bindings"].as_array().unwrap().len(), 5);

    let xml = get(
        &format!("{sparql}?query={}", enc(SELECT)),
        "application/sparql-results+xml",
    );
    assert!(
        xml.as_str().unwrap().contains("<sparql"),
        "{}",
        xml.as_str().unwrap()
    );
    let csv = get(&format!("{sparql}?query={}", enc(SELECT)), "text/csv");
    assert!(content_type(&csv).starts_with("text/csv"));
    assert_eq!(csv.as_str().unwrap().lines().count(), 6);
    let tsv = get(
        &format!("{sparql}?query={}", enc(SELECT)),
        "text/tab-separated-values",
    );
    assert!(tsv.as_str().unwrap().starts_with("?p"));
    assert_eq!(
        get(&format!("{sparql}?query={}", enc(SELECT)), "image/png").status_code,
        406
    );

    // POST, form-encoded and direct.
    let form = minreq::post(&sparql)
        .with_header("Content-Type", "application/x-www-form-urlencoded")
        .with_header("Accept", "text/csv")
        .with_body(format!("query={}", enc(SELECT)))
        .send()
        .unwrap();
    assert_eq!(form.as_str().unwrap(), csv.as_str().unwrap());
    let direct = minreq::post(&sparql)
        .with_header("Content-Type", "application/sparql-query")
        .with_header("Accept", "text/csv")
        .with_body(SELECT)
        .send()
        .unwrap();
    assert_eq!(direct.as_str().unwrap(), csv.as_str().unwrap());

    // CONSTRUCT as Turtle, N-Triples and JSON-LD, each parsing to the same 10 triples.
    for (accept, format) in [
        ("text/turtle", RdfFormat::Turtle),
        ("application/n-triples", RdfFormat::NTriples),
        (
            "application/ld+json",
            RdfFormat::JsonLd {
                profile: JsonLdProfileSet::empty(),
            },
        ),
    ] {
        let r = get(&format!("{sparql}?query={}", enc(CONSTRUCT)), accept);
        assert_eq!(r.status_code, 200);
        assert!(content_type(&r).starts_with(accept), "{}", content_type(&r));
        let n = RdfParser::from_format(format)
            .for_slice(r.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .unwrap_or_else(|e| panic!("{accept}: {e}"))
            .len();
        assert_eq!(n, 10, "{accept}");
    }

    // ASK.
    let ask = get(
        &format!("{sparql}?query={}", enc("ASK { ?s ?p ?o }")),
        "application/sparql-results+json",
    );
    assert!(ask.as_str().unwrap().contains("true"));

    // Bad queries and updates.
    assert_eq!(
        get(&format!("{sparql}?query=SELEC"), "*/*").status_code,
        400
    );
    let insert = "INSERT DATA { <urn:a> <urn:b> <urn:c> }";
    assert_eq!(
        get(&format!("{sparql}?query={}", enc(insert)), "*/*").status_code,
        403
    );
    assert_eq!(
        get(&format!("{sparql}?update={}", enc(insert)), "*/*").status_code,
        403
    );
    let update = minreq::post(&sparql)
        .with_header("Content-Type", "application/sparql-update")
        .with_body(insert)
        .send()
        .unwrap();
    assert_eq!(update.status_code, 403);
    let form_update = minreq::post(&sparql)
        .with_header("Content-Type", "application/x-www-form-urlencoded")
        .with_body(format!("update={}", enc(insert)))
        .send()
        .unwrap();
    assert_eq!(form_update.status_code, 403);
    let still = get(
        &format!("{sparql}?query={}", enc("ASK { <urn:a> ?p ?o }")),
        "application/sparql-results+json",
    );
    assert!(
        still.as_str().unwrap().contains("false"),
        "the update went through"
    );
}

#[test]
fn queries_stop_at_the_time_limit() {
    let s = serve(&["--timeout", "1"]);
    // Every node's undirected closure over the whole graph: minutes on the samples.
    let heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a (!<urn:x>|^!<urn:x>)* ?b }";
    let started = std::time::Instant::now();
    let r = get(
        &format!("{}/sparql?query={}", s.url, enc(heavy)),
        "text/csv",
    );
    assert_eq!(r.status_code, 503, "{}", r.as_str().unwrap_or(""));
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
    // The server still answers afterwards.
    let ok = get(&format!("{}/sparql?query={}", s.url, enc("ASK {}")), "*/*");
    assert_eq!(ok.status_code, 200);
}

#[test]
fn description_and_dereferenceable_iris() {
    let s = serve(&[]);
    let void = get(&format!("{}/.well-known/void", s.url), "text/turtle");
    assert_eq!(void.status_code, 200);
    let triples: Vec<_> = RdfParser::from_format(RdfFormat::Turtle)
        .for_slice(void.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(triples.iter().any(|q| q.predicate.as_str()
        == "http://rdfs.org/ns/void#sparqlEndpoint"
        && q.object.to_string().contains("/sparql")));

    let policy = "/policy/igroops.com/2018-04-11";
    let ld = get(&format!("{}{policy}", s.url), "application/ld+json");
    assert_eq!(ld.status_code, 200);
    let doc: serde_json::Value = serde_json::from_str(ld.as_str().unwrap()).unwrap();
    assert_eq!(
        doc["@context"]["dpv"], "https://w3id.org/dpv#",
        "not the compact document"
    );
    assert_eq!(doc["@graph"][0]["@type"], "PrivacyPolicy");

    let ttl = get(&format!("{}{policy}", s.url), "text/turtle");
    assert!(content_type(&ttl).starts_with("text/turtle"));
    let parsed: Vec<_> = RdfParser::from_format(RdfFormat::Turtle)
        .for_slice(ttl.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(parsed
        .iter()
        .any(|q| q.predicate.as_str() == "https://w3id.org/privacy-kg/ns#statedIn"));

    // A practice, found through its policy, dereferences with its evidence and selectors.
    let practice = parsed
        .iter()
        .find(|q| q.predicate.as_str() == "https://w3id.org/privacy-kg/ns#statedIn")
        .map(|q| q.subject.to_string().trim_matches(['<', '>']).to_string())
        .unwrap();
    let path = practice
        .strip_prefix("https://w3id.org/privacy-kg/id")
        .unwrap();
    let nt = get(&format!("{}{path}", s.url), "application/n-triples");
    assert_eq!(nt.status_code, 200);
    assert!(nt
        .as_str()
        .unwrap()
        .contains("http://www.w3.org/ns/oa#exact"));

    let html = get(&format!("{}{path}", s.url), "text/html");
    assert!(html
        .as_str()
        .unwrap()
        .contains("<table id=\"description\">"));

    assert_eq!(
        get(&format!("{}/policy/nobody/1", s.url), "text/turtle").status_code,
        404
    );
}

#[test]
fn the_query_page_shows_a_table_in_headless_chromium() {
    let chromium = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|c| {
            Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .expect("headless Chromium is needed (make test installs it: scripts/ensure-chromium.sh)");
    let s = serve(&[]);
    let profile = tempfile::tempdir().unwrap();
    let page = format!("{}/?query={}", s.url, enc(SELECT));
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--virtual-time-budget=10000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(&page)
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dom.contains("<table id=\"results\">"), "{dom}");
    // One header row and one row per policy, each linking to the policy's description.
    assert_eq!(dom.matches("<tr>").count(), 6, "{dom}");
    assert!(
        dom.contains("href=\"/policy/igroops.com/2018-04-11\""),
        "{dom}"
    );
    assert!(dom.contains("<textarea"), "{dom}");
}
