package io.mycelium.bench;

import io.mycelium.AgentInfo;
import io.mycelium.Context;
import io.mycelium.ExecResult;
import io.mycelium.Mycelium;
import io.mycelium.Session;
import io.mycelium.SshSession;
import io.mycelium.TransferResult;
import io.mycelium.testhosts.TestHost;
import io.mycelium.testhosts.TestHostImage;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Mycelium over SSH against its anchors, side by side on ONE loopback test host ({@link TestHost}, image {@code
 * debian_min}): bench/ssh-run.sh runs this main class, which also runs Mitogen's script (bench/mitogen/) against the same
 * host before stopping it. Not JMH: one host must serve every measurement, and JMH forks a JVM per benchmark; each
 * figure here is a plain timed loop with warm-up, the same shape as the Python side.
 *
 * <p>What it measures, in this order (Mycelium and the raw-ssh anchor interleaved where they can be):
 *
 * <ol>
 *   <li>cold: {@code ssh host true} (new connection) and, alternately, a fresh {@code Mycelium.standalone()} (timed
 *       apart) then {@code open(session).procExec("true")} joined: connect + stage 1 + agent JVM + first result;
 *   <li>round trip: {@code context.ping()} joined vs 1 byte written to a persistent {@code ssh -T host cat} and read back,
 *       in alternating blocks of about one second after 2 s of warm-up each;
 *   <li>1,000 {@code procExec("true")} sequential and with 16 in flight, after 200 untimed ones (a fresh agent) and again
 *       after {@code warmExecs} more (a warm agent JIT), vs 1,000 sequential {@code ssh host true} through a
 *       ControlMaster (ControlPath in a temporary directory, ControlPersist);
 *   <li>put/get of a 256 MiB file vs {@code ssh host 'cat > f'} / {@code ssh host 'cat f' > local}, each on a new
 *       connection and through the ControlMaster, with and without fsync; one untimed run of each first;
 *   <li>the agent's VmRSS/VmHWM, read in the container ({@code docker exec cat /proc/PID/status}) after each step;
 *   <li>Mitogen: {@code python3 bench/mitogen/mitogen_bench.py} with the host's address, key and known_hosts.
 * </ol>
 *
 * <p>System properties ({@code -Dbench.ssh.NAME=...}): {@code out} (results directory, default bench/target/ssh),
 * {@code sizeMiB} (256), {@code rttSeconds} (4), {@code runs} (1000), {@code inFlight} (16), {@code coldRuns} (5),
 * {@code transferRuns} (3, after one untimed run of each), {@code warmExecs} (5000), {@code python} (/usr/bin/python3), {@code mitogenScript}
 * (bench/mitogen/mitogen_bench.py; {@code none} skips Mitogen), {@code client} (Mycelium's SSH client: {@code OPENSSH},
 * the default, or {@code MINA}).
 */
public final class SshBench {
    private static final String REMOTE_DIR = "/home/mycelium/bench";
    private static final int WARMUP_EXECS = 200;

    private final Path out = Path.of(System.getProperty("bench.ssh.out", "bench/target/ssh"));
    private final int sizeMiB = Integer.getInteger("bench.ssh.sizeMiB", 256);
    private final double rttSeconds = Double.parseDouble(System.getProperty("bench.ssh.rttSeconds", "4"));
    private final int runs = Integer.getInteger("bench.ssh.runs", 1000);
    private final int inFlight = Integer.getInteger("bench.ssh.inFlight", 16);
    private final int coldRuns = Integer.getInteger("bench.ssh.coldRuns", 5);
    private final int transferRuns = Integer.getInteger("bench.ssh.transferRuns", 3);
    private final int warmExecs = Integer.getInteger("bench.ssh.warmExecs", 5000);
    private final SshSession.Client client = SshSession.Client.valueOf(
            System.getProperty("bench.ssh.client", "OPENSSH").toUpperCase(Locale.ROOT));
    private final String python = System.getProperty("bench.ssh.python", "/usr/bin/python3");
    private final String mitogenScript =
            System.getProperty("bench.ssh.mitogenScript", "bench/mitogen/mitogen_bench.py");

