package io.mycelium;

import io.mycelium.bootstrap.BootstrapPlan;
import io.mycelium.transport.CommandTransport;
import io.mycelium.transport.ContainerExec;
import io.mycelium.transport.JavaRuntime;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Builds a {@link Session} for a running container, reached with {@code docker exec -i}, {@code podman exec -i} or
 * {@code kubectl exec -i}. The agent is bootstrapped inside it by the same stage 1 as over SSH (a Java runtime is
 * shipped to containers without Java), so every operation works as on an SSH host. Immutable: each method returns a
 * changed copy.
 *
 * <pre>{@code
 * Session web = Session.docker("web").user("app").build();                 // docker exec on this machine
 * Session pod = Session.kubectl("api-0").namespace("prod").container("api").build();
 * Session far = Session.docker("db").via(Session.ssh("deploy@host1").build()).build(); // docker exec on host1
 * }</pre>
 */
public final class ContainerSession {
    private final ContainerExec.Engine engine;
    private final String container;
    private String binary;
    private String user;
    private String namespace;
    private String podContainer;
    private boolean cacheRuntime = true;
    private Duration bootstrapTimeout = Duration.ofSeconds(120);
    private Session parent;

    private ContainerSession(ContainerExec.Engine engine, String container) {
        this.engine = engine;
        this.container = container;
    }

    /** Copies {@code from}, then applies {@code change} to the copy: the only way a field changes. */
    private ContainerSession(ContainerSession from, Consumer<ContainerSession> change) {
        this(from.engine, from.container);
        binary = from.binary;
        user = from.user;
        namespace = from.namespace;
        podContainer = from.podContainer;
        cacheRuntime = from.cacheRuntime;
        bootstrapTimeout = from.bootstrapTimeout;
        parent = from.parent;
        change.accept(this);
    }

    static ContainerSession of(ContainerExec.Engine engine, String container) {
        return new ContainerSession(Objects.requireNonNull(engine, "engine"), container);
    }

    /**
     * The exec program to run instead of {@code docker}, {@code podman} or {@code kubectl}: a name looked up in PATH
     * or a path (a wrapper script that adds {@code --context} or {@code --kubeconfig}, for example).
     */
    public ContainerSession binary(String program) {
        return new ContainerSession(this, s -> s.binary = Objects.requireNonNull(program, "program"));
    }

    /** The user the agent runs as inside the container (docker and podman {@code -u}); the image's user otherwise. */
    public ContainerSession user(String name) {
        return new ContainerSession(this, s -> s.user = Objects.requireNonNull(name, "name"));
    }

    /** kubectl's namespace ({@code -n}); the current context's otherwise. */
    public ContainerSession namespace(String name) {
        return new ContainerSession(this, s -> s.namespace = Objects.requireNonNull(name, "name"));
    }

    /** kubectl's container in the pod ({@code -c}); the pod's default container otherwise. */
    public ContainerSession container(String name) {
        return new ContainerSession(this, s -> s.podContainer = Objects.requireNonNull(name, "name"));
    }

    /**
     * Whether a Java runtime shipped to a container without Java may stay in its {@code ~/.cache/mycelium} (true
     * unless changed); otherwise, and on read-only containers, it goes to {@code /dev/shm} and goes with the session.
     */
    public ContainerSession cacheRuntime(boolean cache) {
        return new ContainerSession(this, s -> s.cacheRuntime = cache);
    }

    /** The longest starting the agent may take, a runtime upload included (120 s unless changed). */
    public ContainerSession bootstrapTimeout(Duration limit) {
        return new ContainerSession(this, s -> s.bootstrapTimeout = Objects.requireNonNull(limit, "limit"));
    }

    /**
     * Runs the exec program on {@code parentSession}'s host instead of this machine: for a container on a remote
     * host, reached with that host's {@code docker} (or podman, kubectl) and its permissions. The agent's frames travel
     * through the parent's connection, as for {@link SshSession#via(Session)}.
     */
    public ContainerSession via(Session parentSession) {
        return new ContainerSession(this, s -> s.parent = Objects.requireNonNull(parentSession, "parentSession"));
    }

    /**
     * The session.
     *
     * @throws IllegalArgumentException when a name is empty or starts with {@code -}, or an option is not the
     *     engine's (a user for kubectl, a namespace for docker)
     */
    public Session build() {
        ContainerExec.Target target =
                new ContainerExec.Target(engine, binary, container, user, namespace, podContainer);
        CommandTransport.Options options = new CommandTransport.Options(
                BootstrapPlan.JarPlacement.AUTO, JavaRuntime.embedded(), cacheRuntime, bootstrapTimeout);
        if (parent != null) {
            return Session.via(
                    target.describe(),
                    ContainerExec.via(
                            target,
                            options,
                            parent.transport().describe(),
                            parent.transport().poolKey()),
                    parent);
        }
        return Session.over(target.describe(), ContainerExec.transport(target, options));
    }
}
