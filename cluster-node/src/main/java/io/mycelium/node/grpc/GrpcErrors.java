package io.mycelium.node.grpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import io.mycelium.api.ApiException;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.apache.pekko.grpc.GrpcServiceException;
import org.apache.pekko.grpc.Trailers;
import org.apache.pekko.grpc.javadsl.MetadataBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exec API's errors as gRPC statuses: the HTTP status picks the gRPC code, the message is the description, and
 * the trailers carry {@code mycelium-code} (the API's stable code), {@code mycelium-details} (its details as JSON)
 * and {@code retry-after} (seconds) where there is one.
 */
final class GrpcErrors {
    private static final Logger LOG = LoggerFactory.getLogger(GrpcErrors.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private GrpcErrors() {}

    static Trailers trailers(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof GrpcServiceException g) {
            return new Trailers(g.getStatus(), g.getMetadata());
        }
        ApiException api = ApiException.of(failure);
        if (api.status() == 500) {
            LOG.error("gRPC call failed unexpectedly", failure);
        }
        MetadataBuilder metadata = new MetadataBuilder()
                .addText("mycelium-code", api.code())
                .addText("mycelium-details", json(api.details()));
        if (api.retryAfter() != null) {
            metadata.addText(
                    "retry-after", Long.toString(Math.max(1, api.retryAfter().toSeconds())));
        }
        return new Trailers(code(api.status()).withDescription(api.getMessage()), metadata.build());
    }

    /** The gRPC code closest to an HTTP status of the API. */
    static Status code(int httpStatus) {
        return switch (httpStatus) {
            case 400 -> Status.INVALID_ARGUMENT;
            case 401 -> Status.UNAUTHENTICATED;
            case 403 -> Status.PERMISSION_DENIED;
            case 404 -> Status.NOT_FOUND;
            case 408 -> Status.DEADLINE_EXCEEDED;
            case 409 -> Status.FAILED_PRECONDITION;
            case 429 -> Status.RESOURCE_EXHAUSTED;
            case 501 -> Status.UNIMPLEMENTED;
            case 503 -> Status.UNAVAILABLE;
            default -> Status.INTERNAL;
        };
    }

    private static String json(Map<String, Object> details) {
        try {
            return JSON.writeValueAsString(details);
        } catch (JsonProcessingException e) {
            return "{}";
        }
    }
}
