package io.mycelium;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mycelium.spi.HostProvider;
import io.mycelium.transport.Transport;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The embedded SDK's entry point: opens {@link Context}s on an actor system.
 *
 * <pre>{@code
 * try (Mycelium mycelium = Mycelium.standalone()) {
 *     Context local = mycelium.open(Session.local());
 *     ExecResult r = local.procExec("uname", "-a").toCompletableFuture().join();
 * }
 * }</pre>
 *
 * <p>On an actor system that is a member of a Mycelium cluster, {@link #host(String)} reaches the cluster's
 * registered hosts through their one shared connection each:
 *
 * <pre>{@code
 * Mycelium mycelium = Mycelium.create(clusterMemberSystem);
 * ExecResult r = mycelium.host("web1").procExec("uname", "-a").join();
 * }</pre>
 */
public final class Mycelium implements AutoCloseable {
    private final ActorSystem<?> system;
    private final boolean ownsSystem;
    private final ContextSettings settings;
    private final AtomicInteger contextCount = new AtomicInteger();
    private final ConcurrentHashMap<String, Context> contexts = new ConcurrentHashMap<>();
    private final AtomicReference<FunctionRegistry> functions = new AtomicReference<>(FunctionRegistry.empty());
    private final Set<Context> own = ConcurrentHashMap.newKeySet();

    private Mycelium(ActorSystem<?> system, boolean ownsSystem) {
        this.system = system;
        this.ownsSystem = ownsSystem;
        this.settings = ContextSettings.from(system.settings().config());
    }

    /**
     * Mycelium on an actor system of its own, stopped by {@link #close()}. The system is a local one even when a
     * {@code reference.conf} on the class path (the cluster node's) makes Pekko's default provider the cluster: a
     * standalone system never joins one, so it must not bind a remoting port.
     */
    public static Mycelium standalone() {
        Config config =
                ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load());
        return new Mycelium(ActorSystem.create(Behaviors.empty(), "mycelium", config), true);
    }

    /** Mycelium on the caller's actor system; {@link #close()} leaves the system running. */
    public static Mycelium create(ActorSystem<?> system) {
        return new Mycelium(system, false);
    }

    /**
     * The context for {@code session}. Contexts are pooled by target ({@link
     * io.mycelium.transport.Transport#poolKey()}: transport, user, host, port and options): every caller that opens the
     * same target in this JVM shares one context and so one connection, until it is closed. The agent starts on the
     * first operation.
     */
    public Context open(Session session) {
        // A parent first, outside compute(): a map cannot be changed from inside its own compute.
        Context parent = session.parent() == null ? null : open(session.parent());
        Transport transport = parent == null ? session.transport() : session.transportThrough(parent);
        return contexts.compute(transport.poolKey(), (key, existing) -> {
            if (existing != null && !existing.isClosed()) {
                return existing;
            }
            Context context = newContext(session, transport, parent);
            context.whenClosed().thenRun(() -> contexts.remove(key, context));
            return context;
        });
    }

    /**
     * Sets the functions {@link Context#callJson} may call, on every context of this instance, those open already
     * included; it replaces the registry set before (a context's function worker restarts with the new one on its next
     * call). Only registered functions can be called.
     *
     * @return this instance
     */
    public Mycelium functions(FunctionRegistry registry) {
        functions.set(java.util.Objects.requireNonNull(registry, "registry"));
        return this;
    }

    /** The functions set with {@link #functions(FunctionRegistry)}, empty before. */
    FunctionRegistry functionRegistry() {
        return functions.get();
    }

    /**
     * A context for {@code session} that no one else shares (a fan-out's: closing it must not close another caller's),
     * through {@code parent}'s agent when the session has a parent. {@link #close()} closes it too.
     */
    Context openOwn(Session session, Context parent) {
        Transport transport = parent == null ? session.transport() : session.transportThrough(parent);
        Context context = newContext(session, transport, parent);
        own.add(context);
        context.whenClosed().thenRun(() -> own.remove(context));
        return context;
    }

    private Context newContext(Session session, Transport transport, Context parent) {
        String actorName = "context-" + contextCount.incrementAndGet() + "-"
                + abbreviate(transport.describe().replaceAll("[^A-Za-z0-9-]", "_"));
        Context context = new Context(
                session,
                this,
                system.systemActorOf(
                        ContextActor.create(session.name(), transport, settings), actorName, Props.empty()),
                system);
        if (parent != null) {
            parent.adopt(context);
        }
        return context;
    }

    /**
     * Runs {@code op} on each session's host, at most {@code parallelism} at once, each on a context of its own that
     * is closed when its {@code op} ends; see {@link Context#fanOut(List, Function, int)} for the results. Sessions
     * with a parent ({@link SshSession#via}) share the parent's pooled context, so hosts behind one bastion share its
     * one connection; the parents stay open for later use. Sessions without one connect from here, one connection each.
     *
     * @throws IllegalArgumentException when {@code sessions} is empty or {@code parallelism} is below 1
     */
    public <T> Source<HostResult<T>, CompletionStage<FanOutSummary>> fanOut(
            List<Session> sessions, Function<? super Context, ? extends CompletionStage<T>> op, int parallelism) {
        return FanOut.run(
                sessions,
                session -> openOwn(session, session.parent() == null ? null : open(session.parent())),
                op,
                parallelism);
    }

    /**
     * The host registered as {@code hostId} in the Mycelium cluster this actor system is a member of. Its operations
     * are messages to the host's context, a sharded entity that holds the cluster's one connection to the host on
     * whichever node owns it; output streams back under back-pressure. Nothing is checked or connected here: an
     * unknown host fails the first operation with {@link HostUnreachableException}.
     *
     * <p>Needs the cluster node module ({@code io.mycelium:mycelium-cluster-node}) on the class path; these runs are
     * the application's own, as trusted as the node's code: no exec policy applies and no execution facts are
     * written (the governed path is the node's exec API).
     *
     * @throws IllegalStateException when the cluster module is missing or this actor system is not a cluster member
     */
    public ProcessHost host(String hostId) {
        HostProvider provider = Providers.HOST.orElseThrow(
                () -> new IllegalStateException("Mycelium.host(\"" + hostId + "\") needs a cluster:"
                        + " add io.mycelium:mycelium-cluster-node to the class path and join the actor system to"
                        + " the cluster of the Mycelium nodes"));
        return provider.host(system, hostId);
    }

    /** The host provider on the class path, looked up once. */
    private static final class Providers {
        static final java.util.Optional<HostProvider> HOST = ServiceLoader.load(
                        HostProvider.class, Mycelium.class.getClassLoader())
                .findFirst();
    }

    private static String abbreviate(String name) {
        return name.length() <= 100 ? name : name.substring(0, 100);
    }

    /** The actor system contexts run on. */
    public ActorSystem<?> system() {
        return system;
    }

    /**
     * Closes every context opened here (their agents exit and take their processes with them), then stops the actor
     * system when this instance created it.
     */
    @Override
    public void close() {
        CompletableFuture<?>[] closing = Stream.concat(own.stream(), contexts.values().stream())
                .map(c -> c.close().toCompletableFuture())
                .toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(closing).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // A context that does not close in time is stopped with the system below.
        }
        contexts.clear();
        own.clear();
        if (ownsSystem) {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().join();
        }
    }
}
