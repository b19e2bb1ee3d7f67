package io.mycelium;

import io.mycelium.testhosts.TestHost;

/** Sessions for test hosts, the way a user would write them. */
final class SshHosts {
    private SshHosts() {}

    static SshSession session(TestHost host) {
        return Session.ssh(host.user() + "@" + host.address() + ":" + host.port())
                .identity(host.privateKey())
                .knownHosts(host.knownHostsFile());
    }

    /** What of ours could be on the host: every place stage 1 may write, listed from inside the container. */
    static String leftovers(TestHost host) {
        TestHost.CommandResult r = host.exec(
                "sh",
                "-c",
                "find /dev/shm /tmp /home/mycelium -mindepth 1 -maxdepth 2"
                        + " \\( -iname '*mycelium*' -o -name hsperfdata_mycelium \\) 2>/dev/null || true");
        return r.stdout().strip();
    }
}