    private final Map<String, Object> results = new LinkedHashMap<>();
    private final Map<String, Object> rss = new LinkedHashMap<>();
    private TestHost host;
    private Path work;
    private Path controlDir;
    private Path source;

    private SshBench() {}

    /** Runs everything; exits non-zero when a measurement fails. */
    public static void main(String[] args) throws Exception {
        new SshBench().run();
        System.exit(0); // Testcontainers leaves non-daemon threads behind
    }

    private void run() throws Exception {
        Files.createDirectories(out);
        work = Files.createTempDirectory("mycelium-ssh-bench-");
        controlDir = Files.createTempDirectory("mycelium-ssh-cm-");
        try {
            source = work.resolve("source.bin");
            writeRandom(source, sizeMiB);
            long t = System.nanoTime();
            host = TestHost.start(TestHostImage.DEBIAN_MIN);
            log("test host " + host + " up in " + ms(System.nanoTime() - t) + " ms");
            results.put(
                    "host",
                    Map.of(
                            "image",
                            host.image().imageName(),
                            "address",
                            host.address() + ":" + host.port(),
                            "ssh",
                            firstLine(host.exec("ssh", "-V").stderr()),
                            "java",
                            firstLine(host.exec("java", "-version").stderr()),
                            "python",
                            host.exec("python3", "--version").stdout().strip()));
            results.put(
                    "controller",
                    Map.of(
                            "java",
                            System.getProperty("java.vm.name") + " " + Runtime.version(),
                            "ssh",
                            firstLine(run(List.of("ssh", "-V")).text())));
            sshOk(remote("mkdir -p " + REMOTE_DIR));
            try {
                measure();
            } finally {
                stopControlMaster();
            }
            results.put("agent_rss", rss);
            Files.writeString(out.resolve("mycelium.json"), Json.write(results));
            log("wrote " + out.resolve("mycelium.json"));
            runMitogen();
        } finally {
            if (host != null) {
                host.close();
            }
            deleteTree(work);
            deleteTree(controlDir);
        }
    }

    private void measure() throws Exception {
        Session session = Session.ssh(host.user() + "@" + host.address() + ":" + host.port())
                .identity(host.privateKey())
                .knownHosts(host.knownHostsFile())
                .transport(client)
                .build();
        results.put("client", client.name());
        results.put("load_before", loadAverage());

        cold(session);
        results.put("load_after_cold", loadAverage());

        try (Mycelium mycelium = Mycelium.standalone()) {
            Context context = mycelium.open(session);
            AgentInfo info = context.ensureAgent().toCompletableFuture().join();
            results.put(
                    "agent",
                    Map.of(
                            "pid", info.pid(),
                            "java", info.javaVersion(),
                            "load_path", info.loadPath(),
                            "transport", info.transport(),
                            "connect_ms", info.connectTime().toNanos() / 1e6,
                            "cmdline",
                                    host.exec("sh", "-c", "tr '\\0' ' ' < /proc/" + info.pid() + "/cmdline")
                                            .stdout()
                                            .strip()));
            log("agent " + info);
            // The cold runs' agents must be gone: only this context's agent may run while the rest is measured.
            String javas = host.exec("pgrep", "-c", "-x", "java").stdout().strip();
            check(javas.equals("1"), javas + " java processes run on the host, not 1");
            agentRss("fresh", info.pid());

            results.put("load_before_rtt", loadAverage());
            roundTrips(context);
            agentRss("after_rtt", info.pid());

            results.put("load_before_exec", loadAverage());
            execs(context);
            agentRss("after_exec", info.pid());

            results.put("load_before_transfer", loadAverage());
            transfers(context, info.pid());
        }
        results.put("load_after", loadAverage());
    }

    // --- cold
    // ---------------------------------------------------------------------------------------------------------

