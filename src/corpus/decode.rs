//! Bytes to text: byte-order marks, UTF-16, invalid UTF-8 read as Windows-1252, binary
//! files refused, and mojibake (UTF-8 read as Windows-1252, `â€™`) repaired.

/// Text decoded from bytes, with what had to be done to it.
pub struct Decoded {
    pub text: String,
    pub warnings: Vec<String>,
}

/// Decodes a document's bytes, or says why they are not text.
pub fn decode(bytes: &[u8]) -> Result<Decoded, String> {
    let mut warnings = Vec::new();
    if let Some(kind) = binary_signature(bytes) {
        return Err(format!(
            "{kind} data; only text, Markdown and HTML are read"
        ));
    }
    let text = if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        if had_errors {
            warnings.push(format!(
                "invalid {} sequences replaced with U+FFFD",
                encoding.name()
            ));
        }
        text.into_owned()
    } else if let Some(encoding) = utf16_without_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
        warnings.push(format!(
            "decoded as {} (no byte-order mark){}",
            encoding.name(),
            if had_errors {
                "; invalid sequences replaced with U+FFFD"
            } else {
                ""
            }
        ));
        text.into_owned()
    } else {
        if looks_binary(bytes) {
            return Err(
                "binary data (control bytes); only text, Markdown and HTML are read".to_string(),
            );
        }
        match std::str::from_utf8(bytes) {
            Ok(s) => s.to_string(),
            Err(e) => {
                let (valid, invalid) = utf8_census(bytes);
                if valid > invalid {
                    // Mostly UTF-8 with a few bad bytes (a truncated download, a bad
                    // concatenation): reading the whole as Windows-1252 would turn every
                    // good character into mojibake, so only the bad bytes are replaced.
                    warnings.push(format!(
                        "invalid UTF-8 at byte offset {} ({invalid} bad sequences replaced with U+FFFD)",
                        e.valid_up_to()
                    ));
                    String::from_utf8_lossy(bytes).into_owned()
                } else {
                    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
                    warnings.push(format!(
                        "not UTF-8 (first bad byte at offset {}); decoded as Windows-1252",
                        e.valid_up_to()
                    ));
                    text.into_owned()
                }
            }
        }
    };
    let text = if looks_like_mojibake(&text) {
        let fixed = repair_mojibake(&text);
        if fixed != text {
            warnings.push("mojibake repaired".to_string());
        }
        fixed
    } else {
        text
    };
    Ok(Decoded { text, warnings })
}

fn binary_signature(bytes: &[u8]) -> Option<&'static str> {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "PNG image"),
        (b"\x1f\x8b", "gzip"),
        (b"%PDF-", "PDF"),
        (b"PK\x03\x04", "zip"),
        (b"\xff\xd8\xff", "JPEG image"),
        (b"GIF8", "GIF image"),
        (b"\x7fELF", "ELF executable"),
        (b"BZh", "bzip2"),
        (b"\xfd7zXZ\x00", "xz"),
        (b"\x28\xb5\x2f\xfd", "zstd"),
    ];
    SIGNATURES
        .iter()
        .find(|(sig, _)| bytes.starts_with(sig))
        .map(|(_, name)| *name)
}

/// How many well-formed non-ASCII UTF-8 characters and how many invalid sequences the
/// bytes hold.
fn utf8_census(bytes: &[u8]) -> (usize, usize) {
    let (mut valid, mut invalid) = (0, 0);
    for chunk in bytes.utf8_chunks() {
        valid += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += usize::from(!chunk.invalid().is_empty());
    }
    (valid, invalid)
}

/// UTF-16 without a BOM shows as every other byte NUL in ASCII-heavy text.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 8 {
        return None;
    }
    let pairs = sample.len() / 2;
    let even_nul = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd_nul = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|&&b| b == 0)
        .count();
    if odd_nul * 10 > pairs * 7 && even_nul * 10 < pairs {
        Some(encoding_rs::UTF_16LE)
    } else if even_nul * 10 > pairs * 7 && odd_nul * 10 < pairs {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// Text has few control bytes other than whitespace; binary data has many, NUL above all.
fn looks_binary(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(8192)];
    if sample.contains(&0) {
        return true;
    }
    let controls = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    controls * 20 > sample.len().max(1)
}

