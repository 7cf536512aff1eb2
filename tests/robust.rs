//! Hostile and broken inputs, exit codes, the run report and queries that go wrong: every
//! bad input is skipped or warned about with its file and reason, and the run goes on.
//! Large and binary fixtures are generated here, never committed.

use std::io::Write;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

mod common;
use common::{bin, built_samples, run, samples, stderr, stdout, write_files};

const POLICY: &str = "Privacy Policy\nWe collect your email address and your name when you register. We do not sell your personal information to third parties.\n";

/// The JSONL records of an `extract --with-text` run, by the file name ending their id.
fn records(o: &Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON record per line"))
        .collect()
}

fn record<'a>(recs: &'a [serde_json::Value], name_end: &str) -> &'a serde_json::Value {
    recs.iter()
        .find(|r| r["id"].as_str().unwrap().ends_with(name_end))
        .unwrap_or_else(|| panic!("no record for {name_end}: {recs:#?}"))
}

fn report(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).expect("report written")).expect("report is JSON")
}

/// The problems of a report about an input whose name ends so, as (reason, message).
fn problems(report: &serde_json::Value, kind: &str, name_end: &str) -> Vec<(String, String)> {
    report[kind]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["source"].as_str().unwrap().ends_with(name_end))
        .map(|p| {
            (
                p["reason"].as_str().unwrap().to_string(),
                p["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut units: Vec<u16> = Vec::new();
    if bom {
        units.push(0xfeff);
    }
    units.extend(text.encode_utf16());
    units
        .iter()
        .flat_map(|u| {
            if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            }
        })
        .collect()
}

#[test]
fn hostile_files_in_a_folder_are_each_reported_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let c = dir.path().join("corpus");
    std::fs::create_dir(&c).unwrap();
    let w = |name: &str, bytes: &[u8]| std::fs::write(c.join(name), bytes).unwrap();

    // Binary files named as text.
    w(
        "image.txt",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0\0\0\x01\0\x08\x06",
    );
    w(
        "archive.txt",
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xcb\x48\xcd\xc9",
    );
    w(
        "random.txt",
        &(0..4096u32)
            .map(|i| (i * 7919 % 251) as u8)
            .collect::<Vec<_>>(),
    );
    // Encodings.
    let mut bad_utf8 =
        "Privacy Policy\nOur café collects your e-mail address — and your name, naïvely.\n"
            .as_bytes()
            .to_vec();
    bad_utf8.extend(b"We do not sell your personal information \xff\xfe to third parties.\n");
    w("bad-utf8.txt", &bad_utf8);
    w("utf16le-bom.txt", &utf16(POLICY, false, true));
    w("utf16be-bom.txt", &utf16(POLICY, true, true));
    w("utf16le.txt", &utf16(POLICY, false, false));
    w("utf16be.txt", &utf16(POLICY, true, false));
    let mut odd = utf16(POLICY, false, true);
    odd.extend([0x00, 0xd8, 0x41]); // a lone high surrogate, then half a unit
    w("utf16-broken.txt", &odd);
    w(
        "latin1.txt",
        b"Privacy Policy\nOur caf\xe9 collects your e-mail address. We do not sell it.\n",
    );
    let once =
        "Privacy Policy\nOur visitors’ e-mail addresses are collected. We never sell them.\n";
    let mojibake: String = once.bytes().map(encoding_char).collect::<String>();
    let double: String = mojibake.bytes().map(encoding_char).collect();
    w("mojibake.txt", mojibake.as_bytes());
    w("mojibake-double.txt", double.as_bytes());
    // Nothing to read.
    w("empty.txt", b"");
    w("blank.txt", b" \n\t\r\n  \n");
    // Another language.
    w(
        "german.txt",
        "Datenschutzerklärung\nWir erheben Ihre E-Mail-Adresse und Ihren Namen, wenn Sie sich registrieren. Wir verkaufen Ihre personenbezogenen Daten nicht an Dritte. Die Verarbeitung erfolgt auf Grundlage von Art. 6 Abs. 1 lit. b DSGVO. Sie haben das Recht auf Auskunft, Berichtigung und Löschung Ihrer Daten. Bitte wenden Sie sich dazu an unseren Datenschutzbeauftragten, dessen Kontaktdaten Sie unten finden. Wir speichern Ihre Daten nur so lange, wie es für die genannten Zwecke erforderlich ist.\n"
            .as_bytes(),
    );
    // HTML: nesting 100,000 deep, a huge attribute, scripts and styles.
    let mut nested = String::from("<html><body>");
    for _ in 0..100_000 {
        nested.push_str("<div>");
    }
    nested.push_str("<p>We collect your email address.</p>");
    for _ in 0..100_000 {
        nested.push_str("</div>");
    }
    nested.push_str("</body></html>");
    w("nested.html", nested.as_bytes());
    let mut formatting = String::from("<html><body>");
    for i in 0..100_000 {
        formatting.push_str(["<b>", "<i>", "<span>", "<em>"][i % 4]);
    }
    formatting.push_str("We collect your postal address.");
    w("formatting.html", formatting.as_bytes());
    let huge = format!(
        "<html><head><style>{}</style><script>var s = \"{}\";</script></head><body><div data-x=\"{}\"><p>We share your location with advertisers.</p></div><script>{}</script></body></html>",
        "p{color:red}".repeat(100_000),
        "We sell your data. ".repeat(50_000),
        "A".repeat(10_000_000),
        "document.write('We sell everything');".repeat(10_000),
    );
    w("huge-attribute.html", huge.as_bytes());
    let mut many_attrs = String::from("<html><body><div");
    for i in 0..50_000 {
        many_attrs.push_str(&format!(" a{i}=\"{i}\""));
    }
    many_attrs.push_str("><p>We collect your phone number.</p></div></body></html>");
    w("many-attributes.html", many_attrs.as_bytes());
    // Awkward names.
    w("with space.txt", POLICY.as_bytes());
    w("quote\"and'apostrophe.txt", POLICY.as_bytes());
    w("new\nline.txt", POLICY.as_bytes());
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9-latin1-name.txt");
        std::fs::write(c.join(name), POLICY).unwrap();
    }
    // Links and special files.
    std::os::unix::fs::symlink(&c, c.join("loop")).unwrap();
    std::os::unix::fs::symlink(c.join("missing-target.txt"), c.join("dangling.txt")).unwrap();
    let fifo = c.join("fifo.txt");
    let cpath = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(cpath.as_ptr(), 0o644) }, 0);
    w("unreadable.txt", POLICY.as_bytes());
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            c.join("unreadable.txt"),
            std::fs::Permissions::from_mode(0o000),
        )
        .unwrap();
    }
    // Root reads a file whatever its mode: then the file is simply read. Two reads fail for
    // root too: a sysctl file without read permission (the kernel checks its mode bits for
    // root as well: EACCES) and a process's own memory, whose first page is not mapped (EIO).
    let unreadable = std::fs::read(c.join("unreadable.txt")).is_err();
    let write_only = Path::new("/proc/sys/vm/drop_caches");
    let denied_to_all =
        std::fs::read(write_only).is_err_and(|e| e.kind() == std::io::ErrorKind::PermissionDenied);
    if denied_to_all {
        std::os::unix::fs::symlink(write_only, c.join("write-only-sysctl.txt")).unwrap();
    }
    let memory_unreadable = std::fs::read("/proc/self/mem").is_err();
    if memory_unreadable {
        std::os::unix::fs::symlink("/proc/self/mem", c.join("process-memory.txt")).unwrap();
    }

    let report_path = dir.path().join("report.json");
    let started = Instant::now();
    let out = run(bin()
        .args(["extract", "--with-text", "--report"])
        .arg(&report_path)
        .arg(&c)
        .arg(&fifo));
    let took = started.elapsed();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(took < Duration::from_secs(60), "took {took:?}");
    let recs = records(&out);
    let rep = report(&report_path);
    assert_eq!(rep["exit_code"], 3);
    assert_eq!(rep["command"], "extract");

    let skipped = |name: &str, reason: &str| {
        let found = problems(&rep, "skipped", name);
        assert!(
            found.iter().any(|(r, m)| r == reason && m.contains(name)),
            "{name} not skipped as {reason}: {found:?}\n{err}"
        );
        assert!(err.contains(name), "{name} not on stderr: {err}");
    };
    let warned = |name: &str, reason: &str| {
        let found = problems(&rep, "warnings", name);
        assert!(
            found.iter().any(|(r, m)| r == reason && m.contains(name)),
            "{name} not warned as {reason}: {found:?}\n{err}"
        );
    };
    skipped("image.txt", "not-text");
    skipped("archive.txt", "not-text");
    skipped("random.txt", "not-text");
    assert!(err.contains("PNG") && err.contains("gzip"), "{err}");
    skipped("empty.txt", "empty");
    skipped("blank.txt", "empty");
    skipped("loop", "symlink-loop");
    skipped("dangling.txt", "not-found");
    skipped("fifo.txt", "not-a-regular-file");
    if unreadable {
        skipped("unreadable.txt", "permission-denied");
    } else {
        record(&recs, "unreadable.txt");
    }
    // Not a silent pass as root: at least one refused read is exercised on any Linux.
    assert!(
        unreadable || denied_to_all || memory_unreadable,
        "no unreadable file could be made here"
    );
    if denied_to_all {
        skipped("write-only-sysctl.txt", "permission-denied");
    }
    if memory_unreadable {
        skipped("process-memory.txt", "unreadable");
    }

    // Decoded, with a warning saying how.
    let text = |name: &str| record(&recs, name)["text"].as_str().unwrap().to_string();
    warned("bad-utf8.txt", "invalid-utf8");
    assert!(
        text("bad-utf8.txt").contains("café collects your e-mail address — and"),
        "good UTF-8 kept: {}",
        text("bad-utf8.txt")
    );
    for name in [
        "utf16le-bom.txt",
        "utf16be-bom.txt",
        "utf16le.txt",
        "utf16be.txt",
    ] {
        assert_eq!(text(name), POLICY, "{name}");
    }
    warned("utf16le.txt", "utf16-without-bom");
    warned("utf16be.txt", "utf16-without-bom");
    warned("utf16-broken.txt", "invalid-encoding");
    warned("latin1.txt", "not-utf8");
    assert!(text("latin1.txt").contains("café"));
    warned("mojibake.txt", "mojibake-repaired");
    assert!(
        text("mojibake.txt").contains("visitors’"),
        "{}",
        text("mojibake.txt")
    );
    warned("mojibake-double.txt", "mojibake-repaired");
    assert!(
        text("mojibake-double.txt").contains("visitors’"),
        "{}",
        text("mojibake-double.txt")
    );
    // Another language is reported and not read as English.
    warned("german.txt", "not-english");
    assert!(record(&recs, "german.txt")["practices"]
        .as_array()
        .unwrap()
        .is_empty());
    // HTML: what is visible is read, whatever the markup around it.
    assert!(text("nested.html").contains("We collect your email address."));
    assert!(text("formatting.html").contains("We collect your postal address."));
    let h = text("huge-attribute.html");
    assert_eq!(h, "We share your location with advertisers.");
    assert!(text("many-attributes.html").contains("We collect your phone number."));
    // Names: read, and shown on one line, distinguishable.
    for name in ["with space.txt", "quote\"and'apostrophe.txt"] {
        assert_eq!(text(name), POLICY);
    }
    assert_eq!(text("new\\nline.txt"), POLICY);
    assert_eq!(text("caf\\xe9-latin1-name.txt"), POLICY);
    for line in err.lines() {
        assert!(
            line.starts_with("privacy-kg") || line.starts_with("  "),
            "a message broken over lines: {line:?}"
        );
    }
    // The summary counts by reason.
    assert!(err.contains("reason"), "{err}");
    assert!(
        rep["by_reason"]["not-text"]["skipped"].as_u64().unwrap() >= 3,
        "{rep:#}"
    );
}

