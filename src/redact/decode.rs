//! Undoing the encodings a server may apply to a secret before echoing it, so that redaction
//! compares against the secret itself rather than against a list of its encoded forms. What a
//! server may do byte by byte is undone here, on a view of the text that remembers where each
//! of its bytes came from: percent-encoding of any byte (`%41`, `%2e`, `%252E` once per
//! layer), JSON's escapes (`\"`, `\/`, `\u0041`, surrogate pairs), `\x41`, and HTML's
//! character references (`&#65;`, `&#x41;`, `&amp;`). Case is left to the matcher, which
//! ignores ASCII case. Base64 is not byte by byte (three bytes become four characters), so
//! it is matched as listed forms instead (`variants`), in every view this module makes.

/// How many layers of encoding are undone (`%25` makes `%`, which may start another).
const LAYERS: usize = 4;

/// A text with one or more layers of encoding undone: its bytes, and for each, where the
/// bytes it was decoded from start and end in the original text.
pub(super) struct View {
    pub bytes: Vec<u8>,
    pub from: Vec<(u32, u32)>,
}

/// Whether anything in `text` could be an encoding this module undoes.
pub(super) fn may_decode(text: &[u8]) -> bool {
    memchr::memchr3(b'%', b'\\', b'&', text).is_some()
}

/// Every view of `text` with one more layer undone than the last, until nothing changes
/// (at most `LAYERS`). The text itself is not among them. Texts longer than `u32::MAX` bytes
/// are not decoded.
pub(super) fn views(text: &[u8]) -> Vec<View> {
    let mut out: Vec<View> = Vec::new();
    if !may_decode(text) || u32::try_from(text.len()).is_err() {
        return out;
    }
    for _ in 0..LAYERS {
        let current: &[u8] = out.last().map_or(text, |v| &v.bytes);
        if !may_decode(current) {
            break;
        }
        let Some((bytes, local)) = layer(current) else {
            break;
        };
        let from = match out.last() {
            // Composed with the layers below: a byte comes from the first to the last
            // original byte of what it was decoded from.
            Some(below) => local
                .iter()
                .map(|&(s, e)| (below.from[s as usize].0, below.from[e as usize - 1].1))
                .collect(),
            None => local,
        };
        out.push(View { bytes, from });
    }
    out
}

/// For each decoded byte, the span it came from.
type Spans = Vec<(u32, u32)>;

/// One layer undone: the decoded bytes and, for each, the span of `text` it came from; `None`
/// when nothing decodes.
fn layer(text: &[u8]) -> Option<(Vec<u8>, Spans)> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut from = Vec::with_capacity(text.len());
    let mut changed = false;
    let mut i = 0;
    while i < text.len() {
        let decoded = match text[i] {
            b'%' => percent(&text[i..]),
            b'\\' => backslash(&text[i..]),
            b'&' => reference(&text[i..]),
            _ => None,
        };
        match decoded {
            Some((len, unit)) => {
                changed = true;
                let span = (i as u32, (i + len) as u32);
                for b in unit.as_bytes() {
                    bytes.push(b);
                    from.push(span);
                }
                i += len;
            }
            None => {
                bytes.push(text[i]);
                from.push((i as u32, i as u32 + 1));
                i += 1;
            }
        }
    }
    changed.then_some((bytes, from))
}

/// What one escape decodes to: a byte (percent-encoding may make any) or a character.
enum Unit {
    Byte(u8),
    Char(char),
}

impl Unit {
    fn as_bytes(&self) -> Vec<u8> {
        match *self {
            Unit::Byte(b) => vec![b],
            Unit::Char(c) => c.to_string().into_bytes(),
        }
    }
}

fn hex(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
}

/// `%XX`, any byte.
fn percent(at: &[u8]) -> Option<(usize, Unit)> {
    let value = hex(at.get(1..3)?)?;
    Some((3, Unit::Byte(value as u8)))
}

/// JSON's escapes (a `\u` surrogate pair as one character; a lone surrogate stays), and `\xXX`.
fn backslash(at: &[u8]) -> Option<(usize, Unit)> {
    let simple = |c: char| Some((2, Unit::Char(c)));
    match *at.get(1)? {
        b'"' => simple('"'),
        b'\\' => simple('\\'),
        b'/' => simple('/'),
        b'b' => simple('\u{8}'),
        b'f' => simple('\u{c}'),
        b'n' => simple('\n'),
        b'r' => simple('\r'),
        b't' => simple('\t'),
        b'x' => Some((4, Unit::Byte(hex(at.get(2..4)?)? as u8))),
        b'u' => {
            let unit = hex(at.get(2..6)?)?;
            if (0xD800..0xDC00).contains(&unit) {
                let low = at
                    .get(6..8)
                    .filter(|p| *p == b"\\u")
                    .and_then(|_| hex(at.get(8..12)?))
                    .filter(|l| (0xDC00..0xE000).contains(l))?;
                let c = char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))?;
                Some((12, Unit::Char(c)))
            } else {
                Some((6, Unit::Char(char::from_u32(unit)?)))
            }
        }
        _ => None,
    }
}

/// HTML's character references: numeric, and the five XML names.
fn reference(at: &[u8]) -> Option<(usize, Unit)> {
    let end = at.iter().take(12).position(|b| *b == b';')?;
    let body = &at[1..end];
    let c = match body {
        b"amp" => '&',
        b"lt" => '<',
        b"gt" => '>',
        b"quot" => '"',
        b"apos" => '\'',
        [b'#', b'x' | b'X', digits @ ..] => char::from_u32(hex(digits)?)?,
        [b'#', digits @ ..] if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) => {
            char::from_u32(std::str::from_utf8(digits).ok()?.parse().ok()?)?
        }
        _ => return None,
    };
    Some((end + 1, Unit::Char(c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn last(text: &str) -> Vec<u8> {
        views(text.as_bytes())
            .pop()
            .map_or(text.as_bytes().to_vec(), |v| v.bytes)
    }

    #[test]
    fn every_layer_is_undone_and_each_byte_knows_its_source() {
        assert_eq!(last("%41%62c"), b"Abc");
        assert_eq!(last("%2541"), b"A");
        assert_eq!(last(r"\u0041\x42&#67;&#x44;&amp;"), b"ABCD&");
        assert_eq!(last(r"\ud83d\ude00"), "😀".as_bytes());
        assert_eq!(last(r"\ud83d lone"), br"\ud83d lone");
        assert_eq!(last("%%41 %4"), b"%A %4");
        let views = views(b"x%2541y");
        assert_eq!(views.len(), 2);
        let top = views.last().unwrap();
        assert_eq!(top.bytes, b"xAy");
        assert_eq!(top.from, [(0, 1), (1, 6), (6, 7)]);
        assert!(super::views(b"plain text").is_empty());
    }
}
