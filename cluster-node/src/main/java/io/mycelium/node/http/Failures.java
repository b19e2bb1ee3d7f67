package io.mycelium.node.http;

import io.mycelium.node.ApiException;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns any failure of a request's handling into a JSON error response; unexpected ones are logged. */
final class Failures {
    private static final Logger LOG = LoggerFactory.getLogger(Failures.class);

    private Failures() {}

    static HttpResponse toResponse(Throwable failure) {
        ApiException api = ApiException.of(failure);
        if (api.status() == 500) {
            LOG.error("request failed unexpectedly", failure);
        }
        return Json.error(api);
    }
}
