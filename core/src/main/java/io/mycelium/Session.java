package io.mycelium;

import io.mycelium.transport.CommandTransport;
import io.mycelium.transport.ContainerExec;
import io.mycelium.transport.LocalTransport;
import io.mycelium.transport.Transport;
import io.mycelium.transport.ViaTransport;
import io.mycelium.wire.ErrorCode;
import io.mycelium.wire.OperationFailedException;
import java.util.List;
import java.util.Objects;

/**
 * Where and how to run an agent: a description, immutable, that {@link Mycelium#open(Session)} turns into a live
 * {@link Context}. {@code Session.local()} runs the agent as a child process of this JVM; a session with a parent
 * ({@link SshSession#via(Session)}, {@link #become(Become)}) is started by its parent's agent, through the parent's
 * connection.
 */
public final class Session {
    private final String name;
    private final Transport transport;
    private final Session parent;
    private final ViaTransport via;

    private Session(String name, Transport transport) {
        this(name, transport, null, null);
    }

    private Session(String name, Transport transport, Session parent, ViaTransport via) {
        this.name = name;
        this.transport = transport;
        this.parent = parent;
        this.via = via;
    }

    /** A session whose agent {@code parent}'s agent starts through {@code via}. */
    static Session via(String name, ViaTransport via, Session parent) {
        return new Session(name, via, Objects.requireNonNull(parent, "parent"), via);
    }

    /**
     * A session on {@code parent}'s own host, started by {@code parent}'s agent with {@code /bin/sh}: a hop without
     * SSH, for tests of routing.
     */
    static Session shellVia(Session parent, CommandTransport.Options options) {
        ViaTransport via = ViaTransport.shell(
                parent.transport().describe(), parent.transport().poolKey(), options);
        return via("sh via " + parent.name(), via, parent);
    }

    /**
     * An agent on this session's host running as another user, started by this session's agent with sudo, su or doas
     * on a pseudo-terminal (see {@link Become}); its frames travel through this session's connection like a {@link
     * SshSession#via} child's. Opening it opens (or shares) this session's context first; closing that closes it.
     */
    public Session become(Become become) {
        Objects.requireNonNull(become, "become");
        ViaTransport through = new ViaTransport(
                become + " via " + transport.describe(),
                become + " on " + name,
                transport.poolKey(),
                new BecomeDialogue(become),
                CommandTransport.Options.defaults(),
                (host, exit, stderr) -> new OperationFailedException(
                        ErrorCode.BOOTSTRAP_FAILED,
                        host + ": the shell under " + become.privilege().program() + " ended with status " + exit
                                + " while starting the agent",
                        null));
        return via(become + " on " + name, through, this);
    }

    /** {@link #become(Become)} without a password: for NOPASSWD rules, or su as root. */
    public Session become(Privilege privilege, String user) {
        return become(Become.as(privilege, user));
    }

    /** The session whose agent starts this one's, or null when this one is reached directly. */
    Session parent() {
        return parent;
    }

    /** The transport through the running parent context. */
    Transport transportThrough(Context parentContext) {
        return via.through(parentContext.hop());
    }

    /** An agent as a local child process, named {@code local}. */
    public static Session local() {
        return new Session("local", new LocalTransport());
    }

    /** An agent as a local child process whose JVM gets extra flags (e.g. {@code -Xmx64m}). */
    public static Session local(List<String> agentJvmFlags) {
        return new Session("local", new LocalTransport(agentJvmFlags));
    }

    /**
     * An agent on a host reached over SSH, started there by stage 1 with nothing installed beforehand.
     *
     * @param target {@code [user@]host[:port]}; a host alias from {@code ~/.ssh/config} works with the OpenSSH
     *     client
     */
    public static SshSession ssh(String target) {
        return SshSession.parse(target);
    }

    /**
     * An agent inside a running Docker container, started with {@code docker exec -i}; see {@link ContainerSession}.
     *
     * @param container the container's name or id
     */
    public static ContainerSession docker(String container) {
        return ContainerSession.of(ContainerExec.Engine.DOCKER, container);
    }

    /** An agent inside a running Podman container, started with {@code podman exec -i}. */
    public static ContainerSession podman(String container) {
        return ContainerSession.of(ContainerExec.Engine.PODMAN, container);
    }

    /**
     * An agent inside a running Kubernetes pod, started with {@code kubectl exec -i POD --}; {@link
     * ContainerSession#namespace} and {@link ContainerSession#container} choose where.
     */
    public static ContainerSession kubectl(String pod) {
        return ContainerSession.of(ContainerExec.Engine.KUBECTL, pod);
    }

    /** An agent reached through any {@link Transport}. */
    public static Session over(String name, Transport transport) {
        return new Session(name, transport);
    }

    /** The same session under another name; names appear in errors and logs. */
    public Session named(String newName) {
        if (newName == null || newName.isBlank()) {
            throw new IllegalArgumentException("a session needs a name");
        }
        return new Session(newName, transport, parent, via);
    }

    /** The session's name. */
    public String name() {
        return name;
    }

    /** The transport that starts and reaches the agent. */
    public Transport transport() {
        return transport;
    }

    @Override
    public String toString() {
        return name + " (" + transport.describe() + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Session s
                && s.name.equals(name)
                && s.transport.equals(transport)
                && Objects.equals(s.parent, parent);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, transport, parent);
    }
}
