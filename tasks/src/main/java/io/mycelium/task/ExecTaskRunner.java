package io.mycelium.task;

import io.mycelium.api.ApiException;
import io.mycelium.api.identity.Principal;
import io.mycelium.exec.ExecRequest;
import io.mycelium.exec.ExecResponse;
import io.mycelium.exec.ExecService;
import io.mycelium.exec.Execution;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Runs a task's attempt on its target host the governed way: an execution through {@link ExecService} (rate limit,
 * the submitter's exec policy, execution facts and audit, the host's context), its output's tail kept.
 */
public final class ExecTaskRunner implements TaskRunner {
    private final ExecService exec;
    private final ClusterSharding sharding;
    private final ActorSystem<?> system;
    private final int outputTailBytes;

    /** A runner over the node's exec service. */
    public ExecTaskRunner(ExecService exec, ClusterSharding sharding, ActorSystem<?> system, int outputTailBytes) {
        this.exec = exec;
        this.sharding = sharding;
        this.system = system;
        this.outputTailBytes = outputTailBytes;
    }

    @Override
    public CompletionStage<Result> run(Attempt attempt, Runnable onAccepted) {
        ExecRequest request = new ExecRequest(
                attempt.executionId(),
                attempt.target(),
                attempt.command(),
                null,
                Map.of(),
                null,
                attempt.timeout(),
                null,
                false,
                false,
                null,
                null);
        Principal principal = new Principal(attempt.principal(), Principal.Kind.valueOf(attempt.principalKind()));
        return exec.start(request, principal, attempt.clientIp())
                .thenCompose(started -> {
                    onAccepted.run();
                    return exec.collect(started, outputTailBytes);
                })
                .handle((response, failure) -> failure == null ? result(response) : refused(ApiException.of(failure)));
    }

    private static Result result(ExecResponse r) {
        String stdout = r.stdout() != null ? r.stdout() : r.stdoutBase64();
        String stderr = r.stderr() != null ? r.stderr() : r.stderrBase64();
        if (r.error() != null) {
            return new Result(
                    null, stdout, stderr, r.error().get("code"), r.error().get("message"), false);
        }
        if (r.timedOut()) {
            return new Result(
                    r.exitCode(),
                    stdout,
                    stderr,
                    "timed_out",
                    "the attempt ran past its timeout and was killed",
                    false);
        }
        if (r.exitCode() == null || r.exitCode() != 0) {
            String how = r.exitCode() != null
                    ? "the command exited with " + r.exitCode()
                    : "the command was killed by signal " + r.signal();
            return new Result(r.exitCode(), stdout, stderr, "exit_code", how, false);
        }
        return new Result(0, stdout, stderr, null, null, false);
    }

    /** A refusal before the process started; a policy's denial and an unknown host do not pass by retrying. */
    private static Result refused(ApiException e) {
        boolean permanent = e.status() == 400 || e.status() == 403 || e.status() == 404;
        return new Result(null, null, null, e.code(), e.getMessage(), permanent);
    }

    @Override
    public void cancel(String executionId, String by) {
        sharding.entityRefFor(Execution.TYPE, executionId).tell(new Execution.Cancel(by, system.ignoreRef()));
    }
}