/// A byte as Windows-1252 reads it, for making mojibake.
fn encoding_char(b: u8) -> char {
    let byte = [b];
    let (s, _, _) = encoding_rs::WINDOWS_1252.decode(&byte);
    s.chars().next().unwrap()
}

#[test]
fn jsonl_keeps_good_lines_and_reports_bad_ones_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corpus.jsonl");
    let good =
        |id: &str| format!("{{\"id\": \"{id}\", \"text\": \"We collect your email address.\"}}");
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(b"\xef\xbb\xbf").unwrap(); // a byte-order mark before the first record
    writeln!(f, "{}", good("one")).unwrap(); // 1
    writeln!(f).unwrap(); // 2: empty line
    writeln!(f, "{{\"id\": \"two\", \"text\": ").unwrap(); // 3: cut short
    f.write_all(b"\0\n").unwrap(); // 4: a NUL byte
    f.write_all(b"{\"id\": \"x\", \"text\": \"caf\xe9\"}\n")
        .unwrap(); // 5: not UTF-8
    writeln!(f, "{{\"id\": \"three\"}}").unwrap(); // 6: no text
    writeln!(f, "{{\"id\": [1], \"text\": \"x\"}}").unwrap(); // 7: bad id
    write!(f, "{}\r\n", good("four")).unwrap(); // 8: CRLF
    writeln!(f, "{{\"id\": \"big\", \"text\": \"{}\"}}", "a".repeat(5000)).unwrap(); // 9
    writeln!(
        f,
        "{{\"id\": \"bin\", \"text\": \"\\u0000\\u0001\\u0002\\u0003\"}}"
    )
    .unwrap(); // 10
    write!(f, "{}", good("five")).unwrap(); // 11: no final newline
    drop(f);
    let report_path = dir.path().join("r.json");
    let out = run(bin()
        .args(["extract", "--max-bytes", "4000", "--report"])
        .arg(&report_path)
        .arg(&path));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    let ids: Vec<String> = records(&out)
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["one", "four", "five"]);
    let rep = report(&report_path);
    let at = |line: usize| problems(&rep, "skipped", &format!("corpus.jsonl:{line}"));
    for line in [3, 4, 5, 6, 7, 9, 10] {
        assert_eq!(at(line).len(), 1, "line {line}: {rep:#}");
        assert!(err.contains(&format!("corpus.jsonl:{line}")), "{err}");
    }
    assert!(at(5)[0].1.contains("UTF-8"), "{:?}", at(5));
    assert!(at(9)[0].0 == "bad-jsonl-record" && at(9)[0].1.contains("--max-bytes"));
    assert_eq!(at(10)[0].0, "not-text");
    let blank = problems(&rep, "warnings", "corpus.jsonl:2");
    assert_eq!(blank.len(), 1, "{rep:#}");
    assert_eq!(blank[0].0, "blank-jsonl-line");
}

