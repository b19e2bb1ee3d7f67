package io.mycelium.testhosts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mycelium.testhosts.TestHost.Options;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TestHostOptionsTest {

    @Test
    void debianRoDefaultsToAReadOnlyRootAnd256MiB() {
        Options ro = Options.defaults(TestHostImage.DEBIAN_RO);
        assertThat(ro.readOnlyRoot()).isTrue();
        assertThat(ro.memoryLimitMb()).isEqualTo(256);
        assertThat(ro.shmExec()).isTrue();
        assertThat(ro.port()).isEqualTo(TestHost.DEFAULT_PORT);
        for (TestHostImage image : Set.of(TestHostImage.DEBIAN_MIN, TestHostImage.BASTION, TestHostImage.NOJAVA)) {
            Options options = Options.defaults(image);
            assertThat(options.readOnlyRoot()).as(image.name()).isFalse();
            assertThat(options.memoryLimitMb()).as(image.name()).isZero();
            assertThat(options.shmExec()).as(image.name()).isTrue();
            assertThat(options.allowFrom()).isNull();
            assertThat(options.userPassword()).isNull();
        }
    }

    @Test
    void withersChangeOneFieldAndHideThePassword() {
        Options options = Options.defaults(TestHostImage.DEBIAN_MIN)
                .withAllowFrom("127.0.0.9")
                .withUserPassword("secret")
                .withShmExec(false)
                .withMemoryLimitMb(128)
                .withPort(2200);
        assertThat(options)
                .isEqualTo(new Options(false, 128, false, "127.0.0.9", "secret", 2200))
                .hasToString("Options[readOnlyRoot=false, memoryLimitMb=128, shmExec=false, allowFrom=127.0.0.9,"
                        + " userPassword=***, port=2200]");
    }

    @Test
    void passwordsOfOtherUsersGoToTheirVariablesAndStayHidden() {
        Options options = Options.defaults(TestHostImage.DEBIAN_MIN)
                .withPassword("root", "r")
                .withPassword("alice", "a")
                .withPassword(TestHost.USER, "m");
        assertThat(options.userPassword()).isEqualTo("m");
        assertThat(options.otherPasswords()).isEqualTo(java.util.Map.of("root", "r", "alice", "a"));
        assertThat(options.toString())
                .endsWith("otherPasswords=[alice, root]]")
                .doesNotContain("=r")
                .doesNotContain("=a,");
        assertThatThrownBy(() -> options.withPassword("bob", "b"))
                .hasMessageContaining("no password can be set for bob");
        assertThatThrownBy(() -> Options.defaults(TestHostImage.DEBIAN_RO).withPassword("root", "r"))
                .hasMessageContaining("writable root");
    }

    @Test
    void rejectsWhatCannotWork() {
        Options min = Options.defaults(TestHostImage.DEBIAN_MIN);
        assertThatThrownBy(() -> min.withPort(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> min.withMemoryLimitMb(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> min.withMemoryLimitMb(8)).hasMessageContaining("sshd");
        assertThatThrownBy(() -> min.withAllowFrom("host; rm -rf /")).hasMessageContaining("IP address");
        assertThatThrownBy(() -> min.withUserPassword("a\nb")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Options.defaults(TestHostImage.DEBIAN_RO).withUserPassword("pw"))
                .hasMessageContaining("writable root");
    }

    @Test
    void imagesAreTheLocalLatestTags() {
        assertThat(TestHostImage.DEBIAN_MIN.imageName()).isEqualTo("mycelium/debian_min:latest");
        assertThat(TestHostImage.DEBIAN_RO.repository()).isEqualTo("mycelium/debian_ro");
        assertThat(TestHostImage.BASTION.repository()).isEqualTo("mycelium/bastion");
        assertThat(TestHostImage.NOJAVA.repository()).isEqualTo("mycelium/nojava");
    }

    @Test
    void loopbackAddressesAreDistinctInRangeAndSkipBusyOnes() throws Exception {
        int port = 2299;
        Set<String> claimed = new HashSet<>();
        try (ServerSocket busy = new ServerSocket()) {
            // Whatever comes next after a first claim is busy from now on, so it must be skipped.
            String first = LoopbackAddresses.claim(port);
            claimed.add(first);
            int x = Integer.parseInt(first.substring(first.lastIndexOf('.') + 1));
            String next = "127.0.0." + (x == LoopbackAddresses.LAST ? LoopbackAddresses.FIRST : x + 1);
            busy.bind(new InetSocketAddress(next, port));
            for (int i = 0; i < 20; i++) {
                String address = LoopbackAddresses.claim(port);
                assertThat(address).isNotEqualTo(next).matches("127\\.0\\.0\\.\\d+");
                int last = Integer.parseInt(address.substring(address.lastIndexOf('.') + 1));
                assertThat(last).isBetween(LoopbackAddresses.FIRST, LoopbackAddresses.LAST);
                assertThat(claimed.add(address)).as("claimed twice: " + address).isTrue();
            }
        } finally {
            claimed.forEach(LoopbackAddresses::release);
        }
    }
}
