/**
 * JMH benchmarks of Mycelium: the wire codec, and the embedded SDK against an agent running as a local child process,
 * each next to a plain-process anchor measured in the same run so ratios can be quoted. {@code bench/run.sh} builds and
 * runs them; docs/benchmarks.md has the figures.
 */
package io.mycelium.bench;
