//! The registry of what to redact, and redaction itself: every secret with its base64 forms,
//! matched in one pass per level of automata over a text and over each view of it with
//! encodings undone, and replaced by the placeholder.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, LazyLock, RwLock},
};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::{decode::views, variants::variants};

/// What a secret is replaced by.
pub const SECRET: &str = "[secret]";

/// Secrets shorter than this are redacted only where they stand on their own (not inside a
/// longer run of letters, digits, `-`, `_` or `.`): replacing every occurrence of a short value
/// would garble all output. Real tokens are 90 characters.
const SHORT: usize = 8;

/// How much of each pattern a level's automaton holds: a secret's forms are 90 characters and
/// more, and an automaton costs what its patterns' bytes do to build; their first `PREFIX`
/// bytes find every place one may start, and the rest is compared there. Random secrets
/// seldom share so long a beginning, so a match of the beginning is nearly always the whole.
const PREFIX: usize = 16;

/// One automaton over the beginnings (`PREFIX`) of some of the patterns, with the patterns
/// that begin so by the beginning's id.
struct Level {
    matcher: AhoCorasick,
    patterns: Vec<Vec<Box<str>>>,
    /// How many patterns it holds in all.
    len: usize,
}

impl Level {
    fn build(patterns: Vec<Box<str>>) -> Option<Arc<Level>> {
        if patterns.is_empty() {
            return None;
        }
        let len = patterns.len();
        let mut by_prefix: HashMap<&[u8], usize> = HashMap::new();
        let mut prefixes: Vec<&[u8]> = Vec::new();
        let mut grouped: Vec<Vec<Box<str>>> = Vec::new();
        for pattern in &patterns {
            let prefix = &pattern.as_bytes()[..pattern.len().min(PREFIX)];
            let id = *by_prefix.entry(prefix).or_insert_with(|| {
                prefixes.push(prefix);
                grouped.push(Vec::new());
                prefixes.len() - 1
            });
            grouped[id].push(pattern.clone());
        }
        // A contiguous NFA: a DFA matches faster but costs several times more to build, and
        // levels are built often while texts to redact are short.
        let matcher = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .match_kind(MatchKind::Standard)
            .ascii_case_insensitive(true)
            .build(prefixes)
            .ok()?;
        Some(Arc::new(Level {
            matcher,
            patterns: grouped,
            len,
        }))
    }

    /// Every pattern the level holds.
    fn patterns(&self) -> impl Iterator<Item = &Box<str>> {
        self.patterns.iter().flatten()
    }
}

/// Every value to redact, and the forms it may be written in (`variants`), in levels of
/// automata that each find their patterns in one pass over a text, ignoring ASCII case. The
/// patterns of the secrets registered since the last redaction become a new level; a level
/// at least half the size of the one before it is merged into it (a binary counter). So each
/// pattern is built into an automaton about log2(n) times over a run that mints n secrets, and
/// a redaction makes one pass per level (a dozen at most): the cost grows with what was minted,
/// never with its square, and a run that renders nothing builds nothing. Short secrets
/// (`SHORT`) are kept apart and matched only at token boundaries.
#[derive(Default)]
struct Registry {
    /// Each secret with its variants (lower-cased).
    secrets: HashMap<Box<str>, Vec<Box<str>>>,
    /// Every pattern still to redact, lower-cased: the secrets of `SHORT` length or more and
    /// their variants.
    patterns: HashSet<Box<str>>,
    /// The automata, oldest and largest first.
    levels: Vec<Arc<Level>>,
    /// How many patterns the levels hold in all.
    built: usize,
    /// Patterns of the levels forgotten since they were built: skipped when they match, so
    /// forgetting costs no rebuild. Once they are half of what the levels hold, every level
    /// is rebuilt into one without them.
    dead: Arc<HashSet<Box<str>>>,
    /// Short secrets, lower-cased.
    short: HashSet<Box<str>>,
    /// Secrets registered whose forms are not worked out yet: that waits for the next
    /// redaction, so that a run that renders nothing pays nothing for it.
    pending: Vec<Box<str>>,
}

impl Registry {
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

