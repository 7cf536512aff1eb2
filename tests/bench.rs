//! The benchmark harness on a tiny corpus written here: every phase runs and the report's
//! fields are sane. Timings are never asserted on.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use privacy_kg::bench::{self, Config};

const POLICIES: &[(&str, &str)] = &[
    (
        "Quillfeather_Privacy Policy.txt",
        "Quillfeather Privacy Policy\n\nWe collect your name, email address and postal address when you order a notebook. We use your email address to send you order updates. We do not sell your personal information to anyone.\n\nWe share your postal address with our delivery partners so they can bring your parcel.\n",
    ),
    (
        "Mossbank Weather_Privacy notice.txt",
        "Mossbank Weather Privacy Notice\n\nOur app collects your precise location to show the local forecast. We may share location data with analytics providers. We keep your data for 30 days and then delete it.\n\nOur service is not directed to children under 13.\n",
    ),
    (
        "Tinderbox Games_Privacy.txt",
        "Tinderbox Games Privacy\n\nWhen you play, we receive your device identifiers and IP address. We use cookies for advertising and share them with advertising partners. You can opt out of targeted advertising in the settings.\n",
    ),
    (
        "Larkspur Clinic_Privacy Policy.md",
        "# Larkspur Clinic Privacy Policy\n\n## What we collect\n\nWe collect the following information:\n\n- your name\n- your phone number\n- your health information\n\nWe never disclose health information to advertisers. We use encryption to protect your data.\n",
    ),
];

