"""Run `goedeburen assign` as a separate process on this checkout's code (not the installed
package's: a worktree would run main's)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.processes import child_env

ROOT = Path(__file__).resolve().parents[2]
SOURCES = os.pathsep.join([str(ROOT / "src"), str(ROOT)])


def run_assign(tmp_path, document, *extra) -> tuple[subprocess.CompletedProcess, Path]:
    """Write `document` (a dict, JSON text, or the file's bytes) and run the command on it;
    return the finished process and the result file's path."""
    source = tmp_path / "instance.json"
    if isinstance(document, bytes):
        source.write_bytes(document)
    else:
        text = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False)
        source.write_text(text, encoding="utf-8")
    out = tmp_path / "result.json"
    env = child_env(test_database=False)
    done = subprocess.run(
        [sys.executable, "-m", "goedeburen", "assign", str(source), "--out", str(out), *extra],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    return done, out
