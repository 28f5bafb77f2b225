//! Is a reader's quoted passage still on the page? Compared loosely, as a reader copies text:
//! whitespace, the kind of quotation marks and dashes, letter case, and an ellipsis or stray
//! punctuation at either end do not matter.

/// The text in the form passages are compared in.
pub fn normalise(text: &str) -> String {
    let mapped: String =
        text.chars()
            .map(|c| match c {
                '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '`'
                | '\u{00B4}' => '\'',
                '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
                | '\u{00BB}' => '"',
                '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
                '\u{00A0}' | '\u{202F}' => ' ',
                c => c,
            })
            .flat_map(char::to_lowercase)
            .collect();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `quote` appears in `page_text`; None when the quote has nothing to look for.
pub fn on_page(quote: &str, page_text: &str) -> Option<bool> {
    let quote = normalise(quote);
    let trimmed = quote
        .trim_matches(|c: char| c.is_whitespace() || matches!(c, '.' | '…' | '"' | '\'' | ','))
        .to_string();
    if trimmed.chars().filter(|c| c.is_alphanumeric()).count() < 3 {
        return None;
    }
    Some(normalise(page_text).contains(&trimmed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passages_match_loosely() {
        let page = "Adults: take 200\u{2013}400 mg   every 4 to 6 hours.\nDon\u{2019}t take more than 1,200 mg a day.";
        assert_eq!(
            on_page("take 200-400 mg every 4 to 6 hours", page),
            Some(true)
        );
        assert_eq!(
            on_page("…DON'T TAKE more than 1,200 mg a day.", page),
            Some(true)
        );
        assert_eq!(
            on_page("\u{201C}every 4 to\n6 hours\u{201D}", page),
            Some(true)
        );
        assert_eq!(on_page("take 800 mg every 4 hours", page), Some(false));
        assert_eq!(on_page(" … ", page), None);
    }
}