#[test]
fn exit_codes_tell_all_good_some_failed_and_nothing_done_apart() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.txt");
    std::fs::write(&good, POLICY).unwrap();
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, b"\x89PNG\r\n\x1a\n\0\0").unwrap();
    let latin1 = dir.path().join("latin1.txt");
    std::fs::write(
        &latin1,
        b"Privacy Policy\nOur caf\xe9 collects your e-mail address.\n",
    )
    .unwrap();
    let empty_dir = dir.path().join("nothing");
    std::fs::create_dir(&empty_dir).unwrap();
    let store = dir.path().join("kg.db");
    let build = |args: &[&Path]| {
        let mut c = bin();
        c.arg("build").arg("--store").arg(&store);
        c.args(args);
        run(&mut c)
    };

    let ok = build(&[&good]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    assert!(stderr(&ok).is_empty(), "{}", stderr(&ok));

    let some = build(&[&good, &bad]);
    assert_eq!(some.status.code(), Some(3), "{}", stderr(&some));

    // Nothing could be done: every input failed, or there was none.
    let none = build(&[&bad]);
    assert_eq!(none.status.code(), Some(1));
    assert!(
        stderr(&none).contains("nothing could be done"),
        "{}",
        stderr(&none)
    );
    let missing = build(&[Path::new("/no/such/folder")]);
    assert_eq!(missing.status.code(), Some(1));
    let empty = build(&[&empty_dir]);
    assert_eq!(empty.status.code(), Some(1));
    assert!(
        stderr(&empty).contains("no documents found"),
        "{}",
        stderr(&empty)
    );

    // A warning is no failure, unless --strict.
    let warned = run(bin().arg("extract").arg(&latin1));
    assert_eq!(warned.status.code(), Some(0), "{}", stderr(&warned));
    assert!(
        stderr(&warned).contains("latin1.txt"),
        "{}",
        stderr(&warned)
    );
    assert_eq!(records(&warned).len(), 1);
    let strict = run(bin().args(["extract", "--strict"]).arg(&latin1).arg(&good));
    assert_eq!(strict.status.code(), Some(3), "{}", stderr(&strict));
    let recs = records(&strict);
    assert_eq!(
        recs.len(),
        1,
        "the warned document is skipped under --strict"
    );
    assert!(recs[0]["id"].as_str().unwrap().ends_with("good.txt"));
    assert!(stderr(&strict).contains("--strict"), "{}", stderr(&strict));

    let report_path = dir.path().join("r.json");
    let strict_build = run(bin()
        .args(["build", "--strict", "--memory", "--report"])
        .arg(&report_path)
        .arg(&latin1)
        .arg(&good));
    assert_eq!(
        strict_build.status.code(),
        Some(3),
        "{}",
        stderr(&strict_build)
    );
    let rep = report(&report_path);
    assert_eq!(rep["documents"], 1);
    assert_eq!(rep["exit_code"], 3);
    assert_eq!(rep["skipped"][0]["reason"], "not-utf8");
}

