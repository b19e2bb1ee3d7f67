package io.mycelium.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class HostsFileTest {
    @Test
    void hostsCommentsAndBlankLines() {
        assertThat(HostsFile.parse(
                        "f", List.of("# web", "", "  root@10.0.0.1:2222  ", "web2 # the second", "deploy@web3", "   ")))
                .containsExactly("root@10.0.0.1:2222", "web2", "deploy@web3");
    }

    @Test
    void aMalformedLineIsAnErrorNamingIt() {
        assertThatThrownBy(() -> HostsFile.parse("f", List.of("web1", "web2:http")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("hosts file f, line 2: invalid port in web2:http");
        assertThatThrownBy(() -> HostsFile.parse("f", List.of("", "web1 web2")))
                .hasMessage("hosts file f, line 2: one USER@ADDR[:PORT] per line, got: web1 web2");
        assertThatThrownBy(() -> HostsFile.parse("f", List.of("@web1")))
                .hasMessageStartingWith("hosts file f, line 1: invalid host @web1");
        assertThatThrownBy(() -> HostsFile.parse("f", List.of("web1", "#", "web1")))
                .hasMessage("hosts file f, line 3: web1 is already on line 1");
        assertThatThrownBy(() -> HostsFile.parse("f", List.of("# none", ""))).hasMessage("hosts file f names no host");
    }
}
