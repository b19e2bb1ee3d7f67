package io.mycelium.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mycelium.Mycelium;
import io.mycelium.api.identity.AdminSecurity;
import io.mycelium.api.identity.IdentitySettings;
import io.mycelium.api.ratelimit.ActionRateLimiter;
import io.mycelium.api.ratelimit.PrincipalRateLimiter;
import io.mycelium.exec.ActiveExecutions;
import io.mycelium.exec.ExecService;
import io.mycelium.exec.ExecSettings;
import io.mycelium.exec.Execution;
import io.mycelium.exec.policy.PolicyStore;
import io.mycelium.host.HostContext;
import io.mycelium.host.HostDirectory;
import io.mycelium.host.NodeRole;
import io.mycelium.journal.JournalSchema;
import io.mycelium.journal.JournalSettings;
import io.mycelium.mesh.MeshNode;
import io.mycelium.mesh.MeshSettings;
import io.mycelium.node.http.AdminServer;
import io.mycelium.node.journal.JournalAdmin;
import io.mycelium.node.observability.NodeMetrics;
import io.mycelium.task.ExecTaskRunner;
import io.mycelium.task.IdempotencyKey;
import io.mycelium.task.Task;
import io.mycelium.task.TaskDispatcher;
import io.mycelium.task.TaskIndex;
import io.mycelium.task.TaskService;
import io.mycelium.task.TaskSettings;
import io.mycelium.task.alert.AlertRules;
import io.mycelium.task.alert.Alerter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Mycelium cluster node: the actor system and cluster membership, the journal, the sharded {@code Context} and
 * {@code Execution} entities, the host directory and policy store singletons, and the admin HTTP API.
 *
 * <pre>{@code
 * Node node = Node.start(ConfigFactory.load());
 * node.binding().localAddress();   // the admin API
 * node.stop();                     // coordinated shutdown: leaves the cluster, hands shards off
 * }</pre>
 */
public final class Node {
    private static final Logger LOG = LoggerFactory.getLogger(Node.class);
    private static final Duration DRAIN_DEADLINE = Duration.ofSeconds(10);

    /**
     * The cluster role every node has: entities and singletons live only on members with it, so an application's
     * actor system may join the cluster (for {@code Mycelium.host(id)}) without hosting any of them.
     */
    public static final String ROLE = NodeRole.NAME;

    private final ActorSystem<Void> system;
    private final Mycelium mycelium;
    private final ServerBinding binding;
    private final MeshNode mesh;

    private Node(ActorSystem<Void> system, Mycelium mycelium, ServerBinding binding, MeshNode mesh) {
        this.system = system;
        this.mycelium = mycelium;
        this.binding = binding;
        this.mesh = mesh;
    }

