// The Node.js side of bench/wasm-run.sh: runs bench.wasm through node:wasi the way Mycelium's runtime runs it
// (stdin and stdout in memory, JSON in and out) and prints the raw timings as one JSON object on stdout.
//
//   node node_bench.mjs MODULE.wasm '{"coldRuns":10,"instanceRuns":200,"warmupSeconds":5,"warmCalls":5000,
//                                     "computeWarmupSeconds":5,"computeRuns":5,"compute":{"n":5000000,"size":300}}'
//
// stdin and stdout: node:wasi works on file descriptors; as Mycelium's runtime hands each call its payload from
// memory, fd_read on fd 0 and fd_write on fds 1 and 2 are served from buffers here, everything else by node:wasi.
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';

const [wasmPath, configJson] = process.argv.slice(2);
const config = JSON.parse(configJson);
const bytes = readFileSync(wasmPath);

/** The module with a custom section holding `nonce`: new bytes, so V8's module cache cannot answer. */
function withNonce(wasm, nonce) {
  const name = Buffer.from('bench-nonce');
  const payload = Buffer.concat([Buffer.from([name.length]), name, Buffer.from(String(nonce))]);
  return Buffer.concat([wasm, Buffer.from([0, payload.length]), payload]);
}

function instantiate(module) {
  const wasi = new WASI({ version: 'preview1', args: [], env: {}, returnOnExit: true });
  const io = { input: Buffer.alloc(0), pos: 0, out: [], err: [] };
  let memory;
  const imports = {
    wasi_snapshot_preview1: {
      ...wasi.wasiImport,
      fd_read(fd, iovs, iovsLen, nreadPtr) {
        if (fd !== 0) return wasi.wasiImport.fd_read(fd, iovs, iovsLen, nreadPtr);
        const view = new DataView(memory.buffer);
        const mem = new Uint8Array(memory.buffer);
        let n = 0;
        for (let i = 0; i < iovsLen; i++) {
          const ptr = view.getUint32(iovs + i * 8, true);
          const len = view.getUint32(iovs + i * 8 + 4, true);
          const take = Math.min(len, io.input.length - io.pos);
          mem.set(io.input.subarray(io.pos, io.pos + take), ptr);
          io.pos += take;
          n += take;
          if (take < len) break;
        }
        view.setUint32(nreadPtr, n, true);
        return 0;
      },
      fd_write(fd, iovs, iovsLen, nwrittenPtr) {
        if (fd !== 1 && fd !== 2) return wasi.wasiImport.fd_write(fd, iovs, iovsLen, nwrittenPtr);
        const view = new DataView(memory.buffer);
        const sink = fd === 1 ? io.out : io.err;
        let n = 0;
        for (let i = 0; i < iovsLen; i++) {
          const ptr = view.getUint32(iovs + i * 8, true);
          const len = view.getUint32(iovs + i * 8 + 4, true);
          sink.push(Buffer.from(memory.buffer.slice(ptr, ptr + len)));
          n += len;
        }
        view.setUint32(nwrittenPtr, n, true);
        return 0;
      },
    },
  };
  const instance = new WebAssembly.Instance(module, imports);
  memory = instance.exports.memory;
  wasi.initialize(instance); // runs _initialize
  return { instance, io };
}

function call(inst, name, input) {
  const io = inst.io;
  io.input = Buffer.from(JSON.stringify(input));
  io.pos = 0;
  io.out = [];
  io.err = [];
  const status = inst.instance.exports[name]();
  if (status !== 0) throw new Error(`${name} returned ${status}`);
  return JSON.parse(Buffer.concat(io.out).toString('utf8'));
}

const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;
const request = { id: 42, user: 'mycelium', tags: ['a', 'b', 'c'] };
const results = { node: process.version, v8: process.versions.v8 };

// Cold: compile + instantiate + first call, new bytes every time.
results.coldMs = [];
for (let i = 0; i < config.coldRuns; i++) {
  const wasm = withNonce(bytes, `node-${i}`);
  const start = process.hrtime.bigint();
  const inst = instantiate(new WebAssembly.Module(wasm));
  call(inst, 'handle', request);
  results.coldMs.push(ms(start));
}

// A fresh instance per call on a compiled module (Mycelium's stateless call on a warm engine).
const module = new WebAssembly.Module(bytes);
results.instanceMs = [];
for (let i = 0; i < config.instanceRuns; i++) {
  const start = process.hrtime.bigint();
  const out = call(instantiate(module), 'handle', { ...request, id: i });
  results.instanceMs.push(ms(start));
  if (out.id !== i) throw new Error('wrong answer ' + JSON.stringify(out));
}

// Warm: calls on one kept instance.
const kept = instantiate(module);
const seconds = (s) => process.hrtime.bigint() + BigInt(Math.round(s * 1e9));
let until = seconds(config.warmupSeconds);
results.warmupCalls = 0;
while (process.hrtime.bigint() < until) call(kept, 'handle', { ...request, id: results.warmupCalls++ });
results.warmMs = [];
for (let i = 0; i < config.warmCalls; i++) {
  const start = process.hrtime.bigint();
  const out = call(kept, 'handle', { ...request, id: i });
  results.warmMs.push(ms(start));
  if (out.id !== i) throw new Error('wrong answer ' + JSON.stringify(out));
}

// Compute-heavy payload on a kept instance.
const worker = instantiate(module);
until = seconds(config.computeWarmupSeconds);
results.computeWarmupRuns = 0;
do {
  results.computeAnswer = call(worker, 'compute', config.compute);
  results.computeWarmupRuns++;
} while (process.hrtime.bigint() < until);
results.computeMs = [];
for (let i = 0; i < config.computeRuns; i++) {
  const start = process.hrtime.bigint();
  results.computeAnswer = call(worker, 'compute', config.compute);
  results.computeMs.push(ms(start));
}

process.stdout.write(JSON.stringify(results) + '\n');
