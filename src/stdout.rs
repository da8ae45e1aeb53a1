//! The last line of defence for standard output: everything the process writes there (libtest's
//! lines and its failure messages, whoever prints them) passes through redaction as it leaves,
//! with the secrets known at that moment. A failure message is fixed when its trial ends, but
//! libtest prints it at the end of the run: by then a secret that a server echoed before handing
//! it out is known, and is redacted here.
//!
//! Only the command line installs it (it rewires file descriptor 1 of the whole process); on
//! other platforms than Unix it does nothing.

use std::{
    io::{self, Read, Write},
    time::{Duration, Instant},
};

use crate::redact;

/// Output is passed on in batches at most this old: redacting takes the redaction registry's
/// lock, and doing it for every libtest line slowed a whole run (measured: 0.27 s a run
/// against 0.07 s without the pass). A line without its end (libtest prints `test name ... `
/// and the outcome later) is shown once nothing more arrived for as long.
const BATCH: Duration = Duration::from_millis(100);

/// Above this many bytes waiting, complete lines are passed on at once.
const BATCH_BYTES: usize = 64 * 1024;

/// Redacts `input` into `output` until `input` ends, whole lines at a time, in batches (see
/// `BATCH`). `wait(d)` waits up to `d` for more input and says whether some is ready.
pub fn forward(
    mut input: impl Read,
    mut output: impl Write,
    mut wait: impl FnMut(Duration) -> bool,
) -> io::Result<()> {
    let mut pending: Vec<u8> = Vec::new();
    // When the oldest byte not yet passed on arrived.
    let mut since = Instant::now();
    let mut chunk = [0u8; 8192];
    loop {
        if !pending.is_empty() {
            let age = since.elapsed();
            if age >= BATCH || pending.len() >= BATCH_BYTES {
                // Due: the complete lines go; an unfinished one waits for its end a while more.
                if let Some(end) = pending.iter().rposition(|b| *b == b'\n') {
                    let rest = pending.split_off(end + 1);
                    write_redacted(&mut output, &pending)?;
                    output.flush()?;
                    pending = rest;
                }
                since = Instant::now();
                continue;
            }
            if !wait(BATCH - age) {
                // Quiet for the rest of the batch: everything goes, an unfinished line too.
                write_redacted(&mut output, &std::mem::take(&mut pending))?;
                output.flush()?;
                continue;
            }
        }
        let n = match input.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if pending.is_empty() {
            since = Instant::now();
        }
        pending.extend_from_slice(&chunk[..n]);
    }
    write_redacted(&mut output, &pending)?;
    output.flush()
}

fn write_redacted(output: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    if bytes.is_empty() {
        return Ok(());
    }
    output.write_all(redact::text(&String::from_utf8_lossy(bytes)).as_bytes())
}

#[cfg(unix)]
mod imp {
    use std::{
        fs::File,
        io::{self, Write},
        os::fd::{AsFd, OwnedFd},
        thread::JoinHandle,
        time::Duration,
    };

    use rustix::event::{PollFd, PollFlags, Timespec, poll};

    use super::forward;

    /// Standard output, rerouted through redaction until `finish` (or until dropped, should
    /// the run unwind).
    pub struct RedactedStdout {
        /// The real standard output.
        saved: OwnedFd,
        forwarder: Option<JoinHandle<()>>,
    }

    impl RedactedStdout {
        pub fn install() -> io::Result<Self> {
            io::stdout().flush()?;
            let (read, write) = rustix::pipe::pipe()?;
            let saved = rustix::io::dup(io::stdout())?;
            // Descriptor 1 becomes the pipe's write end; `write` itself closes below, so
            // descriptor 1 is the pipe's only writer.
            rustix::stdio::dup2_stdout(&write)?;
            drop(write);
            let output = File::from(saved.try_clone()?);
            let input = File::from(read.try_clone()?);
            let forwarder = std::thread::Builder::new()
                .name("redacted-stdout".into())
                .spawn(move || {
                    let wait = |d: Duration| input_within(&read, d);
                    if let Err(e) = forward(input, output, wait) {
                        // The reader went away (`run --list | head`): end quietly, as
                        // SIGPIPE would.
                        if e.kind() == io::ErrorKind::BrokenPipe {
                            std::process::exit(141);
                        }
                    }
                })?;
            Ok(Self {
                saved,
                forwarder: Some(forwarder),
            })
        }

        /// Puts the real standard output back and waits until everything written before is out.
        pub fn finish(self) {
            drop(self);
        }
    }

    impl Drop for RedactedStdout {
        fn drop(&mut self) {
            let _ = io::stdout().flush();
            // The pipe's last writer closes: the forwarder reads to the end and stops.
            let _ = rustix::stdio::dup2_stdout(&self.saved);
            if let Some(forwarder) = self.forwarder.take() {
                let _ = forwarder.join();
            }
        }
    }

    /// Waits up to `d` for input on `fd` (or its end); true if there is some.
    fn input_within(fd: &impl AsFd, d: Duration) -> bool {
        let mut fds = [PollFd::new(fd, PollFlags::IN)];
        let wait = Timespec {
            tv_sec: d.as_secs() as _,
            tv_nsec: d.subsec_nanos() as _,
        };
        !matches!(poll(&mut fds, Some(&wait)), Ok(0))
    }
}

#[cfg(not(unix))]
mod imp {
    /// Elsewhere than on Unix, output is redacted where it is written, not once more here.
    pub struct RedactedStdout;

    impl RedactedStdout {
        pub fn install() -> std::io::Result<Self> {
            Ok(Self)
        }

        pub fn finish(self) {}
    }
}

pub use imp::RedactedStdout;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_known_only_when_its_line_is_written_is_redacted() {
        let secret = "foretoldsecretvalue12345";
        let input = format!("test a ... FAILED\nthe body said {secret}\npartial {secret}");
        // Registered after the text was made, before it is forwarded: as when a failure
        // message is fixed early and printed at the end of the run.
        redact::register(secret);
        let mut out = Vec::new();
        forward(input.as_bytes(), &mut out, |_| false).expect("forwards");
        let out = String::from_utf8(out).expect("utf-8");
        assert_eq!(
            out,
            "test a ... FAILED\nthe body said [secret]\npartial [secret]"
        );
        redact::forget(&[secret.to_string()]);
    }

    #[test]
    fn an_unfinished_line_is_shown_once_input_pauses() {
        // Two reads: "test x ... " then "ok\n"; idle between them.
        struct Two(Vec<&'static [u8]>);
        impl Read for Two {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.0.is_empty() {
                    return Ok(0);
                }
                let chunk = self.0.remove(0);
                buf[..chunk.len()].copy_from_slice(chunk);
                Ok(chunk.len())
            }
        }
        let mut out = Vec::new();
        let mut calls = 0;
        forward(Two(vec![b"test x ... ", b"ok\n"]), &mut out, |_| {
            calls += 1;
            false
        })
        .expect("forwards");
        assert_eq!(out, b"test x ... ok\n");
        assert!(calls >= 1);
    }
}
