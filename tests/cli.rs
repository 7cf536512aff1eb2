//! The `privacy-kg` binary end to end: build, rebuild, query, extract, export, and what it
//! does with bad input and a busy store.

use std::path::{Path, PathBuf};
use std::process::Output;

mod common;
use common::{bin, query_csv, run, samples, stderr, stdout, write_files};

fn build(store: &Path, inputs: &[&Path]) -> Output {
    let mut c = bin();
    c.arg("build").arg("--store").arg(store);
    for i in inputs {
        c.arg(i);
    }
    run(&mut c)
}

#[test]
fn build_then_rebuild_replaces_only_changed_documents() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    for e in std::fs::read_dir(samples()).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, corpus.join(p.file_name().unwrap())).unwrap();
    }
    let store = dir.path().join("kg.db");
    let first = build(&store, &[&corpus]);
    assert!(first.status.success(), "{}", stderr(&first));
    let summary = stdout(&first);
    assert!(summary.contains("5 loaded, 0 unchanged"), "{summary}");
    assert!(summary.contains("sell"), "{summary}");

    let again = build(&store, &[&corpus]);
    assert!(again.status.success());
    assert!(
        stdout(&again).contains("0 loaded, 5 unchanged"),
        "{}",
        stdout(&again)
    );

    // Change one policy: only it is redone, and its old statements are gone.
    let p = corpus.join("003_ea45d7330749ef6a.txt");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(
        &p,
        text.replace(
            "We *DO NOT* sell your personal information.",
            "We sell your personal information to advertisers.",
        ),
    )
    .unwrap();
    let third = build(&store, &[&corpus]);
    assert!(
        stdout(&third).contains("1 loaded, 4 unchanged, 1 replaced"),
        "{}",
        stdout(&third)
    );
    let q = run(bin()
        .args(["query", "--format", "csv", "--store"])
        .arg(&store)
        .args(["--sparql", "PREFIX pp: <https://w3id.org/privacy-kg/ns#> SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?p pp:kind <https://w3id.org/privacy-kg/practice/sell> ; pp:negated ?neg } FILTER(CONTAINS(STR(?g), '/unknown')) } GROUP BY ?g"]));
    assert!(q.status.success(), "{}", stderr(&q));
    let graphs = stdout(&q).lines().count() - 1;
    assert_eq!(graphs, 1, "old graph not replaced: {}", stdout(&q));

    // A changed dated policy keeps its graph name: its new version replaces the old one
    // rather than becoming another version of the same day.
    let p = corpus.join("000_452022f5c92ef4d5.txt");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(
        &p,
        text.replace(
            "We do not sell, rent or trade your e-mail address",
            "We sell your e-mail address",
        ),
    )
    .unwrap();
    let fourth = build(&store, &[&corpus]);
    assert!(
        stdout(&fourth).contains("1 replaced"),
        "{}",
        stdout(&fourth)
    );
    let q = run(bin()
        .args(["query", "--format", "csv", "--store"])
        .arg(&store)
        .args(["--sparql", "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?g), '/igroops.com/')) }"]));
    assert!(q.status.success(), "{}", stderr(&q));
    let listed = stdout(&q);
    let graphs: Vec<&str> = listed.lines().skip(1).map(str::trim).collect();
    assert_eq!(
        graphs,
        ["https://w3id.org/privacy-kg/id/policy/igroops.com/2018-04-11"],
        "{}",
        stdout(&q)
    );
}