/// Mojibake of UTF-8 read as Latin-1/Windows-1252 starts with Ã, Â or â followed by a
/// character from the C1/Latin-1 range; only then is the (slower) repair worth running.
///
/// Every one of those lead characters (Ã Â â Ð Ñ Ø Ù) is encoded in UTF-8 as byte 0xC3 and
/// a continuation byte, so only the places memchr finds a 0xC3 are looked at (profiled: the
/// character-by-character scan of every line of the 3,764 ToS;DR policies that hold some
/// mojibake was most of `decode` outside plsfix). Same answer as [`looks_like_mojibake_slow`].
fn looks_like_mojibake(text: &str) -> bool {
    memchr::memchr_iter(0xC3, text.as_bytes()).any(|i| {
        // 0xC3 is a lead byte, never a continuation byte: a character starts at `i`.
        let mut rest = text[i..].chars();
        let lead = rest.next();
        matches!(lead, Some('Ã' | 'Â' | 'â' | 'Ð' | 'Ñ' | 'Ø' | 'Ù'))
            && rest.next().is_some_and(is_mojibake_second)
    })
}

/// The character that follows a mojibake lead character: C1/Latin-1 range or one of the
/// Windows-1252 characters that stand in for bytes 0x80–0x9F.
fn is_mojibake_second(c: char) -> bool {
    ('\u{80}'..='\u{bf}').contains(&c) || "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ".contains(c)
}

/// The plain character-by-character definition of [`looks_like_mojibake`], kept for its tests.
#[cfg(test)]
fn looks_like_mojibake_slow(text: &str) -> bool {
    let mut prev = '\0';
    for c in text.chars() {
        if matches!(prev, 'Ã' | 'Â' | 'â' | 'Ð' | 'Ñ' | 'Ø' | 'Ù') && is_mojibake_second(c) {
            return true;
        }
        prev = c;
    }
    false
}

/// plsfix set to repair the encoding only (no other clean-up of the text).
fn fixer_config() -> plsfix::TextFixerConfig {
    plsfix::TextFixerConfig {
        unescape_html: Some(false),
        remove_terminal_escapes: false,
        fix_encoding: true,
        restore_byte_a0: true,
        replace_lossy_sequences: true,
        decode_inconsistent_utf8: true,
        fix_c1_controls: true,
        fix_latin_ligatures: false,
        fix_character_width: false,
        uncurl_quotes: false,
        fix_line_breaks: false,
        remove_control_chars: false,
        normalization: None,
        max_decode_length: 1_000_000,
    }
}

fn repair_mojibake(text: &str) -> String {
    let config = fixer_config();
    // plsfix works line by line internally; long documents are fixed in line-sized pieces
    // so its per-call length limit never silently skips the repair.
    let mut out = String::with_capacity(text.len());
    let mut bytes = Vec::new();
    for piece in text.split_inclusive('\n') {
        if !looks_like_mojibake(piece) {
            out.push_str(piece);
        } else if let Some(fixed) = reencode_as_utf8(piece, &mut bytes) {
            out.push_str(fixed);
        } else {
            out.push_str(&plsfix::fix_text(piece, Some(&config)));
        }
    }
    out
}

