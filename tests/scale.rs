//! Scaling out: `--shard K/N` extraction into gzip N-Quads files and `load` of them give the
//! graph one unsharded build gives; the direct N-Quads writer matches Oxigraph's serialiser.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

mod common;
use common::{bin, samples};

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("run privacy-kg");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The graph the ontology is loaded into, as it ends an N-Quads line.
const ONTOLOGY_GRAPH: &str = "<https://w3id.org/privacy-kg/ns> .";

/// The store's statements as sorted N-Quads lines: the data graphs (no blank nodes, so
/// lines compare), and the number of statements in the ontology graph (whose OWL lists are
/// blank nodes, labelled afresh by every load).
fn dump(store: &Path) -> (BTreeSet<String>, usize) {
    let out = run(bin()
        .args(["export", "--format", "nq", "--store"])
        .arg(store));
    let text = String::from_utf8(out.stdout).unwrap();
    // A build also records itself (prov:Activity) and describes the store (VoID); `load`
    // loads data only, so those graphs are not compared.
    let (ontology, data): (Vec<&str>, Vec<&str>) = text
        .lines()
        .filter(|l| !l.ends_with("/provenance> .") && !l.ends_with("/void> ."))
        .partition(|l| l.ends_with(ONTOLOGY_GRAPH));
    (
        data.into_iter().map(str::to_string).collect(),
        ontology.len(),
    )
}

/// Graph names in an N-Quads file, gzip-compressed.
fn graphs_in(file: &Path) -> BTreeSet<String> {
    use std::io::Read;
    let mut text = String::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(file).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::NQuads)
        .for_slice(text.as_bytes())
        .map(|q| q.unwrap().graph_name.to_string())
        .collect()
}

#[test]
fn sharded_extraction_loaded_equals_one_build() {
    let dir = tempfile::tempdir().unwrap();
    // The sample files and a JSONL corpus, so that every shard gets documents of both.
    let jsonl = dir.path().join("more.jsonl");
    let mut lines = String::new();
    for i in 0..24 {
        lines.push_str(&serde_json::json!({
            "id": format!("doc-{i}"),
            "url": format!("https://www.site{i}.example/privacy"),
            "date": "2020-01-0{}".replace("{}", &((i % 9) + 1).to_string()),
            "text": format!("Privacy Policy of Site {i}\n\nWe collect your email address and your location to provide the service. We do not sell your personal information to third parties. We share your name with advertisers{}.", if i % 2 == 0 { " with your consent" } else { "" }),
        }).to_string());
        lines.push('\n');
    }
    std::fs::write(&jsonl, lines).unwrap();
    let inputs = [samples(), jsonl];

    let whole = dir.path().join("whole.db");
    run(bin().arg("build").arg("--store").arg(&whole).args(&inputs));

    let n = 3;
    let mut files = Vec::new();
    let mut seen = BTreeSet::new();
    for k in 1..=n {
        let file = dir.path().join(format!("shard-{k}-of-{n}.nq.gz"));
        run(bin()
            .args([
                "extract",
                "--format",
                "nq",
                "--shard",
                &format!("{k}/{n}"),
                "-o",
            ])
            .arg(&file)
            .args(&inputs));
        let graphs = graphs_in(&file);
        assert!(!graphs.is_empty(), "shard {k}/{n} is empty");
        assert!(
            seen.is_disjoint(&graphs),
            "shard {k}/{n} repeats a document of an earlier shard"
        );
        seen.extend(graphs);
        files.push(file);
    }
    let sharded = dir.path().join("sharded.db");
    run(bin().arg("load").arg("--store").arg(&sharded).args(&files));

    let ((a, ontology_a), (b, ontology_b)) = (dump(&whole), dump(&sharded));
    assert!(a.len() > 500, "{} statements", a.len());
    assert!(ontology_a > 100 && ontology_a == ontology_b);
    assert!(
        a.iter().all(|l| !l.contains("_:")),
        "blank nodes in the data"
    );
    let only_whole: Vec<_> = a.difference(&b).take(3).collect();
    let only_sharded: Vec<_> = b.difference(&a).take(3).collect();
    assert!(
        only_whole.is_empty() && only_sharded.is_empty(),
        "only in the build: {only_whole:?}; only in the load: {only_sharded:?}"
    );
}

#[test]
fn shard_arguments_are_checked() {
    for bad in ["0/3", "4/3", "1/0", "x", "1-3"] {
        let out = bin()
            .args(["extract", "--shard", bad])
            .arg(samples())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "--shard {bad} was accepted");
    }
}

#[test]
fn direct_nquads_match_oxigraphs_serialiser() {
    use privacy_kg::{corpus, graph, pipeline, vocab::Vocabulary};
    let vocab = Vocabulary::embedded().unwrap();
    let options = graph::GraphOptions::default();
    let mut checked = 0;
    for e in std::fs::read_dir(samples()).unwrap() {
        let doc = corpus::read_file(&e.unwrap().path(), corpus::Limits::default()).unwrap();
        let p = pipeline::process(doc, &vocab, &mut Default::default());
        let (_, quads) = graph::quads(&p.doc, &p.seg, &p.extraction, &vocab, &options);
        let mut expected =
            oxigraph::io::RdfSerializer::from_format(oxigraph::io::RdfFormat::NQuads)
                .for_writer(Vec::new());
        for q in &quads {
            expected.serialize_quad(q).unwrap();
        }
        let expected = expected.finish().unwrap();
        let mut direct = Vec::new();
        let (_, n) =
            graph::write_nquads(&p.doc, &p.seg, &p.extraction, &vocab, &options, &mut direct);
        assert_eq!(n, quads.len());
        assert_eq!(
            String::from_utf8(direct).unwrap(),
            String::from_utf8(expected).unwrap()
        );
        checked += quads.len();
    }
    assert!(checked > 200);
}
