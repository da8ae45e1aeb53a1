//! Inputs a real client may send, as proptest strategies: text of any script (descriptions
//! are JSON strings, which are Unicode, and the docs put no limit on them), and every form
//! RFC 3339 gives a moment (what go-tfe and pytfe send: `Z`, numeric offsets, fractions of a
//! second). Each shrinks toward the plainest case (ASCII, `Z`, whole seconds), so that a
//! failure shrinks to what made the difference.

use chrono::{DateTime, Duration, FixedOffset, SubsecRound, Utc};
use proptest::{collection::vec, prelude::*};

/// Letters of many scripts. Whitespace is left out at the ends (a server may trim it, and no
/// document says it may not), control characters everywhere (PostgreSQL text cannot hold
/// NUL), and combining marks (a server may normalize them, and no document says it may not).
fn character() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => proptest::char::ranges(vec!['a'..='z', 'A'..='Z', '0'..='9'].into()),
        1 => proptest::char::ranges(vec![' '..=' ', '-'..='-', '.'..='.', '_'..='_'].into()),
        1 => proptest::char::ranges(vec!['\u{e0}'..='\u{ff}'].into()),
        1 => proptest::char::ranges(vec!['\u{3b1}'..='\u{3c9}', '\u{430}'..='\u{44f}'].into()),
        1 => proptest::char::ranges(vec!['\u{5d0}'..='\u{5ea}', '\u{627}'..='\u{64a}'].into()),
        1 => proptest::char::ranges(vec!['\u{4e00}'..='\u{4fff}', '\u{ac00}'..='\u{acff}'].into()),
        1 => proptest::char::ranges(vec!['\u{1f600}'..='\u{1f64f}', '\u{1f680}'..='\u{1f6ff}'].into()),
    ]
}

/// Text of `min..=max` characters, none of them whitespace at either end.
pub fn text(min: usize, max: usize) -> impl Strategy<Value = String> {
    vec(character(), min..=max).prop_map(move |chars| {
        let text: String = chars.into_iter().collect::<String>().trim().to_string();
        if text.chars().count() < min {
            // Trimming made it too short: pad with a letter, which shrinking keeps plain.
            format!("{text}{}", "a".repeat(min - text.chars().count()))
        } else {
            text
        }
    })
}

/// A moment some days ahead, written in one of RFC 3339's forms: `days` and `second` say
/// when (from now, at whole seconds), `offset_minutes` the zone it is written in (`None`:
/// `Z`), `fraction` how many digits of a second it carries (those digits drawn too).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Moment {
    pub days: u16,
    pub second: u32,
    pub offset_minutes: Option<i16>,
    pub fraction: Option<(u8, u32)>,
}

impl Moment {
    /// The instant, from `now`.
    pub fn instant(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let fraction = self.fraction.map_or(0, |(digits, value)| {
            i64::from(value % 10u32.pow(u32::from(digits))) * 10i64.pow(9 - u32::from(digits))
        });
        now.trunc_subsecs(0)
            + Duration::days(i64::from(self.days))
            + Duration::seconds(i64::from(self.second))
            + Duration::nanoseconds(fraction)
    }

    /// How it is sent: the instant written in the moment's zone and with its digits.
    pub fn text(&self, now: DateTime<Utc>) -> String {
        let instant = self.instant(now);
        let zone = FixedOffset::east_opt(i32::from(self.offset_minutes.unwrap_or(0)) * 60)
            .unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC"));
        let local = instant.with_timezone(&zone);
        let mut text = local.format("%Y-%m-%dT%H:%M:%S").to_string();
        if let Some((digits, value)) = self.fraction {
            let digits = usize::from(digits);
            let value = value % 10u32.pow(digits as u32);
            text.push_str(&format!(".{value:0digits$}"));
        }
        match self.offset_minutes {
            None => text.push('Z'),
            Some(minutes) => {
                let sign = if minutes < 0 { '-' } else { '+' };
                let minutes = minutes.unsigned_abs();
                text.push_str(&format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60));
            }
        }
        text
    }
}

/// Moments 2 to 365 days ahead, in `Z` or a numeric offset from -12:00 to +14:00 (in
/// quarter hours, as real zones are), with 0 to 6 digits of a second (pytfe's isoformat
/// writes 6, go-tfe's RFC 3339 none).
pub fn moment() -> impl Strategy<Value = Moment> {
    (
        2u16..=365,
        0u32..86_400,
        prop_oneof![
            2 => Just(None),
            1 => Just(Some(0i16)),
            3 => (-48i16..=56).prop_map(|quarters| Some(quarters * 15)),
        ],
        prop_oneof![
            2 => Just(None),
            3 => (1u8..=6, any::<u32>()).prop_map(Some),
        ],
    )
        .prop_map(|(days, second, offset_minutes, fraction)| Moment {
            days,
            second,
            offset_minutes,
            fraction,
        })
}

#[cfg(test)]
mod tests {
    use proptest::{
        strategy::ValueTree,
        test_runner::{Config, RngAlgorithm, TestRng, TestRunner},
    };

    use super::*;

    fn draw<S: Strategy>(strategy: &S, seed: u8) -> S::Value {
        let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]);
        let mut runner = TestRunner::new_with_rng(Config::default(), rng);
        strategy.new_tree(&mut runner).expect("drawn").current()
    }

    #[test]
    fn text_keeps_its_length_and_no_whitespace_at_the_ends() {
        for seed in 0..200 {
            let t = draw(&text(1, 40), seed);
            let n = t.chars().count();
            assert!((1..=40).contains(&n), "{t:?}");
            assert_eq!(t, t.trim(), "{t:?}");
            assert!(!t.chars().any(char::is_control), "{t:?}");
        }
        // Some draws leave ASCII.
        assert!((0..200).any(|seed| !draw(&text(1, 40), seed).is_ascii()));
    }

    #[test]
    fn a_moment_written_in_any_form_is_the_same_instant() {
        let now = "2026-12-04T10:00:00.123Z"
            .parse::<DateTime<Utc>>()
            .expect("a time");
        for seed in 0..200 {
            let m = draw(&moment(), seed);
            let text = m.text(now);
            let parsed = DateTime::parse_from_rfc3339(&text).expect("RFC 3339");
            assert_eq!(parsed.with_timezone(&Utc), m.instant(now), "{text}");
            assert!(m.instant(now) > now, "{text}");
        }
        let plain = Moment {
            days: 2,
            second: 0,
            offset_minutes: None,
            fraction: None,
        };
        assert_eq!(plain.text(now), "2026-12-06T10:00:00Z");
        let fancy = Moment {
            days: 2,
            second: 0,
            offset_minutes: Some(-330),
            fraction: Some((6, 1_234)),
        };
        assert_eq!(fancy.text(now), "2026-12-06T04:30:00.001234-05:30");
    }
}
