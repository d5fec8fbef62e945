// Runs a Python script inside Pyodide under Node, as xlwings Lite runs Python inside Excel.
//
//   node run.mjs DIST WHEELS ROOT SCRIPT [ARGS...]
//
// DIST is the Pyodide distribution laid out by prepare.py (runtime and checked packages),
// WHEELS a folder of pure-Python wheels to install (the project's own among them), ROOT a host
// folder mounted at the same path inside Pyodide (the project's checkout: tests, fixtures),
// SCRIPT a Python file under ROOT run as __main__ with ARGS. Exits with the script's exit code.
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [dist, wheels, root, script, ...args] = process.argv.slice(2).map((a, i) => (i < 3 ? resolve(a) : a));
const { loadPyodide } = await import(pathToFileURL(join(dist, "pyodide.mjs")).href);

const started = performance.now();
const pyodide = await loadPyodide({
  indexURL: dist + "/",
  // The job's own settings (DEALERXL_*) reach the script; nothing else of the host's environment does.
  env: {
    HOME: "/home/pyodide", PYTHONDONTWRITEBYTECODE: "1", PYTHONHASHSEED: "0",
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith("DEALERXL_"))),
  },
});
// Raw writes: a test runner's progress (dots without a newline) stays on one line.
pyodide.setStdout({ write: (bytes) => { process.stdout.write(bytes); return bytes.length; } });
pyodide.setStderr({ write: (bytes) => { process.stderr.write(bytes); return bytes.length; } });
// Pyodide's own numpy, pandas and scipy from DIST (never a CDN: the files are there).
await pyodide.loadPackage(["numpy", "pandas", "scipy"], { messageCallback: () => {} });
const loaded = (performance.now() - started) / 1000;

pyodide.FS.mkdirTree(root);
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root }, root);
pyodide.FS.mkdirTree("/wheels");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: wheels }, "/wheels");

pyodide.globals.set("WHEELS", readdirSync(wheels).filter((name) => name.endsWith(".whl")));
pyodide.globals.set("ROOT", root);
pyodide.globals.set("SCRIPT", join(root, script));
pyodide.globals.set("ARGS", args);
pyodide.globals.set("LOAD_SECONDS", loaded);
const code = await pyodide.runPythonAsync(`
import os, runpy, site, sys, zipfile
# A pure-Python wheel is a zip of the files as installed: unpacking it is installing it.
target = site.getsitepackages()[0]
for name in sorted(WHEELS):
    zipfile.ZipFile("/wheels/" + name).extractall(target)
os.environ["DEALERXL_PYODIDE_LOAD_SECONDS"] = f"{LOAD_SECONDS:.3f}"
os.chdir(ROOT)
sys.argv = [SCRIPT, *ARGS.to_py()]
status = 0
try:
    runpy.run_path(SCRIPT, run_name="__main__")
except SystemExit as stop:
    status = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
status
`);
process.exit(code);
