//! What a persona must get (`Expect`), and the shapes of expectation rows share.

/// What a persona must get.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    Status(&'static [u16]),
    /// 200 with the target user token in the list.
    Listed,
    /// The user's tokens are not shown: 200 without the target user token, or 404.
    Hidden,
}

impl Expect {
    /// In words, for a trial's summary and a report's tooltip.
    pub fn describe(self) -> String {
        match self {
            Expect::Status(codes) => codes
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(" or "),
            Expect::Listed => "200 listing the user's token".into(),
            Expect::Hidden => "200 without the user's token, or 404".into(),
        }
    }

    /// In a few characters, for a cell of the matrix.
    pub fn short(self) -> String {
        match self {
            Expect::Status(codes) => codes
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join("/"),
            Expect::Listed => "200 listed".into(),
            Expect::Hidden => "hidden".into(),
        }
    }

    pub(super) fn succeeds(self) -> bool {
        match self {
            Expect::Status(s) => s.iter().all(|s| (200..300).contains(s)),
            Expect::Listed => true,
            Expect::Hidden => false,
        }
    }
}

/// One of these statuses.
pub const fn status(codes: &'static [u16]) -> Expect {
    Expect::Status(codes)
}

/// What a valid token that may not touch the target gets.
pub const NO: Expect = status(&[404]);
/// What a bad token gets.
pub const BAD: Expect = status(&[401]);

/// Owners-level operations, in `Persona::ALL` order: owners, the owners team's token and the
/// organization token may; an outsider gets 404, a bad token 401.
pub const fn owners_only(ok: &'static [u16]) -> [Expect; 8] {
    let ok = status(ok);
    [ok, ok, ok, NO, ok, BAD, BAD, BAD]
}

/// Only the user (through any of their user tokens) may.
pub const fn user_only(ok: &'static [u16]) -> [Expect; 8] {
    let ok = status(ok);
    [ok, NO, NO, NO, ok, BAD, BAD, BAD]
}