#[test]
fn saved_queries_answer_on_the_samples() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("kg.db");
    assert!(build(&store, &[&samples()]).status.success());

    let list = run(bin().arg("queries"));
    assert!(stdout(&list).lines().count() >= 10);

    let no_sale = run(bin()
        .args(["query", "03", "--format", "csv", "--store"])
        .arg(&store));
    assert!(no_sale.status.success(), "{}", stderr(&no_sale));
    let rows = stdout(&no_sale);
    assert!(rows.contains("igroops.com"), "{rows}");
    assert!(rows.contains("iofferphoto.com"), "{rows}");

    let org = run(bin()
        .args([
            "query",
            "08",
            "--param",
            "org=igroops.com",
            "--format",
            "tsv",
            "--store",
        ])
        .arg(&store));
    assert!(org.status.success(), "{}", stderr(&org));
    let rows = stdout(&org);
    assert!(rows.lines().count() > 5, "{rows}");
    assert!(rows.contains("rent or trade"), "{rows}");
    assert!(
        !rows.contains("igourmet"),
        "another organisation leaked in: {rows}"
    );

    let ages = run(bin()
        .args(["query", "minimum-age", "--format", "json", "--store"])
        .arg(&store));
    let json: serde_json::Value = serde_json::from_slice(&ages.stdout).expect("SPARQL JSON");
    let text = json.to_string();
    assert!(text.contains("16") && text.contains("18"), "{text}");

    let all = run(bin().args(["query", "--all", "--store"]).arg(&store));
    assert!(all.status.success(), "{}", stderr(&all));
}

/// Query 07 pairs a denial with a statement of the same kind on a related data type only
/// within one policy version: Beta's sale of email addresses and Gamma's denial of any sale
/// are two organisations' (and Gamma's second denial carries a condition); the rows come
/// ordered by organisation.
#[test]
fn contradictions_pair_statements_of_one_policy_version_only() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = write_files(
        &dir.path().join("corpus"),
        &[
        (
            "delta.md",
            "# Delta Privacy Policy\n\nWe do not sell your location.\n\nWe sell personal information to data brokers.\n",
        ),
        (
            "alpha.md",
            "# Alpha Privacy Policy\n\nWe do not sell your personal information.\n\nWe sell your email address to advertisers.\n\nWe collect your postal address.\n",
        ),
        (
            "beta.md",
            "# Beta Privacy Policy\n\nWe sell your email address to advertisers.\n",
        ),
        (
            "gamma.md",
            "# Gamma Privacy Policy\n\nWe do not sell your personal information.\n\nWe do not sell your email address without your consent.\n",
        ),
        ],
    );
    let store = dir.path().join("kg.db");
    let built = build(&store, &[&corpus]);
    assert!(built.status.success(), "{}", stderr(&built));
    // organisation, policy, kind, affirmed data type, negated data type, relation
    let rows = query_csv(&store, &["contradictions"]);
    let kept = |r: &Vec<String>| {
        [&r[0], &r[2], &r[3], &r[4], &r[5]]
            .map(String::as_str)
            .join(" | ")
    };
    assert_eq!(
        rows.iter().map(kept).collect::<Vec<_>>(),
        [
            "Alpha | sell | email address | personal information | affirmed is narrower",
            "Delta | sell | personal information | location | negated is narrower",
        ],
        "{rows:?}"
    );
    assert!(
        rows[0][1].contains("/alpha/") && rows[1][1].contains("/delta/"),
        "{rows:?}"
    );
}

#[test]
fn newly_collected_data_types_need_an_earlier_version_that_did_not_collect_them() {
    // Early has a version before the day and two after it; Late only versions after it, so
    // nothing it collects counts as new.
    let lines = [
        ("e1", "early.example", "2017-03-01", "We collect your email address."),
        ("e2", "early.example", "2019-04-01", "We collect your email address and your location."),
        ("e3", "early.example", "2020-06-01", "We collect your email address, your location and your phone number."),
        ("l1", "late.example", "2019-01-01", "We collect your email address."),
        ("l2", "late.example", "2020-01-01", "We collect your email address and your location."),
    ]
    .map(|(id, site, date, text)| {
        serde_json::json!({"id": id, "url": format!("https://{site}/privacy"), "date": date, "text": text})
            .to_string()
    });
    let dir = tempfile::tempdir().unwrap();
    let corpus =
        write_files(dir.path(), &[("history.jsonl", lines.join("\n"))]).join("history.jsonl");
    let store = dir.path().join("kg.db");
    let built = build(&store, &[&corpus]);
    assert!(built.status.success(), "{}", stderr(&built));
    let new_data = |since: &str| {
        let since = format!("since={since}");
        // organisation, data type, first date
        query_csv(&store, &["data-types-newly-collected", "--param", &since])
            .iter()
            .map(|r| r[..3].join(" | "))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        new_data("2018-05-25"),
        [
            "early.example | location | 2019-04-01",
            "early.example | telephone number | 2020-06-01",
        ]
    );
    // From 2020 on, only the phone number is new to Early, and Late's location was first
    // said in 2020 but Late has a version from 2019, so it counts.
    assert_eq!(
        new_data("2020-01-01"),
        [
            "early.example | telephone number | 2020-06-01",
            "late.example | location | 2020-01-01",
        ]
    );
}