/// The first repair plsfix tries, done directly: a line that is UTF-8 decoded as Latin-1
/// or as Windows-1252 is encoded back to those bytes and read as UTF-8. It is how 92% of
/// the ToS;DR lines with mojibake are repaired, and plsfix reaches it only after scoring
/// the line's "badness" with a large regex (profiled: plsfix was 9.5% of extraction's
/// instructions). `None` for anything else (another encoding, a lost no-break space, text
/// still garbled after one pass, C1 controls left, an ampersand), which then goes to plsfix.
/// The answer is plsfix's, except on the few lines plsfix leaves as they are because its
/// badness score does not trust the repair (Norwegian "VÃ¥r" stays so), which this repairs
/// (`direct_repair_agrees_with_plsfix`; on the ToS;DR corpus 71,335 of 79,546 lines with
/// mojibake are repaired here, 9 of them ones plsfix leaves).
fn reencode_as_utf8<'b>(line: &str, bytes: &'b mut Vec<u8>) -> Option<&'b str> {
    // plsfix replaces "lossy" sequences around U+001A and reads bytes 0xC0/0xED as
    // CESU-8/Java UTF-8; those lines are left to it.
    if line.contains(['\u{1a}', '\u{fffd}']) {
        return None;
    }
    // plsfix unescapes HTML entities on every line it repairs, whatever its configuration
    // says; a line with an ampersand is left to it so that the two never differ.
    if line.contains('&') {
        return None;
    }
    bytes.clear();
    // Latin-1 first, as plsfix: when the line is Latin-1 but not UTF-8 underneath, plsfix
    // gets no further with Windows-1252 (the same bytes) and the line goes to it whole.
    let latin1 = line.chars().all(|c| u32::from(c) <= 0xFF);
    for c in line.chars() {
        let b = if latin1 {
            u32::from(c) as u8
        } else {
            windows_1252_byte(c)?
        };
        bytes.push(b);
    }
    if bytes.contains(&0xC0) || bytes.contains(&0xED) {
        return None;
    }
    let fixed = std::str::from_utf8(bytes).ok()?;
    // "Â" or "Ã" left after one pass is text encoded twice, or a no-break space that lost
    // its second byte ("Â "), which plsfix puts back.
    let settled = !looks_like_mojibake(fixed)
        && !fixed
            .chars()
            .any(|c| is_c1_control(c) || c == 'Â' || c == 'Ã');
    settled.then_some(fixed)
}

/// The byte "sloppy" Windows-1252 (plsfix's name: the five bytes Windows-1252 leaves
/// undefined read as C1 controls) decodes to `c`.
fn windows_1252_byte(c: char) -> Option<u8> {
    let b = match c {
        '\0'..='\u{7f}' | '\u{a0}'..='\u{ff}' => u32::from(c) as u8,
        '\u{81}' | '\u{8d}' | '\u{8f}' | '\u{90}' | '\u{9d}' => u32::from(c) as u8,
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => return None,
    };
    Some(b)
}