#[test]
fn a_policy_bigger_than_the_limit_is_skipped_without_being_read() {
    let dir = tempfile::tempdir().unwrap();
    // 200 MB on one line, as text and as a JSONL record followed by a good one.
    let big = dir.path().join("big.txt");
    let big_jsonl = dir.path().join("big.jsonl");
    let chunk = "We collect your email address and share it with advertisers. ".repeat(16_000);
    {
        let mut t = std::io::BufWriter::new(std::fs::File::create(&big).unwrap());
        let mut j = std::io::BufWriter::new(std::fs::File::create(&big_jsonl).unwrap());
        j.write_all(b"{\"id\": \"big\", \"text\": \"").unwrap();
        let mut n = 0;
        while n < 200_000_000 {
            t.write_all(chunk.as_bytes()).unwrap();
            j.write_all(chunk.as_bytes()).unwrap();
            n += chunk.len();
        }
        j.write_all(b"\"}\n{\"id\": \"small\", \"text\": \"We sell nothing.\"}\n")
            .unwrap();
    }
    let started = Instant::now();
    let report_path = dir.path().join("r.json");
    let out = run(bin()
        .args(["extract", "--report"])
        .arg(&report_path)
        .arg(&big)
        .arg(&big_jsonl));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    let rep = report(&report_path);
    assert_eq!(problems(&rep, "skipped", "big.txt")[0].0, "too-large");
    assert_eq!(
        problems(&rep, "skipped", "big.jsonl:1")[0].0,
        "bad-jsonl-record"
    );
    assert!(err.contains("--max-bytes"), "{err}");
    assert_eq!(records(&out).len(), 1);
    assert_eq!(records(&out)[0]["id"], "small");
}