    private void cold(Session session) throws Exception {
        log("cold: " + (coldRuns + 1) + " x (ssh host true, fresh Mycelium + procExec(true))");
        List<Double> ssh = new ArrayList<>();
        List<Double> setup = new ArrayList<>();
        List<Double> connect = new ArrayList<>();
        for (int i = 0; i <= coldRuns; i++) {
            long t0 = System.nanoTime();
            sshOk(remote("true"));
            ssh.add(ms(System.nanoTime() - t0));

            t0 = System.nanoTime();
            Mycelium mycelium = Mycelium.standalone();
            long t1 = System.nanoTime();
            try {
                ExecResult r = mycelium.open(session).procExec("true").join();
                long t2 = System.nanoTime();
                check(r.exitCode() == 0, "procExec(true) exited with " + r.exitCode());
                setup.add(ms(t1 - t0));
                connect.add(ms(t2 - t1));
            } finally {
                mycelium.close();
            }
            log(String.format(
                    "cold %d: ssh true %.1f ms; Mycelium.standalone() %.1f ms, open+procExec(true) %.1f ms",
                    i, ssh.get(i), setup.get(i), connect.get(i)));
        }
        // Run 0 also pays this JVM's first-time costs (class loading, JIT); reported apart from the median.
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("first_connect_ms", connect.get(0));
        m.put("first_setup_ms", setup.get(0));
        m.put("connect", Samples.series(connect.subList(1, connect.size()), 0));
        m.put("setup", Samples.series(setup.subList(1, setup.size()), 0));
        List<Double> total = new ArrayList<>();
        for (int i = 1; i < connect.size(); i++) {
            total.add(setup.get(i) + connect.get(i));
        }
        m.put("total", Samples.series(total, 0));
        results.put("cold_mycelium", m);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("first_ms", ssh.get(0));
        s.putAll(Samples.series(ssh.subList(1, ssh.size()), 0));
        results.put("cold_ssh_true", s);
    }

    // --- round trips
    // --------------------------------------------------------------------------------------------------

    private void roundTrips(Context context) throws Exception {
        log("round trips: ping vs ssh cat echo, alternating 1 s blocks, " + rttSeconds + " s each");
        Process cat = new ProcessBuilder(sshArgv(List.of(), "cat"))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (OutputStream toCat = cat.getOutputStream();
                InputStream fromCat = cat.getInputStream()) {
            byte[] b = {0};
            Runnable echo = () -> {
                try {
                    b[0]++;
                    toCat.write(b[0]);
                    toCat.flush();
                    int r = fromCat.read();
                    check(r == (b[0] & 0xff), "cat echoed " + r + ", not " + (b[0] & 0xff));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            };
            Runnable ping = () -> context.ping().toCompletableFuture().join();
            Samples pings = new Samples();
            Samples echoes = new Samples();
            sampleFor(ping, 2.0, null);
            sampleFor(echo, 2.0, null);
            int blocks = (int) Math.ceil(rttSeconds);
            for (int i = 0; i < blocks; i++) {
                sampleFor(echo, rttSeconds / blocks, echoes);
                sampleFor(ping, rttSeconds / blocks, pings);
            }
            results.put("rtt_mycelium_ping", pings.percentiles());
            results.put("rtt_ssh_cat_echo", echoes.percentiles());
            log("ping " + pings.percentiles());
            log("echo " + echoes.percentiles());
        } finally {
            if (!cat.waitFor(5, TimeUnit.SECONDS)) {
                cat.destroyForcibly();
            }
        }
    }

    private static void sampleFor(Runnable op, double seconds, Samples into) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (true) {
            long t = System.nanoTime();
            op.run();
            long t2 = System.nanoTime();
            if (into != null) {
                into.add(t2 - t);
            }
            if (t2 - end > 0) {
                return;
            }
        }
    }

    // --- 1,000 commands
    // -----------------------------------------------------------------------------------------------

    private void execs(Context context) throws Exception {
        log(runs + " x true: Mycelium sequential, " + inFlight + " in flight (after " + WARMUP_EXECS
                + " and again after " + warmExecs + " more); ssh + ControlMaster sequential");
        sequential(context, WARMUP_EXECS);
        double seq = sequential(context, runs);
        double par = inFlight(context, runs, inFlight);
        log(String.format("Mycelium, fresh agent: sequential %.0f ms, %d in flight %.0f ms", seq, inFlight, par));
        double warming = sequential(context, warmExecs);
        double seqWarm = sequential(context, runs);
        double parWarm = inFlight(context, runs, inFlight);
        log(String.format(
                "Mycelium, %d more execs later (they took %.0f ms): sequential %.0f ms, %d in flight %.0f ms",
                warmExecs, warming, seqWarm, inFlight, parWarm));

        results.put("load_before_controlmaster", loadAverage());
        startControlMaster();
        for (int i = 0; i < 20; i++) {
            sshOk(muxed("true"));
        }
        long t = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            sshOk(muxed("true"));
        }
        double cm = ms(System.nanoTime() - t);
        log(String.format("ssh + ControlMaster: sequential %.0f ms", cm));