    /// Works out the forms of the secrets registered since the last redaction and builds them
    /// into a new level, merging levels as the binary counter says.
    fn expand_pending(&mut self) {
        let mut fresh: Vec<Box<str>> = Vec::new();
        for secret in std::mem::take(&mut self.pending) {
            let Some(slot) = self.secrets.get_mut(&secret) else {
                continue;
            };
            let forms = variants(&secret);
            for form in &forms {
                if self.patterns.insert(form.clone()) {
                    if self.dead.contains(form) {
                        Arc::make_mut(&mut self.dead).remove(form);
                    }
                    fresh.push(form.clone());
                }
            }
            *slot = forms;
        }
        if self.dead.len() * 2 > self.built.max(64) {
            // Most of what the levels hold is forgotten: one level of what is left.
            self.levels.clear();
            self.dead = Arc::default();
            fresh = self.patterns.iter().cloned().collect();
            self.built = 0;
        }
        if fresh.is_empty() {
            return;
        }
        while let Some(last) = self.levels.last() {
            if last.len > 2 * fresh.len() {
                break;
            }
            let last = self.levels.pop().expect("there is a last level");
            self.built -= last.len;
            fresh.extend(
                last.patterns()
                    .filter(|p| !self.dead.contains(*p) && self.patterns.contains(*p))
                    .cloned(),
            );
        }
        self.built += fresh.len();
        self.levels.extend(Level::build(fresh));
    }

    fn remove(&mut self, secret: &str) {
        let Some(forms) = self.secrets.remove(secret) else {
            return;
        };
        self.short.remove(secret.to_ascii_lowercase().as_str());
        for form in forms {
            self.patterns.remove(&form);
            Arc::make_mut(&mut self.dead).insert(form);
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
    // A forgotten pattern still in a level is skipped when it matches.
    let Registry {
        pending, secrets, ..
    } = &mut *registry;
    pending.retain(|p| secrets.contains_key(p));
}

/// What one redaction matches with: the levels, the short secrets and the levels' forgotten
/// patterns.
struct Matchers {
    levels: Vec<Arc<Level>>,
    short: Vec<Box<str>>,
    forgotten: Arc<HashSet<Box<str>>>,
}

impl Matchers {
    /// The spans of `hay` where a secret (or one of its forms) is.
    fn find(&self, hay: &[u8], spans: &mut Vec<(usize, usize)>) {
        for level in &self.levels {
            for m in level.matcher.find_overlapping_iter(hay) {
                for pattern in &level.patterns[m.pattern().as_usize()] {
                    let end = m.start() + pattern.len();
                    let whole = hay
                        .get(m.start()..end)
                        .is_some_and(|at| at.eq_ignore_ascii_case(pattern.as_bytes()));
                    if whole && (self.forgotten.is_empty() || !self.forgotten.contains(pattern)) {
                        spans.push((m.start(), end));
                    }
                }
            }
        }
        if self.short.is_empty() {
            return;
        }
        // ASCII lower-casing keeps every byte where it is, so positions carry over.
        let lower = hay.to_ascii_lowercase();
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
        // Registering only appends; levels are built here, when redaction is needed.
        registry.expand_pending();
        Matchers {
            levels: registry.levels.clone(),
            short: registry.short.iter().cloned().collect(),
            forgotten: registry.dead.clone(),
        }
    };
    if matchers.levels.is_empty() && matchers.short.is_empty() {
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
        // Across two levels: the first secret is in an older level than the second.
        register("tier-unit-secret");
        for i in 0..=400 {
            register(&format!("tier-filler-secret-{i:04}"));
        }
        assert_eq!(text("tier-filler-secret-0001"), SECRET);
        register("xx-tier-unit-secret-yy");
        assert_eq!(text("a xx-tier-unit-secret-yy b"), "a [secret] b");
        assert_eq!(text("tier-unit-secret-yy"), "[secret]-yy");
    }

    #[test]
    fn a_forgotten_secret_is_shown_again_without_a_rebuild() {
        register("settled-then-forgotten-secret");
        for i in 0..=400 {
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

    #[test]
    fn levels_stay_few_and_every_secret_is_found_however_they_were_minted() {
        // Secrets minted one at a time with a redaction between each, as a run renders
        // findings while it mints: levels follow a binary counter, so stay logarithmic.
        let minted: Vec<String> = (0..600)
            .map(|i| format!("level-unit-secret-{i:05}"))
            .collect();
        for (i, secret) in minted.iter().enumerate() {
            register(secret);
            assert_eq!(text(&format!("<{secret}>")), "<[secret]>");
            if i % 97 == 0 {
                // Every earlier one is still found.
                for earlier in &minted[..=i] {
                    assert_eq!(text(earlier), SECRET, "{earlier}");
                }
            }
        }
        let levels = REGISTRY.read().expect("not poisoned").levels.len();
        assert!(levels <= 24, "{levels} levels");
        // Forgotten, then minted again: redacted again.
        forget(&minted[..300]);
        assert_eq!(text(&minted[10]), minted[10]);
        assert_eq!(text(&minted[400]), SECRET);
        register(&minted[10]);
        assert_eq!(text(&minted[10]), SECRET);
    }
}
