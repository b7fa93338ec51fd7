//! `--dev`: `trunk serve` as a child process, its output on stderr (stdout carries only the URL),
//! killed when the launcher stops.

use std::path::Path;
use std::process::Stdio;

use tokio::process::{Child, Command};

/// Starts `trunk serve` in `web_dir` on 127.0.0.1:`port`.
pub(crate) fn spawn(trunk: &Path, web_dir: &Path, port: u16) -> Result<Child, String> {
    Command::new(trunk)
        .args(["serve", "--address", "127.0.0.1", "--port"])
        .arg(port.to_string())
        .current_dir(web_dir)
        .stdin(Stdio::null())
        .stdout(std::io::stderr())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| {
            format!(
                "cannot run `{} serve` in {}: {e} (`just dev` installs trunk into .tools/)",
                trunk.display(),
                web_dir.display()
            )
        })
}

/// Stops `trunk serve` and waits for it.
pub(crate) async fn stop(mut child: Child) {
    let _ = child.start_kill();
    let _ = child.wait().await;
}
