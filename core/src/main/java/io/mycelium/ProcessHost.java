package io.mycelium;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Somewhere processes run: a {@link Context} opened in this JVM ({@link Mycelium#open(Session)}), or a host of the
 * cluster this JVM is a member of ({@link Mycelium#host(String)}), whose one connection may live on another node.
 * Code written against this interface runs unchanged on either. Every method is non-blocking.
 */
public interface ProcessHost {

    /** The name errors carry: the context's name, or the cluster's host id. */
    String name();

    /**
     * Runs a process and collects its output. Completes with the result whatever the exit code; fails with a {@link
     * MyceliumException} when the process cannot start or its connection is lost. Cancelling the returned future
     * kills the remote process tree.
     */
    CompletableFuture<ExecResult> procExec(List<String> command, ExecOptions options);

    /** {@link #procExec(List, ExecOptions)} with default options. */
    default CompletableFuture<ExecResult> procExec(String... command) {
        return procExec(List.of(command), ExecOptions.defaults());
    }

    /**
     * Runs a process and streams its output under back-pressure: {@link ExecOutput.Started}, stdout and stderr
     * chunks, then {@link ExecOutput.Exited}. Cancelling the stream kills the remote process tree; each
     * materialization runs the process anew.
     */
    Source<ExecOutput, NotUsed> procStream(List<String> command, ExecOptions options);
}
