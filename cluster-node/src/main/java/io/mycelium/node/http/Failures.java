package io.mycelium.node.http;

import io.mycelium.node.ApiException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.pattern.AskTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns any failure of a request's handling into a JSON error response; unexpected ones are logged. */
final class Failures {
    private static final Logger LOG = LoggerFactory.getLogger(Failures.class);

    private Failures() {}

    static HttpResponse toResponse(Throwable failure) {
        Throwable t = failure;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof ApiException api) {
            return Json.error(api);
        }
        if (t instanceof IllegalArgumentException iae) {
            return Json.error(new ApiException(400, "invalid_request", iae.getMessage()));
        }
        if (t instanceof AskTimeoutException || t instanceof TimeoutException) {
            return Json.error(new ApiException(
                    503,
                    "unavailable",
                    "the cluster did not answer in time: " + t.getMessage(),
                    java.util.Map.of(),
                    java.time.Duration.ofSeconds(1)));
        }
        LOG.error("request failed unexpectedly", t);
        return Json.error(new ApiException(500, "internal", "internal error: " + t));
    }
}
