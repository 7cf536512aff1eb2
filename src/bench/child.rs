//! Running one measured phase as a child process: its wall time from spawn to exit, and its
//! own CPU time and peak resident set size from `wait4`'s resource usage (a process's peak
//! RSS cannot be reset, so every phase gets a fresh process).

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::BenchError;

/// What a child process used.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct Usage {
    /// From spawn to exit, seconds.
    pub wall_s: f64,
    /// User plus system CPU time, seconds.
    pub cpu_s: f64,
    /// Peak resident set size (`ru_maxrss`), megabytes (10^6 bytes).
    pub peak_rss_mb: f64,
}

/// A finished child.
pub struct Finished {
    pub usage: Usage,
    /// Its exit code; `None` when a signal ended it.
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    /// Whether it was killed for running past its time limit.
    pub timed_out: bool,
}

fn timeval(t: libc::timeval) -> f64 {
    t.tv_sec as f64 + t.tv_usec as f64 / 1e6
}

/// Opens the log that children's stderr is appended to.
pub fn open_log(log: &Path) -> Result<File, BenchError> {
    File::options()
        .create(true)
        .append(true)
        .open(log)
        .map_err(|source| BenchError::Io {
            path: log.display().to_string(),
            source,
        })
}

/// Runs `cmd` to its end, reading `stdin`, stdout captured, stderr appended to `log`. With
/// a `limit`, a child still running after it is killed.
pub fn run(
    cmd: &mut Command,
    stdin: Stdio,
    log: &Path,
    limit: Option<Duration>,
) -> Result<Finished, BenchError> {
    let log_file = open_log(log)?;
    cmd.stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log_file));
    let started = Instant::now();
    let mut child = cmd.spawn().map_err(|source| BenchError::Io {
        path: format!("{:?}", cmd.get_program()),
        source,
    })?;
    let mut stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data, filled in by wait4.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut timed_out = false;
    loop {
        let flags = if limit.is_some() && !timed_out {
            libc::WNOHANG
        } else {
            0
        };
        // SAFETY: pid is our own child, not yet reaped; status and usage are valid pointers.
        let r = unsafe { libc::wait4(pid, &mut status, flags, &mut usage) };
        if r == pid {
            break;
        }
        if r < 0 {
            let err = std::io::Error::last_os_error();
            if err.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(BenchError::Io {
                path: format!("waiting for {:?}", cmd.get_program()),
                source: err,
            });
        }
        // r == 0: still running (WNOHANG).
        if limit.is_some_and(|l| started.elapsed() > l) {
            let _ = child.kill();
            timed_out = true;
        } else {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    let wall = started.elapsed();
    let stdout = reader.join().unwrap_or_default();
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    Ok(Finished {
        usage: Usage {
            wall_s: wall.as_secs_f64(),
            cpu_s: timeval(usage.ru_utime) + timeval(usage.ru_stime),
            // Linux reports ru_maxrss in kibibytes.
            peak_rss_mb: usage.ru_maxrss as f64 * 1024.0 / 1e6,
        },
        code,
        stdout,
        timed_out,
    })
}

/// Bytes free for an unprivileged user on the file system holding `path`.
pub fn free_bytes(path: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    // SAFETY: statvfs is plain data, filled in by the call; c is a valid C string.
    let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::statvfs(c.as_ptr(), &mut s) };
    (r == 0).then(|| s.f_bavail as u64 * s.f_frsize as u64)
}