fn write_corpus(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for (name, text) in POLICIES {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

/// The harness's defaults, running this build's binary on the tiny corpus written under `dir`.
fn tiny_config(dir: &Path) -> Config {
    let corpus = dir.join("corpus");
    write_corpus(&corpus);
    let mut config = Config::new(env!("CARGO_BIN_EXE_privacy-kg").into());
    config.corpus = vec![corpus.display().to_string()];
    config
}

/// [`tiny_config`] at one size of 3 documents, one job, no rebuild, its work folder (also
/// returned) kept so that a second run can resume it.
fn resumable_config(dir: &Path) -> (Config, PathBuf) {
    let mut config = tiny_config(dir);
    let work = dir.join("work");
    config.sizes = vec![3];
    config.work = Some(work.clone());
    config.jobs = Some(1);
    config.query_timeout = Duration::from_secs(60);
    config.incremental = false;
    config.keep = true;
    (config, work)
}

/// The progress lines of a run that start timing a saved query ("  query 01-… …").
fn queries_started(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter(|l| l.starts_with("  query ") && l.ends_with('…'))
        .cloned()
        .collect()
}

#[test]
fn bench_runs_every_phase_on_a_tiny_corpus() {
    let tmp = tempfile::tempdir().unwrap();
    let mut config = tiny_config(tmp.path());
    config.sizes = vec![10, 3];
    config.work = Some(tmp.path().join("work"));
    config.jobs = Some(1);
    config.query_timeout = Duration::from_secs(60);
    let mut lines = Vec::new();
    let report = bench::run(&config, &mut |l| lines.push(l.to_string())).unwrap();
    assert!(!lines.is_empty());

    assert_eq!(report.source_documents, 4);
    assert_eq!(report.cores, 1);
    let sizes: Vec<usize> = report.sizes.iter().map(|s| s.documents).collect();
    assert_eq!(sizes, vec![3, 10], "sizes run in increasing order");
    // The lookup organisation is one every size holds.
    let org = report.org.clone().expect("an organisation for the queries");
    assert!(org.ends_with(".example"), "{org}");

    for s in &report.sizes {
        assert!(s.megabytes > 0.0);
        assert!(s.notes.is_empty(), "{:?}", s.notes);
        let phases: Vec<&str> = s.phases.iter().map(|p| p.phase.as_str()).collect();
        for wanted in [
            "lexicon scan",
            "extract --format nq",
            "oxigraph bulk load",
            "build",
            "optimize (compaction)",
        ] {
            assert!(
                phases.contains(&wanted),
                "{} lacks {wanted}: {phases:?}",
                s.documents
            );
        }
        for p in &s.phases {
            assert!(p.usage.wall_s > 0.0, "{}", p.phase);
            assert!(p.usage.peak_rss_mb > 0.0, "{}", p.phase);
            for rate in [
                p.documents_per_s,
                p.mb_per_s_per_core,
                p.practices_per_s,
                p.triples_per_s,
            ]
            .into_iter()
            .flatten()
            {
                assert!(rate > 0.0 && rate.is_finite(), "{}: {rate}", p.phase);
            }
        }
        let build = s.build.as_ref().unwrap();
        assert_eq!(build.loaded, s.documents);
        assert!(build.practices > 0 && build.quads_loaded > 0);
        // Every copy is its own policy graph (plus the ontology graph).
        assert_eq!(build.store_graphs, s.documents + 1);
        assert!(s.quads_per_policy.unwrap() > 10.0);
        let split = s.split.as_ref().unwrap();
        for (what, v) in [
            ("read", split.read_s),
            ("text", split.text_s),
            ("extract", split.extract_s),
            ("graph", split.graph_s),
            ("load", split.load_s),
            ("provenance and dataset description", split.publish_s),
        ] {
            assert!(v > 0.0, "{what} stage has no time");
        }
        let scan = s.scan.as_ref().unwrap();
        assert_eq!(scan.documents, s.documents);
        assert!(scan.labels > 100 && scan.matches > 0);
        let r = &s.ratios;
        assert!(r.extract_to_scan.unwrap() > 0.0);
        assert!(r.extract_stage_to_scan.unwrap() > 0.0);
        assert!(r.build_to_max_extract_oxigraph_load.unwrap() > 0.0);
        // The reference with Oxigraph's first write can only be larger, so its ratio smaller.
        assert!(
            r.build_to_max_extract_oxigraph_ready.unwrap()
                <= r.build_to_max_extract_oxigraph_load.unwrap()
        );
        assert!(s.oxigraph_load.as_ref().unwrap().first_write_s > 0.0);
        assert!(s.nquads_bytes.unwrap() > 0 && s.store_bytes.unwrap() > 0);
        // The queries read the store once compacted; compaction keeps it non-empty.
        assert!(s.optimize.as_ref().unwrap().optimize_s > 0.0);
        assert!(s.optimized_store_bytes.unwrap() > 0);

        assert_eq!(s.queries.len(), privacy_kg::query::catalogue().len());
        for q in &s.queries {
            assert!(q.error.is_none(), "{:?}", q.error);
            assert!(q.first_ms.unwrap() >= 0.0);
        }
        let lookup = s
            .queries
            .iter()
            .find(|q| q.name.starts_with("08-"))
            .unwrap();
        assert_eq!(lookup.params, vec![format!("org={org}")]);
        assert!(lookup.rows.unwrap() > 0, "the organisation has practices");
    }
    // The rebuild runs on the largest size of at most 10,000 documents.
    assert!(report.sizes[0].incremental.is_none());
    let big = &report.sizes[1];
    let inc = big.incremental.as_ref().unwrap();
    assert_eq!(inc.rewritten, 1);
    assert_eq!(inc.build.replaced, 1);
    assert_eq!(inc.build.unchanged, 9);
    assert!(big.ratios.rebuild_to_full.unwrap() > 0.0);

    // Stores and N-Quads files are removed once measured; the corpora and the checkpoints
    // (so the finished run can be extended with --resume) stay.
    let mut left: Vec<String> = std::fs::read_dir(tmp.path().join("work"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("corpus-") && n != "bench.log")
        .collect();
    left.sort();
    assert_eq!(left, ["checkpoint-10.json", "checkpoint-3.json"]);

    let table = report.to_string();
    assert!(table.contains("lexicon scan") && table.contains("rebuild/full"));
    // Two sizes with queries: each query's growth from the smaller to the larger store.
    assert!(
        table.contains("growth: time at 10 documents / at 3"),
        "{table}"
    );
    let json = serde_json::to_value(&report).unwrap();
    assert!(json["sizes"][1]["ratios"]["rebuild_to_full"].is_number());
}

/// A history corpus (`--versions`) gives the history queries versions to compare: each
/// answers something, which on a plain generated corpus (no dates) none does.
#[test]
fn a_history_corpus_gives_the_history_queries_answers() {
    let tmp = tempfile::tempdir().unwrap();
    let mut config = tiny_config(tmp.path());
    config.sizes = vec![8];
    config.versions = 4;
    config.work = Some(tmp.path().join("work"));
    config.jobs = Some(1);
    config.optimize = false;
    config.incremental = false;
    config.query_timeout = Duration::from_secs(60);
    let report = bench::run(&config, &mut |_| {}).unwrap();
    let size = &report.sizes[0];
    let build = size.build.as_ref().unwrap();
    assert_eq!(build.loaded, 8);
    // Two organisations of four versions each: eight version graphs and the ontology's.
    assert_eq!(build.store_graphs, 9);
    let rows = |prefix: &str| {
        let q = size
            .queries
            .iter()
            .find(|q| q.name.starts_with(prefix))
            .unwrap();
        assert!(q.error.is_none(), "{}: {:?}", q.name, q.error);
        (q.rows.unwrap(), q.params.clone())
    };
    // Versions per year: four years, one version per organisation each.
    assert_eq!(rows("15-").0, 4);
    // The last version drops the third's sale denial.
    assert!(rows("20-").0 > 0);
    // The second version collects location and telephone number, new since its date.
    let (newly_collected, params) = rows("21-");
    assert!(newly_collected >= 2, "{newly_collected}");
    assert_eq!(params, ["since=2022-06-01"]);
    // The fourth version offers an opt-out of sale.
    assert_eq!(rows("22-").0, 2);
    assert!(rows("17-").0 > 0);
    assert!(tmp.path().join("work/checkpoint-8-v4.json").is_file());
    assert!(report
        .to_string()
        .contains("(2 histories of 4 dated versions)"));
}

#[test]
fn bench_command_prints_json_and_tables() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    write_corpus(&corpus);
    let run = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_privacy-kg"))
            .arg("bench")
            .arg(&corpus)
            .args([
                "--sizes",
                "2",
                "--jobs",
                "1",
                "--skip-queries",
                "--skip-incremental",
            ])
            .args(extra)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let json: serde_json::Value = serde_json::from_str(&run(&["--json"])).unwrap();
    let size = &json["sizes"][0];
    assert_eq!(size["documents"], 2);
    assert!(size["phases"][0]["wall_s"].as_f64().unwrap() > 0.0);
    assert!(size["queries"].as_array().unwrap().is_empty());
    assert!(size["incremental"].is_null());
    let table = run(&[]);
    assert!(table.contains("== 2 documents"), "{table}");
    assert!(table.contains("build split"), "{table}");
    // Two documents are not the source's four, and one size has nothing to grow from.
    assert!(table.contains("== targets, judged on this run"), "{table}");
    assert!(
        table.contains("not measured extract --format nq on the source corpus"),
        "{table}"
    );
    assert!(
        table.contains("not measured build time ≤ 11× a tenth of the size"),
        "{table}"
    );
}

#[test]
fn a_saved_report_prints_again_with_its_targets_judged() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    write_corpus(&corpus);
    let saved = tmp.path().join("report.json");
    let bench = |args: &[&std::ffi::OsStr]| {
        Command::new(env!("CARGO_BIN_EXE_privacy-kg"))
            .arg("bench")
            .args(args)
            .output()
            .unwrap()
    };
    // The source's own size: the file-writing extraction is timed again without its output.
    let ran = bench(&[
        corpus.as_os_str(),
        "--sizes".as_ref(),
        "4".as_ref(),
        "--jobs".as_ref(),
        "1".as_ref(),
        "--skip-queries".as_ref(),
        "--skip-incremental".as_ref(),
        "--json-out".as_ref(),
        saved.as_os_str(),
    ]);
    assert!(
        ran.status.success(),
        "{}",
        String::from_utf8_lossy(&ran.stderr)
    );
    let table = String::from_utf8(ran.stdout).unwrap();
    assert!(
        table.contains("\nextract --format nq (to /dev/null)"),
        "{table}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    let targets = json["targets"].as_array().unwrap();
    assert_eq!(targets[0]["verdict"], "not-met", "{targets:?}");
    assert!(
        targets[0]["measured"]
            .as_str()
            .unwrap()
            .ends_with("MB/s/core (4 documents)"),
        "{targets:?}"
    );

    // Printed again from the file: the same tables and targets, nothing run.
    let rendered = bench(&["--render".as_ref(), saved.as_os_str()]);
    assert!(
        rendered.status.success(),
        "{}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    assert_eq!(String::from_utf8(rendered.stdout).unwrap(), table);

    // A file that is not a report is refused, naming it.
    let other = tmp.path().join("other.json");
    std::fs::write(&other, "{\"sizes\": 3}").unwrap();
    let refused = bench(&["--render".as_ref(), other.as_os_str()]);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("other.json is not a report of privacy-kg bench"),
        "{err}"
    );
    // --render runs nothing, so it takes no corpus or run options.
    let both = bench(&[
        "--render".as_ref(),
        saved.as_os_str(),
        "--sizes".as_ref(),
        "4".as_ref(),
    ]);
    assert!(!both.status.success());
}

/// The wall time a size's report gives a phase.
fn wall_s(size: &bench::SizeReport, phase: &str) -> f64 {
    size.phases
        .iter()
        .find(|p| p.phase == phase)
        .map(|p| p.usage.wall_s)
        .unwrap()
}

#[test]
fn an_interrupted_run_resumes_where_it_stopped() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut config, work) = resumable_config(tmp.path());
    let quiet = &mut |_: &str| {};
    let first = bench::run(&config, quiet).unwrap();
    let first = &first.sizes[0];
    let catalogue = privacy_kg::query::catalogue().len();
    assert_eq!(first.queries.len(), catalogue);

    // A run stopped during its queries: the checkpoint holds the ones that ended.
    let checkpoint = work.join("checkpoint-3.json");
    let mut ck: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&checkpoint).unwrap()).unwrap();
    let kept = catalogue - 4;
    ck["queries"].as_array_mut().unwrap().truncate(kept);
    std::fs::write(&checkpoint, ck.to_string()).unwrap();

    config.resume = true;
    let lines = std::cell::RefCell::new(Vec::new());
    let second = bench::run(&config, &mut |l| lines.borrow_mut().push(l.to_string())).unwrap();
    let second = &second.sizes[0];
    let build = |s: &bench::SizeReport| wall_s(s, "build");
    // The build and the first queries are the first run's figures; the last four ran again.
    assert_eq!(build(second), build(first));
    assert_eq!(second.queries.len(), catalogue);
    for (a, b) in first.queries.iter().zip(&second.queries) {
        assert_eq!(a.name, b.name, "catalogue order kept");
        assert!(b.error.is_none(), "{:?}", b.error);
    }
    assert_eq!(
        first.queries[..kept]
            .iter()
            .map(|q| q.first_ms)
            .collect::<Vec<_>>(),
        second.queries[..kept]
            .iter()
            .map(|q| q.first_ms)
            .collect::<Vec<_>>()
    );
    let ran = queries_started(&lines.borrow());
    assert_eq!(ran.len(), 4, "{ran:?}");
    assert!(
        second.notes.iter().any(|n| n.contains("resumed from")),
        "{:?}",
        second.notes
    );

    // A run that skipped `optimize` for want of disk and queried the store as built: on
    // resume `optimize` runs, the note saying it was skipped goes, and every query runs
    // again on the compacted store.
    let mut ck: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&checkpoint).unwrap()).unwrap();
    ck["optimize"] = serde_json::Value::Null;
    ck["notes"] = serde_json::json!([
        "optimize: skipped, not enough disk to compact the store; the queries read the store as built"
    ]);
    std::fs::write(&checkpoint, ck.to_string()).unwrap();
    let lines = std::cell::RefCell::new(Vec::new());
    let compacted = bench::run(&config, &mut |l| lines.borrow_mut().push(l.to_string())).unwrap();
    let compacted = &compacted.sizes[0];
    assert!(wall_s(compacted, "optimize (compaction)") > 0.0);
    assert!(
        !compacted.notes.iter().any(|n| n.starts_with("optimize")),
        "{:?}",
        compacted.notes
    );
    assert_eq!(queries_started(&lines.borrow()).len(), catalogue);
    assert_eq!(build(compacted), build(first));

    // With its store gone, a rebuild still to run needs a new build first; the generated
    // corpus, deleted as well, is written again and what was measured on it stands.
    std::fs::remove_dir_all(work.join("store-3")).unwrap();
    std::fs::remove_file(work.join("corpus-3.jsonl")).unwrap();
    config.incremental = true;
    let third = bench::run(&config, quiet).unwrap();
    let third = &third.sizes[0];
    assert_ne!(build(third), build(first), "built again");
    let extract = |s: &bench::SizeReport| wall_s(s, "extract --format nq");
    assert_eq!(extract(third), extract(first), "extraction kept");
    assert!(work.join("corpus-3.jsonl").is_file());
    assert_eq!(third.queries.len(), catalogue);
    assert_eq!(third.incremental.as_ref().unwrap().build.replaced, 1);

    // Resuming needs the work folder of the run it resumes.
    config.work = None;
    let err = bench::run(&config, quiet).unwrap_err().to_string();
    assert!(err.contains("--resume"), "{err}");
}

