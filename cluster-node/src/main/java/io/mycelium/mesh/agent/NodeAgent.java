package io.mycelium.mesh.agent;

import io.mycelium.mesh.fabric.Budget;
import io.mycelium.mesh.fabric.ControlFabric;
import io.mycelium.mesh.fabric.Endpoint;
import io.mycelium.mesh.fabric.FabricKeys;
import io.mycelium.mesh.fabric.Plan;
import io.mycelium.mesh.repo.SporeFetcher;
import io.mycelium.mesh.spore.Spore;
import io.mycelium.mesh.spore.SporeVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;

/**
 * A node agent: runs the spores that plans name as OS processes on this machine, one instance per app, and keeps
 * the fabric's endpoint of each app on this agent pointing at its newest healthy instance.
 *
 * <p>A new digest for an app is rolled out blue/green: the new instance starts, must answer {@code /health} within
 * the health timeout, then its endpoint replaces the old one, and the old process gets the warm-up to finish what
 * it serves before SIGTERM (SIGKILL after the grace period). A new instance that never gets healthy is stopped and
 * the old one keeps serving. An instance that exits on its own is withdrawn at once and restarted as the restart
 * policy says. Every step is an {@link InstanceFact} in the journal. All process work (fetch, extract, start,
 * stop) runs on the blocking dispatcher; the actor only decides.
 */
public final class NodeAgent extends AbstractBehavior<NodeAgent.Command> {
    /** What the agent understands. */
    public sealed interface Command {}

    /** Replies with the instances this agent runs. */
    public record GetInstances(ActorRef<List<InstanceView>> replyTo) implements Command {}

    /** Replies with this agent's recent instance facts, oldest first. */
    public record GetFacts(ActorRef<AgentFacts.Facts> replyTo) implements Command {}

    /**
     * An instance as {@link GetInstances} shows it; {@code limits} says how its budget is enforced: {@code cpu} and
     * {@code memory} each {@code cgroup-v1}, {@code cgroup-v2}, {@code rlimit} (memory only) or {@code none}.
     */
    public record InstanceView(
            String agent,
            String id,
            String app,
            String digest,
            long pid,
            int port,
            String phase,
            String dir,
            Map<String, String> limits) {}

    private record FabricChanged(Replicator.SubscribeResponse<?> response) implements Command {}

    private record Started(
            String id, String app, String digest, Path dir, SporeProcess process, CgroupLimits.Placement placement)
            implements Command {}

    private record StartFailed(String app, String digest, String reason) implements Command {}

    private record HealthResult(String id, boolean healthy) implements Command {}

    private record Exited(String id, int code) implements Command {}

    private record StopAfterWarmup(String id) implements Command {}

    private record Restart(String app) implements Command {}

    private enum Phase {
        STARTING,
        SERVING,
        DRAINING,
        STOPPING
    }

    /** One process; mutable, and only ever touched by the actor. */
    private static final class Instance {
        final String id;
        final String app;
        final String digest;
        final Path dir;
        final SporeProcess process;
        final CgroupLimits.Placement placement;
        final Endpoint endpoint;
        Phase phase = Phase.STARTING;

        Instance(
                String id,
                String app,
                String digest,
                Path dir,
                SporeProcess process,
                CgroupLimits.Placement placement,
                Endpoint endpoint) {
            this.id = id;
            this.app = app;
            this.digest = digest;
            this.dir = dir;
            this.process = process;
            this.placement = placement;
            this.endpoint = endpoint;
        }
    }

    private final String agentId;
    private final Path runDir;
    private final AgentSettings settings;
    private final ControlFabric fabric;
    private final SporeFetcher fetcher;
    private final SporeVerifier verifier;
    private final ActorRef<AgentFacts.Command> facts;
    private final TimerScheduler<Command> timers;
    private final Executor blocking;
    private final HealthProbe health = new HealthProbe();
    private final CgroupLimits cgroups;

    private Map<String, Plan> plans = Map.of();
    private Map<String, Budget> budgets = Map.of();
    private final Map<String, Instance> instances = new LinkedHashMap<>();
    private final Map<String, String> starting = new HashMap<>();
    private final Set<String> failed = new HashSet<>();
    private final Set<String> refused = new HashSet<>();
    private final Set<String> restartPending = new HashSet<>();
    private final Map<String, Integer> restartAttempts = new HashMap<>();
    private int sequence;

