//! What must be true of the five sample policies in `data/policies/`.

use privacy_kg::corpus::{self, Limits};
use privacy_kg::extract::{Practice, PracticeKind};
use privacy_kg::pipeline::{self, Processed};
use privacy_kg::vocab::Vocabulary;

fn sample(prefix: &str) -> (Processed, Vocabulary) {
    let vocab = Vocabulary::embedded().unwrap();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/policies");
    let path = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .unwrap();
    let doc = corpus::read_file(&path, Limits::default()).unwrap();
    let p = pipeline::process(doc, &vocab, &mut Default::default());
    (p, vocab)
}

fn names(v: &Vocabulary, ms: &[privacy_kg::extract::Mention]) -> Vec<String> {
    ms.iter()
        .map(|m| v.concept(m.concept).local_name().to_string())
        .collect()
}

fn has(v: &Vocabulary, p: &Practice, data: &str) -> bool {
    names(v, &p.data).iter().any(|n| n == data)
}

fn evidence<'a>(p: &Processed, pr: &Practice) -> &'a str {
    let s = &p.seg.text[pr.evidence.0..pr.evidence.1];
    Box::leak(s.to_string().into_boxed_str())
}

#[test]
fn igroops_metadata_and_mojibake() {
    let (p, _) = sample("000_");
    assert_eq!(p.doc.meta.domain.as_deref(), Some("igroops.com"));
    assert_eq!(p.doc.meta.archived.as_deref(), Some("2018-04-11"));
    assert!(
        p.seg.text.contains("visitors’ online"),
        "mojibake not repaired"
    );
    assert!(!p.seg.text.contains("â€"));
}

#[test]
fn igroops_does_not_sell_email_to_third_parties() {
    let (p, v) = sample("000_");
    let sell = p
        .extraction
        .practices
        .iter()
        .find(|pr| pr.kind == PracticeKind::Sell && pr.negated && has(&v, pr, "EmailAddress"))
        .unwrap_or_else(|| panic!("no negated sell of email: {:#?}", p.extraction.practices));
    assert!(
        names(&v, &sell.recipients)
            .iter()
            .any(|r| r == "ThirdParty"),
        "{:?}",
        names(&v, &sell.recipients)
    );
    assert!(evidence(&p, sell).contains("rent or trade"));
}

#[test]
fn igroops_collects_ip_browser_version_and_domain_type() {
    let (p, v) = sample("000_");
    for data in ["IPAddress", "BrowserVersion", "DomainName"] {
        assert!(
            p.extraction
                .practices
                .iter()
                .any(|pr| pr.kind == PracticeKind::Collect && !pr.negated && has(&v, pr, data)),
            "no collection of {data}"
        );
    }
}

#[test]
fn igroops_minimum_age_is_16() {
    let (p, _) = sample("000_");
    assert!(p
        .extraction
        .practices
        .iter()
        .any(|pr| pr.kind == PracticeKind::Audience && pr.minimum_age == Some(16)));
}

#[test]
fn igroops_shares_contact_data_with_service_providers_for_orders_and_payments() {
    let (p, v) = sample("000_");
    let share = p
        .extraction
        .practices
        .iter()
        .find(|pr| {
            pr.kind == PracticeKind::Share
                && !pr.negated
                && ["Name", "PostalAddress", "EmailAddress", "TelephoneNumber"]
                    .iter()
                    .all(|d| has(&v, pr, d))
        })
        .unwrap_or_else(|| panic!("no sharing of contact data: {:#?}", p.extraction.practices));
    assert!(
        names(&v, &share.recipients)
            .iter()
            .any(|r| r == "ServiceProvider"),
        "{:?}",
        names(&v, &share.recipients)
    );
    let purposes = names(&v, &share.purposes);
    assert!(
        purposes.iter().any(|r| r == "OrderFulfilment"),
        "{purposes:?}"
    );
    assert!(
        purposes.iter().any(|r| r == "PaymentProcessing"),
        "{purposes:?}"
    );
}

#[test]
fn igourmet_ships_through_named_carriers_and_keeps_no_card_number() {
    let (p, v) = sample("002_");
    let share = p
        .extraction
        .practices
        .iter()
        .find(|pr| pr.kind == PracticeKind::Share && has(&v, pr, "ShippingAddress"))
        .expect("shipping information shared");
    let to = names(&v, &share.recipients);
    for r in ["UPS", "FedEx", "DropShipper"] {
        assert!(to.iter().any(|n| n == r), "{r} missing from {to:?}");
    }
    assert!(p
        .extraction
        .practices
        .iter()
        .any(|pr| pr.kind == PracticeKind::Retain
            && pr.negated
            && has(&v, pr, "CreditCardNumber")));
    assert!(p
        .extraction
        .practices
        .iter()
        .any(|pr| pr.kind == PracticeKind::Choice && evidence(&p, pr).contains("unsubscribe")));
}

#[test]
fn ioffer_collects_nothing_from_minors_and_sells_nothing() {
    let (p, _) = sample("004_");
    let minors = p
        .extraction
        .practices
        .iter()
        .find(|pr| {
            pr.kind == PracticeKind::Collect
                && pr.negated
                && evidence(&p, pr).contains("under the age of 18")
        })
        .expect("negated collection from under-18s");
    assert!(p
        .extraction
        .practices
        .iter()
        .any(|pr| pr.kind == PracticeKind::Audience
            && pr.minimum_age == Some(18)
            && pr.sentence == minors.sentence));
    assert!(p
        .extraction
        .practices
        .iter()
        .any(|pr| pr.kind == PracticeKind::Sell
            && pr.negated
            && evidence(&p, pr).contains("rent or sell")));
}

#[test]
fn every_sample_states_five_kinds_of_practice() {
    for prefix in ["000_", "001_", "002_", "003_", "004_"] {
        let (p, _) = sample(prefix);
        let mut kinds: Vec<_> = p.extraction.practices.iter().map(|pr| pr.kind).collect();
        kinds.sort();
        kinds.dedup();
        assert!(kinds.len() >= 5, "{prefix}: only {kinds:?}");
    }
}

#[test]
fn every_evidence_and_mention_lies_inside_the_text_on_char_boundaries() {
    for prefix in ["000_", "001_", "002_", "003_", "004_"] {
        let (p, _) = sample(prefix);
        for pr in &p.extraction.practices {
            let spans = std::iter::once(pr.evidence).chain(
                pr.data
                    .iter()
                    .chain(&pr.recipients)
                    .chain(&pr.purposes)
                    .chain(&pr.condition)
                    .map(|m| (m.start, m.end)),
            );
            for (s, e) in spans {
                assert!(s < e && e <= p.seg.text.len());
                assert!(p.seg.text.is_char_boundary(s) && p.seg.text.is_char_boundary(e));
            }
        }
    }
}

#[test]
fn imgwg_is_named_from_its_title() {
    let (p, _) = sample("001_");
    assert_eq!(
        p.doc.meta.organization.as_deref(),
        Some("imgwg Communications")
    );
}
