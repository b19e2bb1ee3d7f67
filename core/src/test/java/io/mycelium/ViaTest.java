package io.mycelium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mycelium.transport.CommandTransport;
import io.mycelium.transport.ViaTransport;
import io.mycelium.wire.ErrorCode;
import io.mycelium.wire.Frame;
import io.mycelium.wire.FrameDecoder;
import io.mycelium.wire.FrameEncoder;
import io.mycelium.wire.Message;
import io.mycelium.wire.MessageCodec;
import io.mycelium.wire.MessageRegistry;
import io.mycelium.wire.OperationFailedException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Context trees on this machine: a local agent starts a child agent through {@code /bin/sh} (the same stage 1 and
 * routing as an SSH hop, without SSH), and that child starts a grandchild. Everything below the controller travels
 * through its one connection to the local agent.
 */
class ViaTest {
    private static final long MIB = 1 << 20;

    private Mycelium mycelium;
    private Session root;
    private Session child;
    private Session grandchild;

    @BeforeEach
    void start() {
        mycelium = Mycelium.standalone();
        root = Session.local(List.of("-Xmx48m"));
        child = Session.shellVia(root, CommandTransport.Options.defaults());
        grandchild = Session.shellVia(child, CommandTransport.Options.defaults());
    }

    @AfterEach
    void stop() {
        mycelium.close();
    }

