//! Bounded views of input text for messages (pure): no error or report line shows a whole input, only an excerpt
//! of about [`EXCERPT_CHARS`] characters that says how much was left out.

/// About how many characters of an input a message shows.
pub const EXCERPT_CHARS: usize = 200;

/// `text` when it is at most `max` characters, else its first `max` characters and how many were left out.
pub fn excerpt(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((cut, _)) => format!("{}… ({} more characters)", &text[..cut], text[cut..].chars().count()),
    }
}

/// A JSON value as a message shows it: its compact text, cut to an excerpt.
pub fn json_excerpt(value: &serde_json::Value) -> String {
    excerpt(&value.to_string(), EXCERPT_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_and_says_how_much_is_left_out() {
        assert_eq!(excerpt("short", 10), "short");
        assert_eq!(excerpt("éééé", 2), "éé… (2 more characters)");
        let long = "x".repeat(70_000);
        assert!(excerpt(&long, EXCERPT_CHARS).len() < 250);
    }
}
