package io.mycelium.api;

import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns any failure of a request's handling into a JSON error response; unexpected ones are logged. */
public final class Failures {
    private static final Logger LOG = LoggerFactory.getLogger(Failures.class);

    private Failures() {}

    /** The JSON error response of {@code failure}: its {@link ApiException}, or a logged 500 when it is none. */
    public static HttpResponse toResponse(Throwable failure) {
        ApiException api = ApiException.of(failure);
        if (api.status() == 500) {
            LOG.error("request failed unexpectedly", failure);
        }
        return Json.error(api);
    }
}