        results.put("exec_mycelium_sequential_ms", seq);
        results.put("exec_mycelium_in_flight_ms", par);
        results.put("exec_mycelium_warm_execs", warmExecs);
        results.put("exec_mycelium_warm_execs_ms", warming);
        results.put("exec_mycelium_warm_sequential_ms", seqWarm);
        results.put("exec_mycelium_warm_in_flight_ms", parWarm);
        results.put("exec_ssh_controlmaster_sequential_ms", cm);
        results.put("exec_runs", runs);
        results.put("exec_in_flight", inFlight);
    }

    private static double sequential(Context context, int n) {
        long t = System.nanoTime();
        for (int i = 0; i < n; i++) {
            int exit = context.procExec("true").join().exitCode();
            check(exit == 0, "procExec(true) exited with " + exit);
        }
        return ms(System.nanoTime() - t);
    }

    private static double inFlight(Context context, int n, int window) throws InterruptedException {
        long t = System.nanoTime();
        Semaphore permits = new Semaphore(window);
        CountDownLatch done = new CountDownLatch(n);
        AtomicInteger failures = new AtomicInteger();
        for (int i = 0; i < n; i++) {
            permits.acquire();
            context.procExec("true").whenComplete((r, e) -> {
                if (e != null || r.exitCode() != 0) {
                    failures.incrementAndGet();
                }
                permits.release();
                done.countDown();
            });
        }
        done.await();
        double elapsed = ms(System.nanoTime() - t);
        Bench.check("procExec(true) with " + window + " in flight", failures.get(), n);
        return elapsed;
    }

    // --- transfers
    // ----------------------------------------------------------------------------------------------------

    private void transfers(Context context, long agentPid) throws Exception {
        long size = Files.size(source);
        String mycPut = REMOTE_DIR + "/mycelium-put.bin";
        String sshPut = REMOTE_DIR + "/ssh-put.bin";
        Path mycGet = work.resolve("mycelium-get.bin");
        Path sshGet = work.resolve("ssh-get.bin");
        log(sizeMiB + " MiB put/get, " + transferRuns + " runs each, interleaved");
        Map<String, List<Double>> t = new LinkedHashMap<>();
        warm.clear();
        for (String k : List.of(
                "put_mycelium",
                "put_ssh_cat",
                "put_ssh_cat_controlmaster",
                "put_ssh_cat_sync_controlmaster",
                "get_mycelium",
                "get_ssh_cat",
                "get_ssh_cat_controlmaster",
                "get_ssh_cat_fsync_controlmaster")) {
            t.put(k, new ArrayList<>());
        }
        // Run -1 is the untimed warm-up of each method (the agent's JIT, the page cache on both sides).
        for (int i = -1; i < transferRuns; i++) {
            Map<String, List<Double>> into = i < 0 ? warmup(t) : t;
            sshOk(muxed("rm -f " + mycPut + " " + sshPut));
            long t0 = System.nanoTime();
            TransferResult r = context.put(source, mycPut).join();
            into.get("put_mycelium").add(ms(System.nanoTime() - t0));
            check(r.bytes() == size, "put moved " + r.bytes() + " bytes");

            into.get("put_ssh_cat").add(timed(remote("cat > " + sshPut), source, null, size));
            into.get("put_ssh_cat_controlmaster").add(timed(muxed("cat > " + sshPut), source, null, size));
            into.get("put_ssh_cat_sync_controlmaster")
                    .add(timed(muxed("cat > " + sshPut + " && sync " + sshPut), source, null, size));
        }
        agentRss("after_put", agentPid);
        for (int i = -1; i < transferRuns; i++) {
            Map<String, List<Double>> into = i < 0 ? warmup(t) : t;
            Files.deleteIfExists(mycGet);
            long t0 = System.nanoTime();
            TransferResult r = context.get(mycPut, mycGet).join();
            into.get("get_mycelium").add(ms(System.nanoTime() - t0));
            check(r.bytes() == size && Files.size(mycGet) == size, "get moved " + r.bytes() + " bytes");

            Files.deleteIfExists(sshGet);
            into.get("get_ssh_cat").add(timed(remote("cat " + mycPut), null, sshGet, size));
            Files.deleteIfExists(sshGet);
            into.get("get_ssh_cat_controlmaster").add(timed(muxed("cat " + mycPut), null, sshGet, size));
            Files.deleteIfExists(sshGet);
            long t1 = System.nanoTime();
            timed(muxed("cat " + mycPut), null, sshGet, size);
            try (FileChannel ch = FileChannel.open(sshGet, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            into.get("get_ssh_cat_fsync_controlmaster").add(ms(System.nanoTime() - t1));
        }
        agentRss("after_get", agentPid);
        check(Files.mismatch(source, mycGet) == -1, "the file got back differs from the one put");
        Map<String, Object> m = new LinkedHashMap<>();
        t.forEach((k, v) -> {
            Map<String, Object> series = Samples.series(v, size);
            series.put("warmup_ms", warm.get(k).get(0));
            m.put(k, series);
            log(k + " " + series);
        });
        m.put("bytes", size);
        results.put("transfer", m);
        sshOk(muxed("rm -f " + mycPut + " " + sshPut));
    }

    private final Map<String, List<Double>> warm = new LinkedHashMap<>();

    /** Where the warm-up run's times go: one list per key of {@code timed}. */
    private Map<String, List<Double>> warmup(Map<String, List<Double>> timed) {
        if (warm.isEmpty()) {
            timed.keySet().forEach(k -> warm.put(k, new ArrayList<>()));
        }
        return warm;
    }

    /** Runs an ssh command with stdin from {@code in} or stdout to {@code to}; its time in ms. */
    private static double timed(List<String> argv, Path in, Path to, long size) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.redirectInput(
                in == null
                        ? ProcessBuilder.Redirect.from(new File("/dev/null"))
                        : ProcessBuilder.Redirect.from(in.toFile()));
        pb.redirectOutput(to == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(to.toFile()));
        long t = System.nanoTime();
        int exit = pb.start().waitFor();
        double elapsed = ms(System.nanoTime() - t);
        check(exit == 0, String.join(" ", argv) + " exited with " + exit);
        if (to != null) {
            check(Files.size(to) == size, "ssh cat wrote " + Files.size(to) + " bytes, not " + size);
        }
        return elapsed;
    }

    // --- Mitogen
    // ------------------------------------------------------------------------------------------------------

    private void runMitogen() throws Exception {
        Path json = out.resolve("mitogen.json");
        Files.deleteIfExists(json);
        if ("none".equals(mitogenScript)) {
            log("Mitogen skipped (bench.ssh.mitogenScript=none)");
            return;
        }
        log("Mitogen: " + python + " " + mitogenScript);
        List<String> argv = new ArrayList<>(List.of(
                python,
                mitogenScript,
                "--host",
                host.address(),
                "--port",
                Integer.toString(host.port()),
                "--user",
                host.user(),
                "--identity",
                host.privateKey().toString(),
                "--known-hosts",
                host.knownHostsFile().toString(),
                "--source",
                source.toString(),
                "--remote-dir",
                REMOTE_DIR,
                "--local-dir",
                work.toString(),
                "--rtt-seconds",
                Double.toString(rttSeconds),
                "--runs",
                Integer.toString(runs),
                "--in-flight",
                Integer.toString(inFlight),
                "--cold-runs",
                Integer.toString(coldRuns),
                "--transfer-runs",
                Integer.toString(transferRuns)));
        Process p = new ProcessBuilder(argv)
                .redirectOutput(json.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("the Mitogen script ran for more than 5 minutes");
        }
        check(p.exitValue() == 0, "the Mitogen script exited with " + p.exitValue() + " (its log is above)");
        log("wrote " + json);
    }

    // --- ssh
    // ----------------------------------------------------------------------------------------------------------

    /**
     * The OpenSSH client with the options Mycelium's own transport passes (batch mode, strict host keys against the
     * host's known_hosts, only its key), so both read the same ssh configuration.
     */
    private List<String> sshArgv(List<String> extra, String remoteCommand) {
        List<String> argv = new ArrayList<>(List.of(
                "ssh",
                "-T",
                "-e",
                "none",
                "-o",
                "BatchMode=yes",
                "-o",
                "StrictHostKeyChecking=yes",
                "-o",
                "UserKnownHostsFile=" + host.knownHostsFile(),
                "-o",
                "GlobalKnownHostsFile=/dev/null",
                "-o",
                "LogLevel=ERROR",
                "-i",
                host.privateKey().toString(),
                "-o",
                "IdentitiesOnly=yes",
                "-p",
                Integer.toString(host.port()),
                "-l",
                host.user()));
        argv.addAll(extra);
        argv.add(host.address());
        if (remoteCommand != null) {
            argv.add(remoteCommand);
        }
        return argv;
    }

    private List<String> remote(String command) {
        return sshArgv(List.of(), command);
    }

    private List<String> muxed(String command) {
        return sshArgv(controlOptions("auto"), command);
    }

    private List<String> controlOptions(String master) {
        return List.of(
                "-o",
                "ControlMaster=" + master,
                "-o",
                "ControlPath=" + controlDir.resolve("%C"),
                "-o",
                "ControlPersist=60");
    }

    private void startControlMaster() throws Exception {
        List<String> extra = new ArrayList<>(controlOptions("yes"));
        extra.addAll(List.of("-N", "-f"));
        sshOk(sshArgv(extra, null));
    }

    private void stopControlMaster() {
        try {
            List<String> extra = new ArrayList<>(controlOptions("no"));
            extra.addAll(List.of("-O", "exit"));
            run(sshArgv(extra, null));
        } catch (Exception e) {
            log("could not stop the ControlMaster: " + e);
        }
    }

    private static void sshOk(List<String> argv) throws Exception {
        Output r = run(argv);
        check(
                r.exit == 0,
                String.join(" ", argv) + " exited with " + r.exit + ": "
                        + r.text().strip());
    }

    private record Output(int exit, String text) {}

    /** Runs a short command; stdout and stderr go to a file so a backgrounded ssh master cannot hold a pipe open. */
    private static Output run(List<String> argv) throws Exception {
        Path log = Files.createTempFile("mycelium-ssh-bench-", ".out");
        try {
            Process p = new ProcessBuilder(argv)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", argv) + " ran for more than 60 s");
            }
            return new Output(p.exitValue(), Files.readString(log));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    // --- helpers
    // ------------------------------------------------------------------------------------------------------

    private void agentRss(String when, long pid) {
        TestHost.CommandResult r = host.exec("cat", "/proc/" + pid + "/status");
        check(r.ok(), "cannot read /proc/" + pid + "/status in the host: " + r.stderr());
        Map<String, Object> m = new LinkedHashMap<>();
        for (String line : r.stdout().split("\n")) {
            for (String key : List.of("VmRSS", "VmHWM")) {
                if (line.startsWith(key + ":")) {
                    m.put(
                            key,
                            Long.parseLong(
                                    line.substring(key.length() + 1).trim().split("\\s+")[0]));
                }
            }
        }
        m.put("pid", pid);
        rss.put(when, m);
        log("agent memory " + when + ": " + m + " (KiB)");
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    private static void writeRandom(Path file, int mib) throws IOException {
        byte[] block = new byte[1 << 20];
        SplittableRandom random = new SplittableRandom(256);
        try (OutputStream o = Files.newOutputStream(file)) {
            for (int i = 0; i < mib; i++) {
                random.nextBytes(block);
                o.write(block);
            }
        }
    }

    private static String firstLine(String s) {
        return s.strip().lines().findFirst().orElse("");
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
        System.err.println("[ssh-bench] " + line);
    }

    private static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            log("could not delete " + dir + ": " + e);
        }
    }
}
