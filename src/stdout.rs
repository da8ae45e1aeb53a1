//! The last line of defence for standard output: everything the process writes there (libtest's
//! lines and its failure messages, whoever prints them) passes through redaction as it leaves,
//! with the secrets known at that moment. A failure message is fixed when its trial ends, but
//! libtest prints it at the end of the run: by then a secret that a server echoed before handing
//! it out is known, and is redacted here.
//!
//! Only the command line installs it (it rewires file descriptor 1 of the whole process); on
//! other platforms than Unix it does nothing. Files written around it (libtest's `--logfile`)
//! get the same last pass (`redact_file`), and an exit that cannot wait for the run to end (a
//! second Ctrl-C) drains what was already written, redacted, within a bounded time
//! (`exit_drained`).

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

/// Files that get the last pass should the process exit early (`exit_drained`).
static FILES: std::sync::Mutex<Vec<std::path::PathBuf>> = std::sync::Mutex::new(Vec::new());

/// How long an early exit waits for what was already written to get out.
pub const DRAIN_WITHIN: Duration = Duration::from_secs(3);

/// Redacts the file at `path` in place, with the secrets known now: libtest writes its
/// `--logfile` itself, failure messages fixed before a secret was known among them. Written
/// beside it and renamed over it, so that a writer still holding the old file changes nothing
/// anyone reads.
pub fn redact_file(path: &std::path::Path) -> io::Result<()> {
    let bytes = std::fs::read(path)?;
    let redacted = redact::text(&String::from_utf8_lossy(&bytes));
    if redacted.as_bytes() == bytes.as_slice() {
        return Ok(());
    }
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".redacting");
    let beside = path.with_file_name(name);
    std::fs::write(&beside, redacted)?;
    std::fs::rename(&beside, path)
}

/// Also redacts `path` (`redact_file`) should the process exit early.
pub fn redact_on_exit(path: &std::path::Path) {
    FILES
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(path.to_path_buf());
}

/// Exits now with `code`, after what was already written to standard output went out through
/// redaction (waiting at most `within`) and the files of `redact_on_exit` got their pass.
pub fn exit_drained(code: u8, within: Duration) -> ! {
    imp::drain(within);
    let files = std::mem::take(&mut *FILES.lock().unwrap_or_else(|e| e.into_inner()));
    for file in files {
        let _ = redact_file(&file);
    }
    std::process::exit(i32::from(code))
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
        sync::Mutex,
        thread::JoinHandle,
        time::Duration,
    };

    use rustix::event::{PollFd, PollFlags, Timespec, poll};

    use super::forward;

    /// Standard output, rerouted through redaction until `finish` (or until dropped, should
    /// the run unwind, or until `drain` on an early exit).
    pub struct RedactedStdout(());

    /// The rerouting under way: the real standard output, and the thread that forwards to it.
    struct Active {
        saved: OwnedFd,
        forwarder: JoinHandle<()>,
    }

    static ACTIVE: Mutex<Option<Active>> = Mutex::new(None);

    fn active() -> Option<Active> {
        ACTIVE.lock().unwrap_or_else(|e| e.into_inner()).take()
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
            *ACTIVE.lock().unwrap_or_else(|e| e.into_inner()) = Some(Active { saved, forwarder });
            Ok(Self(()))
        }

        /// Puts the real standard output back and waits until everything written before is out.
        pub fn finish(self) {
            drop(self);
        }
    }

    impl Drop for RedactedStdout {
        fn drop(&mut self) {
            let _ = io::stdout().flush();
            if let Some(active) = active() {
                // The pipe's last writer closes: the forwarder reads to the end and stops.
                let _ = rustix::stdio::dup2_stdout(&active.saved);
                let _ = active.forwarder.join();
            }
        }
    }

    /// For an early exit: descriptor 1 goes nowhere from now on (the process is leaving, and
    /// nothing may reach the real output unredacted), so the pipe's last writer closes and the
    /// forwarder passes on what it holds, redacted; waited for at most `within`.
    pub fn drain(within: Duration) {
        let _ = io::stdout().flush();
        let Some(active) = active() else {
            return;
        };
        if let Ok(null) = File::options().write(true).open("/dev/null") {
            let _ = rustix::stdio::dup2_stdout(&null);
        }
        let (done, finished) = std::sync::mpsc::channel();
        let forwarder = active.forwarder;
        let _ = std::thread::Builder::new()
            .name("redacted-stdout-drain".into())
            .spawn(move || {
                let _ = forwarder.join();
                let _ = done.send(());
            });
        let _ = finished.recv_timeout(within);
        drop(active.saved);
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

    pub fn drain(_within: std::time::Duration) {}
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
