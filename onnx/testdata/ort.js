// Runs ONNX models in onnxruntime-node for the onnx package's tests.
//
//   node ort.js run < jobs.json     jobs: [{model, type, rows, cols, input, inputName, outputName}]
//                                   prints [{output, dims}] (or {error}) per job, as JSON
//   node ort.js bench MODEL N       prints the median latency of N one-row runs, in ns
//
// type is "float64" or "float32"; input is the rows×cols input, row-major.
// NaN travels as null in JSON. The onnxruntime-node package is looked up in
// $MLP_ORT_DIR/node_modules (default $HOME/.cache/mlp-ort), outside the
// repository: npm install --ignore-scripts onnxruntime-node@1.30.0
"use strict";
const path = require("path");
const os = require("os");

const dir = process.env.MLP_ORT_DIR || path.join(os.homedir(), ".cache", "mlp-ort");
const ort = require(path.join(dir, "node_modules", "onnxruntime-node"));

function tensor(type, data, rows, cols) {
  const a = type === "float64" ? new Float64Array(data.length) : new Float32Array(data.length);
  data.forEach((v, i) => { a[i] = v === null ? NaN : v; });
  return new ort.Tensor(type, a, [rows, cols]);
}

async function run() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  const jobs = JSON.parse(Buffer.concat(chunks).toString());
  const results = [];
  for (const j of jobs) {
    try {
      const s = await ort.InferenceSession.create(j.model, { graphOptimizationLevel: "disabled", intraOpNumThreads: 1 });
      const out = await s.run({ [j.inputName]: tensor(j.type, j.input, j.rows, j.cols) });
      const y = out[j.outputName];
      results.push({ output: Array.from(y.data, (v) => (Number.isNaN(v) ? null : v)), dims: y.dims });
    } catch (e) {
      results.push({ error: String(e && e.message ? e.message : e) });
    }
  }
  process.stdout.write(JSON.stringify(results));
}

async function bench(model, n) {
  const s = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
  const name = s.inputNames[0];
  const meta = s.inputMetadata ? s.inputMetadata[0] : null;
  let cols = meta && meta.shape ? meta.shape[1] : 0;
  if (!cols) cols = Number(process.argv[5] || 0);
  const type = meta && meta.type === "float32" ? "float32" : "float64";
  const x = tensor(type, Array.from({ length: cols }, (_, i) => Math.sin(i)), 1, cols);
  for (let i = 0; i < 200; i++) await s.run({ [name]: x });
  const t = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await s.run({ [name]: x });
    t.push(Number(process.hrtime.bigint() - t0));
  }
  t.sort((a, b) => a - b);
  process.stdout.write(JSON.stringify({ medianNs: t[t.length >> 1], minNs: t[0], runs: n, type, cols }) + "\n");
}

const mode = process.argv[2];
(mode === "bench" ? bench(process.argv[3], Number(process.argv[4] || 2000)) : run()).catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + "\n");
  process.exit(1);
});