#[test]
fn oxigraph_load_phase_reads_quads_from_a_pipe() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    write_corpus(&corpus);
    let exe = env!("CARGO_BIN_EXE_privacy-kg");
    let extracted = Command::new(exe)
        .args(["extract", "--format", "nq", "-j", "1"])
        .arg(&corpus)
        .output()
        .unwrap();
    assert!(extracted.status.success());
    let quads = String::from_utf8(extracted.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count();
    assert!(quads > 50, "{quads}");

    // What the harness does when the disk cannot hold the N-Quads file: extract piped
    // straight into Oxigraph's loader.
    let store = tmp.path().join("oxigraph-store");
    let mut feeder = Command::new(exe)
        .args(["extract", "--format", "nq", "-j", "1"])
        .arg(&corpus)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let load = Command::new(exe)
        .args(["bench-phase", "oxigraph-load", "--store"])
        .arg(&store)
        .arg("-")
        .stdin(feeder.stdout.take().unwrap())
        .output()
        .unwrap();
    assert!(feeder.wait().unwrap().success());
    assert!(
        load.status.success(),
        "{}",
        String::from_utf8_lossy(&load.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&load.stdout).unwrap();
    assert_eq!(report["streamed"], true, "{report}");
    let loaded = privacy_kg::store::Store::open(&store)
        .unwrap()
        .stats()
        .unwrap()
        .quads;
    assert_eq!(loaded, quads);
}

#[test]
fn cold_queries_empty_the_page_cache_before_each_query_and_rerun_warm_figures() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut config, work) = resumable_config(tmp.path());
    // Not Linux's /proc/sys/vm/drop_caches: a test must not empty the machine's page cache,
    // and needs no root.
    config.cold_queries = true;
    config.drop_caches = tmp.path().join("no-such-folder").join("drop_caches");
    let err = bench::run(&config, &mut |_| {}).unwrap_err().to_string();
    assert!(
        err.contains("--cold-queries") && err.contains("no-such-folder"),
        "refused at once, naming the file: {err}"
    );
    assert!(!work.join("corpus-3.jsonl").exists(), "nothing generated");

    // A warm run kept for --resume: its query times are not cold ones, so a cold resumption
    // runs every query again, and nothing else.
    config.cold_queries = false;
    let warm = bench::run(&config, &mut |_| {}).unwrap();
    assert!(warm.sizes[0].queries.iter().all(|q| !q.cold));
    config.cold_queries = true;
    config.drop_caches = tmp.path().join("drop_caches");
    config.resume = true;
    let lines = std::cell::RefCell::new(Vec::new());
    let report = bench::run(&config, &mut |l| lines.borrow_mut().push(l.to_string())).unwrap();
    assert_eq!(
        std::fs::read_to_string(&config.drop_caches).unwrap(),
        "1\n",
        "clean pages dropped"
    );
    let catalogue = privacy_kg::query::catalogue().len();
    let queries = &report.sizes[0].queries;
    assert_eq!(queries.len(), catalogue);
    for q in queries {
        assert!(q.error.is_none(), "{}: {:?}", q.name, q.error);
        assert!(q.cold, "{}", q.name);
        assert!(q.second_ms.is_some(), "{} ran twice", q.name);
    }
    let ran = queries_started(&lines.borrow()).len();
    assert_eq!(ran, catalogue, "every query measured again");
    assert_eq!(
        wall_s(&report.sizes[0], "build"),
        wall_s(&warm.sizes[0], "build"),
        "the build is the warm run's"
    );
    assert!(report.to_string().contains("(cold)"), "{report}");
}