#[test]
fn optimize_compacts_a_store_without_changing_its_answers() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("kg.db");
    assert!(build(&store, &[&samples()]).status.success());
    let answers = |store: &Path| {
        let out = run(bin()
            .args(["query", "03", "--format", "csv", "--store"])
            .arg(store));
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    let before = answers(&store);
    assert!(before.contains("igroops.com"), "{before}");

    let out = run(bin().args(["optimize", "--store"]).arg(&store));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("MB after"), "{}", stdout(&out));
    assert_eq!(answers(&store), before);

    let missing = dir.path().join("no-such.db");
    let out = run(bin().args(["optimize", "--store"]).arg(&missing));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no store at"), "{}", stderr(&out));
    assert!(!missing.exists(), "a missing store is not created");
}

#[test]
fn extraction_is_deterministic_and_parses_as_rdf() {
    let a = run(bin().args(["extract", "--format", "nq"]).arg(samples()));
    let b = run(bin()
        .args(["extract", "--format", "nq", "--jobs", "1"])
        .arg(samples()));
    assert!(a.status.success(), "{}", stderr(&a));
    assert!(!a.stdout.is_empty());
    let mut la: Vec<&[u8]> = a.stdout.split(|&c| c == b'\n').collect();
    let mut lb: Vec<&[u8]> = b.stdout.split(|&c| c == b'\n').collect();
    la.sort();
    lb.sort();
    assert_eq!(la, lb, "two runs gave different graphs");
    let quads: Vec<_> = oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::NQuads)
        .for_slice(&a.stdout)
        .collect::<Result<_, _>>()
        .expect("valid N-Quads");
    assert!(quads.len() > 500);
}

#[test]
fn jsonl_records_follow_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(
        &input,
        "{\"id\": \"doc-1\", \"text\": \"We never sell your e-mail address. We collect your IP address.\", \"url\": \"https://www.example.com/privacy\", \"date\": \"2020-01-02\"}\n{broken\n",
    )
    .unwrap();
    let out = run(bin().args(["extract", "--with-text"]).arg(&input));
    assert_eq!(
        out.status.code(),
        Some(3),
        "a bad line must be reported in the exit code"
    );
    assert!(stderr(&out).contains("in.jsonl:2"), "{}", stderr(&out));
    let line = stdout(&out);
    let rec: serde_json::Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
    assert_eq!(rec["id"], "doc-1");
    assert_eq!(rec["organization"]["domain"], "example.com");
    assert_eq!(rec["archived"], "2020-01-02");
    assert_eq!(
        rec["text"],
        "We never sell your e-mail address. We collect your IP address."
    );
    let practices = rec["practices"].as_array().unwrap();
    let sell = practices.iter().find(|p| p["kind"] == "sell").unwrap();
    assert_eq!(sell["negated"], true);
    let email = &sell["data"][0];
    assert_eq!(email["text"], "your e-mail address");
    let (s, e) = (
        email["start"].as_u64().unwrap() as usize,
        email["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&rec["text"].as_str().unwrap()[s..e], "your e-mail address");
    assert!(practices
        .iter()
        .any(|p| p["kind"] == "collect" && p["negated"] == false && p["actor"] == "first-party"));
}

#[test]
fn bad_inputs_are_reported_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::write(
        corpus.join("image.txt"),
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0",
    )
    .unwrap();
    std::fs::write(corpus.join("empty.txt"), b"").unwrap();
    std::fs::write(
        corpus.join("good policy.txt"),
        "Privacy Policy\nWe collect your email address to send newsletters.\n",
    )
    .unwrap();
    let store = dir.path().join("kg.db");
    let out = build(&store, &[&corpus, Path::new("/nonexistent/*.txt")]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("image.txt") && err.contains("PNG"), "{err}");
    assert!(err.contains("empty.txt") && err.contains("empty"), "{err}");
    assert!(err.contains("/nonexistent/*.txt"), "{err}");
    assert!(stdout(&out).contains("1 loaded"), "{}", stdout(&out));
}

