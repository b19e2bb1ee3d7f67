package io.mycelium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mycelium.testhosts.RequiresDocker;
import io.mycelium.testhosts.TestHost;
import io.mycelium.testhosts.TestHostImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Privilege escalation with the real sudo, su and doas of a Debian host: the context's agent starts a child agent under
 * the tool on a pseudo-terminal, the controller answers the password prompt, and the child's frames pass through the
 * raw terminal unchanged. The host's users: {@code mycelium} (group sudo, password {@link #MYCELIUM_PW}), {@code alice}
 * (group sudo, {@link #ALICE_PW}), {@code bob} (sudo and doas without a password) and root ({@link #ROOT_PW}).
 */
@RequiresDocker
class BecomeIT {
    static final String MYCELIUM_PW = "myc-pw 1";
    static final String ALICE_PW = "alice's pw";
    static final String ROOT_PW = "root-pw";

    static TestHost host;
    static TestHost bastion;
    static TestHost inner;

    @BeforeAll
    static void start() {
        host = TestHost.start(
                TestHostImage.DEBIAN_MIN,
                TestHost.Options.defaults(TestHostImage.DEBIAN_MIN)
                        .withUserPassword(MYCELIUM_PW)
                        .withPassword("alice", ALICE_PW)
                        .withPassword("root", ROOT_PW));
        requireEscalationUsers(host);
        bastion = TestHost.start(TestHostImage.BASTION);
        inner = TestHost.start(
                TestHostImage.DEBIAN_MIN,
                TestHost.Options.defaults(TestHostImage.DEBIAN_MIN)
                        .withAllowFrom(bastion.address())
                        .withPassword("alice", ALICE_PW));
    }

    @AfterAll
    static void stop() {
        for (TestHost h : new TestHost[] {inner, bastion, host}) {
            if (h != null) {
                h.close();
            }
        }
    }

    /**
     * Fails clearly on an image without alice and bob: the Docker engine is shared, and a {@code docker/build.sh} of an
     * older branch moves the {@code :latest} tags back to its images.
     */
    static void requireEscalationUsers(TestHost h) {
        if (!h.exec("id", "alice").ok() || !h.exec("id", "bob").ok()) {
            throw new IllegalStateException(h.image().imageName() + " has no users alice and bob: an older"
                    + " docker/build.sh re-tagged it; run bash docker/build.sh");
        }
    }

    /** {@code user} on {@code h}, logged in with the host's key. */
    static SshSession login(String user, TestHost h) {
        return Session.ssh(user + "@" + h.address() + ":" + h.port())
                .identity(h.privateKey())
                .knownHosts(h.knownHostsFile());
    }

    static String run(Context context, String... command) throws Exception {
        ExecResult r = context.procExec(command).get(120, TimeUnit.SECONDS);
        assertThat(r.exitCode())
                .as("exit of %s, stderr %s", List.of(command), r.stderrText())
                .isZero();
        return r.stdoutText().strip();
    }

    static BecomeException refused(Context context) {
        ExecutionException e = assertThrows(
                ExecutionException.class,
                () -> context.ensureAgent().toCompletableFuture().get(60, TimeUnit.SECONDS));
        assertThat(e.getCause()).isInstanceOf(BecomeException.class);
        return (BecomeException) e.getCause();
    }

    @Test
    void sudoWithAPasswordRunsTheAgentAsRoot() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        try (Mycelium mycelium = Mycelium.standalone()) {
            Session parent = login("mycelium", host).build();
            Context root = mycelium.open(parent.become(Become.sudo("root").password(prompt -> {
                asked.incrementAndGet();
                assertThat(prompt).contains("password for mycelium");
                return MYCELIUM_PW.toCharArray();
            })));
            assertThat(run(root, "id", "-u")).isEqualTo("0");
            assertThat(run(root, "sh", "-c", "echo $HOME")).isEqualTo("/root");
            assertThat(asked).hasValue(1);
            AgentInfo info = root.ensureAgent().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(info.loadPath()).endsWith("via " + parent.name());
            // The parent is untouched: still mycelium.
            assertThat(run(mycelium.open(parent), "id", "-u")).isEqualTo("1000");
        }
    }

    @Test
    void sudoAndDoasWithoutAPasswordNeedNoCallback() throws Exception {
        try (Mycelium mycelium = Mycelium.standalone()) {
            Session bob = login("bob", host).build();
            assertThat(run(mycelium.open(bob.become(Privilege.SUDO, "root")), "id", "-u"))
                    .isEqualTo("0");
            assertThat(run(mycelium.open(bob.become(Privilege.DOAS, "root")), "id", "-u"))
                    .isEqualTo("0");
            // The same from a running context: its agent starts the root one.
            Context asBob = mycelium.open(bob);
            assertThat(run(asBob.become(Privilege.SUDO, "root"), "id", "-u")).isEqualTo("0");
            assertThat(run(asBob, "id", "-u")).isEqualTo("1002");
        }
    }

    @Test
    void aWrongSudoPasswordIsATypedErrorWithinSeconds() throws Exception {
        try (Mycelium mycelium = Mycelium.standalone()) {
            Session parent = login("mycelium", host).build();
            mycelium.open(parent).ensureAgent().toCompletableFuture().get(120, TimeUnit.SECONDS);
            Context root = mycelium.open(
                    parent.become(Become.sudo("root").password(PasswordSource.of("wrong".toCharArray()))));
            long started = System.nanoTime();
            BecomeException e = refused(root);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            assertThat(e.code()).isEqualTo(io.mycelium.wire.ErrorCode.BECOME_FAILED);
            assertThat(e.getMessage()).contains("refused the password").contains("Sorry, try again");
            assertThat(e.getMessage()).doesNotContain("wrong");
            // The parent's connection is not hurt, and sudo is gone from the host.
            assertThat(run(mycelium.open(parent), "id", "-u")).isEqualTo("1000");
            awaitNoProcess("sudo");
        }
    }

    @Test
    void aPromptWithoutAPasswordSourceIsAClearError() throws Exception {
        try (Mycelium mycelium = Mycelium.standalone()) {
            Context root = mycelium.open(login("mycelium", host).build().become(Privilege.SUDO, "root"));
            BecomeException e = refused(root);
            assertThat(e.getMessage()).contains("asks for a password").contains("none was given");
        }
    }

    @Test
    void suWithRootsPassword() throws Exception {
        try (Mycelium mycelium = Mycelium.standalone()) {
            Session parent = login("mycelium", host).build();
            Context root =
                    mycelium.open(parent.become(Become.su("root").password(PasswordSource.of(ROOT_PW.toCharArray()))));
            assertThat(run(root, "id", "-u")).isEqualTo("0");
        }
        // Another Mycelium: in the first one the same target is the context already authenticated.
        try (Mycelium mycelium = Mycelium.standalone()) {
            Context wrong = mycelium.open(login("mycelium", host)
                    .build()
                    .become(Become.su("root").password(PasswordSource.of("nope".toCharArray()))));
            assertThat(refused(wrong).getMessage()).contains("Authentication failure");
        }
    }

    @Test
    void doasWithAPasswordAndSudoToAnotherUser() throws Exception {
        try (Mycelium mycelium = Mycelium.standalone()) {
            Session parent = login("mycelium", host).build();
            PasswordSource pw = PasswordSource.of(MYCELIUM_PW.toCharArray());
            assertThat(run(mycelium.open(parent.become(Become.doas("root").password(pw))), "id", "-u"))
                    .isEqualTo("0");
            assertThat(run(mycelium.open(parent.become(Become.sudo("alice").password(pw))), "id", "-un"))
                    .isEqualTo("alice");
        }
        try (Mycelium mycelium = Mycelium.standalone()) {
            Context wrong = mycelium.open(login("mycelium", host)
                    .build()
                    .become(Become.doas("root").password(PasswordSource.of("nope".toCharArray()))));
            assertThat(refused(wrong).getMessage()).contains("Authentication failed");
        }
    }

    @Test
    void everyByteValuePassesThroughTheTerminal(@TempDir Path dir) throws Exception {
        byte[] all = new byte[256 * 64];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        try (Mycelium mycelium = Mycelium.standalone()) {
            Context root = mycelium.open(login("bob", host).build().become(Privilege.SUDO, "root"));
            ExecResult echoed = root.procExec(
                            List.of("cat"), ExecOptions.defaults().withStdin(all))
                    .get(120, TimeUnit.SECONDS);
            assertThat(echoed.stdout()).isEqualTo(all);
            ExecResult printed = root.procExec("perl", "-e", "binmode STDOUT; print map { chr } 0..255 for 1..64")
                    .get(60, TimeUnit.SECONDS);
            assertThat(printed.stdout()).isEqualTo(all);

            byte[] random = new byte[3 << 20];
            new Random(42).nextBytes(random);
            Path local = dir.resolve("random.bin");
            Files.write(local, random);
            root.put(local, "/root/random.bin").get(120, TimeUnit.SECONDS);
            assertThat(host.exec("sha256sum", "/root/random.bin").stdout())
                    .startsWith(java.util.HexFormat.of()
                            .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                    .digest(random)));
            Path back = dir.resolve("back.bin");
            root.get("/root/random.bin", back).get(120, TimeUnit.SECONDS);
            assertThat(Files.readAllBytes(back)).isEqualTo(random);
        }
    }

    @Test
    void closingTheContextsEndsTheChildAgent() throws Exception {
        long pid;
        try (Mycelium mycelium = Mycelium.standalone()) {
            Context root = mycelium.open(login("bob", host).build().become(Privilege.SUDO, "root"));
            pid = root.ensureAgent()
                    .toCompletableFuture()
                    .get(120, TimeUnit.SECONDS)
                    .pid();
            assertThat(host.exec("ps", "-o", "user=", "-p", Long.toString(pid))
                            .stdout()
                            .strip())
                    .isEqualTo("root");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (host.exec("kill", "-0", Long.toString(pid)).ok()) {
            assertThat(System.nanoTime())
                    .as("the root agent %s still runs", pid)
                    .isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @Test
    void sudoBehindABastionAndTheHopsFailureNamesIt() throws Exception {
        try (Mycelium mycelium = Mycelium.standalone()) {
            Session bastionSession = login("mycelium", bastion).build();
            Session alice = login("alice", inner)
                    .option("BindAddress=" + bastion.address())
                    .via(bastionSession)
                    .build();
            Context root = mycelium.open(
                    alice.become(Become.sudo("root").password(PasswordSource.of(ALICE_PW.toCharArray()))));
            assertThat(run(root, "id", "-u")).isEqualTo("0");
            assertThat(run(root, "uname", "-n"))
                    .isEqualTo(inner.exec("uname", "-n").stdout().strip());

            long aliceAgent = mycelium.open(alice)
                    .ensureAgent()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS)
                    .pid();
            CompletableFuture<ExecResult> sleeping = root.procExec("sleep", "60");
            root.ping().toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertThat(inner.exec("kill", "-9", Long.toString(aliceAgent)).exitCode())
                    .isZero();
            ExecutionException e = assertThrows(ExecutionException.class, () -> sleeping.get(10, TimeUnit.SECONDS));
            assertThat(e.getCause()).isInstanceOf(ConnectionLostException.class);
            assertThat(e.getCause().getMessage()).contains(alice.name());
        }
    }

    private static void awaitNoProcess(String name) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (host.exec("pgrep", "-x", name).ok()) {
            assertThat(System.nanoTime()).as("%s still runs on the host", name).isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