    /**
     * Starts a node and waits until its admin API listens. With no {@code pekko.cluster.seed-nodes} it forms a
     * cluster of its own.
     */
    public static Node start(Config config) throws IOException {
        config = withNodeRole(config);
        NodeSettings settings = NodeSettings.fromConfig(config);
        ExecSettings execSettings = ExecSettings.fromConfig(config);
        TaskSettings taskSettings = TaskSettings.fromConfig(config);
        IdentitySettings identity = IdentitySettings.fromConfig(config);
        String name = config.getString("mycelium.node.cluster-name");
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), name, config);
        try {
            Cluster cluster = Cluster.get(system);
            if (config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
                cluster.manager().tell(Join.create(cluster.selfMember().address()));
            }
            JournalSettings journalSettings = JournalSettings.fromConfig(config);
            try {
                JournalSchema.ensure(system).toCompletableFuture().get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                throw journalUnreadable(journalSettings, config, e.getCause());
            }

            ClusterSingleton singletons = ClusterSingleton.get(system);
            ClusterSingletonSettings onNodes =
                    ClusterSingletonSettings.create(system).withRole(ROLE);
            ActorRef<HostDirectory.Command> hosts = singletons.init(SingletonActor.of(
                            Behaviors.supervise(HostDirectory.create(settings.hosts()))
                                    .onFailure(SupervisorStrategy.restartWithBackoff(
                                            Duration.ofMillis(200), Duration.ofSeconds(10), 0.2)),
                            "host-directory")
                    .withSettings(onNodes));
            ActorRef<PolicyStore.Command> policies = singletons.init(SingletonActor.of(
                            Behaviors.supervise(PolicyStore.create(settings.policies()))
                                    .onFailure(SupervisorStrategy.restartWithBackoff(
                                            Duration.ofMillis(200), Duration.ofSeconds(10), 0.2)),
                            "policy-store")
                    .withSettings(onNodes));

            Mycelium mycelium = Mycelium.create(system);
            ClusterSharding sharding = ClusterSharding.get(system);
            Duration idle = settings.contextIdleTimeout();
            sharding.init(Entity.of(
                            HostContext.TYPE,
                            ctx -> HostContext.create(ctx, mycelium, sharding, hosts, idle, execSettings.askTimeout()))
                    .withRole(ROLE));
            sharding.init(Entity.of(Execution.TYPE, ctx -> Execution.create(ctx.getEntityId(), sharding, execSettings))
                    .withRole(ROLE));

            ScheduledExecutorService timeouts = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "mycelium-rate-limit-timeouts");
                t.setDaemon(true);
                return t;
            });
            PrincipalRateLimiter limiter = new PrincipalRateLimiter(settings::limitsFor, timeouts);
            ExecService service = new ExecService(system, sharding, hosts, policies, limiter, execSettings);
            JdbcReadJournal readJournal =
                    PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
            ActorRef<ActiveExecutions.Command> active = system.systemActorOf(
                    ActiveExecutions.create(readJournal, sharding, execSettings.startGrace()),
                    "active-executions",
                    Props.empty());
            ExecTaskRunner runner = new ExecTaskRunner(service, sharding, system, taskSettings.outputTailBytes());
            ActorRef<TaskDispatcher.Command> dispatcher = singletons.init(SingletonActor.of(
                            Behaviors.supervise(TaskDispatcher.create(sharding))
                                    .onFailure(SupervisorStrategy.restartWithBackoff(
                                            Duration.ofMillis(200), Duration.ofSeconds(10), 0.2)),
                            "task-dispatcher")
                    .withSettings(onNodes));
            sharding.init(Entity.of(
                            Task.TYPE,
                            ctx -> Task.create(ctx.getEntityId(), runner, dispatcher, taskSettings.workerTimeouts()))
                    .withRole(ROLE));
            sharding.init(Entity.of(IdempotencyKey.TYPE, ctx -> IdempotencyKey.create(ctx.getEntityId()))
                    .withRole(ROLE));
            NodeMetrics metrics = new NodeMetrics();
            JournalAdmin journalAdmin = new JournalAdmin(journalSettings, backupDir(config));
            schedulePeriodicBackups(system, journalAdmin, config.getDuration("mycelium.node.journal.backup-interval"));
            schedulePeriodicCompaction(
                    system, journalAdmin, config.getDuration("mycelium.node.journal.compaction-interval"));
            ActorRef<TaskIndex.Command> taskIndex = system.systemActorOf(
                    TaskIndex.create(readJournal, sharding, taskSettings.wakeInterval(), metrics),
                    "task-index",
                    Props.empty());
            ActorRef<Alerter.Command> alerter = system.systemActorOf(
                    Alerter.create(
                            metrics,
                            taskIndex,
                            AlertRules.fromConfig(config.getConfig("mycelium.node.alerts")),
                            config.getDuration("mycelium.node.alerts.interval")),
                    "alerter",
                    Props.empty());
            TaskService tasks = new TaskService(system, sharding, service, taskIndex, dispatcher, taskSettings);

            InetAddress bind = InetAddress.getByName(settings.httpInterface());
            AdminSecurity security = AdminSecurity.load(identity, bind);
            MeshNode mesh = MeshNode.create(system, MeshSettings.fromConfig(config), ROLE);
            AdminServer server = new AdminServer(
                    system,
                    mesh,
                    security,
                    service,
                    hosts,
                    policies,
                    active,
                    tasks,
                    new ActionRateLimiter(
                            ActionRateLimiter.fromConfig(config.getConfig("mycelium.node.rate-limits.actions"))),
                    metrics,
                    alerter,
                    journalAdmin,
                    settings.approvers(),
                    settings.policyAdmins(),
                    execSettings.askTimeout());
            ServerBinding binding = server.bind(settings.httpInterface(), settings.httpPort())
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            // Unbind, then give requests in flight this long (pekko.coordinated-shutdown.phases.service-requests-done
            // allows a little more); shards are handed off and the node leaves the cluster after that.
            binding.addToCoordinatedShutdown(DRAIN_DEADLINE, system);
            mesh.announce(
                    java.net.URI.create((security.tls().isPresent() ? "https" : "http") + "://"
                            + binding.localAddress().getHostString() + ":"
                            + binding.localAddress().getPort()),
                    io.mycelium.mesh.agent.AgentSettings.fromConfig(config),
                    java.nio.file.Path.of(config.getString("mycelium.data-dir"), "run")
                            .toAbsolutePath());
            mesh.startEdge(io.mycelium.mesh.edge.EdgeSettings.fromConfig(config))
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            LOG.info(
                    "node {} up: admin API on {}://{}:{}, cluster {} at {}",
                    name,
                    security.tls().isPresent() ? "https" : "http",
                    binding.localAddress().getHostString(),
                    binding.localAddress().getPort(),
                    name,
                    cluster.selfMember().address());
            return new Node(system, mycelium, binding, mesh);
        } catch (Exception e) {
            system.terminate();
            if (e instanceof IOException io) {
                throw io;
            }
            if (e instanceof java.util.concurrent.ExecutionException ee && ee.getCause() != null) {
                throw new IOException(
                        "the node could not start: " + ee.getCause().getMessage(), ee.getCause());
            }
            throw new IOException("the node could not start: " + e.getMessage(), e);
        }
    }

    /** Where journal backups go: {@code mycelium.node.journal.backup-dir}, or the data dir's {@code backups}. */
    private static java.nio.file.Path backupDir(Config config) {
        String dir = config.getString("mycelium.node.journal.backup-dir");
        return dir.isBlank()
                ? java.nio.file.Path.of(config.getString("mycelium.data-dir")).resolve("backups")
                : java.nio.file.Path.of(dir);
    }

    /** Backs the journal up every {@code interval} (zero: never), off the actor threads. */
    private static void schedulePeriodicBackups(ActorSystem<?> system, JournalAdmin journal, Duration interval) {
        if (interval.isZero()) {
            return;
        }
        var blocking = system.dispatchers().lookup(org.apache.pekko.actor.typed.DispatcherSelector.blocking());
        system.scheduler()
                .scheduleAtFixedRate(
                        interval,
                        interval,
                        () -> {
                            try {
                                LOG.info(
                                        "journal backed up to {}",
                                        journal.backup().file());
                            } catch (Exception e) {
                                LOG.warn("the periodic journal backup failed", e);
                            }
                        },
                        blocking);
    }

    /** Compacts the journal every {@code interval} (zero: never), off the actor threads. */
    private static void schedulePeriodicCompaction(ActorSystem<?> system, JournalAdmin journal, Duration interval) {
        if (interval.isZero()) {
            return;
        }
        var blocking = system.dispatchers().lookup(org.apache.pekko.actor.typed.DispatcherSelector.blocking());
        system.scheduler()
                .scheduleAtFixedRate(
                        interval,
                        interval,
                        () -> {
                            try {
                                LOG.info(
                                        "journal compacted: {} events deleted",
                                        journal.compact().eventsDeleted());
                            } catch (Exception e) {
                                LOG.warn("the periodic journal compaction failed", e);
                            }
                        },
                        blocking);
    }

    /** The error of a journal that does not open: what failed, and for H2 how to restore the last backup. */
    private static IOException journalUnreadable(JournalSettings journal, Config config, Throwable cause) {
        String message = "the journal " + journal.url() + " could not be opened: " + cause.getMessage();
        if (journal.kind() == JournalSettings.Kind.H2) {
            message += ". If its file is damaged, stop here and restore the last backup: mycelium journal restore"
                    + " --data-dir " + config.getString("mycelium.data-dir") + " --backup "
                    + backupDir(config) + "/journal-<newest>.zip"
                    + " (docs/operations.md, Recovery)";
        }
        return new IOException(message, cause);
    }

    /** The configuration with {@link #ROLE} added to {@code pekko.cluster.roles}. */
    private static Config withNodeRole(Config config) {
        List<String> roles = new ArrayList<>(config.getStringList("pekko.cluster.roles"));
        if (!roles.contains(ROLE)) {
            roles.add(ROLE);
        }
        return ConfigFactory.parseMap(Map.of("pekko.cluster.roles", roles)).withFallback(config);
    }

    /** The admin API's address. */
    public InetSocketAddress httpAddress() {
        return binding.localAddress();
    }

    /** The actor system. */
    public ActorSystem<Void> system() {
        return system;
    }

    /** The mesh's part of this node: spore repo and control fabric. */
    public MeshNode mesh() {
        return mesh;
    }

    /** The SDK on this node's actor system. */
    public Mycelium mycelium() {
        return mycelium;
    }

    /** Runs coordinated shutdown (leave the cluster, hand shards off, unbind) and waits for it. */
    public CompletionStage<?> stop() {
        system.terminate();
        return system.getWhenTerminated();
    }
}
