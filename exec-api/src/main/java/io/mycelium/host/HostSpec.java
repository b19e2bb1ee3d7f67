package io.mycelium.host;

import io.mycelium.Session;
import io.mycelium.SshSession;
import io.mycelium.journal.KryoSerializable;
import io.mycelium.transport.OpenSsh;
import java.nio.file.Path;
import java.util.Map;

/**
 * A registered host: where an agent runs and how to reach it.
 *
 * @param id the name requests use as {@code agentId}; 1-64 characters of A-Z a-z 0-9 . _ -
 * @param transport how the agent is reached
 * @param address the SSH address (a name or IP literal); null for {@link Transport#LOCAL}
 * @param port the SSH port; 0 for the default
 * @param user the SSH login user; null for the node's user
 * @param identity the private key file on the node that owns the host's context (a path, never the key itself);
 *     null for ssh's defaults
 * @param knownHosts the known_hosts file to check the host key against; null for ~/.ssh/known_hosts
 * @param acceptNewHostKey whether a host seen for the first time is trusted (a changed key is still refused)
 * @param labels labels policies select hosts by
 */
public record HostSpec(
        String id,
        Transport transport,
        String address,
        int port,
        String user,
        String identity,
        String knownHosts,
        boolean acceptNewHostKey,
        Map<String, String> labels)
        implements KryoSerializable {

    /** How the node reaches a host's agent. */
    public enum Transport {
        /** An agent process on the node that owns the host's context. */
        LOCAL,
        /** The {@code ssh} program ({@code ssh -T}). */
        OPENSSH,
        /** Apache MINA SSHD inside the node's JVM. */
        MINA
    }

    /** Validates and copies. */
    public HostSpec {
        if (id == null || !id.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("host id must be 1-64 characters of A-Z a-z 0-9 . _ -: " + id);
        }
        if (transport == null) {
            throw new IllegalArgumentException("host " + id + ": transport must be local, openssh or mina");
        }
        if (transport != Transport.LOCAL && (address == null || address.isBlank())) {
            throw new IllegalArgumentException("host " + id + ": an SSH host needs an address");
        }
        if (address != null && !address.matches("[A-Za-z0-9.:_-]{1,253}")) {
            throw new IllegalArgumentException("host " + id + ": not a host name or IP address: " + address);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("host " + id + ": port out of range: " + port);
        }
        if (user != null && !user.matches("[A-Za-z0-9._][A-Za-z0-9._-]{0,31}")) {
            throw new IllegalArgumentException("host " + id + ": not a user name: " + user);
        }
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /** This machine, through the local agent. */
    public static HostSpec local(String id, Map<String, String> labels) {
        return new HostSpec(id, Transport.LOCAL, null, 0, null, null, null, false, labels);
    }

    /** The SDK session that reaches this host. */
    public Session session() {
        if (transport == Transport.LOCAL) {
            return Session.local().named(id);
        }
        String target = (user == null ? "" : user + "@")
                + (address.contains(":") ? "[" + address + "]" : address)
                + (port == 0 ? "" : ":" + port);
        SshSession ssh = Session.ssh(target)
                .transport(transport == Transport.MINA ? SshSession.Client.MINA : SshSession.Client.OPENSSH);
        if (identity != null) {
            ssh = ssh.identity(Path.of(identity));
        }
        if (knownHosts != null) {
            ssh = ssh.knownHosts(Path.of(knownHosts));
        }
        if (acceptNewHostKey) {
            ssh = ssh.hostKeyPolicy(OpenSsh.HostKeyPolicy.ACCEPT_NEW);
        }
        return ssh.build().named(id);
    }
}
