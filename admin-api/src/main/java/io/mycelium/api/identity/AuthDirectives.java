package io.mycelium.api.identity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import javax.net.ssl.SSLSession;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.SslSessionInfo;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pekko HTTP (Java DSL) directives that put an {@link Authenticator} in front of admin API routes.
 *
 * <p>The server must record the TLS session and the client address on each request, which Pekko HTTP does not by
 * default: bind with {@link #serverSettings(ServerSettings)} or set {@code
 * pekko.http.server.parsing.ssl-session-attribute = on} and {@code pekko.http.server.remote-address-attribute = on}.
 * Without them a client certificate is not seen and the local principal is never granted (both fail closed).
 */
public final class AuthDirectives {
    private static final Logger log = LoggerFactory.getLogger(AuthDirectives.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private AuthDirectives() {}

    /**
     * Runs {@code inner} with the request's principal, or completes with {@code 401 Unauthorized}, {@code
     * WWW-Authenticate: Bearer} and the JSON body {@code {"code":"unauthenticated","message":"...","details":{}}}.
     *
     * <p>The client address is the connection's ({@link AttributeKeys#remoteAddress}), not {@code extractClientIP}'s:
     * that one believes {@code X-Forwarded-For}, which any client can send to pass for 127.0.0.1.
     */
    public static Route authenticated(Authenticator authenticator, Function<Principal, Route> inner) {
        return Directives.extractRequest(request -> {
            Principal principal;
            try {
                principal = principal(authenticator, request);
            } catch (AuthenticationRequiredException e) {
                log.info(
                        "admin API request {} {} refused: {}",
                        request.method().value(),
                        request.getUri().path(),
                        e.getMessage());
                return Directives.complete(unauthorized(e.getMessage()));
            }
            return inner.apply(principal);
        });
    }

    /**
     * The principal of a request by the same rules, for handlers outside the routing DSL (gRPC).
     *
     * @throws AuthenticationRequiredException when the request carries no acceptable identity
     */
    public static Principal principal(Authenticator authenticator, HttpRequest request) {
        return authenticator.authenticate(tlsSession(request), authorization(request), remote(request));
    }

    /** The server settings the directives rely on: the TLS session and the remote address as request attributes. */
    public static ServerSettings serverSettings(ServerSettings base) {
        return base.withRemoteAddressAttribute(true)
                .withParserSettings(base.getParserSettings().withIncludeSslSessionAttribute(true));
    }

    /** The 401 response for a refused request. */
    public static HttpResponse unauthorized(String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", "unauthenticated");
        body.put("message", message);
        body.put("details", Map.of());
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serialises", e);
        }
        return HttpResponse.create()
                .withStatus(StatusCodes.UNAUTHORIZED)
                .addHeader(WWWAuthenticate.create(HttpChallenge.create("Bearer", Optional.empty())))
                .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, json));
    }

    private static Optional<SSLSession> tlsSession(HttpRequest request) {
        return request.getAttribute(AttributeKeys.sslSession).map(SslSessionInfo::getSession);
    }

    private static Optional<String> authorization(HttpRequest request) {
        return request.getHeader("Authorization").map(HttpHeader::value);
    }

    private static Optional<InetAddress> remote(HttpRequest request) {
        return request.getAttribute(AttributeKeys.remoteAddress).flatMap(RemoteAddress::getAddress);
    }
}