    private NodeAgent(
            ActorContext<Command> ctx,
            TimerScheduler<Command> timers,
            String agentId,
            Path runDir,
            AgentSettings settings,
            ControlFabric fabric,
            SporeFetcher fetcher,
            SporeVerifier verifier) {
        super(ctx);
        this.timers = timers;
        this.agentId = agentId;
        this.runDir = runDir;
        this.settings = settings;
        this.fabric = fabric;
        this.fetcher = fetcher;
        this.verifier = verifier;
        this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
        this.facts = ctx.spawn(AgentFacts.create(agentId), "facts");
        // A few sysfs operations, once, before the agent starts anything.
        this.cgroups = CgroupLimits.detect(settings.cgroupMount(), settings.cgroupsEnabled(), agentId);
        if (cgroups.unavailable() != null) {
            ctx.getLog()
                    .warn(
                            "{}: budgets without cgroups (memory as an rlimit, CPU not enforced) where: {}",
                            agentId,
                            cgroups.unavailable());
        }
        @SuppressWarnings({"unchecked", "rawtypes"})
        ActorRef<Replicator.SubscribeResponse> adapter =
                ctx.messageAdapter(Replicator.SubscribeResponse.class, FabricChanged::new);
        ActorRef<Replicator.Command> replicator =
                DistributedData.get(ctx.getSystem()).replicator();
        replicator.tell(new Replicator.Subscribe<>(FabricKeys.PLANS, adapter.unsafeUpcast()));
        replicator.tell(new Replicator.Subscribe<>(FabricKeys.BUDGETS, adapter.unsafeUpcast()));
    }

