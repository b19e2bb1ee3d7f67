package io.mycelium.cli;

import io.mycelium.Context;
import io.mycelium.Mycelium;
import io.mycelium.TransferResult;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** What {@code put} and {@code get} share: a target, SRC and DST, and a summary under {@code --verbose}. */
abstract class TransferCommand implements Callable<Integer> {
    @Mixin
    Target target;

    @Mixin
    Verbosity verbosity;

    @Parameters(index = "0", paramLabel = "SRC", description = "The file or directory to copy.")
    String source;

    @Parameters(index = "1", paramLabel = "DST", description = "Where the copy goes (a file or directory path).")
    String destination;

    int transfer(String verb, Function<Context, CompletionStage<TransferResult>> operation) throws Exception {
        try (Mycelium mycelium = Mycelium.standalone()) {
            TransferResult r = operation
                    .apply(mycelium.open(target.session()))
                    .toCompletableFuture()
                    .get();
            if (verbosity.verbose) {
                double seconds = Math.max(r.duration().toNanos() / 1e9, 1e-9);
                System.err.printf(
                        Locale.ROOT,
                        "mycelium: %s %d entries, %d bytes in %.2f s (%.1f MiB/s)%n",
                        verb,
                        r.entries(),
                        r.bytes(),
                        seconds,
                        r.bytes() / seconds / (1 << 20));
            }
        }
        return 0;
    }
}