#[test]
fn a_store_path_that_is_a_file_or_in_use_is_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-store");
    std::fs::write(&file, "x").unwrap();
    let out = build(&file, &[&samples()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("is a file"), "{err}");

    let store = dir.path().join("kg.db");
    let held = privacy_kg::store::Store::open(&store).unwrap();
    let out = build(&store, &[&samples()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("in use"), "{err}");
    drop(held);
}

#[test]
fn every_export_format_parses_back_to_the_same_statements() {
    use oxigraph::io::{RdfFormat, RdfParser};
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("kg.db");
    assert!(build(&store, &[&samples()]).status.success());
    let count = |fmt: &str, rdf: RdfFormat| {
        let out = run(bin()
            .args(["export", "--format", fmt, "--store"])
            .arg(&store));
        assert!(out.status.success(), "{fmt}: {}", stderr(&out));
        let quads: Vec<_> = RdfParser::from_format(rdf)
            .for_slice(&out.stdout)
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{fmt} does not parse: {e}"));
        quads
            .into_iter()
            .map(|q| {
                if rdf.supports_datasets() {
                    q
                } else {
                    oxigraph::model::Quad::new(
                        q.subject,
                        q.predicate,
                        q.object,
                        oxigraph::model::GraphName::DefaultGraph,
                    )
                }
            })
            .collect::<std::collections::HashSet<_>>()
    };
    let nq = count("nq", RdfFormat::NQuads);
    assert_eq!(count("trig", RdfFormat::TriG), nq);
    let nt = count("nt", RdfFormat::NTriples);
    assert!(nt.len() <= nq.len() && nt.len() > 100);
    assert_eq!(count("ttl", RdfFormat::Turtle), nt);
    assert_eq!(count("rdfxml", RdfFormat::RdfXml), nt);
}

#[test]
fn explain_shows_sentences_and_practices() {
    let path = samples().join("000_452022f5c92ef4d5.txt");
    let out = run(bin().arg("explain").arg(&path));
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("We do not sell, rent or trade your e-mail address to third parties."));
    assert!(text.contains("=> NOT sell"), "{text}");
}

#[test]
fn a_build_killed_halfway_loses_nothing_and_the_next_one_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("kg.db");
    assert!(build(&store, &[&samples()]).status.success());

    // A corpus big enough to be mid-way when killed.
    let texts: Vec<String> = std::fs::read_dir(samples())
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    let mut jsonl = String::new();
    for i in 0..1500 {
        let record = serde_json::json!({"id": format!("copy-{i}"), "text": texts[i % texts.len()], "url": format!("https://www.site{i}.org/privacy")});
        jsonl.push_str(&record.to_string());
        jsonl.push('\n');
    }
    let corpus = dir.path().join("big.jsonl");
    std::fs::write(&corpus, jsonl).unwrap();

    let mut child = bin()
        .args(["build", "--store"])
        .arg(&store)
        .arg(&corpus)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    child.kill().unwrap();
    child.wait().unwrap();

    let count_graphs = || {
        let out = run(bin()
            .args(["query", "--format", "csv", "--store"])
            .arg(&store)
            .args(["--sparql", "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?g a <https://w3id.org/privacy-kg/ns#PrivacyPolicy> } }"]));
        assert!(
            out.status.success(),
            "store unreadable after kill: {}",
            stderr(&out)
        );
        stdout(&out)
            .lines()
            .nth(1)
            .unwrap()
            .trim()
            .parse::<usize>()
            .unwrap()
    };
    let after_kill = count_graphs();
    assert!(
        after_kill == 5 || after_kill == 1505,
        "half-loaded store: {after_kill} policies"
    );

    let finish = build(&store, &[&corpus]);
    assert!(finish.status.success(), "{}", stderr(&finish));
    assert_eq!(count_graphs(), 1505);
}