fn is_c1_control(c: char) -> bool {
    ('\u{80}'..='\u{9f}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repairs_utf8_read_as_windows_1252() {
        let d = decode("our visitorsâ€™ privacy".as_bytes()).unwrap();
        assert_eq!(d.text, "our visitors’ privacy");
        assert!(d.warnings.iter().any(|w| w.contains("mojibake")));
    }

    #[test]
    fn mojibake_precheck_matches_the_plain_scan_and_plsfix() {
        let cases = [
            "",
            "plain ASCII, nothing to repair",
            "our visitorsâ€™ privacy",
            "cafÃ© and crÃ¨me",
            "price:Â\u{a0}10",
            "Ã at the very end Ã",
            "Ã",
            "â",
            "âx not mojibake, â€ is",
            "déjà vu, naïve, Ärger, Ñandú, Øre, Ùnicode",
            "Ã\u{7f} below the range",
            "Ðž Cyrillic read as Windows-1252",
            "line one\nline two with Ã©\n",
            "a ÃÃ double lead, then Ã\u{bf}",
        ];
        for text in cases {
            assert_eq!(
                looks_like_mojibake(text),
                looks_like_mojibake_slow(text),
                "{text:?}"
            );
        }
        // Text that plsfix repairs is flagged (the pre-check's purpose). Not every change
        // plsfix could make is: "Ã " with a plain space (a lost no-break space) is left
        // alone, by the plain scan as by this one.
        for text in [
            "our visitorsâ€™ privacy",
            "cafÃ© and crÃ¨me",
            "line one\nline two with Ã©\n",
        ] {
            assert_ne!(fix_whole(text), text, "{text:?}");
            assert!(looks_like_mojibake(text), "{text:?}");
            assert_eq!(repair_mojibake(text), fix_whole(text), "{text:?}");
        }
        assert_ne!(fix_whole("Ã at the very end Ã"), "Ã at the very end Ã");
        assert!(!looks_like_mojibake("Ã at the very end Ã"));
        assert!(looks_like_mojibake("visitorsâ€™"));
        assert!(!looks_like_mojibake("déjà vu"));
    }

    #[test]
    fn direct_repair_agrees_with_plsfix() {
        let cases = [
            "our visitorsâ€™ privacy\n",
            "cafÃ© and crÃ¨me",
            "SYNTHORINâ\u{84}¢ Technology Platform",
            "Policy (â\u{80}\u{9c}Policyâ\u{80}\u{9d}) describes SANOFIâ\u{80}\u{99}s practices",
            "Racing Victoria â\u{80}\u{93} www.rv.racing.com\u{a0}",
            "mixed: naïve â€™ and Ã©",
            "price:Â\u{a0}10",
            "twice: Ã¢â‚¬â„¢",
            "a lost space: Ã  la carte",
            "Ðž Cyrillic read as Windows-1252",
            "lossy â€\u{fffd} here",
        ];
        let mut bytes = Vec::new();
        for text in cases {
            let expected = plsfix::fix_text(text, Some(&fixer_config()));
            if let Some(direct) = reencode_as_utf8(text, &mut bytes) {
                assert_eq!(direct, expected, "{text:?}");
            }
            assert_eq!(repair_mojibake(text), expected, "{text:?}");
        }
        assert_eq!(
            reencode_as_utf8("our visitorsâ€™ privacy", &mut bytes),
            Some("our visitors’ privacy")
        );
    }

    /// The direct repair against plsfix on every line of a real corpus that holds
    /// mojibake (`PRIVACY_KG_MOJIBAKE_CORPUS`, a folder of text files; the ToS;DR one has
    /// ~80,000 such lines).
    #[test]
    #[ignore = "needs a corpus folder in PRIVACY_KG_MOJIBAKE_CORPUS"]
    fn direct_repair_agrees_with_plsfix_on_a_corpus() {
        let dir = std::env::var("PRIVACY_KG_MOJIBAKE_CORPUS").expect("PRIVACY_KG_MOJIBAKE_CORPUS");
        let (mut lines, mut direct, mut differ, mut bytes) = (0, 0, 0, Vec::new());
        for entry in std::fs::read_dir(dir).unwrap() {
            let raw = std::fs::read(entry.unwrap().path()).unwrap();
            let text = String::from_utf8_lossy(&raw);
            for line in text
                .split_inclusive('\n')
                .filter(|l| looks_like_mojibake(l))
            {
                lines += 1;
                if let Some(fixed) = reencode_as_utf8(line, &mut bytes) {
                    direct += 1;
                    let by_plsfix = plsfix::fix_text(line, Some(&fixer_config()));
                    // Where the two differ, plsfix left the line as it was ("VÃ¥r": its
                    // badness score does not trust the repair) and the direct repair did not.
                    if fixed != by_plsfix {
                        assert!(
                            by_plsfix == line && !looks_like_mojibake(fixed),
                            "{line:?}: {fixed:?} against {by_plsfix:?}"
                        );
                        differ += 1;
                    }
                }
            }
        }
        eprintln!("{direct} of {lines} lines repaired directly, {differ} that plsfix left");
        assert!(direct > 0);
    }

    /// plsfix over the whole text, without the pre-check.
    fn fix_whole(text: &str) -> String {
        let mut out = String::new();
        for piece in text.split_inclusive('\n') {
            out.push_str(&plsfix::fix_text(piece, Some(&fixer_config())));
        }
        out
    }

    #[test]
    fn refuses_binary_and_reads_utf16_and_latin1() {
        assert!(decode(b"\x89PNG\r\n\x1a\n\0\0\0rest").is_err());
        assert!(decode(b"\x1f\x8b\x08\0\0\0").is_err());
        let utf16: Vec<u8> = "\u{feff}We collect data."
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(decode(&utf16).unwrap().text, "We collect data.");
        let mostly_utf8 = "naïve café — résumé !".as_bytes();
        let d = decode(&[mostly_utf8, &b"\xff end"[..]].concat()).unwrap();
        assert!(d.text.starts_with("naïve café — résumé"), "{}", d.text);
        assert!(d.warnings[0].contains("invalid UTF-8 at byte offset"));
        let latin1 = b"caf\xe9 policy";
        let d = decode(latin1).unwrap();
        assert_eq!(d.text, "café policy");
        assert!(!d.warnings.is_empty());
    }
}
