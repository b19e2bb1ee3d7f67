package io.mycelium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mycelium.transport.HopProcess;
import io.mycelium.wire.ErrorCode;
import io.mycelium.wire.OperationFailedException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The password dialogue against scripted tool output: what it types, where it stops reading, how it refuses. */
class BecomeDialogueTest {
    static final String PW = "s3cret pw";

    /** A program whose output is fixed (then end of file, or nothing more until killed) and whose input is kept. */
    static final class Scripted implements HopProcess {
        final InputStream stdout;
        final ByteArrayOutputStream stdin = new ByteArrayOutputStream();
        final int exit;
        final PipedOutputStream open;
        volatile boolean killed;

        Scripted(String output, boolean thenEnd, int exit) throws IOException {
            this.exit = exit;
            byte[] bytes = output.getBytes(StandardCharsets.ISO_8859_1);
            if (thenEnd) {
                stdout = new ByteArrayInputStream(bytes);
                open = null;
            } else {
                open = new PipedOutputStream();
                PipedInputStream in = new PipedInputStream(open, 1 << 16);
                open.write(bytes);
                stdout = in;
            }
        }

        String typed() {
            return stdin.toString(StandardCharsets.UTF_8);
        }

        String rest() throws IOException {
            return new String(stdout.readAllBytes(), StandardCharsets.ISO_8859_1);
        }

        @Override
        public InputStream stdout() {
            return stdout;
        }

        @Override
        public OutputStream stdin() {
            return stdin;
        }

        @Override
        public String stderr() {
            return "";
        }

        @Override
        public int awaitExit(Duration limit) {
            return exit;
        }

        @Override
        public void close() {
            kill();
        }

        @Override
        public void kill() {
            killed = true;
            if (open != null) {
                try {
                    open.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    static OperationFailedException refusal(Become become, Scripted program) {
        OperationFailedException e =
                assertThrows(OperationFailedException.class, () -> new BecomeDialogue(become).prepare(program, "hop"));
        assertThat(e.code()).isEqualTo(ErrorCode.BECOME_FAILED);
        assertThat(e.getMessage()).doesNotContain(PW);
        return e;
    }

    @Test
    void answersThePromptOnceAndReadsNothingPastTheMarker() throws Exception {
        List<String> prompts = new ArrayList<>();
        Scripted sudo = new Scripted(
                "We trust you have received the usual lecture.\r\n[sudo] password for alice: \r\nMYCELIUM-BECOME-READY"
                        + "MYCELIUM-STAGE1 1\n",
                true,
                -1);
        new BecomeDialogue(Become.sudo("root").password(prompt -> {
                    prompts.add(prompt);
                    return PW.toCharArray();
                }))
                .prepare(sudo, "hop");
        assertThat(prompts).containsExactly("[sudo] password for alice:");
        assertThat(sudo.typed()).isEqualTo(PW + "\n");
        assertThat(sudo.rest()).isEqualTo("MYCELIUM-STAGE1 1\n");
    }

    @Test
    void noPromptNoPasswordNeeded() throws Exception {
        Scripted sudo = new Scripted("MYCELIUM-BECOME-READYx", true, -1);
        new BecomeDialogue(Become.sudo("root")).prepare(sudo, "hop");
        assertThat(sudo.typed()).isEmpty();
        assertThat(sudo.rest()).isEqualTo("x");
    }

    @Test
    void aWrongPasswordIsRefusedAtTheToolsComplaint() throws Exception {
        Scripted sudo = new Scripted(
                "[sudo] password for alice: \r\nSorry, try again.\r\n[sudo] password for alice: ", false, -1);
        OperationFailedException e = refusal(Become.sudo("root").password(PasswordSource.of(PW.toCharArray())), sudo);
        assertThat(e.getMessage()).isEqualTo("sudo to root refused the password: it said \"Sorry, try again.\"");
        assertThat(sudo.typed()).isEqualTo(PW + "\n");
    }

    @Test
    void aPasswordATerminalEchoedNeverReachesTheMessage() throws Exception {
        Scripted echoing = new Scripted("Password: \r\n" + PW + ": Authentication failure\r\n", true, 1);
        OperationFailedException e = refusal(Become.su("root").password(PasswordSource.of(PW.toCharArray())), echoing);
        assertThat(e.getMessage()).contains("it said \"****: Authentication failure\"");
    }

    @Test
    void aSecondPromptIsARefusalEvenWithoutAComplaint() throws Exception {
        Scripted su = new Scripted("Password: \r\nPassword: ", false, -1);
        OperationFailedException e = refusal(
                Become.su("root")
                        .password(PasswordSource.of(PW.toCharArray()))
                        .failurePattern(java.util.regex.Pattern.compile("nothing")),
                su);
        assertThat(e.getMessage()).contains("asked again");
    }

    @Test
    void aPromptWithoutAPasswordSourceIsRefusedWithoutTypingAnything() throws Exception {
        Scripted doas = new Scripted("doas (alice@web1) password: ", false, -1);
        OperationFailedException e = refusal(Become.doas("root"), doas);
        assertThat(e.getMessage()).contains("asks for a password (\"doas (alice@web1) password:\")");
        assertThat(doas.typed()).isEmpty();

        Scripted nullAnswer = new Scripted("Password: ", false, -1);
        refusal(Become.su("root").password(prompt -> null), nullAnswer);
        assertThat(nullAnswer.typed()).isEmpty();
    }

    @Test
    void aToolThatEndsSaysHowAndWhat() throws Exception {
        Scripted sudo = new Scripted("sudo: you do not exist in the passwd database\r\n", true, 1);
        assertThat(refusal(Become.sudo("root"), sudo).getMessage())
                .isEqualTo(
                        "sudo to root ended before the agent started (exit status 1): it said \"sudo: you do not exist"
                                + " in the passwd database\"");
        Scripted noScript = new Scripted("", true, 127);
        assertThat(refusal(Become.sudo("root"), noScript).getMessage()).contains("util-linux script");
    }

    @Test
    void aToolThatNeverAnswersIsKilledAtTheTimeout() throws Exception {
        Scripted silent = new Scripted("Welcome!\r\n", false, -1);
        long started = System.nanoTime();
        OperationFailedException e = refusal(Become.sudo("root").timeout(Duration.ofMillis(300)), silent);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(silent.killed).isTrue();
        assertThat(e.getMessage())
                .contains("neither asked for a password nor started the agent within PT0.3S")
                .contains("Welcome!")
                .contains("promptPattern");
    }

    @Test
    void theCommandRunsStageOneInARawTerminalAndNeverShowsTheMarkerWhole() {
        for (Privilege p : Privilege.values()) {
            List<String> argv = new BecomeDialogue(Become.as(p, "app")).argv("exec /bin/sh -c 'stage 1'");
            assertThat(argv).hasSize(4);
            assertThat(argv.subList(0, 2)).containsExactly("script", "-qfec");
            assertThat(argv.get(3)).isEqualTo("/dev/null");
            assertThat(argv.get(2))
                    .startsWith(p.program() + " ")
                    .contains("stty raw -echo -iexten")
                    .contains("exec 2>/dev/null")
                    .contains("stage 1")
                    .doesNotContain(BecomeDialogue.READY);
        }
    }

    @Test
    void userNamesAreCheckedBeforeAnythingRuns() {
        for (String bad : new String[] {"-root", "a b", "root;id", "", "x'y"}) {
            assertThrows(IllegalArgumentException.class, () -> Become.sudo(bad), bad);
        }
        assertThat(Become.doas("www-data").toString()).isEqualTo("doas:www-data");
    }
}
