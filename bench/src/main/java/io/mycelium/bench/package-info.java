/**
 * JMH benchmarks of Mycelium: the wire codec, and the embedded SDK against an agent running as a local child process,
 * each next to a plain-process anchor measured in the same run so ratios can be quoted. {@code bench/run.sh} builds and
 * runs them. {@link io.mycelium.bench.SshBench} (a plain main class, not JMH) measures Mycelium over SSH against raw
 * OpenSSH and Mitogen on one test host; {@code bench/ssh-run.sh} runs it. docs/benchmarks.md has the figures.
 */
package io.mycelium.bench;
