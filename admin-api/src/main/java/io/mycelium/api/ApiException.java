package io.mycelium.api;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.pattern.AskTimeoutException;

/**
 * An error the API answers with: an HTTP status and the JSON body {@code {code, message, details, retryAfter?}}.
 *
 * @see <a href="../../../../../../docs/api.md">docs/api.md</a> for the codes
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String code;
    private final Map<String, Object> details;
    private final Duration retryAfter;

    /** An error with details and, for 429 and 503, when to retry. */
    public ApiException(int status, String code, String message, Map<String, Object> details, Duration retryAfter) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.details = details == null ? Map.of() : Map.copyOf(details);
        this.retryAfter = retryAfter;
    }

    /** An error without details. */
    public ApiException(int status, String code, String message) {
        this(status, code, message, Map.of(), null);
    }

    /** 400: the request is malformed; {@code field} names what is wrong. */
    public static ApiException badRequest(String field, String message) {
        return new ApiException(
                400, "invalid_request", message, field == null ? Map.of() : Map.of("field", field), null);
    }

    /**
     * What a failure means to a client: an {@code ApiException} as it is, an {@link IllegalArgumentException} a 400,
     * a timeout of the cluster a 503, anything else a 500 {@code internal} (which deserves a log line).
     */
    public static ApiException of(Throwable failure) {
        Throwable t = failure;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof ApiException api) {
            return api;
        }
        if (t instanceof RateLimitedException r) {
            return new ApiException(429, "rate_limited", r.getMessage(), Map.of(), r.retryAfter());
        }
        if (t instanceof IllegalArgumentException iae) {
            return new ApiException(400, "invalid_request", iae.getMessage());
        }
        if (t instanceof AskTimeoutException || t instanceof TimeoutException) {
            return new ApiException(
                    503,
                    "unavailable",
                    "the cluster did not answer in time: " + t.getMessage(),
                    Map.of(),
                    Duration.ofSeconds(1));
        }
        return new ApiException(500, "internal", "internal error: " + t);
    }

    /** 404. */
    public static ApiException notFound(String message) {
        return new ApiException(404, "not_found", message);
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }

    /** The stable error code. */
    public String code() {
        return code;
    }

    /** Structured details: which field, which policy, ... */
    public Map<String, Object> details() {
        return details;
    }

    /** When to retry, or null. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
