package io.mycelium.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.mycelium.wire.ErrorCode;
import io.mycelium.wire.OperationFailedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * How ssh's own words become typed errors. The texts are what OpenSSH 9 prints; the cases that need no network (a
 * refused port, a wrong key, host keys) are also run for real in SshBootstrapIT, but an unknown host name would need a
 * DNS query, which the tests never send.
 */
class OpenSshTest {
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "ssh: Could not resolve hostname web9: Name or service not known|255|UNKNOWN_HOST",
                "ssh: connect to host 10.0.0.1 port 22: Connection refused|255|CONNECTION_REFUSED",
                "ssh: connect to host web1 port 22: No route to host|255|CONNECTION_REFUSED",
                "ssh: connect to host web1 port 22: Connection timed out|255|CONNECTION_REFUSED",
                "Host key verification failed.|255|HOST_KEY_REJECTED",
                "@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @|255|HOST_KEY_REJECTED",
                "deploy@web1: Permission denied (publickey).|255|AUTHENTICATION_FAILED",
                "sh: 1: head: not found|127|BOOTSTRAP_FAILED",
                "|1|BOOTSTRAP_FAILED"
            })
    void sshMessagesAreClassified(String stderr, int exit, ErrorCode expected) {
        OperationFailedException e = OpenSsh.classify("ssh://web1", exit, stderr == null ? "" : stderr);
        assertThat(e.code()).isEqualTo(expected);
        assertThat(e.getMessage()).startsWith("ssh://web1: ").contains("(");
    }

    @Test
    void commandIsBatchModeStrictAndEndsOptionsBeforeTheHost() {
        OpenSsh.Target target = new OpenSsh.Target(
                "web1",
                "deploy",
                2222,
                Path.of("/keys/id"),
                Path.of("/kh"),
                OpenSsh.HostKeyPolicy.STRICT,
                Duration.ofSeconds(7),
                List.of("Compression=yes"),
                List.of());
        List<String> command = OpenSsh.command(target);
        assertThat(command).startsWith("ssh", "-T").endsWith("web1", "--");
        assertThat(String.join(" ", command))
                .contains("-o BatchMode=yes")
                .contains("-o StrictHostKeyChecking=yes")
                .contains("-o ConnectTimeout=7")
                .contains("-i /keys/id -o IdentitiesOnly=yes")
                .contains("-p 2222")
                .contains("-l deploy")
                .contains("-o UserKnownHostsFile=/kh")
                .contains("-o Compression=yes");
    }
}