    /**
     * An agent named {@code agentId} (the endpoints' nodeId) that extracts spores under {@code runDir}/{@code
     * <app>-<n>}.
     */
    public static Behavior<Command> create(
            String agentId,
            Path runDir,
            AgentSettings settings,
            ControlFabric fabric,
            SporeFetcher fetcher,
            SporeVerifier verifier) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(
                timers -> new NodeAgent(ctx, timers, agentId, runDir, settings, fabric, fetcher, verifier)));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(FabricChanged.class, this::onFabricChanged)
                .onMessage(Started.class, this::onStarted)
                .onMessage(StartFailed.class, this::onStartFailed)
                .onMessage(HealthResult.class, this::onHealth)
                .onMessage(Exited.class, this::onExited)
                .onMessage(StopAfterWarmup.class, this::onStopAfterWarmup)
                .onMessage(Restart.class, this::onRestart)
                .onMessage(GetInstances.class, this::onGetInstances)
                .onMessage(GetFacts.class, g -> {
                    facts.tell(new AgentFacts.Recent(g.replyTo()));
                    return this;
                })
                .onSignal(PostStop.class, signal -> onPostStop())
                .build();
    }

    @SuppressWarnings("unchecked")
    private Behavior<Command> onFabricChanged(FabricChanged message) {
        if (message.response() instanceof Replicator.Changed<?> changed) {
            if (changed.key().equals(FabricKeys.PLANS)) {
                plans = Map.copyOf(((Replicator.Changed<org.apache.pekko.cluster.ddata.LWWMap<String, Plan>>) changed)
                        .dataValue()
                        .getEntries());
            } else if (changed.key().equals(FabricKeys.BUDGETS)) {
                budgets =
                        Map.copyOf(((Replicator.Changed<org.apache.pekko.cluster.ddata.LWWMap<String, Budget>>) changed)
                                .dataValue()
                                .getEntries());
            }
            Set<String> apps = new HashSet<>(plans.keySet());
            instances.values().forEach(i -> apps.add(i.app));
            apps.forEach(this::consider);
        }
        return this;
    }

    /** Starts or stops what the app's plan and budget call for, unless something is already under way. */
    private void consider(String app) {
        Plan plan = plans.get(app);
        if (plan == null || plan.min() == 0) {
            List.copyOf(instances.values()).stream()
                    .filter(i -> i.app.equals(app) && i.phase != Phase.STOPPING)
                    .forEach(i -> stop(i, "the app has no plan that runs instances"));
            return;
        }
        String key = app + "@" + plan.digest();
        boolean current = instances.values().stream()
                .anyMatch(i -> i.app.equals(app)
                        && i.digest.equals(plan.digest())
                        && (i.phase == Phase.STARTING || i.phase == Phase.SERVING));
        if (current || starting.containsKey(app) || failed.contains(key) || restartPending.contains(app)) {
            return;
        }
        Budget budget = budgets.get(app);
        long live = instances.values().stream()
                .filter(i -> i.app.equals(app) && i.phase != Phase.STOPPING)
                .count();
        if (budget != null && budget.maxInstances() > 0 && live + 1 > budget.maxInstances()) {
            if (refused.add(key)) {
                record(
                        InstanceFact.Kind.BUDGET_REFUSED,
                        app,
                        plan.digest(),
                        0,
                        "the budget allows " + budget.maxInstances() + " instance(s) of " + app + " and " + live
                                + " run");
            }
            return;
        }
        start(plan, budget);
    }

    private void start(Plan plan, Budget budget) {
        String app = plan.app();
        String id = app + "-" + (++sequence) + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffff);
        Path dir = runDir.resolve(id);
        starting.put(app, plan.digest());
        int memoryMb = budget == null ? 0 : budget.memoryMb();
        int cpuMilli = budget == null ? 0 : budget.cpuMilli();
        CompletableFuture<Started> started = fetcher.fetch(plan.digest())
                .toCompletableFuture()
                .thenApplyAsync(
                        file -> {
                            try {
                                Spore spore = verifier.extract(file, dir);
                                int port = plan.port() > 0 ? plan.port() : freePort();
                                Map<String, String> env = Map.of(
                                        "MYCELIUM_APP",
                                        app,
                                        "MYCELIUM_AGENT",
                                        agentId,
                                        "MYCELIUM_DIGEST",
                                        plan.digest(),
                                        "MYCELIUM_JAVA",
                                        Path.of(System.getProperty("java.home"), "bin", "java")
                                                .toString());
                                CgroupLimits.Placement placement = cgroups.place(id, cpuMilli, memoryMb);
                                try {
                                    SporeProcess process = SporeProcess.start(
                                            dir,
                                            spore.manifest(),
                                            port,
                                            env,
                                            placement,
                                            memoryMb,
                                            settings.logMaxBytes(),
                                            settings.logFiles());
                                    return new Started(id, app, plan.digest(), dir, process, placement);
                                } catch (IOException | RuntimeException e) {
                                    CgroupLimits.release(placement.dirs());
                                    throw e;
                                }
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        },
                        blocking);
        getContext()
                .pipeToSelf(
                        started,
                        (ok, error) -> ok != null ? ok : new StartFailed(app, plan.digest(), rootMessage(error)));
    }

    private Behavior<Command> onStarted(Started s) {
        starting.remove(s.app());
        URI url = URI.create("http://127.0.0.1:" + s.process().port());
        Instance instance = new Instance(
                s.id(),
                s.app(),
                s.digest(),
                s.dir(),
                s.process(),
                s.placement(),
                new Endpoint(s.app(), url.toString(), agentId));
        instances.put(instance.id, instance);
        CgroupLimits.Limits limits = s.placement().limits();
        String enforced = "cpu " + limits.cpu() + ", memory " + limits.memory()
                + (cgroups.unavailable() == null ? "" : " (" + cgroups.unavailable() + ")");
        record(
                InstanceFact.Kind.STARTED,
                s.app(),
                s.digest(),
                s.process().pid(),
                "port " + s.process().port() + "; limits: " + enforced);
        getContext()
                .getLog()
                .info(
                        "{}: started {} ({}) as pid {} on port {}; limits: {}",
                        agentId,
                        s.app(),
                        s.digest(),
                        s.process().pid(),
                        s.process().port(),
                        enforced);
        getContext().pipeToSelf(s.process().onExit(), (code, error) -> new Exited(s.id(), code == null ? -1 : code));
        Plan plan = plans.get(s.app());
        if (plan == null || !plan.digest().equals(s.digest())) {
            stop(instance, "the plan moved on to another digest while it started");
            return this;
        }
        getContext()
                .pipeToSelf(
                        health.await(url, settings.healthTimeout()),
                        (healthy, error) -> new HealthResult(s.id(), Boolean.TRUE.equals(healthy)));
        return this;
    }

    private Behavior<Command> onStartFailed(StartFailed f) {
        starting.remove(f.app());
        failed.add(f.app() + "@" + f.digest());
        record(InstanceFact.Kind.START_FAILED, f.app(), f.digest(), 0, f.reason());
        getContext().getLog().warn("{}: could not start {} ({}): {}", agentId, f.app(), f.digest(), f.reason());
        return this;
    }

    private Behavior<Command> onHealth(HealthResult h) {
        Instance instance = instances.get(h.id());
        if (instance == null || instance.phase != Phase.STARTING) {
            return this;
        }
        if (!h.healthy()) {
            failed.add(instance.app + "@" + instance.digest);
            record(
                    InstanceFact.Kind.HEALTH_FAILED,
                    instance.app,
                    instance.digest,
                    instance.process.pid(),
                    "no 200 from /health within " + settings.healthTimeout());
            stop(instance, "it never answered /health");
            consider(instance.app);
            return this;
        }
        instance.phase = Phase.SERVING;
        restartAttempts.remove(instance.app);
        fabric.register(instance.endpoint);
        record(
                InstanceFact.Kind.SERVING,
                instance.app,
                instance.digest,
                instance.process.pid(),
                instance.endpoint.url());
        for (Instance old : List.copyOf(instances.values())) {
            if (old != instance && old.app.equals(instance.app) && old.phase == Phase.SERVING) {
                // Its endpoint was just replaced by the new one; it finishes what it serves during the warm-up.
                old.phase = Phase.DRAINING;
                timers.startSingleTimer(new StopAfterWarmup(old.id), settings.warmup());
            }
        }
        return this;
    }

    private Behavior<Command> onStopAfterWarmup(StopAfterWarmup s) {
        Instance instance = instances.get(s.id());
        if (instance != null && instance.phase == Phase.DRAINING) {
            stop(instance, "replaced by a newer digest");
        }
        return this;
    }

    private Behavior<Command> onExited(Exited e) {
        Instance instance = instances.remove(e.id());
        if (instance == null) {
            return this;
        }
        List<Path> cgroupDirs = instance.placement.dirs();
        if (!cgroupDirs.isEmpty()) {
            CompletableFuture.runAsync(() -> CgroupLimits.release(cgroupDirs), blocking);
        }
        if (instance.phase == Phase.STOPPING) {
            getContext()
                    .getLog()
                    .info("{}: {} (pid {}) stopped, exit {}", agentId, instance.app, instance.process.pid(), e.code());
            return this;
        }
        getContext()
                .getLog()
                .warn(
                        "{}: {} ({}) pid {} exited on its own with {}",
                        agentId,
                        instance.app,
                        instance.digest,
                        instance.process.pid(),
                        e.code());
        record(InstanceFact.Kind.EXITED, instance.app, instance.digest, instance.process.pid(), "exit " + e.code());
        switch (instance.phase) {
            case SERVING -> {
                fabric.withdraw(instance.endpoint);
                scheduleRestart(instance.app);
            }
            case STARTING -> {
                boolean oldServes = instances.values().stream()
                        .anyMatch(i -> i.app.equals(instance.app) && i.phase == Phase.SERVING);
                if (oldServes) {
                    failed.add(instance.app + "@" + instance.digest);
                } else {
                    scheduleRestart(instance.app);
                }
            }
            default -> {
                // DRAINING: it was on its way out anyway.
            }
        }
        return this;
    }

    private void scheduleRestart(String app) {
        int attempt = restartAttempts.merge(app, 1, Integer::sum);
        Optional<Duration> delay = settings.restart().delay(attempt, ThreadLocalRandom.current());
        if (delay.isEmpty()) {
            return;
        }
        Plan plan = plans.get(app);
        record(
                InstanceFact.Kind.RESTART_SCHEDULED,
                app,
                plan == null ? "" : plan.digest(),
                0,
                "attempt " + attempt + " in " + delay.get().toMillis() + " ms");
        restartPending.add(app);
        timers.startSingleTimer("restart-" + app, new Restart(app), delay.get());
    }

    private Behavior<Command> onRestart(Restart r) {
        restartPending.remove(r.app());
        consider(r.app());
        return this;
    }

    private void stop(Instance instance, String why) {
        if (instance.phase == Phase.SERVING) {
            fabric.withdraw(instance.endpoint);
        }
        instance.phase = Phase.STOPPING;
        record(InstanceFact.Kind.STOPPED, instance.app, instance.digest, instance.process.pid(), why);
        Duration grace = settings.stopGrace();
        CompletableFuture.runAsync(() -> instance.process.stop(grace), blocking);
    }

    private Behavior<Command> onGetInstances(GetInstances g) {
        List<InstanceView> views = new ArrayList<>();
        for (Instance i : instances.values()) {
            views.add(new InstanceView(
                    agentId,
                    i.id,
                    i.app,
                    i.digest,
                    i.process.pid(),
                    i.process.port(),
                    i.phase.name(),
                    i.dir.toString(),
                    Map.of(
                            "cpu", i.placement.limits().cpu(),
                            "memory", i.placement.limits().memory())));
        }
        g.replyTo().tell(views);
        return this;
    }

    /** The node is stopping: stop every process (in parallel, bounded by the grace period) and withdraw them. */
    private Behavior<Command> onPostStop() {
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (Instance i : instances.values()) {
            if (i.phase == Phase.SERVING) {
                fabric.withdraw(i.endpoint);
            }
            stops.add(CompletableFuture.runAsync(() -> {
                i.process.stop(settings.stopGrace());
                CgroupLimits.release(i.placement.dirs());
            }));
        }
        try {
            CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new))
                    .get(settings.stopGrace().toMillis() + 6000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            getContext().getLog().warn("{}: not every instance stopped in time: {}", agentId, e.toString());
        }
        cgroups.close();
        return this;
    }

    private void record(InstanceFact.Kind kind, String app, String digest, long pid, String detail) {
        facts.tell(new AgentFacts.Record(new InstanceFact(kind, app, digest, pid, detail, Instant.now())));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String rootMessage(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null
                && (t instanceof java.util.concurrent.CompletionException || t instanceof UncheckedIOException)) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