    @Test
    void twoHopsDownOneConnectionUp() throws Exception {
        Context deep = mycelium.open(grandchild);
        ExecResult r = deep.procExec("sh", "-c", "echo $PPID").get(60, TimeUnit.SECONDS);
        assertThat(r.exitCode()).isZero();

        long rootPid = pid(mycelium.open(root));
        long childPid = pid(mycelium.open(child));
        AgentInfo deepInfo = deep.ensureAgent().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(deepInfo.loadPath()).endsWith("via " + child.name());
        // Each agent was started by the one above it: the grandchild's ancestors hold the child, whose hold the root.
        assertThat(ancestors(deepInfo.pid())).contains(childPid).contains(rootPid);
        assertThat(ancestors(childPid)).contains(rootPid);
        // This JVM holds one connection for the whole tree: its only child process is the root agent.
        assertThat(ProcessHandle.current().children().map(ProcessHandle::pid).toList())
                .containsExactly(rootPid);
        // Opening the same tree again shares it.
        assertThat(mycelium.open(grandchild)).isSameAs(deep);

        // Transfers travel the same way.
        Path tmp = Files.createTempDirectory("via-put");
        try {
            Path file = tmp.resolve("payload");
            Files.write(file, new byte[3 * (int) MIB]);
            String remote = tmp.resolve("copy").toString();
            assertThat(deep.put(file, remote).get(60, TimeUnit.SECONDS).bytes()).isEqualTo(3 * MIB);
            assertThat(Files.size(Path.of(remote))).isEqualTo(3 * MIB);
        } finally {
            try (var files = Files.walk(tmp)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void stalledConsumerTwoHopsDownKeepsEveryHopFlat() throws Exception {
        Context deep = mycelium.open(grandchild);
        long deepPid = pid(deep);
        long childPid = pid(mycelium.open(child));
        long rootPid = pid(mycelium.open(root));
        CompletableFuture<Void> gate = new CompletableFuture<>();
        AtomicLong processPid = new AtomicLong();
        long total = 1L << 30;
        CompletableFuture<Long> sum = deep.procStream(
                        List.of("head", "-c", Long.toString(total), "/dev/zero"), ExecOptions.defaults())
                .map(out -> {
                    if (out instanceof ExecOutput.Started s) {
                        processPid.set(s.pid());
                    }
                    return out;
                })
                .mapAsync(1, out -> gate.thenApply(open -> out))
                .runWith(
                        Sink.fold(
                                0L,
                                (n, out) -> out instanceof ExecOutput.Stdout o
                                        ? n + o.bytes().size()
                                        : n),
                        mycelium.system())
                .toCompletableFuture();

        assertThat(ProcessProbe.waitFor(() -> processPid.get() > 0, Duration.ofSeconds(10)))
                .isTrue();
        Thread.sleep(1500);
        long writtenWhileStalled = ProcessProbe.bytesWritten(processPid.get());
        Thread.sleep(500);
        assertThat(ProcessProbe.bytesWritten(processPid.get()))
                .as("the process two hops down is blocked on its pipe")
                .isEqualTo(writtenWhileStalled);
        // A credit window per hop plus a few stream buffers, never the gigabyte.
        assertThat(writtenWhileStalled).isLessThan(12 * MIB);

        long[] maxRss = new long[3];
        long[] pids = {rootPid, childPid, deepPid};
        gate.complete(null);
        while (!sum.isDone()) {
            for (int i = 0; i < pids.length; i++) {
                maxRss[i] = Math.max(maxRss[i], ProcessProbe.alive(pids[i]) ? ProcessProbe.rss(pids[i]) : 0);
            }
            Thread.sleep(100);
        }
        assertThat(sum.get()).isEqualTo(total);
        for (int i = 0; i < pids.length; i++) {
            assertThat(maxRss[i])
                    .as("RSS of agent %d of the tree while streaming", i)
                    .isLessThan(180 * MIB);
        }
    }

    @Test
    void aDeadHopFailsEverythingBelowItFastNamingTheHop() throws Exception {
        Context deep = mycelium.open(grandchild);
        Context middle = mycelium.open(child);
        long deepPid = pid(deep);
        long middlePid = pid(middle);
        CompletableFuture<ExecResult> running = deep.procExec("sleep", "60");
        CompletableFuture<ExecResult> runningInMiddle = middle.procExec("sleep", "60");
        Thread.sleep(300);

        long killedAt = System.nanoTime();
        ProcessHandle.of(middlePid).orElseThrow().destroyForcibly();
        ExecutionException deepError = assertThrows(ExecutionException.class, () -> running.get(10, TimeUnit.SECONDS));
        long failedAfterMillis = (System.nanoTime() - killedAt) / 1_000_000;
        assertThat(deepError.getCause()).isInstanceOf(ConnectionLostException.class);
        assertThat(deepError.getCause().getMessage()).contains("the hop " + child.name() + " failed");
        ExecutionException middleError =
                assertThrows(ExecutionException.class, () -> runningInMiddle.get(10, TimeUnit.SECONDS));
        assertThat(middleError.getCause()).isInstanceOf(ConnectionLostException.class);
        assertThat(middleError.getCause().getMessage()).contains("on hop " + root.name());
        // Well before any keepalive (6 s) could have noticed.
        assertThat(failedAfterMillis).isLessThan(3000);
        // The grandchild agent went with its parent (its process group was held by the dead agent's watchdog).
        assertThat(ProcessProbe.waitFor(() -> !ProcessProbe.alive(deepPid), Duration.ofSeconds(10)))
                .isTrue();
        // The next use starts the tree again.
        assertThat(deep.procExec("true").get(60, TimeUnit.SECONDS).exitCode()).isZero();
    }

    @Test
    void closingAParentClosesItsChildren() throws Exception {
        Context deep = mycelium.open(grandchild);
        pid(deep);
        mycelium.open(child).close().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(deep.whenClosed().toCompletableFuture().get(10, TimeUnit.SECONDS))
                .isNull();
    }

    /**
     * Mitogen's auth_id rule, here by construction: what a child prints travels only as data of its own stream, so it
     * cannot address its parent's agent (control stream, other streams) or a sibling. A rogue child prints frames that
     * would, if the parent read them, say goodbye, run a command, and grant credit on a sibling's stream.
     */
    @Test
    void aChildCannotAddressItsParentOrASibling(@TempDir Path dir) throws Exception {
        Context parent = mycelium.open(root);
        long parentPid = pid(parent);
        Path marker = dir.resolve("pwned");
        MessageCodec codec = new MessageCodec(Frame.DEFAULT_MAX_LENGTH);
        ByteArrayOutputStream rogue = new ByteArrayOutputStream();
        rogue.writeBytes(FrameDecoder.PREAMBLE);
        for (int[] streamAndKind : new int[][] {{0, 0}, {1, 1}, {3, 2}, {5, 1}, {0, 3}, {7, 4}}) {
            Message m = switch (streamAndKind[1]) {
                case 0 ->
                    new Message.Hello(
                            MessageRegistry.PROTOCOL_VERSION,
                            MessageRegistry.hash(),
                            "rogue/1",
                            1,
                            "17",
                            "Linux",
                            "amd64",
                            1 << 30,
                            Frame.DEFAULT_MAX_LENGTH);
                case 1 ->
                    new Message.ExecStart(
                            new String[] {"touch", marker.toString()},
                            new String[0],
                            new String[0],
                            false,
                            null,
                            false,
                            0);
                case 2 -> new Message.CreditGrant(Message.Channel.STDOUT, 1 << 30);
                case 3 -> new Message.Goodbye("rogue says the parent is done");
                default -> new Message.Cancel();
            };
            rogue.writeBytes(FrameEncoder.encode(streamAndKind[0], codec.encode(m), Frame.DEFAULT_MAX_LENGTH));
        }
        Path script = dir.resolve("rogue.bin");
        Files.write(script, rogue.toByteArray());

        CompletableFuture<ExecResult> sibling = parent.procExec("sh", "-c", "sleep 1; echo sibling-ok");
        CompletableFuture<ByteString> printed = parent.childStream(
                        new Message.ChildStart(
                                new String[] {"sh", "-c", "cat \"$0\"; sleep 1", script.toString()}, null, null),
                        Source.empty())
                .filter(out -> out instanceof ExecOutput.Stdout)
                .map(out -> ((ExecOutput.Stdout) out).bytes())
                .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), mycelium.system())
                .toCompletableFuture();

        assertThat(printed.get(20, TimeUnit.SECONDS).toArray())
                .as("the rogue's frames reached the controller as data of its own stream, untouched")
                .isEqualTo(rogue.toByteArray());
        assertThat(sibling.get(20, TimeUnit.SECONDS).stdoutText()).isEqualTo("sibling-ok\n");
        assertThat(marker).doesNotExist();
        assertThat(parent.ping().toCompletableFuture().get(10, TimeUnit.SECONDS))
                .isPositive();
        assertThat(pid(parent)).as("the parent's agent is the same one").isEqualTo(parentPid);
    }

    /** A child link's secrets live on the hop only until its program first prints. */
    @Test
    void childSecretsAreGoneOnceTheProgramPrints() throws Exception {
        Context parent = mycelium.open(root);
        byte[] key = "-----BEGIN FAKE KEY-----\n".getBytes(StandardCharsets.UTF_8);
        String script = "stat -c %a {identity} >&2; cat {known_hosts} >&2; echo $(dirname {identity}) >&2;"
                + " echo first; sleep 0.5; test -e {identity} && echo still-there || echo gone";
        CompletableFuture<List<ExecOutput>> outputs = parent.childStream(
                        new Message.ChildStart(
                                new String[] {"sh", "-c", script},
                                key,
                                "host ssh-ed25519 AAAA\n".getBytes(StandardCharsets.UTF_8)),
                        Source.empty())
                .runWith(Sink.seq(), mycelium.system())
                .toCompletableFuture();
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        for (ExecOutput o : outputs.get(20, TimeUnit.SECONDS)) {
            if (o instanceof ExecOutput.Stdout s) {
                out.append(s.bytes().utf8String());
            } else if (o instanceof ExecOutput.Stderr e) {
                err.append(e.bytes().utf8String());
            }
        }
        assertThat(out.toString()).isEqualTo("first\ngone\n");
        String[] said = err.toString().split("\n");
        assertThat(said[0]).isEqualTo("600");
        assertThat(said[1]).isEqualTo("host ssh-ed25519 AAAA");
        assertThat(said[2]).startsWith("/dev/shm/mycelium-child-");
        assertThat(Path.of(said[2])).doesNotExist();
    }

    @Test
    void aFailingLinkProgramIsABootstrapErrorNamingTheHop() throws Exception {
        Session broken = Session.via(
                "broken via local",
                new ViaTransport(
                        "broken via local",
                        "broken",
                        root.transport().poolKey(),
                        List.of("sh", "-c", "echo no such host >&2; exit 255"),
                        null,
                        null,
                        CommandTransport.Options.defaults(),
                        (host, exit, stderr) -> new OperationFailedException(
                                ErrorCode.CONNECTION_REFUSED, host + ": " + stderr.strip(), null)),
                root);
        ExecutionException e = assertThrows(
                ExecutionException.class,
                () -> mycelium.open(broken).ensureAgent().toCompletableFuture().get(30, TimeUnit.SECONDS));
        assertThat(e.getCause()).isInstanceOf(HostUnreachableException.class);
        assertThat(((MyceliumException) e.getCause()).code()).isEqualTo(ErrorCode.CONNECTION_REFUSED);
        assertThat(e.getCause().getMessage()).contains("no such host").contains("from hop " + root.name());
    }

    @Test
    void aKeyFileThatCannotBeReadHereIsTheCallersErrorNotALostConnection(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("deleted-key");
        Session withMissingKey = Session.via(
                "inner via local",
                new ViaTransport(
                        "inner via local",
                        "inner",
                        root.transport().poolKey(),
                        List.of("sh", "-c", "exit 0"),
                        missing,
                        null,
                        CommandTransport.Options.defaults(),
                        (host, exit, stderr) -> new OperationFailedException(ErrorCode.CONNECTION_REFUSED, host, null)),
                root);
        ExecutionException e = assertThrows(
                ExecutionException.class,
                () -> mycelium.open(withMissingKey)
                        .ensureAgent()
                        .toCompletableFuture()
                        .get(30, TimeUnit.SECONDS));
        assertThat(((MyceliumException) e.getCause()).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(e.getCause().getMessage())
                .contains("cannot read the identity file " + missing)
                .contains("hop " + root.name());
        assertThat(mycelium.open(root).ping().toCompletableFuture().get(10, TimeUnit.SECONDS))
                .as("the hop's own connection is untouched")
                .isNotNull();
    }

    private static long pid(Context context) throws Exception {
        return context.ensureAgent()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS)
                .pid();
    }

    private static List<Long> ancestors(long pid) {
        List<Long> chain = new ArrayList<>();
        var handle = ProcessHandle.of(pid);
        while (handle.isPresent() && (handle = handle.get().parent()).isPresent()) {
            chain.add(handle.get().pid());
        }
        return chain;
    }
}
