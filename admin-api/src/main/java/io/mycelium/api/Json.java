package io.mycelium.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;

/** JSON in and out of the admin API: one configured mapper, error bodies, and body parsing with precise errors. */
public final class Json {
    /** Instants as ISO-8601 strings, durations as ISO-8601 (PT1.5S), unknown properties refused. */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // "{}garbage" is malformed, not an empty object.
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(com.fasterxml.jackson.databind.MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .setSerializationInclusion(JsonInclude.Include.ALWAYS);

    private Json() {}

    /** Parses a body; malformed JSON is a 400 naming the line and column. */
    public static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            throw new ApiException(400, "malformed_json", "the request body is empty; a JSON object is expected");
        }
        try {
            return MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            Map<String, Object> details = new LinkedHashMap<>();
            if (e.getLocation() != null) {
                details.put("line", e.getLocation().getLineNr());
                details.put("column", e.getLocation().getColumnNr());
            }
            return fail(new ApiException(
                    400, "malformed_json", "the body is not valid JSON: " + e.getOriginalMessage(), details, null));
        }
    }

    /**
     * Reads a body as {@code type} once it matches the schema of {@code schema}; malformed JSON, schema violations,
     * and values the type refuses are a 400 naming the field.
     */
    public static <T> T read(String body, Class<T> type, Schemas.Type schema) {
        JsonNode tree = Schemas.checked(schema, parse(body));
        try {
            return MAPPER.treeToValue(tree, type);
        } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
            throw mappingFailure(e);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest(null, e.getOriginalMessage());
        }
    }

    private static ApiException mappingFailure(com.fasterxml.jackson.databind.JsonMappingException e) {
        String field = e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .reduce((a, b) -> b.startsWith("[") ? a + b : a + "." + b)
                .orElse(null);
        Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : null;
        String message = cause != null ? cause.getMessage() : e.getOriginalMessage();
        return ApiException.badRequest(field, field == null ? message : field + ": " + message);
    }

    private static JsonNode fail(ApiException e) {
        throw e;
    }

    /** A JSON response. */
    public static HttpResponse response(int status, Object body) {
        try {
            return HttpResponse.create()
                    .withStatus(status)
                    .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, MAPPER.writeValueAsBytes(body)));
        } catch (JsonProcessingException e) {
            return error(new ApiException(500, "internal", "the response could not be written: " + e.getMessage()));
        }
    }

    /** The error response of an {@link ApiException}: {@code {code, message, details, retryAfter?}}. */
    public static HttpResponse error(ApiException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", e.code());
        body.put("message", e.getMessage());
        body.put("details", e.details());
        if (e.retryAfter() != null) {
            body.put("retryAfter", e.retryAfter().toSeconds());
        }
        HttpResponse response;
        try {
            response = HttpResponse.create()
                    .withStatus(e.status())
                    .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, MAPPER.writeValueAsBytes(body)));
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
        if (e.retryAfter() != null) {
            response = response.addHeader(
                    RetryAfter.create(Math.max(1, e.retryAfter().toSeconds())));
        }
        return response;
    }
}
