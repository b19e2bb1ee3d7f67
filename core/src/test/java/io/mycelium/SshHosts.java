package io.mycelium;

import io.mycelium.testhosts.TestHost;

/** Sessions for test hosts, the way a user would write them. */
final class SshHosts {
    private SshHosts() {}

    static SshSession session(TestHost host) {
        return session(host, SshSession.Client.OPENSSH);
    }

    /** The host's session over {@code client}: its key, its known_hosts file. */
    static SshSession session(TestHost host, SshSession.Client client) {
        return Session.ssh(host.user() + "@" + host.address() + ":" + host.port())
                .identity(host.privateKey())
                .knownHosts(host.knownHostsFile())
                .transport(client);
    }

    /**
     * What of ours could be on the host: every place stage 1 may write, listed from inside the container. The user's
     * own configuration ({@code ~/.config/mycelium}, e.g. a trust file) is not ours.
     */
    static String leftovers(TestHost host) {
        TestHost.CommandResult r = host.exec(
                "sh",
                "-c",
                "find /dev/shm /tmp /home/mycelium -mindepth 1 -maxdepth 2"
                        + " \\( -iname '*mycelium*' -o -name hsperfdata_mycelium \\) -not -path '*/.config/*' 2>/dev/null"
                        + " || true");
        return r.stdout().strip();
    }
}
