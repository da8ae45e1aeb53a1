//! The registry of what to redact, and redaction itself: every secret with its base64 forms,
//! matched in one pass over a text and over each view of it with encodings undone (an
//! automaton, rebuilt rarely), and replaced by the placeholder.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, LazyLock, RwLock},
};

use aho_corasick::{AhoCorasick, MatchKind};

use super::{decode::views, variants::variants};

/// What a secret is replaced by.
pub const SECRET: &str = "[secret]";

/// Secrets shorter than this are redacted only where they stand on their own (not inside a
/// longer run of letters, digits, `-`, `_` or `.`): replacing every occurrence of a short value
/// would garble all output. Real tokens are 90 characters.
const SHORT: usize = 8;

/// Every value to redact, and the forms it may be written in (`variants`). Most sit in an
/// automaton that finds them all in one pass over a text, ignoring ASCII case; the newest wait
/// in `recent`, checked one by one, until a redaction finds enough of them there to be worth
/// rebuilding the automaton. Redaction so stays linear in the text, and rebuilds rare (none in a
/// run that renders nothing), however many tokens a run mints. Short secrets (`SHORT`) are kept
/// apart and matched only at token boundaries.
#[derive(Default)]
struct Registry {
    /// Each secret with its variants (lower-cased).
    secrets: HashMap<Box<str>, Vec<Box<str>>>,
    /// Every pattern still to redact, lower-cased: the secrets of `SHORT` length or more and
    /// their variants.
    patterns: HashSet<Box<str>>,
    /// The automaton. A pattern forgotten since it was built (its id in `dead`) is skipped
    /// when it matches, so forgetting costs no rebuild.
    settled: Option<Arc<AhoCorasick>>,
    /// The automaton's pattern ids, by pattern.
    index: HashMap<Box<str>, usize>,
    dead: Arc<HashSet<usize>>,
    /// Patterns registered since the automaton was built.
    recent: Vec<Arc<str>>,
    /// Patterns of the automaton that were forgotten since it was built.
    forgotten: usize,
    /// Short secrets, lower-cased.
    short: HashSet<Box<str>>,
    /// Secrets registered whose forms are not worked out yet: that waits for the next
    /// redaction, so that a run that renders nothing pays nothing for it.
    pending: Vec<Box<str>>,
}

/// How many patterns may wait outside the automaton (about fifty secrets, seven forms each).
const RECENT_MAX: usize = 384;

impl Registry {
    /// Rebuilds the automaton when enough patterns wait outside it, or when most of it is
    /// forgotten.
    fn settle_if_due(&mut self) {
        let built = self.index.len();
        if self.recent.len() <= RECENT_MAX && self.forgotten * 2 <= built.max(RECENT_MAX) {
            return;
        }
        self.recent.clear();
        self.forgotten = 0;
        self.dead = Arc::default();
        let list: Vec<Box<str>> = self.patterns.iter().cloned().collect();
        self.settled = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .ascii_case_insensitive(true)
            .build(list.iter().map(|s| s.as_bytes()))
            .ok()
            .filter(|_| !list.is_empty())
            .map(Arc::new);
        self.index = list.into_iter().enumerate().map(|(i, p)| (p, i)).collect();
    }

    fn add(&mut self, secret: &str) {
        if secret.is_empty() || self.secrets.contains_key(secret) {
            return;
        }
        if secret.len() < SHORT {
            self.short.insert(secret.to_ascii_lowercase().into());
            self.secrets.insert(secret.into(), Vec::new());
            return;
        }
        self.secrets.insert(secret.into(), Vec::new());
        self.pending.push(secret.into());
    }

    /// Works out the forms of the secrets registered since the last redaction.
    fn expand_pending(&mut self) {
        for secret in std::mem::take(&mut self.pending) {
            let Some(slot) = self.secrets.get_mut(&secret) else {
                continue;
            };
            let forms = variants(&secret);
            for form in &forms {
                if self.patterns.insert(form.clone()) {
                    self.recent.push(form.as_ref().into());
                }
            }
            *slot = forms;
        }
    }

    fn remove(&mut self, secret: &str) {
        let Some(forms) = self.secrets.remove(secret) else {
            return;
        };
        self.short.remove(secret.to_ascii_lowercase().as_str());
        for form in forms {
            self.patterns.remove(&form);
            if let Some(&id) = self.index.get(&form) {
                Arc::make_mut(&mut self.dead).insert(id);
                self.forgotten += 1;
            }
        }
    }
}

static REGISTRY: LazyLock<RwLock<Registry>> = LazyLock::new(RwLock::default);

/// Registers a value to be redacted from all output from now on, in every form it may be
/// written in.
pub fn register(secret: &str) {
    REGISTRY
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .add(secret);
}

/// Stops redacting `secrets`: a finished run retires what its server minted. Should one of
/// them show up again it is registered anew, since every response body is scanned
/// (`register_minted`) before anything is rendered from it.
pub fn forget(secrets: &[String]) {
    if secrets.is_empty() {
        return;
    }
    let mut registry = REGISTRY.write().unwrap_or_else(|e| e.into_inner());
    for secret in secrets {
        registry.remove(secret);
    }
    // A forgotten pattern still in the automaton is skipped when it matches; the automaton is
    // rebuilt once most of it is forgotten.
    let Registry {
        patterns,
        recent,
        pending,
        secrets,
        ..
    } = &mut *registry;
    recent.retain(|r| patterns.contains(&**r));
    pending.retain(|p| secrets.contains_key(p));
}

