package io.mycelium.cli;

import io.mycelium.MyceliumException;
import io.mycelium.ProcessStartException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns a failure into one clear line on stderr ("mycelium: ..."), with the cause chain below it under {@code
 * --verbose}, and an exit code the help lists.
 */
final class ErrorReporter implements IExecutionExceptionHandler {
    static final int SPORE_REFUSED = 3;
    static final int MYCELIUM_FAILED = 125;
    static final int CANNOT_START = 127;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
        Throwable error = unwrap(ex);
        cmd.getErr().println("mycelium: " + error.getMessage());
        if (isVerbose(parsed)) {
            for (Throwable cause = error.getCause(); cause != null; cause = cause.getCause()) {
                cmd.getErr().println("  caused by: " + cause);
            }
        }
        cmd.getErr().flush();
        if (error instanceof io.mycelium.mesh.spore.SporeException
                || error instanceof AdminApiClient.ApiCallException call && call.code.startsWith("spore_")) {
            return SPORE_REFUSED;
        }
        return error instanceof ProcessStartException ? CANNOT_START : MYCELIUM_FAILED;
    }

    static Throwable unwrap(Throwable error) {
        while ((error instanceof CompletionException || error instanceof ExecutionException)
                && error.getCause() != null) {
            error = error.getCause();
        }
        return error instanceof MyceliumException || error.getMessage() != null
                ? error
                : new RuntimeException(error.toString(), error);
    }

    private static boolean isVerbose(ParseResult parsed) {
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }
}
