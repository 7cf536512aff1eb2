//! Query results as an aligned text table for a terminal, with IRIs shortened by the
//! project's prefixes.

use std::io::Write;

use oxigraph::model::Term;

use crate::vocab::ns;

const PREFIXES: &[(&str, &str)] = &[
    ("pp:", ns::PP),
    ("ppd:", ns::DATA),
    ("ppp:", ns::PURPOSE),
    ("ppr:", ns::RECIPIENT),
    ("ppk:", ns::PRACTICE),
    ("ppc:", ns::CONDITION),
    ("dpv:", ns::DPV),
    ("pd:", ns::PD),
    ("skos:", ns::SKOS),
    ("xsd:", ns::XSD),
];

/// Longest cell printed; longer values are cut with an ellipsis.
const MAX_CELL: usize = 100;

/// A term as a person reads it: literals by value, IRIs shortened.
pub fn display_term(t: &Term) -> String {
    match t {
        Term::NamedNode(n) => {
            let iri = n.as_str();
            PREFIXES
                .iter()
                .find_map(|(p, ns)| iri.strip_prefix(ns).map(|rest| format!("{p}{rest}")))
                .unwrap_or_else(|| iri.to_string())
        }
        Term::Literal(l) => l.value().replace(['\n', '\r', '\t'], " "),
        Term::BlankNode(b) => format!("_:{}", b.as_str()),
        #[allow(unreachable_patterns)]
        other => other.to_string(),
    }
}

pub fn write(out: &mut dyn Write, header: &[String], rows: &[Vec<String>]) -> std::io::Result<()> {
    let cut = |s: &str| -> String {
        if s.chars().count() > MAX_CELL {
            let mut c: String = s.chars().take(MAX_CELL - 1).collect();
            c.push('…');
            c
        } else {
            s.to_string()
        }
    };
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| cut(c)).collect())
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let line = |out: &mut dyn Write, cells: &[String]| -> std::io::Result<()> {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(c);
            if i + 1 < cells.len() {
                s.extend(std::iter::repeat_n(' ', widths[i] - c.chars().count()));
            }
        }
        writeln!(out, "{}", s.trim_end())
    };
    line(out, header)?;
    let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
    line(out, &rule)?;
    for r in &rows {
        line(out, r)?;
    }
    writeln!(
        out,
        "({} row{})",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    )
}
