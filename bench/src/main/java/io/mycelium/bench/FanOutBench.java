package io.mycelium.bench;

import io.mycelium.Context;
import io.mycelium.ExecResult;
import io.mycelium.FanOutSummary;
import io.mycelium.HostResult;
import io.mycelium.Mycelium;
import io.mycelium.Session;
import io.mycelium.SshSession;
import io.mycelium.testhosts.TestHost;
import io.mycelium.testhosts.TestHostImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Fan-out of {@code uname -n} over N inner hosts behind one bastion: Mycelium ({@code bastion.fanOut(...)}, one
 * connection from here, the bastion's agent starting each inner agent) against OpenSSH with one {@code ssh -J bastion
 * inner} (ProxyJump) connection per host, all N at once in both. bench/fanout-run.sh runs it; each figure is a plain
 * timed loop, the two sides interleaved run by run.
 *
 * <ol>
 *   <li>cold: nothing open. Mycelium: connect to the bastion, start its agent, fan out (each inner host: ssh from the
 *       bastion, stage 1, agent JVM, {@code uname -n}, close). OpenSSH: N {@code ssh -J} at once. The actor system is
 *       created before the clock starts ({@code Mycelium.standalone()}, timed apart).
 *   <li>warm bastion: the bastion's connection kept (Mycelium: its context; OpenSSH: a ControlMaster for the bastion
 *       that every {@code -J} goes through); each run still connects to every inner host, as {@code fanOut} does.
 *   <li>warm: every connection kept (Mycelium: the inner hosts' contexts, opened {@code via} the bastion and pooled,
 *       N {@code procExec} at once; OpenSSH: a ControlMaster per inner host, through the bastion's).
 * </ol>
 *
 * <p>The inner hosts here admit any source address: OpenSSH's ProxyJump reaches them from the bastion's sshd, which
 * cannot bind the bastion's own address (the tests, not this bench, check the bastion-only rule). System properties
 * ({@code -Dbench.fanout.NAME=...}): {@code out} (bench/target/fanout), {@code hosts} (3), {@code coldRuns} (5),
 * {@code bastionRuns} (10), {@code warmRuns} (50); one more untimed run of each comes first.
 */
public final class FanOutBench {
    private final Path out = Path.of(System.getProperty("bench.fanout.out", "bench/target/fanout"));
    private final int hostCount = Integer.getInteger("bench.fanout.hosts", 3);
    private final int coldRuns = Integer.getInteger("bench.fanout.coldRuns", 5);
    private final int bastionRuns = Integer.getInteger("bench.fanout.bastionRuns", 10);
    private final int warmRuns = Integer.getInteger("bench.fanout.warmRuns", 50);
    private final Map<String, Object> results = new LinkedHashMap<>();

    private TestHost bastion;
    private final List<TestHost> inner = new ArrayList<>();
    private Path dir;
    private Path key;
    private Path knownHosts;

    public static void main(String[] args) throws Exception {
        new FanOutBench().run();
        System.exit(0);
    }

    private void run() throws Exception {
        Files.createDirectories(out);
        dir = Files.createTempDirectory(Path.of("/tmp"), "fo");
        try {
            start();
            results.put("hosts", hostCount);
            results.put("load_before", loadAverage());
            cold();
            results.put("load_after_cold", loadAverage());
            warmBastion();
            results.put("load_after_warm_bastion", loadAverage());
            warm();
            results.put("load_after", loadAverage());
            Files.writeString(out.resolve("fanout.json"), Json.write(results));
            log("results in " + out.resolve("fanout.json"));
        } finally {
            stopMasters();
            for (TestHost h : inner) {
                h.close();
            }
            if (bastion != null) {
                bastion.close();
            }
            deleteTree(dir);
        }
    }

    /** The bastion and the inner hosts, one key for all (the first inner host's), one known_hosts file. */
    private void start() throws Exception {
        bastion = TestHost.start(TestHostImage.BASTION);
        for (int i = 0; i < hostCount; i++) {
            inner.add(TestHost.start(TestHostImage.DEBIAN_MIN));
        }
        key = dir.resolve("id");
        Files.copy(inner.get(0).privateKey(), key);
        String publicKey =
                Files.readString(Path.of(inner.get(0).privateKey() + ".pub")).strip();
        StringBuilder known = new StringBuilder(bastion.hostKeyLine() + "\n");
        for (TestHost h : inner) {
            known.append(h.hostKeyLine()).append('\n');
        }
        List<TestHost> others = new ArrayList<>(inner.subList(1, inner.size()));
        others.add(bastion);
        for (TestHost h : others) {
            TestHost.CommandResult r =
                    h.exec("sh", "-c", "printf '%s\\n' \"$0\" >> /run/mycelium-ssh/authorized_keys", publicKey);
            check(r.ok(), "cannot add the key to " + h + ": " + r.stderr());
        }
        knownHosts = dir.resolve("known_hosts");
        Files.writeString(knownHosts, known);
        log("bastion " + address(bastion) + ", inner "
                + inner.stream().map(FanOutBench::address).toList());
    }

    // --- Mycelium

    private SshSession ssh(TestHost h) {
        return Session.ssh(address(h)).identity(key).knownHosts(knownHosts);
    }

    /** One fan-out from {@code bastion}: every host's {@code uname -n}, all at once; the time it took. */
    private double fanOut(Context bastionContext, Mycelium mycelium) throws Exception {
        long t0 = System.nanoTime();
        var both = bastionContext
                .fanOut(inner.stream().map(this::ssh).toList(), ctx -> ctx.procExec("uname", "-n"), hostCount)
                .toMat(Sink.<HostResult<ExecResult>>ignore(), Keep.left())
                .run(mycelium.system());
        FanOutSummary summary = both.toCompletableFuture().get(300, TimeUnit.SECONDS);
        double took = ms(System.nanoTime() - t0);
        check(summary.allSucceeded(), "fan-out failed: " + summary.line());
        return took;
    }

    // --- OpenSSH

    /**
     * An ssh config for every host: the key, the known_hosts file, batch mode; with {@code muxBastion} a ControlMaster
     * for the bastion, with {@code muxAll} for every host.
     */
    private Path config(boolean muxBastion, boolean muxAll) throws Exception {
        String mux = "  ControlMaster auto\n  ControlPath " + dir + "/%C\n  ControlPersist 60\n";
        String text = (muxBastion && !muxAll ? "Host " + bastion.address() + "\n" + mux : "")
                + "Host *\n"
                + "  IdentityFile " + key + "\n  IdentitiesOnly yes\n  UserKnownHostsFile " + knownHosts + "\n"
                + "  StrictHostKeyChecking yes\n  BatchMode yes\n  LogLevel ERROR\n"
                + (muxAll ? mux : "");
        Path file = dir.resolve("config-" + muxBastion + "-" + muxAll);
        Files.writeString(file, text);
        return file;
    }

    /** {@code ssh -J bastion inner uname -n} for every inner host at once; the time until the last one ended. */
    private double proxyJump(Path config) throws Exception {
        long t0 = System.nanoTime();
        List<Process> running = new ArrayList<>();
        for (TestHost h : inner) {
            running.add(new ProcessBuilder(
                            "ssh",
                            "-F",
                            config.toString(),
                            "-J",
                            address(bastion),
                            "-p",
                            Integer.toString(h.port()),
                            h.user() + "@" + h.address(),
                            "uname",
                            "-n")
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start());
        }
        for (Process p : running) {
            check(p.waitFor(120, TimeUnit.SECONDS), "ssh -J ran for more than 120 s");
            check(p.exitValue() == 0, "ssh -J exited with " + p.exitValue());
        }
        return ms(System.nanoTime() - t0);
    }

    /** Ends the ControlMasters (they would end by themselves after ControlPersist's minute idle). */
    private void stopMasters() throws Exception {
        if (bastion == null) {
            return;
        }
        Path muxAll = config(true, true);
        for (TestHost h : inner) {
            run(List.of(
                    "ssh",
                    "-F",
                    muxAll.toString(),
                    "-J",
                    address(bastion),
                    "-O",
                    "exit",
                    "-p",
                    Integer.toString(h.port()),
                    h.user() + "@" + h.address()));
        }
        run(List.of(
                "ssh",
                "-F",
                muxAll.toString(),
                "-O",
                "exit",
                "-p",
                Integer.toString(bastion.port()),
                bastion.user() + "@" + bastion.address()));
    }

    // --- the three measurements

    private void cold() throws Exception {
        log("cold: " + (coldRuns + 1) + " x (" + hostCount + " x ssh -J at once; fresh Mycelium, bastion.fanOut)");
        Path plain = config(false, false);
        List<Double> ssh = new ArrayList<>();
        List<Double> myc = new ArrayList<>();
        List<Double> setup = new ArrayList<>();
        for (int i = 0; i <= coldRuns; i++) {
            ssh.add(proxyJump(plain));
            long t0 = System.nanoTime();
            Mycelium mycelium = Mycelium.standalone();
            setup.add(ms(System.nanoTime() - t0));
            try {
                Context b = mycelium.open(ssh(bastion).build());
                myc.add(fanOut(b, mycelium));
            } finally {
                mycelium.close();
            }
            log(String.format(
                    "cold %d: ssh -J %.1f ms; Mycelium fan-out %.1f ms (+ %.1f ms standalone())",
                    i, ssh.get(i), myc.get(i), setup.get(i)));
        }
        results.put("cold_ssh_proxyjump", Samples.series(ssh.subList(1, ssh.size()), 0));
        results.put("cold_mycelium_fanout", Samples.series(myc.subList(1, myc.size()), 0));
        results.put("cold_mycelium_standalone", Samples.series(setup.subList(1, setup.size()), 0));
    }

    private void warmBastion() throws Exception {
        log("warm bastion: " + (bastionRuns + 1) + " x (ssh -J through a bastion ControlMaster; fanOut on an open"
                + " bastion context)");
        Path muxBastion = config(true, false);
        // One master first, alone: hosts started at once would each find no master and race to become it.
        run(List.of(
                "ssh",
                "-F",
                muxBastion.toString(),
                "-p",
                Integer.toString(bastion.port()),
                bastion.user() + "@" + bastion.address(),
                "true"));
        List<Double> ssh = new ArrayList<>();
        List<Double> myc = new ArrayList<>();
        try (Mycelium mycelium = Mycelium.standalone()) {
            Context b = mycelium.open(ssh(bastion).build());
            b.ensureAgent().toCompletableFuture().get(300, TimeUnit.SECONDS);
            for (int i = 0; i <= bastionRuns; i++) {
                ssh.add(proxyJump(muxBastion));
                myc.add(fanOut(b, mycelium));
                log(String.format("warm bastion %d: ssh -J %.1f ms; fan-out %.1f ms", i, ssh.get(i), myc.get(i)));
            }
        }
        results.put("warm_bastion_ssh_proxyjump", Samples.series(ssh.subList(1, ssh.size()), 0));
        results.put("warm_bastion_mycelium_fanout", Samples.series(myc.subList(1, myc.size()), 0));
    }

    private void warm() throws Exception {
        log("warm: " + (warmRuns + 1) + " x (ssh -J with a ControlMaster per host; procExec on kept contexts)");
        Path muxAll = config(true, true);
        for (TestHost h : inner) {
            run(List.of(
                    "ssh",
                    "-F",
                    muxAll.toString(),
                    "-J",
                    address(bastion),
                    "-p",
                    Integer.toString(h.port()),
                    h.user() + "@" + h.address(),
                    "true"));
        }
        List<Double> ssh = new ArrayList<>();
        List<Double> myc = new ArrayList<>();
        try (Mycelium mycelium = Mycelium.standalone()) {
            Session b = ssh(bastion).build();
            List<Context> contexts = inner.stream()
                    .map(h -> mycelium.open(ssh(h).via(b).build()))
                    .toList();
            for (int i = 0; i <= warmRuns; i++) {
                ssh.add(proxyJump(muxAll));
                long t0 = System.nanoTime();
                List<CompletableFuture<ExecResult>> all =
                        contexts.stream().map(c -> c.procExec("uname", "-n")).toList();
                for (CompletableFuture<ExecResult> r : all) {
                    check(r.get(300, TimeUnit.SECONDS).exitCode() == 0, "uname -n failed");
                }
                myc.add(ms(System.nanoTime() - t0));
                if (i % 10 == 0) {
                    log(String.format("warm %d: ssh -J %.1f ms; kept contexts %.1f ms", i, ssh.get(i), myc.get(i)));
                }
            }
        }
        results.put("warm_ssh_proxyjump_controlmaster", Samples.series(ssh.subList(1, ssh.size()), 0));
        results.put("warm_mycelium_kept_contexts", Samples.series(myc.subList(1, myc.size()), 0));
    }

    // --- helpers

    private static String address(TestHost h) {
        return h.user() + "@" + h.address() + ":" + h.port();
    }

    private static void run(List<String> argv) {
        try {
            Process p = new ProcessBuilder(argv)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            log("could not run " + argv + ": " + e);
        }
    }

    private static String loadAverage() throws Exception {
        return Files.readString(Path.of("/proc/loadavg")).strip();
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException(message);
        }
    }

    private static void log(String line) {
        System.err.println("[fanout-bench] " + line);
    }

    private static void deleteTree(Path root) throws Exception {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
