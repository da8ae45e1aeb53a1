//! Ids that name nothing but have the shape of real ones, so that unknown-id and leak trials
//! measure what they mean to against a server that parses its ids.

/// An id shaped like `real` that names nothing: the same prefix (up to its last `-`), the same
/// length, and at every position a character of the same kind (digit, lower-case or
/// upper-case letter), drawn from the narrowest alphabet the value part fits (hexadecimal,
/// base58, or letters and digits); other characters stay where they are. A server that parses
/// its ids (OTF: a prefix and 16 base58 characters, a malformed one is a 500) must answer such
/// an id as a missing one, not as a malformed one (ref §7), so unknown-id and leak trials
/// measure what they mean to. A numeric id keeps its first digit non-zero. Ids are random: with
/// the alphabets real servers use, a collision with an existing id is negligible unless the
/// value part is only a few characters long.
pub fn missing_like(real: &str) -> String {
    let (prefix, value) = match real.rfind('-') {
        Some(at) if at + 1 < real.len() => real.split_at(at + 1),
        _ => ("", real),
    };
    let alphabet = Alphabet::of(value);
    let mut rng = rand::rng();
    // The first letter or digit always changes: servers that number their ids in sequence
    // hand out neighbours, which share it, so the made-up id stays clear of them.
    let first = value.find(|c: char| c.is_ascii_alphanumeric());
    for _ in 0..64 {
        let candidate: String = value
            .char_indices()
            .map(|(i, c)| alphabet.replace(c, i == 0, &mut rng))
            .collect();
        let moved = first.is_none_or(|at| candidate.as_bytes()[at] != value.as_bytes()[at]);
        if candidate != value && moved {
            return format!("{prefix}{candidate}");
        }
    }
    // Only a value with no letter or digit to vary (or a one-character one) gets here.
    format!("{prefix}{value}0")
}

/// The characters an id's value part is drawn from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Alphabet {
    /// `0-9a-f` (or upper case): UUIDs, hashes.
    Hex,
    /// Bitcoin's base58: no `0`, `O`, `I`, `l` (OTF, TFE's `at-`, `team-`, `user-` ids).
    Base58,
    Alphanumeric,
}

impl Alphabet {
    fn of(value: &str) -> Alphabet {
        let lower_hex = value
            .chars()
            .all(|c| !c.is_ascii_alphanumeric() || c.is_ascii_digit() || ('a'..='f').contains(&c));
        let upper_hex = value
            .chars()
            .all(|c| !c.is_ascii_alphanumeric() || c.is_ascii_digit() || ('A'..='F').contains(&c));
        let has_letter = value.chars().any(|c| c.is_ascii_alphabetic());
        if has_letter && (lower_hex || upper_hex) {
            Alphabet::Hex
        } else if value
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .all(|c| !matches!(c, '0' | 'O' | 'I' | 'l'))
        {
            Alphabet::Base58
        } else {
            Alphabet::Alphanumeric
        }
    }

    /// A random character of the same kind as `c` (`c` itself if it is no letter or digit).
    fn replace(self, c: char, first: bool, rng: &mut impl rand::Rng) -> char {
        let pool: &[u8] = match (self, c) {
            (Alphabet::Hex, '0'..='9') | (Alphabet::Alphanumeric, '0'..='9') => {
                if first {
                    b"123456789"
                } else {
                    b"0123456789"
                }
            }
            (Alphabet::Hex, 'a'..='f') => b"abcdef",
            (Alphabet::Hex, 'A'..='F') => b"ABCDEF",
            (Alphabet::Base58, '0'..='9') => b"123456789",
            (Alphabet::Base58, 'a'..='z') => b"abcdefghijkmnopqrstuvwxyz",
            (Alphabet::Base58, 'A'..='Z') => b"ABCDEFGHJKLMNPQRSTUVWXYZ",
            (_, 'a'..='z') => b"abcdefghijklmnopqrstuvwxyz",
            (_, 'A'..='Z') => b"ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            _ => return c,
        };
        char::from(pool[rng.random_range(0..pool.len())])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_shape(real: &str) {
        let made = missing_like(real);
        assert_ne!(made, real);
        assert_eq!(made.len(), real.len(), "{real} -> {made}");
        let prefix = real.rfind('-').map_or("", |at| &real[..=at]);
        assert!(made.starts_with(prefix), "{real} -> {made}");
        for (a, b) in real.chars().zip(made.chars()) {
            assert_eq!(a.is_ascii_digit(), b.is_ascii_digit(), "{real} -> {made}");
            assert_eq!(
                a.is_ascii_lowercase(),
                b.is_ascii_lowercase(),
                "{real} -> {made}"
            );
            assert_eq!(
                a.is_ascii_uppercase(),
                b.is_ascii_uppercase(),
                "{real} -> {made}"
            );
            if !a.is_ascii_alphanumeric() {
                assert_eq!(a, b);
            }
        }
    }

    #[test]
    fn missing_ids_keep_the_shape_of_real_ones() {
        for real in [
            "at-6yEmxNAhaoQLH1Da",
            "team-Y7RyjccPVBKVEdp7",
            "user-62goNpx1ThQf689e",
            "4111756",
            "ot-abcdefghijk12345",
            "9f1c2a4e-3b7d-4c1e-9a2b-0c3d4e5f6a7b",
            "tok_0a1B",
            "7",
        ] {
            for _ in 0..50 {
                same_shape(real);
            }
        }
    }

    #[test]
    fn base58_and_numeric_ids_stay_in_their_alphabet() {
        for _ in 0..200 {
            let made = missing_like("tt-Y7RyjccPVBKVEdp7");
            assert!(
                made[3..]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() && !"0OIl".contains(c)),
                "{made}"
            );
            let number = missing_like("4111756");
            assert!(
                !number.starts_with('0') && !number.starts_with('4'),
                "{number}"
            );
            let hex = missing_like("deadbeef0042");
            assert!(hex.chars().all(|c| c.is_ascii_hexdigit()), "{hex}");
        }
    }
}
