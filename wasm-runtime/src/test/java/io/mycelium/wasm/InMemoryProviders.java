package io.mycelium.wasm;

import io.mycelium.wasm.capability.AbiStatus;
import io.mycelium.wasm.capability.HttpProvider;
import io.mycelium.wasm.capability.HttpRequest;
import io.mycelium.wasm.capability.HttpResponse;
import io.mycelium.wasm.capability.KvProvider;
import io.mycelium.wasm.capability.LogProvider;
import io.mycelium.wasm.capability.MessagingProvider;
import io.mycelium.wasm.capability.ProviderException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Providers that keep everything in memory and remember what they were asked, for tests. */
final class InMemoryProviders {
    private InMemoryProviders() {}

    static final class Kv implements KvProvider {
        final Map<String, byte[]> entries = new ConcurrentHashMap<>();
        final List<String> operations = Collections.synchronizedList(new ArrayList<>());

        @Override
        public Optional<byte[]> get(byte[] key) {
            operations.add("get " + new String(key, StandardCharsets.UTF_8));
            return Optional.ofNullable(entries.get(new String(key, StandardCharsets.UTF_8)));
        }

        @Override
        public void set(byte[] key, byte[] value) {
            operations.add("set " + new String(key, StandardCharsets.UTF_8));
            entries.put(new String(key, StandardCharsets.UTF_8), value.clone());
        }

        @Override
        public boolean delete(byte[] key) {
            operations.add("delete " + new String(key, StandardCharsets.UTF_8));
            return entries.remove(new String(key, StandardCharsets.UTF_8)) != null;
        }
    }

    static final class Log implements LogProvider {
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void log(LogLevel level, String message) {
            lines.add(level + " " + message);
        }
    }

    /** Answers every request with 200 and the request's method and body; refuses URLs that are not https. */
    static final class Http implements HttpProvider {
        final List<HttpRequest> requests = Collections.synchronizedList(new ArrayList<>());

        @Override
        public HttpResponse send(HttpRequest request) {
            requests.add(request);
            if (!request.url().startsWith("https://")) {
                throw new ProviderException(AbiStatus.INVALID, "only https");
            }
            return new HttpResponse(200, Map.of("content-type", "text/plain"), request.method() + " " + request.body());
        }
    }

    /** Subject "echo" answers with the body reversed; nobody answers on other subjects. */
    static final class Messaging implements MessagingProvider {
        final List<String> published = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void publish(String subject, byte[] body) {
            published.add(subject + " " + new String(body, StandardCharsets.UTF_8));
        }

        @Override
        public Optional<byte[]> request(String subject, byte[] body, Duration timeout) {
            if (!subject.equals("echo")) {
                return Optional.empty();
            }
            return Optional.of(new StringBuilder(new String(body, StandardCharsets.UTF_8))
                    .reverse()
                    .toString()
                    .getBytes(StandardCharsets.UTF_8));
        }
    }
}
