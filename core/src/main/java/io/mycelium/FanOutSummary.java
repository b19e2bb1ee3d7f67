package io.mycelium;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * How a fan-out went: how many hosts succeeded, and which failed and why, in the order they finished.
 *
 * @param succeeded the number of hosts that succeeded
 * @param failed the failed hosts' results
 */
public record FanOutSummary(int succeeded, List<HostResult<?>> failed) {
    static final FanOutSummary EMPTY = new FanOutSummary(0, List.of());

    /** Copies the list. */
    public FanOutSummary {
        failed = List.copyOf(failed);
    }

    /** Whether every host succeeded. */
    public boolean allSucceeded() {
        return failed.isEmpty();
    }

    /** One line: {@code 3 ok, 1 failed: web4 (exit 2)}. */
    public String line() {
        String head = succeeded + " ok, " + failed.size() + " failed";
        if (failed.isEmpty()) {
            return head;
        }
        return head + ": "
                + failed.stream().map(r -> r.host() + " (" + r.failure() + ")").collect(Collectors.joining(", "));
    }

    /** This summary with {@code result} counted. */
    FanOutSummary add(HostResult<?> result) {
        if (result.ok()) {
            return new FanOutSummary(succeeded + 1, failed);
        }
        List<HostResult<?>> more = new ArrayList<>(failed);
        more.add(result);
        return new FanOutSummary(succeeded, more);
    }

    @Override
    public String toString() {
        return line();
    }
}