#[test]
fn extraction_stops_at_the_time_limit_and_keeps_what_it_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.txt");
    // Far more sentences than any policy, each with a practice: 1.2 million, more than
    // extraction gets through in the one second allowed (300,000 no longer were: about
    // 350,000 sentences of this kind a second on the 2-core test machine), within the
    // default 64 MB input limit.
    let text =
        "We collect your email address. We share your location with advertisers.\n".repeat(600_000);
    std::fs::write(&path, &text).unwrap();
    let out = run(bin().args(["extract", "--max-seconds", "1"]).arg(&path));
    let err = stderr(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "a warning, not a failure: {err}"
    );
    assert!(
        err.contains("time limit") && err.contains("long.txt"),
        "{err}"
    );
    // What was found before the limit is kept (on a busy machine the limit can pass while
    // sentences are still being split, and then that is nothing).
    let recs = records(&out);
    let practices = recs[0]["practices"].as_array().unwrap().len();
    assert!(practices < 1_200_000, "{practices}");
}

#[test]
fn queries_name_the_place_of_a_syntax_error_stop_at_the_timeout_and_bind_values_as_terms() {
    let dir = tempfile::tempdir().unwrap();
    let store = built_samples(dir.path());

    // A saved query with a syntax error on line 4.
    let rq = dir.path().join("broken.rq");
    std::fs::write(
        &rq,
        "# title: Broken\n# description: x\nSELECT ?s WHERE {\n  ?s ?p ?o .\n  FILTER (?o = )\n}\n",
    )
    .unwrap();
    let out = run(bin().arg("query").arg(&rq).arg("--store").arg(&store));
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains(&format!("{}:5:16:", rq.display())), "{err}");
    assert!(err.contains("unexpected \")\""), "{err}");
    assert!(err.contains("syntax error"), "{err}");
    let out = run(bin()
        .args(["query", "--sparql", "SELECT * WHERE { ?s ?p }", "--store"])
        .arg(&store));
    assert!(stderr(&out).contains("--sparql:1:"), "{}", stderr(&out));

    // A query that would run for a very long time stops at --timeout.
    let started = Instant::now();
    let out = run(bin()
        .args([
            "query",
            "--timeout",
            "1",
            "--sparql",
            "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
            "--store",
        ])
        .arg(&store));
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stderr(&out).contains("time limit"), "{}", stderr(&out));
    assert!(started.elapsed() < Duration::from_secs(20));

    // `query --all` and `build --queries` give each query the time limit: the slow one is
    // named with its file, and the next one still runs.
    let queries = [
        (
            "01-fast.rq",
            "SELECT (COUNT(*) AS ?quads) WHERE { ?s ?p ?o }",
        ),
        (
            "02-slow.rq",
            "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
        ),
        (
            "03-after.rq",
            "SELECT (COUNT(DISTINCT ?g) AS ?graphs) WHERE { GRAPH ?g { ?s ?p ?o } }",
        ),
    ]
    .map(|(name, text)| (name, format!("# title: {name}\n{text}\n")));
    let catalogue = write_files(&dir.path().join("catalogue"), &queries);
    let all_queries = |out: &Output, took: Duration| {
        let (out_text, err) = (stdout(out), stderr(out));
        assert_eq!(out.status.code(), Some(3), "{out_text}\n{err}");
        let slow = catalogue.join("02-slow.rq").display().to_string();
        assert!(
            err.contains(&slow) && err.contains("time limit") && err.contains("next query"),
            "{err}"
        );
        assert!(err.contains("1 of 3 queries"), "{err}");
        let after = out_text.split("== 03-after").nth(1).unwrap_or_default();
        assert!(
            after.contains("graphs"),
            "the query after the slow one ran: {out_text}"
        );
        assert!(out_text.contains("quads"), "{out_text}");
        assert!(took < Duration::from_secs(30), "took {took:?}");
    };
    let started = Instant::now();
    let out = run(bin()
        .args(["query", "--all", "--timeout", "1", "--queries-dir"])
        .arg(&catalogue)
        .arg("--store")
        .arg(&store));
    all_queries(&out, started.elapsed());
    let started = Instant::now();
    let out = run(bin()
        .args([
            "build",
            "--queries",
            "--query-timeout",
            "1",
            "--queries-dir",
        ])
        .arg(&catalogue)
        .arg("--store")
        .arg(&store)
        .arg(samples()));
    all_queries(&out, started.elapsed());

    // Values with quotes, braces or '>' are values, never query text.
    let rq = dir.path().join("by-domain.rq");
    std::fs::write(
        &rq,
        "# title: By domain\n# description: x\n# param: org — a domain\nSELECT ?org (COUNT(*) AS ?n) WHERE { ?c <https://w3id.org/privacy-kg/ns#domain> ?org . ?s ?p ?o } GROUP BY ?org\n",
    )
    .unwrap();
    let rows = |value: &str| {
        let out = run(bin()
            .arg("query")
            .arg(&rq)
            .args(["--format", "csv", "--param"])
            .arg(format!("org={value}"))
            .arg("--store")
            .arg(&store));
        (out.status.code(), stdout(&out), stderr(&out))
    };
    let (code, honest, _) = rows("igroops.com");
    assert_eq!(code, Some(0));
    assert_eq!(honest.lines().count(), 2, "{honest}");
    for attack in [
        "igroops.com\" || true || \"",
        "x\" } UNION { ?c ?p ?org } #",
        "x'> } UNION { ?c ?p ?org } #",
        "\\\" ) } #",
    ] {
        let (code, out, err) = rows(attack);
        assert_eq!(code, Some(0), "{attack}: {err}");
        assert_eq!(out.lines().count(), 1, "{attack} changed the query: {out}");
    }
    let (code, _, err) = rows("<http://x.org/> } UNION { ?c ?p ?org } #>");
    assert_eq!(code, Some(1));
    assert!(err.contains("not a valid IRI"), "{err}");
}
