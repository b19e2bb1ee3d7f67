package io.mycelium;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Runs one operation on many hosts, at most {@code parallelism} at once, each on a context of its own that is closed
 * when its operation ends. Every host ends as a {@link HostResult}: a failure never fails the stream or stops the
 * other hosts.
 */
final class FanOut {
    /** How many hosts run at once unless told otherwise. */
    static final int DEFAULT_PARALLELISM = 16;

    /** Closing a context waits this long at most: a host whose hop died must not hold a slot. */
    private static final long CLOSE_WAIT_SECONDS = 10;

    private FanOut() {}

    /**
     * The fan-out as a source of results in the order the hosts finish; its materialized value completes with the
     * summary once every host finished. Each materialization runs it anew.
     *
     * @param open opens a context of the fan-out's own for a session (not shared, so closing it affects no one else)
     */
    static <T> Source<HostResult<T>, CompletionStage<FanOutSummary>> run(
            List<Session> sessions,
            Function<Session, Context> open,
            Function<? super Context, ? extends CompletionStage<T>> op,
            int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("a fan-out needs a parallelism of at least 1, got " + parallelism);
        }
        if (sessions.isEmpty()) {
            throw new IllegalArgumentException("a fan-out needs at least one host");
        }
        List<Session> hosts = List.copyOf(sessions);
        Source<HostResult<T>, NotUsed> results =
                Source.from(hosts).mapAsyncUnordered(parallelism, session -> one(session, open, op));
        return results.alsoToMat(Sink.fold(FanOutSummary.EMPTY, FanOutSummary::add), Keep.right());
    }

    private static <T> CompletionStage<HostResult<T>> one(
            Session session,
            Function<Session, Context> open,
            Function<? super Context, ? extends CompletionStage<T>> op) {
        long start = System.nanoTime();
        Context context;
        try {
            context = open.apply(session);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(HostResult.failed(session.name(), e, since(start)));
        }
        return context.ensureAgent()
                .thenCompose(agent -> op.apply(context))
                .handle((value, error) -> error == null
                        ? HostResult.completed(session.name(), value, since(start))
                        : HostResult.<T>failed(session.name(), unwrap(error), since(start)))
                .thenCompose(result -> context.close()
                        .toCompletableFuture()
                        .completeOnTimeout(null, CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)
                        .handle((closed, ignored) -> result));
    }

    private static Duration since(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static Throwable unwrap(Throwable error) {
        while ((error instanceof CompletionException || error instanceof ExecutionException)
                && error.getCause() != null) {
            error = error.getCause();
        }
        return error;
    }
}
