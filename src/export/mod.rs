//! The store, or a stream of quads, written as RDF: N-Quads, TriG, Turtle, N-Triples,
//! RDF/XML and (expanded, streaming) JSON-LD for whole-store dumps, and one compact JSON-LD
//! document per policy ([`compact`]). Triple-only formats receive the union of all graphs,
//! since they cannot name graphs.

pub mod compact;

use std::io::Write;

use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfSerializer};
use oxigraph::model::Quad;

use crate::store::{Store, StoreError};
use crate::vocab::ns;

/// An output serialisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    NQuads,
    TriG,
    Turtle,
    NTriples,
    RdfXml,
    JsonLd,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        Some(match s {
            "nq" | "nquads" | "n-quads" => Format::NQuads,
            "trig" => Format::TriG,
            "ttl" | "turtle" => Format::Turtle,
            "nt" | "ntriples" | "n-triples" => Format::NTriples,
            "rdfxml" | "rdf" | "xml" | "owl" => Format::RdfXml,
            "jsonld" | "json-ld" => Format::JsonLd,
            _ => return None,
        })
    }

    fn rdf(self) -> RdfFormat {
        match self {
            Format::NQuads => RdfFormat::NQuads,
            Format::TriG => RdfFormat::TriG,
            Format::Turtle => RdfFormat::Turtle,
            Format::NTriples => RdfFormat::NTriples,
            Format::RdfXml => RdfFormat::RdfXml,
            Format::JsonLd => RdfFormat::JsonLd {
                profile: JsonLdProfileSet::empty(),
            },
        }
    }

    /// Whether the format can hold named graphs.
    pub fn has_graphs(self) -> bool {
        matches!(self, Format::NQuads | Format::TriG | Format::JsonLd)
    }
}

/// The prefixes written where a format can use them.
pub const PREFIXES: &[(&str, &str)] = &[
    ("pp", ns::PP),
    ("ppd", ns::DATA),
    ("ppp", ns::PURPOSE),
    ("ppr", ns::RECIPIENT),
    ("ppk", ns::PRACTICE),
    ("ppc", ns::CONDITION),
    ("dpv", ns::DPV),
    ("pd", ns::PD),
    ("skos", ns::SKOS),
    ("rdfs", ns::RDFS),
    ("xsd", ns::XSD),
    ("prov", ns::PROV),
    ("oa", ns::OA),
    ("dct", ns::DCT),
    ("void", crate::publish::VOID),
    ("dcat", crate::publish::DCAT),
];

/// A streaming writer of quads in one format.
pub struct QuadWriter<W: Write> {
    inner: oxigraph::io::WriterQuadSerializer<W>,
    graphs: bool,
}

impl<W: Write> QuadWriter<W> {
    pub fn new(format: Format, out: W) -> std::io::Result<QuadWriter<W>> {
        let mut s = RdfSerializer::from_format(format.rdf());
        if matches!(format, Format::Turtle | Format::TriG | Format::RdfXml) {
            for (p, iri) in PREFIXES {
                s = s.with_prefix(*p, *iri).map_err(std::io::Error::other)?;
            }
        }
        Ok(QuadWriter {
            inner: s.for_writer(out),
            graphs: format.has_graphs(),
        })
    }

    pub fn write(&mut self, quad: &Quad) -> std::io::Result<()> {
        if self.graphs {
            self.inner.serialize_quad(quad)
        } else {
            self.inner.serialize_triple(quad.as_ref())
        }
    }

    pub fn finish(self) -> std::io::Result<W> {
        self.inner.finish()
    }
}

/// Writes the whole store. Returns the number of statements written.
pub fn store(store: &Store, format: Format, out: impl Write) -> Result<usize, StoreError> {
    let mut writer = QuadWriter::new(format, out).map_err(io)?;
    let mut n = 0;
    for q in store.oxigraph().iter() {
        let q = q?;
        writer.write(&q).map_err(io)?;
        n += 1;
    }
    writer.finish().map_err(io)?;
    Ok(n)
}

/// Writes one compact JSON-LD document per policy into `dir` (created if missing), named by
/// [`compact::file_name`]. Returns the number of documents written.
pub fn compact_documents(store: &Store, dir: &std::path::Path) -> Result<usize, StoreError> {
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut n = 0;
    for policy in compact::policies(store)? {
        let Some(doc) = compact::policy_document_from_store(store, &policy)? else {
            continue;
        };
        let file = std::fs::File::create(dir.join(compact::file_name(&policy))).map_err(io)?;
        let mut w = std::io::BufWriter::new(file);
        serde_json::to_writer_pretty(&mut w, &doc).map_err(|e| io(e.into()))?;
        w.write_all(b"\n").map_err(io)?;
        w.flush().map_err(io)?;
        n += 1;
    }
    Ok(n)
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Query(format!("writing: {e}"))
}