fn records(path: &Path, extra: &[&str]) -> Vec<serde_json::Value> {
    let out = run(bin().arg("extract").args(extra).arg(path));
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn html_keeps_visible_text_only_and_lists_inherit_their_lead_in() {
    let recs = records(&fixture("shop.html"), &["--with-text"]);
    let rec = &recs[0];
    let text = rec["text"].as_str().unwrap();
    assert!(
        !text.contains("dataLayer")
            && !text.contains("font-family")
            && !text.contains("Organization"),
        "{text}"
    );
    assert!(
        text.contains("We do not sell your personal information"),
        "{text}"
    );
    let practices = rec["practices"].as_array().unwrap();
    let has = |kind: &str, negated: bool, data: &str| {
        practices.iter().any(|p| {
            p["kind"] == kind
                && p["negated"] == negated
                && p["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|d| d["concept"].as_str().unwrap().ends_with(data))
        })
    };
    assert!(
        has("collect", false, "/EmailAddress"),
        "list item did not inherit its lead-in: {practices:#?}"
    );
    assert!(has("sell", true, "/PersonalInformation"));
    let ups = practices
        .iter()
        .find(|p| p["kind"] == "share")
        .and_then(|p| {
            p["recipients"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["text"] == "UPS")
                .cloned()
        });
    assert!(ups.is_some(), "{practices:#?}");
}

#[test]
fn markdown_is_stripped_of_markup() {
    let recs = records(&fixture("app.md"), &["--with-text"]);
    let text = recs[0]["text"].as_str().unwrap();
    assert!(
        !text.contains("**") && !text.contains("](") && !text.contains("# "),
        "{text}"
    );
    let practices = recs[0]["practices"].as_array().unwrap();
    assert!(practices
        .iter()
        .any(|p| p["kind"] == "audience" && p["minimum_age"] == 13));
    assert!(practices
        .iter()
        .any(|p| p["kind"] == "collect" && p["negated"] == true));
    assert!(practices.iter().any(|p| p["kind"] == "choice"));
    assert_eq!(recs[0]["organization"]["name"], "Example App");
}

#[test]
fn a_label_added_to_the_ontology_is_matched_without_touching_rust() {
    let dir = tempfile::tempdir().unwrap();
    let onto = dir.path().join("ontology");
    std::fs::create_dir(&onto).unwrap();
    for e in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("ontology")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, onto.join(p.file_name().unwrap())).unwrap();
    }
    let policy = dir.path().join("p.txt");
    std::fs::write(&policy, "We collect your loyalty card barcode.\n").unwrap();
    let data_of = |recs: &[serde_json::Value]| -> Vec<String> {
        recs[0]["practices"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| {
                p["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|d| d["text"].as_str().unwrap().to_string())
            })
            .collect()
    };
    let found = |recs: &[serde_json::Value]| {
        data_of(recs)
            .iter()
            .any(|t| t.ends_with("loyalty card barcode"))
    };
    assert!(!found(&records(&policy, &[])));
    let extra = "\n<https://w3id.org/privacy-kg/data/LoyaltyCardBarcode> a <http://www.w3.org/2004/02/skos/core#Concept> ;\n  <http://www.w3.org/2004/02/skos/core#inScheme> <https://w3id.org/privacy-kg/ns#DataTypes> ;\n  <http://www.w3.org/2004/02/skos/core#prefLabel> \"loyalty card barcode\"@en .\n";
    let mut ttl = std::fs::read_to_string(onto.join("data-types.ttl")).unwrap();
    ttl.push_str(extra);
    std::fs::write(onto.join("data-types.ttl"), ttl).unwrap();
    let recs = records(&policy, &["--ontology", onto.to_str().unwrap()]);
    assert!(found(&recs), "{recs:#?}");

    std::fs::write(onto.join("broken.ttl"), "this is not turtle").unwrap();
    let out = run(bin()
        .args(["extract", "--ontology"])
        .arg(&onto)
        .arg(&policy));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("broken.ttl"), "{}", stderr(&out));
}

#[test]
fn globs_select_files() {
    let pattern = format!("{}/00[0-1]_*.txt", samples().display());
    let recs = records(Path::new(&pattern), &[]);
    assert_eq!(recs.len(), 2);
}