/// What one redaction matches with: the automaton, the patterns waiting outside it, the short
/// secrets and the automaton's forgotten patterns.
struct Matchers {
    settled: Option<Arc<AhoCorasick>>,
    recent: Vec<Arc<str>>,
    short: Vec<Box<str>>,
    forgotten: Arc<HashSet<usize>>,
}

impl Matchers {
    /// The spans of `hay` where a secret (or one of its forms) is.
    fn find(&self, hay: &[u8], spans: &mut Vec<(usize, usize)>) {
        if let Some(matcher) = &self.settled {
            spans.extend(
                matcher
                    .find_overlapping_iter(hay)
                    .filter(|m| !self.forgotten.contains(&m.pattern().as_usize()))
                    .map(|m| (m.start(), m.end())),
            );
        }
        if self.recent.is_empty() && self.short.is_empty() {
            return;
        }
        // ASCII lower-casing keeps every byte where it is, so positions carry over.
        let lower = hay.to_ascii_lowercase();
        for secret in &self.recent {
            let needle = secret.as_bytes();
            spans.extend(memchr::memmem::find_iter(&lower, needle).map(|i| (i, i + needle.len())));
        }
        let word = |b: Option<&u8>| {
            b.is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        };
        for secret in &self.short {
            let needle = secret.as_bytes();
            for i in memchr::memmem::find_iter(&lower, needle) {
                let end = i + needle.len();
                let before = i.checked_sub(1).and_then(|j| lower.get(j));
                if !word(before) && !word(lower.get(end)) {
                    spans.push((i, end));
                }
            }
        }
    }
}

/// `text` with every registered secret replaced, in any ASCII case and under any layers of
/// the encodings `decode` undoes (each view of the text is matched, the text itself first),
/// and in its base64 forms. Matches are found on each view, carried back to the original
/// text, and overlapping ones merged, so that no part of a secret survives because another
/// secret overlapping it was replaced first.
pub fn text(text: &str) -> String {
    let matchers = {
        let mut registry = REGISTRY.write().unwrap_or_else(|e| e.into_inner());
        // Registering only appends; the automaton is rebuilt here, when redaction is needed
        // and enough secrets have piled up outside it.
        registry.expand_pending();
        registry.settle_if_due();
        Matchers {
            settled: registry.settled.clone(),
            recent: registry.recent.clone(),
            short: registry.short.iter().cloned().collect(),
            forgotten: registry.dead.clone(),
        }
    };
    if matchers.settled.is_none() && matchers.recent.is_empty() && matchers.short.is_empty() {
        return text.to_string();
    }
    let mut spans: Vec<(usize, usize)> = Vec::new();
    matchers.find(text.as_bytes(), &mut spans);
    for view in views(text.as_bytes()) {
        let mut found = Vec::new();
        matchers.find(&view.bytes, &mut found);
        spans.extend(found.into_iter().map(|(s, e)| {
            let (start, end) = (view.from[s].0 as usize, view.from[e - 1].1 as usize);
            // A decoded match starts and ends where an escape or a character does; should it
            // not, it is widened to whole characters.
            let start = (0..=start)
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(0);
            let end = (end..=text.len())
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(text.len());
            (start, end)
        }));
    }
    if spans.is_empty() {
        return text.to_string();
    }
    spans.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut current: Option<(usize, usize)> = None;
    for (start, end) in spans {
        match current {
            Some((s, e)) if start <= e => current = Some((s, e.max(end))),
            _ => {
                if let Some((s, e)) = current {
                    out.push_str(&text[copied..s]);
                    out.push_str(SECRET);
                    copied = e;
                }
                current = Some((start, end));
            }
        }
    }
    if let Some((s, e)) = current {
        out.push_str(&text[copied..s]);
        out.push_str(SECRET);
        copied = e;
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::Secret;

    #[test]
    fn short_secrets_are_replaced_where_they_stand_alone() {
        Secret::new("Ab3$");
        assert_eq!(text("token Ab3$ here"), "token [secret] here");
        assert_eq!(text("(ab3$)"), "([secret])");
        // Inside a longer word it is left alone, so output stays readable.
        assert_eq!(text("xAb3$y"), "xAb3$y");
    }

    #[test]
    fn overlapping_secrets_are_replaced_whole() {
        register("overlap-unit-secret");
        register("overlap-unit-secret-longer");
        assert_eq!(text("x overlap-unit-secret-longer y"), "x [secret] y");
        // Across the two tiers: push enough secrets to settle the first ones.
        register("tier-unit-secret");
        for i in 0..=RECENT_MAX {
            register(&format!("tier-filler-secret-{i:04}"));
        }
        register("xx-tier-unit-secret-yy");
        assert_eq!(text("a xx-tier-unit-secret-yy b"), "a [secret] b");
        assert_eq!(text("tier-unit-secret-yy"), "[secret]-yy");
    }

    #[test]
    fn a_forgotten_secret_is_shown_again_without_a_rebuild() {
        register("settled-then-forgotten-secret");
        for i in 0..=RECENT_MAX {
            register(&format!("forget-filler-secret-{i:04}"));
        }
        assert_eq!(text("settled-then-forgotten-secret"), SECRET);
        forget(&["settled-then-forgotten-secret".to_string()]);
        assert_eq!(
            text("settled-then-forgotten-secret"),
            "settled-then-forgotten-secret"
        );
        assert_eq!(text("forget-filler-secret-0001"), SECRET);
    }
}
