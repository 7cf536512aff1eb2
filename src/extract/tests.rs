//! The extractor on small hand-written sentences, with the built-in ontology.

use super::*;
use crate::corpus::Format;
use crate::text;

fn run(text: &str) -> (Vec<Practice>, Vocabulary) {
    let vocab = Vocabulary::embedded().unwrap();
    let seg = text::segment(Format::Text, text);
    let ex = extract(&seg, &vocab, &mut Scratch::default());
    (ex.practices, vocab)
}

fn data(v: &Vocabulary, p: &Practice) -> Vec<String> {
    p.data
        .iter()
        .map(|m| v.concept(m.concept).local_name().to_string())
        .collect()
}

fn find(ps: &[Practice], kind: PracticeKind) -> &Practice {
    ps.iter()
        .find(|p| p.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} practice in {ps:#?}"))
}

#[test]
fn negation_is_kept_not_dropped() {
    let (ps, v) = run("We will never sell your email address to advertisers.");
    let sell = find(&ps, PracticeKind::Sell);
    assert!(sell.negated);
    assert_eq!(sell.modality, Modality::Will);
    assert!(data(&v, sell).contains(&"EmailAddress".to_string()));
    assert!(!sell.recipients.is_empty());
}

#[test]
fn idioms_of_negation() {
    let (ps, _) = run("Under no circumstances will we sell your personal information.");
    assert!(find(&ps, PracticeKind::Sell).negated);
    let (ps, _) = run(
        "Once you share it with a seller, we have no control over how your information is used.",
    );
    assert!(
        ps.iter()
            .filter(|p| p.kind == PracticeKind::Use)
            .all(|p| !p.negated),
        "{ps:#?}"
    );
    let (ps, _) =
        run("You can list items for sale, and we may sell our business assets to a buyer.");
    assert!(ps.iter().all(|p| p.kind != PracticeKind::Sell), "{ps:#?}");
}

#[test]
fn a_wish_is_not_a_negation() {
    // The sentence offers a choice; it neither states nor denies sharing (PI-Extract and
    // OPP-115 annotators label such sentences as choices, with no sharing span).
    let (ps, _) = run("If you do not want us to share your email address, you can opt out.");
    assert!(
        ps.iter()
            .all(|p| !(p.kind == PracticeKind::Share && p.negated)),
        "{ps:#?}"
    );
    find(&ps, PracticeKind::Choice);
}

#[test]
fn passive_collection_and_enumerations() {
    let (ps, v) =
        run("Your name, postal address and e-mail addresses may be collected when you register.");
    let collect = find(&ps, PracticeKind::Collect);
    assert!(!collect.negated);
    assert_eq!(collect.modality, Modality::May);
    let d = data(&v, collect);
    for want in ["Name", "PostalAddress", "EmailAddress"] {
        assert!(d.contains(&want.to_string()), "{want} missing from {d:?}");
    }
    assert!(collect.condition.is_some());
}

#[test]
fn an_auxiliary_inside_the_cue_sets_the_modality() {
    // "we may store" is one lexicon label: its "may" is inside the cue, not before it.
    let (ps, _) = run("We may store your email address on our servers.");
    assert_eq!(find(&ps, PracticeKind::Collect).modality, Modality::May);
    let (ps, _) = run("We store your email address on our servers.");
    assert_eq!(find(&ps, PracticeKind::Collect).modality, Modality::Does);
}

#[test]
fn third_parties_as_subject_are_third_party_actors() {
    let (ps, _) = run("Third-party advertisers may collect your IP address through cookies.");
    let collect = find(&ps, PracticeKind::Collect);
    assert_eq!(collect.actor, Actor::ThirdParty);
    assert!(!collect.recipients.is_empty());
    let (ps, _) = run("We collect your IP address.");
    assert_eq!(find(&ps, PracticeKind::Collect).actor, Actor::FirstParty);
}

#[test]
fn this_information_refers_to_the_sentence_before() {
    let (ps, v) = run("We ask for your telephone number when you order. We use this information to deliver your order.");
    let used = ps.iter().find(|p| p.kind == PracticeKind::Use).unwrap();
    assert!(
        data(&v, used).contains(&"TelephoneNumber".to_string()),
        "{:?}",
        data(&v, used)
    );
    assert_eq!(used.rule, "anaphora");
}

#[test]
fn list_items_take_the_practice_of_their_lead_in() {
    let (ps, v) =
        run("We collect the following information:\n- your full name\n- your phone number\n");
    let items: Vec<_> = ps.iter().filter(|p| p.rule == "list-item").collect();
    assert_eq!(items.len(), 2, "{ps:#?}");
    assert!(items
        .iter()
        .all(|p| p.kind == PracticeKind::Collect && !p.negated));
    assert_eq!(data(&v, items[1]), ["TelephoneNumber"]);
}

#[test]
fn exceptions_get_the_opposite_polarity() {
    let (ps, v) = run("We store any information you give us, other than your credit card number.");
    let kept = ps
        .iter()
        .find(|p| p.kind == PracticeKind::Retain && p.negated)
        .expect("negated retain");
    assert_eq!(data(&v, kept), ["CreditCardNumber"]);
}

#[test]
fn minimum_ages() {
    assert_eq!(minimum_age("children under the age of 13"), Some(13));
    assert_eq!(
        minimum_age("You must be 18 years of age or older"),
        Some(18)
    );
    assert_eq!(minimum_age("users under 16"), Some(16));
    assert_eq!(minimum_age("We keep logs for 90 days"), None);
    let (ps, _) = run("We do not knowingly collect personal information from children under 13.");
    assert!(find(&ps, PracticeKind::Collect).negated);
    assert_eq!(find(&ps, PracticeKind::Audience).minimum_age, Some(13));
}

#[test]
fn terms_of_use_is_not_a_use_practice() {
    let (ps, _) = run("Please read our Terms of Use before your use of the site.");
    assert!(ps.iter().all(|p| p.kind != PracticeKind::Use), "{ps:#?}");
}

#[test]
fn foreign_language_text_is_warned_not_extracted() {
    let vocab = Vocabulary::embedded().unwrap();
    let text = "Wir erheben personenbezogene Daten nur im Rahmen der gesetzlichen Bestimmungen. "
        .repeat(10);
    let seg = text::segment(Format::Text, &text);
    let ex = extract(&seg, &vocab, &mut Scratch::default());
    assert!(ex.practices.is_empty());
    assert!(ex.warnings[0].contains("English"));
}

#[test]
fn english_passages_of_a_mixed_page_are_still_extracted() {
    let vocab = Vocabulary::embedded().unwrap();
    let german = "Wir erheben personenbezogene Daten nur im Rahmen der gesetzlichen Bestimmungen und nach den Regeln des Datenschutzes.\n".repeat(20);
    let text = format!("{german}\nWe never sell your email address to anyone, and we collect your IP address for the security of the site.\n");
    let seg = text::segment(Format::Text, &text);
    let ex = extract(&seg, &vocab, &mut Scratch::default());
    assert!(ex
        .practices
        .iter()
        .any(|p| p.kind == PracticeKind::Sell && p.negated));
    assert!(
        ex.warnings[0].contains("mostly not English"),
        "{:?}",
        ex.warnings
    );
}

#[test]
fn owner_keys_come_from_domain_and_organisation() {
    let o = Owner::new(Some("bankofamerica.com"), Some("Acme Widgets, Inc."));
    assert!(o.is("Bank of America"));
    assert!(o.is("Acme Widgets Inc."));
    assert!(o.is("Bank of America's"));
    assert!(!o.is("Bank"));
    assert!(!o.is("Google"));
    assert!(!Owner::default().is("Google"));
}

#[test]
fn the_owner_named_as_subject_is_the_first_party() {
    let vocab = Vocabulary::embedded().unwrap();
    let text = "Google processes your personal information on servers in many countries.";
    let seg = text::segment(Format::Text, text);
    let actor = |owner: &Owner| {
        let ex = extract_for(&seg, owner, &vocab, &mut Scratch::default());
        let p = ex
            .practices
            .iter()
            .find(|p| p.kind.is_about_data() && !p.data.is_empty())
            .cloned()
            .unwrap_or_else(|| panic!("no data practice in {:#?}", ex.practices));
        p.actor
    };
    // Elsewhere Google is a third party; in Google's own policy it is the first party.
    assert_eq!(actor(&Owner::default()), Actor::ThirdParty);
    assert_eq!(
        actor(&Owner::new(Some("google.com"), None)),
        Actor::FirstParty
    );
    assert_eq!(
        actor(&Owner::new(None, Some("Google LLC"))),
        Actor::FirstParty
    );
}

#[test]
fn the_company_as_defined_term_is_the_first_party() {
    let (ps, _) = run("The Company collects your email address when you register.");
    let p = find(&ps, PracticeKind::Collect);
    assert_eq!(p.actor, Actor::FirstParty);
    let (ps, _) = run("An advertising company may collect your email address on other sites.");
    assert_eq!(find(&ps, PracticeKind::Collect).actor, Actor::ThirdParty);
}

#[test]
fn a_denial_with_an_exception_is_not_absolute() {
    // The denial keeps the exception as its condition (query 07 skips conditioned
    // denials), and the excepted case is stated as a possible practice.
    let (ps, v) = run("We do not disclose your email address to anyone except as required by law.");
    let denial = ps
        .iter()
        .find(|p| p.kind == PracticeKind::Share && p.negated)
        .unwrap_or_else(|| panic!("no denial in {ps:#?}"));
    assert!(denial.condition.is_some(), "{denial:#?}");
    let affirmed = ps
        .iter()
        .find(|p| p.kind == PracticeKind::Share && !p.negated)
        .unwrap_or_else(|| panic!("no excepted practice in {ps:#?}"));
    assert_eq!(affirmed.modality, Modality::May);
    assert_eq!(affirmed.condition, denial.condition);
    assert!(data(&v, affirmed).contains(&"EmailAddress".to_string()));
    // An excluded purpose narrows the denial: nothing is affirmed.
    let (ps, _) = run("We do not share your email address for any purpose other than billing.");
    assert!(
        ps.iter()
            .filter(|p| p.kind == PracticeKind::Share)
            .all(|p| p.negated),
        "{ps:#?}"
    );
}

#[test]
fn a_denial_for_children_is_scoped_to_them() {
    // Query 07 reads a denial with a condition as not absolute: a denial for children does
    // not contradict the collection of the same data from adults.
    let (ps, _) = run("We do not knowingly collect the email address of children under 13.");
    let denial = ps
        .iter()
        .find(|p| p.kind == PracticeKind::Collect && p.negated)
        .unwrap_or_else(|| panic!("no denial in {ps:#?}"));
    assert!(denial.condition.is_some(), "{denial:#?}");
    let (ps, _) = run("We do not sell your email address.");
    let denial = find(&ps, PracticeKind::Sell);
    assert!(denial.negated && denial.condition.is_none(), "{denial:#?}");
}

#[test]
fn the_owner_is_found_in_the_text_without_metadata() {
    let owner = |text: &str| Owner::found_in(&text::segment(Format::Text, text));
    let declared =
        owner("This policy explains our practices. Acme Media Inc. (\"Acme\", \"we\", \"us\") runs the site.");
    assert!(declared.is("Acme Media"));
    assert!(declared.is("Acme"));
    assert!(owner("Our promise. At Hooli Labs, we value your trust.").is("Hooli Labs"));
    let greeted = owner("Welcome to the Globex Privacy Center. We respect your privacy.");
    assert!(greeted.is("Globex"));
    let titled = owner("Initech Privacy Policy\n\nLast updated: May 1, 2020.");
    assert!(titled.is("Initech"));
    assert!(!owner("Welcome to our website. We respect your privacy.").is_known());
    let (ps, _) = run("Welcome to Instagram. Instagram may collect your phone number.");
    assert_eq!(find(&ps, PracticeKind::Collect).actor, Actor::FirstParty);
    let itself =
        owner("Hooli also uses the personal information that we receive. Hooli stores it.");
    assert!(itself.is("Hooli"));
    assert!(!owner("This uses the data we collect.").is_known());
    let defined = owner("The term \"Initrode Bank\" or \"we\" or \"us\" refers to the bank.");
    assert!(defined.is("Initrode Bank"));
    // A heading glued to the next line by a stray non-ASCII letter (mojibake left of a lost
    // line break): the declaration still counts, as its ASCII word boundary says.
    assert!(
        owner("Effective date: April 25, 2022âAt Hooli Inc., we take privacy seriously.")
            .is("Hooli")
    );
}

#[test]
fn a_known_owner_takes_the_names_its_text_gives_the_first_person() {
    let doc = text::segment(
        Format::Text,
        "Microsoft uses the data we collect to run the services. Microsoft collects your search terms.",
    );
    let vocab = Vocabulary::embedded().unwrap();
    let bing = Owner::new(Some("bing.com"), None);
    let out = extract_for(&doc, &bing, &vocab, &mut Scratch::default());
    let collect = find(&out.practices, PracticeKind::Collect);
    assert_eq!(collect.actor, Actor::FirstParty);
    assert!(!out.practices.iter().any(|p| p.kind == PracticeKind::Share));
}

#[test]
fn english_counts_match_the_plain_definition() {
    for w in COMMON_ENGLISH {
        assert!(is_common_english(w.as_bytes()), "{w}");
        assert!(is_common_english(w.to_uppercase().as_bytes()), "{w}");
    }
    // Pieces that meet at word boundaries in every way: common words in three cases, other
    // ASCII words, digits, punctuation, non-ASCII letters (ß, é, the Kelvin sign, dotted İ,
    // CJK) and non-ASCII non-letters (an Arabic-Indic digit, a curly apostrophe, a no-break
    // space).
    let pieces = [
        "the",
        "The",
        "THE",
        "information",
        "Information",
        "informations",
        "of",
        "or",
        "Or",
        "with",
        "your",
        "yours",
        "a",
        "x",
        "inform",
        " ",
        "  ",
        ",",
        ".",
        "-",
        "'",
        "1",
        "42",
        "\n",
        "ß",
        "é",
        "\u{212A}",
        "İ",
        "中文",
        "٣",
        "’",
        "\u{a0}",
        "tHe",
        "wE",
        "Ünd",
    ];
    let mut next = crate::testing::xorshift(0x2545_F491_4F6C_DD1Du64);
    for _ in 0..50_000 {
        let len = next(12);
        let text: String = (0..len).map(|_| pieces[next(pieces.len())]).collect();
        assert_eq!(
            english_counts(&text),
            english_counts_slow(&text),
            "{text:?}"
        );
    }
}

#[test]
fn the_age_number_check_keeps_every_age() {
    let unfiltered = |sentence: &str| {
        AGE_PATTERNS.iter().find_map(|re| {
            re.captures_iter(sentence)
                .find_map(|caps| caps[1].parse::<u32>().ok().filter(|n| (6..=21).contains(n)))
        })
    };
    let pieces = [
        "under",
        "Under the age of",
        "younger than",
        "at least",
        "over the age of",
        "children",
        "users",
        "years",
        "year",
        "of age",
        "old",
        "or older",
        "and over",
        " ",
        " ",
        ",",
        ".",
        "13",
        "16",
        "18",
        "21",
        "22",
        "5",
        "6",
        "2015",
        "130",
        "1٣",
        "٣",
        "１３",
        "13th",
        "a",
        "-",
        "(",
        "0",
        "08",
        "$",
        "’",
    ];
    let mut next = crate::testing::xorshift(0x9E37_79B9_7F4A_7C15u64);
    let mut ages = 0;
    for _ in 0..50_000 {
        let len = next(10);
        let sentence: String = (0..len)
            .map(|_| pieces[next(pieces.len())])
            .collect::<Vec<_>>()
            .join(if next(2) == 0 { " " } else { "" });
        let expected = unfiltered(&sentence);
        ages += usize::from(expected.is_some());
        assert_eq!(minimum_age(&sentence), expected, "{sentence:?}");
    }
    assert!(ages > 1_000, "the generated sentences state ages ({ages})");
}
